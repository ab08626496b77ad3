"""The portable download of everything held about a user: one-time, short-lived."""

from starlette.requests import Request
from starlette.responses import Response

from services import data_exports


async def download(request: Request) -> Response:
    body = await data_exports.download(request.path_params["token"])
    if body is None:
        return Response("Not found or already used\n", status_code=404, media_type="text/plain")
    return Response(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="book-n-meet-my-data.zip"',
            "Cache-Control": "private, no-store",
        },
    )
