"""GraphQL operations that many tests send, written once. A test that needs other fields keeps
its own string next to it."""

SIGN_UP = """
mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email name timeZone } } }
"""
VERIFY_EMAIL = "mutation($code: String!) { verifyEmail(code: $code) }"
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
MY_DATA = "{ myData }"
EXPORT = "mutation { requestDataExport }"

WEEKLY = """mutation($tz: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $tz, rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation($i: EventTypeInput!) { createEventType(input: $i) { id } }"""
SLOTS = """query($id: ID!, $s: DateTime!, $e: DateTime!) {
  availableSlots(eventTypeId: $id, start: $s, end: $e) { start } }"""
BOOK = """mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id } }"""
