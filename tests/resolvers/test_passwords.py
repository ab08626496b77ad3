"""Passwords (the accounts block): a reset link by e-mail, the reset, a change; tokens revoked."""

import re
from datetime import timedelta

from models.privacy import MailMessage
from models.user import AuthToken, PasswordReset
from services import accounts
from services.clock import utcnow
from services.mail import delivery
from tests.conftest import PASSWORD, mail_settings

REQUEST = "mutation($e: String!) { requestPasswordReset(email: $e) }"
RESET = """mutation($t: String!, $p: String!) {
  resetPassword(token: $t, newPassword: $p) { token user { email } } }"""
CHANGE = """mutation($c: String!, $p: String!) {
  changePassword(currentPassword: $c, newPassword: $p) }"""
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
NEW = "a brand new passphrase"


async def _reset_token(address: str) -> str:
    message = await MailMessage.filter(to=address, kind="PASSWORD_RESET").order_by("-id").first()
    assert message is not None
    match = re.search(r"/reset-password\?token=(\S+)", message.body)
    assert match, message.body
    return match.group(1)


async def test_reset_end_to_end_over_smtp(gql, sign_up, settings, smtp):
    old_token, _ = await sign_up(email="ann@example.com")
    other_token = (await gql(LOG_IN, {"e": "ann@example.com", "p": PASSWORD})).ok()["logIn"]
    assert (await gql(REQUEST, {"e": " ANN@example.com "})).ok() == {"requestPasswordReset": True}
    assert await delivery.deliver_due(mail_settings(settings, smtp.port)) >= 1
    received = [r for r in await smtp.until(2) if "Reset" in r.message["Subject"]]
    assert [r.rcpt_tos for r in received] == [["ann@example.com"]]
    link = re.search(r"http://127\.0\.0\.1:8000/reset-password\?token=(\S+)", received[0].text())
    assert link and link.group(1) == await _reset_token("ann@example.com")
    assert f'href="{link.group(0)}"' in received[0].html()
    # Only a hash is stored.
    assert not await PasswordReset.filter(token_hash=link.group(1)).exists()

    reset = (await gql(RESET, {"t": link.group(1), "p": NEW})).ok()["resetPassword"]
    assert reset["user"]["email"] == "ann@example.com"
    assert await accounts.authenticate(reset["token"]) is not None
    assert await accounts.authenticate(old_token) is None  # every older token is revoked
    assert await accounts.authenticate(other_token["token"]) is None
    assert (await gql(LOG_IN, {"e": "ann@example.com", "p": PASSWORD})).codes == ["UNAUTHENTICATED"]
    assert (await gql(LOG_IN, {"e": "ann@example.com", "p": NEW})).ok()
    # Single use.
    again = await gql(RESET, {"t": link.group(1), "p": "yet another passphrase"})
    assert again.codes == ["BAD_USER_INPUT"] and "token" in again.errors[0]["message"]


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(gql, sign_up):
    await sign_up(email="ann@example.com")
    before = await MailMessage.all().count()
    assert (await gql(REQUEST, {"e": "nobody@example.com"})).ok() == {"requestPasswordReset": True}
    assert await MailMessage.all().count() == before
    assert await PasswordReset.all().count() == 0
    for odd in ("not an address", "nul\x00@example.com", "\ud800@example.com"):
        assert (await gql(REQUEST, {"e": odd})).ok() == {"requestPasswordReset": True}
    assert await MailMessage.all().count() == before


async def test_an_expired_or_wrong_token_is_refused_and_changes_nothing(gql, sign_up):
    token, _ = await sign_up(email="ann@example.com")
    (await gql(REQUEST, {"e": "ann@example.com"})).ok()
    reset_token = await _reset_token("ann@example.com")
    await PasswordReset.all().update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await gql(RESET, {"t": reset_token, "p": NEW})).codes == ["BAD_USER_INPUT"]
    assert (await gql(RESET, {"t": "bnm_r_guess", "p": NEW})).codes == ["BAD_USER_INPUT"]
    assert await accounts.authenticate(token) is not None
    assert (await gql(LOG_IN, {"e": "ann@example.com", "p": PASSWORD})).ok()
    # A new link works; a too-short password is refused without spending it.
    (await gql(REQUEST, {"e": "ann@example.com"})).ok()
    fresh = await _reset_token("ann@example.com")
    assert (await gql(RESET, {"t": fresh, "p": "short"})).codes == ["BAD_USER_INPUT"]
    assert (await gql(RESET, {"t": fresh, "p": NEW})).ok()


async def test_a_reset_kills_the_other_links_and_requests_are_capped(gql, sign_up):
    await sign_up(email="ann@example.com")
    for _ in range(5):
        assert (await gql(REQUEST, {"e": "ann@example.com"})).ok()
    assert await MailMessage.filter(kind="PASSWORD_RESET").count() == 3  # per hour
    tokens = [
        re.search(r"token=(\S+)", m.body).group(1)
        for m in await MailMessage.filter(kind="PASSWORD_RESET").order_by("id")
    ]
    assert (await gql(RESET, {"t": tokens[0], "p": NEW})).ok()
    assert (await gql(RESET, {"t": tokens[1], "p": "other passphrase"})).codes == ["BAD_USER_INPUT"]


async def test_change_needs_the_current_password_and_revokes_every_other_token(gql, sign_up):
    token, _ = await sign_up(email="ann@example.com")
    other = (await gql(LOG_IN, {"e": "ann@example.com", "p": PASSWORD})).ok()["logIn"]["token"]
    wrong = await gql(CHANGE, {"c": "not my password", "p": NEW}, token=token)
    assert wrong.codes == ["BAD_USER_INPUT"] and "currentPassword" in wrong.errors[0]["message"]
    assert (await gql(CHANGE, {"c": PASSWORD, "p": "short"}, token=token)).codes == [
        "BAD_USER_INPUT"
    ]
    assert await accounts.authenticate(other) is not None  # nothing changed so far
    assert (await gql(CHANGE, {"c": PASSWORD, "p": NEW}, token=token)).ok() == {
        "changePassword": True
    }
    assert await accounts.authenticate(token) is not None  # the caller's stays
    assert await accounts.authenticate(other) is None
    assert await AuthToken.filter(revoked_at=None).count() == 1
    assert (await gql(LOG_IN, {"e": "ann@example.com", "p": NEW})).ok()
    assert (await gql(CHANGE, {"c": NEW, "p": PASSWORD})).codes == ["UNAUTHENTICATED"]
