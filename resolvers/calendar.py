import strawberry

from resolvers.ids import parse_id
from schema.calendar import LinkedCalendar
from schema.context import Info
from services import calendars, events


async def calendars_list(info: Info) -> list[LinkedCalendar]:
    owner = info.context.require_user()
    return [LinkedCalendar.from_model(row, count) for row, count in await calendars.list_for(owner)]


async def link_calendar(info: Info, url: str, name: str | None = None) -> LinkedCalendar:
    owner = info.context.require_user()
    row = await calendars.link(owner, url, name, info.context.settings)
    await events.flush(info.context.bus)
    return LinkedCalendar.from_model(row, await calendars.busy_count(row.id))


async def sync_calendar(info: Info, id: strawberry.ID) -> LinkedCalendar:
    owner = info.context.require_user()
    row = await calendars.sync_owned(owner, parse_id(id, "Calendar"), info.context.settings)
    await events.flush(info.context.bus)
    return LinkedCalendar.from_model(row, await calendars.busy_count(row.id))


async def unlink_calendar(info: Info, id: strawberry.ID) -> bool:
    owner = info.context.require_user()
    unlinked = await calendars.unlink(owner, parse_id(id, "Calendar"))
    await events.flush(info.context.bus)
    return unlinked
