"""Automatic Persisted Queries, Apollo's protocol: a client sends
`extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}` and no query; an unknown
hash is answered with the error code PERSISTED_QUERY_NOT_FOUND, and the client sends the query
once with its hash, which is checked and stored. Over GET (query parameter `extensions`), the
answers to public queries can then be cached by URL (CDN, browser; see web/public_cache.py).

The store is a bounded LRU, by number of documents and by their total size, so nobody can grow
it: a flood of new documents only evicts the least recently used ones. A persisted query goes
through the same parsing, validation and limits as any other document.
"""

import hashlib
import re
from collections import OrderedDict
from typing import Any

MAX_DOCUMENTS = 4096
MAX_TOTAL_BYTES = 8 * 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """Answered as one GraphQL error with `code`, instead of executing anything."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


NOT_FOUND = PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)


class PersistedQueries:
    def __init__(self, max_documents: int = MAX_DOCUMENTS, max_bytes: int = MAX_TOTAL_BYTES):
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._documents: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: object, extensions: object) -> str | None:
        """The query to run for a request with these `query` and `extensions`: `query` itself
        without a persistedQuery extension, else the stored document (PERSISTED_QUERY_NOT_FOUND
        if unknown) or the given one once its hash is checked and it is stored."""
        if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
            return query if isinstance(query, str) else None
        persisted = extensions["persistedQuery"]
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "persistedQuery: only version 1 is supported", "BAD_USER_INPUT", 400
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not SHA256.fullmatch(digest):
            raise PersistedQueryError(
                "persistedQuery.sha256Hash: 64 lowercase hexadecimal digits", "BAD_USER_INPUT", 400
            )
        if query is None:
            document = self._documents.get(digest)
            if document is None:
                raise NOT_FOUND
            self._documents.move_to_end(digest)
            return document
        if not isinstance(query, str):
            return None  # strawberry refuses it
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT", 400)
        self.store(digest, query)
        return query

    def store(self, digest: str, query: str) -> None:
        size = len(query.encode())
        if size > self.max_bytes:
            return
        old = self._documents.pop(digest, None)
        if old is not None:
            self.size_bytes -= len(old.encode())
        self._documents[digest] = query
        self.size_bytes += size
        while len(self._documents) > self.max_documents or self.size_bytes > self.max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self.size_bytes -= len(evicted.encode())


def error_body(error: PersistedQueryError) -> dict[str, Any]:
    return {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
