"""The invitee's page of a booking, /manage/<manageToken>, in a real browser against the live
server: the host's changes show live, the invitee moves the booking with the slot picker and
cancels it with a reason, the .ics downloads, a bad token gets a friendly 404, and inside the
event type's cancellation notice the page says why it cannot change anything."""

from collections.abc import Callable
from datetime import datetime

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import test_browser
from tests.conftest import LiveServer
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot
from tests.test_browser import LIVE_WITHIN, needs_browser, text_of, wait
from tests.web.page_checks import assert_accessible

pytestmark = needs_browser
browser = test_browser.browser  # the fixture: headless Chromium windows

BOOKING = """query($id: ID!) { booking(id: $id) { status start cancelReason } }"""
MOVE = """mutation($id: ID!, $start: DateTime!) { rescheduleBooking(id: $id, start: $start) {
  id } }"""
CONFIRM = """mutation($id: ID!) { confirmBooking(id: $id) { id } }"""
STRICT_TYPE = """mutation { createEventType(input: {title: "Strict", slug: "strict",
  durationMinutes: 30, minimumCancelNoticeMinutes: 2880, requiresConfirmation: true}) { id } }"""


def status_of(driver: WebDriver) -> str:
    return text_of(driver, "booking-status")


def open_manage(driver: WebDriver, server: LiveServer, token: str) -> None:
    driver.get(f"{server.url}/manage/{token}")
    wait(driver, lambda d: text_of(d, "live-status").startswith("Live"))
    if driver.find_element(By.ID, "cookie-notice").is_displayed():  # the first page only
        driver.find_element(By.ID, "cookie-reject").click()


async def test_the_invitee_sees_the_hosts_change_live_then_moves_and_cancels(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    host, type_id = await host_with_type(server, "host@example.com")
    variables = booking_input(type_id, slot(days=3, hour=10))
    variables["i"]["timeZone"] = "Asia/Tokyo"
    booked = (await server.post(BOOK, variables)).ok()["bookMeeting"]
    page = browser(time_zone="Europe/London")
    open_manage(page, server, booked["manageToken"])
    page.execute_script("window.notReloaded = true")

    # The booking in the invitee's zone (the one they booked in), confirmed.
    assert text_of(page, "booking-title") == "Live"
    assert text_of(page, "host-name") == "host"
    assert "(Asia/Tokyo)" in text_of(page, "booking-when")
    assert "7:00" in text_of(page, "booking-when")  # 10:00 UTC is 19:00 in Tokyo
    assert status_of(page) == "Confirmed"
    ics = page.find_element(By.ID, "ics-link").get_attribute("href")
    async with httpx.AsyncClient(timeout=10) as client:
        calendar = await client.get(ics)
    assert calendar.status_code == 200 and "BEGIN:VEVENT" in calendar.text

    # The host moves it: the page shows the new time without a reload.
    host_start = slot(days=3, hour=13)
    (await server.post(MOVE, {"id": booked["id"], "start": host_start}, token=host)).ok()
    wait(page, lambda d: "10:00" in text_of(d, "booking-when"), LIVE_WITHIN)  # 13:00 UTC
    assert page.execute_script("return window.notReloaded") is True

    # The invitee moves it with the slot picker.
    page.find_element(By.ID, "show-reschedule").click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".slot input"))
    radio = page.find_elements(By.CSS_SELECTOR, ".slot input")[4]
    new_start = radio.get_attribute("value")
    page.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']").click()
    wait(page, lambda d: d.find_element(By.ID, "move").is_displayed())
    page.find_element(By.ID, "move-reason").send_keys("A clash at work")
    page.find_element(By.ID, "move-button").click()
    wait(page, lambda d: not d.find_element(By.ID, "picker").is_displayed())
    stored = (await server.post(BOOKING, {"id": booked["id"]}, token=host)).ok()["booking"]
    assert datetime.fromisoformat(stored["start"]) == datetime.fromisoformat(new_start)
    assert stored["status"] == "CONFIRMED"

    # Then cancels it with a reason.
    page.find_element(By.ID, "show-cancel").click()
    page.find_element(By.ID, "cancel-reason").send_keys("Cannot make it after all")
    page.find_element(By.ID, "cancel-button").click()
    wait(page, lambda d: status_of(d) == "Cancelled")
    assert text_of(page, "notice-title") == "This booking is cancelled"
    assert not page.find_element(By.ID, "change").is_displayed()
    assert page.find_element(By.ID, "book-again").get_attribute("href").endswith(f"/book/{type_id}")
    stored = (await server.post(BOOKING, {"id": booked["id"]}, token=host)).ok()["booking"]
    assert (stored["status"], stored["cancelReason"]) == ("CANCELLED", "Cannot make it after all")
    assert_accessible(page, "/manage of a cancelled booking")
    test_browser.screenshot(page, "manage-cancelled")


async def test_inside_the_cancellation_notice_the_page_says_why_it_cannot(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    host, _ = await host_with_type(server, "host@example.com")
    type_id = (await server.post(STRICT_TYPE, token=host)).ok()["createEventType"]["id"]
    soon = (await server.post(BOOK, booking_input(type_id, slot(days=1, hour=15)))).ok()
    later = (await server.post(BOOK, booking_input(type_id, slot(days=5, hour=15), "Lee"))).ok()

    page = browser()
    open_manage(page, server, soon["bookMeeting"]["manageToken"])
    assert status_of(page) == "Awaiting the host's confirmation"
    assert text_of(page, "notice-title") == "Changes are closed"
    reason = text_of(page, "notice-text")
    assert "up to 2 days before they start" in reason and "contact host directly" in reason
    assert not page.find_element(By.ID, "change").is_displayed()
    assert_accessible(page, "/manage inside the cancellation notice")
    test_browser.screenshot(page, "manage-changes-closed")
    # The host confirms: it shows at once.
    (await server.post(CONFIRM, {"id": soon["bookMeeting"]["id"]}, token=host)).ok()
    wait(page, lambda d: status_of(d) == "Confirmed", LIVE_WITHIN)

    # Further ahead it can be changed, and the page says until when.
    open_manage(page, server, later["bookMeeting"]["manageToken"])
    assert "2 days before it starts" in text_of(page, "change-deadline")
    assert not page.find_element(By.ID, "notice").is_displayed()


async def test_a_bad_token_gets_a_friendly_not_found_page(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        for token in ("nope", "x" * 300, "bnm_m_" + "0" * 40):
            page = await client.get(f"/manage/{token}")
            assert page.status_code == 404, token
            assert "We cannot find this booking" in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["referrer-policy"] == "no-referrer"
