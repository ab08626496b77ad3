"""Policy versions: published at least seven days ahead (refused inside, accepted at seven),
announced to every user by a notification that arrives live over a real WebSocket; the current
and upcoming versions are public, acceptance is recorded per user and version."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import BadUserInput
from models.governance import PolicyAcceptance, PolicyVersion
from models.notification import Notification
from models.user import User
from services import policies
from tests.conftest import live_subscriptions
from tests.subscriptions.test_live import Client, account

PUBLISH = """mutation($v: String!, $t: String!, $at: DateTime!) {
  publishPolicy(version: $v, text: $t, effectiveAt: $at) { version text effectiveAt } }"""
POLICIES = """{ currentPolicy { version } upcomingPolicy { version effectiveAt } }"""
ACCEPT = """mutation($v: String!) { acceptPolicy(version: $v) { version acceptedAt } }"""
LIVE = "subscription { notifications { kind message } }"
NOW = datetime(2032, 1, 10, 9, 0, tzinfo=UTC)


async def test_publication_needs_seven_days_notice_exactly(clean_db):
    admin = await User.create(email="a@example.com", name="A", password_hash="x", role="admin")
    with pytest.raises(BadUserInput):
        await policies.publish(
            admin, "v2", "text", NOW + timedelta(days=7) - timedelta(seconds=1), NOW
        )
    assert await PolicyVersion.all().count() == 0
    assert await Notification.all().count() == 0
    policy = await policies.publish(admin, "v2", "text", NOW + timedelta(days=7), NOW)
    assert policy.effective_at == NOW + timedelta(days=7)
    assert (await policies.upcoming(NOW)).version == "v2"
    assert await policies.current(NOW) is None
    assert (await policies.current(NOW + timedelta(days=7))).version == "v2"


async def test_publication_is_pushed_live_to_every_user(server):
    admin = await account(server, "staff@example.com")
    await User.filter(email="staff@example.com").update(role="admin")
    member = await account(server, "member@example.com")
    other = await account(server, "other@example.com")
    clients = [
        await Client.connect(server.ws, "graphql-transport-ws", member),
        await Client.connect(server.ws, "graphql-ws", other),
    ]
    for client in clients:
        await client.subscribe(LIVE)
    await server.until_metric(live_subscriptions("notifications"), 2)
    try:
        soon = (datetime.now(UTC) + timedelta(days=6, hours=23)).isoformat()
        refused = await server.post(PUBLISH, {"v": "2.0", "t": "New", "at": soon}, token=admin)
        assert refused.codes == ["BAD_USER_INPUT"]
        member_try = await server.post(PUBLISH, {"v": "2.0", "t": "x", "at": soon}, token=member)
        assert member_try.codes == ["FORBIDDEN"]

        effective = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7, minutes=5)
        variables = {"v": "2.0", "t": "New terms", "at": effective.isoformat()}
        published = (await server.post(PUBLISH, variables, token=admin)).ok()["publishPolicy"]
        assert published["version"] == "2.0"
        for client in clients:
            live = (await client.next_data())["notifications"]
            assert live["kind"] == "POLICY_UPDATE"
            assert "version 2.0" in live["message"]
    finally:
        for client in clients:
            await client.close()
    assert await Notification.filter(kind="POLICY_UPDATE").count() == 3  # admin included

    shown = (await server.post(POLICIES)).ok()
    assert shown["currentPolicy"] is None
    assert shown["upcomingPolicy"]["version"] == "2.0"

    accepted = (await server.post(ACCEPT, {"v": "2.0"}, token=member)).ok()["acceptPolicy"]
    assert accepted["version"] == "2.0"
    (await server.post(ACCEPT, {"v": "2.0"}, token=member)).ok()  # idempotent
    assert (await server.post(ACCEPT, {"v": "9.9"}, token=member)).codes == ["NOT_FOUND"]
    assert (await server.post(ACCEPT, {"v": "2.0"})).codes == ["UNAUTHENTICATED"]
    assert await PolicyAcceptance.all().count() == 1
    data = (await server.post("{ myData }", token=member)).ok()["myData"]["data"]
    assert [a["version"] for a in data["policyAcceptances"]] == ["2.0"]

    again = await server.post(PUBLISH, variables, token=admin)
    assert again.codes == ["CONFLICT"]
