"""privacyInfo shows the transparency register (the seed's until staff publish a version) and the
contact phone; publishPrivacyRegister is staff-only, refused inside seven days' notice like an
early policy, and announced live to every user over a real WebSocket."""

from datetime import UTC, datetime, timedelta

from models.notification import Notification
from models.register import RegisterVersion
from models.user import User
from tests.conftest import live_subscriptions
from tests.subscriptions.test_live import Client, account

INFO = """{ privacyInfo { contactPhone backupRetentionDays registerEffectiveAt
  processors { name purpose location } storageLocations
  internationalTransfers { destination safeguard }
  regulators { name jurisdiction breachReportHours }
  upcomingRegister { effectiveAt processors { name } regulators { name breachReportHours } } } }"""
PUBLISH = """mutation($i: PrivacyRegisterInput!, $at: DateTime!) {
  publishPrivacyRegister(input: $i, effectiveAt: $at) {
    effectiveAt processors { name } storageLocations regulators { name breachReportHours } } }"""
LIVE = "subscription { notifications { kind message } }"
CHANGE = {
    "processors": [
        {"name": "DigitalOcean", "purpose": "Hosting", "location": "United States"},
        {"name": "Mailer Ltd", "purpose": "Sending e-mail", "location": "United Kingdom"},
    ],
    "storageLocations": ["Primarily the United States", "Occasionally other countries"],
    "internationalTransfers": [{"destination": "United Kingdom", "safeguard": "Adequacy"}],
    "regulators": [
        {"key": "ICO", "name": "Information Commissioner's Office",
         "jurisdiction": "United Kingdom", "breachReportHours": 72},
    ],
}  # fmt: skip


async def test_privacy_info_shows_the_seed_register_and_the_contact_phone(server):
    info = (await server.post(INFO)).ok()["privacyInfo"]  # public: no token
    assert info["contactPhone"] == "+1 (345) 517 2377"
    assert info["backupRetentionDays"] == 30
    assert info["registerEffectiveAt"] is None and info["upcomingRegister"] is None
    assert [p["name"] for p in info["processors"]] == ["DigitalOcean"]
    assert info["storageLocations"] == [
        "Primarily the United States",
        "Occasionally other countries",
    ]
    assert info["internationalTransfers"][0]["safeguard"]
    assert info["regulators"] == [
        {
            "name": "Information Commissioner's Office",
            "jurisdiction": "United Kingdom",
            "breachReportHours": 72,
        },
        {"name": "Office of the Ombudsman", "jurisdiction": "Cayman Islands",
         "breachReportHours": 120},
    ]  # fmt: skip


async def test_a_register_change_is_refused_early_and_announced_live_when_published(server):
    admin = await account(server, "staff@example.com")
    await User.filter(email="staff@example.com").update(role="admin")
    member = await account(server, "member@example.com")
    client = await Client.connect(server.ws, "graphql-transport-ws", member)
    await client.subscribe(LIVE)
    await server.until_metric(live_subscriptions("notifications"), 1)
    try:
        soon = (datetime.now(UTC) + timedelta(days=6, hours=23)).isoformat()
        early = await server.post(PUBLISH, {"i": CHANGE, "at": soon}, token=admin)
        assert early.codes == ["BAD_USER_INPUT"]
        assert "7 days" in early.errors[0]["message"]
        assert (await server.post(PUBLISH, {"i": CHANGE, "at": soon}, token=member)).codes == [
            "FORBIDDEN"
        ]
        assert (await server.post(PUBLISH, {"i": CHANGE, "at": soon})).codes == ["UNAUTHENTICATED"]
        empty = {**CHANGE, "storageLocations": []}
        later = (datetime.now(UTC) + timedelta(days=8)).isoformat()
        bad = await server.post(PUBLISH, {"i": empty, "at": later}, token=admin)
        assert bad.codes == ["BAD_USER_INPUT"]
        assert await RegisterVersion.all().count() == 0

        effective = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7, minutes=5)
        variables = {"i": CHANGE, "at": effective.isoformat()}
        published = (await server.post(PUBLISH, variables, token=admin)).ok()
        assert [p["name"] for p in published["publishPrivacyRegister"]["processors"]] == [
            "DigitalOcean",
            "Mailer Ltd",
        ]
        live = (await client.next_data())["notifications"]
        assert live["kind"] == "REGISTER_UPDATE"
        assert effective.strftime("%Y-%m-%d") in live["message"]
    finally:
        await client.close()
    assert await Notification.filter(kind="REGISTER_UPDATE").count() == 2  # admin included

    info = (await server.post(INFO)).ok()["privacyInfo"]
    assert [p["name"] for p in info["processors"]] == ["DigitalOcean"]  # not in force yet
    upcoming = info["upcomingRegister"]
    assert datetime.fromisoformat(upcoming["effectiveAt"]) == effective
    assert [p["name"] for p in upcoming["processors"]] == ["DigitalOcean", "Mailer Ltd"]
    assert upcoming["regulators"] == [
        {"name": "Information Commissioner's Office", "breachReportHours": 72}
    ]
