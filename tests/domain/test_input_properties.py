"""Property tests of every pure module that takes user input: any input gets a clean answer —
a value, or BadUserInput naming the field — never another exception.

Text is drawn with lone surrogates and NUL too (hypothesis leaves surrogates out by default):
neither can be stored, so nothing may accept them."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from json import JSONDecodeError

from hypothesis import given
from hypothesis import strategies as st

from domain import validation
from domain.errors import BadUserInput
from domain.months import add_one_month
from graphql_app import decode_json
from schema.pagination import (
    MAX_KEY,
    cursor_id,
    decode_cursor,
    encode_cursor,
    page_request,
    page_size,
)
from schema.scalars import parse_datetime
from services.consents import truncate_ip
from subscriptions.handlers import TooDeep

# Joined by hand: st.text drops surrogates whatever its alphabet.
ODD_TEXT = st.lists(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.just("\x00")), max_size=300
).map("".join)
EDGES = st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)])
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), ODD_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(ODD_TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


@given(ODD_TEXT)
def test_any_email_input_is_normalised_or_refused_by_name(value):
    try:
        address = validation.email_address(value)
    except BadUserInput as error:
        assert error.field == "email"
    else:
        assert address == address.lower() and "@" in address and storable(address)
        assert validation.email_address(address) == address  # idempotent


@given(ODD_TEXT)
def test_any_password_is_accepted_only_within_its_length_bounds_and_hard_to_guess(value):
    try:
        assert validation.password(value) == value
        assert validation.PASSWORD_MIN <= len(value) <= validation.PASSWORD_MAX
        assert storable(value)
    except BadUserInput as error:
        assert error.field == "password"
        within = validation.PASSWORD_MIN <= len(value) <= validation.PASSWORD_MAX
        assert not (within and storable(value)) or "too easy to guess" in error.message


@given(ODD_TEXT, st.integers(1, 250), st.booleans())
def test_any_text_is_trimmed_and_bounded(value, limit, required):
    try:
        cleaned = validation.text(value, field="f", max_length=limit, required=required)
    except BadUserInput as error:
        assert error.field == "f"
    else:
        assert cleaned == value.strip() and len(cleaned) <= limit
        assert cleaned or not required
        assert storable(value)  # no NUL (PostgreSQL), no lone surrogate (no UTF-8): refused


@given(ODD_TEXT)
def test_any_time_zone_name_is_a_zone_or_refused(value):
    try:
        zone = validation.time_zone(value)
    except BadUserInput as error:
        assert error.field == "timeZone"
    else:
        assert zone.key == value


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(9998, 1, 1), timezones=st.just(UTC)
    )
)
def test_one_month_later_is_next_month_same_time_and_at_most_31_days(moment):
    later = add_one_month(moment)
    assert (later.year * 12 + later.month) - (moment.year * 12 + moment.month) == 1
    assert later.time() == moment.time() and later.day <= moment.day
    assert timedelta(days=28) <= later - moment <= timedelta(days=31)


@given(ODD_TEXT)
def test_any_cursor_string_decodes_or_is_refused_by_name(value):
    try:
        key = decode_cursor(value)
    except BadUserInput as error:
        assert error.field == "after"
    else:
        assert isinstance(key, list) and key


@given(st.lists(st.one_of(st.integers(), st.text(max_size=20)), min_size=1, max_size=3))
def test_cursors_round_trip(key):
    assert decode_cursor(encode_cursor(*key)) == key


@given(st.one_of(st.none(), st.integers(-(10**9), 10**9)))
def test_page_sizes_are_bounded(first):
    try:
        size = page_size(first)
    except BadUserInput as error:
        assert error.field == "first" and first is not None
    else:
        assert 0 <= size <= 100


@given(st.one_of(st.ip_addresses().map(str), st.text(max_size=40), st.none()))
def test_ip_addresses_are_truncated_to_their_network_or_dropped(value):
    prefix = truncate_ip(value)
    if prefix is not None:
        network, bits = prefix.split("/")
        assert bits in ("24", "48")
        assert network.endswith(".0") or ":" in network


@given(JSON_VALUES)
def test_any_cursor_key_is_an_id_in_range_or_refused_by_name(key):
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()  # crafted, as anyone can
    try:
        found = cursor_id(page_request(None, cursor, None, None))
    except BadUserInput as error:
        assert error.field == "after"
    else:
        assert type(found) is int and 0 <= found <= MAX_KEY and key == [found]


@given(
    st.one_of(
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), EDGES
    ).flatmap(lambda moment: OFFSETS.map(lambda offset: moment.replace(tzinfo=offset)))
)
def test_any_date_time_with_an_offset_parses_to_one_safe_to_compute_with_or_is_refused(moment):
    try:
        parsed = parse_datetime(moment.isoformat())
    except ValueError:
        return  # coerced into BAD_USER_INPUT by graphql-core
    utc = parsed.astimezone(UTC)  # what every database comparison does first
    assert utc - timedelta(days=7) < utc + timedelta(days=7)  # windows, margins, buffers
    assert utc == moment


@given(st.one_of(st.binary(max_size=300), JSON_VALUES.map(json.dumps).map(str.encode)))
def test_any_request_body_decodes_to_valid_unicode_or_is_refused_as_json(body):
    try:
        value = decode_json(body)
    except JSONDecodeError:
        return  # a 400 (HTTP) or a 4400 close (WebSocket)
    for text in _strings(value):
        text.encode("utf-8")  # no lone surrogate got through (NUL is refused per field)


@given(st.integers(1, 3000), st.sampled_from(["[", '{"a":']))
def test_any_nesting_decodes_or_is_refused_as_too_deep(depth, opener):
    closer = "]" if opener == "[" else "}"
    body = (opener * depth + "1" + closer * depth).encode()
    try:
        decode_json(body)
    except TooDeep:
        assert depth > 1000
    else:
        assert depth <= 1024


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for pair in value.items() for item in pair for text in _strings(item)]
    return []
