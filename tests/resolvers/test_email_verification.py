"""An account holds the bookings made under its address only once a mailed code has proved the
address is the holder's: signing up with someone else's address reads and changes nothing of
theirs."""

import io
import json
import zipfile
from datetime import timedelta

from models.booking import Booking
from models.privacy import MailMessage
from models.user import User
from services.clock import utcnow
from services.email_verification import CODE_VALIDITY, RESEND_INTERVAL
from tests.conftest import PASSWORD, VERIFY_EMAIL, AppServer, mailed_code
from tests.graphql_ops import EXPORT
from tests.resolvers.test_correction_and_erasure import (
    DELETE,
    HOST_BOOKINGS,
    MY_DATA,
    UPDATE_PROFILE,
    at,
    book,
    host_bookings,
    make_host,
)

ME = "{ me { email emailVerified } }"
RESEND = "mutation { resendEmailVerification }"


def bookings_made(my_data: dict) -> list[dict]:
    return my_data["data"].get("bookingsMade", [])


async def test_sign_up_mails_a_code_that_verifies_the_address_once(gql, sign_up):
    token, _ = await sign_up(email="ivy@example.com", verified=False)
    assert (await gql(ME, token=token)).ok()["me"] == {
        "email": "ivy@example.com",
        "emailVerified": False,
    }
    code = await mailed_code("ivy@example.com")
    assert (await gql(VERIFY_EMAIL, {"code": "bnm_v_wrong"})).codes == ["BAD_USER_INPUT"]
    assert (await gql(ME, token=token)).ok()["me"]["emailVerified"] is False
    assert (await gql(VERIFY_EMAIL, {"code": code})).ok() == {"verifyEmail": True}
    assert (await gql(ME, token=token)).ok()["me"]["emailVerified"] is True
    assert (await gql(VERIFY_EMAIL, {"code": code})).codes == ["BAD_USER_INPUT"]  # used up
    assert (await gql(RESEND, token=token)).ok() == {"resendEmailVerification": False}


async def test_a_code_expires_after_two_days(gql, sign_up):
    token, _ = await sign_up(email="ivy@example.com", verified=False)
    code = await mailed_code("ivy@example.com")
    stale = utcnow() - CODE_VALIDITY - timedelta(minutes=1)
    await User.filter(email="ivy@example.com").update(email_code_sent_at=stale)
    assert (await gql(VERIFY_EMAIL, {"code": code})).codes == ["BAD_USER_INPUT"]
    assert (await gql(ME, token=token)).ok()["me"]["emailVerified"] is False


async def test_a_new_code_replaces_the_old_one_at_most_once_a_minute(gql, sign_up):
    token, _ = await sign_up(email="ivy@example.com", verified=False)
    first = await mailed_code("ivy@example.com")
    refused = await gql(RESEND, token=token)
    assert refused.codes == ["RATE_LIMITED"]
    assert refused.errors[0]["extensions"]["retryAfter"] > 0
    earlier = utcnow() - RESEND_INTERVAL - timedelta(seconds=1)
    await User.filter(email="ivy@example.com").update(email_code_sent_at=earlier)
    assert (await gql(RESEND, token=token)).ok() == {"resendEmailVerification": True}
    second = await mailed_code("ivy@example.com")
    assert second != first
    assert (await gql(VERIFY_EMAIL, {"code": first})).codes == ["BAD_USER_INPUT"]
    assert (await gql(VERIFY_EMAIL, {"code": second})).ok() == {"verifyEmail": True}
    assert (await gql(RESEND)).codes == ["UNAUTHENTICATED"]


async def test_someone_signing_up_with_an_invitees_address_gets_none_of_their_bookings(
    gql, sign_up
):
    host, type_id = await make_host(gql, sign_up, "anna@example.com", "Anna", "anna")
    await book(gql, type_id, at("10:00"), "Ivy Invitee", "ivy@example.com", notes="private")
    await book(gql, type_id, at("11:00"), "Ivy Invitee", "ivy@example.com")
    mallory, _ = await sign_up(email="ivy@example.com", name="Mallory", verified=False)

    seen = json.dumps((await gql(MY_DATA, token=mallory)).ok())
    assert "private" not in seen and "Ivy Invitee" not in seen
    assert "bnm_v_" not in seen  # nor the code that would verify the address
    # A "correction" does not reach the host's records of Ivy...
    (await gql(UPDATE_PROFILE, {"i": {"name": "Mallory Renamed"}}, token=mallory)).ok()
    assert {b["attendeeName"] for b in await host_bookings(gql, host)} == {"Ivy Invitee"}
    # ...and deleting the account neither cancels nor anonymises Ivy's bookings.
    (await gql(DELETE, {"p": PASSWORD}, token=mallory)).ok()
    rows = await Booking.filter(attendee_email="ivy@example.com").values_list("status", "notes")
    assert sorted(rows, key=str) == [("CONFIRMED", "private"), ("CONFIRMED", None)]
    # Their check went too; the booking mail sent to Ivy is Ivy's, not theirs, and stays.
    assert not await MailMessage.filter(to="ivy@example.com", kind="VERIFY_EMAIL").exists()
    assert await MailMessage.filter(to="ivy@example.com", kind="BOOKING_CREATED").count() == 2


async def test_once_verified_the_address_brings_its_bookings(gql, sign_up, app_server):
    _, type_id = await make_host(gql, sign_up, "anna@example.com", "Anna", "anna")
    await book(gql, type_id, at("10:00"), "Ivy", "ivy@example.com")
    ivy, _ = await sign_up(email="ivy@example.com", name="Ivy", verified=False)
    assert bookings_made((await gql(MY_DATA, token=ivy)).ok()["myData"]) == []
    url = (await gql(EXPORT, token=ivy)).ok()["requestDataExport"]
    assert b"BEGIN:VEVENT" not in await exported_calendar(app_server, url)

    assert (await gql(VERIFY_EMAIL, {"code": await mailed_code("ivy@example.com")})).ok()
    made = bookings_made((await gql(MY_DATA, token=ivy)).ok()["myData"])
    assert [b["attendee_email"] for b in made] == ["ivy@example.com"]
    url = (await gql(EXPORT, token=ivy)).ok()["requestDataExport"]
    assert (await exported_calendar(app_server, url)).count(b"BEGIN:VEVENT") == 1


async def exported_calendar(server: AppServer, path: str) -> bytes:
    archive = (await server.get(path)).content
    return zipfile.ZipFile(io.BytesIO(archive)).read("bookings.ics")


async def test_a_new_address_must_be_verified_again(gql, sign_up):
    host, type_id = await make_host(gql, sign_up, "anna@example.com", "Anna", "anna")
    await book(gql, type_id, at("10:00"), "Ivy", "ivy@example.com")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    (await gql(UPDATE_PROFILE, {"i": {"email": "ivy@example.com"}}, token=bob)).ok()
    assert (await gql(ME, token=bob)).ok()["me"] == {
        "email": "ivy@example.com",
        "emailVerified": False,
    }
    assert bookings_made((await gql(MY_DATA, token=bob)).ok()["myData"]) == []
    (await gql(UPDATE_PROFILE, {"i": {"name": "Not Ivy"}}, token=bob)).ok()
    edges = (await gql(HOST_BOOKINGS, token=host)).ok()["bookings"]["edges"]
    assert [e["node"]["attendeeName"] for e in edges] == ["Ivy"]
    code = await mailed_code("ivy@example.com")
    assert (await gql(VERIFY_EMAIL, {"code": code})).ok() == {"verifyEmail": True}
    assert len(bookings_made((await gql(MY_DATA, token=bob)).ok()["myData"])) == 1
