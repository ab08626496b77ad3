"""Types of the rights of part II: disclosures, restriction and objection status, invitee
corrections, and breaches owed to each regulator."""

from datetime import datetime
from enum import Enum

import strawberry

from domain.privacy import breach_report_overdue
from domain.regulators import BY_KEY
from models.governance import BreachFiling, Disclosure
from schema.privacy import Objection


@strawberry.enum(name="RegulatorKey")
class RegulatorKey(Enum):
    ICO = "ICO"
    OMBUDSMAN = "OMBUDSMAN"


@strawberry.type(name="BreachFiling")
class BreachFilingType:
    regulator: RegulatorKey
    regulator_name: str
    deadline: datetime
    reported_at: datetime | None
    overdue: bool

    @classmethod
    def from_model(cls, row: BreachFiling, now: datetime) -> "BreachFilingType":
        return cls(
            regulator=RegulatorKey(row.regulator),
            regulator_name=BY_KEY[row.regulator].name,
            deadline=row.due_at,
            reported_at=row.reported_at,
            overdue=breach_report_overdue(row.reported_at, row.due_at, now),
        )


@strawberry.input(name="BreachReportInput")
class BreachReportInput:
    data_categories: list[str] | None = None
    approximate_subjects: int | None = None
    approximate_records: int | None = None
    likely_consequences: str | None = None
    measures: str | None = None


@strawberry.enum(name="DisclosureReason")
class DisclosureReason(Enum):
    LEGAL_OBLIGATION = "LEGAL_OBLIGATION"
    ENFORCEMENT = "ENFORCEMENT"
    BUSINESS_TRANSFER = "BUSINESS_TRANSFER"


@strawberry.input(name="DisclosureInput")
class DisclosureInput:
    reason: DisclosureReason
    recipient: str
    legal_basis: str
    data: str
    disclosed_at: datetime
    user_id: strawberry.ID | None = None
    email: str | None = None
    hold_until: datetime | None = None


@strawberry.type(name="Disclosure")
class DisclosureType:
    id: strawberry.ID
    reason: DisclosureReason
    recipient: str
    legal_basis: str
    data: str
    disclosed_at: datetime
    hold_until: datetime | None
    user_id: strawberry.ID | None
    email: str | None

    @classmethod
    def from_model(cls, row: Disclosure) -> "DisclosureType":
        return cls(
            id=strawberry.ID(str(row.id)),
            reason=DisclosureReason(row.reason),
            recipient=row.recipient,
            legal_basis=row.legal_basis,
            data=row.data,
            disclosed_at=row.disclosed_at,
            hold_until=row.hold_until,
            user_id=strawberry.ID(str(row.subject_id)) if row.subject_id else None,
            email=row.email,
        )


@strawberry.type(name="ProcessingStatus")
class ProcessingStatusType:
    restricted: bool
    restriction_stops: list[str]
    objections: list[Objection]
    objection_stops: list[str]


@strawberry.input(name="InviteeCorrectionInput")
class InviteeCorrectionInput:
    name: str | None = None
    time_zone: str | None = None
