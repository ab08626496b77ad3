from domain.privacy import CATEGORIES
from schema.context import Info
from schema.privacy import DataCategory, PrivacyInfo


def privacy_info(info: Info) -> PrivacyInfo:
    settings = info.context.settings
    return PrivacyInfo(
        controller=settings.controller_name,
        contact_email=settings.contact_email,
        categories=[DataCategory.from_domain(c) for c in CATEGORIES],
    )
