"""Writes docs/api-reference.md: every query, mutation and subscription, each with a GraphiQL,
curl, Python (`gql`) and JavaScript (`graphql-ws`) example, generated from the table below so
the four always show the same operation.

    python docs/generate.py          # rewrite docs/api-reference.md
    python docs/generate.py --check  # exit 1 if it is stale (a test does this)

tests/test_docs_examples.py runs every curl and Python example against a live server.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WIDTH = 100  # the project's line length: ruff formats the Python examples in Markdown too
OUTPUT = HERE / "api-reference.md"


@dataclass(frozen=True)
class Env:
    """A value the reader exports in the shell first (see "Before you start")."""

    name: str


@dataclass(frozen=True)
class Op:
    name: str  # the root field
    kind: str  # query | mutation | subscription
    summary: str
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    auth: str | None = "TOKEN"  # the environment variable holding the bearer token; None: public
    note: str = ""
    answers: str | None = None  # the error code the example gets on the demo server


BOOKING = "id start end status attendeeName attendeeEmail eventType { id title }"
EVENT_TYPE = "id title slug durationMinutes requiresConfirmation host { name timeZone }"
CALENDAR = "id name status lastSyncedAt lastError busyCount"
REQUEST = "id kind status createdAt dueAt"

SECTIONS: list[tuple[str, str, list[Op]]] = [
    (
        "Accounts and sessions",
        "Sign up or log in to get a token; send it as `Authorization: Bearer <token>`.",
        [
            Op(
                "signUp",
                "mutation",
                "Creates an account and returns its first token.",
                """mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token user { id email name timeZone } }
}""",
                {
                    "input": {
                        "email": "new.host@example.com",
                        "password": "a long passphrase",
                        "name": "New Host",
                        "timeZone": "Europe/Berlin",
                    }
                },
                auth=None,
            ),
            Op(
                "logIn",
                "mutation",
                "A new token for an existing account. Wrong e-mail or password: "
                "`UNAUTHENTICATED` (rate-limited per address).",
                """mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { id name } }
}""",
                {"email": "demo@booknmeet.example", "password": Env("PASSWORD")},
                auth=None,
            ),
            Op(
                "logOut",
                "mutation",
                "Revokes the token it is sent with; WebSockets signed in with it close (4401).",
                "mutation LogOut { logOut }",
            ),
            Op(
                "sessions",
                "query",
                "Your live tokens, newest first; `current` is the one of this request. A token "
                "unused for `SESSION_IDLE_DAYS` (30) or older than `SESSION_MAX_DAYS` (90) has "
                "expired: it is refused as `UNAUTHENTICATED` and no longer listed.",
                "query Sessions { sessions { id createdAt lastUsedAt current } }",
            ),
            Op(
                "revokeSession",
                "mutation",
                "Ends one of your sessions (a lost device, say); its WebSockets close with 4401 "
                "within seconds. Someone else's or an ended one: `NOT_FOUND`.",
                """mutation RevokeSession($id: ID!) {
  revokeSession(id: $id)
}""",
                {"id": Env("SESSION_ID")},
            ),
            Op(
                "me",
                "query",
                "The signed-in user, or `null` when anonymous.",
                "query Me { me { id email emailVerified name timeZone companyName } }",
            ),
            Op(
                "updateProfile",
                "mutation",
                "Corrects name, e-mail, time zone or company (right to correction). Only the "
                "fields given change; hosts holding your data in bookings are informed.",
                """mutation UpdateProfile($input: ProfileInput!) {
  updateProfile(input: $input) { id name email timeZone }
}""",
                {"input": {"name": "Dana D. Demo", "timeZone": "Europe/Dublin"}},
            ),
            Op(
                "verifyEmail",
                "mutation",
                "Confirms the address with the code mailed at sign-up or after a change of "
                "address. Until then, bookings made under the address without signing in are "
                "not the account's (not in `myData`, not corrected or erased with it). A wrong "
                "or expired code (two days): `BAD_USER_INPUT`.",
                """mutation VerifyEmail($code: String!) {
  verifyEmail(code: $code)
}""",
                {"code": Env("EMAIL_CODE")},
                auth=None,
            ),
            Op(
                "resendEmailVerification",
                "mutation",
                "Mails a new code (the old one stops working); `false` when the address is "
                "verified already. At most once a minute: `RATE_LIMITED`.",
                "mutation ResendEmailVerification { resendEmailVerification }",
            ),
            Op(
                "requestPasswordReset",
                "mutation",
                "Mails `PUBLIC_URL/reset-password?token=<token>` if an account has this address; "
                "answers `true` either way (at most 3 links an hour are sent).",
                """mutation RequestPasswordReset($email: String!) {
  requestPasswordReset(email: $email)
}""",
                {"email": "demo@booknmeet.example"},
                auth=None,
            ),
            Op(
                "resetPassword",
                "mutation",
                "Sets a new password with the mailed token (once, within 30 minutes) and signs "
                "in; every other token of the account is revoked. A used, expired or wrong "
                "token: `BAD_USER_INPUT`.",
                """mutation ResetPassword($token: String!, $newPassword: String!) {
  resetPassword(token: $token, newPassword: $newPassword) { token user { id email } }
}""",
                {"token": Env("RESET_TOKEN"), "newPassword": "a new long passphrase"},
                auth=None,
            ),
            Op(
                "changePassword",
                "mutation",
                "Needs the current password (a wrong one: `BAD_USER_INPUT`); every other token "
                "of the account is revoked, the one it is sent with stays.",
                """mutation ChangePassword($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}""",
                {"current": Env("PASSWORD"), "new": "a new long passphrase"},
            ),
            Op(
                "deleteAccount",
                "mutation",
                "Erases the account at once (right to erasure): tokens revoked, personal data "
                "gone, future bookings cancelled.",
                "mutation DeleteAccount($password: String!) { deleteAccount(password: $password) }",
                {"password": Env("PASSWORD")},
            ),
        ],
    ),
    (
        "Event types and availability",
        "What a host offers, and when. Times are wall-clock times in the host's zone.",
        [
            Op(
                "eventType",
                "query",
                "One event type, public: what a booking page shows.",
                f"""query EventType($id: ID!) {{
  eventType(id: $id) {{ {EVENT_TYPE} }}
}}""",
                {"id": Env("EVENT_TYPE_ID")},
                auth=None,
            ),
            Op(
                "eventTypeBySlug",
                "query",
                "The event type at `/book/<handle>/<slug>`, public (`null` when there is none). "
                "A host picks a handle with `updateProfile(input: {handle})`.",
                f"""query EventTypeBySlug($handle: String!, $slug: String!) {{
  eventTypeBySlug(handle: $handle, slug: $slug) {{ {EVENT_TYPE} }}
}}""",
                {"handle": Env("HANDLE"), "slug": "intro-call"},
                auth=None,
            ),
            Op(
                "myEventTypes",
                "query",
                "The signed-in host's event types.",
                "query MyEventTypes { myEventTypes { id title slug durationMinutes } }",
            ),
            Op(
                "createEventType",
                "mutation",
                "A new event type. Slugs are unique per host (`CONFLICT`).",
                """mutation CreateEventType($input: EventTypeInput!) {
  createEventType(input: $input) { id title slug durationMinutes }
}""",
                {
                    "input": {
                        "title": "Workshop",
                        "slug": "workshop",
                        "durationMinutes": 90,
                        "bufferAfterMinutes": 15,
                        "locationKind": "IN_PERSON",
                    }
                },
            ),
            Op(
                "updateEventType",
                "mutation",
                "Changes only the fields given.",
                """mutation UpdateEventType($id: ID!, $input: EventTypeUpdateInput!) {
  updateEventType(id: $id, input: $input) { id title durationMinutes }
}""",
                {"id": Env("EVENT_TYPE_ID"), "input": {"title": "Intro call (30 min)"}},
            ),
            Op(
                "deleteEventType",
                "mutation",
                "Retires an event type; its bookings keep their history.",
                "mutation DeleteEventType($id: ID!) { deleteEventType(id: $id) }",
                {"id": Env("EVENT_TYPE_ID")},
            ),
            Op(
                "teams",
                "query",
                "The signed-in user's teams and their members (names and roles; the owner also "
                "sees e-mails).",
                "query Teams { teams { id name slug members { userId name role email } } }",
            ),
            Op(
                "createTeam",
                "mutation",
                "A new team; you are its OWNER. Slugs are unique (`CONFLICT`).",
                """mutation CreateTeam($name: String!, $slug: String!) {
  createTeam(name: $name, slug: $slug) { id name slug members { userId name role } }
}""",
                {"name": "Support", "slug": "support"},
            ),
            Op(
                "inviteTeamMember",
                "mutation",
                "E-mails a single-use invitation link (valid 7 days). OWNER or ADMIN only.",
                """mutation Invite($team: ID!, $email: String!) {
  inviteTeamMember(teamId: $team, email: $email, role: MEMBER)
}""",
                {"team": Env("TEAM_ID"), "email": "colleague@example.com"},
            ),
            Op(
                "acceptTeamInvite",
                "mutation",
                "Joins the team with the token of the e-mailed link, signed in with the invited, "
                "verified address.",
                """mutation Accept($token: String!) {
  acceptTeamInvite(token: $token) { id name members { name role } }
}""",
                {"token": Env("TEAM_INVITE_TOKEN")},
            ),
            Op(
                "removeTeamMember",
                "mutation",
                "Removes a member (or yourself: leave). Their future team bookings go to another "
                "free host (ROUND_ROBIN) or are cancelled with notice (COLLECTIVE).",
                """mutation Remove($team: ID!, $user: ID!) {
  removeTeamMember(teamId: $team, userId: $user)
}""",
                {"team": Env("TEAM_ID"), "user": Env("MEMBER_ID")},
            ),
            Op(
                "createTeamEventType",
                "mutation",
                "An event type booked on the team's hosts: ROUND_ROBIN (one free host each "
                "time, fairly) or COLLECTIVE (all of them at once).",
                """mutation TeamEventType($team: ID!, $input: EventTypeInput!, $hosts: [ID!]!) {
  createTeamEventType(teamId: $team, input: $input, assignment: ROUND_ROBIN, hostIds: $hosts) {
    id title assignment host { name timeZone } hosts { name }
  }
}""",
                {
                    "team": Env("TEAM_ID"),
                    "input": {"title": "Support", "slug": "support", "durationMinutes": 30},
                    "hosts": [Env("USER_ID")],
                },
            ),
            Op(
                "schedule",
                "query",
                "The signed-in host's weekly rules and zone.",
                "query Schedule { schedule { timeZone rules { weekday start end } } }",
            ),
            Op(
                "setWeeklyAvailability",
                "mutation",
                "Replaces every weekly rule and sets the host's zone.",
                """mutation SetWeekly($zone: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $zone, rules: $rules) { timeZone rules { weekday start end } }
}""",
                {
                    "zone": "Europe/London",
                    "rules": [
                        {"weekday": "MONDAY", "start": "09:00", "end": "17:00"},
                        {"weekday": "WEDNESDAY", "start": "09:00", "end": "12:30"},
                        {"weekday": "WEDNESDAY", "start": "13:30", "end": "17:00"},
                    ],
                },
            ),
            Op(
                "setDateOverride",
                "mutation",
                "Different hours on one date; `intervals: []` makes the day unavailable.",
                """mutation SetDateOverride($day: Date!, $intervals: [TimeRangeInput!]!) {
  setDateOverride(date: $day, intervals: $intervals) { timeZone }
}""",
                {"day": Env("DAY"), "intervals": [{"start": "10:00", "end": "12:00"}]},
            ),
            Op(
                "clearDateOverride",
                "mutation",
                "Back to the weekly rules on that date (`false` if there was no override).",
                "mutation ClearDateOverride($day: Date!) { clearDateOverride(date: $day) }",
                {"day": Env("DAY")},
            ),
            Op(
                "availableSlots",
                "query",
                "Free start times in a window of at most 62 days, public. `timeZone` picks the "
                "zone of the returned offsets (default: the host's).",
                """query Slots($id: ID!, $from: DateTime!, $to: DateTime!, $zone: String) {
  availableSlots(eventTypeId: $id, start: $from, end: $to, timeZone: $zone) { start end }
}""",
                {
                    "id": Env("EVENT_TYPE_ID"),
                    "from": Env("FROM"),
                    "to": Env("TO"),
                    "zone": "America/New_York",
                },
                auth=None,
            ),
        ],
    ),
    (
        "Bookings",
        "Anyone may book (no account needed); hosts see and manage their bookings.",
        [
            Op(
                "bookMeeting",
                "mutation",
                "Books a slot. A start `availableSlots` would not offer is `CONFLICT`; the same "
                "`idempotencyKey` returns the same booking. `manageToken` is returned only here.",
                """mutation Book($input: BookMeetingInput!) {
  bookMeeting(input: $input) { id start end status manageToken }
}""",
                {
                    "input": {
                        "eventTypeId": Env("EVENT_TYPE_ID"),
                        "start": Env("SLOT_START"),
                        "name": "Ada Lovelace",
                        "email": "ada.l@example.com",
                        "timeZone": "Europe/Paris",
                        "idempotencyKey": "docs-example-1",
                    }
                },
                auth=None,
            ),
            Op(
                "holdSlot",
                "mutation",
                "Keeps a slot (one seat of it) for `SLOT_HOLD_MINUTES` while the booker fills in "
                "the form: others no longer see it, `availabilityChanged` fires. Book it with "
                "`bookMeeting(input: {holdToken})`; a second hold is `CONFLICT`.",
                """mutation Hold($id: ID!, $start: DateTime!) {
  holdSlot(eventTypeId: $id, start: $start) { token expiresAt }
}""",
                {"id": Env("EVENT_TYPE_ID"), "start": Env("SLOT_START")},
                auth=None,
            ),
            Op(
                "correctBookingAnswers",
                "mutation",
                "The booker (signed in, or with `manageToken`) corrects their answers to the "
                "event type's questions; validated like `bookMeeting` (`answers.<key>`).",
                """mutation CorrectAnswers($id: ID!, $answers: [AnswerInput!]!, $token: String) {
  correctBookingAnswers(id: $id, answers: $answers, manageToken: $token) {
    id answers { key label value }
  }
}""",
                {"id": Env("BOOKING_ID"), "answers": [], "token": Env("MANAGE_TOKEN")},
                auth=None,
            ),
            Op(
                "bookings",
                "query",
                "The host's bookings, a page at a time (see Pagination). `order: START_ASC` with "
                "`startFrom` gives the agenda from a point in time.",
                f"""query Bookings($first: Int, $after: String, $from: DateTime) {{
  bookings(first: $first, after: $after, order: START_ASC, startFrom: $from) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {BOOKING} }} }}
  }}
}}""",
                {"first": 10, "from": Env("FROM")},
            ),
            Op(
                "booking",
                "query",
                "One of the host's bookings (`NOT_FOUND` for anyone else's).",
                f"""query Booking($id: ID!) {{
  booking(id: $id) {{ {BOOKING} notes attendeeTimeZone cancelReason }}
}}""",
                {"id": Env("BOOKING_ID")},
            ),
            Op(
                "managedBooking",
                "query",
                "Public: the booking a manage token belongs to (the invitee's `/manage/<token>` "
                "page); `null` for an unknown token.",
                f"""query ManagedBooking($manageToken: String!) {{
  managedBooking(manageToken: $manageToken) {{
    {BOOKING} cancelReason
  }}
}}""",
                {"manageToken": Env("MANAGE_TOKEN")},
                auth=None,
            ),
            Op(
                "cancelBooking",
                "mutation",
                "Cancels: by the host (token), or by the booker with `manageToken` (no account).",
                """mutation Cancel($id: ID!, $manageToken: String, $reason: String) {
  cancelBooking(id: $id, manageToken: $manageToken, reason: $reason) { id status cancelReason }
}""",
                {"id": Env("BOOKING_ID"), "manageToken": Env("MANAGE_TOKEN"), "reason": "Ill"},
                auth=None,
            ),
            Op(
                "rescheduleBooking",
                "mutation",
                "Moves a booking to another free start (host, or booker with `manageToken`).",
                """mutation Reschedule($id: ID!, $start: DateTime!, $manageToken: String) {
  rescheduleBooking(id: $id, start: $start, manageToken: $manageToken) { id start end status }
}""",
                {
                    "id": Env("BOOKING_ID"),
                    "start": Env("SLOT_START"),
                    "manageToken": Env("MANAGE_TOKEN"),
                },
                auth=None,
            ),
            Op(
                "confirmBooking",
                "mutation",
                "The host confirms a `PENDING` booking (event types with `requiresConfirmation`).",
                "mutation Confirm($id: ID!) { confirmBooking(id: $id) { id status } }",
                {"id": Env("PENDING_BOOKING_ID")},
            ),
            Op(
                "clients",
                "query",
                "People who booked the host, with how often and when last.",
                """query Clients($first: Int) {
  clients(first: $first) {
    totalCount
    edges { node { name email bookingCount lastBookingAt } }
  }
}""",
                {"first": 20},
            ),
        ],
    ),
    (
        "Notifications",
        "What happened to your bookings; the catch-up for whatever a live subscription missed.",
        [
            Op(
                "notifications",
                "query",
                "Newest first; `unreadOnly: true` for the unread ones.",
                """query Notifications($first: Int, $unreadOnly: Boolean) {
  notifications(first: $first, unreadOnly: $unreadOnly) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind message createdAt readAt bookingId } }
  }
}""",
                {"first": 20, "unreadOnly": True},
            ),
            Op(
                "markNotificationsRead",
                "mutation",
                "Marks notifications read; answers how many changed.",
                "mutation MarkRead($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
                {"ids": [Env("NOTIFICATION_ID")]},
            ),
        ],
    ),
    (
        "Calendars",
        "Linked iCalendar feeds block busy time; your own bookings as a private feed.",
        [
            Op(
                "linkCalendar",
                "mutation",
                "Links an ICS feed (https; fetched once before it is kept). The URL is a secret: "
                "never returned.",
                f"""mutation Link($url: String!, $name: String) {{
  linkCalendar(url: $url, name: $name) {{ {CALENDAR} }}
}}""",
                {"url": Env("FEED_URL"), "name": "Work"},
            ),
            Op(
                "linkCalDavCalendar",
                "mutation",
                "Links a CalDAV calendar collection (Nextcloud, iCloud, Fastmail, Radicale...): "
                "read once before it is kept; with `writeBookings`, confirmed bookings are "
                "written into it. The password is encrypted at rest and never returned.",
                f"""mutation LinkCalDav($input: CalDavCalendarInput!) {{
  linkCalDavCalendar(input: $input) {{ {CALENDAR} kind writesBookings }}
}}""",
                {
                    "input": {
                        "url": Env("FEED_URL"),
                        "username": "me",
                        "password": "app-password",
                        "writeBookings": True,
                    }
                },
                note="Here the address is an ICS feed, not a CalDAV collection, so the answer "
                "is `BAD_USER_INPUT` naming `url`; refused credentials name `username`.",
                answers="BAD_USER_INPUT",
            ),
            Op(
                "connectCalendar",
                "mutation",
                "The authorization URL of Google or Microsoft (OAuth 2 code flow with PKCE); "
                "after consent the provider sends the browser to `/oauth/callback/<provider>`, "
                "which links the calendar.",
                "mutation Connect($provider: CalendarProvider!) { "
                "connectCalendar(provider: $provider) }",
                {"provider": "GOOGLE"},
                note="The demo server has no `GOOGLE_CLIENT_ID`, so the answer is "
                "`BAD_USER_INPUT` naming `provider`.",
                answers="BAD_USER_INPUT",
            ),
            Op(
                "calendars",
                "query",
                "The signed-in user's linked calendars.",
                f"query Calendars {{ calendars {{ {CALENDAR} }} }}",
            ),
            Op(
                "syncCalendar",
                "mutation",
                "Fetches a linked feed now (the server also does it every 15 minutes).",
                f"mutation Sync($id: ID!) {{ syncCalendar(id: $id) {{ {CALENDAR} }} }}",
                {"id": Env("CALENDAR_ID")},
            ),
            Op(
                "unlinkCalendar",
                "mutation",
                "Unlinks a feed and forgets its busy times.",
                "mutation Unlink($id: ID!) { unlinkCalendar(id: $id) }",
                {"id": Env("CALENDAR_ID")},
            ),
            Op(
                "rotateCalendarFeed",
                "mutation",
                "A new secret path for your bookings feed (`/ical/<token>.ics`, for Google, "
                "Outlook or Apple Calendar); the previous one stops working.",
                "mutation RotateFeed { rotateCalendarFeed }",
            ),
        ],
    ),
    (
        "Webhooks",
        "Booking events POSTed to your https endpoint, signed with HMAC-SHA256: "
        "[Webhooks](webhooks.md) gives the headers and how to verify a delivery.",
        [
            Op(
                "registerWebhook",
                "mutation",
                "Registers an endpoint; the signing `secret` is shown only here.",
                """mutation Register($url: String!) {
  registerWebhook(url: $url) { secret webhook { id url active createdAt } }
}""",
                {"url": "https://hooks.example.com/booknmeet"},
            ),
            Op(
                "webhooks",
                "query",
                "The host's webhooks.",
                "query Webhooks { webhooks { id url active createdAt } }",
            ),
            Op(
                "webhookDeliveries",
                "query",
                "Recent deliveries of one webhook, newest first.",
                """query Deliveries($id: ID!) {
  webhookDeliveries(webhookId: $id, first: 10) {
    id event status attempts lastStatusCode lastError createdAt deliveredAt nextAttemptAt
  }
}""",
                {"id": Env("WEBHOOK_ID")},
            ),
            Op(
                "deleteWebhook",
                "mutation",
                "Deletes a webhook; pending deliveries are never sent.",
                "mutation DeleteWebhook($id: ID!) { deleteWebhook(id: $id) }",
                {"id": Env("WEBHOOK_ID")},
            ),
        ],
    ),
    (
        "Privacy",
        "The GDPR rights as operations.",
        [
            Op(
                "privacyInfo",
                "query",
                "Who is responsible, which data, why, on what legal basis, for how long. Public.",
                """query PrivacyInfo {
  privacyInfo {
    controller contactEmail contactPhone backupRetentionDays automatedDecisionMaking
    requestAnswerDays
    categories { key name purpose legalBasis source retentionDays }
    processors { name purpose location }
    storageLocations
    internationalTransfers { destination safeguard }
    regulators { name jurisdiction breachReportHours }
    registerEffectiveAt
    upcomingRegister { effectiveAt processors { name } }
  }
}""",
                auth=None,
            ),
            Op(
                "myData",
                "query",
                "Everything held about you, as JSON (right of access).",
                "query MyData { myData }",
            ),
            Op(
                "requestDataExport",
                "mutation",
                "A one-time download path (`/export/<token>`, 15 minutes): a zip with "
                "`my-data.json` and `bookings.ics` (portability).",
                "mutation Export { requestDataExport }",
            ),
            Op(
                "eraseClientData",
                "mutation",
                "A host erases one client's details from their bookings, on that client's "
                "request; answers how many bookings changed.",
                "mutation EraseClient($email: String!) { eraseClientData(email: $email) }",
                {"email": "ada@example.com"},
            ),
            Op(
                "consents",
                "query",
                "Your current consent per purpose.",
                "query Consents { consents { purpose granted updatedAt } }",
            ),
            Op(
                "consentHistory",
                "query",
                "Every consent change, oldest first.",
                "query ConsentHistory { consentHistory { purpose granted at } }",
            ),
            Op(
                "setConsent",
                "mutation",
                "Grants or withdraws consent. Withdrawing `CALENDAR_ACCESS` unlinks calendars; "
                "withdrawing `PERFORMANCE_COOKIES` deletes recorded activity.",
                """mutation SetConsent($granted: Boolean!) {
  setConsent(purpose: PERFORMANCE_COOKIES, granted: $granted) { purpose granted updatedAt }
}""",
                {"granted": True},
            ),
            Op(
                "recordActivity",
                "mutation",
                "A page view or search, stored only with `PERFORMANCE_COOKIES` consent and never "
                "under restriction or objection; answers whether it was stored.",
                """mutation RecordActivity($path: String!, $search: String) {
  recordActivity(path: $path, search: $search)
}""",
                {"path": "/dashboard"},
            ),
            Op(
                "objectToProcessing",
                "mutation",
                "Objects to `ANALYTICS` or `MARKETING`: that processing stops at once.",
                "mutation Object { objectToProcessing(processing: MARKETING) }",
            ),
            Op(
                "withdrawObjection",
                "mutation",
                "Withdraws an objection; the processing resumes only as your consents allow.",
                "mutation Withdraw { withdrawObjection(processing: MARKETING) }",
            ),
            Op(
                "processingStatus",
                "query",
                "Whether processing of your data is restricted or objected to, and what that "
                "stops.",
                """query Processing {
  processingStatus { restricted restrictionStops objections objectionStops }
}""",
            ),
            Op(
                "submitPrivacyRequest",
                "mutation",
                "Files a request of any kind; answered within one calendar month (`dueAt`).",
                f"""mutation Submit($details: String) {{
  submitPrivacyRequest(kind: RESTRICTION, details: $details) {{ {REQUEST} }}
}}""",
                {"details": "Please pause processing while I check my records."},
            ),
            Op(
                "privacyRequests",
                "query",
                "Your privacy requests and their state.",
                f"query PrivacyRequests {{ privacyRequests {{ {REQUEST} resolution overdue }} }}",
            ),
            Op(
                "submitInviteePrivacyRequest",
                "mutation",
                "For someone without an account (`ACCESS`, `ERASURE`, or `CORRECTION` with "
                "`correction: {name, timeZone}`): a confirmation code is e-mailed first. Answers "
                "`true` whether or not we hold anything.",
                """mutation InviteeRequest($email: String!) {
  submitInviteePrivacyRequest(email: $email, kind: ACCESS)
}""",
                {"email": "ada@example.com"},
                auth=None,
            ),
            Op(
                "confirmPrivacyRequest",
                "mutation",
                "Confirms an invitee's request with the e-mailed code.",
                f"""mutation ConfirmRequest($code: String!) {{
  confirmPrivacyRequest(token: $code) {{ {REQUEST} }}
}}""",
                {"code": Env("CONFIRMATION_CODE")},
                auth=None,
            ),
            Op(
                "adminPrivacyRequests",
                "query",
                "Staff only (`python server.py create-admin EMAIL`): every request, overdue first.",
                f"query AdminRequests {{ adminPrivacyRequests {{ {REQUEST} overdue }} }}",
                auth="ADMIN_TOKEN",
            ),
            Op(
                "updatePrivacyRequest",
                "mutation",
                "Staff only: moves a request on (`IN_PROGRESS`, `COMPLETED`, `REJECTED` with a "
                "reason).",
                f"""mutation UpdateRequest($id: ID!) {{
  updatePrivacyRequest(id: $id, status: IN_PROGRESS) {{ {REQUEST} }}
}}""",
                {"id": Env("PRIVACY_REQUEST_ID")},
                auth="ADMIN_TOKEN",
            ),
        ],
    ),
    (
        "Privacy governance",
        "Retention, policy versions, questions to the privacy team, and the staff's tools for "
        "breaches and acceptable use. Staff operations are audited.",
        [
            Op(
                "retention",
                "query",
                "How long each purgeable category of your data is kept.",
                "query Retention { retention { category days defaultDays custom } }",
            ),
            Op(
                "setRetention",
                "mutation",
                "Keeps a category for fewer days (at most its default).",
                """mutation SetRetention($days: Int!) {
  setRetention(category: NOTIFICATION, days: $days) { category days defaultDays custom }
}""",
                {"days": 30},
            ),
            Op(
                "purgeRuns",
                "query",
                "Staff: the purge job's recent runs, newest first, with rows deleted per category.",
                "query PurgeRuns { purgeRuns(limit: 10) { id startedAt finishedAt counts } }",
                auth="ADMIN_TOKEN",
            ),
            Op(
                "currentPolicy",
                "query",
                "The privacy policy in force (`null` before the first one).",
                "query CurrentPolicy { currentPolicy { version effectiveAt publishedAt text } }",
                auth=None,
            ),
            Op(
                "upcomingPolicy",
                "query",
                "A published policy that is not in force yet, if any.",
                "query UpcomingPolicy { upcomingPolicy { version effectiveAt publishedAt } }",
                auth=None,
            ),
            Op(
                "publishPolicy",
                "mutation",
                "Staff: a new policy version, effective at least 7 days ahead; every user is "
                "notified.",
                """mutation Publish($version: String!, $text: String!, $effectiveAt: DateTime!) {
  publishPolicy(version: $version, text: $text, effectiveAt: $effectiveAt) {
    version effectiveAt publishedAt
  }
}""",
                {
                    "version": "2027-01",
                    "text": "What changes, in plain words.",
                    "effectiveAt": Env("TO"),
                },
                auth="ADMIN_TOKEN",
            ),
            Op(
                "publishPrivacyRegister",
                "mutation",
                "Staff: a new version of the transparency register (processors, storage "
                "locations, transfers abroad, regulators), effective at least 7 days ahead, else "
                "BAD_USER_INPUT; every user is notified (REGISTER_UPDATE). Until it takes effect "
                "`privacyInfo` shows it as `upcomingRegister`.",
                """mutation PublishRegister($input: PrivacyRegisterInput!, $at: DateTime!) {
  publishPrivacyRegister(input: $input, effectiveAt: $at) {
    effectiveAt
    processors { name purpose location }
    regulators { name jurisdiction breachReportHours }
  }
}""",
                {
                    "input": {
                        "processors": [
                            {
                                "name": "DigitalOcean",
                                "purpose": "Hosting",
                                "location": "United States",
                            },
                            {
                                "name": "Mailer Ltd",
                                "purpose": "Sending e-mail",
                                "location": "United Kingdom",
                            },
                        ],
                        "storageLocations": ["Primarily the United States"],
                        "internationalTransfers": [
                            {
                                "destination": "United States",
                                "safeguard": "Standard contractual clauses",
                            },
                        ],
                        "regulators": [
                            {
                                "key": "OMBUDSMAN",
                                "name": "Office of the Ombudsman",
                                "jurisdiction": "Cayman Islands",
                                "breachReportHours": 120,
                            },
                        ],
                    },
                    "at": Env("TO"),
                },
                auth="ADMIN_TOKEN",
            ),
            Op(
                "acceptPolicy",
                "mutation",
                "Records that you accepted a policy version.",
                """mutation Accept($version: String!) {
  acceptPolicy(version: $version) { version acceptedAt }
}""",
                {"version": Env("POLICY_VERSION")},
            ),
            Op(
                "submitInquiry",
                "mutation",
                "A question to the privacy team, public (5 per address and hour); a signed-in "
                "author also finds it under `myInquiries`.",
                """mutation Ask($email: String!, $subject: String!, $message: String!) {
  submitInquiry(email: $email, subject: $subject, message: $message) { id status createdAt }
}""",
                {
                    "email": "ada@example.com",
                    "subject": "My booking data",
                    "message": "Which of my data do you keep after a meeting?",
                },
                auth=None,
            ),
            Op(
                "myInquiries",
                "query",
                "Your questions and their answers.",
                """query MyInquiries {
  myInquiries { id subject status createdAt replies { body createdAt } }
}""",
            ),
            Op(
                "adminInquiries",
                "query",
                "Staff: questions, optionally by status.",
                """query AdminInquiries {
  adminInquiries(status: OPEN) { id email subject message status createdAt }
}""",
                auth="ADMIN_TOKEN",
            ),
            Op(
                "replyToInquiry",
                "mutation",
                "Staff: answers a question (e-mailed to its author), optionally closing it.",
                """mutation Reply($id: ID!, $body: String!) {
  replyToInquiry(id: $id, body: $body, close: false) { id status replies { body } }
}""",
                {"id": Env("INQUIRY_ID"), "body": "Only what the host needs, for 2 years."},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "closeInquiry",
                "mutation",
                "Staff: closes a question.",
                "mutation Close($id: ID!) { closeInquiry(id: $id) { id status closedAt } }",
                {"id": Env("INQUIRY_ID")},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "recordBreach",
                "mutation",
                "Staff: records a personal-data breach, owed to each regulator by its own "
                "deadline (ICO 72 hours, Cayman Islands Ombudsman 120); `HIGH` risk tells "
                "everyone affected at once, addresses without accounts by e-mail.",
                """mutation RecordBreach(
  $text: String!, $detectedAt: DateTime!, $users: [ID!]!, $emails: [String!],
  $report: BreachReportInput
) {
  recordBreach(description: $text, detectedAt: $detectedAt, affectedUserIds: $users, risk: LOW,
      affectedEmails: $emails, regulators: [ICO, OMBUDSMAN], report: $report) {
    id risk detectedAt reportDeadline reported overdue affectedCount
    filings { regulator deadline reportedAt overdue }
  }
}""",
                {
                    "text": "A report e-mailed to the wrong host.",
                    "detectedAt": Env("FROM"),
                    "users": [Env("USER_ID")],
                    "emails": ["ivy@example.com"],
                    "report": {
                        "dataCategories": ["booking", "contact"],
                        "approximateRecords": 12,
                        "likelyConsequences": "The host saw names and meeting times.",
                        "measures": "The host deleted it; the report template was fixed.",
                    },
                },
                auth="ADMIN_TOKEN",
            ),
            Op(
                "adminBreaches",
                "query",
                "Staff: every recorded breach.",
                """query Breaches {
  adminBreaches { id description risk detectedAt reportDeadline reported overdue affectedCount }
}""",
                auth="ADMIN_TOKEN",
            ),
            Op(
                "markBreachReported",
                "mutation",
                "Staff: the breach was reported to a supervisory authority (all still owed "
                "when `regulator` is left out); the report needs its content first.",
                """mutation Reported($id: ID!) {
  markBreachReported(id: $id, regulator: ICO) {
    id reported reportedAt overdue filings { regulator reportedAt }
  }
}""",
                {"id": Env("BREACH_ID")},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "updateBreachReport",
                "mutation",
                "Staff: records or amends the report's content (Art. 33(3)); null fields stay.",
                """mutation UpdateReport($id: ID!, $report: BreachReportInput!) {
  updateBreachReport(id: $id, report: $report) {
    id dataCategories approximateSubjects approximateRecords likelyConsequences measures
  }
}""",
                {"id": Env("BREACH_ID"), "report": {"approximateRecords": 40}},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "breachReport",
                "query",
                "Staff: the report to the regulators as one JSON document, to file or archive.",
                "query Report($id: ID!) { breachReport(id: $id) }",
                {"id": Env("BREACH_ID")},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "liftRestriction",
                "mutation",
                "Staff: lifts the restriction of processing of a person's data; audited, and "
                "the person is told (notification and e-mail) with the reason.",
                """mutation Lift($id: ID!, $reason: String!) {
  liftRestriction(userId: $id, reason: $reason) { id }
}""",
                {"id": Env("RESTRICTED_USER_ID"), "reason": "The accuracy check is done."},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "recordDisclosure",
                "mutation",
                "Staff: records personal data handed to an authority or in a business transfer "
                "(audited); the person sees it in `myData` unless a legal hold applies.",
                """mutation Disclose($input: DisclosureInput!, $reason: String!) {
  recordDisclosure(input: $input, reason: $reason) {
    id reason recipient legalBasis data disclosedAt holdUntil userId
  }
}""",
                {
                    "input": {
                        "reason": "LEGAL_OBLIGATION",
                        "recipient": "Royal Cayman Islands Police Service",
                        "legalBasis": "Production order 2030/17",
                        "data": "Bookings of March with their times",
                        "disclosedAt": Env("FROM"),
                        "userId": Env("USER_ID"),
                    },
                    "reason": "Production order 2030/17",
                },
                auth="ADMIN_TOKEN",
            ),
            Op(
                "adminDisclosures",
                "query",
                "Staff: recorded disclosures, newest first (of one account with `userId`).",
                """query Disclosures {
  adminDisclosures { id reason recipient legalBasis disclosedAt holdUntil userId email }
}""",
                auth="ADMIN_TOKEN",
            ),
            Op(
                "endDisclosureHold",
                "mutation",
                "Staff: ends a disclosure's legal hold now, so the person sees it (audited).",
                """mutation EndHold($id: ID!, $reason: String!) {
  endDisclosureHold(id: $id, reason: $reason) { id holdUntil }
}""",
                {"id": Env("DISCLOSURE_ID"), "reason": "The court lifted the gag order."},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "adminUserData",
                "query",
                "Staff: everything held about a person, for a stated reason (audited).",
                """query UserData($id: ID!, $reason: String!) {
  adminUserData(id: $id, reason: $reason)
}""",
                {"id": Env("USER_ID"), "reason": "Abuse report 42"},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "warnUser",
                "mutation",
                "Staff: warns a user (they are notified).",
                """mutation Warn($id: ID!, $reason: String!) {
  warnUser(id: $id, reason: $reason)
}""",
                {"id": Env("USER_ID"), "reason": "Spam in event descriptions"},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "suspendUser",
                "mutation",
                "Staff: log-in refused, tokens revoked, booking pages closed.",
                """mutation Suspend($id: ID!, $reason: String!) {
  suspendUser(id: $id, reason: $reason) { id name }
}""",
                {"id": Env("USER_ID"), "reason": "Repeated spam"},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "reinstateUser",
                "mutation",
                "Staff: lifts a suspension.",
                """mutation Reinstate($id: ID!, $reason: String!) {
  reinstateUser(id: $id, reason: $reason) { id name }
}""",
                {"id": Env("SUSPENDED_USER_ID"), "reason": "Appeal accepted"},
                auth="ADMIN_TOKEN",
            ),
            Op(
                "deleteUser",
                "mutation",
                "Staff: the same erasure as `deleteAccount`.",
                """mutation DeleteUser($id: ID!, $reason: String!) {
  deleteUser(id: $id, reason: $reason)
}""",
                {"id": Env("USER_ID"), "reason": "Erasure request confirmed by phone"},
                auth="ADMIN_TOKEN",
            ),
        ],
    ),
    (
        "Subscriptions",
        "Over WebSocket on `/graphql` (`graphql-transport-ws`, or legacy `graphql-ws`). Send the "
        'token in the `connection_init` payload: `{"authorization": "Bearer <token>"}`. The '
        "examples print the first event and stop; make a booking meanwhile to see one.",
        [
            Op(
                "bookingEvents",
                "subscription",
                "The signed-in host's booking changes: `CREATED`, `CONFIRMED`, `RESCHEDULED`, "
                "`CANCELLED`. Anonymous: ends with `UNAUTHENTICATED`.",
                f"""subscription BookingEvents {{
  bookingEvents {{ kind occurredAt booking {{ {BOOKING} }} }}
}}""",
            ),
            Op(
                "notifications",
                "subscription",
                "The signed-in user's notifications as they are created. After a reconnect, "
                "catch up with the `notifications` query (`unreadOnly: true`).",
                """subscription Notifications {
  notifications { id kind message createdAt bookingId }
}""",
            ),
            Op(
                "availabilityChanged",
                "subscription",
                "Public: the free slots of an event type may have changed (a booking, new "
                "hours, a calendar sync); query `availableSlots` again. Carries no personal data.",
                """subscription Availability($id: ID!) {
  availabilityChanged(eventTypeId: $id) { eventTypeId occurredAt }
}""",
                {"id": Env("EVENT_TYPE_ID")},
                auth=None,
            ),
            Op(
                "managedBookingEvents",
                "subscription",
                "Public: the changes of the one booking whose manage token is given, as its host "
                "or the invitee makes them (what `/manage/<token>` listens to). An unknown token "
                "ends with `NOT_FOUND`.",
                f"""subscription ManagedBookingEvents($manageToken: String!) {{
  managedBookingEvents(manageToken: $manageToken) {{ kind occurredAt booking {{ {BOOKING} }} }}
}}""",
                {"manageToken": Env("MANAGE_TOKEN")},
                auth=None,
            ),
            Op(
                "calendarChanged",
                "subscription",
                "The signed-in user's linked calendars changed after a sync.",
                f"""subscription CalendarChanged {{
  calendarChanged {{ occurredAt calendar {{ {CALENDAR} }} }}
}}""",
            ),
        ],
    ),
]


# ---- rendering -----------------------------------------------------------------------------


def _literal(value: Any, env: str, indent: int = 0, used: int = 0) -> str:
    """A Python or JavaScript literal (env: "python" or "js") as ruff format would lay it out:
    on one line if it fits in WIDTH after `used` columns, else one item per line."""
    if isinstance(value, Env):
        return f'os.environ["{value.name}"]' if env == "python" else f"process.env.{value.name}"
    if isinstance(value, bool):
        return ("True" if value else "False") if env == "python" else json.dumps(value)
    if value is None:
        return "None" if env == "python" else "null"
    if isinstance(value, str | int | float):
        return json.dumps(value)
    inner = " " * (indent + 4)
    if isinstance(value, list):
        flat = "[" + ", ".join(_literal(v, env) for v in value) + "]"
        if used + len(flat) <= WIDTH:
            return flat
        items = [_literal(v, env, indent + 4, indent + 5) for v in value]
        return "[\n" + "".join(f"{inner}{i},\n" for i in items) + " " * indent + "]"
    if isinstance(value, dict):
        key = (lambda k: json.dumps(k)) if env == "python" else (lambda k: k)
        pairs = [f"{key(k)}: {_literal(v, env)}" for k, v in value.items()]
        flat = "{" + ", ".join(pairs) + "}"
        if env == "js" and pairs:
            flat = "{ " + ", ".join(pairs) + " }"
        if used + len(flat) <= WIDTH:
            return flat
        items = []
        for k, v in value.items():
            head = f"{key(k)}: "
            items.append(head + _literal(v, env, indent + 4, indent + 4 + len(head) + 1))
        return "{\n" + "".join(f"{inner}{i},\n" for i in items) + " " * indent + "}"
    raise TypeError(value)


def _placeholders(value: Any) -> Any:
    if isinstance(value, Env):
        return f"<{value.name}>"
    if isinstance(value, list):
        return [_placeholders(v) for v in value]
    if isinstance(value, dict):
        return {k: _placeholders(v) for k, v in value.items()}
    return value


def _env_names(value: Any) -> list[str]:
    if isinstance(value, Env):
        return [value.name]
    if isinstance(value, list):
        return [n for v in value for n in _env_names(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _env_names(v)]
    return []


def _json_template(value: Any) -> str:
    """JSON with each Env as "%s" (a printf format; literal % doubled)."""
    if isinstance(value, Env):
        return '"%s"'
    if isinstance(value, list):
        return "[" + ", ".join(_json_template(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k)}: {_json_template(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return json.dumps(value).replace("%", "%%")


def one_line(document: str) -> str:
    return " ".join(document.split())


def graphiql(op: Op) -> str:
    parts = ["**GraphiQL** (open `/graphql` in a browser, paste the operation", ""]
    extra = []
    if op.variables:
        extra.append("the variables into *Variables*")
    if op.auth:
        extra.append("the header into *Headers*")
    parts[0] += (", " + " and ".join(extra) if extra else "") + "):"
    parts += ["```graphql", op.document, "```"]
    if op.variables:
        parts += ["", "```json", json.dumps(_placeholders(op.variables), indent=2), "```"]
    if op.auth:
        header = {"Authorization": f"Bearer <{op.auth}>"}
        parts += ["", "```json", json.dumps(header), "```"]
    if op.kind == "subscription" and op.auth:
        parts += [
            "",
            "GraphiQL's WebSocket sends no token, so in GraphiQL this subscription ends with "
            "`UNAUTHENTICATED`; use one of the clients below.",
        ]
    return "\n".join(parts)


def curl(op: Op) -> str:
    if op.kind == "subscription":
        return (
            "**curl**: curl speaks HTTP, not the WebSocket sub-protocol; use one of the clients "
            "below (or GraphiQL)."
        )
    names = _env_names(op.variables)
    body = '{"query": "%s"'
    if op.variables:
        body += ', "variables": ' + _json_template(op.variables)
    body += "}"
    arguments = [f"'{one_line(op.document)}'", *(f'"${name}"' for name in names)]
    lines = [
        "**curl**:",
        "",
        "```sh",
        f"# example: {op.kind}-{op.name}" + (f" (answers {op.answers})" if op.answers else ""),
        f"printf '{body}' \\",
        *(f"  {arg} \\" for arg in arguments[:-1]),
        f"  {arguments[-1]} |",
        '  curl -sS "$BNM_URL/graphql" \\',
        *([f'    -H "Authorization: Bearer ${op.auth}" \\'] if op.auth else []),
        "    -H 'Content-Type: application/json' --data-binary @-",
        "```",
    ]
    return "\n".join(lines)


def _python_document(op: Op) -> str:
    body = "\n".join("    " + line for line in op.document.splitlines())
    return f'gql(\n    """\n{body}\n    """\n)'


def python(op: Op) -> str:
    if op.kind == "subscription":
        setup = [
            "from gql.transport.websockets import WebsocketsTransport",
            "",
            "transport = WebsocketsTransport(",
            '    url=os.environ["BNM_URL"].replace("http", "ws", 1) + "/graphql",',
            *(
                [f'    init_payload={{"authorization": "Bearer " + os.environ["{op.auth}"]}},']
                if op.auth
                else []
            ),
            '    subprotocols=["graphql-transport-ws"],',
            ")",
        ]
        run = [
            "",
            "",
            "async def main():",
            "    async with Client(transport=transport) as session:",
            "        async for event in session.subscribe(request):",
            "            print(event)",
            "            break  # remove this line to keep listening",
            "",
            "",
            "asyncio.run(main())",
        ]
    else:
        setup = [
            "from gql.transport.httpx import HTTPXTransport",
            "",
            "transport = HTTPXTransport(",
            '    url=os.environ["BNM_URL"] + "/graphql",',
            *(
                [f'    headers={{"Authorization": "Bearer " + os.environ["{op.auth}"]}},']
                if op.auth
                else []
            ),
            ")",
        ]
        run = [
            "with Client(transport=transport) as session:",
            "    print(session.execute(request))",
        ]
        if op.answers:
            run = [
                "with Client(transport=transport) as session:",
                "    try:",
                "        print(session.execute(request))",
                f"    except TransportQueryError as error:  # {op.answers} on the demo server",
                "        print(error.errors)",
            ]
    variables = []
    if op.variables:
        prefix = "request.variable_values = "
        variables = [prefix + _literal(op.variables, "python", used=len(prefix))]
    lines = [
        "**Python** ([gql](https://gql.readthedocs.io/) 4, `pip install 'gql[httpx,websockets]'`):",
        "",
        "```python",
        f"# example: {op.kind}-{op.name}",
        *(["import asyncio"] if op.kind == "subscription" else []),
        "import os",
        "",
        "from gql import Client, gql",
        *(["from gql.transport.exceptions import TransportQueryError"] if op.answers else []),
        *setup,
        f"request = {_python_document(op)}",
        *variables,
        *run,
        "```",
    ]
    return "\n".join(lines)


def javascript(op: Op) -> str:
    document = "\n".join("  " + line for line in op.document.splitlines())
    params = (
        [f"  connectionParams: {{ authorization: `Bearer ${{process.env.{op.auth}}}` }},"]
        if op.auth
        else []
    )
    literal = _literal(op.variables, "js", 2, len("  variables: ,"))
    variables = [f"  variables: {literal},"] if op.variables else []
    if op.kind == "subscription":
        run = [
            "const stop = client.subscribe(request, {",
            "  next: (event) => {",
            "    console.log(JSON.stringify(event));",
            "    stop(); // remove to keep listening",
            "    client.dispose();",
            "  },",
            "  error: (error) => console.error(error),",
            "  complete: () => {},",
            "});",
        ]
    else:
        run = [
            "const result = await new Promise((resolve, reject) => {",
            "  let answer;",
            "  client.subscribe(request, {",
            "    next: (data) => (answer = data),",
            "    error: reject,",
            "    complete: () => resolve(answer),",
            "  });",
            "});",
            "console.log(JSON.stringify(result));",
            "await client.dispose();",
        ]
    lines = [
        "**JavaScript** ([graphql-ws](https://the-guild.dev/graphql/ws), Node.js 20 with "
        "`npm install graphql-ws ws`; in a browser drop the `ws` import and `webSocketImpl`):",
        "",
        "```js",
        f"// example: {op.kind}-{op.name}",
        'import { createClient } from "graphql-ws";',
        'import WebSocket from "ws";',
        "",
        "const client = createClient({",
        '  url: process.env.BNM_URL.replace(/^http/, "ws") + "/graphql",',
        "  webSocketImpl: WebSocket,",
        *params,
        "});",
        "const request = {",
        "  query: `",
        document,
        "  `,",
        *variables,
        "};",
        *run,
        "```",
    ]
    return "\n".join(lines)


PREAMBLE = """\
# Book N Meet API reference

Generated by `docs/generate.py` (edit the table there, then run `python docs/generate.py`).
Every operation of the schema, each with four copy-paste examples: GraphiQL, curl, Python
(`gql`) and JavaScript (`graphql-ws`). The curl and Python examples are run against a live
server by `tests/test_docs_examples.py`, so they stay correct. For auth, errors, pagination and
deployment see the [developer guide](README.md).

## Before you start

The examples read these variables from the environment. With a fresh database and the demo
data (`python server.py seed --password 'demo password'`):

```sh
# example: setup
export BNM_URL="${BNM_URL:-http://127.0.0.1:8000}"
export PASSWORD="${PASSWORD:-demo password}"  # the demo host's, as given to the seed command
export TOKEN=$(printf '{"query": "%s", "variables": {"e": "%s", "p": "%s"}}' \\
  'mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }' \\
  demo@booknmeet.example "$PASSWORD" |
  curl -sS "$BNM_URL/graphql" -H 'Content-Type: application/json' --data-binary @- |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["logIn"]["token"])')
in_days() {  # an ISO 8601 date-time $1 days from now
  python3 -c "from datetime import *; print((datetime.now(UTC) + timedelta($1)).isoformat())"
}
export FROM=$(in_days 0) TO=$(in_days 14) DAY=$(in_days 30 | cut -c1-10)
```

Then, as needed by an example (each is printed by an earlier one):

- `EVENT_TYPE_ID`: an event type (the demo data's first is `1`): `myEventTypes`, or the seed
  command's output.
- `SLOT_START`: a free start time of that event type: `availableSlots`.
- `BOOKING_ID`, `MANAGE_TOKEN`: a booking, and the booker's token for it: `bookMeeting`.
- `HANDLE`: a host's public handle: `updateProfile(input: {handle: "..."})`.
- `PENDING_BOOKING_ID`: a booking awaiting confirmation (of "Coffee chat" in the demo data).
- `NOTIFICATION_ID`: a notification: `notifications`.
- `FEED_URL`: an ICS feed URL the server can read (your calendar app's "secret address");
  `CALENDAR_ID`: the calendar `linkCalendar` made of it.
- `WEBHOOK_ID`: a webhook: `registerWebhook`.
- `PRIVACY_REQUEST_ID`: a privacy request: `submitPrivacyRequest`.
- `CONFIRMATION_CODE`: the code e-mailed for an invitee's request: `submitInviteePrivacyRequest`.
- `ADMIN_TOKEN`: a staff account's token: `python server.py create-admin EMAIL`, then `logIn`.
- `USER_ID`: another user's id (staff operations); `SUSPENDED_USER_ID`: a suspended one.
- `POLICY_VERSION`: a published policy version: `publishPolicy`.
- `INQUIRY_ID`: a question to the privacy team: `submitInquiry`.
- `BREACH_ID`: a recorded breach: `recordBreach`.
- `RESTRICTED_USER_ID`: a user whose processing is restricted (a completed `RESTRICTION` request).
- `DISCLOSURE_ID`: a recorded disclosure: `recordDisclosure`.
- `TEAM_ID`: a team you own or administer: `createTeam`; `MEMBER_ID`: a member's `userId` in it.
- `TEAM_INVITE_TOKEN`: the token in the link of an invitation e-mailed to you: `inviteTeamMember`.
"""


def render() -> str:
    out = [PREAMBLE]
    out.append("## Contents\n")
    for title, _, ops in SECTIONS:
        anchor = title.lower().replace(" ", "-")
        names = ", ".join(f"[`{op.name}`](#{op.kind}-{op.name.lower()})" for op in ops)
        out.append(f"- [{title}](#{anchor}): {names}")
    out.append("")
    for title, intro, ops in SECTIONS:
        out.append(f"## {title}\n\n{intro}\n")
        for op in ops:
            who = {None: "public", "TOKEN": "signed in", "ADMIN_TOKEN": "staff"}[op.auth]
            out.append(f"### {op.kind} {op.name}\n")
            out.append(f"{op.summary} *({op.kind}; {who})*\n")
            if op.note:
                out.append(f"{op.note}\n")
            out.append(graphiql(op) + "\n")
            out.append(curl(op) + "\n")
            out.append(python(op) + "\n")
            out.append(javascript(op) + "\n")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.name} is stale: run python docs/generate.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
