"""Registry completeness: every declared personal field reaches `myData`, and after
`deleteAccount` none of it can be found — by any query, in any table, or in the SQLite file."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise, connections, fields

from models.booking import Booking
from models.calendar import CalendarBusy, CalendarFeed, LinkedCalendar
from models.event_type import EventType
from models.governance import (
    AuditEntry,
    Breach,
    BreachContact,
    BreachVictim,
    Disclosure,
    Inquiry,
    InquiryReply,
    PolicyAcceptance,
    PolicyVersion,
    RetentionSetting,
)
from models.notification import Notification
from models.personal_data import OWNERS, REGISTRY, unowned_models
from models.privacy import Activity, Consent, ConsentEvent, MailMessage, PrivacyRequest
from models.schedule import DateOverride, Schedule
from models.user import User
from models.webhook import Webhook, WebhookDelivery
from tests.conftest import BACKEND, PASSWORD
from tests.graphql_ops import MY_DATA

SUBJECT_EMAIL = "subject-mk7f3a@example.com"
TEXT = (fields.CharField, fields.TextField)
# Needed to sign in, or to find the rows owned by e-mail: checked as SUBJECT_EMAIL instead.
AUTH_SECRETS = {("User", "password_hash"), ("AuthToken", "token_hash"), ("User", "email")}


async def build_world(sign_up) -> tuple[str, User, str, User]:
    """The subject holds a row in every model; a second host holds the subject's bookings."""
    token, _ = await sign_up(email=SUBJECT_EMAIL, name="Subject")
    other_token, _ = await sign_up(email="other-host@example.com", name="Other Host")
    subject = await User.get(email=SUBJECT_EMAIL)
    other = await User.get(email="other-host@example.com")
    now = datetime.now(UTC).replace(microsecond=0)

    own_type = await EventType.create(host=subject, title="T", slug="t", duration_minutes=30)
    other_type = await EventType.create(host=other, title="O", slug="o", duration_minutes=30)
    await Schedule.create(host=subject, weekly_rules=[])
    await DateOverride.create(host=subject, date=now.date(), intervals=[])

    def booking(event_type, host, start, **extra):
        values = {"attendee_name": "x", "attendee_email": "carl@example.com", **extra}
        return Booking.create(
            event_type=event_type, host=host, start=start, end=start + timedelta(minutes=30),
            busy_start=start, busy_end=start + timedelta(minutes=30), **values,
        )  # fmt: skip

    await booking(own_type, subject, now + timedelta(days=3))
    past = now - timedelta(days=3)
    await booking(other_type, other, past, attendee_email=SUBJECT_EMAIL)
    await booking(other_type, other, past + timedelta(hours=2), booker=subject)
    await booking(other_type, other, now + timedelta(days=5), attendee_email=SUBJECT_EMAIL)
    await Notification.create(user=subject, kind="K", message="m")
    webhook = await Webhook.create(host=subject, url="https://hooks.example.com/x", secret="s")
    await WebhookDelivery.create(webhook=webhook, event="E", payload={}, next_attempt_at=now)
    calendar = await LinkedCalendar.create(owner=subject, name="n", url_encrypted="e")
    await CalendarBusy.create(calendar=calendar, owner_id=subject.id, start=now, end=now)
    await CalendarFeed.create(owner=subject, token_hash="f" * 64)
    await Consent.create(user=subject, purpose="MARKETING", granted=True)
    await ConsentEvent.create(user=subject, purpose="MARKETING", granted=True)
    await PrivacyRequest.create(user=subject, kind="ACCESS", due_at=now)
    await PrivacyRequest.create(email=SUBJECT_EMAIL, kind="ERASURE", due_at=now)
    await Activity.create(user=subject, path="/p")
    await MailMessage.create(to=SUBJECT_EMAIL, subject="s", body="b")
    await AuditEntry.create(actor=other, subject=subject, action="WARN_USER", reason="r")
    await RetentionSetting.create(user=subject, category="notification", days=30)
    policy = await PolicyVersion.create(version="1", text="t", effective_at=now, published_at=now)
    await PolicyAcceptance.create(user=subject, policy=policy, version="1")
    breach = await Breach.create(
        description="d", risk="HIGH", detected_at=now, report_due_at=now + timedelta(hours=72)
    )
    await BreachVictim.create(breach=breach, user=subject, notified_at=now)
    await BreachContact.create(breach=breach, email=SUBJECT_EMAIL, notified_at=now)
    for about in ({"subject": subject}, {"email": SUBJECT_EMAIL}):
        await Disclosure.create(reason="ENFORCEMENT", recipient="Police", legal_basis="Order 1",
                                data="d", disclosed_at=now, **about)  # fmt: skip
    signed_in = await Inquiry.create(user=subject, email="x@example.com", subject="s", message="m")
    by_email = await Inquiry.create(email=SUBJECT_EMAIL, subject="s", message="m")
    await InquiryReply.create(inquiry=signed_in, author=other, body="b")
    await InquiryReply.create(inquiry=by_email, body="b")
    return token, subject, other_token, other


async def mark_every_field(subject: User) -> dict[str, bool]:
    """A unique marker in every text/JSON personal field of the subject's rows; marker → secret."""
    markers: dict[str, bool] = {}
    models = dict(Tortoise.apps["models"])
    for name, owners in OWNERS.items():
        model = models[name]
        for owner in owners:
            for field, policy in REGISTRY[name].items():
                column = model._meta.fields_map[field]
                if policy is None or (name, field) in AUTH_SECRETS or field == owner.field:
                    continue
                if not isinstance(column, (*TEXT, fields.JSONField)):
                    continue
                query = model.filter(
                    **{owner.field: subject.email if owner.by_email else subject.id}
                )
                for pk in await query.values_list("id", flat=True):  # one each: some are unique
                    marker = f"mk{len(markers):03d}q"  # short: some columns are narrow
                    value = {"m": marker} if isinstance(column, fields.JSONField) else marker
                    await model.filter(id=pk).update(**{field: value})
                    markers[marker] = policy.secret
    return markers


def read_elsewhere(path: Path) -> bytes:
    """The file's bytes, read by another process. Closing any descriptor of a database file
    drops every POSIX lock this process holds on it (SQLite's documented pitfall), after which
    the live server and this process stop seeing each other's writes."""
    if not path.exists():
        return b""
    read = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run(
        [sys.executable, "-c", read, str(path)], capture_output=True, check=True
    ).stdout


async def dump_all_tables() -> str:
    connection = connections.get("default")
    rows = []
    for model in Tortoise.apps["models"].values():
        table = model._meta.db_table
        rows += await connection.execute_query_dict(f"SELECT * FROM {table}")
    return json.dumps(rows, default=str)


def test_every_model_with_personal_data_has_an_owner(database):
    assert unowned_models(list(Tortoise.apps["models"].values())) == []


async def test_my_data_holds_every_field_and_erasure_leaves_nothing(gql, sign_up, settings):
    token, subject, other_token, _ = await build_world(sign_up)
    markers = await mark_every_field(subject)
    assert len(markers) > 30  # the world really covers the registry

    exported = json.dumps((await gql(MY_DATA, token=token)).ok()["myData"])
    for marker, secret in markers.items():
        assert (marker in exported) != secret, f"{marker}: secret={secret}"
    assert (await User.get(id=subject.id)).password_hash not in exported
    data = json.loads(exported)
    assert set(data["categories"]) == {
        "account", "contact", "calendar", "booking", "technical",
        "website", "clients", "inquiry", "company", "notification", "disclosure",
    }  # fmt: skip
    assert data["data"]["linkedCalendars"][0]["url"] == "linked"

    password_hash = (await User.get(id=subject.id)).password_hash
    erased = await gql("mutation($p: String!) { deleteAccount(password: $p) }", {"p": PASSWORD},
                       token=token)  # fmt: skip
    assert erased.ok() == {"deleteAccount": True}

    assert (await gql("{ me { id } }", token=token)).ok() == {"me": None}
    login = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
    assert (await gql(login, {"e": SUBJECT_EMAIL, "p": PASSWORD})).codes == ["UNAUTHENTICATED"]

    host_view = json.dumps([
        (await gql(q, token=other_token)).ok()
        for q in (
            "{ bookings(first: 50) { edges { node { attendeeName attendeeEmail notes } } } }",
            "{ clients { edges { node { name email } } } }",
            "{ notifications { edges { node { message } } } }",
            MY_DATA,
        )
    ])  # fmt: skip
    everything = await dump_all_tables()
    for marker in [*markers, SUBJECT_EMAIL, password_hash]:
        assert marker not in host_view, marker
        assert marker not in everything, marker
    # The host keeps the past meetings as anonymised busy time; the future one is cancelled.
    statuses = sorted(await Booking.filter(host__email="other-host@example.com")
                      .values_list("status", flat=True))  # fmt: skip
    assert statuses == ["CANCELLED", "CONFIRMED", "CONFIRMED"]

    if BACKEND == "sqlite":  # deleteAccount checkpointed the write-ahead log itself
        path = Path(settings.database_url.removeprefix("sqlite://"))
        raw = read_elsewhere(path) + read_elsewhere(Path(f"{path}-wal"))
        for marker in [*markers, SUBJECT_EMAIL]:
            assert marker.encode() not in raw, f"{marker} lingers in the SQLite file"
