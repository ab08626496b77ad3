"""The Schema: root types assembled from the per-object resolvers, plus its extensions."""

import strawberry
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

import tracing
from config import Settings
from resolvers import availability as availability_r
from resolvers import booking as booking_r
from resolvers import calendar as calendar_r
from resolvers import event_type as event_type_r
from resolvers import governance as governance_r
from resolvers import notification as notification_r
from resolvers import privacy as privacy_r
from resolvers import register as register_r
from resolvers import rights as rights_r
from resolvers import team as team_r
from resolvers import user as user_r
from resolvers import webhook as webhook_r
from schema import documentation, graphql_core_fix
from schema.availability import ScheduleType
from schema.booking import BookingConnectionType, BookingType, ClientConnectionType, SlotType
from schema.calendar import CalendarChangeType, LinkedCalendarType
from schema.errors import mask_in_place, needs_masking, tag_codes
from schema.event_type import EventTypeType
from schema.execution import ExecutionContext
from schema.governance import (
    BreachType,
    InquiryType,
    PolicyAcceptanceType,
    PolicyType,
    PurgeRunType,
    RetentionType,
)
from schema.live import (
    AvailabilityChangeType,
    BookingEventType,
    NotificationConnectionType,
    NotificationType,
)
from schema.pipeline import Steps, pipeline
from schema.privacy import ConsentChangeType, ConsentType, PrivacyInfoType, PrivacyRequestType
from schema.register import PrivacyRegisterType
from schema.rights import DisclosureType, ProcessingStatusType
from schema.scalars import SCALAR_MAP
from schema.scheduling import SlotHoldType
from schema.team import TeamType
from schema.user import AuthPayloadType, SessionType, UserType
from schema.webhook import WebhookDeliveryType, WebhookRegistrationType, WebhookType
from subscriptions import resolvers as subscriptions_r


@strawberry.type
class Query:
    me: UserType | None = strawberry.field(resolver=user_r.me, description="null when anonymous")
    sessions: list[SessionType] = strawberry.field(
        resolver=user_r.my_sessions, description="The caller's live tokens."
    )
    privacy_info: PrivacyInfoType = strawberry.field(resolver=privacy_r.privacy_info)
    my_data: JSON = strawberry.field(
        resolver=privacy_r.my_data,
        description="Right of access and portability: everything held about me.",
    )
    privacy_requests: list[PrivacyRequestType] = strawberry.field(
        resolver=privacy_r.my_privacy_requests
    )
    admin_privacy_requests: list[PrivacyRequestType] = strawberry.field(
        resolver=privacy_r.admin_privacy_requests, description="Staff: overdue first."
    )
    consents: list[ConsentType] = strawberry.field(resolver=privacy_r.my_consents)
    processing_status: ProcessingStatusType = strawberry.field(resolver=rights_r.processing_status)
    consent_history: list[ConsentChangeType] = strawberry.field(resolver=privacy_r.consent_history)
    event_type: EventTypeType | None = strawberry.field(
        resolver=event_type_r.event_type, description="Public."
    )
    event_type_by_slug: EventTypeType | None = strawberry.field(
        resolver=event_type_r.event_type_by_slug,
        description="Public: the event type at /book/<handle>/<slug>.",
    )
    my_event_types: list[EventTypeType] = strawberry.field(resolver=event_type_r.my_event_types)
    teams: list[TeamType] = strawberry.field(resolver=team_r.my_teams)
    schedule: ScheduleType = strawberry.field(resolver=availability_r.schedule)
    available_slots: list[SlotType] = strawberry.field(
        resolver=booking_r.available_slots, description="Public."
    )
    bookings: BookingConnectionType = strawberry.field(resolver=booking_r.bookings_page)
    booking: BookingType | None = strawberry.field(resolver=booking_r.booking)
    managed_booking: BookingType | None = strawberry.field(resolver=booking_r.managed_booking)
    clients: ClientConnectionType = strawberry.field(resolver=booking_r.clients)
    notifications: NotificationConnectionType = strawberry.field(
        resolver=notification_r.notifications_page
    )
    calendars: list[LinkedCalendarType] = strawberry.field(
        resolver=calendar_r.calendars_list, description="The signed-in user's linked calendars."
    )
    webhooks: list[WebhookType] = strawberry.field(
        resolver=webhook_r.my_webhooks, description="The signed-in host's webhooks."
    )
    webhook_deliveries: list[WebhookDeliveryType] = strawberry.field(
        resolver=webhook_r.webhook_deliveries, description="Newest first."
    )
    retention: list[RetentionType] = strawberry.field(
        resolver=governance_r.retention_settings,
        description="How long each purgeable category of my data is kept.",
    )
    current_policy: PolicyType | None = strawberry.field(resolver=governance_r.current_policy)
    upcoming_policy: PolicyType | None = strawberry.field(resolver=governance_r.upcoming_policy)
    purge_runs: list[PurgeRunType] = strawberry.field(
        resolver=governance_r.purge_runs, description="Staff: newest first."
    )
    admin_breaches: list[BreachType] = strawberry.field(
        resolver=governance_r.admin_breaches, description="Staff only."
    )
    breach_report: JSON = strawberry.field(resolver=governance_r.breach_report)
    admin_disclosures: list[DisclosureType] = strawberry.field(resolver=rights_r.admin_disclosures)
    my_inquiries: list[InquiryType] = strawberry.field(resolver=governance_r.my_inquiries)
    admin_inquiries: list[InquiryType] = strawberry.field(
        resolver=governance_r.admin_inquiries, description="Staff only."
    )
    admin_user_data: JSON = strawberry.field(
        resolver=governance_r.admin_user_data,
        description="Staff: everything held about a person; audited with the reason.",
    )


@strawberry.type
class Mutation:
    sign_up: AuthPayloadType = strawberry.mutation(resolver=user_r.sign_up)
    log_in: AuthPayloadType = strawberry.mutation(resolver=user_r.log_in)
    log_out: bool = strawberry.mutation(resolver=user_r.log_out)
    revoke_session: bool = strawberry.mutation(
        resolver=user_r.revoke_session,
        description="Ends one of my sessions (see `sessions`); its WebSockets close with 4401.",
    )
    delete_account: bool = strawberry.mutation(
        resolver=privacy_r.delete_account, description="Right to erasure."
    )
    erase_client_data: int = strawberry.mutation(resolver=privacy_r.erase_client_data)
    request_data_export: str = strawberry.mutation(resolver=privacy_r.request_data_export)
    submit_privacy_request: PrivacyRequestType = strawberry.mutation(
        resolver=privacy_r.submit_privacy_request
    )
    submit_invitee_privacy_request: bool = strawberry.mutation(
        resolver=privacy_r.submit_invitee_privacy_request
    )
    confirm_privacy_request: PrivacyRequestType = strawberry.mutation(
        resolver=privacy_r.confirm_privacy_request
    )
    update_privacy_request: PrivacyRequestType = strawberry.mutation(
        resolver=privacy_r.update_privacy_request, description="Staff only."
    )
    set_consent: ConsentType = strawberry.mutation(resolver=privacy_r.set_consent)
    object_to_processing: bool = strawberry.mutation(resolver=privacy_r.object_to_processing)
    withdraw_objection: bool = strawberry.mutation(resolver=rights_r.withdraw_objection)
    lift_restriction: UserType = strawberry.mutation(resolver=rights_r.lift_restriction)
    record_disclosure: DisclosureType = strawberry.mutation(resolver=rights_r.record_disclosure)
    end_disclosure_hold: DisclosureType = strawberry.mutation(resolver=rights_r.end_disclosure_hold)
    record_activity: bool = strawberry.mutation(resolver=privacy_r.record_activity)
    update_profile: UserType = strawberry.mutation(
        resolver=user_r.update_profile, description="Right to correction."
    )
    verify_email: bool = strawberry.mutation(
        resolver=user_r.verify_email,
        description="Public: the code mailed at sign-up or after a change of address.",
    )
    resend_email_verification: bool = strawberry.mutation(
        resolver=user_r.resend_email_verification,
        description="A new code to my address; false when it is verified already.",
    )
    request_password_reset: bool = strawberry.mutation(
        resolver=user_r.request_password_reset,
        description="Public; always true. Mails a reset link if the account exists.",
    )
    reset_password: AuthPayloadType = strawberry.mutation(
        resolver=user_r.reset_password,
        description="Public: the mailed token, once. Every older token of the account is revoked.",
    )
    change_password: bool = strawberry.mutation(
        resolver=user_r.change_password, description="Every other token is revoked."
    )
    create_event_type: EventTypeType = strawberry.mutation(resolver=event_type_r.create_event_type)
    update_event_type: EventTypeType = strawberry.mutation(resolver=event_type_r.update_event_type)
    delete_event_type: bool = strawberry.mutation(resolver=event_type_r.delete_event_type)
    create_team: TeamType = strawberry.mutation(resolver=team_r.create_team)
    invite_team_member: bool = strawberry.mutation(resolver=team_r.invite_team_member)
    accept_team_invite: TeamType = strawberry.mutation(resolver=team_r.accept_team_invite)
    remove_team_member: bool = strawberry.mutation(resolver=team_r.remove_team_member)
    create_team_event_type: EventTypeType = strawberry.mutation(
        resolver=team_r.create_team_event_type
    )
    set_weekly_availability: ScheduleType = strawberry.mutation(
        resolver=availability_r.set_weekly_availability
    )
    set_date_override: ScheduleType = strawberry.mutation(
        resolver=availability_r.set_date_override, description="[] = unavailable all day."
    )
    clear_date_override: bool = strawberry.mutation(resolver=availability_r.clear_date_override)
    book_meeting: BookingType = strawberry.mutation(
        resolver=booking_r.book_meeting, description="Public; the invitee needs no account."
    )
    hold_slot: SlotHoldType = strawberry.mutation(
        resolver=booking_r.hold_slot,
        description="Public: keeps the slot (one seat of it) for SLOT_HOLD_MINUTES; book it "
        "with bookMeeting(input: {holdToken}).",
    )
    correct_booking_answers: BookingType = strawberry.mutation(
        resolver=booking_r.correct_booking_answers,
        description="Right to correction: the booker (signed in, or with the manage token) "
        "replaces their answers; validated like bookMeeting's.",
    )
    cancel_booking: BookingType = strawberry.mutation(resolver=booking_r.cancel_booking)
    reschedule_booking: BookingType = strawberry.mutation(resolver=booking_r.reschedule_booking)
    confirm_booking: BookingType = strawberry.mutation(resolver=booking_r.confirm_booking)
    link_calendar: LinkedCalendarType = strawberry.mutation(
        resolver=calendar_r.link_calendar,
        description="An iCalendar (ICS) feed URL (http, https, webcal); fetched before it is kept.",
    )
    link_cal_dav_calendar: LinkedCalendarType = strawberry.mutation(
        resolver=calendar_r.link_caldav_calendar,
        name="linkCalDavCalendar",
        description="A CalDAV calendar collection (RFC 4791); read before it is kept.",
    )
    connect_calendar: str = strawberry.mutation(
        resolver=calendar_r.connect_calendar,
        description="The provider's authorization URL (OAuth 2 code flow with PKCE).",
    )
    sync_calendar: LinkedCalendarType = strawberry.mutation(resolver=calendar_r.sync_calendar)
    unlink_calendar: bool = strawberry.mutation(resolver=calendar_r.unlink_calendar)
    rotate_calendar_feed: str = strawberry.mutation(
        resolver=calendar_r.rotate_calendar_feed,
        description="A new secret address for your bookings feed; the old one stops working.",
    )
    mark_notifications_read: int = strawberry.mutation(
        resolver=notification_r.mark_notifications_read
    )
    register_webhook: WebhookRegistrationType = strawberry.mutation(
        resolver=webhook_r.register_webhook,
        description="https only; booking events are POSTed there, signed with the secret.",
    )
    delete_webhook: bool = strawberry.mutation(resolver=webhook_r.delete_webhook)
    set_retention: RetentionType = strawberry.mutation(
        resolver=governance_r.set_retention, description="At most the category's default."
    )
    warn_user: bool = strawberry.mutation(resolver=governance_r.warn_user, description="Staff.")
    suspend_user: UserType = strawberry.mutation(
        resolver=governance_r.suspend_user,
        description="Staff: log-in refused, tokens revoked, booking pages closed.",
    )
    reinstate_user: UserType = strawberry.mutation(
        resolver=governance_r.reinstate_user, description="Staff."
    )
    delete_user: bool = strawberry.mutation(
        resolver=governance_r.delete_user, description="Staff: the same erasure as deleteAccount."
    )
    publish_policy: PolicyType = strawberry.mutation(
        resolver=governance_r.publish_policy,
        description="Staff: effectiveAt at least 7 days ahead; every user is notified.",
    )
    accept_policy: PolicyAcceptanceType = strawberry.mutation(resolver=governance_r.accept_policy)
    publish_privacy_register: PrivacyRegisterType = strawberry.mutation(
        resolver=register_r.publish_privacy_register,
        description=(
            "Staff: a new version of the transparency register (processors, storage, transfers, "
            "regulators); effectiveAt at least 7 days ahead, else BAD_USER_INPUT; every user is "
            "notified (REGISTER_UPDATE)."
        ),
    )
    record_breach: BreachType = strawberry.mutation(
        resolver=governance_r.record_breach,
        description="Staff: HIGH risk tells everyone affected at once (notification and "
        "e-mail; by e-mail alone for affectedEmails).",
    )
    submit_inquiry: InquiryType = strawberry.mutation(
        resolver=governance_r.submit_inquiry, description="Public; rate-limited."
    )
    reply_to_inquiry: InquiryType = strawberry.mutation(
        resolver=governance_r.reply_to_inquiry, description="Staff."
    )
    close_inquiry: InquiryType = strawberry.mutation(
        resolver=governance_r.close_inquiry, description="Staff."
    )
    mark_breach_reported: BreachType = strawberry.mutation(
        resolver=governance_r.mark_breach_reported, description="Staff."
    )
    update_breach_report: BreachType = strawberry.mutation(
        resolver=governance_r.update_breach_report
    )


@strawberry.type
class Subscription:
    booking_events: BookingEventType = strawberry.subscription(
        resolver=subscriptions_r.booking_events, description="The signed-in host's bookings."
    )
    notifications: NotificationType = strawberry.subscription(
        resolver=subscriptions_r.notifications,
        description="The signed-in user's notifications.",
    )
    availability_changed: AvailabilityChangeType = strawberry.subscription(
        resolver=subscriptions_r.availability_changed,
        description="Public: slots of the event type may have changed.",
    )
    calendar_changed: CalendarChangeType = strawberry.subscription(
        resolver=subscriptions_r.calendar_changed,
        description="The signed-in user's linked calendars changed.",
    )
    managed_booking_events: BookingEventType = strawberry.subscription(
        resolver=subscriptions_r.managed_booking_events
    )


class Schema(strawberry.Schema):
    steps: Steps | None = None  # the pipeline's, for the direct path (schema/direct.py)

    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Coded errors are answers, not incidents: tag them, log nothing. Internal errors are
        masked and logged by the pipeline; those raised before it could run are masked here."""
        tag_codes(errors)
        context = getattr(execution_context, "context", None)
        for error in errors:
            if needs_masking(error):
                mask_in_place(error, getattr(context, "request_id", "-"))


def build_schema(settings: Settings) -> strawberry.Schema:
    graphql_core_fix.apply()
    steps = Steps(settings)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[*tracing.schema_extensions(settings), pipeline(settings, steps)],
        execution_context_class=ExecutionContext,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.introspection, scalar_map=SCALAR_MAP
        ),
    )
    documentation.apply(schema._schema)
    schema.steps = steps
    return schema
