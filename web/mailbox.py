"""GET /dev/mailbox: with MAIL_URL unset, the messages the server would have sent, newest first
(HTML, or JSON with ?format=json), to loopback clients only: the messages hold codes and links."""

import ipaddress

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from models.privacy import MailMessage
from services.mail import render

LIMIT = 100


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback; False for anything else, names too."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


async def dev_mailbox(request: Request) -> Response:
    if request.app.state.settings.mail_url:
        return PlainTextResponse("Not Found", status_code=404)
    if not is_loopback(request.client.host if request.client else None):
        return PlainTextResponse("Forbidden: loopback clients only", status_code=403)
    messages = await MailMessage.all().order_by("-id").limit(LIMIT)
    if request.query_params.get("format") == "json":
        return JSONResponse(
            [
                {
                    "id": m.id,
                    "to": m.to,
                    "toName": m.to_name,
                    "kind": m.kind,
                    "subject": m.subject,
                    "text": m.body,
                    "html": m.html,
                    "calendar": m.calendar,
                    "status": m.status,
                    "createdAt": m.created_at.isoformat(),
                }
                for m in messages
            ]
        )
    return HTMLResponse(render.page("mailbox.html", messages=messages, limit=LIMIT))
