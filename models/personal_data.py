"""The personal-data registry: every stored field of every model, declared in this one place.

Each field is either personal data of a category (exported by `myData`, erased with the account,
purged after its retention), a secret that is personal but never exported (hashes, encrypted
URLs; erased all the same), or not personal. `undeclared_fields` is what the registry test runs
over every model, so a new field cannot slip past export and erasure.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.fields.relational import RelationalField
from tortoise.models import Model

from domain.privacy import Category


@dataclass(frozen=True, slots=True)
class Personal:
    category: Category
    secret: bool = False  # personal, erased, but never exported


NOT_PERSONAL = None

A = Category

REGISTRY: dict[str, dict[str, Personal | None]] = {
    "User": {
        "email": Personal(A.ACCOUNT),
        "name": Personal(A.ACCOUNT),
        "password_hash": Personal(A.ACCOUNT, secret=True),
        "time_zone": Personal(A.ACCOUNT),
        "company_name": Personal(A.COMPANY),
        "handle": Personal(A.ACCOUNT),
        "role": NOT_PERSONAL,
        "restricted": Personal(A.ACCOUNT),
        "objects_to_analytics": Personal(A.ACCOUNT),
        "objects_to_marketing": Personal(A.ACCOUNT),
        "suspended_at": Personal(A.ACCOUNT),
        "email_verified_at": Personal(A.ACCOUNT),
        "email_code_hash": Personal(A.ACCOUNT, secret=True),
        "email_code_sent_at": Personal(A.ACCOUNT),
        "created_at": Personal(A.ACCOUNT),
        "updated_at": NOT_PERSONAL,
    },
    "PasswordReset": {
        "token_hash": Personal(A.TECHNICAL, secret=True),
        "created_at": Personal(A.TECHNICAL),
        "expires_at": Personal(A.TECHNICAL),
        "used_at": Personal(A.TECHNICAL),
    },
    "AuthToken": {
        "token_hash": Personal(A.TECHNICAL, secret=True),
        "created_at": Personal(A.TECHNICAL),
        "last_used_at": Personal(A.TECHNICAL),
        "revoked_at": NOT_PERSONAL,
    },
    "EventType": {
        "title": Personal(A.BOOKING),
        "slug": Personal(A.BOOKING),
        "description": Personal(A.BOOKING),
        "duration_minutes": NOT_PERSONAL,
        "location_kind": NOT_PERSONAL,
        "location": Personal(A.BOOKING),
        "buffer_before_minutes": NOT_PERSONAL,
        "buffer_after_minutes": NOT_PERSONAL,
        "minimum_notice_minutes": NOT_PERSONAL,
        "slot_interval_minutes": NOT_PERSONAL,
        "max_bookings_per_day": NOT_PERSONAL,
        "requires_confirmation": NOT_PERSONAL,
        "horizon_days": NOT_PERSONAL,
        "reminder_offsets_minutes": NOT_PERSONAL,
        "questions": Personal(A.BOOKING),
        "seats_per_slot": NOT_PERSONAL,
        "max_bookings_per_week": NOT_PERSONAL,
        "max_bookings_per_month": NOT_PERSONAL,
        "minimum_cancel_notice_minutes": NOT_PERSONAL,
        "assignment": NOT_PERSONAL,
        "hidden": NOT_PERSONAL,
        "active": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
    },
    "Schedule": {
        "weekly_rules": Personal(A.CALENDAR),
        "updated_at": NOT_PERSONAL,
    },
    "DateOverride": {
        "date": Personal(A.CALENDAR),
        "intervals": Personal(A.CALENDAR),
    },
    "Booking": {
        "start": Personal(A.BOOKING),
        "end": Personal(A.BOOKING),
        "busy_start": NOT_PERSONAL,
        "busy_end": NOT_PERSONAL,
        "status": NOT_PERSONAL,
        "attendee_name": Personal(A.CLIENTS),
        "attendee_email": Personal(A.CLIENTS),
        "attendee_time_zone": Personal(A.CLIENTS),
        "notes": Personal(A.BOOKING),
        "answers": Personal(A.CLIENTS),
        "location": Personal(A.BOOKING),
        "seat_group": NOT_PERSONAL,
        "seat": NOT_PERSONAL,
        "seats": NOT_PERSONAL,
        "manage_token_hash": Personal(A.BOOKING, secret=True),
        "idempotency_key": Personal(A.TECHNICAL, secret=True),
        "request_fingerprint": Personal(A.TECHNICAL, secret=True),
        "cancel_reason": Personal(A.BOOKING),
        "reschedule_reason": Personal(A.BOOKING),
        "sequence": NOT_PERSONAL,
        "manage_token_encrypted": Personal(A.BOOKING, secret=True),
        "created_at": Personal(A.BOOKING),
        "updated_at": NOT_PERSONAL,
    },
    # Anonymous: who holds a slot is not known until they book with the token.
    "SlotHold": {
        "start": NOT_PERSONAL,
        "end": NOT_PERSONAL,
        "busy_start": NOT_PERSONAL,
        "busy_end": NOT_PERSONAL,
        "token_hash": NOT_PERSONAL,
        "expires_at": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
    },
    "Notification": {
        "kind": Personal(A.NOTIFICATION),
        "message": Personal(A.NOTIFICATION),
        "data": Personal(A.NOTIFICATION),
        "created_at": Personal(A.NOTIFICATION),
        "read_at": Personal(A.NOTIFICATION),
    },
    "Reminder": {
        "offset_minutes": NOT_PERSONAL,
        "due_at": NOT_PERSONAL,
        "claim_token": NOT_PERSONAL,
        "sent_at": NOT_PERSONAL,
    },
    "Webhook": {
        "url": Personal(A.ACCOUNT),
        "secret": Personal(A.ACCOUNT, secret=True),
        "active": NOT_PERSONAL,
        "created_at": Personal(A.ACCOUNT),
    },
    "WebhookDelivery": {
        "event": NOT_PERSONAL,
        "payload": Personal(A.BOOKING),
        "status": NOT_PERSONAL,
        "attempts": NOT_PERSONAL,
        "last_status_code": NOT_PERSONAL,
        "last_error": NOT_PERSONAL,
        "next_attempt_at": NOT_PERSONAL,
        "claim_token": NOT_PERSONAL,
        "claimed_until": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
        "delivered_at": NOT_PERSONAL,
    },
    "LinkedCalendar": {
        "name": Personal(A.CALENDAR),
        "url_encrypted": Personal(A.CALENDAR, secret=True),
        "status": Personal(A.CALENDAR),
        "last_synced_at": Personal(A.CALENDAR),
        "last_error": Personal(A.CALENDAR),
        "etag": NOT_PERSONAL,
        "last_modified": NOT_PERSONAL,
        "fingerprint": NOT_PERSONAL,
        "failures": NOT_PERSONAL,
        "next_sync_at": NOT_PERSONAL,
        "claimed_until": NOT_PERSONAL,
        "created_at": Personal(A.CALENDAR),
        "kind": Personal(A.CALENDAR),
        "writes_bookings": Personal(A.CALENDAR),
        "credentials_encrypted": Personal(A.CALENDAR, secret=True),
        "sync_token": Personal(A.CALENDAR, secret=True),
    },
    "CalendarBusy": {
        "owner_id": NOT_PERSONAL,
        "start": Personal(A.CALENDAR),
        "end": Personal(A.CALENDAR),
        "source": NOT_PERSONAL,  # a hash of the event's address in the calendar
    },
    "CalendarWrite": {
        "action": Personal(A.CALENDAR),
        "version": NOT_PERSONAL,
        "pending": Personal(A.CALENDAR),
        "attempts": NOT_PERSONAL,
        "next_attempt_at": NOT_PERSONAL,
        "last_error": Personal(A.CALENDAR),
        "claimed_until": NOT_PERSONAL,
        "remote_id": Personal(A.CALENDAR, secret=True),
    },
    "OAuthState": {
        "provider": Personal(A.CALENDAR),
        "state_hash": Personal(A.CALENDAR, secret=True),
        "verifier_encrypted": Personal(A.CALENDAR, secret=True),
        "expires_at": Personal(A.CALENDAR),
    },
    "CalendarFeed": {
        "token_hash": Personal(A.CALENDAR, secret=True),
        "created_at": Personal(A.CALENDAR),
    },
    "Consent": {
        "purpose": Personal(A.WEBSITE),
        "granted": Personal(A.WEBSITE),
        "updated_at": Personal(A.WEBSITE),
    },
    "ConsentEvent": {
        "purpose": Personal(A.WEBSITE),
        "granted": Personal(A.WEBSITE),
        "created_at": Personal(A.WEBSITE),
    },
    "PrivacyRequest": {
        "email": Personal(A.CONTACT),
        "kind": NOT_PERSONAL,
        "status": NOT_PERSONAL,
        "details": Personal(A.INQUIRY),
        "correction": Personal(A.CLIENTS),  # the corrected booking details asked for
        "resolution": Personal(A.INQUIRY),
        "confirm_token_hash": Personal(A.INQUIRY, secret=True),
        "confirmed_at": Personal(A.INQUIRY),
        "created_at": Personal(A.INQUIRY),
        "due_at": Personal(A.INQUIRY),
        "resolved_at": Personal(A.INQUIRY),
    },
    "Activity": {
        "path": Personal(A.TECHNICAL),
        "search": Personal(A.TECHNICAL),
        "ip_prefix": Personal(A.TECHNICAL),
        "created_at": Personal(A.TECHNICAL),
    },
    "DataExport": {
        "token_hash": Personal(A.TECHNICAL, secret=True),
        "expires_at": NOT_PERSONAL,
        "used_at": NOT_PERSONAL,
    },
    # Mail sent to the person: kept as long as notifications, the parts only a few days after
    # sending (services/mail/retention.py).
    "MailMessage": {
        "booking_id": NOT_PERSONAL,
        "to": Personal(A.NOTIFICATION),
        "to_name": Personal(A.NOTIFICATION),
        "kind": Personal(A.NOTIFICATION),
        "subject": Personal(A.NOTIFICATION),
        "body": Personal(A.NOTIFICATION),
        "html": Personal(A.NOTIFICATION),
        "calendar": Personal(A.NOTIFICATION),
        "calendar_method": NOT_PERSONAL,
        "message_id": NOT_PERSONAL,
        "status": Personal(A.NOTIFICATION),
        "attempts": NOT_PERSONAL,
        "next_attempt_at": NOT_PERSONAL,
        "claim_token": NOT_PERSONAL,
        "claimed_until": NOT_PERSONAL,
        "last_error": Personal(A.NOTIFICATION),  # a refusal may quote the address
        "sent_at": Personal(A.NOTIFICATION),
        "created_at": Personal(A.NOTIFICATION),
    },
    "AuditEntry": {
        "action": Personal(A.ACCOUNT),
        "reason": Personal(A.ACCOUNT),
        "created_at": Personal(A.ACCOUNT),
    },
    "RetentionSetting": {
        "category": Personal(A.ACCOUNT),
        "days": Personal(A.ACCOUNT),
        "updated_at": Personal(A.ACCOUNT),
    },
    "PurgeRun": {
        "slot": NOT_PERSONAL,
        "started_at": NOT_PERSONAL,
        "finished_at": NOT_PERSONAL,
        "counts": NOT_PERSONAL,
    },
    "PolicyVersion": {
        "version": NOT_PERSONAL,
        "text": NOT_PERSONAL,
        "effective_at": NOT_PERSONAL,
        "published_at": NOT_PERSONAL,
    },
    "PolicyAcceptance": {
        "version": Personal(A.ACCOUNT),
        "accepted_at": Personal(A.ACCOUNT),
    },
    "Breach": {
        "description": NOT_PERSONAL,
        "risk": NOT_PERSONAL,
        "detected_at": NOT_PERSONAL,
        "report_due_at": NOT_PERSONAL,
        "reported_at": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
        "data_categories": NOT_PERSONAL,
        "approximate_subjects": NOT_PERSONAL,
        "approximate_records": NOT_PERSONAL,
        "likely_consequences": NOT_PERSONAL,
        "measures": NOT_PERSONAL,
    },
    "BreachFiling": {
        "regulator": NOT_PERSONAL,
        "due_at": NOT_PERSONAL,
        "reported_at": NOT_PERSONAL,
    },
    "BreachVictim": {
        "notified_at": Personal(A.ACCOUNT),
    },
    # A breach notice to an address: the address is blanked 180 days (the notification
    # category's retention) after the breach's detection (services/breaches.py
    # `forget_addresses`, run by the hourly purge).
    "BreachContact": {
        "email": Personal(A.NOTIFICATION),
        "notified_at": Personal(A.NOTIFICATION),
    },
    # Deleted 2190 days (the disclosure category's retention) after the disclosure
    # (services/disclosures.py `purge`, run by the hourly purge); anonymised when the person
    # is erased.
    "Disclosure": {
        "email": Personal(A.DISCLOSURE),
        "reason": NOT_PERSONAL,
        "recipient": NOT_PERSONAL,
        "legal_basis": NOT_PERSONAL,
        "data": Personal(A.DISCLOSURE),
        "disclosed_at": Personal(A.DISCLOSURE),
        "hold_until": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
    },
    "Inquiry": {
        "email": Personal(A.CONTACT),
        "subject": Personal(A.INQUIRY),
        "message": Personal(A.INQUIRY),
        "status": NOT_PERSONAL,
        "created_at": Personal(A.INQUIRY),
        "closed_at": Personal(A.INQUIRY),
    },
    "InquiryReply": {
        "body": Personal(A.INQUIRY),
        "created_at": Personal(A.INQUIRY),
    },
    # Deleted as soon as it is published; holds a booking snapshot until then (erasure redacts
    # it: COPIES).
    "OutboxEvent": {
        "channel": NOT_PERSONAL,
        "payload": Personal(A.BOOKING, secret=True),
        "created_at": NOT_PERSONAL,
    },
    "JobLease": {
        "until": NOT_PERSONAL,
    },
    # Keyed hashes of erased identifiers, never the identifiers (services/erasure_ledger.py).
    "ErasureEntry": {
        "kind": NOT_PERSONAL,
        "digest": NOT_PERSONAL,
        "erased_at": NOT_PERSONAL,
    },
    "BackupSnapshot": {
        "name": NOT_PERSONAL,
        "taken_at": NOT_PERSONAL,
        "size_bytes": NOT_PERSONAL,
        "deleted_at": NOT_PERSONAL,
    },
    "RegisterVersion": {
        "content": NOT_PERSONAL,
        "effective_at": NOT_PERSONAL,
        "published_at": NOT_PERSONAL,
    },
    # Teams: the team itself is the organisation's; a membership and an invitation are about
    # the person (the invited address, who invited them, their role).
    "Team": {
        "name": NOT_PERSONAL,
        "slug": NOT_PERSONAL,
        "created_at": NOT_PERSONAL,
    },
    "TeamMember": {
        "role": Personal(A.ACCOUNT),
        "created_at": Personal(A.ACCOUNT),
    },
    "TeamInvitation": {
        "email": Personal(A.ACCOUNT),
        "role": Personal(A.ACCOUNT),
        "token_hash": Personal(A.TECHNICAL, secret=True),
        "expires_at": Personal(A.ACCOUNT),
        "accepted_at": Personal(A.ACCOUNT),
        "created_at": Personal(A.ACCOUNT),
    },
    # Which team members host a team event type (the row says it by its relations alone).
    "EventTypeHost": {},
    # A copy of the booking's times per host (the no-double-booking rule), no one's details.
    "BookingHost": {
        "start": NOT_PERSONAL,
        "busy_start": NOT_PERSONAL,
        "busy_end": NOT_PERSONAL,
        "seat_group": NOT_PERSONAL,
        "active": NOT_PERSONAL,
    },
}


def data_fields(model: type[Model]) -> list[str]:
    """Stored fields other than the primary key and relations."""
    meta = model._meta
    relational_sources = {
        f.source_field for f in meta.fields_map.values() if isinstance(f, RelationalField)
    }
    return [
        name
        for name, field in meta.fields_map.items()
        if not isinstance(field, RelationalField)
        and name != meta.pk_attr
        and name not in relational_sources
    ]


def undeclared_fields(models: list[type[Model]]) -> list[str]:
    """`Model.field` for every stored field missing from the registry."""
    missing = []
    for model in models:
        declared = REGISTRY.get(model.__name__, {})
        missing += [f"{model.__name__}.{f}" for f in data_fields(model) if f not in declared]
    return missing


def personal_fields(model: type[Model], *, include_secrets: bool = False) -> dict[str, Personal]:
    declared = REGISTRY[model.__name__]
    return {
        name: p
        for name, p in declared.items()
        if p is not None and (include_secrets or not p.secret)
    }


@dataclass(frozen=True, slots=True)
class Owner:
    """How a model's rows relate to a person, for access (export) and erasure.

    `field` filters the model by the person's id (or e-mail when `by_email`: only once the address
    is verified, see services/email_verification.py); `section` names the
    rows in `myData`; on erasure the rows are deleted, or, where they are also a counterparty's
    record (a booking the person made with a host), their personal fields are anonymised.
    """

    field: str
    section: str
    by_email: bool = False
    erase: str = "delete"  # or "anonymise"
    # Exported only once the account's address is verified (the rows may hold the code that
    # verifies it); erased regardless.
    verified_only: bool = False
    # Fields that are not personal but say what the row is (a request's kind and status):
    # exported beside the personal ones, never erased.
    context: tuple[str, ...] = ()
    # A time field: while it is in the future the row is left out of the export (a legal hold);
    # erased regardless.
    hidden_until: str | None = None


_REQUEST = ("kind", "status")
_DISCLOSED: dict[str, Any] = {
    "context": ("reason", "recipient", "legal_basis"),
    "hidden_until": "hold_until",
}

OWNERS: dict[str, tuple[Owner, ...]] = {
    "User": (Owner("id", "account"),),
    "AuthToken": (Owner("user_id", "sessions"),),
    "PasswordReset": (Owner("user_id", "passwordResets"),),
    "EventType": (Owner("host_id", "eventTypes"),),
    "Schedule": (Owner("host_id", "schedule"),),
    "DateOverride": (Owner("host_id", "dateOverrides"),),
    "Booking": (
        Owner("host_id", "bookingsHosted"),
        Owner("booker_id", "bookingsMade", erase="anonymise"),
        Owner("attendee_email", "bookingsMade", by_email=True, erase="anonymise"),
    ),
    "Notification": (Owner("user_id", "notifications"),),
    "Webhook": (Owner("host_id", "webhooks"),),
    "WebhookDelivery": (Owner("webhook__host_id", "webhookDeliveries"),),
    "LinkedCalendar": (Owner("owner_id", "linkedCalendars"),),
    "CalendarBusy": (Owner("owner_id", "calendarBusyTimes"),),
    "CalendarWrite": (Owner("calendar__owner_id", "calendarWrites"),),
    "OAuthState": (Owner("user_id", "calendarAuthorizations"),),
    "CalendarFeed": (Owner("owner_id", "calendarFeed"),),
    "Consent": (Owner("user_id", "consents"),),
    "ConsentEvent": (Owner("user_id", "consentHistory"),),
    "PrivacyRequest": (
        Owner("user_id", "privacyRequests", context=_REQUEST),
        Owner("email", "privacyRequests", by_email=True, context=_REQUEST),
    ),
    "Activity": (Owner("user_id", "activity"),),
    "MailMessage": (
        Owner("user_id", "mail", verified_only=True),
        Owner("to", "mail", by_email=True),
    ),
    "DataExport": (Owner("user_id", "dataExports"),),
    # Kept as the staff record of what was done, with the person's details overwritten.
    "AuditEntry": (Owner("subject_id", "auditTrail", erase="anonymise"),),
    "RetentionSetting": (Owner("user_id", "retention"),),
    "PolicyAcceptance": (Owner("user_id", "policyAcceptances"),),
    "BreachVictim": (Owner("user_id", "breaches"),),
    # Kept as the breach's record of who was told, without the address.
    "BreachContact": (Owner("email", "breachNotices", by_email=True, erase="anonymise"),),
    # Kept as the staff record of the disclosure, with the person's details overwritten.
    "Disclosure": (
        Owner("subject_id", "disclosures", erase="anonymise", **_DISCLOSED),
        Owner("email", "disclosures", by_email=True, erase="anonymise", **_DISCLOSED),
    ),
    "TeamMember": (Owner("user_id", "teamMemberships"),),
    "TeamInvitation": (Owner("email", "teamInvitations", by_email=True),),
    "Inquiry": (
        Owner("user_id", "inquiries"),
        Owner("email", "inquiries", by_email=True),
    ),
    "InquiryReply": (
        Owner("inquiry__user_id", "inquiryReplies"),
        Owner("inquiry__email", "inquiryReplies", by_email=True),
    ),
}


@dataclass(frozen=True, slots=True)
class Copy:
    """Personal fields of a model's rows copied into a JSON payload of another model: kept to be
    sent later (the outbox) or for the owner to inspect (webhook deliveries). Erasing or
    anonymising the rows redacts their copies as well (services/erased_copies.py).

    `at` is the key of the object in the payload that holds the copy ("" for the payload itself),
    `ids` the key in that object naming the copied row (an id or a list of ids), `keys` maps each
    copied key to the field it copies. Holder rows are looked for where `within` equals the
    row's `by` field (formatted with `template` when given), never across the whole table.
    """

    holder: str
    field: str
    at: str
    ids: str
    keys: Mapping[str, str]
    within: str
    by: str
    template: str | None = None

    def place(self, value: Any) -> Any:
        return value if self.template is None else self.template.format(value)


_ATTENDEE = {"attendeeName": "attendee_name", "attendeeEmail": "attendee_email"}
# A snapshot of every column (events/messages.py `snapshot`): column names are field names.
_BOOKING_SNAPSHOT = {field: field for field, policy in REGISTRY["Booking"].items() if policy}

_BY_HOST_WEBHOOK = {"within": "webhook__host_id", "by": "host_id"}

COPIES: dict[str, tuple[Copy, ...]] = {
    "Booking": (
        # Booking events (services/webhooks.py `booking_payload`).
        Copy("WebhookDelivery", "payload", at="booking", ids="id", keys=_ATTENDEE,
             **_BY_HOST_WEBHOOK),
        # PERSON_UPDATED (services/accounts.py): the corrected details, for a list of bookings.
        Copy("WebhookDelivery", "payload", at="", ids="bookingIds", keys=_ATTENDEE,
             **_BY_HOST_WEBHOOK),
        # Booking events waiting to be published on the host's channel (`booking_channel`).
        Copy("OutboxEvent", "payload", at="booking", ids="id", keys=_BOOKING_SNAPSHOT,
             within="channel", by="host_id", template="booking:{}"),
    ),
}  # fmt: skip

# Rows that exist for seconds (published, then deleted), or hold no personal data at all.
TRANSIENT = frozenset({"OutboxEvent"})

# Secrets are never exported; these are shown as a fixed word instead of being left out.
SECRET_PLACEHOLDERS = {
    ("LinkedCalendar", "url_encrypted"): ("url", "linked"),
    ("LinkedCalendar", "credentials_encrypted"): ("credentials", "stored encrypted"),
}


def unowned_models(models: list[type[Model]]) -> list[str]:
    """Models holding personal data with no declared owner: export and erasure would miss them."""
    return [
        m.__name__
        for m in models
        if m.__name__ not in TRANSIENT
        and m.__name__ not in OWNERS
        and any(REGISTRY.get(m.__name__, {}).values())
    ]
