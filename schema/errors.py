"""The one mapping from failures to `extensions.code` on the wire.

- A DomainError keeps its own code (its `extensions` reach the GraphQL error).
- An error without a path was raised before execution (syntax, validation, variable coercion such
  as a DateTime without offset): the request was bad, so BAD_USER_INPUT.
- Anything else is a bug: masked as INTERNAL, logged with the request id.
"""

import logging
import uuid

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

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


class CodedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=needs_masking)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = getattr(self.execution_context, "context", None)
        return masked(error, getattr(context, "request_id", None) or uuid.uuid4().hex)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        tag_codes(errors)
        return super()._process_errors(errors)


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
    """What CodedErrors makes of a result's errors, for results executed outside strawberry's
    pipeline (shared subscription events)."""
    tag_codes(errors)
    return [masked(error, request_id) if needs_masking(error) else error for error in errors]


def tag_codes(errors: list[GraphQLError]) -> None:
    """Sets the code of every error that is not INTERNAL (those are masked by CodedErrors)."""
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
