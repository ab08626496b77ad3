"""The one guarded way out to the network: calendar feeds (ICS) and webhooks.

Server-side request forgery defence, checked again on every hop (the first URL and each redirect,
which are followed here, never by aiohttp):
- scheme allow-list (http, https, webcal -> https), no userinfo, a host is required;
- numeric hosts are canonicalised the way browsers do (127.1, 2130706433, 0x7f.0.0.1 ->
  127.0.0.1), so the allow-list and the address check see the real destination;
- unless the host is in `allowed_hosts`, EVERY address the name resolves to must be public.

DNS rebinding: each hop is resolved exactly once, here. The connector's resolver (`_PinnedResolver`)
answers only with those already-checked addresses and fails for any other name, so the socket goes
to an address that was checked, while the URL keeps its host name (Host header, TLS SNI and
certificate checks stay correct). Pinning beats filtering at connect time: a second lookup could
answer differently from the one that was checked.

Feed URLs are secrets (their path or query is often the only credential): error reasons and logs
carry at most scheme and host.
"""

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import re
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict
from yarl import URL

import tracing

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = {"http": "http", "https": "https", "webcal": "https"}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Not forwarded to another origin on redirect.
_ORIGIN_BOUND_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_CHUNK = 64 * 1024

# Spelled out rather than trusting only `is_private`/`is_global`, whose tables changed between
# Python patch releases (224/4 is "global" and fec0::/10 is "global" on 3.11, for instance).
_FORBIDDEN_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The destination is not allowed; nothing was sent to it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboundFailed(Exception):
    """The request was allowed but did not produce a usable response; `status` is the HTTP status
    of an answer that was not 2xx (401, 404, 410... decide what callers do next)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class FetchResult:
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool


def is_forbidden_address(ip: IPAddress) -> bool:
    """True unless `ip` is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 in IPv6 clothing is exactly as good as the IPv4 address it carries.
        embedded = ip.ipv4_mapped or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None
        )
        if embedded is not None:
            return is_forbidden_address(embedded)
        if ip.sixtofour is not None and is_forbidden_address(ip.sixtofour):
            return True
        if ip.is_site_local:
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in network for network in _FORBIDDEN_NETWORKS if network.version == ip.version)
    )


_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")


def _ipv4_number(part: str) -> int | None:
    if not _NUMBER.fullmatch(part):
        return None
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    try:
        return int(part, 8 if len(part) > 1 and part.startswith("0") else 10)
    except ValueError:  # 08, 09: not octal
        return None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The WHATWG URL IPv4 parser: None for a domain name, OutboundRefused for a broken number."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not _NUMBER.fullmatch(parts[-1]):
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if len(numbers) > 4 or any(n is None for n in numbers):
        raise OutboundRefused(f"invalid IPv4 host {host!r}")
    *head, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise OutboundRefused(f"invalid IPv4 host {host!r}")
    value = last + sum(n << (8 * (3 - i)) for i, n in enumerate(head))
    return ipaddress.IPv4Address(value)


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return _legacy_ipv4(host)


def _canonical_host(host: str) -> str:
    """How hosts are compared with `allowed_hosts`: lower case, IDNA, canonical IP text."""
    raw = URL.build(scheme="http", host=host.strip("[]")).raw_host or ""
    ip = _ip_literal(raw)
    return str(ip) if ip is not None else raw


def normalize_url(url: str) -> URL:
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        raise OutboundRefused("not a valid URL") from None
    scheme = parsed.scheme.lower()
    if scheme not in _SCHEMES:
        raise OutboundRefused(f"scheme {scheme!r} is not allowed" if scheme else "URL is relative")
    if parsed.user is not None or parsed.password is not None:
        raise OutboundRefused("credentials in the URL are not allowed")
    host = parsed.raw_host
    if not host:
        raise OutboundRefused("URL has no host")
    if ".." in host:
        raise OutboundRefused(f"invalid host {host!r}")
    parsed = parsed.with_scheme(_SCHEMES[scheme]).with_fragment(None)
    ip = _ip_literal(host)
    if ip is not None and str(ip) != host:
        parsed = parsed.with_host(str(ip))
    return parsed


def _origin(url: URL) -> str:
    return f"{url.scheme}://{url.raw_host}"


async def _resolve_name(host: str, port: int) -> list[ResolveResult]:
    """System resolution of a host name (a seam for tests)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    results: list[ResolveResult] = []
    for family, _, proto, _, sockaddr in infos:
        address = str(sockaddr[0])
        if family == socket.AF_INET6 and sockaddr[3]:
            address = f"{address}%{sockaddr[3]}"
        results.append(
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": family,
                "proto": proto,
                "flags": socket.AI_NUMERICHOST,
            }
        )
    return results


class _PinnedResolver(AbstractResolver):
    """Gives aiohttp only addresses that `fetch` resolved and checked itself."""

    def __init__(self) -> None:
        self.pinned: dict[str, list[ResolveResult]] = {}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[ResolveResult]:
        results = [
            r
            for r in self.pinned.get(host, ())
            if r["port"] == port and family in (socket.AF_UNSPEC, r["family"])
        ]
        if not results:
            raise OSError("host was not checked before connecting")
        return results

    async def close(self) -> None:
        pass


async def _check_and_pin(url: URL, allowed: frozenset[str], resolver: _PinnedResolver) -> None:
    host = url.raw_host
    if host is None or url.port is None:  # normalize_url guarantees both; refuse, never assume
        raise OutboundRefused("the address has no host")
    ip = _ip_literal(host)
    trusted = host in allowed
    if ip is not None:
        # aiohttp connects to IP literals directly, without asking the resolver.
        if not trusted and is_forbidden_address(ip):
            raise OutboundRefused(f"{_origin(url)} is not a public address")
        return
    name = host.rstrip(".")
    if not trusted and (name == "localhost" or name.endswith(".localhost")):
        # RFC 6761: loopback by definition, whatever a resolver might say.
        raise OutboundRefused(f"{_origin(url)} is not a public address")
    try:
        results = await _resolve_name(host, url.port)
    except OSError:
        raise OutboundFailed(f"could not resolve {_origin(url)}") from None
    if not results:
        raise OutboundFailed(f"could not resolve {_origin(url)}")
    if not trusted:
        for result in results:
            if is_forbidden_address(ipaddress.ip_address(result["host"])):
                raise OutboundRefused(f"{_origin(url)} resolves to a non-public address")
    resolver.pinned[host] = results


async def fetch(
    url: str,
    *,
    allowed_hosts: Sequence[str] = (),
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    timeout: float = 15.0,  # noqa: ASYNC109 (the API callers were promised; bounds all hops)
    max_redirects: int = 5,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> FetchResult:
    """Fetch `url` under the rules of this module; `timeout` bounds the whole call, all hops.

    Any method (PROPFIND, REPORT, PUT, DELETE...) with a body; `auth` is HTTP Basic (user,
    password), sent like every Authorization header only to the first URL's origin."""
    current = normalize_url(url)
    allowed = frozenset(_canonical_host(h) for h in allowed_hosts)
    request_headers = CIMultiDict({"Accept-Encoding": "gzip, deflate"})
    request_headers.update(headers or {})
    if auth is not None:
        request_headers["Authorization"] = aiohttp.encode_basic_auth(auth[0], auth[1])
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    method = method.upper()
    resolver = _PinnedResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
    try:
        async with (
            asyncio.timeout(timeout),
            aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # an environment proxy would connect on our behalf, unchecked
                timeout=aiohttp.ClientTimeout(total=timeout),
                trace_configs=tracing.client_trace_configs(),
            ) as session,
        ):
            redirects = 0
            while True:
                await _check_and_pin(current, allowed, resolver)
                log.debug("outbound %s %s", method, _origin(current))
                async with session.request(
                    method, current, data=body, headers=request_headers, allow_redirects=False
                ) as response:
                    location = response.headers.get("Location")
                    if response.status not in _REDIRECTS or not location:
                        return await _result(response, etag, last_modified, max_bytes)
                if redirects == max_redirects:
                    raise OutboundFailed(f"more than {max_redirects} redirects")
                redirects += 1
                try:
                    target = normalize_url(str(current.join(URL(location))))
                except ValueError:
                    raise OutboundRefused("invalid redirect location") from None
                if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                if (_origin(target), target.port) != (_origin(current), current.port):
                    for name in _ORIGIN_BOUND_HEADERS:
                        request_headers.popall(name, None)
                current = target
    except TimeoutError:
        raise OutboundFailed(f"{_origin(current)} timed out after {timeout:g} s") from None
    except aiohttp.ClientError as exc:
        raise OutboundFailed(f"{_origin(current)}: {type(exc).__name__}") from None


async def _result(
    response: aiohttp.ClientResponse, etag: str | None, last_modified: str | None, max_bytes: int
) -> FetchResult:
    new_etag = response.headers.get("ETag")
    new_last_modified = response.headers.get("Last-Modified")
    if response.status == 304:
        return FetchResult(
            status=304,
            body=b"",
            etag=new_etag or etag,
            last_modified=new_last_modified or last_modified,
            not_modified=True,
        )
    if not 200 <= response.status < 300:
        raise OutboundFailed(f"HTTP {response.status}", response.status)
    too_large = OutboundFailed(f"response larger than {max_bytes} bytes")
    # Content-Length counts encoded bytes, so it only allows an early refusal for identity bodies;
    # the real cap is on decompressed bytes as they stream in.
    length = response.content_length
    if length is not None and length > max_bytes and "Content-Encoding" not in response.headers:
        raise too_large
    received = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        received += chunk
        if len(received) > max_bytes:
            raise too_large
    return FetchResult(
        status=response.status,
        body=bytes(received),
        etag=new_etag,
        last_modified=new_last_modified,
        not_modified=False,
    )


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 over b"<timestamp>." + body: the timestamp is signed to stop replays."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_webhook_signature(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    expected = sign_webhook(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
