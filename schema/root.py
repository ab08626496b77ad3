"""The Schema: root types assembled from the per-object resolvers, plus its extensions."""

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from config import Settings
from resolvers import availability as availability_r
from resolvers import booking as booking_r
from resolvers import event_type as event_type_r
from resolvers import notification as notification_r
from resolvers import privacy as privacy_r
from resolvers import user as user_r
from schema.availability import Schedule
from schema.booking import Booking, BookingConnection, ClientConnection, Slot
from schema.errors import CodedErrors, mask_in_place, needs_masking, tag_codes
from schema.event_type import EventType
from schema.events import AvailabilityChange, BookingEvent, Notification, NotificationConnection
from schema.privacy import PrivacyInfo
from schema.scalars import SCALAR_MAP
from schema.user import AuthPayload, User
from subscriptions import resolvers as subscriptions_r


@strawberry.type
class Query:
    me: User | None = strawberry.field(resolver=user_r.me, description="null when anonymous")
    privacy_info: PrivacyInfo = strawberry.field(resolver=privacy_r.privacy_info)
    event_type: EventType | None = strawberry.field(
        resolver=event_type_r.event_type, description="Public."
    )
    my_event_types: list[EventType] = strawberry.field(resolver=event_type_r.my_event_types)
    schedule: Schedule = strawberry.field(resolver=availability_r.schedule)
    available_slots: list[Slot] = strawberry.field(
        resolver=booking_r.available_slots, description="Public."
    )
    bookings: BookingConnection = strawberry.field(resolver=booking_r.bookings_page)
    booking: Booking | None = strawberry.field(resolver=booking_r.booking)
    clients: ClientConnection = strawberry.field(resolver=booking_r.clients)
    notifications: NotificationConnection = strawberry.field(
        resolver=notification_r.notifications_page
    )


@strawberry.type
class Mutation:
    sign_up: AuthPayload = strawberry.mutation(resolver=user_r.sign_up)
    log_in: AuthPayload = strawberry.mutation(resolver=user_r.log_in)
    log_out: bool = strawberry.mutation(resolver=user_r.log_out)
    update_profile: User = strawberry.mutation(
        resolver=user_r.update_profile, description="Right to correction."
    )
    create_event_type: EventType = strawberry.mutation(resolver=event_type_r.create_event_type)
    update_event_type: EventType = strawberry.mutation(resolver=event_type_r.update_event_type)
    delete_event_type: bool = strawberry.mutation(resolver=event_type_r.delete_event_type)
    set_weekly_availability: Schedule = strawberry.mutation(
        resolver=availability_r.set_weekly_availability
    )
    set_date_override: Schedule = strawberry.mutation(
        resolver=availability_r.set_date_override, description="[] = unavailable all day."
    )
    clear_date_override: bool = strawberry.mutation(resolver=availability_r.clear_date_override)
    book_meeting: Booking = strawberry.mutation(
        resolver=booking_r.book_meeting, description="Public; the invitee needs no account."
    )
    cancel_booking: Booking = strawberry.mutation(resolver=booking_r.cancel_booking)
    reschedule_booking: Booking = strawberry.mutation(resolver=booking_r.reschedule_booking)
    confirm_booking: Booking = strawberry.mutation(resolver=booking_r.confirm_booking)
    mark_notifications_read: int = strawberry.mutation(
        resolver=notification_r.mark_notifications_read
    )


@strawberry.type
class Subscription:
    booking_events: BookingEvent = strawberry.subscription(
        resolver=subscriptions_r.booking_events, description="The signed-in host's bookings."
    )
    notifications: Notification = strawberry.subscription(
        resolver=subscriptions_r.notifications,
        description="The signed-in user's notifications.",
    )
    availability_changed: AvailabilityChange = strawberry.subscription(
        resolver=subscriptions_r.availability_changed,
        description="Public: slots of the event type may have changed.",
    )


class Schema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Coded errors are answers, not incidents: tag them, log nothing. Internal errors are
        masked and logged by CodedErrors; those raised before it could run are masked here."""
        tag_codes(errors)
        context = getattr(execution_context, "context", None)
        for error in errors:
            if needs_masking(error):
                mask_in_place(error, getattr(context, "request_id", "-"))


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list = [
        CodedErrors,
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.introspection, scalar_map=SCALAR_MAP
        ),
    )
