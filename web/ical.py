"""HTTP routes serving iCalendar files (calendar apps cannot speak GraphQL)."""

from starlette.requests import Request
from starlette.responses import Response

from services import calendar_export

ICS = "text/calendar; charset=utf-8"
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def _not_found() -> Response:
    return Response("Not found\n", status_code=404, media_type="text/plain", headers=PRIVATE)


async def host_feed(request: Request) -> Response:
    body = await calendar_export.host_feed(request.path_params["token"])
    return Response(body, media_type=ICS, headers=PRIVATE) if body else _not_found()


async def booking_file(request: Request) -> Response:
    token = request.query_params.get("token", "")
    try:
        booking_id = int(request.path_params["booking_id"])
    except ValueError:
        return _not_found()
    body = await calendar_export.booking_file(booking_id, token) if token else None
    if body is None:
        return _not_found()
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'}
    return Response(body, media_type=ICS, headers=headers)
