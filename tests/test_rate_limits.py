"""Rate limits that cannot be sidestepped: spellings of one address share the log-in budget, one
account has a budget across client addresses, signed-in callers are limited where a password is
checked or mail goes to an address they name, and a limiter whose Redis is down falls back to
per-process limits without telling clients anything about the infrastructure."""

import asyncio
import logging
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from config import Settings
from models.privacy import MailMessage
from models.user import User
from schema.context import Context
from services import accounts
from services.rate_limit import RateLimiter
from tests.conftest import PASSWORD, REDIS_URL, Result, free_port, start_server
from tests.subscriptions.test_cross_process import Link, needs_redis, redis_through
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot

LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
DELETE = "mutation($p: String!) { deleteAccount(password: $p) }"
INVITEE = "mutation($e: String!) { submitInviteePrivacyRequest(email: $e, kind: ACCESS) }"
SIGN_UP = "mutation($i: SignUpInput!) { signUp(input: $i) { token } }"
# One address, spelt so that each reaches the same account (the domain is normalised with IDNA).
VARIANTS = ["host@example.com", "HOST@example.com", " host@example.com", "host@EXAMPLE.com"]
VARIANTS += [
    "host@"
    + "".join(chr(ord(c) + 0xFEE0) if i == n else c for i, c in enumerate("example"))
    + ".com"
    for n in range(7)
]  # one fullwidth letter each (U+FF41 and on) in the domain


@pytest.fixture
def run(clean_db: None, schema: Any, settings: Settings):
    """Executes an operation as a client at `address`, through `limiter`."""

    async def execute(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        limiter: RateLimiter | None,
        token: str | None = None,
        address: str = "203.0.113.7",
    ) -> Result:
        request = SimpleNamespace(client=SimpleNamespace(host=address))
        context = Context(settings=settings, limiter=limiter, request=request)
        live = await accounts.authenticate_session(token)
        if live is not None:
            context.user, context.token, context.session_id = live.user, token, live.session_id
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return Result(result.data, [e.formatted for e in result.errors or []])

    return execute


def limiter(per_minute: int = 60, redis_url: str | None = None) -> RateLimiter:
    return RateLimiter(Settings(rate_limit_per_minute=per_minute, redis_url=redis_url))


async def host(run, email: str = "host@example.com") -> str:
    variables = {"i": {"email": email, "password": PASSWORD, "name": "Hanna"}}
    return (await run(SIGN_UP, variables, limiter=None)).ok()["signUp"]["token"]


async def test_spellings_of_one_address_share_its_log_in_budget(run):
    await host(run)
    assert len(set(VARIANTS)) == 11
    for variant in VARIANTS:  # each reaches the account
        assert (await run(LOG_IN, {"e": variant, "p": PASSWORD}, limiter=None)).ok()
    limits = limiter()
    for variant in VARIANTS[:10]:
        wrong = await run(LOG_IN, {"e": variant, "p": "wrong password!"}, limiter=limits)
        assert wrong.codes == ["UNAUTHENTICATED"]
    eleventh = await run(LOG_IN, {"e": VARIANTS[10], "p": PASSWORD}, limiter=limits)
    assert eleventh.codes == ["RATE_LIMITED"]


async def test_one_account_has_a_budget_across_client_addresses(run):
    await host(run)
    limits = limiter()
    for n in range(30):
        wrong = await run(
            LOG_IN, {"e": "host@example.com", "p": "wrong!"}, limiter=limits, address=f"10.0.0.{n}"
        )
        assert wrong.codes == ["UNAUTHENTICATED"]
    last = await run(
        LOG_IN, {"e": "host@example.com", "p": PASSWORD}, limiter=limits, address="10.0.1.1"
    )
    assert last.codes == ["RATE_LIMITED"]
    # Another account from those addresses is not locked out by this one.
    await host(run, "other@example.com")
    other = await run(LOG_IN, {"e": "other@example.com", "p": PASSWORD}, limiter=limits)
    assert other.ok()


async def test_signed_in_callers_are_limited_where_a_password_is_checked(run):
    token = await host(run)
    limits = limiter()
    codes = [
        (await run(DELETE, {"p": f"guess number {n}"}, limiter=limits, token=token)).codes
        for n in range(11)
    ]
    assert codes == [["UNAUTHENTICATED"]] * 10 + [["RATE_LIMITED"]]
    last = await run(DELETE, {"p": PASSWORD}, limiter=limits, token=token)
    assert last.codes == ["RATE_LIMITED"]
    assert await User.exists(email="host@example.com")


async def test_signed_in_callers_are_limited_where_mail_goes_to_an_address_they_name(run):
    token = await host(run)
    limits = limiter()
    codes = [
        (await run(INVITEE, {"e": "victim@example.com"}, limiter=limits, token=token)).codes
        for _ in range(6)
    ]
    assert codes == [[]] * 5 + [["RATE_LIMITED"]]
    # Spelt otherwise, the same inbox: the same budget.
    again = await run(INVITEE, {"e": "VICTIM@\uff45xample.com"}, limiter=limits, token=token)
    assert again.codes == ["RATE_LIMITED"]
    assert await MailMessage.filter(to="victim@example.com").count() == 5


def leaks(result: Result, port: int) -> list[str]:
    return [e["message"] for e in result.errors if re.search(rf"127\.0\.0\.1|:{port}\b", str(e))]


async def test_with_its_redis_down_the_limiter_falls_back_to_per_process_limits(run, caplog):
    await host(run)
    port = free_port()  # nothing listens there
    limits = limiter(per_minute=3, redis_url=f"redis://127.0.0.1:{port}/0")
    with caplog.at_level(logging.WARNING, logger="services.rate_limit"):
        results = [
            await run(LOG_IN, {"e": "host@example.com", "p": PASSWORD}, limiter=limits)
            for _ in range(4)
        ]
    assert [r.codes for r in results] == [[], [], [], ["RATE_LIMITED"]]
    assert [leaks(r, port) for r in results] == [[]] * 4
    assert "Redis unavailable" in caplog.text


@needs_redis
async def test_a_server_whose_limiter_loses_redis_books_and_logs_in_without_leaking_it(
    settings, tmp_path, clean_db
):
    redis = urlsplit(REDIS_URL)
    link = await Link(redis.hostname, redis.port or 6379).open()
    port = link.port
    env = {"RATE_LIMIT_PER_MINUTE": "60", "REDIS_URL": redis_through(link)}
    server = await asyncio.to_thread(start_server, settings, tmp_path, env=env)
    try:
        _, type_id = await host_with_type(server, "host@example.com")
        link.cut()
        booked = await server.post(BOOK, booking_input(type_id, slot()))
        logged_in = await server.post(LOG_IN, {"e": "host@example.com", "p": PASSWORD})
        wrong = await server.post(LOG_IN, {"e": "host@example.com", "p": "wrong password!"})
    finally:
        link.cut()
        server.stop()
    assert booked.ok()["bookMeeting"]["id"] and logged_in.ok()["logIn"]["token"]
    assert wrong.codes == ["UNAUTHENTICATED"]
    assert [leaks(r, port) for r in (booked, logged_in, wrong)] == [[], [], []]
    assert "rate limits: Redis unavailable" in server.log()
