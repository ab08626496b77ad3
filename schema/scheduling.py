"""GraphQL types of booking questions, answers and slot holds (API.md: scheduling)."""

from datetime import datetime
from enum import Enum

import strawberry

from domain.questions import Question


@strawberry.enum
class QuestionKind(Enum):
    SHORT_TEXT = "SHORT_TEXT"
    LONG_TEXT = "LONG_TEXT"
    SINGLE_CHOICE = "SINGLE_CHOICE"
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE"
    CHECKBOX = "CHECKBOX"
    PHONE = "PHONE"


@strawberry.input
class BookingQuestionInput:
    key: str
    label: str
    kind: QuestionKind
    required: bool | None = False
    options: list[str] | None = None

    def to_domain(self) -> Question:
        return Question(
            key=self.key,
            label=self.label,
            kind=self.kind.value,
            required=bool(self.required),
            options=tuple(self.options or ()),
        )


@strawberry.type(name="BookingQuestion")
class BookingQuestionType:
    key: str
    label: str
    kind: QuestionKind
    required: bool
    options: list[str]

    @classmethod
    def from_domain(cls, question: Question) -> "BookingQuestionType":
        return cls(
            key=question.key,
            label=question.label,
            kind=QuestionKind(question.kind),
            required=question.required,
            options=list(question.options),
        )


@strawberry.input(description="MULTIPLE_CHOICE: one entry per chosen option.")
class AnswerInput:
    key: str
    value: str


@strawberry.type(name="Answer")
class AnswerType:
    key: str
    label: str
    value: str


@strawberry.type(name="SlotHold")
class SlotHoldType:
    token: str
    expires_at: datetime
