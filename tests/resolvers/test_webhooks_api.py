"""The webhook API through the schema: registration, listing, deletion, delivery history."""

import json
from typing import Any

import pytest

from config import Settings
from models.user import User
from models.webhook import Webhook, WebhookDelivery
from services import webhooks
from services.clock import utcnow
from tests.conftest import Execute
from tests.services.test_webhooks import (  # noqa: F401 (fixtures)
    Receiver,
    allowed,
    enqueue_one,
    gql_allowed,
    receiver,
)

REGISTER = """mutation($url: String!) {
  registerWebhook(url: $url) { secret webhook { id url active createdAt } } }"""
LIST = "{ webhooks { id url active createdAt } }"
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) }"
DELIVERIES = """query($id: ID!, $first: Int) { webhookDeliveries(webhookId: $id, first: $first) {
  id event status attempts lastStatusCode lastError createdAt deliveredAt nextAttemptAt } }"""


async def register(gql: Execute, token: str, url: str = "https://hooks.example.com/in") -> Any:
    return (await gql(REGISTER, {"url": url}, token=token)).ok()["registerWebhook"]


async def test_register_returns_the_secret_once(gql: Execute, sign_up: Any) -> None:
    token, _ = await sign_up()
    registered = await register(gql, token, "https://Hooks.Example.com/in?x=1#frag")
    secret = registered["secret"]
    assert len(secret) >= 40
    assert registered["webhook"]["url"] == "https://hooks.example.com/in?x=1"
    assert registered["webhook"]["active"] is True

    listed = (await gql(LIST, token=token)).ok()["webhooks"]
    assert listed == [registered["webhook"]]
    assert secret not in json.dumps(listed)
    # The type has no secret field to ask for.
    assert (await gql("{ webhooks { secret } }", token=token)).codes == ["BAD_USER_INPUT"]

    again = await register(gql, token)
    assert again["secret"] != secret
    assert (await Webhook.get(id=int(registered["webhook"]["id"]))).secret == secret


async def test_anonymous_callers_are_refused(gql: Execute) -> None:
    assert (await gql(REGISTER, {"url": "https://hooks.example.com/"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LIST)).codes == ["UNAUTHENTICATED"]
    assert (await gql(DELETE, {"id": "1"})).codes == ["UNAUTHENTICATED"]
    assert (await gql(DELIVERIES, {"id": "1"})).codes == ["UNAUTHENTICATED"]
    assert await Webhook.all().count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "not a url",
        "/relative/hook",
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "http://hooks.example.com/in",  # https required
        "https://user:pw@hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://2130706433/in",
        "https://[::1]/in",
        "https://10.0.0.1/in",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/in",
        "https://api.localhost/in",
        "https://256.0.0.1/in",
        "https://hooks.example.com/" + "x" * 2000,
    ],
)
async def test_bad_urls_are_refused_naming_url(gql: Execute, sign_up: Any, url: str) -> None:
    token, _ = await sign_up()
    result = await gql(REGISTER, {"url": url}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "url"
    assert result.data is None
    assert await Webhook.all().count() == 0


async def test_loopback_http_needs_the_allow_list(
    gql: Execute,
    gql_allowed: Execute,  # noqa: F811
    sign_up: Any,
    receiver: Receiver,  # noqa: F811
) -> None:
    token, _ = await sign_up()
    refused = await gql(REGISTER, {"url": receiver.url()}, token=token)
    assert refused.codes == ["BAD_USER_INPUT"]
    assert refused.errors[0]["extensions"]["field"] == "url"
    assert await Webhook.all().count() == 0
    accepted = await register(gql_allowed, token, receiver.url())
    assert accepted["webhook"]["url"] == receiver.url()
    # The allow-list is per host: another loopback spelling is still refused.
    other = await gql_allowed(
        REGISTER, {"url": f"http://localhost:{receiver.port}/hook"}, token=token
    )
    assert other.codes == ["BAD_USER_INPUT"]


async def test_number_of_webhooks_is_limited(gql: Execute, sign_up: Any) -> None:
    token, _ = await sign_up()
    for i in range(webhooks.MAX_WEBHOOKS_PER_HOST):
        await register(gql, token, f"https://hooks.example.com/{i}")
    result = await gql(REGISTER, {"url": "https://hooks.example.com/more"}, token=token)
    assert result.codes == ["BAD_USER_INPUT"]
    assert await Webhook.all().count() == webhooks.MAX_WEBHOOKS_PER_HOST


async def test_another_hosts_webhooks_are_invisible(gql: Execute, sign_up: Any) -> None:
    alice, _ = await sign_up(email="alice@example.com", name="Alice")
    bob, _ = await sign_up(email="bob@example.com", name="Bob")
    hook = (await register(gql, alice))["webhook"]
    await enqueue_one(await User.get(email="alice@example.com"))

    assert (await gql(LIST, token=bob)).ok()["webhooks"] == []
    assert (await gql(DELETE, {"id": hook["id"]}, token=bob)).codes == ["NOT_FOUND"]
    assert (await gql(DELIVERIES, {"id": hook["id"]}, token=bob)).codes == ["NOT_FOUND"]
    assert await Webhook.filter(id=int(hook["id"])).exists()
    assert await WebhookDelivery.all().count() == 1


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "99999999999", "424242"])
async def test_unknown_ids_are_not_found(gql: Execute, sign_up: Any, bad_id: str) -> None:
    token, _ = await sign_up()
    await register(gql, token)
    assert (await gql(DELETE, {"id": bad_id}, token=token)).codes == ["NOT_FOUND"]
    assert (await gql(DELIVERIES, {"id": bad_id}, token=token)).codes == ["NOT_FOUND"]
    assert await Webhook.all().count() == 1


async def test_delete_removes_the_webhook_and_its_deliveries(gql: Execute, sign_up: Any) -> None:
    token, user = await sign_up()
    hook = (await register(gql, token))["webhook"]
    await enqueue_one(await User.get(id=int(user["id"])))
    assert (await gql(DELETE, {"id": hook["id"]}, token=token)).ok() == {"deleteWebhook": True}
    assert (await gql(LIST, token=token)).ok()["webhooks"] == []
    assert await WebhookDelivery.all().count() == 0
    assert (await gql(DELETE, {"id": hook["id"]}, token=token)).codes == ["NOT_FOUND"]


async def test_delivery_history(
    gql: Execute,
    gql_allowed: Execute,  # noqa: F811
    sign_up: Any,
    receiver: Receiver,  # noqa: F811
    allowed: Settings,  # noqa: F811
) -> None:
    token, user = await sign_up()
    hook = (await register(gql_allowed, token, receiver.url()))["webhook"]
    row = await User.get(id=int(user["id"]))
    await enqueue_one(row, "FIRST")
    receiver.statuses = [500]
    assert await webhooks.deliver_due(allowed) == 1
    await enqueue_one(row, "SECOND")
    assert await webhooks.deliver_due(allowed, now=utcnow()) == 1  # FIRST is not due yet

    history = (await gql(DELIVERIES, {"id": hook["id"]}, token=token)).ok()["webhookDeliveries"]
    second, first = history  # newest first
    assert first["event"] == "FIRST"
    assert (first["status"], first["attempts"]) == ("PENDING", 1)
    assert (first["lastStatusCode"], first["lastError"]) == (500, "HTTP 500")
    assert first["deliveredAt"] is None and first["nextAttemptAt"] is not None
    assert second["event"] == "SECOND"
    assert (second["status"], second["attempts"], second["lastStatusCode"]) == ("DELIVERED", 1, 200)
    assert second["lastError"] is None and second["deliveredAt"] is not None
    assert second["nextAttemptAt"] is None

    one = (await gql(DELIVERIES, {"id": hook["id"], "first": 1}, token=token)).ok()
    assert [d["event"] for d in one["webhookDeliveries"]] == ["SECOND"]
    for first_value in (-1, 101):
        result = await gql(DELIVERIES, {"id": hook["id"], "first": first_value}, token=token)
        assert result.codes == ["BAD_USER_INPUT"]
