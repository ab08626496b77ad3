"""Domain errors. Each carries the public error code of ../shared/API.md.

The GraphQL layer reads `extensions` (graphql-core copies it from the original error), so the
mapping from domain failure to `extensions.code` lives here and nowhere else.
"""

from typing import Any


class DomainError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extra}


class BadUserInput(DomainError):
    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Not allowed.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, what: str = "Object") -> None:
        super().__init__(f"{what} not found.")


class Conflict(DomainError):
    code = "CONFLICT"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry in {retry_after} s.", retryAfter=retry_after)
