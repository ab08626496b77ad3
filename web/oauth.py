"""GET /oauth/callback/<provider>: where Google or Microsoft send the browser back after consent.

The state (single use, bound to the user who asked, short-lived) decides whose calendar this is;
no session cookie is involved. The code and state are in the query string, which the access log
never writes; neither they nor any token is ever put into a page or a log line.
"""

import html
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse

from domain.errors import DomainError
from models.calendar import GOOGLE, MICROSOFT
from services import calendars, oauth
from services.outbound import OutboundFailed, OutboundRefused

log = logging.getLogger(__name__)

PROVIDERS = {"google": GOOGLE, "microsoft": MICROSOFT}
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(message: str, status: int) -> HTMLResponse:
    body = (
        "<!doctype html><meta charset=utf-8><title>Book N Meet: calendar</title>"
        f"<p>{html.escape(message)}</p><p><a href=/dashboard>Back to the dashboard</a></p>"
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)


async def callback(request: Request) -> HTMLResponse:
    provider = PROVIDERS.get(request.path_params["provider"])
    if provider is None:
        return _page("Unknown calendar provider.", 404)
    settings = request.app.state.settings
    params = request.query_params
    try:
        # The state is used up first, also when the provider reports an error.
        user_id, verifier = await oauth.consume_state(provider, params.get("state", ""), settings)
        if params.get("error") or not params.get("code"):
            return _page("The calendar was not connected: access was not granted.", 400)
        credentials = await oauth.exchange_code(provider, params["code"], verifier, settings)
        async with request.app.state.outbox.unit():
            calendar = await calendars.link_oauth(user_id, provider, credentials, settings)
    except oauth.OAuthError as error:
        log.info("oauth callback refused: %s", error.reason)
        return _page(f"The calendar was not connected: {error.reason}.", 400)
    except DomainError as error:
        return _page(f"The calendar was not connected: {error.message}", 400)
    except (OutboundRefused, OutboundFailed) as error:
        reason = calendars.safe_reason(error.reason)
        log.info("oauth callback failed: %s", reason)
        return _page(f"The calendar was not connected: {reason}.", 502)
    return _page(f"Your {calendar.name} calendar is connected.", 200)
