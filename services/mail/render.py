"""Templates (jinja2, autoescape on for HTML) -> the text and HTML parts of a message. User input
reaches the HTML part only escaped; the text part is plain text and never interpreted."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: object) -> tuple[str, str]:
    """(text, html) of the template pair `name.txt` and `name.html`."""
    env = environment()
    return (
        env.get_template(f"{name}.txt").render(**context),
        env.get_template(f"{name}.html").render(**context),
    )


def page(name: str, **context: object) -> str:
    """An HTML page (autoescaped), e.g. the dev mailbox."""
    return environment().get_template(name).render(**context)
