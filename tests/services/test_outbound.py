"""Guarded outbound HTTP. Network traffic stays on loopback: a counting aiohttp server on
127.0.0.1 (plus ::1 and 127.0.0.2 on the same port where possible, so a refusal that leaked a
request would show up in `hits`), and host names faked through `outbound._resolve_name`."""

import asyncio
import gzip
import ipaddress
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.abc import ResolveResult

from services import outbound
from services.outbound import (
    FetchResult,
    OutboundFailed,
    OutboundRefused,
    fetch,
    is_forbidden_address,
    normalize_url,
    sign_webhook,
    verify_webhook_signature,
)

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


# --- the decision function -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "0.0.0.0",
        "::",
        "::1",
        "fe80::1",
        "fec0::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
        "2001:db8::1",
        "2001::1",
    ],
)
def test_forbidden_addresses(address: str) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses(address: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(address))


# --- URL normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_GET",
        "ftp://example.com/feed.ics",
        "data:text/calendar,BEGIN",
        "javascript:alert(1)",
        "webcals://example.com/feed.ics",
        "/relative/feed.ics",
        "https://user:secret@example.com/feed.ics",
        "http:///feed.ics",
        "http://256.0.0.1/",
        "http://08.0.0.1/",
    ],
)
def test_normalize_refuses(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        normalize_url(url)
    assert "secret" not in refused.value.reason


def test_webcal_becomes_https() -> None:
    assert (
        str(normalize_url("webcal://Example.com/cal.ics?k=1")) == "https://example.com/cal.ics?k=1"
    )
    assert normalize_url("WEBCAL://example.com:8443/cal.ics").port == 8443


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "017700000001", "127.0.0.1."]
)
def test_numeric_hosts_are_canonicalised(host: str) -> None:
    assert normalize_url(f"http://{host}:8080/x").raw_host == "127.0.0.1"


# --- a local server --------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    hits: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _bind(host: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(16)
        sock.setblocking(False)
    except OSError:
        sock.close()
        return None
    return sock


def _app(server: Server) -> web.Application:
    @web.middleware
    async def count(request: web.Request, handler):  # type: ignore[no-untyped-def]
        server.hits.append(request.path_qs)
        server.headers.append(dict(request.headers))
        return await handler(request)

    async def feed(request: web.Request) -> web.Response:
        if (
            request.headers.get("If-None-Match") == ETAG
            or request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(
            body=ICS,
            content_type="text/calendar",
            headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
        )

    async def gzipped(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(ICS * 100), headers={"Content-Encoding": "gzip"})

    async def bomb(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(b"\0" * 2_000_000), headers={"Content-Encoding": "gzip"}
        )

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000)

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to trust
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"y" * 1000)
        await response.write_eof()
        return response

    async def slow(request: web.Request) -> web.Response:
        await asyncio.wait_for(server.release.wait(), 10)
        return web.Response(body=ICS)

    async def error(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async def to_localhost(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://localhost:{server.port}/target")

    async def to_file(request: web.Request) -> web.Response:
        raise web.HTTPFound("file:///etc/passwd")

    async def relative(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("feed")

    async def hop(request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        if left == 0:
            return web.Response(text="arrived")
        raise web.HTTPFound(f"/hop/{left - 1}")

    async def see_other(request: web.Request) -> web.Response:
        raise web.HTTPSeeOther("/echo")

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "method": request.method,
                "body": (await request.read()).decode(),
                "signature": request.headers.get("X-Signature"),
                "content_type": request.headers.get("Content-Type"),
                "host": request.headers.get("Host"),
            }
        )

    app = web.Application(middlewares=[count])
    app.router.add_get("/feed", feed)
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/big", big)
    app.router.add_get("/streamed", streamed)
    app.router.add_get("/slow", slow)
    app.router.add_get("/error", error)
    app.router.add_get("/to-localhost", to_localhost)
    app.router.add_get("/to-file", to_file)
    app.router.add_get("/relative/start", relative)
    app.router.add_get("/relative/feed", feed)
    app.router.add_get("/hop/{left}", hop)
    app.router.add_post("/see-other", see_other)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/target", echo)
    app.router.add_get("/", echo)
    return app


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    main = _bind("127.0.0.1", 0)
    assert main is not None
    port = main.getsockname()[1]
    sockets = [main, *filter(None, (_bind("::1", port), _bind("127.0.0.2", port)))]
    state = Server(port=port)
    runner = web.AppRunner(_app(state), shutdown_timeout=1)
    await runner.setup()
    for sock in sockets:
        await web.SockSite(runner, sock).start()
    yield state
    state.release.set()
    await runner.cleanup()


def _fake_dns(
    monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]], calls: list[str] | None = None
) -> None:
    async def resolve(host: str, port: int) -> list[ResolveResult]:
        if calls is not None:
            calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [
            {
                "hostname": host,
                "host": a,
                "port": port,
                "family": socket.AF_INET6 if ":" in a else socket.AF_INET,
                "proto": socket.IPPROTO_TCP,
                "flags": socket.AI_NUMERICHOST,
            }
            for a in answers[host]
        ]

    monkeypatch.setattr(outbound, "_resolve_name", resolve)


# --- refusals: nothing may reach the server --------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LocalHost.",
        "[::1]",
        "127.0.0.2",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0x7f.0.0.1",
        "017700000001",
        "0.0.0.0",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
    ],
)
async def test_loopback_is_refused_without_allow_list(server: Server, host: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        await fetch(server.url("/secret-token?key=hunter2", host=host))
    assert "secret-token" not in refused.value.reason
    assert "hunter2" not in refused.value.reason
    assert server.hits == []


async def test_allow_list_is_per_spelling(server: Server) -> None:
    with pytest.raises(OutboundRefused):
        await fetch(server.url(host="localhost"), allowed_hosts=["127.0.0.1"])
    with pytest.raises(OutboundRefused):
        await fetch(server.url(host="127.0.0.2"), allowed_hosts=["127.0.0.1"])
    assert server.hits == []


async def test_every_address_must_be_public(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.1"]})
    with pytest.raises(OutboundRefused, match="non-public"):
        await fetch("https://mixed.example/feed.ics")


async def test_unresolvable_host_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {})
    with pytest.raises(OutboundFailed, match="could not resolve"):
        await fetch("https://nowhere.example/feed.ics")


# --- fetching from an allowed host -----------------------------------------------------------


async def test_fetch_feed_and_conditional_requests(server: Server) -> None:
    allowed = ["127.0.0.1"]
    first = await fetch(server.url("/feed"), allowed_hosts=allowed)
    assert first == FetchResult(
        status=200, body=ICS, etag=ETAG, last_modified=LAST_MODIFIED, not_modified=False
    )

    by_etag = await fetch(server.url("/feed"), allowed_hosts=allowed, etag=first.etag)
    assert by_etag.not_modified and by_etag.status == 304 and by_etag.body == b""
    assert server.headers[-1]["If-None-Match"] == ETAG

    by_date = await fetch(
        server.url("/feed"), allowed_hosts=allowed, last_modified=first.last_modified
    )
    assert by_date.not_modified and by_date.body == b""
    assert by_date.last_modified == LAST_MODIFIED
    assert server.headers[-1]["If-Modified-Since"] == LAST_MODIFIED


async def test_allow_list_is_case_insensitive_and_uses_checked_address(server: Server) -> None:
    result = await fetch(server.url("/", host="localhost"), allowed_hosts=["LOCALHOST"])
    assert json.loads(result.body)["host"] == f"localhost:{server.port}"


async def test_webcal_url_is_checked_as_https() -> None:
    with pytest.raises(OutboundRefused) as refused:
        await fetch("webcal://127.0.0.1/secret.ics")
    assert refused.value.reason == "https://127.0.0.1 is not a public address"


async def test_gzip_is_decoded(server: Server) -> None:
    result = await fetch(server.url("/gzip"), allowed_hosts=["127.0.0.1"])
    assert result.body == ICS * 100
    assert "gzip" in server.headers[-1]["Accept-Encoding"]


@pytest.mark.parametrize("path", ["/big", "/streamed", "/bomb"])
async def test_size_cap(server: Server, path: str) -> None:
    with pytest.raises(OutboundFailed, match="larger than"):
        await fetch(server.url(path), allowed_hosts=["127.0.0.1"], max_bytes=4000)


async def test_size_cap_allows_exact_size(server: Server) -> None:
    result = await fetch(server.url("/big"), allowed_hosts=["127.0.0.1"], max_bytes=5000)
    assert len(result.body) == 5000


async def test_timeout(server: Server) -> None:
    with pytest.raises(OutboundFailed, match="timed out"):
        await fetch(server.url("/slow"), allowed_hosts=["127.0.0.1"], timeout=0.3)


async def test_http_error(server: Server) -> None:
    with pytest.raises(OutboundFailed) as failed:
        await fetch(server.url("/error"), allowed_hosts=["127.0.0.1"])
    assert failed.value.reason == "HTTP 500"


async def test_connection_error_reason_has_no_path(server: Server) -> None:
    closed = _bind("127.0.0.1", 0)
    assert closed is not None
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(OutboundFailed) as failed:
        await fetch(f"http://127.0.0.1:{port}/secret-token", allowed_hosts=["127.0.0.1"])
    assert "secret-token" not in failed.value.reason


# --- redirects -------------------------------------------------------------------------------


async def test_redirect_to_disallowed_host_is_refused(server: Server) -> None:
    with pytest.raises(OutboundRefused):
        await fetch(server.url("/to-localhost"), allowed_hosts=["127.0.0.1"])
    assert server.hits == ["/to-localhost"]


async def test_redirect_to_other_scheme_is_refused(server: Server) -> None:
    with pytest.raises(OutboundRefused, match="file"):
        await fetch(server.url("/to-file"), allowed_hosts=["127.0.0.1"])


async def test_relative_redirect(server: Server) -> None:
    result = await fetch(server.url("/relative/start"), allowed_hosts=["127.0.0.1"])
    assert result.body == ICS
    assert server.hits == ["/relative/start", "/relative/feed"]


async def test_redirect_limit(server: Server) -> None:
    allowed = ["127.0.0.1"]
    assert (await fetch(server.url("/hop/3"), allowed_hosts=allowed, max_redirects=3)).body == (
        b"arrived"
    )
    with pytest.raises(OutboundFailed, match="redirects"):
        await fetch(server.url("/hop/4"), allowed_hosts=allowed, max_redirects=3)
    with pytest.raises(OutboundFailed, match="redirects"):
        await fetch(server.url("/hop/1"), allowed_hosts=allowed, max_redirects=0)


async def test_credentials_are_not_forwarded_to_another_origin(server: Server) -> None:
    result = await fetch(
        server.url("/to-localhost"),
        allowed_hosts=["127.0.0.1", "localhost"],
        headers={"Authorization": "Bearer secret", "X-Signature": "kept"},
    )
    assert json.loads(result.body)["signature"] == "kept"
    assert server.headers[0]["Authorization"] == "Bearer secret"
    assert "Authorization" not in server.headers[1]


# --- DNS: pinned, never re-resolved ----------------------------------------------------------


async def test_connects_to_the_checked_address(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`feed.test` exists only in the fake: the connector can only have used the pinned answer.
    The second answer would be a rebinding to a forbidden address; it must never be asked for."""
    answers = iter([["127.0.0.1"], ["127.0.0.3"]])
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[ResolveResult]:
        calls.append(host)
        (address,) = next(answers)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET,
                "proto": socket.IPPROTO_TCP,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    monkeypatch.setattr(outbound, "_resolve_name", rebinding)
    # Only 127.0.0.1 counts as public here, so the check itself is exercised, not bypassed.
    monkeypatch.setattr(
        outbound, "is_forbidden_address", lambda ip: ip != ipaddress.ip_address("127.0.0.1")
    )
    result = await fetch(f"http://feed.test:{server.port}/")
    assert json.loads(result.body)["host"] == f"feed.test:{server.port}"
    assert calls == ["feed.test"]


async def test_resolver_refuses_unchecked_names() -> None:
    resolver = outbound._PinnedResolver()
    with pytest.raises(OSError):
        await resolver.resolve("unchecked.example", 443)


# --- webhooks --------------------------------------------------------------------------------


async def test_post_with_body_and_headers(server: Server) -> None:
    result = await fetch(
        server.url("/echo"),
        allowed_hosts=["127.0.0.1"],
        method="POST",
        body=b'{"event":"booking.created"}',
        headers={"Content-Type": "application/json", "X-Signature": "abc"},
    )
    assert result.status == 200
    assert json.loads(result.body) == {
        "method": "POST",
        "body": '{"event":"booking.created"}',
        "signature": "abc",
        "content_type": "application/json",
        "host": f"127.0.0.1:{server.port}",
    }


async def test_see_other_turns_post_into_get(server: Server) -> None:
    result = await fetch(
        server.url("/see-other"), allowed_hosts=["127.0.0.1"], method="POST", body=b"payload"
    )
    assert json.loads(result.body)["method"] == "GET"
    assert json.loads(result.body)["body"] == ""


def test_webhook_signature_round_trip() -> None:
    body = b'{"event":"booking.created"}'
    signature = sign_webhook("s3cret", 1_700_000_000, body)
    assert len(signature) == 64 and int(signature, 16) >= 0
    assert verify_webhook_signature("s3cret", 1_700_000_000, body, signature)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body"),
    [
        ("other", 1_700_000_000, b'{"event":"booking.created"}'),
        ("s3cret", 1_700_000_001, b'{"event":"booking.created"}'),
        ("s3cret", 1_700_000_000, b'{"event":"booking.cancelled"}'),
    ],
)
def test_webhook_signature_detects_tampering(secret: str, timestamp: int, body: bytes) -> None:
    signature = sign_webhook("s3cret", 1_700_000_000, b'{"event":"booking.created"}')
    assert not verify_webhook_signature(secret, timestamp, body, signature)


def test_webhook_signature_rejects_garbage() -> None:
    assert not verify_webhook_signature("s3cret", 1, b"", "")
    assert not verify_webhook_signature("s3cret", 1, b"", "é" * 64)
