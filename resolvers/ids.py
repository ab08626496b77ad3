import strawberry

from domain.errors import NotFound


def parse_id(value: strawberry.ID | str, what: str) -> int:
    """IDs are opaque to clients; anything that is not one of ours is simply not found."""
    try:
        number = int(str(value))
    except ValueError:
        raise NotFound(what) from None
    if number <= 0 or number > 2**31 - 1:
        raise NotFound(what)
    return number
