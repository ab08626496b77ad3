"""The browser pages: the host console at `/dashboard` (and `/reset-password`),
`/book/<eventTypeId>`, the invitee's `/manage/<manageToken>`, the privacy centre `/privacy`, and
GraphiQL at `/graphql` with its default query.

The pages are plain HTML and ES modules from `web/static/` (no build step, nothing from a CDN;
GraphiQL's own code is vendored in `web/static/vendor/`); they talk to `/graphql` over HTTP and
graphql-transport-ws like any other client.
"""

import functools
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from services import bookings, event_types
from web.middleware import PAGE_CSP

STATIC_DIR = Path(__file__).resolve().parent / "static"

PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}

GRAPHIQL_DEFAULT_QUERY = """\
# Welcome to the Book N Meet API explorer.
#
# Press Ctrl-Enter (or the run button) to run this query. Public queries need no token.
# For your own data, sign in with the logIn mutation and put the token in the Headers tab:
#   {"Authorization": "Bearer <token>"}
# The developer guide (every operation, with curl, Python and JavaScript examples) is in docs/.

query Explore($eventTypeId: ID! = "1") {
  me { id name email timeZone }
  eventType(id: $eventTypeId) {
    id
    title
    durationMinutes
    host { name timeZone }
  }
  privacyInfo { controller contactEmail }
}
"""


@functools.cache
def _html(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


# The manage token is in the page's address: never send it on as a Referer.
_NO_REFERRER = {"Referrer-Policy": "no-referrer"}


def _page(name: str, status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(
        _html(name), status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})}
    )


async def dashboard(request: Request) -> Response:
    return _page("dashboard.html")


async def reset_password(request: Request) -> Response:
    """Where a password-reset e-mail links (`PUBLIC_URL/reset-password?token=…`): the console,
    which sees the token and offers the new-password form."""
    return _page("dashboard.html")


async def book(request: Request) -> Response:
    raw = request.path_params["event_type_id"]
    found = raw.isdigit() and 0 < int(raw) < 2**31 and await event_types.public(int(raw))
    if not found:
        return _page("not-found.html", status_code=404)
    return _page("book.html")


async def book_by_handle(request: Request) -> Response:
    """`/book/<handle>/<slug>`: the same page, told which event type it shows."""
    found = await event_types.by_slug(request.path_params["handle"], request.path_params["slug"])
    if found is None:
        return _page("not-found.html", status_code=404)
    tag = f'<meta name="event-type-id" content="{found.id}" />'
    html = _html("book.html").replace(
        '<meta charset="utf-8" />', f'<meta charset="utf-8" />{tag}', 1
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


async def manage(request: Request) -> Response:
    """`/manage/<manageToken>`: the invitee's page of one booking; a friendly 404 otherwise."""
    found = await bookings.by_manage_token(request.path_params["token"])
    if found is None:
        return _page("manage-not-found.html", status_code=404, headers=_NO_REFERRER)
    return _page("manage.html", headers=_NO_REFERRER)


async def privacy(request: Request) -> Response:
    return _page("privacy.html")


def graphiql_html(query: str = GRAPHIQL_DEFAULT_QUERY) -> str:
    """GraphiQL from our own vendored files, opening with our example instead of its welcome text.

    The query travels as a JSON data block (not script), so the page needs no inline script.
    """
    literal = json.dumps(query).replace("<", "\\u003c")  # cannot close the <script> element
    return _html("graphiql.html").replace("EXAMPLE_QUERY_JSON", literal, 1)


def graphiql() -> HTMLResponse:
    return HTMLResponse(graphiql_html(), headers=PAGE_HEADERS)
