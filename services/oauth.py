"""OAuth 2 authorization code flow with PKCE (RFC 7636) for Google Calendar and Microsoft 365.

- `authorization_url` stores a state bound to the user: only its SHA-256 is kept, with the PKCE
  verifier encrypted, for STATE_LIFETIME; `consume_state` takes it once (a conditional DELETE), so
  a replayed, forged, expired or other provider's state is refused.
- Tokens live encrypted in LinkedCalendar.credentials_encrypted; `access_token` refreshes an
  expired one (and `api` once more after a 401) and stores the new one.
- Every request (token endpoint and API) goes through the SSRF guard; tokens and codes are never
  part of a reason, a log line or an answer.
"""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from config import Settings
from domain.errors import BadUserInput
from models.calendar import GOOGLE, MICROSOFT, LinkedCalendar, OAuthState
from models.user import User
from services import crypto, outbound
from services.clock import utcnow
from services.outbound import FetchResult, OutboundFailed

STATE_LIFETIME = timedelta(minutes=10)
EXPIRY_MARGIN = timedelta(seconds=60)
TIMEOUT = 20.0
MAX_BYTES = 20 * 1024 * 1024


class OAuthError(Exception):
    """A flow that cannot go on; `reason` is safe to show (no code, token or secret)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class Provider:
    name: str  # GOOGLE, MICROSOFT
    client_id: str
    client_secret: str | None
    auth_url: str
    token_url: str
    api_url: str
    scope: str
    extra: dict[str, str]


def provider(settings: Settings, name: str) -> Provider:
    if name == GOOGLE and settings.google_client_id:
        return Provider(
            GOOGLE,
            settings.google_client_id,
            settings.google_client_secret,
            settings.google_auth_url,
            settings.google_token_url,
            settings.google_api_url.rstrip("/"),
            "https://www.googleapis.com/auth/calendar.events "
            "https://www.googleapis.com/auth/calendar.readonly",
            {"access_type": "offline", "prompt": "consent"},
        )
    if name == MICROSOFT and settings.microsoft_client_id:
        return Provider(
            MICROSOFT,
            settings.microsoft_client_id,
            settings.microsoft_client_secret,
            settings.microsoft_auth_url,
            settings.microsoft_token_url,
            settings.microsoft_api_url.rstrip("/"),
            "offline_access Calendars.ReadWrite",
            {},
        )
    raise BadUserInput("provider", f"{name.title()} calendars are not offered on this server")


def redirect_uri(settings: Settings, name: str) -> str:
    return f"{settings.base_url}/oauth/callback/{name.lower()}"


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def authorization_url(user: User, name: str, settings: Settings) -> str:
    chosen = provider(settings, name)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
    now = utcnow()
    await OAuthState.filter(expires_at__lt=now).delete()
    await OAuthState.create(
        user_id=user.id,
        provider=chosen.name,
        state_hash=_hash(state),
        verifier_encrypted=crypto.encrypt(settings, verifier),
        expires_at=now + STATE_LIFETIME,
    )
    query = {
        "client_id": chosen.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri(settings, chosen.name),
        "scope": chosen.scope,
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **chosen.extra,
    }
    separator = "&" if "?" in chosen.auth_url else "?"
    return f"{chosen.auth_url}{separator}{urlencode(query)}"


async def consume_state(name: str, state: str, settings: Settings) -> tuple[int, str]:
    """(user id, PKCE verifier) of a valid state, which is used up; else OAuthError."""
    if not state or len(state) > 200:
        raise OAuthError("unknown or expired authorization request")
    row = await OAuthState.get_or_none(state_hash=_hash(state), provider=name)
    # The DELETE decides: of two callbacks with one state, exactly one deletes the row.
    if row is None or not await OAuthState.filter(id=row.id).delete():
        raise OAuthError("unknown or expired authorization request")
    if row.expires_at <= utcnow():
        raise OAuthError("unknown or expired authorization request")
    try:
        return row.user_id, crypto.decrypt(settings, row.verifier_encrypted)
    except ValueError:
        raise OAuthError("unknown or expired authorization request") from None


async def _token_request(chosen: Provider, form: dict[str, str], settings: Settings) -> dict:
    form = {"client_id": chosen.client_id, **form}
    if chosen.client_secret:
        form["client_secret"] = chosen.client_secret
    try:
        result = await outbound.fetch(
            chosen.token_url,
            allowed_hosts=settings.calendar_allowed_hosts,
            method="POST",
            body=urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            max_bytes=1024 * 1024,
            timeout=TIMEOUT,
        )
    except (outbound.OutboundRefused, OutboundFailed) as error:
        status = getattr(error, "status", None)
        reason = "the provider refused the grant" if status in (400, 401) else "token endpoint"
        raise OAuthError(f"{reason} ({error.reason})"[:300], status) from None
    tokens = _json(result)
    if not isinstance(tokens.get("access_token"), str):
        raise OAuthError("the token endpoint gave no access token")
    return tokens


def _credentials(tokens: dict, previous: dict | None = None) -> dict[str, Any]:
    lifetime = tokens.get("expires_in")
    seconds = int(lifetime) if str(lifetime).isdigit() else 3600
    return {
        "access_token": tokens["access_token"],
        # A refresh answer may omit the refresh token: the old one stays valid.
        "refresh_token": tokens.get("refresh_token") or (previous or {}).get("refresh_token"),
        "expires_at": (utcnow() + timedelta(seconds=seconds)).isoformat(),
    }


async def exchange_code(name: str, code: str, verifier: str, settings: Settings) -> dict:
    chosen = provider(settings, name)
    tokens = await _token_request(
        chosen,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri(settings, chosen.name),
            "code_verifier": verifier,
        },
        settings,
    )
    return _credentials(tokens)


def read_credentials(settings: Settings, calendar: LinkedCalendar) -> dict[str, Any]:
    try:
        return json.loads(crypto.decrypt(settings, calendar.credentials_encrypted or ""))
    except (ValueError, TypeError):
        raise OAuthError("the stored credentials cannot be read") from None


async def _refresh(calendar: LinkedCalendar, settings: Settings, current: dict) -> dict:
    if not current.get("refresh_token"):
        raise OAuthError("access expired: connect the calendar again")
    tokens = await _token_request(
        provider(settings, calendar.kind),
        {"grant_type": "refresh_token", "refresh_token": current["refresh_token"]},
        settings,
    )
    fresh = _credentials(tokens, current)
    encrypted = crypto.encrypt(settings, json.dumps(fresh))
    await LinkedCalendar.filter(id=calendar.id).update(credentials_encrypted=encrypted)
    calendar.credentials_encrypted = encrypted
    return fresh


async def access_token(calendar: LinkedCalendar, settings: Settings, *, force: bool = False) -> str:
    current = read_credentials(settings, calendar)
    expires_at = datetime.fromisoformat(current.get("expires_at") or "1970-01-01T00:00:00+00:00")
    if force or expires_at - EXPIRY_MARGIN <= utcnow():
        current = await _refresh(calendar, settings, current)
    return current["access_token"]


def _json(result: FetchResult) -> dict:
    try:
        value = json.loads(result.body or b"{}")
    except ValueError:
        raise OAuthError("the provider's answer is not JSON") from None
    if not isinstance(value, dict):
        raise OAuthError("the provider's answer is not a JSON object")
    return value


def _inside_api(chosen: Provider, url: str) -> str:
    """Absolute URLs the provider hands back (next pages, delta links) must stay on its API:
    the access token goes with them."""
    if not url.startswith(chosen.api_url + "/") and not url.startswith(chosen.api_url + "?"):
        raise OAuthError("the provider named a link outside its API")
    return url


async def api(
    calendar: LinkedCalendar,
    settings: Settings,
    method: str,
    path_or_url: str,
    *,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    """A JSON request to the provider's API with the calendar's token (refreshed once on 401).

    Raises OAuthError (status set for HTTP errors) or outbound's errors."""
    chosen = provider(settings, calendar.kind)
    if path_or_url.startswith(("http://", "https://")):
        url = _inside_api(chosen, path_or_url)
    else:
        url = chosen.api_url + path_or_url
    for attempt in range(2):
        token = await access_token(calendar, settings, force=attempt > 0)
        request_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is not None:
            request_headers["Content-Type"] = "application/json"
        request_headers.update(headers or {})
        try:
            result = await outbound.fetch(
                url,
                allowed_hosts=settings.calendar_allowed_hosts,
                method=method,
                body=json.dumps(body).encode() if body is not None else None,
                headers=request_headers,
                max_bytes=MAX_BYTES,
                timeout=TIMEOUT,
            )
        except OutboundFailed as failed:
            if failed.status == 401 and attempt == 0:
                continue
            raise OAuthError(f"{chosen.name.title()} API: {failed.reason}", failed.status) from None
        return _json(result) if result.body else {}
    raise OAuthError(f"{chosen.name.title()} API refused the access token", 401)
