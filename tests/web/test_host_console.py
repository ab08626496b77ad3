"""The host console at /dashboard in a real browser, as a new host uses it: sign up, create an
event type with a question, set weekly hours, watch a booking made by an invitee (over GraphQL)
arrive live, and confirm it. Also the password-reset link's page, and the other sections'
round trips (date override, webhook, calendar consent, sessions, password change)."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from models.privacy import MailMessage
from tests.conftest import PASSWORD, LiveServer, mailed_code
from tests.subscriptions.test_live import BOOK
from tests.test_browser import (  # noqa: F401 (the browser fixture)
    booking_row,
    browser,
    needs_browser,
    text_of,
    wait,
)
from tests.web.console import (
    axe_violations,
    decline_cookies,
    open_section,
    problems,
    shoot,
    sign_up,
    watch_problems,
)

pytestmark = needs_browser

LIVE_WITHIN = 2.0
SLOTS = """query($id: ID!, $start: DateTime!, $end: DateTime!) {
  availableSlots(eventTypeId: $id, start: $start, end: $end) { start } }"""
EVENT_TYPE = """query($id: ID!) { eventType(id: $id) {
  title slug durationMinutes seatsPerSlot requiresConfirmation locationKind maxBookingsPerDay
  questions { key label kind required options } } }"""
BOOKING = "query($id: ID!) { booking(id: $id) { status } }"


def token_of(driver: WebDriver) -> str:
    return driver.execute_script("return sessionStorage.getItem('bnm.token')")


def announced(driver: WebDriver) -> str:
    return text_of(driver, "announcer")


async def test_a_new_host_signs_up_sets_up_and_confirms_a_booking_that_arrives_live(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    page = browser(time_zone="Europe/London")
    page.set_window_size(1400, 900)
    watch_problems(page)
    sign_up(page, server, "Hana Host", "hana@example.com")
    assert text_of(page, "me-name") == "Hana Host"
    token = token_of(page)
    me = (await server.post("{ me { name timeZone } }", token=token)).ok()["me"]
    assert me == {"name": "Hana Host", "timeZone": "Europe/London"}

    # Weekly hours: Monday to Sunday, 09:00-17:00 (the default an added interval offers).
    open_section(page, "hours", "hours-title")
    wait(page, lambda d: d.find_elements(By.ID, "add-monday"))
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        page.find_element(By.ID, f"add-{day}").click()
    page.find_element(By.ID, "hours-save").click()
    wait(page, lambda d: "Weekly hours saved" in announced(d))
    schedule = (
        await server.post("{ schedule { timeZone rules { weekday start end } } }", token=token)
    ).ok()
    assert schedule["schedule"]["timeZone"] == "Europe/London"
    assert len(schedule["schedule"]["rules"]) == 7
    assert {(r["start"], r["end"]) for r in schedule["schedule"]["rules"]} == {("09:00", "17:00")}

    # An event type with a required question, confirmed by the host, on video.
    open_section(page, "event-types", "event-types-title")
    page.find_element(By.ID, "new-event-type").click()
    page.find_element(By.ID, "et-title").send_keys("Intro call")
    assert page.find_element(By.ID, "et-slug").get_attribute("value") == "intro-call"
    duration = page.find_element(By.ID, "et-duration")
    duration.clear()
    duration.send_keys("45")
    Select(page.find_element(By.ID, "et-location-kind")).select_by_value("VIDEO")
    page.find_element(By.ID, "et-location").send_keys("https://meet.example/hana")
    page.find_element(By.ID, "et-per-day").send_keys("4")
    page.find_element(By.ID, "et-confirm").click()
    page.find_element(By.ID, "et-add-question").click()
    question = page.find_element(By.CSS_SELECTOR, "#et-questions li.question")
    question.find_element(By.CSS_SELECTOR, ".q-label").send_keys("What shall we talk about?")
    question.find_element(By.CSS_SELECTOR, ".q-required").click()
    page.find_element(By.ID, "event-type-save").click()
    wait(
        page, lambda d: d.find_elements(By.CSS_SELECTOR, "#event-type-list li[data-event-type-id]")
    )
    item = page.find_element(By.CSS_SELECTOR, "#event-type-list li[data-event-type-id]")
    type_id = item.get_attribute("data-event-type-id")
    assert "Intro call" in item.text and "1 question" in item.text
    stored = (await server.post(EVENT_TYPE, {"id": type_id})).ok()["eventType"]
    assert stored["slug"] == "intro-call" and stored["durationMinutes"] == 45
    assert stored["requiresConfirmation"] is True and stored["locationKind"] == "VIDEO"
    assert stored["maxBookingsPerDay"] == 4
    [asked] = stored["questions"]
    assert asked["label"] == "What shall we talk about?" and asked["required"] is True
    shoot(page, "dashboard-event-types")

    # Back on the bookings: an invitee books over GraphQL; it shows without a reload.
    open_section(page, "bookings", "board-title")
    page.execute_script("window.notReloaded = true")
    now = datetime.now(UTC)
    slots = (
        await server.post(
            SLOTS,
            {"id": type_id, "start": now.isoformat(), "end": (now + timedelta(days=8)).isoformat()},
        )
    ).ok()["availableSlots"]
    assert slots, "the hours just set offer slots"
    booked = (
        await server.post(
            BOOK,
            {
                "i": {
                    "eventTypeId": type_id,
                    "start": slots[0]["start"],
                    "name": "Ivo Invitee",
                    "email": "ivo@example.com",
                    "answers": [{"key": asked["key"], "value": "Our roadmap"}],
                }
            },
        )
    ).ok()["bookMeeting"]
    wait(page, lambda d: booking_row(d, "Ivo Invitee") is not None, LIVE_WITHIN)
    assert page.execute_script("return window.notReloaded") is True
    row = booking_row(page, "Ivo Invitee")
    assert row is not None and row["status"] == "PENDING" and "Awaiting confirmation" in row["text"]
    shoot(page, "dashboard")

    # The host confirms it with the keyboard: the row's Confirm button, Enter.
    confirm = page.find_element(
        By.CSS_SELECTOR, f"li.booking[data-booking-id='{booked['id']}'] button"
    )
    assert confirm.text == "Confirm"
    confirm.send_keys(Keys.ENTER)
    wait(page, lambda d: (booking_row(d, "Ivo Invitee") or {}).get("status") == "CONFIRMED")
    status = (await server.post(BOOKING, {"id": booked["id"]}, token=token)).ok()["booking"]
    assert status == {"status": "CONFIRMED"}
    # Focus stays on the row after its live re-render (now on its first action, Reschedule).
    focused = page.execute_script(
        "return document.activeElement.closest('li.booking')?.dataset.bookingId"
    )
    assert focused == booked["id"]
    assert problems(page) == []  # no CSP violation, no uncaught error along the way


async def test_the_host_cancels_and_reschedules_from_the_console(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    from tests.subscriptions.test_live import booking_input, host_with_type, slot

    token, type_id = await host_with_type(server, "host@example.com")
    page = browser()
    from tests.test_browser import sign_in

    sign_in(page, server, "host@example.com")
    first = (await server.post(BOOK, booking_input(type_id, slot(days=3, hour=10), "Mo"))).ok()
    second = (await server.post(BOOK, booking_input(type_id, slot(days=3, hour=12), "Ned"))).ok()
    wait(page, lambda d: booking_row(d, "Ned") is not None and booking_row(d, "Mo") is not None)

    # Reschedule Mo to a free time the dialog offers.
    row = f"li.booking[data-booking-id='{first['bookMeeting']['id']}']"
    page.find_element(By.CSS_SELECTOR, f"{row} button[aria-label^='Reschedule']").click()
    wait(page, lambda d: d.find_element(By.ID, "booking-dialog").is_displayed())
    wait(page, lambda d: d.find_element(By.ID, "reschedule-start").get_attribute("value"))
    chosen = page.find_element(By.ID, "reschedule-start").get_attribute("value")
    page.find_element(By.ID, "booking-reason").send_keys("A clash")
    page.find_element(By.ID, "booking-dialog-ok").click()
    wait(page, lambda d: not d.find_element(By.ID, "booking-dialog").is_displayed())
    moved = (
        await server.post(
            "query($id: ID!) { booking(id: $id) { start status } }",
            {"id": first["bookMeeting"]["id"]},
            token=token,
        )
    ).ok()["booking"]
    assert datetime.fromisoformat(moved["start"]) == datetime.fromisoformat(chosen)

    # Cancel Ned with a reason: struck through, and the reason is stored.
    row = f"li.booking[data-booking-id='{second['bookMeeting']['id']}']"
    page.find_element(By.CSS_SELECTOR, f"{row} button[aria-label^='Cancel']").click()
    wait(page, lambda d: d.find_element(By.ID, "booking-dialog").is_displayed())
    assert page.switch_to.active_element.get_attribute("id") == "booking-reason"
    page.switch_to.active_element.send_keys("Off sick")
    page.find_element(By.ID, "booking-dialog-ok").click()
    wait(page, lambda d: (booking_row(d, "Ned") or {}).get("status") == "CANCELLED")
    cancelled = (
        await server.post(
            "query($id: ID!) { booking(id: $id) { status cancelReason } }",
            {"id": second["bookMeeting"]["id"]},
            token=token,
        )
    ).ok()["booking"]
    assert cancelled == {"status": "CANCELLED", "cancelReason": "Off sick"}


async def test_the_host_hides_and_shows_an_event_type_with_the_keyboard(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    """Issue #21: a Hide/Show toggle per event type, a visible Hidden badge, focus kept."""
    from tests.subscriptions.test_live import host_with_type
    from tests.test_browser import sign_in

    token, type_id = await host_with_type(server, "host@example.com")
    page = browser()
    watch_problems(page)
    sign_in(page, server, "host@example.com")
    decline_cookies(page)
    open_section(page, "event-types", "event-types-title")
    item = f"#event-type-list li[data-event-type-id='{type_id}']"
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, f"{item} .hide-toggle"))
    assert not page.find_elements(By.CSS_SELECTOR, f"{item} .status-hidden")
    toggle = page.find_element(By.CSS_SELECTOR, f"{item} .hide-toggle")
    assert (toggle.text, toggle.get_attribute("aria-label")) == ("Hide", "Hide Live from bookers")

    toggle.send_keys(Keys.ENTER)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, f"{item} .status-hidden"))
    badge = page.find_element(By.CSS_SELECTOR, f"{item} .status-hidden")
    assert badge.text == "Hidden" and badge.is_displayed()
    assert axe_violations(page) == []
    shoot(page, "dashboard-event-type-hidden")
    wait(page, lambda d: "Live is hidden" in announced(d))
    assert (await server.post(EVENT_TYPE, {"id": type_id})).ok() == {"eventType": None}
    assert (await server.get(f"/book/{type_id}")).status_code == 404
    mine = (await server.post("{ myEventTypes { id hidden } }", token=token)).ok()
    assert mine == {"myEventTypes": [{"id": type_id, "hidden": True}]}
    # Focus stays on the toggle, now Show, so Space brings the event type back.
    focused = page.switch_to.active_element
    assert (focused.text, focused.get_attribute("aria-label")) == ("Show", "Show Live to bookers")
    focused.send_keys(Keys.SPACE)
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, f"{item} .status-hidden"))
    wait(page, lambda d: "Live is shown" in announced(d))
    shown = (await server.post(EVENT_TYPE, {"id": type_id})).ok()["eventType"]
    assert shown["title"] == "Live"
    assert page.find_element(By.CSS_SELECTOR, f"{item} a[href='/book/{type_id}']").is_displayed()
    assert page.switch_to.active_element.text == "Hide"
    assert problems(page) == []


async def test_the_reset_link_opens_a_form_that_sets_the_password_and_signs_in(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    from tests.subscriptions.test_live import account

    await account(server, "rita@example.com")
    page = browser()
    page.get(f"{server.url}/dashboard")
    page.find_element(By.ID, "show-forgot").click()
    page.find_element(By.ID, "forgot-email").send_keys("rita@example.com", Keys.ENTER)
    wait(page, lambda d: "on its way" in text_of(d, "forgot-done"))

    mail = await MailMessage.filter(to="rita@example.com", body__contains="reset-password").first()
    assert mail is not None
    link = re.search(r"https?://\S+/reset-password\?token=[\w-]+", mail.body)
    assert link is not None, mail.body
    token = link.group(0).split("token=")[1]
    page.get(f"{server.url}/reset-password?token={token}")
    wait(page, lambda d: d.find_element(By.ID, "reset-panel").is_displayed())
    assert not page.find_element(By.ID, "log-in-panel").is_displayed()
    page.find_element(By.ID, "reset-password").send_keys("a brand new passphrase", Keys.ENTER)
    wait(page, lambda d: text_of(d, "live-status") == "Live")
    assert page.current_url.endswith("/dashboard#bookings")
    logged = await server.post(
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
        {"e": "rita@example.com", "p": "a brand new passphrase"},
    )
    assert logged.ok()["logIn"]["token"]
    # The link works once.
    page.execute_script("sessionStorage.clear()")
    page.get(f"{server.url}/reset-password?token={token}")
    page.find_element(By.ID, "reset-password").send_keys("another new passphrase", Keys.ENTER)
    wait(page, lambda d: text_of(d, "reset-error") != "")


async def test_hours_overrides_webhooks_calendar_consent_sessions_and_password(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    page = browser()
    sign_up(page, server, "Olga", "olga@example.com")
    token = token_of(page)

    # A day off on a date.
    open_section(page, "hours", "hours-title")
    day = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    page.execute_script("document.getElementById('override-date').value = arguments[0]", day)
    page.find_element(By.ID, "override-save").click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, f"#override-list li[data-date='{day}']"))
    overrides = (
        await server.post("{ schedule { overrides { date intervals { start } } } }", token=token)
    ).ok()
    assert overrides["schedule"]["overrides"] == [{"date": day, "intervals": []}]
    page.find_element(By.CSS_SELECTOR, f"#override-list li[data-date='{day}'] button").click()
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, "#override-list li"))

    # Calendars: linking is offered only after the calendar-access consent.
    open_section(page, "calendars", "calendars-title")
    wait(
        page,
        lambda d: d.find_element(By.ID, "calendar-consent-grant").text == "Allow calendar access",
    )
    assert not page.find_element(By.ID, "calendar-forms").is_displayed()
    page.find_element(By.ID, "calendar-consent-grant").click()
    wait(page, lambda d: d.find_element(By.ID, "calendar-forms").is_displayed())
    consents = (await server.post("{ consents { purpose granted } }", token=token)).ok()["consents"]
    assert {"purpose": "CALENDAR_ACCESS", "granted": True} in consents
    page.find_element(By.ID, "feed-url").send_keys("https://calendar.invalid/feed.ics")
    page.find_element(By.ID, "feed-save").click()
    wait(page, lambda d: text_of(d, "feed-error") != "")  # unreachable: said beside the form

    # Webhooks: the signing secret is shown once.
    open_section(page, "webhooks", "webhooks-title")
    page.find_element(By.ID, "webhook-url").send_keys("https://hooks.example.com/bnm", Keys.ENTER)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#webhook-list li"))
    assert "signing secret" in text_of(page, "webhook-secret")
    page.find_element(By.CSS_SELECTOR, "#webhook-list li button").click()
    page.switch_to.alert.accept()
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, "#webhook-list li"))

    # Account: a second session is listed and can be ended; the password can be changed.
    other = await server.post(
        "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
        {"e": "olga@example.com", "p": PASSWORD},
    )
    other_token = other.ok()["logIn"]["token"]
    open_section(page, "account-settings", "account-title")
    wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#session-list li")) == 2)

    # The address is confirmed with the mailed code; the profile's handle is saved.
    assert page.find_element(By.ID, "verify-form").is_displayed()
    page.find_element(By.ID, "verify-code").send_keys(await mailed_code("olga@example.com"))
    page.find_element(By.ID, "verify-save").click()
    wait(page, lambda d: not d.find_element(By.ID, "verify-form").is_displayed())
    handle = page.find_element(By.ID, "profile-handle")
    handle.clear()
    handle.send_keys("olga")
    page.find_element(By.ID, "profile-save").click()
    wait(page, lambda d: text_of(d, "profile-done") == "Profile saved.")
    profile = (await server.post("{ me { handle emailVerified } }", token=token)).ok()["me"]
    assert profile == {"handle": "olga", "emailVerified": True}

    page.find_element(
        By.CSS_SELECTOR, "#session-list button[aria-label^='End the session']"
    ).click()
    wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#session-list li")) == 1)
    assert (await server.post("{ me { id } }", token=other_token)).ok()["me"] is None
    page.find_element(By.ID, "current-password").send_keys(PASSWORD)
    page.find_element(By.ID, "new-password").send_keys("an entirely new passphrase", Keys.ENTER)
    wait(page, lambda d: "Password changed" in text_of(d, "password-done"))
    assert (await server.post("{ me { name } }", token=token)).ok()["me"] == {"name": "Olga"}


@pytest.mark.parametrize("hash_", ["#sign-up", "#forgot"])
async def test_the_signed_out_panels_are_reachable_by_address(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
    hash_: str,
) -> None:
    page = browser()
    page.get(f"{server.url}/dashboard{hash_}")
    panel = {"#sign-up": "sign-up-panel", "#forgot": "forgot-panel"}[hash_]
    wait(page, lambda d: d.find_element(By.ID, panel).is_displayed())
    assert not page.find_element(By.ID, "log-in-panel").is_displayed()
