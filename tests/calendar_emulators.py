"""Local stand-ins for Google Calendar and Microsoft Graph (aiohttp on loopback) and a real Radicale
CalDAV server, for the two-way calendar tests and the benchmark.

The emulators follow the providers' documented request and response shapes:
- OAuth 2 (both): GET <auth> with client_id, response_type=code, redirect_uri, state and an S256
  code_challenge redirects back with ?code&state; POST <token> (form) exchanges the code (the
  code_verifier must match the challenge) or a refresh_token for
  {access_token, refresh_token, expires_in, token_type}.
- Google Calendar v3: GET /calendars/primary/events (singleEvents, timeMin/timeMax or syncToken,
  pageToken; items with id, iCalUID, status, transparency, start/end {dateTime|date};
  nextSyncToken on the last page; 410 for an unknown syncToken), POST (409 for a taken id),
  PUT and DELETE /calendars/primary/events/<id>.
- Microsoft Graph v1.0: GET /me/calendarView/delta (startDateTime/endDateTime, then the returned
  @odata.deltaLink; removed events as {"id", "@removed"}), POST /me/events, PATCH and DELETE
  /me/events/<id>; times as {dateTime, timeZone} (UTC, as asked with Prefer: outlook.timezone).
"""

import asyncio
import base64
import hashlib
import itertools
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web

CLIENT_ID = "bnm-test-client"
CLIENT_SECRET = "emulator-client-secret-9f2c"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@dataclass
class Provider:
    """One provider's state: OAuth grants, tokens, events, and a log of what was asked."""

    kind: str  # "google" or "microsoft"
    base: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)  # every token handed out, for secrecy checks
    grants: list[str] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)
    version: int = 0
    requests: list[str] = field(default_factory=list)
    expires_in: int = 3600
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # --- test helpers ----------------------------------------------------------------------------

    def put(self, event: dict[str, Any]) -> None:
        self.version += 1
        self.events[event["id"]] = event
        self.changed_at[event["id"]] = self.version
        self.changed.set()

    def remove(self, event_id: str) -> None:
        self.version += 1
        self.events[event_id] = {**self.events[event_id], "_deleted": True}
        self.changed_at[event_id] = self.version
        self.changed.set()

    def live(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.events.items() if not v.get("_deleted")}

    def busy(self, start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
        """A busy event of this provider's shape."""
        number = next(self._ids)
        if self.kind == "google":
            event = {
                "id": f"ev{number}",
                "iCalUID": f"ev{number}@google.com",
                "status": "confirmed",
                "summary": f"Private title {number}",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": end.isoformat()},
            }
        else:
            fmt = "%Y-%m-%dT%H:%M:%S.0000000"
            event = {
                "id": f"AAMkAD{number}",
                "iCalUId": f"040000008200E{number}",
                "subject": f"Private title {number}",
                "showAs": "busy",
                "isCancelled": False,
                "isAllDay": False,
                "start": {"dateTime": start.astimezone(UTC).strftime(fmt), "timeZone": "UTC"},
                "end": {"dateTime": end.astimezone(UTC).strftime(fmt), "timeZone": "UTC"},
            }
        event.update(extra)
        return event

    def expire_tokens(self) -> None:
        """Every access token handed out so far stops working (the refresh tokens do not)."""
        self.access_tokens.clear()

    async def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

    # --- OAuth -----------------------------------------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return web.Response(status=400, text="invalid_request")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return web.Response(status=400, text="PKCE required")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        raise web.HTTPFound(target)

    def _tokens(self, refresh: str | None = None) -> dict[str, Any]:
        access = f"at-{secrets.token_urlsafe(24)}"
        self.access_tokens.add(access)
        self.issued.append(access)
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        if refresh is None:
            refresh = f"rt-{secrets.token_urlsafe(24)}"
            self.refresh_tokens.add(refresh)
            self.issued.append(refresh)
            answer["refresh_token"] = refresh
        return answer

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        grant = str(form.get("grant_type"))
        self.grants.append(grant)
        if grant == "authorization_code":
            pending = self.codes.pop(str(form.get("code")), None)
            if (
                pending is None
                or pending["redirect_uri"] != form.get("redirect_uri")
                or _challenge(str(form.get("code_verifier", ""))) != pending["challenge"]
            ):
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self._tokens())
        if grant == "refresh_token" and form.get("refresh_token") in self.refresh_tokens:
            return web.json_response(self._tokens(refresh=str(form["refresh_token"])))
        return web.json_response({"error": "invalid_grant"}, status=400)

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header.removeprefix("Bearer ") in self.access_tokens

    # --- the calendar API ------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path_qs}")
        if request.path.endswith(("/auth", "/token")):
            return await handler(request)
        if not self._authorized(request):
            return web.json_response(
                {"error": {"code": 401, "message": "invalid token"}}, status=401
            )
        return await handler(request)

    def _since(self, version: int) -> list[dict[str, Any]]:
        return [self.events[i] for i, v in self.changed_at.items() if v > version]

    async def google_list(self, request: web.Request) -> web.Response:
        q = request.query
        if "syncToken" in q:
            if not q["syncToken"].isdigit() or int(q["syncToken"]) > self.version:
                return web.json_response({"error": {"code": 410}}, status=410)
            items = [
                {"id": e["id"], "status": "cancelled"} if e.get("_deleted") else e
                for e in self._since(int(q["syncToken"]))
            ]
        else:
            if q.get("singleEvents") != "true":
                return web.json_response({"error": {"code": 400}}, status=400)
            items = list(self.live().values())
        page_size = int(q.get("maxResults", "250"))
        offset = int(q.get("pageToken", "0"))
        page = items[offset : offset + page_size]
        answer: dict[str, Any] = {"kind": "calendar#events", "items": page}
        if offset + page_size < len(items):
            answer["nextPageToken"] = str(offset + page_size)
        else:
            answer["nextSyncToken"] = str(self.version)
        return web.json_response(answer)

    async def google_insert(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("id") in self.live():
            return web.json_response({"error": {"code": 409, "message": "duplicate"}}, status=409)
        event = {**body, "iCalUID": f"{body['id']}@google.com", "status": "confirmed"}
        self.put(event)
        return web.json_response(event)

    async def google_update(self, request: web.Request) -> web.Response:
        event_id = request.match_info["id"]
        if event_id not in self.live():
            return web.json_response({"error": {"code": 404}}, status=404)
        body = await request.json()
        self.put({**self.events[event_id], **body, "id": event_id})
        return web.json_response(self.events[event_id])

    async def delete(self, request: web.Request) -> web.Response:
        event_id = request.match_info["id"]
        if event_id not in self.live():
            return web.json_response({"error": {"code": 404}}, status=404)
        self.remove(event_id)
        return web.Response(status=204)

    async def graph_delta(self, request: web.Request) -> web.Response:
        q = request.query
        if "$deltatoken" in q:
            token = q["$deltatoken"]
            if not token.isdigit() or int(token) > self.version:
                return web.json_response({"error": {"code": "syncStateNotFound"}}, status=410)
            items = [
                {"id": e["id"], "@removed": {"reason": "deleted"}} if e.get("_deleted") else e
                for e in self._since(int(token))
            ]
        else:
            if "startDateTime" not in q or "endDateTime" not in q:
                return web.json_response({"error": {"code": "BadRequest"}}, status=400)
            items = list(self.live().values())
        link = f"{self.base}/api/me/calendarView/delta?$deltatoken={self.version}"
        return web.json_response({"value": items, "@odata.deltaLink": link})

    async def graph_create(self, request: web.Request) -> web.Response:
        body = await request.json()
        event = {
            **body,
            "id": f"AAMkWritten{uuid.uuid4().hex}",
            "iCalUId": f"040000008200E{uuid.uuid4().hex}",
            "isCancelled": False,
            "isAllDay": False,
        }
        event.pop("transactionId", None)
        self.put(event)
        return web.json_response(event, status=201)

    async def graph_update(self, request: web.Request) -> web.Response:
        event_id = request.match_info["id"]
        if event_id not in self.live():
            return web.json_response({"error": {"code": "ErrorItemNotFound"}}, status=404)
        self.put({**self.events[event_id], **(await request.json())})
        return web.json_response(self.events[event_id])

    def routes(self) -> list[web.RouteDef]:
        common = [web.get("/auth", self.authorize), web.post("/token", self.token)]
        if self.kind == "google":
            events = "/api/calendars/primary/events"
            return [
                *common,
                web.get(events, self.google_list),
                web.post(events, self.google_insert),
                web.put(events + "/{id}", self.google_update),
                web.delete(events + "/{id}", self.delete),
            ]
        return [
            *common,
            web.get("/api/me/calendarView/delta", self.graph_delta),
            web.post("/api/me/events", self.graph_create),
            web.patch("/api/me/events/{id}", self.graph_update),
            web.delete("/api/me/events/{id}", self.delete),
        ]


@dataclass
class Emulators:
    google: Provider
    microsoft: Provider
    runners: list[web.AppRunner]

    def env(self) -> dict[str, str]:
        """The server's settings pointing at these emulators."""
        values = {"CALENDAR_ALLOWED_HOSTS": "127.0.0.1"}
        for prefix, provider in (("GOOGLE", self.google), ("MICROSOFT", self.microsoft)):
            values.update(
                {
                    f"{prefix}_CLIENT_ID": CLIENT_ID,
                    f"{prefix}_CLIENT_SECRET": CLIENT_SECRET,
                    f"{prefix}_AUTH_URL": f"{provider.base}/auth",
                    f"{prefix}_TOKEN_URL": f"{provider.base}/token",
                    f"{prefix}_API_URL": f"{provider.base}/api",
                }
            )
        return values

    async def close(self) -> None:
        for runner in self.runners:
            await runner.cleanup()


async def start_emulators() -> Emulators:
    providers, runners = [], []
    for kind in ("google", "microsoft"):
        provider = Provider(kind)
        app = web.Application(middlewares=[provider.guard])
        app.add_routes(provider.routes())
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        provider.base = f"http://127.0.0.1:{port}"
        providers.append(provider)
        runners.append(runner)
    return Emulators(providers[0], providers[1], runners)


# --- Radicale ------------------------------------------------------------------------------------

RADICALE_USER = "alice"


@dataclass
class Radicale:
    url: str
    process: subprocess.Popen[bytes]
    users_file: Path
    log_path: Path
    password: str

    def set_password(self, password: str) -> None:
        self.users_file.write_text(f"{RADICALE_USER}:{password}\n")
        self.password = password

    def new_calendar(self) -> str:
        """A fresh, empty calendar collection; its URL."""
        url = f"{self.url}/{RADICALE_USER}/{uuid.uuid4().hex[:12]}/"
        response = httpx.request("MKCALENDAR", url, auth=(RADICALE_USER, self.password))
        assert response.status_code == 201, response.text
        return url

    def put(self, collection: str, name: str, ics: str) -> None:
        response = httpx.put(
            collection + name,
            content=ics.encode(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
            auth=(RADICALE_USER, self.password),
        )
        assert response.status_code in (201, 204), response.text

    def get(self, collection: str, name: str) -> httpx.Response:
        return httpx.get(collection + name, auth=(RADICALE_USER, self.password))

    def delete(self, collection: str, name: str) -> None:
        response = httpx.delete(collection + name, auth=(RADICALE_USER, self.password))
        assert response.status_code in (200, 204), response.text

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_radicale(folder: Path, port: int, password: str) -> Radicale:
    users = folder / "users"
    users.write_text(f"{RADICALE_USER}:{password}\n")
    config = folder / "config"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = htpasswd\n"
        f"htpasswd_filename = {users}\n"
        "htpasswd_encryption = plain\n"
        "delay = 0\n"
        "[storage]\n"
        f"filesystem_folder = {folder / 'storage'}\n"
        "[rights]\ntype = owner_only\n"
        "[web]\ntype = none\n"
        "[logging]\nlevel = warning\n"
    )
    log_path = folder / "radicale.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Radicale(f"http://127.0.0.1:{port}", process, users, log_path, password)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale exited: {log_path.read_text()}")
        try:
            httpx.get(server.url, timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("radicale did not start")


def vevent(uid: str, start: datetime, end: datetime, *extra: str) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{datetime.now(UTC).strftime(fmt)}",
        f"DTSTART:{start.astimezone(UTC).strftime(fmt)}",
        f"DTEND:{end.astimezone(UTC).strftime(fmt)}",
        "SUMMARY:Private title",
        *extra,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
