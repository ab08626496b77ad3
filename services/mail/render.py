"""Templates (jinja2, autoescape on for HTML) -> the text and HTML parts of a message. User input
reaches the HTML part only escaped; the text part is plain text and never interpreted."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

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
        # The templates ship with the code: no stat of each file (and its layout) per message.
        auto_reload=False,
    )


def render(name: str, **context: object) -> tuple[str, str]:
    """(text, html) of the template pair `name.txt` and `name.html`."""
    text, html = _pair(name)
    return text.render(**context), html.render(**context)


@cache
def _pair(name: str) -> tuple[Template, Template]:
    env = environment()
    return env.get_template(f"{name}.txt"), env.get_template(f"{name}.html")


def page(name: str, **context: object) -> str:
    """An HTML page (autoescaped), e.g. the dev mailbox."""
    return environment().get_template(name).render(**context)
