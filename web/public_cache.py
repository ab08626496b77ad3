"""A cache of whole HTTP answers to anonymous, read-only queries of public, time-independent data
(`eventType`): a hit is answered without running GraphQL.

- Only POSTed JSON or GET queries without an Authorization header; the key is the exact query
  text (a persisted query's stored document, web/persisted_queries.py), the variables (canonical
  JSON) and the operation name. Answers with errors are never kept.
- Answers to GET queries that may be kept here carry `Cache-Control: public, max-age=<ttl>`,
  `Vary: Authorization` and an ETag (If-None-Match: 304), so browsers and CDNs may keep them for
  as long as this cache would (graphql_app.py); no other answer carries Cache-Control.
- Whether a document may be cached is decided once per query text, from its root fields.
- Every committed change to what those fields read (an event type, or its host's public profile,
  status or existence) writes a `public-data` outbox event in its own transaction
  (services/changes.py). Publishing it, right after the commit, empties this process's cache at
  once and, through the event bus, every other process's (Redis across workers).
- An answer computed while a change was published is not kept (generation check), so no stale
  row read before a commit survives it. What could still go stale, an invalidation lost while
  Redis was unreachable or a process without a shared bus, lives at most `ttl` seconds.
- Nothing is served or kept while this process is not subscribed to the invalidations.
"""

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from prometheus_client import Counter

from events.messages import PUBLIC_DATA_CHANNEL
from events.outbox import Outbox
from web.persisted_queries import PersistedQueries

log = logging.getLogger(__name__)

# Root fields whose answers depend only on committed public data, never on the clock or on who
# asks. Adding one means publishing `public_data_changed` for every change it reads.
PUBLIC_ROOT_FIELDS = frozenset({"eventType", "__typename"})
MAX_ENTRY_BYTES = 32 * 1024  # query + variables + answer; larger ones are not kept
DOCUMENTS = 1024  # remembered "is this document cacheable" decisions

Key = tuple[str, str, str | None]

RESULTS = Counter(
    "bnm_public_cache_requests_total", "Anonymous queries by public-cache outcome", ["result"]
)
HIT, MISS = RESULTS.labels("hit"), RESULTS.labels("miss")


def canonical_json(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # e.g. an integer beyond 64 bits: the standard encoder writes it
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> Iterable[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                yield ""  # a cycle or an unknown fragment: invalid, never cached
                continue
            seen.add(name)
            yield from _root_fields(fragments[name].selection_set, fragments, seen)


def cacheable_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation that would run, if it is a query whose root fields are all public."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    fields = set(_root_fields(operations[0].selection_set, fragments, set()))
    return operations[0] if fields <= PUBLIC_ROOT_FIELDS else None


def _query_parameters(query_string: bytes) -> dict[str, Any]:
    """GET parameters as strawberry reads them (the last of repeated names; `variables` and
    `extensions` JSON)."""
    data: dict[str, Any] = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    for name in ("variables", "extensions"):
        if data.get(name):
            data[name] = orjson.loads(data[name])
    return data


def _anonymous(scope: dict[str, Any], method: str) -> bool:
    """No credentials, and for a POST a JSON body (as its last Content-Type says)."""
    json_body = False
    for name, value in scope["headers"]:
        if name == b"authorization":
            return False
        if name == b"content-type":
            json_body = b"application/json" in value
    return method == "GET" or json_body


def etag_of(answer: bytes) -> str:
    return '"%s"' % hashlib.blake2b(answer, digest_size=16).hexdigest()  # noqa: UP031


def is_cacheable(document: DocumentNode, operation_name: str | None) -> bool:
    return cacheable_operation(document, operation_name) is not None


class PublicCache:
    def __init__(
        self,
        *,
        max_entries: int,
        ttl: float,
        max_tokens: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self.max_tokens = max_tokens
        self.clock = clock
        self.generation = 0
        self.listening = False
        self._entries: OrderedDict[Key, tuple[bytes, str, float]] = OrderedDict()
        # GET query strings and POST bodies already read into keys (key_of).
        self._seen_keys: OrderedDict[tuple[str, bytes], Key] = OrderedDict()
        # Per query text and operation name: the operation's metrics label, or "" when the
        # document may not be cached.
        self._documents: OrderedDict[tuple[str, str | None], str] = OrderedDict()

    @property
    def size(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(
        scope: dict[str, Any], body: bytes, persisted: PersistedQueries | None = None
    ) -> Key | None:
        """The key of an anonymous POSTed JSON query, or None for any other request. The body is
        read as GraphQLApp.decode_json reads it (orjson), so the key names what is executed.
        With `persisted` (the Automatic Persisted Queries store), GET queries have keys too,
        and a query given by its hash is the stored document (PersistedQueryError otherwise)."""
        method = scope["method"]
        if method != "POST" and (method != "GET" or persisted is None):
            return None
        if not _anonymous(scope, method):
            return None
        try:
            if method == "GET":
                data: Any = _query_parameters(scope.get("query_string", b""))
            else:
                data = orjson.loads(body)
        except ValueError:  # orjson.JSONDecodeError: invalid, or nested beyond 1024
            return None
        if not isinstance(data, dict):
            return None
        query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
        extensions = data.get("extensions")
        if extensions not in (None, {}):
            if persisted is None or not isinstance(extensions, dict) or len(extensions) != 1:
                return None
            query = persisted.resolve(query, extensions)
        if not isinstance(query, str) or not isinstance(name, str | None):
            return None
        if variables is None or variables == {}:
            return query, "{}", name
        if not isinstance(variables, dict):
            return None
        return query, canonical_json(variables), name

    def key_of(
        self, scope: dict[str, Any], body: bytes, persisted: PersistedQueries | None = None
    ) -> Key | None:
        """`key`, remembering the keys of GET query strings and POST bodies (DOCUMENTS of
        each): a client or CDN repeats the same ones, and reading them (JSON, percent-decoding,
        canonical variables, a persisted query) is most of a hit's work."""
        method = scope["method"]
        seen = (method, scope.get("query_string", b"") if method == "GET" else body)
        known = self._seen_keys.get(seen)
        if known is not None:
            return known if _anonymous(scope, method) else None
        key = self.key(scope, body, persisted)
        if key is not None and len(seen[1]) <= MAX_ENTRY_BYTES:
            self._seen_keys[seen] = key
            if len(self._seen_keys) > DOCUMENTS:
                self._seen_keys.popitem(last=False)
        return key

    def get(self, key: Key) -> bytes | None:
        entry = self.entry(key)
        return None if entry is None else entry[0]

    def entry(self, key: Key) -> tuple[bytes, str] | None:
        """The kept answer and its ETag."""
        if not self.listening:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        body, etag, expires = entry
        if self.clock() >= expires:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        HIT.inc()
        return body, etag

    def cacheable(self, key: Key) -> bool:
        return bool(self.operation(key))

    def operation(self, key: Key) -> str:
        """The name that metrics give the operation of a cacheable query ("anonymous" when it
        has none), or "" when the query may not be cached. Decided once per query text and
        operation name."""
        query, variables, operation_name = key
        if len(query) + len(variables) > MAX_ENTRY_BYTES:
            return ""
        document_key = (query, operation_name)
        label = self._documents.get(document_key)
        if label is None:
            try:
                operation = cacheable_operation(
                    parse(query, max_tokens=self.max_tokens), operation_name
                )
            except GraphQLError:
                operation = None
            if operation is None:
                label = ""
            else:
                label = operation.name.value if operation.name else "anonymous"
            self._documents[document_key] = label
            if len(self._documents) > DOCUMENTS:
                self._documents.popitem(last=False)
        return label

    def store(self, key: Key, answer: bytes, generation: int) -> str | None:
        """Keeps the answer to a cacheable query if it has no errors and no change was published
        since `generation` was read before executing it (its rows may predate that commit).
        Returns the answer's ETag when it is one of a cacheable query, without errors (HTTP
        caches may keep it, for at most the TTL), kept here or not."""
        if not self.listening or not self.cacheable(key):
            return None
        MISS.inc()
        if b'"errors":' in answer:
            return None
        etag = etag_of(answer)
        query, variables, _ = key
        if generation != self.generation or len(answer) + len(query) + len(variables) > (
            MAX_ENTRY_BYTES
        ):
            return etag
        self._entries[key] = (answer, etag, self.clock() + self.ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return etag

    def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()

    async def listen(self, outbox: Outbox, retry_seconds: float = 1.0) -> None:
        """Runs for the life of the server: every `public-data` message empties the cache, this
        process's as soon as it publishes one, others' when the bus brings it."""
        outbox.on_publish(PUBLIC_DATA_CHANNEL, self.invalidate)
        while True:
            try:
                async with outbox.bus.subscribe(PUBLIC_DATA_CHANNEL, maxsize=1) as changes:
                    self.invalidate()  # whatever happened while not subscribed
                    self.listening = True
                    async for _ in changes:
                        self.invalidate()
            except Exception:
                log.warning("public cache: no invalidations (retrying)", exc_info=True)
            finally:
                self.listening = False
                self.invalidate()
            await asyncio.sleep(retry_seconds)
