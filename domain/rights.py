"""The rights of restriction, objection and information about disclosures and breaches, as data:
what a restriction stops, the grounds of a disclosure, a breach's deadline per regulator."""

from datetime import datetime, timedelta

from domain.privacy import DataCategory
from domain.regulators import Regulator

# What a restriction of processing (Art. 18) stops while it lasts; storage and the bookings
# already agreed go on (Art. 18(2): storage, and what the person consents to).
RESTRICTION_STOPS: tuple[str, ...] = (
    "Recording of the pages you view and your searches (performance analytics)",
    "Marketing messages, whatever your consent",
)

# What an objection (Art. 21) stops, per processing objected to.
OBJECTION_STOPS: dict[str, str] = {
    "ANALYTICS": "Recording of the pages you view and your searches (performance analytics)",
    "MARKETING": "Marketing messages",
}

# The seed's grounds for handing personal data to someone outside (privacy policy: "Legal
# Obligations", "Enforcement", "Business Transfers").
DISCLOSURE_REASONS: dict[str, str] = {
    "LEGAL_OBLIGATION": "Legal obligations: a court order, a subpoena or another legal duty",
    "ENFORCEMENT": "Enforcement: our terms, our rights, or the safety of others",
    "BUSINESS_TRANSFER": "Business transfers: a merger, sale or transfer of the business",
}


def breach_deadline(detected_at: datetime, regulator: Regulator) -> datetime:
    return detected_at + timedelta(hours=regulator.breach_report_hours)


def retention_text(category: DataCategory) -> str:
    if category.retention_days is None:
        return "While your account exists; erased when it is deleted."
    return f"At most {category.retention_days} days; erased with your account."
