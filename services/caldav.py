"""A small CalDAV client (RFC 4791, RFC 6578 sync-collection), every request through the SSRF guard.

XML is parsed with defusedxml (no DTDs, no entity expansion, no external entities). The password
travels only as HTTP Basic to the collection's origin (outbound drops Authorization on a redirect
to another origin) and never appears in a reason, a log line or an exception.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote
from xml.etree.ElementTree import Element  # only the type; parsing is defusedxml's

from defusedxml import ElementTree
from yarl import URL

from services import outbound
from services.outbound import FetchResult, OutboundFailed

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
# Generous: a server may compute a large collection's sync-token on first demand (Radicale: tens
# of seconds for 2,000 events on a busy machine).
TIMEOUT = 60.0
MAX_BYTES = 20 * 1024 * 1024
MULTIGET_BATCH = 200


class CalDavError(Exception):
    """The server answered, but not as a usable calendar collection; `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadCredentials(CalDavError):
    def __init__(self) -> None:
        super().__init__("the server refused the username or password")


class SyncTokenExpired(CalDavError):
    def __init__(self) -> None:
        super().__init__("the sync token is no longer valid")


@dataclass(frozen=True, slots=True)
class Account:
    url: str  # the calendar collection, ending in /
    username: str
    password: str
    allowed_hosts: Sequence[str]


@dataclass(frozen=True, slots=True)
class Resource:
    href: str
    data: bytes | None  # None: removed


@dataclass(frozen=True, slots=True)
class CollectionState:
    sync_token: str | None
    ctag: str | None
    supports_sync: bool


@dataclass(frozen=True, slots=True)
class Changes:
    changed: list[str]  # hrefs
    removed: list[str]
    sync_token: str | None


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


async def _send(
    account: Account,
    method: str,
    url: str,
    body: bytes | None = None,
    *,
    depth: str | None = None,
    content_type: str = "application/xml; charset=utf-8",
    extra: dict[str, str] | None = None,
) -> FetchResult:
    headers = {"Content-Type": content_type} if body is not None else {}
    if depth is not None:
        headers["Depth"] = depth
    headers.update(extra or {})
    try:
        return await outbound.fetch(
            url,
            allowed_hosts=account.allowed_hosts,
            method=method,
            body=body,
            headers=headers,
            auth=(account.username, account.password),
            max_bytes=MAX_BYTES,
            timeout=TIMEOUT,
        )
    except OutboundFailed as failed:
        if failed.status == 401:
            raise BadCredentials() from None
        raise


def _parse(body: bytes) -> Element:
    try:
        return ElementTree.fromstring(body)
    except Exception:  # ParseError, or defusedxml's refusal of DTDs and entities
        raise CalDavError("the server's answer is not usable XML") from None


def _responses(root: Element) -> list[tuple[str, int, Element | None]]:
    """(href, status, prop) per response of a multistatus; status from the 200 propstat if any."""
    found: list[tuple[str, int, Element | None]] = []
    for response in root.iter(_q(DAV, "response")):
        href = (response.findtext(_q(DAV, "href")) or "").strip()
        status = _status(response.findtext(_q(DAV, "status")))
        prop = None
        for propstat in response.findall(_q(DAV, "propstat")):
            if _status(propstat.findtext(_q(DAV, "status"))) == 200:
                prop, status = propstat.find(_q(DAV, "prop")), 200
        found.append((href, status or 200, prop))
    return found


def _status(line: str | None) -> int | None:
    parts = (line or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def _same_resource(account: Account, href: str) -> str:
    """The absolute URL of an href, refused unless it lies inside the collection."""
    collection = URL(account.url)
    target = collection.join(URL(href))
    if target.origin() != collection.origin() or not unquote(target.path).startswith(
        unquote(collection.path)
    ):
        raise CalDavError("the server named a resource outside the calendar")
    return str(target)


async def state(account: Account) -> CollectionState:
    """PROPFIND the collection: that it is a calendar, its sync-token, its ctag."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
        b"<d:prop><d:resourcetype/><d:sync-token/><cs:getctag/><d:supported-report-set/></d:prop>"
        b"</d:propfind>"
    )
    result = await _send(account, "PROPFIND", account.url, body, depth="0")
    responses = _responses(_parse(result.body))
    prop = next((p for _, status, p in responses if status == 200 and p is not None), None)
    if prop is None:
        raise CalDavError("the address is not a CalDAV collection")
    kind = prop.find(_q(DAV, "resourcetype"))
    if kind is None or kind.find(_q(CALDAV, "calendar")) is None:
        raise CalDavError("the address is not a calendar collection")
    reports = prop.find(_q(DAV, "supported-report-set"))
    supports_sync = (
        reports is not None and reports.find(f".//{_q(DAV, 'sync-collection')}") is not None
    )
    sync_token = (prop.findtext(_q(DAV, "sync-token")) or "").strip() or None
    return CollectionState(
        sync_token=sync_token,
        ctag=(prop.findtext(_q(CS, "getctag")) or "").strip() or None,
        supports_sync=supports_sync or sync_token is not None,
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


async def events_between(account: Account, start: datetime, end: datetime) -> list[Resource]:
    """calendar-query REPORT: every VEVENT resource overlapping [start, end), with its data."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{_stamp(start)}" end="{_stamp(end)}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    ).encode()
    result = await _send(account, "REPORT", account.url, body, depth="1")
    return _with_data(account, _parse(result.body))


def _with_data(account: Account, root: Element) -> list[Resource]:
    resources = []
    for href, status, prop in _responses(root):
        if status != 200 or prop is None:
            continue
        data = prop.findtext(_q(CALDAV, "calendar-data"))
        if data is None:
            continue
        _same_resource(account, href)
        resources.append(Resource(href=href, data=data.encode()))
    return resources


async def changes_since(account: Account, token: str) -> Changes:
    """sync-collection REPORT (RFC 6578): hrefs changed or removed since `token`."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{_xml_text(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    ).encode()
    try:
        result = await _send(account, "REPORT", account.url, body, depth="0")
    except OutboundFailed as failed:
        if failed.status in (403, 409, 412):  # valid-sync-token precondition
            raise SyncTokenExpired() from None
        raise
    root = _parse(result.body)
    changed, removed = [], []
    for href, status, _ in _responses(root):
        if not href or href.rstrip("/") == URL(account.url).path.rstrip("/"):
            continue
        _same_resource(account, href)
        (removed if status == 404 else changed).append(href)
    new_token = (root.findtext(_q(DAV, "sync-token")) or "").strip() or None
    return Changes(changed=changed, removed=removed, sync_token=new_token)


async def fetch_resources(account: Account, hrefs: list[str]) -> list[Resource]:
    """calendar-multiget REPORT of the given hrefs."""
    resources: list[Resource] = []
    for first in range(0, len(hrefs), MULTIGET_BATCH):
        batch = hrefs[first : first + MULTIGET_BATCH]
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            + "".join(f"<d:href>{_xml_text(h)}</d:href>" for h in batch)
            + "</c:calendar-multiget>"
        ).encode()
        result = await _send(account, "REPORT", account.url, body, depth="1")
        resources.extend(_with_data(account, _parse(result.body)))
    return resources


def resource_url(account: Account, name: str) -> str:
    return str(URL(account.url) / name)


async def put(account: Account, name: str, data: bytes) -> None:
    await _send(
        account,
        "PUT",
        resource_url(account, name),
        data,
        content_type="text/calendar; charset=utf-8",
    )


async def delete(account: Account, name: str) -> None:
    """Removes the resource; one that is already gone counts as removed."""
    try:
        await _send(account, "DELETE", resource_url(account, name))
    except OutboundFailed as failed:
        if failed.status not in (404, 410):
            raise


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
