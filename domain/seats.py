"""Seats: a slot of an event type takes `seats` bookings (and holds) before it is gone.

Bookings and live holds are occupants. Those of the event type at one start form the slot's
seat group: the slot stays offered, with the seats it has left, while the group has seats left;
it is blocked by any other occupant overlapping it (another start, another event type, a full
group) like busy time.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.slots import Interval


@dataclass(frozen=True, slots=True)
class Occupant:
    event_type_id: int
    start: datetime
    busy: Interval  # buffer-widened


@dataclass(frozen=True, slots=True)
class Group:
    start: datetime
    taken: int
    busy: Interval  # the hull of its occupants' busy ranges


@dataclass(frozen=True, slots=True)
class Seating:
    seats: int
    blocking: list[Interval]  # busy for every slot of the event type
    open_groups: list[Group]  # seats left; sorted by busy start


def seating(occupants: list[Occupant], event_type_id: int, seats: int) -> Seating:
    # Comprehensions, not one loop with a branch: most occupants are other busy time.
    blocking = [o.busy for o in occupants if o.event_type_id != event_type_id]
    groups: dict[datetime, list[Interval]] = {}
    for occupant in [o for o in occupants if o.event_type_id == event_type_id]:
        groups.setdefault(occupant.start, []).append(occupant.busy)
    open_groups = []
    for start, ranges in groups.items():
        hull = (
            ranges[0]
            if len(ranges) == 1
            else (min(s for s, _ in ranges), max(e for _, e in ranges))
        )
        if len(ranges) >= seats:
            blocking.append(hull)
        else:
            open_groups.append(Group(start, len(ranges), hull))
    open_groups.sort(key=lambda g: g.busy)
    return Seating(seats, blocking, open_groups)


def offer(
    slots: list[Interval], seating: Seating, before: timedelta, after: timedelta
) -> list[tuple[datetime, datetime, int]]:
    """(start, end, seats left) of each slot that `compute_slots` offered with `blocking` as
    busy time: kept when no open group overlaps its widened range, or exactly one does and
    starts with it."""
    groups = seating.open_groups
    if not groups:
        return [(s, e, seating.seats) for s, e in slots]
    starts = [g.busy[0] for g in groups]
    longest = max(g.busy[1] - g.busy[0] for g in groups)
    out = []
    for start, end in slots:
        low, high = start - before, end + after
        # Groups whose busy start lies in (low - longest, high) may overlap [low, high).
        i = bisect_left(starts, low - longest)
        hits = []
        while i < len(groups) and starts[i] < high:
            if groups[i].busy[1] > low and groups[i].busy[0] < groups[i].busy[1]:
                hits.append(groups[i])
            i += 1
        if not hits:
            out.append((start, end, seating.seats))
        elif len(hits) == 1 and hits[0].start == start:
            out.append((start, end, seating.seats - hits[0].taken))
    return out
