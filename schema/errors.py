"""The one mapping from failures to `extensions.code` on the wire.

- A DomainError keeps its own code (its `extensions` reach the GraphQL error).
- An error without a path was raised before execution (syntax, validation, variable coercion such
  as a DateTime without offset): the request was bad, so BAD_USER_INPUT.
- Anything else is a bug: masked as INTERNAL, logged with the request id.
"""

import logging
import uuid

from graphql.error import GraphQLError

from domain.errors import DomainError

log = logging.getLogger("booknmeet.errors")

INTERNAL_MESSAGE = "Internal error."


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def classify(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if _code(error):
        return str(_code(error))
    if error.path is None:
        return "BAD_USER_INPUT"
    return "INTERNAL"


def needs_masking(error: GraphQLError) -> bool:
    return classify(error) == "INTERNAL" and _code(error) != "INTERNAL"


def code_errors(errors: list[GraphQLError], context: object) -> list[GraphQLError]:
    """Every error with its code, internal ones masked (logged with the request id): what the
    pipeline (schema/pipeline.py) makes of an operation's errors."""
    tag_codes(errors)
    if not any(needs_masking(error) for error in errors):
        return errors
    request_id = getattr(context, "request_id", None) or uuid.uuid4().hex
    return [masked(error, request_id) if needs_masking(error) else error for error in errors]


def masked(error: GraphQLError, request_id: str) -> GraphQLError:
    """What the client sees instead of `error`, which is logged with the request id."""
    log.error(
        "internal error in %s (request %s)",
        ".".join(map(str, error.path or [])) or "operation",
        request_id,
        exc_info=error.original_error,
    )
    return GraphQLError(
        message=INTERNAL_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


def coded(errors: list[GraphQLError], request_id: str) -> list[GraphQLError]:
    """What code_errors makes of a result's errors, for results executed outside strawberry's
    pipeline (shared subscription events)."""
    tag_codes(errors)
    return [masked(error, request_id) if needs_masking(error) else error for error in errors]


def tag_codes(errors: list[GraphQLError]) -> None:
    """Sets the code of every error that is not INTERNAL (those are masked by code_errors)."""
    for error in errors:
        code = classify(error)
        if code != "INTERNAL" and _code(error) != code:
            error.extensions = {**(error.extensions or {}), "code": code}


def mask_in_place(error: GraphQLError, request_id: str) -> None:
    """For errors that bypass the extension (a failure before the operation could start)."""
    log.error("internal error (request %s)", request_id, exc_info=error.original_error)
    error.message = INTERNAL_MESSAGE
    error.original_error = None
    error.extensions = {"code": "INTERNAL", "requestId": request_id}
