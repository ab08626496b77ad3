from dataclasses import fields

import strawberry

from resolvers.ids import parse_id
from schema.context import Info
from schema.event_type import EventTypeInput, EventTypeType, EventTypeUpdateInput
from services import event_types
from services.event_types import EventTypeData


def _data(input: EventTypeInput | EventTypeUpdateInput) -> EventTypeData:
    values = {f.name: getattr(input, f.name) for f in fields(EventTypeData)}
    kind = values["location_kind"]
    values["location_kind"] = kind.value if kind is not None else None
    if values["questions"] is not None:
        values["questions"] = [q.to_domain() for q in values["questions"]]
    return EventTypeData(**values)


async def event_type(info: Info, id: strawberry.ID) -> EventTypeType | None:
    row = await event_types.public(parse_id(id, "Event type"), info.context.user_id)
    if row is None:
        return None
    info.context.loaders.prime_event_type(row)
    return EventTypeType.from_model(row)


async def event_type_by_slug(info: Info, handle: str, slug: str) -> EventTypeType | None:
    row = await event_types.by_slug(handle, slug, info.context.user_id)
    if row is None:
        return None
    info.context.loaders.prime_event_type(row)
    return EventTypeType.from_model(row)


async def my_event_types(info: Info) -> list[EventTypeType]:
    host = info.context.require_user()
    return [EventTypeType.from_model(row) for row in await event_types.list_for(host)]


async def create_event_type(info: Info, input: EventTypeInput) -> EventTypeType:
    host = info.context.require_user()
    row = await event_types.create(host, _data(input))
    return EventTypeType.from_model(row)


async def update_event_type(
    info: Info, id: strawberry.ID, input: EventTypeUpdateInput
) -> EventTypeType:
    host = info.context.require_user()
    row = await event_types.update(host, parse_id(id, "Event type"), _data(input))
    return EventTypeType.from_model(row)


async def delete_event_type(info: Info, id: strawberry.ID) -> bool:
    host = info.context.require_user()
    deleted = await event_types.delete(host, parse_id(id, "Event type"))
    return deleted
