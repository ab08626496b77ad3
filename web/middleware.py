"""The one ASGI middleware every HTTP request goes through (`Front`): its request id and access
line, security headers on every response, a cap on the request body, and CORS for requests that
carry an Origin header. One wrapper of `send` instead of one per concern: each cost ~20 µs a
request on the hot path."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

import observability

# Every response, page or not: only what our own server serves ('self'); the WebSocket is
# same-origin too. No inline script or style, no eval, no third-party origin. Fonts and images
# may be data: URLs (GraphiQL's stylesheet embeds its fonts that way).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
HTTPS_HEADERS = [*SECURITY_HEADERS, HSTS]
HEADER_NAMES = frozenset(name for name, _ in HTTPS_HEADERS)


def with_security_headers(headers: list[tuple[bytes, bytes]], https: bool) -> list:
    """`headers` and the security headers the response did not set itself."""
    extra = HTTPS_HEADERS if https else SECURITY_HEADERS
    for name, _ in headers:
        if name.lower() in HEADER_NAMES:
            present = {n.lower() for n, _ in headers}
            return [*headers, *((n, v) for n, v in extra if n not in present)]
    return [*headers, *extra]


class Front:
    """`cors` is the app wrapped in starlette's CORSMiddleware: only requests with an Origin
    header go through it (it passes the others through unchanged anyway)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        cors: ASGIApp | None = None,
        direct: dict[str, ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.cors = cors or app
        self.max_bytes = max_bytes
        # GET and POST to these paths (without Origin), and WebSockets to them, go straight to
        # their app, past starlette's router and exception middleware: the GraphQL endpoint
        # answers its own errors, and most requests are for it.
        self.direct = direct or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # A WebSocket to a direct path skips the router and exception middleware as well
            # (CORS has nothing to do for one): their coroutines would stay suspended for the
            # socket's whole life, ~3 KiB per idle connection.
            direct = self.direct.get(scope["path"]) if scope["type"] == "websocket" else None
            await (direct or self.cors)(scope, receive, send)
            return
        started = time.perf_counter()
        entry = observability.start_request()
        length = None
        app = self.app
        if scope["method"] in ("GET", "POST"):
            app = self.direct.get(scope["path"], app)
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"origin":
                app = self.cors
        https = scope.get("scheme") == "https"
        status = 500

        async def send_front(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = with_security_headers(message.get("headers") or [], https)
            await send(message)

        try:
            if length is not None and length.isdigit():
                if int(length) > self.max_bytes:
                    await _too_large(send_front)
                    return
                # The HTTP server reads no more than Content-Length: nothing to count.
                await app(scope, receive, send_front)
            else:
                await self._counted(app, scope, receive, send_front)
        finally:
            observability.log_access(scope, status, started, entry)

    async def _counted(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without Content-Length (chunked) is refused once it grows beyond the cap."""
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await app(scope, counting_receive, send)
        except BodyTooLarge:
            await _too_large(send)


class BodyTooLarge(Exception):
    pass


TOO_LARGE = (
    b'{"errors":[{"message":"Request body too large.","extensions":{"code":"BAD_USER_INPUT"}}]}'
)


async def _too_large(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(TOO_LARGE)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": TOO_LARGE})
