from datetime import datetime
from enum import Enum

import strawberry

from domain.privacy import DataCategory, request_overdue
from models.privacy import PrivacyRequest
from schema.register import (
    InternationalTransferType,
    PrivacyRegisterType,
    ProcessorType,
    RegulatorType,
)


@strawberry.type(name="DataCategory")
class DataCategoryType:
    key: str
    name: str
    purpose: str
    legal_basis: str
    source: str
    retention_days: int | None
    recipients: list[str]

    @classmethod
    def from_domain(cls, c: DataCategory) -> "DataCategoryType":
        return cls(
            key=c.category.value,
            name=c.name,
            purpose=c.purpose,
            legal_basis=c.legal_basis,
            source=c.source,
            retention_days=c.retention_days,
            recipients=list(c.recipients),
        )


@strawberry.type(name="PrivacyInfo")
class PrivacyInfoType:
    controller: str
    contact_email: str
    categories: list[DataCategoryType]
    backup_retention_days: int = strawberry.field(
        description="Erased data leaves our encrypted backups within this many days."
    )
    automated_decision_making: bool = strawberry.field(
        description="Whether any decision about you is made solely by automated means: never."
    )
    request_answer_days: str = strawberry.field(
        description="How long we take to answer a privacy request."
    )
    # The transparency register in effect (schema/register.py), and the contact phone setting.
    processors: list[ProcessorType]
    storage_locations: list[str]
    international_transfers: list[InternationalTransferType]
    regulators: list[RegulatorType]
    contact_phone: str | None
    register_effective_at: datetime | None
    upcoming_register: PrivacyRegisterType | None


@strawberry.enum
class ConsentPurpose(Enum):
    PERFORMANCE_COOKIES = "PERFORMANCE_COOKIES"
    FUNCTIONALITY_COOKIES = "FUNCTIONALITY_COOKIES"
    MARKETING = "MARKETING"
    CALENDAR_ACCESS = "CALENDAR_ACCESS"


@strawberry.enum
class PrivacyRequestKind(Enum):
    ACCESS = "ACCESS"
    CORRECTION = "CORRECTION"
    ERASURE = "ERASURE"
    RESTRICTION = "RESTRICTION"
    OBJECTION = "OBJECTION"
    PORTABILITY = "PORTABILITY"
    WITHDRAW_CONSENT = "WITHDRAW_CONSENT"
    AUTOMATED_DECISION = "AUTOMATED_DECISION"


@strawberry.enum
class PrivacyRequestStatus(Enum):
    RECEIVED = "RECEIVED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"


@strawberry.enum
class Objection(Enum):
    ANALYTICS = "ANALYTICS"
    MARKETING = "MARKETING"


@strawberry.type(name="Consent")
class ConsentType:
    purpose: ConsentPurpose
    granted: bool
    updated_at: datetime


@strawberry.type(name="ConsentChange")
class ConsentChangeType:
    purpose: ConsentPurpose
    granted: bool
    at: datetime


@strawberry.type(name="PrivacyRequest")
class PrivacyRequestType:
    id: strawberry.ID
    kind: PrivacyRequestKind
    status: PrivacyRequestStatus
    created_at: datetime
    due_at: datetime
    details: str | None
    resolution: str | None
    resolved_at: datetime | None
    overdue: bool

    @classmethod
    def from_model(cls, row: PrivacyRequest, now: datetime) -> "PrivacyRequestType":
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=PrivacyRequestKind(row.kind),
            status=PrivacyRequestStatus(row.status),
            created_at=row.created_at,
            due_at=row.due_at,
            details=row.details,
            resolution=row.resolution,
            resolved_at=row.resolved_at,
            overdue=request_overdue(row.status, row.due_at, now),
        )
