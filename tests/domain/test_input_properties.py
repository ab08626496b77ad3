"""Property tests of every pure module that takes user input: any input gets a clean answer —
a value, or BadUserInput naming the field — never another exception."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import validation
from domain.errors import BadUserInput
from domain.months import add_one_month
from schema.pagination import decode_cursor, encode_cursor, page_size
from services.consents import truncate_ip


@given(st.text(max_size=400))
def test_any_email_input_is_normalised_or_refused_by_name(value):
    try:
        address = validation.email_address(value)
    except BadUserInput as error:
        assert error.field == "email"
    else:
        assert address == address.lower() and "@" in address
        assert validation.email_address(address) == address  # idempotent


@given(st.text(max_size=300))
def test_any_password_is_accepted_only_within_its_length_bounds(value):
    try:
        assert validation.password(value) == value
        assert validation.PASSWORD_MIN <= len(value) <= validation.PASSWORD_MAX
    except BadUserInput as error:
        assert error.field == "password"
        assert (
            not validation.PASSWORD_MIN <= len(value) <= validation.PASSWORD_MAX
            or "too easy to guess" in error.message
        )


@given(st.text(max_size=300), st.integers(1, 250), st.booleans())
def test_any_text_is_trimmed_and_bounded(value, limit, required):
    try:
        cleaned = validation.text(value, field="f", max_length=limit, required=required)
    except BadUserInput as error:
        assert error.field == "f"
    else:
        assert cleaned == value.strip() and len(cleaned) <= limit
        assert cleaned or not required
        assert "\x00" not in value  # PostgreSQL text cannot hold NUL: refused, never stored


@given(st.text(max_size=60))
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


@given(st.text(max_size=200))
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
