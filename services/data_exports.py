"""Portability: a one-time, short-lived download of myData (JSON, and a readable HTML page
beside it) and the bookings (ICS)."""

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

from tortoise.expressions import Q

from domain.ical import ExportEvent, export_calendar
from models.booking import Booking
from models.privacy import DataExport
from models.user import User
from services import email_verification, personal_data
from services.clock import utcnow
from services.mail import render
from services.tokens import new_token, token_hash

VALIDITY = timedelta(minutes=15)


def readable(data: dict[str, Any]) -> str:
    """myData as a page a person can read: every value escaped (services/mail/render.py)."""
    return render.page(
        "my_data.html",
        subject=data["subject"],
        generated_at=data["generatedAt"],
        processing=data["processing"],
        categories=data["categoriesHeld"],
        sections=sorted(data["data"].items()),
    )


async def create(user: User) -> str:
    token = new_token("bnm_x")
    await DataExport.create(user=user, token_hash=token_hash(token), expires_at=utcnow() + VALIDITY)
    return token


async def download(token: str) -> bytes | None:
    """The ZIP, once: the token is spent by its first use, and dies after 15 minutes anyway."""
    now = utcnow()
    claimed = await DataExport.filter(
        token_hash=token_hash(token), used_at=None, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        return None
    export = await DataExport.get(token_hash=token_hash(token)).select_related("user")
    user = export.user
    data = await personal_data.export(user)
    # Every booking myData lists: hosted, made signed in, and made under their verified address.
    rows = await Booking.filter(
        Q(host_id=user.id) | email_verification.made_by(user)
    ).select_related("event_type")
    ics = export_calendar(
        [
            ExportEvent(
                uid=b.calendar_uid(),
                start=b.start,
                end=b.end,
                summary=b.event_type.title,
                sequence=b.sequence,
                status={"PENDING": "TENTATIVE"}.get(b.status, b.status),
                last_modified=b.updated_at,
            )
            for b in rows
        ],
        name="My Book N Meet bookings",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("my-data.html", readable(data))
        archive.writestr("bookings.ics", ics)
    return buffer.getvalue()
