"""Teams: members, roles and invitations, and the bookings of ROUND_ROBIN and COLLECTIVE event
types (issue #19), through the schema on the test database."""

from collections import Counter
from datetime import timedelta

import pytest

from models.booking import Booking
from models.booking_host import BookingHost
from models.calendar import CalendarBusy, LinkedCalendar
from models.privacy import MailMessage
from models.team import TeamInvitation
from services.clock import utcnow
from tests.conftest import PASSWORD, mailed_code
from tests.graphql_ops import CREATE_TYPE, MY_DATA, VERIFY_EMAIL
from tests.teams_helpers import (
    ACCEPT,
    BOOK,
    CREATE_TEAM,
    CREATE_TEAM_TYPE,
    INVITE,
    NINE_TO_FIVE,
    REMOVE,
    SLOTS,
    TEAMS,
    WEEKLY,
    at,
    booking,
    day,
    invitation_token,
    join,
)

TYPE = {"title": "Support call", "slug": "support", "durationMinutes": 30}


@pytest.fixture
async def people(gql, sign_up):
    """Owner Olga and members Ann, Ben, Cai, each working 09:00-17:00 UTC every day."""
    found = {}
    for name in ("Olga", "Ann", "Ben", "Cai"):
        address = f"{name.lower()}@example.com"
        token, user = await sign_up(email=address, name=name)
        (await gql(WEEKLY, {"tz": "UTC", "rules": NINE_TO_FIVE}, token)).ok()
        found[name] = (token, address, user["id"])
    return found


@pytest.fixture
async def team(gql, people):
    """Olga's team "Support" with Ann, Ben and Cai as members."""
    owner = people["Olga"][0]
    created = (await gql(CREATE_TEAM, {"n": "Support", "s": "support"}, owner)).ok()
    team_id = created["createTeam"]["id"]
    for name in ("Ann", "Ben", "Cai"):
        token, address, _ = people[name]
        await join(gql, owner, team_id, (token, address))
    return team_id


async def team_type(gql, people, team, assignment, hosts=("Ann", "Ben", "Cai"), **extra):
    variables = {
        "t": team,
        "i": {**TYPE, **extra},
        "a": assignment,
        "h": [people[h][2] for h in hosts],
    }
    return (await gql(CREATE_TEAM_TYPE, variables, people["Olga"][0])).ok()["createTeamEventType"]


def host_names(result) -> list[str]:
    return [h["name"] for h in result.ok()["bookMeeting"]["hosts"]]


# --- membership and roles ---


async def test_the_creator_owns_the_team_and_sees_members_emails_members_see_names_only(
    gql, people, team
):
    seen_by_owner = (await gql(TEAMS, token=people["Olga"][0])).ok()["teams"][0]
    assert [(m["name"], m["role"]) for m in seen_by_owner["members"]] == [
        ("Olga", "OWNER"),
        ("Ann", "MEMBER"),
        ("Ben", "MEMBER"),
        ("Cai", "MEMBER"),
    ]
    assert seen_by_owner["members"][1]["email"] == "ann@example.com"
    seen_by_member = (await gql(TEAMS, token=people["Ann"][0])).ok()["teams"][0]
    assert [m["email"] for m in seen_by_member["members"]] == [None] * 4


async def test_a_team_slug_is_unique_and_well_formed(gql, people, team):
    owner = people["Ann"][0]
    taken = await gql(CREATE_TEAM, {"n": "Other", "s": "support"}, owner)
    assert taken.codes == ["CONFLICT"]
    bad = await gql(CREATE_TEAM, {"n": "Other", "s": "No Spaces"}, owner)
    assert bad.codes == ["BAD_USER_INPUT"]


async def test_a_member_may_not_invite_remove_or_create_team_event_types(gql, people, team):
    ann = people["Ann"][0]
    invited = await gql(INVITE, {"t": team, "e": "x@example.com", "r": "MEMBER"}, ann)
    assert invited.codes == ["FORBIDDEN"]
    removed = await gql(REMOVE, {"t": team, "u": people["Ben"][2]}, ann)
    assert removed.codes == ["FORBIDDEN"]
    variables = {"t": team, "i": TYPE, "a": "ROUND_ROBIN", "h": [people["Ann"][2]]}
    assert (await gql(CREATE_TEAM_TYPE, variables, ann)).codes == ["FORBIDDEN"]


async def test_an_admin_invites_and_removes_members_but_not_the_owner(gql, people, sign_up):
    owner = people["Olga"][0]
    team_id = (await gql(CREATE_TEAM, {"n": "T", "s": "tee"}, owner)).ok()["createTeam"]["id"]
    ann, ann_address, _ = people["Ann"]
    await join(gql, owner, team_id, (ann, ann_address), role="ADMIN")
    ben, ben_address, ben_id = people["Ben"]
    await join(gql, ann, team_id, (ben, ben_address))
    assert (await gql(REMOVE, {"t": team_id, "u": ben_id}, ann)).ok() == {"removeTeamMember": True}
    olga_id = people["Olga"][2]
    assert (await gql(REMOVE, {"t": team_id, "u": olga_id}, ann)).codes == ["FORBIDDEN"]


async def test_outsiders_get_not_found_and_the_only_owner_cannot_leave(gql, people, team, sign_up):
    outsider, _ = await sign_up(email="zed@example.com", name="Zed")
    invited = await gql(INVITE, {"t": team, "e": "y@example.com", "r": "MEMBER"}, outsider)
    assert invited.codes == ["NOT_FOUND"]
    assert (await gql(TEAMS, token=outsider)).ok() == {"teams": []}
    olga = people["Olga"]
    assert (await gql(REMOVE, {"t": team, "u": olga[2]}, olga[0])).codes == ["CONFLICT"]
    ann = people["Ann"]
    assert (await gql(REMOVE, {"t": team, "u": ann[2]}, ann[0])).ok() == {"removeTeamMember": True}


# --- invitations ---


async def test_an_invitation_is_mailed_and_joins_the_invited_verified_account_once(
    gql, people, sign_up
):
    owner = people["Olga"][0]
    team_id = (await gql(CREATE_TEAM, {"n": "Sales", "s": "sales"}, owner)).ok()["createTeam"]["id"]
    (await gql(INVITE, {"t": team_id, "e": "New.Person@Example.com", "r": "ADMIN"}, owner)).ok()
    mail = await MailMessage.get(kind="TEAM_INVITATION")
    assert mail.to == "new.person@example.com"
    assert "/teams/accept?token=bnm_t_" in mail.body and "7 days" in mail.body
    key = await invitation_token("new.person@example.com")
    stored = await TeamInvitation.get()
    assert key not in (stored.token_hash, stored.email)  # only the hash is kept
    # The address has no account yet: it signs up; unverified, it cannot accept.
    token, _ = await sign_up(email="new.person@example.com", name="Nia", verified=False)
    assert (await gql(ACCEPT, {"k": key}, token)).codes == ["FORBIDDEN"]
    code = await mailed_code("new.person@example.com")
    (await gql(VERIFY_EMAIL, {"code": code})).ok()
    joined = (await gql(ACCEPT, {"k": key}, token)).ok()["acceptTeamInvite"]
    assert ("Nia", "ADMIN") in [(m["name"], m["role"]) for m in joined["members"]]
    assert (await gql(ACCEPT, {"k": key}, token)).codes == ["BAD_USER_INPUT"]  # used


async def test_a_forged_expired_or_someone_elses_invitation_is_refused(gql, people):
    owner = people["Olga"][0]
    team_id = (await gql(CREATE_TEAM, {"n": "Ops", "s": "ops"}, owner)).ok()["createTeam"]["id"]
    ann, ben = people["Ann"], people["Ben"]
    assert (await gql(ACCEPT, {"k": "bnm_t_forged"}, ann[0])).codes == ["BAD_USER_INPUT"]
    (await gql(INVITE, {"t": team_id, "e": ann[1], "r": "MEMBER"}, owner)).ok()
    key = await invitation_token(ann[1])
    assert (await gql(ACCEPT, {"k": key}, ben[0])).codes == ["FORBIDDEN"]  # the wrong account
    await TeamInvitation.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await gql(ACCEPT, {"k": key}, ann[0])).codes == ["BAD_USER_INPUT"]
    assert len((await gql(TEAMS, token=ann[0])).ok()["teams"]) == 0


# --- team event types ---


async def test_a_team_event_type_is_public_under_the_teams_name_with_its_hosts_by_name(
    gql, people, team
):
    created = await team_type(gql, people, team, "ROUND_ROBIN")
    assert created["assignment"] == "ROUND_ROBIN"
    assert created["host"] == {"name": "Support", "timeZone": "UTC"}
    assert created["hosts"] == [{"name": "Ann"}, {"name": "Ben"}, {"name": "Cai"}]


async def test_a_team_event_type_has_one_seat_and_members_as_hosts(gql, people, team, sign_up):
    variables = {"t": team, "i": {**TYPE, "seatsPerSlot": 3}, "a": "COLLECTIVE"}
    variables["h"] = [people["Ann"][2]]
    assert (await gql(CREATE_TEAM_TYPE, variables, people["Olga"][0])).codes == ["BAD_USER_INPUT"]
    _, outsider = await sign_up(email="zed@example.com", name="Zed")
    variables = {"t": team, "i": TYPE, "a": "COLLECTIVE", "h": [outsider["id"]]}
    assert (await gql(CREATE_TEAM_TYPE, variables, people["Olga"][0])).codes == ["BAD_USER_INPUT"]


# --- ROUND_ROBIN ---


async def test_round_robin_three_bookings_at_one_start_take_three_hosts_and_a_fourth_conflicts(
    gql, people, team
):
    type_id = (await team_type(gql, people, team, "ROUND_ROBIN"))["id"]
    slots = (await gql(SLOTS, {"id": type_id, "s": at(10), "e": at(11)})).ok()["availableSlots"]
    assert slots[0]["seatsLeft"] == 3
    hosts = [host_names(await gql(BOOK, booking(type_id, at(10), n))) for n in range(3)]
    assert sorted(h[0] for h in hosts) == ["Ann", "Ben", "Cai"]
    assert (await gql(BOOK, booking(type_id, at(10), 4))).codes == ["CONFLICT"]
    slots = (await gql(SLOTS, {"id": type_id, "s": at(10), "e": at(11)})).ok()["availableSlots"]
    assert at(10) not in [s["start"] for s in slots]


async def test_round_robin_shares_six_bookings_two_per_host(gql, people, team):
    type_id = (await team_type(gql, people, team, "ROUND_ROBIN"))["id"]
    names = []
    for n in range(6):
        names += host_names(await gql(BOOK, booking(type_id, at(9 + n), n)))
    assert Counter(names) == {"Ann": 2, "Ben": 2, "Cai": 2}
    # The least recently booked goes first among equals: the same order again.
    assert names[:3] == names[3:]


async def test_round_robin_skips_a_host_busy_in_a_linked_calendar(gql, people, team):
    type_id = (await team_type(gql, people, team, "ROUND_ROBIN"))["id"]
    for name in ("Ann", "Ben"):
        owner_id = int(people[name][2])
        calendar = await LinkedCalendar.create(owner_id=owner_id, name="Work", url_encrypted="x")
        await CalendarBusy.create(
            calendar=calendar,
            owner_id=owner_id,
            start=day() + timedelta(hours=10),
            end=day() + timedelta(hours=11),
        )
    slots = (await gql(SLOTS, {"id": type_id, "s": at(10), "e": at(11)})).ok()["availableSlots"]
    assert slots[0] == {"start": at(10), "seatsLeft": 1}
    assert host_names(await gql(BOOK, booking(type_id, at(10), 1))) == ["Cai"]
    assert (await gql(BOOK, booking(type_id, at(10), 2))).codes == ["CONFLICT"]


async def test_a_team_booking_takes_the_hosts_time_from_their_personal_event_types(
    gql, people, team
):
    type_id = (await team_type(gql, people, team, "ROUND_ROBIN", hosts=("Ann",)))["id"]
    personal = {"title": "Own", "slug": "own", "durationMinutes": 60}
    own_id = (await gql(CREATE_TYPE, {"i": personal}, people["Ann"][0])).ok()["createEventType"]
    own_id = own_id["id"]
    (await gql(BOOK, booking(type_id, at(10), 1))).ok()
    slots = (await gql(SLOTS, {"id": own_id, "s": at(9), "e": at(12)})).ok()["availableSlots"]
    assert at(10) not in [s["start"] for s in slots]
    assert (await gql(BOOK, booking(own_id, at(10), 2))).codes == ["CONFLICT"]
    # And the other way round: her own booking keeps the team's slot from her.
    (await gql(BOOK, booking(own_id, at(14), 3))).ok()
    assert (await gql(BOOK, booking(type_id, at(14), 4))).codes == ["CONFLICT"]


# --- COLLECTIVE ---


async def test_collective_offers_only_slots_where_every_host_is_free_and_blocks_them_all(
    gql, people, team
):
    type_id = (await team_type(gql, people, team, "COLLECTIVE", hosts=("Ann", "Ben")))["id"]
    personal = {"title": "Own", "slug": "own", "durationMinutes": 30}
    ben_own = (await gql(CREATE_TYPE, {"i": personal}, people["Ben"][0])).ok()
    (await gql(BOOK, booking(ben_own["createEventType"]["id"], at(10), 1))).ok()
    slots = (await gql(SLOTS, {"id": type_id, "s": at(9), "e": at(12)})).ok()["availableSlots"]
    starts = [s["start"] for s in slots]
    assert at(10) not in starts and at(11) in starts
    assert (await gql(BOOK, booking(type_id, at(10), 2))).codes == ["CONFLICT"]
    booked = await gql(BOOK, booking(type_id, at(11), 3))
    assert host_names(booked) == ["Ann", "Ben"]
    booking_id = int(booked.ok()["bookMeeting"]["id"])
    assert sorted(
        await BookingHost.filter(booking_id=booking_id).values_list("host_id", flat=True)
    ) == sorted([int(people["Ann"][2]), int(people["Ben"][2])])
    ann_own = (await gql(CREATE_TYPE, {"i": personal}, people["Ann"][0])).ok()
    assert (await gql(BOOK, booking(ann_own["createEventType"]["id"], at(11), 4))).codes == [
        "CONFLICT"
    ]
    assert (await gql(BOOK, booking(ben_own["createEventType"]["id"], at(11), 5))).codes == [
        "CONFLICT"
    ]


async def test_every_host_of_a_collective_booking_is_notified_and_mailed(gql, people, team):
    type_id = (await team_type(gql, people, team, "COLLECTIVE", hosts=("Ann", "Ben")))["id"]
    (await gql(BOOK, booking(type_id, at(10), 1))).ok()
    to = set(await MailMessage.filter(kind="BOOKING_CREATED").values_list("to", flat=True))
    assert to == {"ann@example.com", "ben@example.com", "guest1@example.com"}
    notifications = "{ notifications { edges { node { kind } } } }"
    for name in ("Ann", "Ben"):
        seen = (await gql(notifications, token=people[name][0])).ok()["notifications"]["edges"]
        assert [e["node"]["kind"] for e in seen] == ["BOOKING_CREATED"]


async def test_a_cancelled_team_booking_frees_every_host(gql, people, team):
    type_id = (await team_type(gql, people, team, "COLLECTIVE", hosts=("Ann", "Ben")))["id"]
    booking_id = (await gql(BOOK, booking(type_id, at(10), 1))).ok()["bookMeeting"]["id"]
    cancel = "mutation($id: ID!) { cancelBooking(id: $id) { status } }"
    assert (await gql(cancel, {"id": booking_id}, people["Ben"][0])).ok() == {
        "cancelBooking": {"status": "CANCELLED"}
    }
    assert not await BookingHost.filter(active=True).exists()
    (await gql(BOOK, booking(type_id, at(10), 2))).ok()


# --- removal ---


async def test_removing_a_member_hands_round_robin_bookings_on_and_cancels_collective_ones(
    gql, people, team
):
    rr = (await team_type(gql, people, team, "ROUND_ROBIN", hosts=("Ann", "Ben")))["id"]
    both = {"title": "Panel", "slug": "panel", "durationMinutes": 30}
    variables = {"t": team, "i": both, "a": "COLLECTIVE", "h": [people["Ann"][2], people["Ben"][2]]}
    collective = (await gql(CREATE_TEAM_TYPE, variables, people["Olga"][0])).ok()
    collective_id = collective["createTeamEventType"]["id"]
    first = (await gql(BOOK, booking(rr, at(10), 1))).ok()["bookMeeting"]
    assert [h["name"] for h in first["hosts"]] == ["Ann"]
    panel = (await gql(BOOK, booking(collective_id, at(14), 2))).ok()["bookMeeting"]
    await MailMessage.all().delete()
    ann_id = people["Ann"][2]
    (await gql(REMOVE, {"t": team, "u": ann_id}, people["Olga"][0])).ok()
    moved = await Booking.get(id=int(first["id"]))
    assert (moved.host_id, moved.status) == (int(people["Ben"][2]), "CONFIRMED")
    cancelled = await Booking.get(id=int(panel["id"]))
    assert cancelled.status == "CANCELLED"
    mailed = await MailMessage.filter(to__in=["guest1@example.com", "guest2@example.com"])
    assert {(m.to, m.kind) for m in mailed} == {
        ("guest1@example.com", "BOOKING_RESCHEDULED"),
        ("guest2@example.com", "BOOKING_CANCELLED"),
    }
    assert "Ben" in next(m.body for m in mailed if m.to == "guest1@example.com")
    hosts = await gql("query($id: ID!) { eventType(id: $id) { hosts { name } } }", {"id": rr})
    assert hosts.ok()["eventType"]["hosts"] == [{"name": "Ben"}]


async def test_my_data_holds_my_team_memberships_and_invitations(gql, people, team):
    data = (await gql(MY_DATA, token=people["Ann"][0])).ok()["myData"]
    text = str(data)
    assert "teamMemberships" in text and "teamInvitations" in text


async def test_erasing_a_member_hands_their_team_bookings_on_and_the_owners_team_lives_on(
    gql, people, team
):
    rr = (await team_type(gql, people, team, "ROUND_ROBIN", hosts=("Ann", "Ben")))["id"]
    first = (await gql(BOOK, booking(rr, at(10), 1))).ok()["bookMeeting"]
    assert [h["name"] for h in first["hosts"]] == ["Ann"]
    erase = "mutation($p: String!) { deleteAccount(password: $p) }"
    (await gql(erase, {"p": PASSWORD}, people["Ann"][0])).ok()
    moved = await Booking.get(id=int(first["id"]))
    assert (moved.host_id, moved.status) == (int(people["Ben"][2]), "CONFIRMED")
    (await gql(erase, {"p": PASSWORD}, people["Olga"][0])).ok()
    # The longest-standing member owns the team now, and its event type still takes bookings.
    seen = (await gql(TEAMS, token=people["Ben"][0])).ok()["teams"][0]["members"]
    assert [(m["name"], m["role"]) for m in seen] == [
        ("Ben", "OWNER"),
        ("Cai", "MEMBER"),
    ]
    (await gql(BOOK, booking(rr, at(11), 2))).ok()


async def test_round_robin_limits_count_each_hosts_own_bookings(gql, people, team):
    type_id = (
        await team_type(gql, people, team, "ROUND_ROBIN", hosts=("Ann", "Ben"), maxBookingsPerDay=1)
    )["id"]
    names = [host_names(await gql(BOOK, booking(type_id, at(9 + n), n))) for n in range(2)]
    assert sorted(n[0] for n in names) == ["Ann", "Ben"]
    assert (await gql(BOOK, booking(type_id, at(13), 3))).codes == ["CONFLICT"]
    slots = (await gql(SLOTS, {"id": type_id, "s": at(0), "e": at(0, offset=4)})).ok()
    assert slots["availableSlots"] == []


async def test_a_team_booking_moves_only_where_its_hosts_are_free(gql, people, team):
    type_id = (await team_type(gql, people, team, "COLLECTIVE", hosts=("Ann", "Ben")))["id"]
    personal = {"title": "Own", "slug": "own", "durationMinutes": 30}
    ben_own = (await gql(CREATE_TYPE, {"i": personal}, people["Ben"][0])).ok()
    (await gql(BOOK, booking(ben_own["createEventType"]["id"], at(12), 1))).ok()
    booking_id = (await gql(BOOK, booking(type_id, at(10), 2))).ok()["bookMeeting"]["id"]
    move = "mutation($id: ID!, $s: DateTime!) { rescheduleBooking(id: $id, start: $s) { start } }"
    ann = people["Ann"][0]
    assert (await gql(move, {"id": booking_id, "s": at(12)}, ann)).codes == ["CONFLICT"]
    assert (await gql(move, {"id": booking_id, "s": at(13)}, ann)).ok()
    busy = await BookingHost.filter(booking_id=int(booking_id)).values_list("start", flat=True)
    assert [b.isoformat() for b in busy] == [at(13)] * 2
