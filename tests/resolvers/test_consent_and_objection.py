"""Consent per purpose with an append-only history, what withdrawing it stops at once, the right to
object (Art. 21) and restriction of processing (Art. 18), through the schema."""

from datetime import UTC, datetime, timedelta

import pytest

from models.calendar import CalendarBusy, LinkedCalendar
from models.privacy import Activity, Consent, ConsentEvent
from models.user import User
from services import consents
from services.consents import truncate_ip
from tests.graphql_ops import CREATE_TYPE, SLOTS, WEEKLY

SET_CONSENT = """mutation($p: ConsentPurpose!, $g: Boolean!) {
  setConsent(purpose: $p, granted: $g) { purpose granted updatedAt } }"""
CONSENTS = "{ consents { purpose granted updatedAt } }"
HISTORY = "{ consentHistory { purpose granted at } }"
RECORD = """mutation($p: String!, $s: String) { recordActivity(path: $p, search: $s) }"""
OBJECT = """mutation($o: Objection!) { objectToProcessing(processing: $o) }"""
SUBMIT = """mutation($k: PrivacyRequestKind!) { submitPrivacyRequest(kind: $k) { id } }"""
UPDATE = """mutation($id: ID!, $s: PrivacyRequestStatus!, $r: String) {
  updatePrivacyRequest(id: $id, status: $s, reason: $r) { status } }"""
CALENDARS = "{ calendars { id name busyCount } }"

MONDAY = datetime(2030, 1, 7, tzinfo=UTC)


# --- services/consents.truncate_ip: keep the network, not the device ----------------------------


@pytest.mark.parametrize(
    ("address", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("203.0.113.0", "203.0.113.0/24"),
        ("10.1.2.255", "10.1.2.0/24"),
        ("127.0.0.1", "127.0.0.0/24"),
        ("2001:db8:1:2::5", "2001:db8:1::/48"),
        ("2001:db8:abcd:12:ff::1", "2001:db8:abcd::/48"),
        ("::1", "::/48"),
        (None, None),
        ("", None),
        ("not-an-ip", None),
        ("203.0.113.999", None),
        ("testclient", None),
    ],
)
def test_truncate_ip_keeps_a_24_or_48_bit_prefix(address, prefix):
    assert truncate_ip(address) == prefix


def test_truncate_ip_drops_every_host_bit():
    for last in range(0, 256, 17):
        assert truncate_ip(f"198.51.100.{last}") == "198.51.100.0/24"
    assert truncate_ip("2001:db8:1:ffff:ffff:ffff:ffff:ffff") == "2001:db8:1::/48"


# --- consent and its history --------------------------------------------------------------------


async def test_consent_is_per_purpose_with_an_append_only_history(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    assert (await gql(CONSENTS, token=token)).ok() == {"consents": []}
    assert (await gql(HISTORY, token=token)).ok() == {"consentHistory": []}

    granted = (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
    assert granted["setConsent"]["purpose"] == "MARKETING" and granted["setConsent"]["granted"]
    withdrawn = (await gql(SET_CONSENT, {"p": "MARKETING", "g": False}, token=token)).ok()
    assert withdrawn["setConsent"]["granted"] is False
    (await gql(SET_CONSENT, {"p": "FUNCTIONALITY_COOKIES", "g": True}, token=token)).ok()

    current = (await gql(CONSENTS, token=token)).ok()["consents"]
    assert {c["purpose"]: c["granted"] for c in current} == {
        "MARKETING": False,
        "FUNCTIONALITY_COOKIES": True,
    }
    history = (await gql(HISTORY, token=token)).ok()["consentHistory"]
    assert [(h["purpose"], h["granted"]) for h in history] == [
        ("MARKETING", True),
        ("MARKETING", False),
        ("FUNCTIONALITY_COOKIES", True),
    ]
    times = [datetime.fromisoformat(h["at"]) for h in history]
    assert times == sorted(times)
    # One current row per purpose; the history keeps every choice.
    assert await Consent.filter(user__email="ada@example.com").count() == 2
    assert await ConsentEvent.filter(user__email="ada@example.com").count() == 3


async def test_consent_of_one_user_is_not_another_users(gql, sign_up):
    ada, _ = await sign_up(email="ada@example.com", name="Ada")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=ada)).ok()
    assert (await gql(CONSENTS, token=bob)).ok() == {"consents": []}
    assert (await gql(HISTORY, token=bob)).ok() == {"consentHistory": []}


async def test_consent_needs_a_signed_in_user_and_a_known_purpose(gql, sign_up):
    assert (await gql(SET_CONSENT, {"p": "MARKETING", "g": True})).codes == ["UNAUTHENTICATED"]
    assert (await gql(CONSENTS)).codes == ["UNAUTHENTICATED"]
    assert (await gql(HISTORY)).codes == ["UNAUTHENTICATED"]
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    bogus = await gql(SET_CONSENT, {"p": "SELLING_DATA", "g": True}, token=token)
    assert bogus.codes == ["BAD_USER_INPUT"]
    assert await ConsentEvent.all().count() == 0 and await Consent.all().count() == 0


# --- technical activity needs performance consent -----------------------------------------------


async def test_activity_is_stored_only_with_performance_consent(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    assert (await gql(RECORD, {"p": "/pricing"}, token=token)).ok() == {"recordActivity": False}
    (await gql(SET_CONSENT, {"p": "FUNCTIONALITY_COOKIES", "g": True}, token=token)).ok()
    assert (await gql(RECORD, {"p": "/pricing"}, token=token)).ok() == {"recordActivity": False}
    assert await Activity.all().count() == 0

    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    stored = await gql(RECORD, {"p": "/pricing", "s": "yoga"}, token=token)
    assert stored.ok() == {"recordActivity": True}
    assert (await gql(RECORD, {"p": "/about"}, token=token)).ok() == {"recordActivity": True}
    rows = await Activity.filter(user__email="ada@example.com").order_by("id")
    assert [(r.path, r.search) for r in rows] == [("/pricing", "yoga"), ("/about", None)]

    # Withdrawing deletes what was stored, at once, and stops further recording.
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": False}, token=token)).ok()
    assert await Activity.all().count() == 0
    assert (await gql(RECORD, {"p": "/pricing"}, token=token)).ok() == {"recordActivity": False}
    assert await Activity.all().count() == 0


async def test_withdrawing_performance_consent_deletes_only_that_users_activity(gql, sign_up):
    ada, _ = await sign_up(email="ada@example.com", name="Ada")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    for token in (ada, bob):
        (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
        (await gql(RECORD, {"p": "/home"}, token=token)).ok()
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": False}, token=ada)).ok()
    assert await Activity.filter(user__email="ada@example.com").count() == 0
    assert await Activity.filter(user__email="bob@example.com").count() == 1


async def test_record_activity_validates_and_needs_sign_in(gql, sign_up):
    assert (await gql(RECORD, {"p": "/x"})).codes == ["UNAUTHENTICATED"]
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    assert (await gql(RECORD, {"p": "  "}, token=token)).codes == ["BAD_USER_INPUT"]
    assert (await gql(RECORD, {"p": "/" + "x" * 600}, token=token)).codes == ["BAD_USER_INPUT"]
    assert await Activity.all().count() == 0


async def test_over_http_only_the_truncated_address_prefix_is_stored(http):
    signed = await http.post(
        """mutation($i: SignUpInput!) { signUp(input: $i) { token } }""",
        {"i": {"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"}},
    )
    token = signed.ok()["signUp"]["token"]
    (await http.post(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    stored = await http.post(RECORD, {"p": "/book/intro", "s": "tuesday"}, token=token)
    assert stored.ok() == {"recordActivity": True}
    row = await Activity.get(user__email="ada@example.com")
    assert (row.path, row.search) == ("/book/intro", "tuesday")
    assert row.ip_prefix == "127.0.0.0/24"  # the test client connects from 127.0.0.1


# --- restriction (Art. 18) and objection (Art. 21) ----------------------------------------------


async def complete_request(gql, sign_up, token: str, kind: str) -> None:
    await sign_up(email="dpo@example.com", name="Dana Protection")
    await User.filter(email="dpo@example.com").update(role="admin")
    admin = (
        await gql(
            """mutation { logIn(email: "dpo@example.com", password: "correct horse battery")
            { token } }"""
        )
    ).ok()["logIn"]["token"]
    rid = (await gql(SUBMIT, {"k": kind}, token=token)).ok()["submitPrivacyRequest"]["id"]
    (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
    # Until it is completed, processing goes on as before.
    assert not (await User.get(email="ada@example.com")).restricted
    (await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Done"}, token=admin)).ok()


async def test_a_completed_restriction_request_stops_activity_recording(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
    assert (await gql(RECORD, {"p": "/before"}, token=token)).ok() == {"recordActivity": True}
    assert await consents.may_market(await User.get(email="ada@example.com"))

    await complete_request(gql, sign_up, token, "RESTRICTION")
    ada = await User.get(email="ada@example.com")
    assert ada.restricted is True
    assert (await gql(RECORD, {"p": "/after", "s": "q"}, token=token)).ok() == {
        "recordActivity": False
    }
    assert [r.path for r in await Activity.filter(user_id=ada.id)] == ["/before"]  # kept, frozen
    assert not await consents.may_market(ada)
    # Consent alone does not lift a restriction.
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    assert (await gql(RECORD, {"p": "/again"}, token=token)).ok() == {"recordActivity": False}
    assert await Activity.filter(user_id=ada.id).count() == 1


async def test_other_completed_requests_do_not_restrict(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
    await complete_request(gql, sign_up, token, "ACCESS")
    assert (await User.get(email="ada@example.com")).restricted is False
    assert (await gql(RECORD, {"p": "/x"}, token=token)).ok() == {"recordActivity": True}


async def test_objecting_to_analytics_deletes_activity_at_once_and_stops_it(gql, sign_up):
    ada, _ = await sign_up(email="ada@example.com", name="Ada")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    for token in (ada, bob):
        (await gql(SET_CONSENT, {"p": "PERFORMANCE_COOKIES", "g": True}, token=token)).ok()
        (await gql(RECORD, {"p": "/one"}, token=token)).ok()
        (await gql(RECORD, {"p": "/two", "s": "s"}, token=token)).ok()
    assert await Activity.all().count() == 4

    assert (await gql(OBJECT, {"o": "ANALYTICS"}, token=ada)).ok() == {"objectToProcessing": True}
    assert await Activity.filter(user__email="ada@example.com").count() == 0
    assert await Activity.filter(user__email="bob@example.com").count() == 2
    assert (await User.get(email="ada@example.com")).objects_to_analytics is True
    assert (await gql(RECORD, {"p": "/three"}, token=ada)).ok() == {"recordActivity": False}
    assert await Activity.filter(user__email="ada@example.com").count() == 0
    # No request was needed, and the consent itself is left as the user set it.
    current = (await gql(CONSENTS, token=ada)).ok()["consents"]
    assert {c["purpose"]: c["granted"] for c in current} == {"PERFORMANCE_COOKIES": True}
    assert (await gql(RECORD, {"p": "/bob"}, token=bob)).ok() == {"recordActivity": True}


async def test_objecting_to_marketing_withdraws_marketing_consent(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
    assert await consents.may_market(await User.get(email="ada@example.com"))

    assert (await gql(OBJECT, {"o": "MARKETING"}, token=token)).ok() == {"objectToProcessing": True}
    current = {c["purpose"]: c["granted"] for c in (await gql(CONSENTS, token=token)).ok()[
        "consents"
    ]}  # fmt: skip
    assert current["MARKETING"] is False
    history = (await gql(HISTORY, token=token)).ok()["consentHistory"]
    assert [(h["purpose"], h["granted"]) for h in history] == [
        ("MARKETING", True),
        ("MARKETING", False),
    ]
    ada = await User.get(email="ada@example.com")
    assert ada.objects_to_marketing is True
    assert not await consents.may_market(ada)
    # The objection outlasts a later click on a marketing checkbox.
    (await gql(SET_CONSENT, {"p": "MARKETING", "g": True}, token=token)).ok()
    assert not await consents.may_market(await User.get(email="ada@example.com"))


async def test_objecting_to_marketing_without_prior_consent_records_a_refusal(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    (await gql(OBJECT, {"o": "MARKETING"}, token=token)).ok()
    assert (await gql(CONSENTS, token=token)).ok()["consents"][0]["granted"] is False


async def test_objection_needs_sign_in_and_a_known_processing(gql, sign_up):
    assert (await gql(OBJECT, {"o": "ANALYTICS"})).codes == ["UNAUTHENTICATED"]
    token, _ = await sign_up(email="ada@example.com", name="Ada")
    assert (await gql(OBJECT, {"o": "PROFILING"}, token=token)).codes == ["BAD_USER_INPUT"]
    ada = await User.get(email="ada@example.com")
    assert not ada.objects_to_analytics and not ada.objects_to_marketing


# --- withdrawing calendar access ----------------------------------------------------------------


async def test_withdrawing_calendar_access_deletes_calendars_and_frees_their_busy_time(
    gql, sign_up
):
    host_token, _ = await sign_up(email="host@example.com", name="Hanna Host")
    await sign_up(email="other@example.com", name="Otto Other")
    rules = [{"weekday": "MONDAY", "start": "09:00", "end": "17:00"}]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=host_token)).ok()
    type_id = (
        await gql(
            CREATE_TYPE,
            {"i": {"title": "Intro", "slug": "intro", "durationMinutes": 30}},
            token=host_token,
        )
    ).ok()["createEventType"]["id"]
    host = await User.get(email="host@example.com")
    other = await User.get(email="other@example.com")
    (await gql(SET_CONSENT, {"p": "CALENDAR_ACCESS", "g": True}, token=host_token)).ok()

    work = await LinkedCalendar.create(owner=host, name="Work", url_encrypted="x")
    home = await LinkedCalendar.create(owner=host, name="Home", url_encrypted="y")
    theirs = await LinkedCalendar.create(owner=other, name="Theirs", url_encrypted="z")
    ten = MONDAY.replace(hour=10)
    await CalendarBusy.create(
        calendar=work, owner_id=host.id, start=ten, end=ten + timedelta(hours=1)
    )
    await CalendarBusy.create(
        calendar=home, owner_id=host.id, start=ten.replace(hour=14),
        end=ten.replace(hour=15),
    )  # fmt: skip
    await CalendarBusy.create(
        calendar=theirs, owner_id=other.id, start=ten, end=ten.replace(hour=12)
    )

    window = {"id": type_id, "s": MONDAY.isoformat(), "e": (MONDAY + timedelta(days=1)).isoformat()}
    before = [s["start"] for s in (await gql(SLOTS, window)).ok()["availableSlots"]]
    blocked = ["2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00",
               "2030-01-07T14:00:00+00:00", "2030-01-07T14:30:00+00:00"]  # fmt: skip
    assert len(before) == 12 and not set(blocked) & set(before)
    assert len((await gql(CALENDARS, token=host_token)).ok()["calendars"]) == 2

    withdrawn = await gql(SET_CONSENT, {"p": "CALENDAR_ACCESS", "g": False}, token=host_token)
    assert withdrawn.ok()["setConsent"]["granted"] is False

    assert await LinkedCalendar.filter(owner_id=host.id).count() == 0
    assert await CalendarBusy.filter(owner_id=host.id).count() == 0
    assert await LinkedCalendar.filter(owner_id=other.id).count() == 1
    assert await CalendarBusy.filter(owner_id=other.id).count() == 1
    assert (await gql(CALENDARS, token=host_token)).ok() == {"calendars": []}
    after = [s["start"] for s in (await gql(SLOTS, window)).ok()["availableSlots"]]
    assert len(after) == 16 and set(blocked) <= set(after)
    history = (await gql(HISTORY, token=host_token)).ok()["consentHistory"]
    assert [(h["purpose"], h["granted"]) for h in history] == [
        ("CALENDAR_ACCESS", True),
        ("CALENDAR_ACCESS", False),
    ]


async def test_granting_or_withdrawing_other_purposes_keeps_calendars(gql, sign_up):
    token, _ = await sign_up(email="host@example.com", name="Hanna Host")
    host = await User.get(email="host@example.com")
    calendar = await LinkedCalendar.create(owner=host, name="Work", url_encrypted="x")
    await CalendarBusy.create(calendar=calendar, owner_id=host.id, start=MONDAY, end=MONDAY)
    for purpose in ("PERFORMANCE_COOKIES", "FUNCTIONALITY_COOKIES", "MARKETING"):
        (await gql(SET_CONSENT, {"p": purpose, "g": False}, token=token)).ok()
    (await gql(SET_CONSENT, {"p": "CALENDAR_ACCESS", "g": True}, token=token)).ok()
    assert await LinkedCalendar.filter(owner_id=host.id).count() == 1
    assert await CalendarBusy.filter(owner_id=host.id).count() == 1
