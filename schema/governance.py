from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from domain.privacy import breach_report_overdue
from models.governance import Breach, BreachFiling, Inquiry, PolicyVersion, PurgeRun
from schema.rights import BreachFilingType
from services.retention import Retention


@strawberry.enum
class RetentionCategory(Enum):
    BOOKING = "booking"
    NOTIFICATION = "notification"
    TECHNICAL = "technical"
    INQUIRY = "inquiry"


@strawberry.type(name="Retention")
class RetentionType:
    category: RetentionCategory
    days: int
    default_days: int
    custom: bool

    @classmethod
    def from_value(cls, r: Retention) -> "RetentionType":
        return cls(
            category=RetentionCategory(r.category.value),
            days=r.days,
            default_days=r.default_days,
            custom=r.custom,
        )


@strawberry.type(name="PurgeRun")
class PurgeRunType:
    id: strawberry.ID
    started_at: datetime
    finished_at: datetime | None
    counts: JSON = strawberry.field(description="Rows deleted per category.")

    @classmethod
    def from_model(cls, row: PurgeRun) -> "PurgeRunType":
        return cls(
            id=strawberry.ID(str(row.id)),
            started_at=row.started_at,
            finished_at=row.finished_at,
            counts=row.counts,
        )


@strawberry.type(name="Policy")
class PolicyType:
    version: str
    text: str
    effective_at: datetime
    published_at: datetime

    @classmethod
    def from_model(cls, row: PolicyVersion) -> "PolicyType":
        return cls(
            version=row.version,
            text=row.text,
            effective_at=row.effective_at,
            published_at=row.published_at,
        )


@strawberry.type(name="PolicyAcceptance")
class PolicyAcceptanceType:
    version: str
    accepted_at: datetime


@strawberry.enum
class BreachRisk(Enum):
    LOW = "LOW"
    HIGH = "HIGH"


@strawberry.type(name="Breach")
class BreachType:
    id: strawberry.ID
    description: str
    risk: BreachRisk
    detected_at: datetime
    report_deadline: datetime
    reported: bool
    reported_at: datetime | None
    overdue: bool
    affected_count: int
    filings: list[BreachFilingType]
    data_categories: list[str]
    approximate_subjects: int | None
    approximate_records: int | None
    likely_consequences: str | None
    measures: str | None

    @classmethod
    def from_model(
        cls, row: Breach, affected: int, filings: list[BreachFiling], now: datetime
    ) -> "BreachType":
        return cls(
            id=strawberry.ID(str(row.id)),
            description=row.description,
            risk=BreachRisk(row.risk),
            detected_at=row.detected_at,
            report_deadline=row.report_due_at,
            reported=row.reported_at is not None,
            reported_at=row.reported_at,
            overdue=any(breach_report_overdue(f.reported_at, f.due_at, now) for f in filings),
            affected_count=affected,
            filings=[BreachFilingType.from_model(f, now) for f in filings],
            data_categories=list(row.data_categories or []),
            approximate_subjects=row.approximate_subjects,
            approximate_records=row.approximate_records,
            likely_consequences=row.likely_consequences,
            measures=row.measures,
        )


@strawberry.enum
class InquiryStatus(Enum):
    OPEN = "OPEN"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


@strawberry.type(name="InquiryReply")
class InquiryReplyType:
    body: str
    created_at: datetime


@strawberry.type(name="Inquiry")
class InquiryType:
    id: strawberry.ID
    email: str
    subject: str
    message: str
    status: InquiryStatus
    created_at: datetime
    closed_at: datetime | None
    replies: list[InquiryReplyType]

    @classmethod
    def from_model(cls, row: Inquiry) -> "InquiryType":
        return cls(
            id=strawberry.ID(str(row.id)),
            email=row.email,
            subject=row.subject,
            message=row.message,
            status=InquiryStatus(row.status),
            created_at=row.created_at,
            closed_at=row.closed_at,
            replies=[
                InquiryReplyType(body=r.body, created_at=r.created_at)
                for r in sorted(row.replies, key=lambda r: r.id)
            ],
        )
