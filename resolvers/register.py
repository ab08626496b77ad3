from datetime import datetime

from schema.context import Info
from schema.register import PrivacyRegisterInput, PrivacyRegisterType
from services import register


async def publish_privacy_register(
    info: Info, input: PrivacyRegisterInput, effective_at: datetime
) -> PrivacyRegisterType:
    admin = info.context.require_admin()
    published = await register.publish(admin, input.to_domain(), effective_at)
    return PrivacyRegisterType.from_published(published)
