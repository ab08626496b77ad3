"""Webhook delivery against a real receiver on 127.0.0.1, over the real database.

The receiver is loopback, so it is reachable only with settings that allow-list 127.0.0.1; the
session settings (no allow-list) show that the SSRF guard holds for deliveries too."""

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from aiohttp import web
from tortoise.transactions import in_transaction

from config import Settings
from domain.errors import BadUserInput
from events.bus import MemoryBus
from events.outbox import Outbox
from events.runner import Job, Runner
from models.user import User
from models.webhook import Webhook, WebhookDelivery
from schema.context import Context
from services import accounts, webhooks
from services.clock import utcnow
from services.outbound import verify_webhook_signature
from tests.conftest import Execute, Result, free_port
from tests.graphql_ops import CREATE_TYPE, WEEKLY

BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id status manageToken } }"""
CANCEL = """mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { id } }"""
REGISTER = """mutation($url: String!) {
  registerWebhook(url: $url) { secret webhook { id url active } } }"""

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
SLOT = "2030-01-07T10:00:00+00:00"


# --- a receiver --------------------------------------------------------------------------------


@dataclass
class Receiver:
    port: int
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # Answered in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    state = Receiver(port=sock.getsockname()[1])

    async def hook(request: web.Request) -> web.Response:
        state.requests.append((dict(request.headers), await request.read()))
        state.paths.append(request.path_qs)
        if state.delay:
            await asyncio.sleep(state.delay)
        status = state.statuses.pop(0) if state.statuses else 200
        if status in (301, 302):
            raise web.HTTPFound("/elsewhere")
        return web.Response(status=status, text="ok" if status < 400 else "no")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hook)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    yield state
    await runner.cleanup()


@pytest.fixture
def allowed(settings: Settings) -> Settings:
    """Settings under which the loopback receiver may be called."""
    return dataclasses.replace(settings, calendar_allowed_hosts=("127.0.0.1",))


@pytest.fixture
def gql_allowed(gql: Execute, schema: Any, allowed: Settings) -> Execute:
    """Like `gql`, with the allow-listed settings in the Context (as the server would have)."""

    async def execute(
        query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Result:
        context = Context(settings=allowed)
        if token:
            context.user = await accounts.authenticate(token)
            context.token = token if context.user else None
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return Result(result.data, [e.formatted for e in result.errors or []])

    return execute


@pytest.fixture
async def host(gql: Execute, sign_up: Any) -> tuple[str, User, str]:
    """(token, user row, event type id) of a host working 9-5 UTC on weekdays."""
    token, user = await sign_up(email="host@example.com", name="Hanna Host")
    rules = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=token)).ok()
    created = await gql(
        CREATE_TYPE,
        {"i": {"title": "Intro call", "slug": "intro", "durationMinutes": 30}},
        token=token,
    )
    return token, await User.get(id=int(user["id"])), created.ok()["createEventType"]["id"]


async def book(gql: Execute, type_id: str, start: str = SLOT, name: str = "Ivy") -> Result:
    variables = {
        "i": {"eventTypeId": type_id, "start": start, "name": name, "email": "ivy@example.com"}
    }
    return await gql(BOOK, variables)


async def hook_for(user: User, url: str, settings: Settings) -> webhooks.Registered:
    return await webhooks.register(user, url, settings)


async def enqueue_one(user: User, event: str = "PING") -> None:
    async with in_transaction():
        await webhooks.enqueue(user.id, event, {"hello": "world"})


# --- end to end --------------------------------------------------------------------------------


async def test_a_booking_is_delivered_once_and_signed(
    gql: Execute, gql_allowed: Execute, host: Any, receiver: Receiver, allowed: Settings
) -> None:
    token, _, type_id = host
    registered = (await gql_allowed(REGISTER, {"url": receiver.url()}, token=token)).ok()
    secret = registered["registerWebhook"]["secret"]
    booking = (await book(gql, type_id)).ok()["bookMeeting"]

    assert receiver.requests == []  # nothing is sent from the request itself
    assert await webhooks.deliver_due(allowed) == 1
    assert await webhooks.deliver_due(allowed) == 0

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    timestamp = int(headers["X-BookNMeet-Timestamp"])
    signature = headers["X-BookNMeet-Signature"]
    assert signature.startswith("sha256=")
    assert verify_webhook_signature(secret, timestamp, body, signature.removeprefix("sha256="))
    assert not verify_webhook_signature("another secret", timestamp, body, signature[7:])
    assert headers["Content-Type"] == "application/json"
    assert headers["X-BookNMeet-Event"] == "BOOKING_CREATED"
    assert b" " not in body  # compact JSON

    document = json.loads(body)
    delivery = await WebhookDelivery.get()
    assert headers["X-BookNMeet-Delivery"] == str(delivery.id)
    assert document["deliveryId"] == delivery.id
    assert document["event"] == "BOOKING_CREATED"
    assert document["kind"] == "CREATED"
    assert document["occurredAt"]
    assert document["booking"] == {
        "id": int(booking["id"]),
        "start": SLOT,
        "end": "2030-01-07T10:30:00+00:00",
        "status": "CONFIRMED",
        "eventTypeId": int(type_id),
        "attendeeName": "Ivy",
        "attendeeEmail": "ivy@example.com",
    }
    assert secret not in body.decode()

    assert delivery.status == "DELIVERED"
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.claim_token is None and delivery.claimed_until is None


async def test_cancelling_delivers_a_cancel_event(
    gql: Execute, host: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user, type_id = host
    await hook_for(user, receiver.url(), allowed)
    booking = (await book(gql, type_id)).ok()["bookMeeting"]
    (await gql(CANCEL, {"id": booking["id"], "t": booking["manageToken"]})).ok()
    assert await webhooks.deliver_due(allowed) == 2
    events = sorted((b["event"], b["booking"]["status"]) for b in receiver.bodies())
    assert events == [("BOOKING_CANCELLED", "CANCELLED"), ("BOOKING_CREATED", "CONFIRMED")]


async def test_every_active_webhook_of_the_host_gets_one(
    gql: Execute, host: Any, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user, type_id = host
    await hook_for(user, receiver.url("/a"), allowed)
    await hook_for(user, receiver.url("/b"), allowed)
    off = await hook_for(user, receiver.url("/off"), allowed)
    await Webhook.filter(id=off.webhook.id).update(active=False)
    _, other = await sign_up(email="other@example.com", name="Otto Other")
    await hook_for(await User.get(id=int(other["id"])), receiver.url("/other"), allowed)

    (await book(gql, type_id)).ok()
    assert await webhooks.deliver_due(allowed) == 2
    assert sorted(receiver.paths) == ["/a", "/b"]


# --- transactions ------------------------------------------------------------------------------


async def test_a_conflicting_booking_enqueues_nothing(
    gql: Execute, host: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user, type_id = host
    await hook_for(user, receiver.url(), allowed)
    (await book(gql, type_id)).ok()
    assert (await book(gql, type_id, name="Eve")).codes == ["CONFLICT"]
    assert await WebhookDelivery.all().count() == 1
    assert await webhooks.deliver_due(allowed) == 1
    assert [b["booking"]["attendeeName"] for b in receiver.bodies()] == ["Ivy"]


async def test_a_rolled_back_transaction_enqueues_nothing(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await webhooks.enqueue(row.id, "BOOKING_CREATED", {"booking": {"id": 1}})
            assert await WebhookDelivery.all().count() == 1
            raise RuntimeError("the booking failed after its events were written")
    assert await WebhookDelivery.all().count() == 0
    assert await webhooks.deliver_due(allowed) == 0
    assert receiver.requests == []


# --- retries -----------------------------------------------------------------------------------


async def test_a_failed_attempt_is_retried_after_its_backoff(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    receiver.statuses = [500, 200]

    t0 = utcnow()
    assert await webhooks.deliver_due(allowed, now=t0) == 1
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == ("PENDING", 1)
    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
    assert delivery.next_attempt_at == t0 + webhooks.backoff(1)
    assert delivery.claim_token is None and delivery.claimed_until is None

    assert await webhooks.deliver_due(allowed, now=t0 + timedelta(seconds=1)) == 0  # not yet
    assert len(receiver.requests) == 1
    later = t0 + webhooks.backoff(1) + timedelta(seconds=1)
    assert await webhooks.deliver_due(allowed, now=later) == 1

    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("DELIVERED", 2, 200)
    assert delivery.last_error is None
    assert delivery.delivered_at == later
    first, second = receiver.requests
    assert first[1] == second[1]  # the same body, so the receiver can deduplicate
    assert first[0]["X-BookNMeet-Delivery"] == second[0]["X-BookNMeet-Delivery"]


async def test_backoff_grows_and_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert webhooks.backoff(30) == timedelta(hours=1)
    monkeypatch.setattr(webhooks, "BACKOFF_BASE_SECONDS", 0.5)
    assert webhooks.backoff(3) == timedelta(seconds=4)


async def test_gives_up_after_max_attempts(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    receiver.statuses = [503] * 20
    now = utcnow()
    for _ in range(webhooks.MAX_ATTEMPTS + 2):
        await webhooks.deliver_due(allowed, now=now)
        now += timedelta(hours=2)
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == ("FAILED", webhooks.MAX_ATTEMPTS)
    assert delivery.last_status_code == 503
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS


async def test_redirects_are_not_followed(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    receiver.statuses = [302]
    assert await webhooks.deliver_due(allowed) == 1
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == ("PENDING", 1)
    assert delivery.last_error == "redirects are not followed"
    assert [h["X-BookNMeet-Event"] for h, _ in receiver.requests] == ["PING"]


async def test_errors_name_neither_url_nor_secret(
    clean_db: None, sign_up: Any, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    closed = f"http://127.0.0.1:{free_port()}/hooks/tok_abcdef?key=hunter2"
    registered = await hook_for(row, closed, allowed)
    await enqueue_one(row)
    assert await webhooks.deliver_due(allowed) == 1
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("PENDING", 1, None)
    error = delivery.last_error or ""
    assert error.startswith("the endpoint")
    for leak in ("tok_abcdef", "hunter2", "127.0.0.1", "http", registered.secret):
        assert leak not in error


# --- the SSRF guard ----------------------------------------------------------------------------


async def test_loopback_is_never_called_without_the_allow_list(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings, settings: Settings
) -> None:
    assert "127.0.0.1" not in settings.calendar_allowed_hosts
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    with pytest.raises(BadUserInput):
        await hook_for(row, receiver.url(), settings)
    # Registered while allowed (or a name that now resolves to loopback): delivery refuses.
    await hook_for(row, receiver.url("/secret-path"), allowed)
    await enqueue_one(row)
    assert await webhooks.deliver_due(settings) == 1
    assert receiver.requests == []
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == ("FAILED", 1)
    assert delivery.last_error == "refused: the endpoint is not a public address"
    assert await webhooks.deliver_due(allowed, now=utcnow() + timedelta(days=1)) == 0
    assert receiver.requests == []


# --- claims ------------------------------------------------------------------------------------


async def test_concurrent_workers_send_each_delivery_once(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    for path in ("/a", "/b", "/c"):
        await hook_for(row, receiver.url(path), allowed)
    for i in range(4):
        await enqueue_one(row, f"E{i}")
    receiver.delay = 0.05
    tried = await asyncio.gather(*(webhooks.deliver_due(allowed) for _ in range(4)))
    assert sum(tried) == 12
    ids = [h["X-BookNMeet-Delivery"] for h, _ in receiver.requests]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert await WebhookDelivery.filter(status="DELIVERED", attempts=1).count() == 12


async def test_workers_that_read_the_same_candidates_split_them(
    clean_db: None,
    sign_up: Any,
    receiver: Receiver,
    allowed: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worst interleaving, forced: every worker reads the candidates before any claims."""
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    for i in range(5):
        await enqueue_one(row, f"E{i}")
    workers = 3
    barrier = asyncio.Barrier(workers)
    real = webhooks._candidates

    async def in_lockstep(now: Any, limit: int) -> list[int]:
        found = await real(now, limit)
        await barrier.wait()
        return found

    monkeypatch.setattr(webhooks, "_candidates", in_lockstep)
    tried = await asyncio.gather(*(webhooks.deliver_due(allowed) for _ in range(workers)))
    assert sorted(tried) == [0, 0, 5]
    ids = [h["X-BookNMeet-Delivery"] for h, _ in receiver.requests]
    assert len(ids) == 5 and len(set(ids)) == 5


async def test_a_live_claim_is_respected_and_a_stale_one_taken_over(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    now = utcnow()
    await WebhookDelivery.all().update(
        claim_token="someone-else", claimed_until=now + timedelta(seconds=30)
    )
    assert await webhooks.deliver_due(allowed, now=now) == 0
    assert receiver.requests == []
    # That worker died: its claim runs out and another takes the delivery over.
    assert await webhooks.deliver_due(allowed, now=now + timedelta(seconds=31)) == 1
    assert len(receiver.requests) == 1
    assert (await WebhookDelivery.get()).status == "DELIVERED"


async def test_limit_bounds_a_batch(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    for i in range(5):
        await enqueue_one(row, f"E{i}")
    assert await webhooks.deliver_due(allowed, limit=2) == 2
    assert await webhooks.deliver_due(allowed, limit=10) == 3
    assert [h["X-BookNMeet-Event"] for h, _ in receiver.requests] == [f"E{i}" for i in range(5)]


async def test_deleting_a_webhook_drops_its_pending_deliveries(
    clean_db: None, sign_up: Any, receiver: Receiver, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    registered = await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    assert await webhooks.delete(row, registered.webhook.id)
    assert await webhooks.deliver_due(allowed) == 0
    assert receiver.requests == []


async def test_prune_keeps_pending_and_recent(
    clean_db: None, sign_up: Any, allowed: Settings
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, "https://hooks.example.com/x", allowed)
    for _ in range(4):
        await enqueue_one(row)
    first, second, third, fourth = await WebhookDelivery.all().order_by("id")
    old = utcnow() - webhooks.RETENTION - timedelta(days=1)
    await WebhookDelivery.filter(id__in=[first.id, second.id, third.id]).update(created_at=old)
    await WebhookDelivery.filter(id=first.id).update(status="DELIVERED")
    await WebhookDelivery.filter(id=second.id).update(status="FAILED")
    await WebhookDelivery.filter(id=fourth.id).update(status="DELIVERED")
    assert await webhooks.prune() == 2
    assert sorted(await WebhookDelivery.all().values_list("id", flat=True)) == [third.id, fourth.id]


async def test_the_delivery_job_survives_errors_and_delivers(
    clean_db: None,
    sign_up: Any,
    receiver: Receiver,
    allowed: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, user = await sign_up()
    row = await User.get(id=int(user["id"]))
    await hook_for(row, receiver.url(), allowed)
    await enqueue_one(row)
    real = webhooks.deliver_due
    calls = 0
    delivered = asyncio.Event()

    async def flaky(settings: Settings, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database blip")
        tried = await real(settings, **kwargs)
        if tried:
            delivered.set()
        return tried

    monkeypatch.setattr(webhooks, "deliver_due", flaky)
    # As the server runs it: a job of the runner, which survives the job's failures.
    runner = Runner(
        Outbox(MemoryBus()), [Job("webhooks", 0.01, partial(webhooks.deliver_all_due, allowed))]
    )
    runner.start()
    try:
        async with asyncio.timeout(10):
            await delivered.wait()
    finally:
        await runner.stop()
    assert calls >= 2
    assert (await WebhookDelivery.get()).status == "DELIVERED"
