"""Booking questions of an event type and the answers a booker gives to them."""

import re
from dataclasses import dataclass

import phonenumbers

from domain import validation
from domain.errors import BadUserInput

KINDS = ("SHORT_TEXT", "LONG_TEXT", "SINGLE_CHOICE", "MULTIPLE_CHOICE", "CHECKBOX", "PHONE")
CHOICES = ("SINGLE_CHOICE", "MULTIPLE_CHOICE")
KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_QUESTIONS, MAX_OPTIONS = 20, 50
MAX_LENGTH = {"SHORT_TEXT": 200, "LONG_TEXT": 5000}
YES, NO = "true", "false"


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    label: str
    kind: str
    required: bool = False
    options: tuple[str, ...] = ()


def questions(given: list[Question]) -> list[dict[str, object]]:
    """The questions as stored; raises BadUserInput naming `questions[i].<field>`."""
    if len(given) > MAX_QUESTIONS:
        raise BadUserInput("questions", f"at most {MAX_QUESTIONS} questions")
    stored: list[dict[str, object]] = []
    seen: set[str] = set()
    for i, q in enumerate(given):
        field = f"questions[{i}]"
        if not KEY.fullmatch(q.key) or q.key in seen:
            raise BadUserInput(f"{field}.key", "1-40 letters, digits, _ or -, unique")
        seen.add(q.key)
        if q.kind not in KINDS:
            raise BadUserInput(f"{field}.kind", f"must be one of {', '.join(KINDS)}")
        label = validation.text(q.label, field=f"{field}.label", max_length=200)
        options = [validation.text(o, field=f"{field}.options", max_length=200) for o in q.options]
        if q.kind in CHOICES:
            if not options or len(options) > MAX_OPTIONS or len(set(options)) != len(options):
                raise BadUserInput(f"{field}.options", f"1 to {MAX_OPTIONS} distinct options")
        elif options:
            raise BadUserInput(f"{field}.options", "only choice questions have options")
        stored.append(
            {
                "key": q.key,
                "label": label,
                "kind": q.kind,
                "required": q.required,
                "options": options,
            }
        )
    return stored


def from_stored(rows: list[dict[str, object]] | object) -> list[Question]:
    if not isinstance(rows, list):
        return []
    return [
        Question(
            key=str(r["key"]),
            label=str(r["label"]),
            kind=str(r["kind"]),
            required=bool(r.get("required")),
            options=tuple(str(o) for o in r.get("options") or ()),
        )
        for r in rows
    ]


def _phone(value: str, field: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise BadUserInput(field, "not an international phone number (+country code)") from None
    if not phonenumbers.is_valid_number(number):
        raise BadUserInput(field, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _value(question: Question, value: str, field: str) -> str:
    kind = question.kind
    if kind in MAX_LENGTH:
        return validation.text(value, field=field, max_length=MAX_LENGTH[kind], required=False)
    if kind in CHOICES:
        if value not in question.options:
            raise BadUserInput(field, "not one of the options")
        return value
    if kind == "CHECKBOX":
        if value not in (YES, NO):
            raise BadUserInput(field, f'"{YES}" or "{NO}"')
        return value
    return _phone(value, field)


def answer(asked: list[Question], given: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The answers as stored, in question order ([{key, label, value}], one entry per chosen
    option of a MULTIPLE_CHOICE); raises BadUserInput naming `answers.<key>`."""
    by_key = {q.key: q for q in asked}
    values: dict[str, list[str]] = {}
    for key, value in given:
        field = f"answers.{key}"
        question = by_key.get(key)
        if question is None:
            raise BadUserInput(field, "no such question")
        if key in values and question.kind != "MULTIPLE_CHOICE":
            raise BadUserInput(field, "answered more than once")
        cleaned = _value(question, value, field)
        if cleaned and cleaned not in values.get(key, []):
            values.setdefault(key, []).append(cleaned)
    out = []
    for question in asked:
        chosen = values.get(question.key, [])
        if question.required and (not chosen or chosen == [NO]):
            raise BadUserInput(f"answers.{question.key}", "required")
        out += [{"key": question.key, "label": question.label, "value": v} for v in chosen]
    return out
