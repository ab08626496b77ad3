"""Bookings written back into the host's linked calendars (those with writes_bookings).

`enqueue` runs inside the booking change's transaction (services/changes.booking_changed): one
CalendarWrite row per calendar and booking says what the calendar should hold, PUT (a confirmed
booking, at its current time) or DELETE, and `version` grows with each change. A rolled-back
change writes nothing. `run_due`, a job of the runner, claims due rows with a conditional UPDATE
(exactly one worker executes a row while its claim holds), executes them after commit, marks a row
done only if its version is still the one executed, and retries failures with backoff, showing the
reason in the calendar's `lastError`.
"""

import json
import logging
from datetime import datetime, timedelta

from tortoise.expressions import F, Q

from config import Settings
from domain.ical import ExportEvent, calendar_object
from models.booking import CONFIRMED, Booking
from models.calendar import CALDAV, GOOGLE, MICROSOFT, CalendarWrite, LinkedCalendar
from models.fresh import fresh
from services import caldav, calendar_sources, changes, crypto, oauth
from services.clock import utcnow
from services.outbound import OutboundFailed, OutboundRefused

log = logging.getLogger(__name__)

PUT, DELETE = "PUT", "DELETE"
CLAIM = timedelta(minutes=2)
BATCH = 50
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
ERROR_PREFIX = "writing a booking failed: "


def backoff(attempts: int) -> timedelta:
    if attempts >= 20:
        return BACKOFF_MAX
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


async def enqueue(booking: Booking, owner_id: int | None = None) -> None:
    """Inside the booking change's transaction: what each writing calendar of the host (or of
    `owner_id`, another host of a team booking) should now hold."""
    calendar_ids = await LinkedCalendar.filter(
        owner_id=booking.host_id if owner_id is None else owner_id, writes_bookings=True
    ).values_list("id", flat=True)
    if not calendar_ids:
        return
    action = PUT if booking.status == CONFIRMED else DELETE
    now = utcnow()
    for calendar_id in calendar_ids:
        updated = await CalendarWrite.filter(calendar_id=calendar_id, booking_id=booking.id).update(
            action=action,
            version=F("version") + 1,
            pending=True,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
        )
        # Only a booking that may have been written needs a DELETE.
        if not updated and action == PUT:
            await CalendarWrite.create(
                calendar_id=calendar_id, booking_id=booking.id, action=PUT, next_attempt_at=now
            )


def first_writes(booking: Booking, calendar_ids: list[int], now: datetime) -> list[CalendarWrite]:
    """What `enqueue` writes for a booking just made (none written before it), not yet written."""
    if booking.status != CONFIRMED:
        return []
    return [
        fresh(CalendarWrite, calendar_id=i, booking_id=booking.id, action=PUT, next_attempt_at=now)
        for i in calendar_ids
    ]


async def enqueue_upcoming(calendar: LinkedCalendar, now: datetime) -> None:
    """A calendar linked with writes_bookings gets every upcoming confirmed booking of its owner."""
    ids = await Booking.filter(
        host_id=calendar.owner_id, status=CONFIRMED, end__gt=now
    ).values_list("id", flat=True)
    await CalendarWrite.bulk_create(
        [
            CalendarWrite(calendar_id=calendar.id, booking_id=i, action=PUT, next_attempt_at=now)
            for i in ids
        ],
        batch_size=500,
    )


def _event(booking: Booking) -> ExportEvent:
    title = booking.event_type.title
    return ExportEvent(
        uid=booking.calendar_uid(),
        start=booking.start,
        end=booking.end,
        summary=f"{title} with {booking.attendee_name}",
        sequence=booking.sequence,
        status="CONFIRMED",
        location=booking.location or booking.event_type.location,
        last_modified=booking.updated_at,
    )


def caldav_name(booking_id: int) -> str:
    return f"booknmeet-{booking_id}.ics"


def google_id(booking_id: int) -> str:
    # Google event ids: 5-1024 characters of base32hex (a-v, 0-9).
    return f"booknmeet{booking_id}"


def _google_body(event: ExportEvent, booking_id: int) -> dict:
    return {
        "id": google_id(booking_id),
        "summary": event.summary,
        "location": event.location,
        "start": {"dateTime": event.start.isoformat()},
        "end": {"dateTime": event.end.isoformat()},
        "transparency": "opaque",
        "status": "confirmed",
    }


def _graph_body(event: ExportEvent) -> dict:
    fmt = "%Y-%m-%dT%H:%M:%S"
    return {
        "subject": event.summary,
        "start": {"dateTime": event.start.strftime(fmt), "timeZone": "UTC"},
        "end": {"dateTime": event.end.strftime(fmt), "timeZone": "UTC"},
        "showAs": "busy",
        **({"location": {"displayName": event.location}} if event.location else {}),
    }


async def _execute(
    calendar: LinkedCalendar, booking: Booking, write: CalendarWrite, settings: Settings
) -> str | None:
    """Does the write; returns the remote id to keep (Microsoft), else None."""
    if calendar.kind == CALDAV:
        account = calendar_sources.caldav_account(settings, calendar)
        if write.action == PUT:
            await caldav.put(account, caldav_name(booking.id), calendar_object(_event(booking)))
        else:
            await caldav.delete(account, caldav_name(booking.id))
        return None
    if calendar.kind == GOOGLE:
        path = f"/calendars/primary/events/{google_id(booking.id)}"
        if write.action == DELETE:
            await _tolerate(oauth.api(calendar, settings, "DELETE", path), 404, 410)
            return None
        body = _google_body(_event(booking), booking.id)
        try:
            await oauth.api(calendar, settings, "POST", "/calendars/primary/events", body=body)
        except oauth.OAuthError as error:
            if error.status != 409:  # already there: update it
                raise
            await oauth.api(calendar, settings, "PUT", path, body=body)
        return None
    if calendar.kind == MICROSOFT:
        if write.action == DELETE:
            if write.remote_id:
                path = f"/me/events/{write.remote_id}"
                await _tolerate(oauth.api(calendar, settings, "DELETE", path), 404, 410)
            return write.remote_id
        body = _graph_body(_event(booking))
        if write.remote_id:
            try:
                await oauth.api(
                    calendar, settings, "PATCH", f"/me/events/{write.remote_id}", body=body
                )
                return write.remote_id
            except oauth.OAuthError as error:
                if error.status != 404:
                    raise
        created = await oauth.api(
            calendar,
            settings,
            "POST",
            "/me/events",
            body={**body, "transactionId": booking.calendar_uid()},
        )
        remote = created.get("id")
        if not isinstance(remote, str) or not remote or len(remote) > 500:
            raise oauth.OAuthError("Microsoft API: the created event has no usable id")
        return remote
    return None


async def _tolerate(call: object, *statuses: int) -> None:
    try:
        await call  # type: ignore[misc]
    except oauth.OAuthError as error:
        if error.status not in statuses:
            raise


async def _claim(write_id: int, now: datetime) -> bool:
    return bool(
        await CalendarWrite.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now),
            id=write_id,
            pending=True,
            next_attempt_at__lte=now,
        ).update(claimed_until=now + CLAIM)
    )


async def run_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Claims and executes due writes once each; returns how many it executed."""
    now = now or utcnow()
    candidates = await (
        CalendarWrite.filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now), pending=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .limit(BATCH)
        .values_list("id", flat=True)
    )
    done = 0
    for write_id in candidates:
        if await _claim(write_id, now):
            await _run_one(write_id, settings, now)
            done += 1
    return done


async def _run_one(write_id: int, settings: Settings, now: datetime) -> None:
    write = await CalendarWrite.get_or_none(id=write_id).select_related(
        "calendar", "booking__event_type"
    )
    if write is None:
        return
    calendar, booking = write.calendar, write.booking
    try:
        remote = await _execute(calendar, booking, write, settings)
    except (OutboundRefused, OutboundFailed, oauth.OAuthError, caldav.CalDavError) as error:
        await _failed(write, calendar, _reason(error), now)
        return
    except Exception as error:
        # No message or traceback: a library's message may quote an address or a token.
        log.error("calendar write %s failed unexpectedly (%s)", write.id, type(error).__name__)
        await _failed(write, calendar, "internal error", now)
        return
    await CalendarWrite.filter(id=write.id).update(remote_id=remote, claimed_until=None)
    finished = CalendarWrite.filter(id=write.id, version=write.version)
    if write.action == DELETE:
        await finished.delete()
    else:
        await finished.update(pending=False, attempts=0, last_error=None)
    if calendar.last_error and calendar.last_error.startswith(ERROR_PREFIX):
        cleared = await LinkedCalendar.filter(
            id=calendar.id, last_error=calendar.last_error
        ).update(status="OK", last_error=None)
        if cleared:
            calendar.status, calendar.last_error = "OK", None
            await changes.calendar_changed(calendar.owner_id, calendar, now)


def _reason(error: Exception) -> str:
    from services.calendars import safe_reason

    return safe_reason(str(getattr(error, "reason", type(error).__name__)))


async def _failed(
    write: CalendarWrite, calendar: LinkedCalendar, reason: str, now: datetime
) -> None:
    log.info("calendar %s: writing booking %s failed: %s", calendar.id, write.booking_id, reason)
    attempts = write.attempts + 1
    await CalendarWrite.filter(id=write.id).update(
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        last_error=reason[:500],
        claimed_until=None,
    )
    shown = (ERROR_PREFIX + reason)[:500]
    if (calendar.status, calendar.last_error) != ("ERROR", shown):
        await LinkedCalendar.filter(id=calendar.id).update(status="ERROR", last_error=shown)
        calendar.status, calendar.last_error = "ERROR", shown
        await changes.calendar_changed(calendar.owner_id, calendar, now)


def credentials_json(username: str, password: str) -> str:
    return json.dumps({"username": username, "password": password})


def encrypt_credentials(settings: Settings, username: str, password: str) -> str:
    return crypto.encrypt(settings, credentials_json(username, password))
