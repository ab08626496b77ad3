"""The schema's documentation, as data: what GraphiQL's documentation pane and schema.graphql show.

Keys: "Type", "Type.field", "Type.field(arg)" and "Enum.VALUE", one block per type in
alphabetical order. `build_schema` applies them (schema/documentation.py) to every element that
has no description of its own: a description written inline in schema/*.py wins, and its key is
then left out here. tests/test_schema_descriptions.py fails on an element without a description
and on a key that names nothing. `python -m schema.documentation` lists both.

Say what the element is, its unit and zone, who may see or call it, and the error codes it gives
(the codes of ../shared/API.md).
"""

DESCRIPTIONS: dict[str, str] = {
    # --- Assignment ---
    "Assignment": "How a team event type's bookings take its hosts.",
    "Assignment.ROUND_ROBIN": (
        "A slot is offered when at least one host is free; each booking goes to the free host "
        "with the fewest bookings of the event type in the last 30 days (ties: the one booked "
        "least recently)."
    ),
    "Assignment.COLLECTIVE": (
        "A slot is offered only when every host is free; each booking takes them all."
    ),
    # --- AuthPayload ---
    "AuthPayload": "A new session: the bearer token and the account it signs in.",
    "AuthPayload.token": (
        "Send it as `Authorization: Bearer <token>` over HTTP and as `authorization` in the "
        "WebSocket's connection_init payload. A secret: keep it out of URLs and logs; logOut "
        "revokes it."
    ),
    "AuthPayload.user": "The signed-in account.",
    # --- AvailabilityChange ---
    "AvailabilityChange": (
        "The free slots of an event type may have changed (a booking, a change of hours, a "
        "linked calendar): ask availableSlots again. Carries no personal data."
    ),
    "AvailabilityChange.eventTypeId": "The event type whose slots may have changed.",
    "AvailabilityChange.occurredAt": "When the change was committed.",
    # --- BookMeetingInput ---
    "BookMeetingInput": "A booking request; the invitee needs no account.",
    "BookMeetingInput.eventTypeId": (
        "The event type to book; NOT_FOUND when it is deleted or its host suspended."
    ),
    "BookMeetingInput.start": (
        "The slot's start, as availableSlots gave it (any offset: the instant counts). A start "
        "that availableSlots would not offer is CONFLICT."
    ),
    "BookMeetingInput.name": "The invitee's name; 1 to 200 characters.",
    "BookMeetingInput.email": "The invitee's e-mail address; BAD_USER_INPUT when not valid.",
    "BookMeetingInput.timeZone": (
        "The invitee's IANA time zone (e.g. Europe/London), kept for reminders and shown to "
        "the host; BAD_USER_INPUT when unknown."
    ),
    "BookMeetingInput.notes": "Anything the invitee tells the host; at most 5,000 characters.",
    "BookMeetingInput.idempotencyKey": (
        "1 to 200 characters chosen by the client. Repeating the request with the same key "
        "returns the same booking (without its manageToken) instead of a second one; the same "
        "key with different details is CONFLICT."
    ),
    # --- Booking ---
    "Booking": (
        "A meeting booked with a host. Seen by the host (bookings, booking, bookingEvents) and "
        "by the booker (the answers of bookMeeting, cancelBooking and rescheduleBooking)."
    ),
    "Booking.id": "Opaque identifier.",
    "Booking.start": "When the meeting starts (an instant with its UTC offset).",
    "Booking.end": "When it ends: start plus the event type's durationMinutes.",
    "Booking.status": "PENDING until the host confirms, CONFIRMED, or CANCELLED.",
    "Booking.attendeeName": (
        "The invitee's name as booked; updated when they correct it under their verified address."
    ),
    "Booking.attendeeEmail": "The invitee's e-mail address.",
    "Booking.attendeeTimeZone": "The invitee's IANA time zone, if they gave one.",
    "Booking.notes": "What the invitee wrote when booking; null if nothing.",
    "Booking.cancelReason": "Why it was cancelled, if a reason was given.",
    "Booking.createdAt": "When it was booked.",
    "Booking.eventType": "What was booked.",
    "Booking.hosts": (
        "Everyone hosting this meeting, by name only (one for a personal or ROUND_ROBIN booking, "
        "every host of a COLLECTIVE one)."
    ),
    # --- BookingConnection ---
    "BookingConnection": "One page of bookings (see Query.bookings).",
    "BookingConnection.edges": "The bookings of this page, in the order asked for.",
    "BookingConnection.pageInfo": "Whether there is a next page, and the cursor to get it.",
    "BookingConnection.totalCount": "How many bookings match the filters, across all pages.",
    # --- BookingEdge ---
    "BookingEdge": "A booking and its place in the list.",
    "BookingEdge.node": "The booking.",
    "BookingEdge.cursor": "Opaque: pass it as `after` to continue after this booking.",
    # --- BookingEvent ---
    "BookingEvent": (
        "A change of one of the host's bookings, sent after it was committed (never for one "
        "that rolled back)."
    ),
    "BookingEvent.kind": "What happened.",
    "BookingEvent.booking": "The booking as it is after the change.",
    "BookingEvent.occurredAt": "When the change was committed.",
    # --- BookingEventKind ---
    "BookingEventKind": "What happened to a booking.",
    "BookingEventKind.CREATED": "Booked (PENDING or CONFIRMED, by the event type).",
    "BookingEventKind.CONFIRMED": "The host confirmed a PENDING booking.",
    "BookingEventKind.RESCHEDULED": "Moved to another start.",
    "BookingEventKind.CANCELLED": "Cancelled by the host or the booker, or by an erasure.",
    # --- BookingOrder ---
    "BookingOrder": "The order of Query.bookings.",
    "BookingOrder.NEWEST_FIRST": "Most recently booked first.",
    "BookingOrder.START_ASC": "By start, earliest first: an agenda (with startFrom/startTo).",
    # --- BookingStatus ---
    "BookingStatus": "Where a booking stands.",
    "BookingStatus.PENDING": (
        "Waiting for the host's confirmation (event types with requiresConfirmation); it "
        "holds its slot meanwhile."
    ),
    "BookingStatus.CONFIRMED": "Will take place.",
    "BookingStatus.CANCELLED": "Cancelled; its time is free again.",
    # --- Breach ---
    "Breach": "A personal-data breach, recorded by staff. Staff only.",
    "Breach.id": "Opaque identifier.",
    "Breach.description": (
        "The nature of the breach (Art. 33(3)(a)); HIGH-risk breaches send it to everyone affected."
    ),
    "Breach.risk": "The risk to the people affected.",
    "Breach.detectedAt": "When the breach was detected.",
    "Breach.reportDeadline": (
        "The earliest deadline of the regulators still owed the report (each counts its own "
        "hours from detectedAt: filings); the last one once all have it."
    ),
    "Breach.reported": "Whether every regulator owed the report has it (markBreachReported).",
    "Breach.reportedAt": "When the last regulator owed the report got it; null until then.",
    "Breach.overdue": "Some regulator's filing is not reported and past its deadline.",
    "Breach.affectedCount": "How many people are affected: accounts and addresses named.",
    "Breach.filings": "The report as owed to each regulator, earliest deadline first.",
    "Breach.dataCategories": (
        "The categories of personal data concerned (privacyInfo's category keys)."
    ),
    "Breach.approximateSubjects": (
        "About how many people are concerned; by default the number named when recorded."
    ),
    "Breach.approximateRecords": "About how many records of personal data are concerned.",
    "Breach.likelyConsequences": "The likely consequences for the people concerned.",
    "Breach.measures": "The measures taken or proposed to address it and limit its harm.",
    # --- BreachFiling ---
    "BreachFiling": "A breach as owed to one supervisory authority, with that one's deadline.",
    "BreachFiling.regulator": "The supervisory authority.",
    "BreachFiling.regulatorName": "Its name.",
    "BreachFiling.deadline": (
        "detectedAt plus that regulator's hours (ICO 72, Cayman Islands Ombudsman 120)."
    ),
    "BreachFiling.reportedAt": "When it was reported to this regulator; null until then.",
    "BreachFiling.overdue": "Not reported to this regulator and past its deadline.",
    # --- BreachReportInput ---
    "BreachReportInput": (
        "The content of the report to the regulators (Art. 33(3)); a field left null is left "
        "as it is."
    ),
    "BreachReportInput.dataCategories": (
        "Category keys of privacyInfo (e.g. `booking`); another is BAD_USER_INPUT."
    ),
    "BreachReportInput.approximateSubjects": "About how many people; not negative.",
    "BreachReportInput.approximateRecords": "About how many records; not negative.",
    "BreachReportInput.likelyConsequences": "1 to 10,000 characters.",
    "BreachReportInput.measures": "1 to 10,000 characters.",
    # --- BreachRisk ---
    "BreachRisk": "The risk a breach poses to the people affected.",
    "BreachRisk.LOW": "Recorded and reported; the people affected are not told.",
    "BreachRisk.HIGH": (
        "Everyone affected (and only they) is told at once: accounts by notification and "
        "e-mail, addresses by e-mail."
    ),
    # --- CalendarChange ---
    "CalendarChange": "One of the user's linked calendars changed: its busy times or sync status.",
    "CalendarChange.calendar": "The calendar as it is now (never its feed URL).",
    "CalendarChange.occurredAt": "When the change was committed.",
    # --- Client ---
    "Client": "Someone who booked with the host, by e-mail address, derived from the bookings.",
    "Client.name": "A name they booked under.",
    "Client.email": "Their e-mail address (the key: one client per address).",
    "Client.bookingCount": "How many bookings they made with the host, cancelled ones included.",
    "Client.lastBookingAt": "The start of their latest booking.",
    # --- ClientConnection ---
    "ClientConnection": "One page of the host's clients (see Query.clients).",
    "ClientConnection.edges": "The clients of this page, most recent booking first.",
    "ClientConnection.pageInfo": "Whether there is a next page, and the cursor to get it.",
    "ClientConnection.totalCount": "How many clients the host has, across all pages.",
    # --- ClientEdge ---
    "ClientEdge": "A client and its place in the list.",
    "ClientEdge.node": "The client.",
    "ClientEdge.cursor": "Opaque: pass it as `after` to continue after this client.",
    # --- Consent ---
    "Consent": "The user's current choice for one purpose.",
    "Consent.purpose": "What the consent is for.",
    "Consent.granted": "true: given; false: refused or withdrawn.",
    "Consent.updatedAt": "When the choice was last made.",
    # --- ConsentChange ---
    "ConsentChange": "One entry of the consent history: a choice as it was made.",
    "ConsentChange.purpose": "What the consent is for.",
    "ConsentChange.granted": "true: given; false: refused or withdrawn.",
    "ConsentChange.at": "When it was made.",
    # --- ConsentPurpose ---
    "ConsentPurpose": "A processing that needs the user's consent.",
    "ConsentPurpose.PERFORMANCE_COOKIES": (
        "Recording page views and searches (recordActivity). Withdrawing deletes what was recorded."
    ),
    "ConsentPurpose.FUNCTIONALITY_COOKIES": (
        "Remembering choices on our pages, such as the time zone picked on a booking page."
    ),
    "ConsentPurpose.MARKETING": "News and offers by e-mail.",
    "ConsentPurpose.CALENDAR_ACCESS": (
        "Reading the busy times of linked calendars. Withdrawing unlinks every calendar and "
        "deletes the busy times kept from them."
    ),
    # --- DataCategory ---
    "DataCategory": "A category of personal data we hold, as the privacy policy declares it.",
    "DataCategory.key": ("Stable identifier of the category (e.g. `booking`), as used in myData."),
    "DataCategory.name": "The category's name for people.",
    "DataCategory.purpose": "Why we hold it.",
    "DataCategory.legalBasis": "The GDPR legal basis (Art. 6) of the processing.",
    "DataCategory.source": "Where the data comes from.",
    "DataCategory.recipients": "Who receives data of this category besides us.",
    "DataCategory.retentionDays": (
        "Days it is kept by default (setRetention may shorten some); null: as long as the "
        "account exists."
    ),
    # --- Disclosure ---
    "Disclosure": (
        "Personal data handed to someone outside on a legal ground, as staff recorded it. "
        "Staff only; the person sees it in myData (`disclosures`) unless a legal hold applies."
    ),
    "Disclosure.id": "Opaque identifier.",
    "Disclosure.reason": "Why it was disclosed.",
    "Disclosure.recipient": "Who received it.",
    "Disclosure.legalBasis": "The legal basis of the disclosure.",
    "Disclosure.data": "What was disclosed.",
    "Disclosure.disclosedAt": "When it was disclosed.",
    "Disclosure.holdUntil": (
        "The end of a legal hold: until then the person does not see it; null: no hold."
    ),
    "Disclosure.userId": "The account it is about; null for an address without an account.",
    "Disclosure.email": "The address it is about, for someone without an account.",
    # --- DisclosureInput ---
    "DisclosureInput": "A disclosure to record; name either userId or email.",
    "DisclosureInput.reason": "Why it was disclosed.",
    "DisclosureInput.recipient": "Who received it; 1 to 200 characters.",
    "DisclosureInput.legalBasis": (
        "The legal basis (e.g. the order or the statute); 1 to 500 characters."
    ),
    "DisclosureInput.data": "What was disclosed; 1 to 10,000 characters.",
    "DisclosureInput.disclosedAt": "When it was disclosed; not in the future.",
    "DisclosureInput.userId": "The account it is about; an unknown one is NOT_FOUND.",
    "DisclosureInput.email": "The address it is about, for someone without an account.",
    "DisclosureInput.holdUntil": (
        "A legal hold forbids telling the person until this moment (after disclosedAt, else "
        "BAD_USER_INPUT); null: they see it at once."
    ),
    # --- DisclosureReason ---
    "DisclosureReason": "The ground of a disclosure, as the privacy policy names it.",
    "DisclosureReason.LEGAL_OBLIGATION": (
        "Legal obligations: a court order, a subpoena or another legal duty."
    ),
    "DisclosureReason.ENFORCEMENT": "Enforcement: our terms, our rights, or others' safety.",
    "DisclosureReason.BUSINESS_TRANSFER": (
        "Business transfers: a merger, sale or transfer of the business."
    ),
    # --- Date ---
    # (strawberry's own description of the Date scalar stays.)
    # --- EventType ---
    "EventType": (
        "Something a host offers to be booked for, with its rules for slots. Public: anyone "
        "may read it by id (booking pages)."
    ),
    "EventType.id": "Opaque identifier; the booking page is /book/<id>.",
    "EventType.title": "Shown to bookers, e.g. Intro call.",
    "EventType.slug": "Short name, unique among the host's event types: a-z, 0-9 and hyphens.",
    "EventType.description": "What the meeting is about, for bookers; null if none.",
    "EventType.durationMinutes": "Length of each meeting, in minutes.",
    "EventType.locationKind": "What kind of place `location` is.",
    "EventType.bufferBeforeMinutes": (
        "Minutes kept free before each meeting: no other booking of the host may overlap them."
    ),
    "EventType.bufferAfterMinutes": (
        "Minutes kept free after each meeting: no other booking of the host may overlap them."
    ),
    "EventType.minimumNoticeMinutes": "No slot starts sooner than this many minutes from now.",
    "EventType.slotIntervalMinutes": (
        "Minutes between the starts of offered slots; null: durationMinutes."
    ),
    "EventType.maxBookingsPerDay": (
        "At most this many non-cancelled bookings of this event type per day, in the host's "
        "zone; null: no limit."
    ),
    "EventType.requiresConfirmation": (
        "true: bookings start PENDING until the host confirms them (confirmBooking)."
    ),
    "EventType.horizonDays": "Slots are offered only this many days ahead; null: no limit.",
    "EventType.reminderOffsetsMinutes": (
        "Reminders are sent this many minutes before each meeting, to the host and a signed-in "
        "booker; largest first."
    ),
    "EventType.host": "Who is booked: public details only.",
    "EventType.assignment": "ROUND_ROBIN or COLLECTIVE for a team event type; null: personal.",
    "EventType.hosts": (
        "Who may be booked, by name only: the team members hosting it, or the one host."
    ),
    # --- EventTypeInput ---
    "EventTypeInput": (
        "A new event type. Each bad field is BAD_USER_INPUT naming it; a slug the host already "
        "uses is CONFLICT."
    ),
    "EventTypeInput.title": "1 to 200 characters.",
    "EventTypeInput.slug": (
        "1 to 100 lower-case letters, digits and inner hyphens; unique among the host's "
        "event types."
    ),
    "EventTypeInput.durationMinutes": "Length of each meeting: 1 to 1440 minutes.",
    "EventTypeInput.location": "Where it takes place; at most 500 characters.",
    "EventTypeInput.bufferBeforeMinutes": "Minutes kept free before each meeting: 0 to 1440.",
    "EventTypeInput.bufferAfterMinutes": "Minutes kept free after each meeting: 0 to 1440.",
    "EventTypeInput.minimumNoticeMinutes": (
        "No slot starts sooner than this from now: 0 to 525600 minutes (a year)."
    ),
    "EventTypeInput.slotIntervalMinutes": (
        "Minutes between slot starts, 1 to 1440; null: durationMinutes."
    ),
    "EventTypeInput.maxBookingsPerDay": ("1 to 1000 per day in the host's zone; null: no limit."),
    "EventTypeInput.requiresConfirmation": "true: bookings wait for the host's confirmation.",
    "EventTypeInput.locationKind": "What kind of place `location` is.",
    "EventTypeInput.description": "For bookers; at most 5,000 characters.",
    "EventTypeInput.horizonDays": (
        "Offer slots only this many days ahead, 1 to 3650; null: no limit."
    ),
    # --- EventTypeUpdateInput ---
    "EventTypeUpdateInput.title": "1 to 200 characters.",
    "EventTypeUpdateInput.slug": (
        "1 to 100 lower-case letters, digits and inner hyphens; one the host already uses is "
        "CONFLICT."
    ),
    "EventTypeUpdateInput.durationMinutes": (
        "1 to 1440 minutes; applies to bookings made from now on."
    ),
    "EventTypeUpdateInput.location": "At most 500 characters.",
    "EventTypeUpdateInput.bufferBeforeMinutes": "0 to 1440 minutes.",
    "EventTypeUpdateInput.bufferAfterMinutes": "0 to 1440 minutes.",
    "EventTypeUpdateInput.minimumNoticeMinutes": "0 to 525600 minutes.",
    "EventTypeUpdateInput.slotIntervalMinutes": "1 to 1440 minutes.",
    "EventTypeUpdateInput.maxBookingsPerDay": "1 to 1000.",
    "EventTypeUpdateInput.requiresConfirmation": (
        "true: new bookings wait for the host's confirmation."
    ),
    "EventTypeUpdateInput.locationKind": "What kind of place `location` is.",
    "EventTypeUpdateInput.description": "At most 5,000 characters.",
    "EventTypeUpdateInput.horizonDays": "1 to 3650 days.",
    # --- InviteeCorrectionInput ---
    "InviteeCorrectionInput": (
        "What an invitee without an account corrects in the bookings made under their address "
        "(at least one field)."
    ),
    "InviteeCorrectionInput.name": "The correct name; 1 to 200 characters.",
    "InviteeCorrectionInput.timeZone": (
        "The correct IANA time zone; an unknown one is BAD_USER_INPUT."
    ),
    # --- Inquiry ---
    "Inquiry": (
        "A question to our staff. Its author sees it (myInquiries) when they wrote it signed "
        "in; staff see all of them."
    ),
    "Inquiry.id": "Opaque identifier.",
    "Inquiry.email": "Where replies go when the author was not signed in.",
    "Inquiry.subject": "The subject line.",
    "Inquiry.message": "The question.",
    "Inquiry.status": "Where it stands.",
    "Inquiry.createdAt": "When it was submitted.",
    "Inquiry.closedAt": "When it was closed; null while open or answered.",
    "Inquiry.replies": "Staff replies, oldest first.",
    # --- InquiryReply ---
    "InquiryReply": "A staff reply to an inquiry.",
    "InquiryReply.body": "The reply.",
    "InquiryReply.createdAt": "When it was sent.",
    # --- InquiryStatus ---
    "InquiryStatus": "Where an inquiry stands.",
    "InquiryStatus.OPEN": "Waiting for a reply.",
    "InquiryStatus.ANSWERED": "Staff replied; it may get more replies.",
    "InquiryStatus.CLOSED": (
        "Done: no more replies; deleted after its retention (INQUIRY, 365 days by default)."
    ),
    # --- LinkedCalendar ---
    "LinkedCalendar.id": "Opaque identifier.",
    "LinkedCalendar.kind": "Where its busy time comes from: a feed, CalDAV, Google or Microsoft.",
    "CalendarKind": "The kind of a linked calendar.",
    "CalendarKind.ICS_FEED": "A secret iCalendar feed address, read only (linkCalendar).",
    "CalendarKind.CALDAV": "A CalDAV calendar collection (linkCalDavCalendar): read and written.",
    "CalendarKind.GOOGLE": "A Google Calendar linked over OAuth (connectCalendar).",
    "CalendarKind.MICROSOFT": "A Microsoft 365 calendar linked over OAuth (connectCalendar).",
    "CalendarProvider": "An OAuth calendar provider that connectCalendar can link.",
    "CalendarProvider.GOOGLE": "Google Calendar (needs GOOGLE_CLIENT_ID on the server).",
    "CalendarProvider.MICROSOFT": "Microsoft 365 through Graph (needs MICROSOFT_CLIENT_ID).",
    "CalDavCalendarInput": (
        "A CalDAV calendar to link (Nextcloud, iCloud, Fastmail, Radicale, Baikal...). Needs "
        "the CALENDAR_ACCESS consent."
    ),
    "CalDavCalendarInput.username": "The CalDAV account's user name.",
    "CalDavCalendarInput.name": "Your name for it; default Calendar.",
    "CalDavCalendarInput.writeBookings": (
        "Write every confirmed booking into this calendar (moved on reschedule, removed on "
        "cancel); default true."
    ),
    "Mutation.linkCalDavCalendar(input)": (
        "The collection's URL and credentials; refused credentials are BAD_USER_INPUT naming "
        "them, never the password."
    ),
    "Mutation.connectCalendar(provider)": (
        "GOOGLE or MICROSOFT; answers the provider's authorization URL (OAuth 2 code flow with "
        "PKCE), whose callback links the calendar."
    ),
    "LinkedCalendar.name": "The owner's name for it (linkCalendar's `name`).",
    # --- LocationKind ---
    "LocationKind": "What kind of place an event type's `location` is.",
    "LocationKind.IN_PERSON": "A physical address.",
    "LocationKind.PHONE": "A phone call.",
    "LocationKind.VIDEO": "A video call; `location` holds the link.",
    "LocationKind.OTHER": "Anything else (the default).",
    # --- Mutation ---
    "Mutation": (
        "Every change. A mutation that errors changes nothing. Anonymous mutations are "
        "rate-limited per client address (RATE_LIMITED with extensions.retryAfter); those that "
        "need a user answer UNAUTHENTICATED without one."
    ),
    "Mutation.signUp": (
        "Creates an account, signs it in and mails a code to confirm the address (verifyEmail). "
        "Public; an address already in use is CONFLICT."
    ),
    "Mutation.signUp(input)": "The new account's details.",
    "Mutation.logIn": (
        "A new token for an existing account. Public; a wrong e-mail or password is "
        "UNAUTHENTICATED, a suspended account FORBIDDEN; attempts are rate-limited."
    ),
    "Mutation.logIn(email)": "The account's e-mail address (any case).",
    "Mutation.logIn(password)": "The account's password.",
    "Mutation.logOut": (
        "Revokes the token sent in the Authorization header; false if it was revoked already. "
        "Over HTTP only (on a WebSocket: UNAUTHENTICATED)."
    ),
    "Mutation.deleteAccount(password)": (
        "The account's password, again; a wrong one is UNAUTHENTICATED and erases nothing."
    ),
    "Mutation.eraseClientData": (
        "A host erases one client's details from their bookings, on that client's request; "
        "the bookings stay as anonymous busy time. Returns how many bookings were erased."
    ),
    "Mutation.eraseClientData(email)": "The client's e-mail address, as they booked.",
    "Mutation.requestDataExport": (
        "Right to portability: a one-time download path (`/export/<token>`), valid for 15 "
        "minutes: a ZIP of my-data.json (as myData) and bookings.ics."
    ),
    "Mutation.submitPrivacyRequest": (
        "Files a request under a GDPR right; it is answered within one calendar month (dueAt). "
        "Staff move it on with updatePrivacyRequest; you are notified of each step."
    ),
    "Mutation.submitPrivacyRequest(kind)": "The right exercised.",
    "Mutation.submitPrivacyRequest(details)": "What you ask for; at most 5,000 characters.",
    "Mutation.submitInviteePrivacyRequest": (
        "For someone without an account (an invitee): mails a confirmation code to `email`; "
        "nothing happens until confirmPrivacyRequest. Public and always true, whether or not "
        "we hold anything about the address."
    ),
    "Mutation.submitInviteePrivacyRequest(email)": "The address the bookings were made under.",
    "Mutation.submitInviteePrivacyRequest(kind)": (
        "ACCESS, ERASURE or CORRECTION (other kinds: BAD_USER_INPUT; account holders use "
        "submitPrivacyRequest)."
    ),
    "Mutation.submitInviteePrivacyRequest(correction)": (
        "For CORRECTION (required then, refused with other kinds): the corrected details, "
        "written into every booking under the address when staff complete the request; the "
        "hosts are told."
    ),
    "Mutation.confirmPrivacyRequest": (
        "Confirms an invitee's request with the mailed code, which puts it in front of staff. "
        "Public; an unknown, used or expired code is NOT_FOUND."
    ),
    "Mutation.confirmPrivacyRequest(token)": "The code from the e-mail; valid for 7 days.",
    "Mutation.updatePrivacyRequest(id)": "The request.",
    "Mutation.updatePrivacyRequest(status)": (
        "RECEIVED may become IN_PROGRESS or REJECTED, IN_PROGRESS may become COMPLETED or "
        "REJECTED; anything else is CONFLICT. COMPLETED carries out what it can (a restriction, "
        "an invitee's erasure or access)."
    ),
    "Mutation.updatePrivacyRequest(reason)": (
        "The answer given to the requester; required for COMPLETED and REJECTED."
    ),
    "Mutation.setConsent": (
        "Gives or withdraws consent for one purpose; every choice is kept in consentHistory. "
        "Withdrawing stops that processing at once."
    ),
    "Mutation.setConsent(purpose)": "What the consent is for.",
    "Mutation.setConsent(granted)": "true gives it, false withdraws it.",
    "Mutation.objectToProcessing": (
        "Right to object (Art. 21): stops that processing at once, no request needed. Returns true."
    ),
    "Mutation.objectToProcessing(processing)": "The processing objected to.",
    "Mutation.withdrawObjection": (
        "Withdraws my objection to a processing; it resumes only as my consents allow (a "
        "consent withdrawn with the objection stays withdrawn). Returns true."
    ),
    "Mutation.withdrawObjection(processing)": "The processing no longer objected to.",
    "Mutation.liftRestriction": (
        "Staff: lifts the restriction of processing of a person's data (Art. 18(3)); audited, "
        "and the person is told by notification and e-mail. CONFLICT when not restricted."
    ),
    "Mutation.liftRestriction(userId)": "The account; an unknown one is NOT_FOUND.",
    "Mutation.liftRestriction(reason)": "Why: required, sent to the person and audited.",
    "Mutation.recordDisclosure": (
        "Staff: records a disclosure of a person's data to an authority or in a business "
        "transfer; audited. The person sees it in myData unless a legal hold applies."
    ),
    "Mutation.recordDisclosure(input)": "What was disclosed, to whom, on what basis, and when.",
    "Mutation.recordDisclosure(reason)": "Why it is recorded: required, audited.",
    "Mutation.endDisclosureHold": (
        "Staff: ends a disclosure's legal hold now, so the person sees it; audited."
    ),
    "Mutation.endDisclosureHold(id)": "The disclosure; an unknown one is NOT_FOUND.",
    "Mutation.endDisclosureHold(reason)": "Why: required, audited.",
    "Mutation.recordActivity": (
        "Records a page view of the signed-in user. Stored only with PERFORMANCE_COOKIES "
        "consent and never under restriction or objection; returns false when nothing was "
        "stored. The client address is kept truncated (/24, /48)."
    ),
    "Mutation.recordActivity(path)": "The page's path; 1 to 500 characters.",
    "Mutation.recordActivity(search)": "The search on the page, if any; at most 500 characters.",
    "Mutation.updateProfile(input)": "Only the fields given change.",
    "Mutation.verifyEmail(code)": (
        "The code from the e-mail, valid for 2 days; a wrong or expired code is BAD_USER_INPUT."
    ),
    "Mutation.createEventType": "A new event type of the signed-in host.",
    "Mutation.createEventType(input)": "Its title, slug, duration and rules.",
    "Mutation.updateEventType": (
        "Changes one of the signed-in host's event types; another host's is NOT_FOUND. "
        "Existing bookings keep their times."
    ),
    "Mutation.updateEventType(id)": "The event type.",
    "Mutation.updateEventType(input)": "The fields to change.",
    "Mutation.deleteEventType": (
        "Retires one of the signed-in host's event types: no longer bookable or public, its "
        "bookings stay, its slug is free again. Another host's is NOT_FOUND."
    ),
    "Mutation.deleteEventType(id)": "The event type.",
    "Mutation.createTeam": "A new team; the signed-in caller is its OWNER.",
    "Mutation.createTeam(name)": "Shown to members and on its booking pages; 1 to 200 characters.",
    "Mutation.createTeam(slug)": (
        "3 to 40 of a-z, 0-9 and hyphens, unique among teams; CONFLICT when taken."
    ),
    "Mutation.inviteTeamMember": (
        "OWNER or ADMIN (else FORBIDDEN; NOT_FOUND outside the team): e-mails the address a "
        "single-use link with an invitation token valid for 7 days. CONFLICT when the address "
        "is a member already."
    ),
    "Mutation.inviteTeamMember(teamId)": "The team.",
    "Mutation.inviteTeamMember(email)": (
        "Who is invited; an address without an account joins after sign-up and verification."
    ),
    "Mutation.inviteTeamMember(role)": "The role they get; only an OWNER may invite an OWNER.",
    "Mutation.acceptTeamInvite": (
        "Joins the team of the invitation: only the signed-in account whose verified e-mail "
        "was invited (else FORBIDDEN, the token left unspent). A forged, used or expired "
        "token is BAD_USER_INPUT."
    ),
    "Mutation.acceptTeamInvite(token)": "The token of the e-mailed link.",
    "Mutation.removeTeamMember": (
        "OWNER or ADMIN remove a member (an ADMIN cannot remove an OWNER: FORBIDDEN); anyone may "
        "remove themself (leave). The only OWNER cannot go (CONFLICT). The member stops hosting "
        "the team's event types; their future team bookings go to another free host "
        "(ROUND_ROBIN) or are cancelled with notice to the invitee (COLLECTIVE)."
    ),
    "Mutation.removeTeamMember(teamId)": "The team.",
    "Mutation.removeTeamMember(userId)": "The member (TeamMember.userId).",
    "Mutation.createTeamEventType": (
        "OWNER or ADMIN (else FORBIDDEN): an event type booked on the team's hosts. Its public "
        "host is the team (its name, its owner's zone). One seat per slot: seatsPerSlot other "
        "than 1 is BAD_USER_INPUT."
    ),
    "Mutation.createTeamEventType(teamId)": "The team.",
    "Mutation.createTeamEventType(input)": "Its title, slug, duration and rules.",
    "Mutation.createTeamEventType(assignment)": "ROUND_ROBIN or COLLECTIVE.",
    "Mutation.createTeamEventType(hostIds)": (
        "Members of the team who host it (TeamMember.userId); at least one, BAD_USER_INPUT "
        "otherwise."
    ),
    "Mutation.setWeeklyAvailability": (
        "Replaces the signed-in host's weekly working hours and sets their time zone; slots "
        "follow at once."
    ),
    "Mutation.setWeeklyAvailability(timeZone)": (
        "The host's IANA time zone (e.g. Europe/London); the rules are wall-clock times in it, "
        "across daylight-saving changes. Unknown: BAD_USER_INPUT."
    ),
    "Mutation.setWeeklyAvailability(rules)": (
        "Every working interval of the week; intervals of one day may touch but not overlap. "
        "[]: no weekly hours (date overrides still apply)."
    ),
    "Mutation.setDateOverride(date)": (
        "The day, in the host's zone; its hours replace the weekly rules for that day."
    ),
    "Mutation.setDateOverride(intervals)": (
        "The working intervals of that day; may touch, not overlap."
    ),
    "Mutation.clearDateOverride": (
        "The day follows the weekly rules again; false when it had no override."
    ),
    "Mutation.clearDateOverride(date)": "The day, in the host's zone.",
    "Mutation.bookMeeting(input)": "What to book and for whom.",
    "Mutation.cancelBooking": (
        "Cancels a booking: by its host, its signed-in booker, or anyone with its manageToken "
        "(anyone else: NOT_FOUND). Cancelled already or changed meanwhile: CONFLICT."
    ),
    "Mutation.cancelBooking(id)": "The booking.",
    "Mutation.cancelBooking(reason)": "Why; kept as cancelReason; at most 2,000 characters.",
    "Mutation.cancelBooking(manageToken)": "The booker's manage token (from bookMeeting).",
    "Mutation.rescheduleBooking": (
        "Moves a booking to another free slot: by its host, its signed-in booker, or anyone "
        "with its manageToken (anyone else: NOT_FOUND). A start that is not free, a cancelled "
        "booking, or one changed meanwhile: CONFLICT."
    ),
    "Mutation.rescheduleBooking(id)": "The booking.",
    "Mutation.rescheduleBooking(start)": (
        "The new start, one availableSlots offers (the booking's own time counts as free)."
    ),
    "Mutation.rescheduleBooking(reason)": "Why; at most 2,000 characters.",
    "Mutation.rescheduleBooking(manageToken)": "The booker's manage token (from bookMeeting).",
    "Mutation.confirmBooking": (
        "The host confirms a PENDING booking (event types with requiresConfirmation). Not "
        "pending: CONFLICT; not the host's: NOT_FOUND."
    ),
    "Mutation.confirmBooking(id)": "The booking.",
    "Mutation.linkCalendar(url)": (
        "The feed's secret address, at most 2,000 characters; stored encrypted, never "
        "returned. Private and loopback addresses are refused unless in CALENDAR_ALLOWED_HOSTS. "
        "Unreachable or not a calendar: BAD_USER_INPUT; at most 10 calendars per account."
    ),
    "Mutation.linkCalendar(name)": "Your name for it; at most 200 characters; default Calendar.",
    "Mutation.syncCalendar": (
        "Fetches one of the signed-in user's calendars now (they are also synced every "
        "CALENDAR_SYNC_MINUTES). A failed fetch keeps the last busy times and shows in "
        "status and lastError."
    ),
    "Mutation.syncCalendar(id)": "The calendar; another user's is NOT_FOUND.",
    "Mutation.unlinkCalendar": "Unlinks a calendar and deletes the busy times kept from it.",
    "Mutation.unlinkCalendar(id)": "The calendar; another user's is NOT_FOUND.",
    "Mutation.markNotificationsRead": (
        "Marks the signed-in user's notifications read; returns how many were unread. Ids of "
        "others' notifications are ignored."
    ),
    "Mutation.markNotificationsRead(ids)": "At most 1,000 notification ids.",
    "Mutation.registerWebhook(url)": (
        "An https URL on a public address (plain http and private addresses only for hosts in "
        "CALENDAR_ALLOWED_HOSTS), at most 2,000 characters; at most 10 webhooks per account. "
        "Each delivery is a POST with the headers X-BookNMeet-Event, X-BookNMeet-Delivery, "
        "X-BookNMeet-Timestamp and X-BookNMeet-Signature: see docs/webhooks.md."
    ),
    "Mutation.deleteWebhook": (
        "Deletes one of the signed-in host's webhooks with its deliveries (pending ones are "
        "never sent); another host's is NOT_FOUND."
    ),
    "Mutation.deleteWebhook(id)": "The webhook.",
    "Mutation.setRetention(category)": "The category of your data.",
    "Mutation.setRetention(days)": (
        "Keep it this many days: from 1 to the category's default (else BAD_USER_INPUT)."
    ),
    "Mutation.warnUser(id)": "The account; your own is BAD_USER_INPUT.",
    "Mutation.warnUser(reason)": "Sent to the user and written to the audit trail; required.",
    "Mutation.suspendUser(id)": (
        "The account; your own is BAD_USER_INPUT, one already suspended CONFLICT."
    ),
    "Mutation.suspendUser(reason)": "Written to the audit trail; required.",
    "Mutation.reinstateUser(id)": "A suspended account; one that is not is CONFLICT.",
    "Mutation.reinstateUser(reason)": "Written to the audit trail; required.",
    "Mutation.deleteUser(id)": "The account; your own is BAD_USER_INPUT.",
    "Mutation.deleteUser(reason)": "Written to the audit trail; required.",
    "Mutation.publishPolicy(version)": (
        "The version's name, 1 to 40 characters; one already published is CONFLICT."
    ),
    "Mutation.publishPolicy(text)": "The policy's text; at most 100,000 characters.",
    "Mutation.publishPolicy(effectiveAt)": (
        "When it takes effect: at least 7 days from now (else BAD_USER_INPUT)."
    ),
    "Mutation.acceptPolicy": (
        "Records that the signed-in user accepted a policy version; accepting again changes "
        "nothing."
    ),
    "Mutation.acceptPolicy(version)": "A published version; an unknown one is NOT_FOUND.",
    "Mutation.recordBreach(description)": (
        "What happened; at most 10,000 characters. HIGH risk sends it to the affected users."
    ),
    "Mutation.recordBreach(detectedAt)": (
        "When it was detected, not in the future; each regulator's deadline counts from it."
    ),
    "Mutation.recordBreach(affectedEmails)": (
        "People affected known only by an address (invitees without accounts); HIGH risk "
        "tells them by e-mail. A malformed one is BAD_USER_INPUT."
    ),
    "Mutation.recordBreach(regulators)": (
        "The supervisory authorities owed the report; null: all of them."
    ),
    "Mutation.recordBreach(report)": (
        "The report's content, if known yet (updateBreachReport adds it later)."
    ),
    "Mutation.recordBreach(affectedUserIds)": (
        "The accounts affected; an unknown one is BAD_USER_INPUT."
    ),
    "Mutation.recordBreach(risk)": "The risk to the people affected.",
    "Mutation.submitInquiry(email)": "Where the reply goes (when not signed in).",
    "Mutation.submitInquiry(subject)": "1 to 200 characters.",
    "Mutation.submitInquiry(message)": (
        "1 to 10,000 characters. At most 5 inquiries per address per hour (RATE_LIMITED)."
    ),
    "Mutation.replyToInquiry(id)": "The inquiry; a closed one is CONFLICT.",
    "Mutation.replyToInquiry(body)": (
        "The reply, 1 to 10,000 characters: a notification to a signed-in author, else an e-mail."
    ),
    "Mutation.replyToInquiry(close)": "true closes the inquiry with this reply.",
    "Mutation.closeInquiry(id)": "The inquiry; a closed one is CONFLICT.",
    "Mutation.markBreachReported(id)": (
        "The breach, now reported; one reported already (to that regulator) is CONFLICT, and "
        "so is one whose report lacks dataCategories, likelyConsequences or measures."
    ),
    "Mutation.markBreachReported(regulator)": (
        "The regulator it was reported to (one the breach is not owed to is BAD_USER_INPUT); "
        "null: every one still owed."
    ),
    "Mutation.updateBreachReport": (
        "Staff: records or amends the report's content (Art. 33(3)-(4)); audited."
    ),
    "Mutation.updateBreachReport(id)": "The breach; an unknown one is NOT_FOUND.",
    "Mutation.updateBreachReport(report)": "The fields to set; null fields stay as they are.",
    # --- Notification ---
    "Notification": (
        "A message to the user: booking changes, reminders, privacy and account news. "
        "Kept 180 days by default (retention NOTIFICATION)."
    ),
    "Notification.id": "Opaque identifier.",
    "Notification.kind": (
        "BOOKING_CREATED, BOOKING_CONFIRMED, BOOKING_RESCHEDULED, BOOKING_CANCELLED, REMINDER, "
        "PERSON_UPDATED, PRIVACY_REQUEST, POLICY_UPDATE, DATA_BREACH, INQUIRY_REPLY, "
        "ACCOUNT_WARNING, ACCOUNT_REINSTATED, RESTRICTION_LIFTED or REGISTER_UPDATE; more may come."
    ),
    "Notification.message": "The text for people; times in the host's zone.",
    "Notification.createdAt": "When it was created.",
    "Notification.readAt": "When it was marked read; null while unread.",
    # --- NotificationConnection ---
    "NotificationConnection": "One page of notifications, newest first.",
    "NotificationConnection.edges": "The notifications of this page.",
    "NotificationConnection.pageInfo": "Whether there is a next page, and the cursor to get it.",
    "NotificationConnection.totalCount": "How many match (unreadOnly counted), across all pages.",
    # --- NotificationEdge ---
    "NotificationEdge": "A notification and its place in the list.",
    "NotificationEdge.node": "The notification.",
    "NotificationEdge.cursor": "Opaque: pass it as `after` to continue after this one.",
    # --- Objection ---
    "Objection": "A processing a user may object to (objectToProcessing).",
    "Objection.ANALYTICS": (
        "Recording page views and searches: stopped, and what was recorded deleted."
    ),
    "Objection.MARKETING": "Marketing: stopped, and MARKETING consent withdrawn.",
    # --- PageInfo ---
    "PageInfo": (
        "Where a page starts and ends: pass endCursor as `after` while hasNextPage is true, or "
        "startCursor as `before` (with `last`) while hasPreviousPage is true."
    ),
    "PageInfo.hasNextPage": "Whether more items follow this page.",
    "PageInfo.hasPreviousPage": "Whether more items come before this page.",
    "PageInfo.endCursor": "The cursor of the page's last item; null on an empty page.",
    "PageInfo.startCursor": "The cursor of the page's first item; null on an empty page.",
    # --- Policy ---
    "Policy": "A version of the privacy policy. Public.",
    "Policy.version": "The version's name, e.g. 2027-01.",
    "Policy.text": "The policy's full text.",
    "Policy.effectiveAt": "When it takes effect (published at least 7 days before).",
    "Policy.publishedAt": "When it was published (every user was notified then).",
    # --- PolicyAcceptance ---
    "PolicyAcceptance": "The signed-in user's acceptance of a policy version.",
    "PolicyAcceptance.version": "The version accepted.",
    "PolicyAcceptance.acceptedAt": "When it was first accepted.",
    # --- PrivacyInfo ---
    "PrivacyInfo": (
        "Public: who is responsible for your data, what we hold, why, and for how long."
    ),
    "PrivacyInfo.controller": "The data controller (PRIVACY_CONTROLLER).",
    "PrivacyInfo.contactEmail": "Where to write about privacy (PRIVACY_CONTACT_EMAIL).",
    "PrivacyInfo.categories": "Every category of personal data we hold.",
    # --- PrivacyRequest ---
    "PrivacyRequest": (
        "A request under a GDPR right. Seen by its requester (privacyRequests) and by staff."
    ),
    "PrivacyRequest.id": "Opaque identifier.",
    "PrivacyRequest.kind": "The right exercised.",
    "PrivacyRequest.status": "Where it stands.",
    "PrivacyRequest.createdAt": "When it was submitted.",
    "PrivacyRequest.dueAt": "One calendar month after createdAt: answered by then.",
    "PrivacyRequest.details": "What the requester wrote; null if nothing.",
    "PrivacyRequest.resolution": "Staff's answer; null until there is one.",
    "PrivacyRequest.resolvedAt": "When it was completed or rejected; null while open.",
    "PrivacyRequest.overdue": "Still open (RECEIVED or IN_PROGRESS) past dueAt.",
    # --- PrivacyRequestKind ---
    "PrivacyRequestKind": "The GDPR right a request exercises.",
    "PrivacyRequestKind.ACCESS": "A copy of the data we hold (Art. 15); myData answers it at once.",
    "PrivacyRequestKind.CORRECTION": "Correct inaccurate data (Art. 16); updateProfile does most.",
    "PrivacyRequestKind.ERASURE": "Erase the data (Art. 17); deleteAccount does it at once.",
    "PrivacyRequestKind.RESTRICTION": (
        "Restrict processing (Art. 18): when completed, activity is no longer recorded and no "
        "marketing is sent."
    ),
    "PrivacyRequestKind.OBJECTION": "Object to processing (Art. 21); see also objectToProcessing.",
    "PrivacyRequestKind.PORTABILITY": (
        "The data in a portable format (Art. 20); requestDataExport answers it at once."
    ),
    "PrivacyRequestKind.WITHDRAW_CONSENT": "Withdraw a consent (Art. 7(3)); see also setConsent.",
    "PrivacyRequestKind.AUTOMATED_DECISION": (
        "About decisions made solely by automated means (Art. 22): we make none."
    ),
    # --- PrivacyRequestStatus ---
    "PrivacyRequestStatus": "Where a privacy request stands.",
    "PrivacyRequestStatus.RECEIVED": (
        "Filed, not yet worked on; an invitee's request reaches staff once confirmed."
    ),
    "PrivacyRequestStatus.IN_PROGRESS": "Staff are working on it.",
    "PrivacyRequestStatus.COMPLETED": "Done; the resolution says what was done.",
    "PrivacyRequestStatus.REJECTED": "Refused; the resolution says why.",
    # --- ProcessingStatus ---
    "ProcessingStatus": "Whether processing of my data is restricted or objected to.",
    "ProcessingStatus.restricted": (
        "Processing is restricted (Art. 18: a completed RESTRICTION request) until staff lift "
        "it, which I am told."
    ),
    "ProcessingStatus.restrictionStops": "What the restriction stops; empty when not restricted.",
    "ProcessingStatus.objections": "The processing I object to (objectToProcessing).",
    "ProcessingStatus.objectionStops": "What my objections stop.",
    # --- ProfileInput ---
    "ProfileInput": "A correction of the signed-in user's profile; only the fields given change.",
    "ProfileInput.name": (
        "1 to 200 characters; also corrected in hosts' bookings made under your verified address."
    ),
    "ProfileInput.email": (
        "A new address: CONFLICT when another account has it. It must be verified again "
        "(a code is mailed to it)."
    ),
    "ProfileInput.timeZone": "An IANA time zone, e.g. Europe/London; unknown: BAD_USER_INPUT.",
    "ProfileInput.companyName": "At most 200 characters; an empty string removes it.",
    # --- PublicHost ---
    "PublicHost.name": "The host's name.",
    "PublicHost.timeZone": "The host's IANA time zone: their working hours are in it.",
    # --- The transparency register (privacyInfo; publishPrivacyRegister) ---
    "PrivacyInfo.processors": "Who processes personal data on our behalf (the register in effect).",
    "PrivacyInfo.storageLocations": "Where personal data is stored.",
    "PrivacyInfo.internationalTransfers": "Transfers to other countries and their safeguards.",
    "PrivacyInfo.regulators": (
        "The supervisory authorities we answer to, with their breach-report deadlines."
    ),
    "PrivacyInfo.contactPhone": "The privacy contact's phone number; null when none is set.",
    "PrivacyInfo.registerEffectiveAt": (
        "Since when the register shown applies; null: the defaults, never changed."
    ),
    "PrivacyInfo.upcomingRegister": (
        "The next published version of the register, before it takes effect (at least 7 days "
        "after it was published); null when none is pending."
    ),
    "Processor": "A processor: someone who handles personal data on our behalf.",
    "InternationalTransfer": "A transfer of personal data to another country.",
    "Regulator": "A supervisory authority for data protection.",
    "PrivacyRegister": "A version of the transparency register.",
    "Mutation.publishPrivacyRegister(input)": "The whole register as it will be.",
    "Mutation.publishPrivacyRegister(effectiveAt)": (
        "When it takes effect: at least 7 days ahead, with a UTC offset (else BAD_USER_INPUT)."
    ),
    # --- PurgeRun ---
    "PurgeRun": (
        "One run of the retention purge (hourly, on one worker), which deletes data past its "
        "retention. Staff only."
    ),
    "PurgeRun.id": "Opaque identifier.",
    "PurgeRun.startedAt": "When it started.",
    "PurgeRun.finishedAt": "When it finished; null while it runs (or if it failed).",
    # --- Query ---
    "Query": (
        "Every read. Those marked public need no token; the others answer UNAUTHENTICATED "
        "without one, staff-only ones FORBIDDEN to everyone else."
    ),
    "Query.privacyInfo": (
        "Public: the data controller, the categories of data, purposes and retention."
    ),
    "Query.privacyRequests": "My privacy requests, newest first.",
    "Query.adminPrivacyRequests(status)": "Only requests in this status; null: all.",
    "Query.consents": "My current consent choices, one per purpose I have chosen for.",
    "Query.processingStatus": (
        "Whether processing of my data is restricted or objected to, and what that stops. "
        "Signed in."
    ),
    "Query.breachReport": (
        "Staff: a breach's report to the regulators (Art. 33(3)) as one JSON document: "
        "controller and contact, nature, categories, approximate numbers, likely consequences, "
        "measures, people told, and each regulator's deadline and filing."
    ),
    "Query.breachReport(id)": "The breach; an unknown one is NOT_FOUND.",
    "Query.adminDisclosures": "Staff: recorded disclosures, newest first.",
    "Query.adminDisclosures(userId)": "Only those about this account; null: all.",
    "Query.consentHistory": "Every consent choice I made, oldest first.",
    "Query.eventType(id)": (
        "The event type; null when there is none (deleted, its host suspended, or hidden and "
        "you are not its host)."
    ),
    "Query.myEventTypes": "The signed-in host's event types, oldest first.",
    "Query.teams": "The teams the signed-in user belongs to, oldest first.",
    "Query.schedule": "The signed-in host's time zone and weekly working hours.",
    "Query.availableSlots(eventTypeId)": (
        "The event type; NOT_FOUND when there is none or its host is suspended."
    ),
    "Query.availableSlots(start)": "The window's start (inclusive).",
    "Query.availableSlots(end)": (
        "The window's end (exclusive): after start, at most 62 days later (else BAD_USER_INPUT)."
    ),
    "Query.availableSlots(timeZone)": (
        "The IANA zone whose offsets the slots are written in (the visitor's); default: the "
        "host's. Unknown: BAD_USER_INPUT."
    ),
    "Query.bookings": "The signed-in host's bookings, a page at a time.",
    "Query.bookings(first)": "Page size: 0 to 100 (else BAD_USER_INPUT).",
    "Query.bookings(after)": (
        "The endCursor of the previous page, of the same order; anything else is BAD_USER_INPUT."
    ),
    "Query.bookings(status)": "Only bookings in this status; null: all.",
    "Query.bookings(order)": "NEWEST_FIRST, or START_ASC for an agenda.",
    "Query.bookings(startFrom)": "Only bookings starting at or after this instant.",
    "Query.bookings(startTo)": "Only bookings starting before this instant.",
    "Query.booking": "One of the signed-in host's bookings; another host's is NOT_FOUND.",
    "Query.booking(id)": "The booking.",
    "Query.managedBooking": (
        "Public: the booking whose manage token this is (the invitee's /manage/<token> page), "
        "with the booker's details; null for an unknown token. Change it with cancelBooking "
        "and rescheduleBooking, passing the same manageToken."
    ),
    "Query.managedBooking(manageToken)": (
        "The manage token bookMeeting returned and the invitee's e-mails carry."
    ),
    "Query.clients": ("The people who booked with the signed-in host, most recent booking first."),
    "Query.clients(first)": "Page size: 0 to 100 (else BAD_USER_INPUT).",
    "Query.clients(after)": "The endCursor of the previous page.",
    "Query.notifications": (
        "The signed-in user's notifications, newest first: after every (re)connect of a "
        "subscription, catch up here."
    ),
    "Query.notifications(first)": "Page size: 0 to 100 (else BAD_USER_INPUT).",
    "Query.notifications(after)": "The endCursor of the previous page.",
    "Query.notifications(unreadOnly)": "true: only notifications not yet marked read.",
    "Query.webhookDeliveries(webhookId)": (
        "One of the signed-in host's webhooks; another's is NOT_FOUND."
    ),
    "Query.webhookDeliveries(first)": "How many, 0 to 100 (else BAD_USER_INPUT).",
    "Query.currentPolicy": "Public: the privacy policy in effect now; null before the first one.",
    "Query.upcomingPolicy": (
        "Public: the next published policy version not yet in effect; null when there is none."
    ),
    "Query.purgeRuns(limit)": "How many, 1 to 500.",
    "Query.myInquiries": "The inquiries I submitted while signed in, oldest first, with replies.",
    "Query.adminInquiries(status)": (
        "Only inquiries in this status; null: all. Every account whose inquiries are read is "
        "audited."
    ),
    "Query.adminUserData(id)": "The account.",
    "Query.adminUserData(reason)": "Why you read it: required, written to the audit trail.",
    # --- RegulatorKey ---
    "RegulatorKey": (
        "A supervisory authority a breach may be owed to (the full register is in privacyInfo)."
    ),
    "RegulatorKey.ICO": "The Information Commissioner's Office (United Kingdom): 72 hours.",
    "RegulatorKey.OMBUDSMAN": "The Office of the Ombudsman (Cayman Islands): 120 hours.",
    # --- Retention ---
    "Retention": "How long one category of my data is kept before the purge deletes it.",
    "Retention.category": "The category.",
    "Retention.days": "Days it is kept now.",
    "Retention.defaultDays": "The published default, the longest allowed.",
    "Retention.custom": "Whether I chose a shorter time than the default.",
    # --- RetentionCategory ---
    "RetentionCategory": "A category of data whose retention each person may shorten.",
    "RetentionCategory.BOOKING": ("Bookings I host, counted from their end (730 days by default)."),
    "RetentionCategory.NOTIFICATION": "Notifications (180 days by default).",
    "RetentionCategory.TECHNICAL": "Recorded page views and searches (30 days by default).",
    "RetentionCategory.INQUIRY": "Closed inquiries, from their closing (365 days by default).",
    # --- Schedule ---
    "Session.id": "Opaque identifier: pass it to revokeSession.",
    "Session.createdAt": "When the token was issued (signUp, logIn or a password reset).",
    "Session.lastUsedAt": (
        "When the token was last used (refreshed at most every few minutes); null when never. "
        "Unused for SESSION_IDLE_DAYS, or older than SESSION_MAX_DAYS, it ends."
    ),
    "Mutation.requestPasswordReset(email)": (
        "The account's address. Always true; mails PUBLIC_URL/reset-password?token=... only if "
        "the account exists (at most 3 an hour)."
    ),
    "Mutation.resetPassword(token)": (
        "The token of the mailed link: single use, valid 30 minutes; a used, expired or unknown "
        "one is BAD_USER_INPUT."
    ),
    "Mutation.resetPassword(newPassword)": (
        "10 to 256 characters, not trivially guessed; every older token of the account is "
        "revoked and its WebSockets close."
    ),
    "Mutation.changePassword(currentPassword)": "The password now (a wrong one counts as a login).",
    "Mutation.changePassword(newPassword)": (
        "10 to 256 characters, not trivially guessed; every other token is revoked and its "
        "WebSockets close."
    ),
    "Mutation.revokeSession(id)": (
        "One of your sessions (this one too); its WebSockets close with 4401. Anyone else's or "
        "an ended one is NOT_FOUND."
    ),
    "Query.eventTypeBySlug(handle)": "The host's public handle, as on /book/<handle>/<slug>.",
    "Query.eventTypeBySlug(slug)": "The event type's slug under that host.",
    "EventType.seatsPerSlot": (
        "How many people may book one slot (a group event); 1 for one-to-one meetings."
    ),
    "EventType.maxBookingsPerWeek": (
        "At most this many bookings per ISO week in the host's zone; null: no limit."
    ),
    "EventType.maxBookingsPerMonth": (
        "At most this many bookings per calendar month in the host's zone; null: no limit."
    ),
    "EventType.minimumCancelNoticeMinutes": (
        "Inside this many minutes before the start the invitee can no longer cancel or move "
        "(CONFLICT); the host still can."
    ),
    "EventType.questions": "What the booking form asks, in order.",
    "BookingQuestion": "A question of the booking form.",
    "BookingQuestion.key": "Its key: answers name it (`answers.<key>` in errors).",
    "BookingQuestion.label": "What the form shows.",
    "BookingQuestion.kind": "What kind of answer it takes.",
    "BookingQuestion.required": "Whether a booking needs an answer.",
    "BookingQuestion.options": "The choices of SINGLE_CHOICE and MULTIPLE_CHOICE; else empty.",
    "QuestionKind": "The kind of answer a booking question takes.",
    "QuestionKind.SHORT_TEXT": "One line of text (at most 200 characters).",
    "QuestionKind.LONG_TEXT": "Free text (at most 5,000 characters).",
    "QuestionKind.SINGLE_CHOICE": "Exactly one of the options.",
    "QuestionKind.MULTIPLE_CHOICE": "Any of the options, each at most once.",
    "QuestionKind.CHECKBOX": 'Yes or no ("true" or "false").',
    "QuestionKind.PHONE": "A phone number in international form (stored as E.164).",
    "DateOverride": "The host's hours on one date, replacing the weekly rules that day.",
    "DateOverride.date": "The date, in the host's zone.",
    "DateOverride.intervals": "Working time that day; empty: unavailable all day.",
    "TimeRange": "A span of wall-clock time in the host's zone.",
    "TimeRange.start": "HH:MM.",
    "TimeRange.end": "HH:MM; 24:00 for the end of the day.",
    "Slot.seatsLeft": "Seats still free at this start (1 for one-to-one event types).",
    "Booking.answers": "The booker's answers to the booking questions (host and booker only).",
    "Answer": "An answer to a booking question.",
    "Answer.key": "The question's key.",
    "Answer.label": "The question as it was asked.",
    "Answer.value": "The answer as text (choices joined by commas; true or false for checkboxes).",
    "Mutation.holdSlot(eventTypeId)": "The public event type.",
    "Mutation.holdSlot(start)": (
        "A slot start availableSlots offers; the hold keeps it for SLOT_HOLD_MINUTES while the "
        "form is filled in."
    ),
    "Mutation.correctBookingAnswers(id)": "The booking.",
    "Mutation.correctBookingAnswers(answers)": (
        "The corrected answers, checked like at booking; the host is notified."
    ),
    "Mutation.correctBookingAnswers(manageToken)": (
        "The manage token of an invitee without an account; signed-in bookers need none."
    ),
    "EventTypeInput.questions": "The booking form's questions (keys unique).",
    "EventTypeInput.seatsPerSlot": "1 to 1,000 people per slot; default 1.",
    "EventTypeInput.maxBookingsPerWeek": "Bookings per ISO week; null: no limit.",
    "EventTypeInput.maxBookingsPerMonth": "Bookings per calendar month; null: no limit.",
    "EventTypeInput.minimumCancelNoticeMinutes": (
        "The invitee cannot cancel or move inside this many minutes before the start; default 0."
    ),
    "BookingQuestionInput": "A question of the booking form.",
    "BookingQuestionInput.key": "[A-Za-z0-9_-], 1 to 40 characters, unique in the form.",
    "BookingQuestionInput.label": "What the form shows (at most 200 characters).",
    "BookingQuestionInput.kind": "What kind of answer it takes.",
    "BookingQuestionInput.required": "Whether a booking needs an answer; default false.",
    "BookingQuestionInput.options": "The choices of SINGLE_CHOICE and MULTIPLE_CHOICE.",
    "EventTypeUpdateInput.questions": "Replaces the booking questions; omitted: unchanged.",
    "EventTypeUpdateInput.seatsPerSlot": "People per slot; omitted: unchanged.",
    "EventTypeUpdateInput.maxBookingsPerWeek": "Bookings per ISO week; omitted: unchanged.",
    "EventTypeUpdateInput.maxBookingsPerMonth": "Bookings per month; omitted: unchanged.",
    "EventTypeUpdateInput.minimumCancelNoticeMinutes": (
        "The invitee's cancellation notice in minutes; omitted: unchanged."
    ),
    # --- issue #21: hidden event types ---
    "EventType.hidden": (
        "true: off the public side (eventType, eventTypeBySlug, availableSlots, holdSlot, "
        "bookMeeting, its booking page) for everyone but its host; existing bookings are kept. "
        "Anyone else sees only shown ones, so for them it is always false."
    ),
    "EventTypeInput.hidden": "true: created hidden, for its host only; default false.",
    "EventTypeUpdateInput.hidden": (
        "true hides it from bookers, false shows it again; omitted: unchanged."
    ),
    "BookMeetingInput.answers": "Answers to the event type's booking questions.",
    "BookMeetingInput.holdToken": (
        "The token of this person's holdSlot for this start: the held seat is theirs."
    ),
    "AnswerInput.key": "The question's key.",
    "AnswerInput.value": (
        "The answer as text (choices joined by commas; true or false for checkboxes)."
    ),
    "SlotHold": "A slot kept for one person while they fill in the booking form.",
    "SlotHold.token": "Pass it to bookMeeting(input: {holdToken}) to book the held slot.",
    "SlotHold.expiresAt": "When the hold ends by itself and the slot is offered again.",
    "Schedule": "A host's working hours: the weekly rules in their time zone.",
    "Schedule.timeZone": "The host's IANA time zone; the rules are wall-clock times in it.",
    "Schedule.rules": "The weekly working intervals, by weekday and start.",
    # --- SignUpInput ---
    "SignUpInput": "A new account. Each bad field is BAD_USER_INPUT naming it.",
    "SignUpInput.email": "The address to sign in with, unique in any case; a code is mailed to it.",
    "SignUpInput.password": "10 to 256 characters.",
    "SignUpInput.name": "Shown to the people who book with you; 1 to 200 characters.",
    "SignUpInput.timeZone": "Your IANA time zone, e.g. Europe/London; unknown: BAD_USER_INPUT.",
    "SignUpInput.companyName": (
        "For a professional account: shown to bookers; at most 200 characters."
    ),
    # --- Slot ---
    "Slot": "A free time that can be booked (bookMeeting with its start).",
    "Slot.start": "When it starts, with the offset of the zone asked for.",
    "Slot.end": "When it ends: start plus the event type's durationMinutes.",
    # --- Subscription ---
    "Subscription": (
        "Live events over WebSocket (graphql-transport-ws or graphql-ws) on /graphql; the token "
        "goes in connection_init. Events are sent after their change is committed; nothing is "
        "replayed after a disconnect: catch up with Query.notifications."
    ),
    "Subscription.availabilityChanged(eventTypeId)": (
        "The event type; NOT_FOUND when there is none or its host is suspended."
    ),
    "Subscription.managedBookingEvents": (
        "Public: every change of the one booking whose manage token is given (confirmed, "
        "moved or cancelled by its host or with the token), as it is committed; the same "
        "events as the host's bookingEvents, and nothing about any other booking."
    ),
    "Subscription.managedBookingEvents(manageToken)": (
        "The booking's manage token (from bookMeeting or its e-mails); an unknown one is NOT_FOUND."
    ),
    # --- Team ---
    "Team": "People who share event types; visible to its members only (NOT_FOUND otherwise).",
    "Team.id": "Opaque identifier.",
    "Team.name": "The team's name; the public host name of its event types.",
    "Team.slug": "Short unique name: a-z, 0-9 and hyphens, 3 to 40.",
    "Team.members": "Its members, oldest first.",
    # --- TeamMember ---
    "TeamMember": "A member of a team: members see each other's names and roles only.",
    "TeamMember.userId": "The member's user id (for removeTeamMember and hostIds).",
    "TeamMember.name": "The member's name.",
    "TeamMember.role": "OWNER, ADMIN or MEMBER.",
    "TeamMember.email": "The member's e-mail address, shown to the team's owners only; else null.",
    # --- TeamRole ---
    "TeamRole": "What a member may do in a team.",
    "TeamRole.OWNER": (
        "Created the team (or was made owner): invites, removes, creates team event types; a "
        "team keeps at least one."
    ),
    "TeamRole.ADMIN": "Invites and removes members (not owners), creates team event types.",
    "TeamRole.MEMBER": "Hosts what they are named on; may leave.",
    # --- TimeRangeInput ---
    "TimeRangeInput": "A working interval of one day, wall-clock times in the host's zone.",
    "TimeRangeInput.start": '"HH:MM", 00:00 to 23:59.',
    "TimeRangeInput.end": '"HH:MM" after start, up to "24:00" (midnight at the end of the day).',
    # --- User ---
    "User": "An account: a host, a booker, or both. Only its holder (and audited staff) see it.",
    "User.id": "Opaque identifier.",
    "User.email": "The address to sign in with and to be reached at.",
    "User.name": "Shown to the people who book with this user.",
    "User.timeZone": "The user's IANA time zone; a host's working hours are in it.",
    "User.companyName": "The business name for a professional account; null if none.",
    # --- Webhook ---
    "Webhook.id": "Opaque identifier.",
    "Webhook.url": "Where deliveries are POSTed.",
    "Webhook.active": "Whether deliveries are sent; those of an inactive webhook fail.",
    "Webhook.createdAt": "When it was registered.",
    # --- WebhookDelivery ---
    "WebhookDelivery": (
        "One event sent (or to be sent) to a webhook. Once finished, it is deleted 30 days "
        "after it was queued."
    ),
    "WebhookDelivery.id": (
        "Opaque identifier; the body's deliveryId and the X-BookNMeet-Delivery header: "
        "deduplicate by it, as a delivery may arrive more than once."
    ),
    "WebhookDelivery.event": (
        "BOOKING_CREATED, BOOKING_CONFIRMED, BOOKING_RESCHEDULED, BOOKING_CANCELLED or "
        "PERSON_UPDATED (the X-BookNMeet-Event header)."
    ),
    "WebhookDelivery.status": "Where it stands.",
    "WebhookDelivery.attempts": "How many times it was sent.",
    "WebhookDelivery.lastStatusCode": "The HTTP status of the last answer; null if none came.",
    "WebhookDelivery.lastError": "Why the last attempt failed; null after a success.",
    "WebhookDelivery.createdAt": "When the event happened and the delivery was queued.",
    "WebhookDelivery.deliveredAt": "When a 2xx answer came; null until then.",
    # --- WebhookDeliveryStatus ---
    "WebhookDeliveryStatus": "Where a webhook delivery stands.",
    "WebhookDeliveryStatus.PENDING": (
        "Waiting for its next attempt (failed attempts are retried with exponential backoff, "
        "up to 8 in all)."
    ),
    "WebhookDeliveryStatus.DELIVERED": "The receiver answered 2xx.",
    "WebhookDeliveryStatus.FAILED": (
        "Given up: 8 attempts failed, the destination is refused, or the webhook is inactive."
    ),
    # --- WebhookRegistration ---
    "WebhookRegistration": "A new webhook and its signing secret.",
    "WebhookRegistration.webhook": "The webhook.",
    # --- Weekday ---
    "Weekday": "A day of the week, in the host's time zone.",
    "Weekday.MONDAY": "Monday.",
    "Weekday.TUESDAY": "Tuesday.",
    "Weekday.WEDNESDAY": "Wednesday.",
    "Weekday.THURSDAY": "Thursday.",
    "Weekday.FRIDAY": "Friday.",
    "Weekday.SATURDAY": "Saturday.",
    "Weekday.SUNDAY": "Sunday.",
    # --- WeeklyRule ---
    "WeeklyRule": "A weekly working interval, wall-clock times in the host's zone.",
    "WeeklyRule.weekday": "The day.",
    "WeeklyRule.start": '"HH:MM".',
    "WeeklyRule.end": '"HH:MM", "24:00" for midnight at the end of the day.',
    # --- WeeklyRuleInput ---
    "WeeklyRuleInput.weekday": "The day.",
    "WeeklyRuleInput.start": '"HH:MM", 00:00 to 23:59.',
    "WeeklyRuleInput.end": '"HH:MM" after start, up to "24:00".',
}
