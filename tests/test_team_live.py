"""Teams against real uvicorn servers: the invitation through a real SMTP server, storms of
concurrent bookings of ROUND_ROBIN and COLLECTIVE event types (one worker, and two on
PostgreSQL), and every host of a COLLECTIVE booking hearing of it on bookingEvents."""

import asyncio
import re

import httpx
import pytest

from models.booking_host import BookingHost
from models.team import TeamMember
from tests.conftest import (
    BACKEND,
    PASSWORD,
    SIGN_UP,
    live_subscriptions,
    start_server,
    wait_until,
)
from tests.graphql_ops import CREATE_TYPE, LOG_IN
from tests.subscriptions.test_live import EVENTS, Client
from tests.teams_helpers import (
    ACCEPT,
    BOOK,
    CREATE_TEAM,
    CREATE_TEAM_TYPE,
    INVITE,
    NINE_TO_FIVE,
    WEEKLY,
    at,
    booking,
)

TYPE = {"title": "Support call", "slug": "support", "durationMinutes": 30}


async def person(server, name: str) -> tuple[str, str]:
    """A verified account working 09:00-17:00 UTC every day: (token, user id)."""
    address = f"{name.lower()}@example.com"
    variables = {"input": {"email": address, "password": PASSWORD, "name": name}}
    signed = (await server.post(SIGN_UP, variables)).ok()["signUp"]
    await server.verify_email(address)
    (await server.post(WEEKLY, {"tz": "UTC", "rules": NINE_TO_FIVE}, signed["token"])).ok()
    return signed["token"], signed["user"]["id"]


async def team_type(server, assignment: str, hosts: int) -> tuple[str, list[tuple[str, str]]]:
    """A team event type of `hosts` members (they join directly: invitations are tested
    below); its id and the members' (token, id)."""
    owner, _ = await person(server, "Olga")
    created = (await server.post(CREATE_TEAM, {"n": "Support", "s": "support"}, owner)).ok()
    team_id = created["createTeam"]["id"]
    members = [await person(server, f"Host{i}") for i in range(hosts)]
    for _, user_id in members:
        await TeamMember.create(team_id=int(team_id), user_id=int(user_id))
    variables = {"t": team_id, "i": TYPE, "a": assignment, "h": [m[1] for m in members]}
    made = (await server.post(CREATE_TEAM_TYPE, variables, owner)).ok()
    return made["createTeamEventType"]["id"], members


async def storm(urls: list[str], type_id: str, start: str, n: int) -> list[dict]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(i: int) -> dict:
            body = {"query": BOOK, "variables": booking(type_id, start, i)}
            return (await client.post(urls[i % len(urls)], json=body)).json()

        return await asyncio.gather(*(one(i) for i in range(n)))


def outcome(results: list[dict]) -> tuple[list[str], list[str]]:
    """The host names of the bookings made, and the error codes of the others."""
    hosts = [
        h["name"]
        for r in results
        if r.get("data") and r["data"].get("bookMeeting")
        for h in r["data"]["bookMeeting"]["hosts"]
    ]
    codes = [e["extensions"]["code"] for r in results for e in r.get("errors") or []]
    return hosts, codes


async def double_bookings() -> int:
    """Pairs of active busy rows of one host that overlap (outside a seat group)."""
    rows = await BookingHost.filter(active=True).values_list(
        "host_id", "busy_start", "busy_end", "booking_id"
    )
    return sum(
        1
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
    )


async def test_an_invitation_goes_by_real_email_and_joins_only_its_account(
    clean_db, settings, tmp_path, smtp
):
    env = {"MAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "MAIL_POLL_SECONDS": "0.1"}
    server = start_server(settings, tmp_path, env=env)
    try:
        owner, _ = await person(server, "Olga")
        ann, _ = await person(server, "Ann")
        ben, _ = await person(server, "Ben")
        created = (await server.post(CREATE_TEAM, {"n": "Support", "s": "support"}, owner)).ok()
        team_id = created["createTeam"]["id"]
        invited = {"t": team_id, "e": "ann@example.com", "r": "MEMBER"}
        (await server.post(INVITE, invited, owner)).ok()

        def invitation() -> list:
            return [r for r in smtp.to("ann@example.com") if "invites you" in r.message["Subject"]]

        [message] = await wait_until(invitation, within=30)
        token = re.search(r"token=(\S+)", message.text()).group(1)
        assert (await server.post(ACCEPT, {"k": token}, ben)).codes == ["FORBIDDEN"]
        assert (await server.post(ACCEPT, {"k": token + "x"}, ann)).codes == ["BAD_USER_INPUT"]
        joined = (await server.post(ACCEPT, {"k": token}, ann)).ok()["acceptTeamInvite"]
        assert [m["name"] for m in joined["members"]] == ["Olga", "Ann"]
        assert (await server.post(ACCEPT, {"k": token}, ann)).codes == ["BAD_USER_INPUT"]
    finally:
        server.stop()


async def test_a_storm_on_one_round_robin_start_books_each_of_three_hosts_once(server):
    type_id, _ = await team_type(server, "ROUND_ROBIN", hosts=3)
    hosts, codes = outcome(await storm([server.graphql], type_id, at(10), 15))
    assert sorted(hosts) == ["Host0", "Host1", "Host2"]
    assert codes == ["CONFLICT"] * 12
    assert await double_bookings() == 0


async def test_a_storm_on_one_collective_start_books_it_once(server):
    type_id, _ = await team_type(server, "COLLECTIVE", hosts=3)
    hosts, codes = outcome(await storm([server.graphql], type_id, at(10), 15))
    assert sorted(hosts) == ["Host0", "Host1", "Host2"]  # one booking, all three hosts
    assert codes == ["CONFLICT"] * 14
    assert await double_bookings() == 0


@pytest.mark.skipif(BACKEND != "postgres", reason="several server processes share PostgreSQL")
async def test_storms_through_two_workers_never_double_book_a_host(server, settings, tmp_path):
    second = start_server(settings, tmp_path)
    try:
        urls = [server.graphql, second.graphql]
        round_robin, members = await team_type(server, "ROUND_ROBIN", hosts=3)
        hosts, codes = outcome(await storm(urls, round_robin, at(10), 15))
        assert (sorted(hosts), codes) == (["Host0", "Host1", "Host2"], ["CONFLICT"] * 12)
        # A COLLECTIVE type over the same people, storming the same and the next start.
        owner_token = (await server.post(LOG_IN, {"e": "olga@example.com", "p": PASSWORD})).ok()
        variables = {
            "t": str((await TeamMember.first()).team_id),
            "i": {**TYPE, "slug": "panel"},
            "a": "COLLECTIVE",
            "h": [m[1] for m in members],
        }
        made = await server.post(CREATE_TEAM_TYPE, variables, owner_token["logIn"]["token"])
        collective = made.ok()["createTeamEventType"]["id"]
        taken, codes = outcome(await storm(urls, collective, at(10), 15))
        assert (taken, codes) == ([], ["CONFLICT"] * 15)
        hosts, codes = outcome(await storm(urls, collective, at(11), 15))
        assert (len(hosts), codes) == (3, ["CONFLICT"] * 14)
    finally:
        second.stop()
    assert await double_bookings() == 0


async def test_every_host_of_a_collective_booking_hears_of_it_on_booking_events(server):
    type_id, members = await team_type(server, "COLLECTIVE", hosts=2)
    clients = [await Client.connect(server.ws, "graphql-transport-ws", t) for t, _ in members]
    try:
        for client in clients:
            await client.subscribe(EVENTS)
        await server.until_metric(live_subscriptions("bookingEvents"), 2)
        booked = (await server.post(BOOK, booking(type_id, at(10), 1))).ok()["bookMeeting"]
        for client in clients:
            event = (await client.next_data())["bookingEvents"]
            assert (event["kind"], event["booking"]["id"]) == ("CREATED", booked["id"])
            assert event["booking"]["eventType"]["host"] == {"name": "Support"}
    finally:
        for client in clients:
            await client.close()


async def test_a_hosts_own_booking_tells_the_team_event_types_page_its_slots_changed(server):
    type_id, members = await team_type(server, "ROUND_ROBIN", hosts=2)
    token = members[1][0]
    own = {"i": {"title": "Own", "slug": "own", "durationMinutes": 30}}
    own_id = (await server.post(CREATE_TYPE, own, token)).ok()["createEventType"]["id"]
    client = await Client.connect(server.ws, "graphql-transport-ws")
    try:
        await client.subscribe(
            "subscription($id: ID!) { availabilityChanged(eventTypeId: $id) { eventTypeId } }",
            {"id": type_id},
        )
        await server.until_metric(live_subscriptions("availabilityChanged"), 1)
        (await server.post(BOOK, booking(own_id, at(10), 1))).ok()
        change = (await client.next_data())["availabilityChanged"]
    finally:
        await client.close()
    assert change == {"eventTypeId": type_id}
