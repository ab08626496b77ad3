"""The developer guide's examples run against a live server, so they cannot rot.

Every fenced block in docs/*.md whose first line is `# example: NAME` (sh, python) or
`// example: NAME` (js) is an example. Each sh and python example runs in a fresh database
holding the demo data of `seed.py`, with the environment the guide tells readers to export
(BNM_URL, TOKEN, EVENT_TYPE_ID, ...); curl answers must carry no errors (or the code named by
`(answers CODE)` on the marker line). Subscription examples and webhook receivers run while
bookings keep happening: the receiver of docs/webhooks.md verifies a real signed delivery.
JavaScript examples are syntax-checked with node when it is installed (running them needs the
graphql-ws package from npm). The reference is checked to cover every root field of the schema
and to be what docs/generate.py writes."""

import asyncio
import importlib.util
import json
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import seed
from config import Settings
from models.booking import Booking
from models.notification import Notification
from models.privacy import MailMessage
from models.team import TeamMember
from models.user import User
from services import webhooks
from tests.conftest import PASSWORD, LiveServer, mailed_code, start_server
from tests.graphql_ops import LOG_IN

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MARKER = re.compile(
    r"```(?P<lang>sh|python|js)\n(?P<code>(?:#|//) example: (?P<name>[\w-]+)"
    r"(?: \(answers (?P<answers>[A-Z_]+)\))?\n.*?)```",
    re.DOTALL,
)
ENV_NAME = re.compile(r"\$\{?([A-Z][A-Z_]+)|os\.environ\[\"([A-Z][A-Z_]+)\"\]|process\.env\.(\w+)")
ASSIGNED = re.compile(
    r"(?:^|[\s;])(?:export\s+)?([A-Z][A-Z_]+)=", re.MULTILINE
)  # set by the script


@dataclass(frozen=True)
class Example:
    path: Path
    lang: str
    name: str
    code: str
    answers: str | None

    @property
    def id(self) -> str:
        return f"{self.path.stem}:{self.lang}:{self.name}"

    def needs(self) -> set[str]:
        used = {next(g for g in m.groups() if g) for m in ENV_NAME.finditer(self.code)}
        if "calendarChanged" in self.code:
            used.add("CALENDAR_ID")  # something to sync, so that a calendar can change
        return used - set(ASSIGNED.findall(self.code))

    @property
    def waits_for_events(self) -> bool:
        """A subscription, or a webhook receiver (it serves the delivery of the next booking)."""
        return self.lang == "python" and (
            ".subscribe(" in self.code or ".handle_request(" in self.code
        )


def examples() -> list[Example]:
    found = []
    for path in sorted(DOCS.glob("*.md")):
        for match in MARKER.finditer(path.read_text(encoding="utf-8")):
            found.append(
                Example(path, match["lang"], match["name"], match["code"], match["answers"])
            )
    return found


EXAMPLES = examples()
RUNNABLE = [e for e in EXAMPLES if e.lang in ("sh", "python")]
SCRIPTS = [e for e in EXAMPLES if e.lang == "js"]


@pytest.fixture(scope="module")
def docs_server(
    database: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    # The calendar examples link the server's own feed on 127.0.0.1, which it must be allowed.
    quiet = {"OUTBOX_POLL_SECONDS": "3600", "REMINDER_POLL_SECONDS": "3600"}
    env = {"CALENDAR_ALLOWED_HOSTS": "127.0.0.1", "CALENDAR_TICK_SECONDS": "3600", **quiet}
    server = start_server(settings, tmp_path_factory.mktemp("docs-server"), env=env)
    yield server
    server.stop()


@pytest.fixture
def server(docs_server: LiveServer, clean_db: None) -> LiveServer:
    return docs_server


SLOTS = """query($id: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(eventTypeId: $id, start: $from, end: $to) { start } }"""
BOOK = "mutation($i: BookMeetingInput!) { bookMeeting(input: $i) { id manageToken } }"
EXAMPLE_SECONDS = 60


class Demo:
    """The demo data, and whatever an example's environment needs on top of it, made lazily."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.values: dict[str, str] = {}
        self.booked = 0

    async def post(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        return (await self.server.post(query, variables, **kw)).ok()

    async def start(self) -> None:
        report = await seed.populate(PASSWORD)
        now = datetime.now(UTC)
        token = (await self.post(LOG_IN, {"e": seed.DEMO_EMAIL, "p": PASSWORD}))["logIn"]["token"]
        self.values.update(
            BNM_URL=self.server.url,
            PASSWORD=PASSWORD,
            TOKEN=token,
            EVENT_TYPE_ID=str(report.event_types["intro-call"]),
            FROM=now.isoformat(),
            TO=(now + timedelta(days=14)).isoformat(),
            DAY=(now + timedelta(days=30)).date().isoformat(),
        )

    async def free_slot(self) -> str:
        variables = {
            "id": self.values["EVENT_TYPE_ID"],
            "from": self.values["FROM"],
            "to": self.values["TO"],
        }
        return (await self.post(SLOTS, variables))["availableSlots"][0]["start"]

    async def book(self) -> dict[str, str]:
        self.booked += 1
        booking = {
            "eventTypeId": self.values["EVENT_TYPE_ID"],
            "start": await self.free_slot(),
            "name": f"Guest {self.booked}",
            "email": f"guest{self.booked}@example.com",
        }
        return (await self.post(BOOK, {"i": booking}))["bookMeeting"]

    async def provide(self, names: set[str]) -> dict[str, str]:
        host = await User.get(email=seed.DEMO_EMAIL)
        token = self.values["TOKEN"]
        if {"BOOKING_ID", "MANAGE_TOKEN"} & names:
            booked = await self.book()
            self.values.update(BOOKING_ID=booked["id"], MANAGE_TOKEN=booked["manageToken"])
        if "SLOT_START" in names:
            self.values["SLOT_START"] = await self.free_slot()
        if "HANDLE" in names:
            handle = 'mutation { updateProfile(input: {handle: "demo-host"}) { handle } }'
            self.values["HANDLE"] = (await self.post(handle, token=token))["updateProfile"][
                "handle"
            ]
        if "PENDING_BOOKING_ID" in names:
            pending = await Booking.filter(host_id=host.id, status="PENDING").first()
            assert pending is not None, "the demo data has a booking awaiting confirmation"
            self.values["PENDING_BOOKING_ID"] = str(pending.id)
        if "NOTIFICATION_ID" in names:
            notification = await Notification.filter(user_id=host.id).first()
            assert notification is not None
            self.values["NOTIFICATION_ID"] = str(notification.id)
        if {"FEED_URL", "CALENDAR_ID"} & names:
            path = (await self.post("mutation { rotateCalendarFeed }", token=token))[
                "rotateCalendarFeed"
            ]
            self.values["FEED_URL"] = self.server.url + path
            consent = "mutation { setConsent(purpose: CALENDAR_ACCESS, granted: true) { granted } }"
            await self.post(consent, token=token)
            link = 'mutation($u: String!) { linkCalendar(url: $u, name: "Own") { id } }'
            linked = await self.post(link, {"u": self.values["FEED_URL"]}, token=token)
            self.values["CALENDAR_ID"] = linked["linkCalendar"]["id"]
        if "WEBHOOK_ID" in names:
            register = """mutation { registerWebhook(url: "https://hooks.example.com/x") {
              webhook { id } } }"""
            registered = await self.post(register, token=token)
            self.values["WEBHOOK_ID"] = registered["registerWebhook"]["webhook"]["id"]
        staff_needs = {"POLICY_VERSION", "INQUIRY_ID", "BREACH_ID", "SUSPENDED_USER_ID",
                       "RESTRICTED_USER_ID", "DISCLOSURE_ID"}  # fmt: skip
        if ({"ADMIN_TOKEN", "PRIVACY_REQUEST_ID"} | staff_needs) & names:
            sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) { token } }"""
            staff = {"email": "staff@example.com", "password": PASSWORD, "name": "Staff"}
            self.values["ADMIN_TOKEN"] = (await self.post(sign_up, {"i": staff}))["signUp"]["token"]
            await User.filter(email="staff@example.com").update(role="admin")
            submit = "mutation { submitPrivacyRequest(kind: ACCESS) { id } }"
            submitted = await self.post(submit, token=token)
            self.values["PRIVACY_REQUEST_ID"] = submitted["submitPrivacyRequest"]["id"]
        await self.governance(names, host)
        if "SESSION_ID" in names:  # another device of the demo host
            other = await self.post(LOG_IN, {"e": seed.DEMO_EMAIL, "p": PASSWORD})
            listed = await self.post("{ sessions { id current } }", token=other["logIn"]["token"])
            [current] = [s["id"] for s in listed["sessions"] if s["current"]]
            self.values["SESSION_ID"] = current
        if "CONFIRMATION_CODE" in names:
            ask = 'mutation { submitInviteePrivacyRequest(email: "ivy@example.com", kind: ACCESS) }'
            await self.post(ask)
            self.values["CONFIRMATION_CODE"] = await mailed_code("ivy@example.com")
        if "EMAIL_CODE" in names:
            sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) { token } }"""
            person = {"email": "new.person@example.com", "password": PASSWORD, "name": "New"}
            await self.post(sign_up, {"i": person})
            self.values["EMAIL_CODE"] = await mailed_code("new.person@example.com")
        if "RESET_TOKEN" in names:
            ask = 'mutation { requestPasswordReset(email: "demo@booknmeet.example") }'
            await self.post(ask)
            mail = await MailMessage.filter(kind="PASSWORD_RESET").order_by("-id").first()
            assert mail is not None
            self.values["RESET_TOKEN"] = re.search(r"token=(\S+)", mail.body).group(1)
        await self.teams(names, token)
        missing = names - set(self.values) - set(os.environ)
        assert not missing, f"the test provides no {sorted(missing)}"
        return self.values

    async def teams(self, names: set[str], token: str) -> None:
        """A team of the demo host with another member, and an invitation of the demo host."""
        sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }"""
        create = """mutation($n: String!, $s: String!) { createTeam(name: $n, slug: $s) { id } }"""
        if {"TEAM_ID", "MEMBER_ID"} & names:
            team = await self.post(create, {"n": "Sales", "s": "sales"}, token=token)
            self.values["TEAM_ID"] = team["createTeam"]["id"]
            person = {"email": "mia@example.com", "password": PASSWORD, "name": "Mia"}
            member = (await self.post(sign_up, {"i": person}))["signUp"]["user"]["id"]
            await TeamMember.create(team_id=int(self.values["TEAM_ID"]), user_id=int(member))
            self.values["MEMBER_ID"] = member
        if "TEAM_INVITE_TOKEN" in names:
            person = {"email": "olga@example.com", "password": PASSWORD, "name": "Olga"}
            owner = (await self.post(sign_up, {"i": person}))["signUp"]["token"]
            team = await self.post(create, {"n": "Partners", "s": "partners"}, token=owner)
            invite = "mutation($t: ID!, $e: String!) { inviteTeamMember(teamId: $t, email: $e) }"
            invited = {"t": team["createTeam"]["id"], "e": seed.DEMO_EMAIL}
            await self.post(invite, invited, token=owner)
            mail = await MailMessage.filter(kind="TEAM_INVITATION").order_by("-id").first()
            assert mail is not None
            self.values["TEAM_INVITE_TOKEN"] = re.search(r"token=(\S+)", mail.body).group(1)

    async def governance(self, names: set[str], host: User) -> None:
        """Objects of the staff's privacy governance operations."""
        admin = self.values.get("ADMIN_TOKEN")
        self.values["USER_ID"] = str(host.id)
        if "POLICY_VERSION" in names:
            publish = """mutation($at: DateTime!) { publishPolicy(version: "2027-01",
              text: "The policy.", effectiveAt: $at) { version } }"""
            published = await self.post(publish, {"at": self.values["TO"]}, token=admin)
            self.values["POLICY_VERSION"] = published["publishPolicy"]["version"]
        if "INQUIRY_ID" in names:
            ask = """mutation { submitInquiry(email: "ivy@example.com", subject: "Data",
              message: "What do you keep?") { id } }"""
            self.values["INQUIRY_ID"] = (await self.post(ask))["submitInquiry"]["id"]
        if "BREACH_ID" in names:
            record = """mutation($at: DateTime!, $ids: [ID!]!) { recordBreach(
              description: "Lost laptop", detectedAt: $at, affectedUserIds: $ids, risk: LOW,
              report: {dataCategories: ["booking"], likelyConsequences: "Little: encrypted.",
                       measures: "Remote wipe."}) { id } }"""
            at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
            recorded = await self.post(record, {"at": at, "ids": [str(host.id)]}, token=admin)
            self.values["BREACH_ID"] = recorded["recordBreach"]["id"]
        if "SUSPENDED_USER_ID" in names:
            sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }"""
            person = {"email": "spam@example.com", "password": PASSWORD, "name": "Spammer"}
            user_id = (await self.post(sign_up, {"i": person}))["signUp"]["user"]["id"]
            suspend = """mutation($id: ID!) { suspendUser(id: $id, reason: "Spam") { id } }"""
            await self.post(suspend, {"id": user_id}, token=admin)
            self.values["SUSPENDED_USER_ID"] = user_id
        if "RESTRICTED_USER_ID" in names:
            sign_up = """mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }"""
            person = {"email": "paused@example.com", "password": PASSWORD, "name": "Paused"}
            user_id = (await self.post(sign_up, {"i": person}))["signUp"]["user"]["id"]
            await User.filter(id=int(user_id)).update(restricted=True)  # a completed request
            self.values["RESTRICTED_USER_ID"] = user_id
        if "DISCLOSURE_ID" in names:
            disclose = """mutation($i: DisclosureInput!) { recordDisclosure(input: $i,
              reason: "Court order") { id } }"""
            at = datetime.now(UTC) - timedelta(days=1)
            entry = {"reason": "LEGAL_OBLIGATION", "recipient": "Grand Court",
                     "legalBasis": "Order 12", "data": "Contact details",
                     "disclosedAt": at.isoformat(), "userId": str(host.id),
                     "holdUntil": (at + timedelta(days=90)).isoformat()}  # fmt: skip
            disclosed = await self.post(disclose, {"i": entry}, token=admin)
            self.values["DISCLOSURE_ID"] = disclosed["recordDisclosure"]["id"]

    async def trigger(self) -> None:
        """Something every subscription example hears about: a booking (and a calendar sync);
        the booking of MANAGE_TOKEN, if there is one, is cancelled with it (once)."""
        await self.book()
        if "MANAGE_TOKEN" in self.values:
            cancel = (
                "mutation($id: ID!, $t: String) { cancelBooking(id: $id, manageToken: $t) { id } }"
            )
            variables = {"id": self.values["BOOKING_ID"], "t": self.values["MANAGE_TOKEN"]}
            await self.server.post(cancel, variables)  # again on later calls: CONFLICT, fine
        if "CALENDAR_ID" in self.values:
            sync = "mutation($id: ID!) { syncCalendar(id: $id) { id } }"
            await self.post(sync, {"id": self.values["CALENDAR_ID"]}, token=self.values["TOKEN"])


def command(example: Example) -> list[str]:
    if example.lang == "sh":
        code = example.code
        if example.name == "setup":  # it only exports: check that it got what it promises
            code += '\ntest -n "$TOKEN" && test -n "$FROM" && test -n "$TO" && test -n "$DAY"\n'
        return ["bash", "-euo", "pipefail", "-c", code]
    return [sys.executable, "-c", example.code]


def check_answer(example: Example, stdout: str) -> None:
    if example.lang != "sh" or not stdout.strip():
        return
    body = json.loads(stdout)
    errors = body.get("errors") or []
    if example.answers:
        assert [e["extensions"]["code"] for e in errors][:1] == [example.answers], body
    else:
        assert not errors, body
        assert body.get("data") is not None, body


@pytest.fixture(scope="module")
async def python_runner() -> AsyncIterator[asyncio.subprocess.Process]:
    """Runs each Python example in a process of its own, forked from one that has imported gql
    already (tests/example_runner.py)."""
    runner = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tests" / "example_runner.py"),
        cwd=str(ROOT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**24,
    )
    yield runner
    assert runner.stdin is not None
    runner.stdin.close()
    await runner.wait()


async def start(
    example: Example, env: dict[str, str], runner: asyncio.subprocess.Process
) -> tuple[asyncio.Future[Any], Callable[[], None]]:
    """The example running: a future of (status, stdout, stderr), and how to kill it."""
    if example.lang == "python":
        assert runner.stdin is not None and runner.stdout is not None
        request = {"code": example.code, "env": env, "timeout": EXAMPLE_SECONDS}
        runner.stdin.write(json.dumps(request).encode() + b"\n")
        reader = runner.stdout

        async def answered() -> tuple[int, str, str]:
            done = json.loads(await reader.readline())
            return done["status"], done["stdout"], done["stderr"]

        return asyncio.ensure_future(answered()), lambda: None  # the runner's alarm kills it
    process = await asyncio.create_subprocess_exec(
        *command(example),
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )

    async def communicated() -> tuple[int, str, str]:
        stdout, stderr = await process.communicate()
        return process.returncode or 0, stdout.decode(), stderr.decode()

    return asyncio.ensure_future(communicated()), process.kill


async def run(
    example: Example, env: dict[str, str], demo: Demo, runner: asyncio.subprocess.Process
) -> tuple[int, str, str]:
    communicate, kill = await start(example, {**os.environ, **env}, runner)
    if example.waits_for_events:
        # It prints the first event and stops; keep making events until it has one.
        await asyncio.wait({communicate}, timeout=1.0)
        for _ in range(40):
            if communicate.done():
                break
            await demo.trigger()
            await asyncio.wait({communicate}, timeout=0.5)
    await asyncio.wait({communicate}, timeout=EXAMPLE_SECONDS + 10)
    if not communicate.done():
        kill()
    return await communicate


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.id for e in RUNNABLE])
async def test_example_runs_against_a_live_server(
    server: LiveServer, example: Example, python_runner: asyncio.subprocess.Process
) -> None:
    if example.lang == "python" and importlib.util.find_spec("gql") is None:
        pytest.skip("the Python examples need the gql package: pip install 'gql[httpx,websockets]'")
    if example.lang == "sh" and "curl" in example.code and shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    demo = Demo(server)
    await demo.start()
    env = await demo.provide(example.needs())
    status, stdout, stderr = await run(example, env, demo, python_runner)
    assert status == 0, f"{example.id} failed:\n{stdout}\n{stderr}"
    check_answer(example, stdout)
    if example.waits_for_events:
        assert stdout.strip(), f"{example.id} printed no event:\n{stderr}"
    if ".handle_request(" in example.code:
        assert re.search(r"^verified BOOKING_\w+ delivery \d+$", stdout, re.MULTILINE), stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("example", SCRIPTS, ids=[e.id for e in SCRIPTS])
async def test_javascript_example_parses(example: Example, tmp_path: Path) -> None:
    script = tmp_path / f"{example.name}.mjs"
    script.write_text(example.code, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        "node", "--check", str(script), stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()


def test_the_reference_covers_every_operation_in_every_client(schema: Any) -> None:
    graphql_schema = schema._schema
    roots = {
        "query": graphql_schema.query_type,
        "mutation": graphql_schema.mutation_type,
        "subscription": graphql_schema.subscription_type,
    }
    reference = (DOCS / "api-reference.md").read_text(encoding="utf-8")
    by_lang: dict[str, set[str]] = {"sh": set(), "python": set(), "js": set()}
    for example in EXAMPLES:
        if example.path.name == "api-reference.md":
            by_lang[example.lang].add(example.name)
    for kind, root in roots.items():
        for name in root.fields:
            assert f"### {kind} {name}\n" in reference, f"{kind} {name} is not documented"
            example = f"{kind}-{name}"
            assert example in by_lang["python"] and example in by_lang["js"], example
            if kind != "subscription":
                assert example in by_lang["sh"], f"{example} has no curl example"


def test_the_reference_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    assert generate.main(["--check"]) == 0, "run: python docs/generate.py"


def test_the_guide_covers_what_the_issue_asks() -> None:
    guide = (DOCS / "README.md").read_text(encoding="utf-8").lower()
    for topic in ("authentication", "error", "pagination", "production", "subscription"):
        assert topic in guide, topic
    names = {e.name for e in EXAMPLES if e.path.name == "README.md"}
    assert len(names) >= 5


def test_the_webhook_guide_names_every_signed_header_and_runs_a_receiver() -> None:
    delivery = SimpleNamespace(id=7, event="BOOKING_CREATED")
    headers = webhooks.signed_headers(delivery, "secret", b"{}")  # type: ignore[arg-type]
    guide = (DOCS / "webhooks.md").read_text(encoding="utf-8")
    for name in headers:
        assert f"`{name}`" in guide, f"docs/webhooks.md does not name the header {name}"
    assert f"`{webhooks.USER_AGENT}`" in guide
    receivers = [e for e in RUNNABLE if e.path.name == "webhooks.md" and e.waits_for_events]
    assert [e.name for e in receivers] == ["webhook-receiver"]
