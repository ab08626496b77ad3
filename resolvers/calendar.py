import strawberry

from resolvers.ids import parse_id
from schema.calendar import CalDavCalendarInput, CalendarProvider, LinkedCalendarType
from schema.context import Info
from services import calendar_export, calendars, oauth


async def calendars_list(info: Info) -> list[LinkedCalendarType]:
    owner = info.context.require_user()
    return [
        LinkedCalendarType.from_model(row, count) for row, count in await calendars.list_for(owner)
    ]


async def link_calendar(info: Info, url: str, name: str | None = None) -> LinkedCalendarType:
    owner = info.context.require_user()
    row = await calendars.link(owner, url, name, info.context.settings)
    return LinkedCalendarType.from_model(row, await calendars.busy_count(row.id))


async def link_caldav_calendar(info: Info, input: CalDavCalendarInput) -> LinkedCalendarType:
    owner = info.context.require_user()
    row = await calendars.link_caldav(
        owner,
        input.url,
        input.username,
        input.password,
        input.name,
        input.write_bookings is not False,
        info.context.settings,
    )
    return LinkedCalendarType.from_model(row, await calendars.busy_count(row.id))


async def connect_calendar(info: Info, provider: CalendarProvider) -> str:
    """The provider's authorization URL (OAuth 2 code flow with PKCE); its callback links the
    calendar."""
    owner = info.context.require_user()
    oauth.provider(info.context.settings, provider.value)  # offered at all?
    await calendars.require_consent(owner)
    return await oauth.authorization_url(owner, provider.value, info.context.settings)


async def sync_calendar(info: Info, id: strawberry.ID) -> LinkedCalendarType:
    owner = info.context.require_user()
    row = await calendars.sync_owned(owner, parse_id(id, "Calendar"), info.context.settings)
    return LinkedCalendarType.from_model(row, await calendars.busy_count(row.id))


async def unlink_calendar(info: Info, id: strawberry.ID) -> bool:
    owner = info.context.require_user()
    unlinked = await calendars.unlink(owner, parse_id(id, "Calendar"))
    return unlinked


async def rotate_calendar_feed(info: Info) -> str:
    """A new secret address for the host's private feed of bookings (`/ical/<token>.ics`),
    for Google, Outlook or Apple Calendar; the previous address stops working at once."""
    token = await calendar_export.rotate_feed(info.context.require_user())
    return f"/ical/{token}.ics"
