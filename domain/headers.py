"""Text that goes into a mail header or a one-line calendar property: user input (names, titles)
must never start a new line there, so control characters and Unicode line breaks become spaces."""

import re

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(value: str, max_length: int) -> str:
    """`value` on one line, without control characters, at most `max_length` characters."""
    return " ".join(_BREAKS.sub(" ", value).split())[:max_length]
