"""Erasure reaches the copies of a person's details that payloads hold: webhook deliveries kept for
the host to inspect (30 days) and outbox events not yet published (a bus outage), on every path —
`deleteAccount`, `eraseClientData` and an invitee's confirmed erasure request."""

import json
from datetime import datetime

import pytest
from tortoise import fields

from events.messages import (
    BookingChanged,
    booking_channel,
    encode,
    notification_channel,
    snapshot,
)
from models.booking import Booking
from models.event_type import EventType
from models.notification import OutboxEvent
from models.user import User
from models.webhook import WebhookDelivery
from services import bookings, personal_data, webhooks
from tests.conftest import PASSWORD, mailed_code
from tests.resolvers.test_correction_and_erasure import (
    DELETE,
    ERASE_CLIENT,
    UPDATE_PROFILE,
    at,
    book,
    make_host,
)
from tests.resolvers.test_privacy_requests import CONFIRM, INVITEE, UPDATE, make_admin

REGISTER = """mutation($url: String!) { registerWebhook(url: $url) { webhook { id } } }"""

NAME = "Carl Qz12name"
EMAIL = "carl.qz12mail@example.com"
CORRECTED = "Carl Qz12fixed"
NOTES = "qz12 knee trouble"
TEXT = (fields.CharField, fields.TextField)
PATHS = ["deleteAccount", "eraseClientData", "invitee"]


@pytest.fixture
async def anna(gql, sign_up) -> tuple[str, str]:
    """A host with a webhook; Eve, who is never erased, booked her too."""
    token, type_id = await make_host(gql, sign_up, "anna@example.com", "Anna", "anna")
    url = "https://hooks.example.com/in"
    (await gql(REGISTER, {"url": url}, token=token)).ok()
    await book(gql, type_id, at("12:00"), "Eve Else", "eve@example.com", notes="eve's note")
    return token, type_id


async def carry_out(gql, sign_up, path: str, anna_token: str, carl_token: str | None) -> None:
    if path == "deleteAccount":
        (await gql(DELETE, {"p": PASSWORD}, token=carl_token)).ok()
    elif path == "eraseClientData":
        assert (await gql(ERASE_CLIENT, {"e": EMAIL}, token=anna_token)).ok()["eraseClientData"]
    else:
        admin = await make_admin(sign_up)
        (await gql(INVITEE, {"e": EMAIL, "k": "ERASURE"})).ok()
        code = await mailed_code(EMAIL)
        rid = (await gql(CONFIRM, {"t": code})).ok()["confirmPrivacyRequest"]["id"]
        (await gql(UPDATE, {"id": rid, "s": "IN_PROGRESS"}, token=admin)).ok()
        (await gql(UPDATE, {"id": rid, "s": "COMPLETED", "r": "Erased"}, token=admin)).ok()


def payloads(rows: list[WebhookDelivery] | list[OutboxEvent]) -> str:
    return json.dumps([row.payload for row in rows], ensure_ascii=False)


@pytest.mark.parametrize("path", PATHS)
async def test_erasure_redacts_the_webhook_deliveries_that_name_the_person(
    gql, sign_up, anna, path
):
    anna_token, type_id = anna
    carl_token = None
    if path != "invitee":  # an invitee has no account (and so no correction)
        carl_token, _ = await sign_up(email=EMAIL, name=NAME)
    first = await book(gql, type_id, at("10:00", "2030-01-07"), NAME, EMAIL, token=carl_token,
                      notes=NOTES)  # fmt: skip
    await book(gql, type_id, at("11:00", "2030-01-08"), NAME, EMAIL, token=carl_token)
    if carl_token:
        (await gql(UPDATE_PROFILE, {"i": {"name": CORRECTED}}, token=carl_token)).ok()
    before = await WebhookDelivery.all().order_by("id")
    held = payloads(before)
    assert NAME in held and EMAIL in held and "Eve Else" in held
    assert (CORRECTED in held) == (carl_token is not None)  # the PERSON_UPDATED delivery

    await carry_out(gql, sign_up, path, anna_token, carl_token)

    after = await WebhookDelivery.all().order_by("id")
    kept = payloads(after)
    for marker in (NAME, EMAIL, CORRECTED, "qz12"):
        assert marker not in kept, f"{marker} is still in a stored webhook payload"
    # The host keeps her delivery history (redacted), and what concerned others is untouched.
    assert [d.id for d in after][: len(before)] == [d.id for d in before]
    assert "Eve Else" in kept and "eve@example.com" in kept
    redacted = next(d.payload for d in after if d.payload.get("booking", {}).get("id") == int(
        first["id"]))  # fmt: skip
    assert redacted["booking"]["attendeeName"] == "[erased]"
    assert redacted["booking"]["attendeeEmail"] == "[erased]"
    assert redacted["booking"]["start"] == at("10:00", "2030-01-07")


async def commit_unpublished(type_id: str, booker: User | None) -> int:
    """A booking whose outbox rows wait, as they do while the bus is unreachable."""
    event_type = await EventType.get(id=int(type_id))
    start = datetime.fromisoformat(at("10:00", "2030-01-09"))
    request = bookings.BookingRequest(event_type.id, start, NAME, EMAIL, notes=NOTES)
    return (await bookings.book(request, booker)).booking.id


@pytest.mark.parametrize("path", ["erase", "erase_client", "erase_invitee"])
async def test_erasure_redacts_pending_outbox_events_about_the_person(gql, sign_up, anna, path):
    _, type_id = anna
    carl = None
    if path == "erase":
        await sign_up(email=EMAIL, name=NAME)
        carl = await User.get(email=EMAIL)
    booking_id = await commit_unpublished(type_id, carl)
    host = await User.get(email="anna@example.com")
    waiting = await OutboxEvent.filter(channel=booking_channel(host.id))
    assert NAME in payloads(waiting) and NOTES in payloads(waiting)

    if path == "erase":
        assert carl is not None
        await personal_data.erase(carl)
    elif path == "erase_client":
        assert await personal_data.erase_client(host, EMAIL) == 1
    else:
        await personal_data.erase_invitee(EMAIL, request_id=0)

    pending = await OutboxEvent.all().order_by("id")
    for marker in (NAME, EMAIL, NOTES):
        assert marker not in payloads(pending), f"{marker} waits in the outbox"
    created = [
        row.payload for row in pending
        if row.payload.get("kind") == "CREATED" and row.payload["booking"]["id"] == booking_id
    ]  # fmt: skip
    assert len(created) == 1  # still published (the host learns of the booking), redacted
    snapshot = created[0]["booking"]
    assert (snapshot["attendee_name"], snapshot["attendee_email"], snapshot["notes"]) == (
        "[erased]", "[erased]", None,
    )  # fmt: skip
    assert snapshot["start"] == (await Booking.get(id=booking_id)).start.isoformat()
    if carl is not None:  # nothing is left addressed to the erased account
        own = [notification_channel(carl.id), booking_channel(carl.id)]
        assert not await OutboxEvent.filter(channel__in=own).exists()


async def test_the_registry_declares_every_personal_value_the_payloads_copy(database):
    from models.personal_data import COPIES, REGISTRY
    from services.erased_copies import _redacted

    holders = {(copy.holder, copy.field) for copy in COPIES["Booking"]}
    assert holders == {("WebhookDelivery", "payload"), ("OutboxEvent", "payload")}
    outbox = next(copy for copy in COPIES["Booking"] if copy.holder == "OutboxEvent")
    assert outbox.place(7) == booking_channel(7)

    # A booking with a marker in every personal text field, as each payload producer copies it:
    # what the declarations redact leaves no marker behind.
    personal = [f for f, policy in REGISTRY["Booking"].items() if policy is not None]
    texts = [f for f in personal if isinstance(Booking._meta.fields_map[f], TEXT)]
    start = datetime.fromisoformat(at("10:00"))
    booking = Booking(id=5, host_id=1, event_type_id=2, start=start, end=start, busy_start=start,
                      busy_end=start, **{f: f"qz{f}" for f in texts})  # fmt: skip
    erased = {f: None if Booking._meta.fields_map[f].null else "[erased]" for f in texts}
    produced = {
        "WebhookDelivery": webhooks.booking_payload(booking, "CREATED", "now"),
        "OutboxEvent": encode(
            BookingChanged(
                kind="CREATED", booking=snapshot(booking), event_type={}, occurred_at=start
            )
        ),
    }
    for holder, payload in produced.items():
        assert "qz" in json.dumps(payload)
        for copy in COPIES["Booking"]:
            if copy.holder == holder:
                _redacted(payload, copy, {5}, erased)
        assert "qz" not in json.dumps(payload), payload
