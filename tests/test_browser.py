"""The dashboard and the booking page in a real browser: Debian's chromium driven headless through
chromedriver, against the live server. A booking made on /book/<id> shows up on /dashboard
(signed in in another browser) without a reload within 2 s; slots follow availabilityChanged; the
cookie notice keeps performance measurement off until it is accepted. Screenshots of each page go
to tests/artifacts/ (a CI artifact; git-ignored)."""

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from models.privacy import Activity
from models.user import User
from tests.conftest import PASSWORD, LiveServer
from tests.subscriptions.test_live import BOOK, CANCEL, booking_input, host_with_type, slot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
CHROMEDRIVER = CHROMEDRIVER or shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromedriver are not installed "
    "(apt-get install chromium chromium-driver; .ci/run installs them)",
)

SLOTS = """query($id: ID!, $start: DateTime!, $end: DateTime!, $zone: String) {
  availableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $zone) { start } }"""
CONSENTS = "{ consents { purpose granted } }"
LIVE_WITHIN = 2.0  # seconds: the acceptance bound for a change to show without a reload


@pytest.fixture
def browser() -> Iterator[Callable[..., WebDriver]]:
    """Starts headless Chromium windows (each its own fresh profile); all quit afterwards."""
    drivers: list[WebDriver] = []

    def start(time_zone: str | None = None) -> WebDriver:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--window-size=1280,1000",
            "--lang=en-GB",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        drivers.append(driver)
        if time_zone:
            driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": time_zone})
        return driver

    yield start
    for driver in drivers:
        driver.quit()


def screenshot(driver: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait(driver: WebDriver, condition: Callable[[WebDriver], object], seconds: float = 10) -> None:
    WebDriverWait(
        driver, seconds, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]
    ).until(condition)


def text_of(driver: WebDriver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def loaded_scripts(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
    )


def sign_in(driver: WebDriver, server: LiveServer, email: str) -> None:
    driver.get(f"{server.url}/dashboard")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait(driver, lambda d: text_of(d, "live-status") == "Live")


def booking_row(driver: WebDriver, name: str) -> dict[str, str] | None:
    """The dashboard's row of `name`'s booking, read in one go (rows are re-rendered live)."""
    return driver.execute_script(
        """const row = [...document.querySelectorAll('li.booking')]
             .find(li => li.textContent.includes(arguments[0]));
           if (!row) return null;
           const struck = row.querySelector('s');
           return {status: row.dataset.status, text: row.innerText,
                   decoration: struck ? getComputedStyle(struck).textDecorationLine : ''};""",
        name,
    )


def assert_reflows(driver: WebDriver, name: str) -> None:
    """At a phone's width the page scrolls only vertically."""
    size = driver.get_window_size()
    driver.set_window_size(390, 844)
    try:
        wide = driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        assert not wide, f"{name}: content wider than a phone screen"
        screenshot(driver, name)
    finally:
        driver.set_window_size(size["width"], size["height"])


def slot_values(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.slot input')].map(i => i.value)"
    )


def unlabelled_controls(driver: WebDriver) -> list[str]:
    return driver.execute_script(
        """return [...document.querySelectorAll('input, select, textarea')]
          .filter(c => c.type !== 'hidden' && !(c.labels && c.labels.length))
          .map(c => c.id || c.name)"""
    )


@needs_browser
async def test_a_booking_on_the_booking_page_shows_live_on_the_dashboard(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    host_page = browser()
    sign_in(host_page, server, "host@example.com")
    host_page.execute_script("window.notReloaded = true")
    assert "host" in text_of(host_page, "me-name")

    visitor = browser(time_zone="Asia/Tokyo")
    visitor.get(f"{server.url}/book/{type_id}")
    wait(visitor, lambda d: d.find_elements(By.CSS_SELECTOR, ".slot input"))
    assert text_of(visitor, "host-name") == "host"
    assert text_of(visitor, "event-title") == "Live"
    assert "30 minutes" in text_of(visitor, "event-meta")
    assert unlabelled_controls(visitor) == []

    # Slots are shown in the visitor's own zone, as the API gives them for that zone.
    zone = visitor.find_element(By.ID, "time-zone").get_attribute("value")
    assert zone == "Asia/Tokyo"
    radios = visitor.find_elements(By.CSS_SELECTOR, ".slot input")
    first_start = radios[0].get_attribute("value")
    assert first_start.endswith("+09:00")
    screenshot(visitor, "book-page")
    assert_reflows(visitor, "book-page-phone")

    # Somebody else takes the first slot: it disappears from the page without a reload.
    (await server.post(BOOK, booking_input(type_id, first_start, "Eve"))).ok()
    wait(visitor, lambda d: first_start not in slot_values(d), LIVE_WITHIN)

    # Book the next one with the keyboard: focus the slot, select it, fill in the form.
    slot = visitor.find_elements(By.CSS_SELECTOR, ".slot input")[0]
    chosen_start = slot.get_attribute("value")
    slot.send_keys(Keys.SPACE)
    wait(visitor, lambda d: d.find_element(By.ID, "details").is_displayed())
    visitor.find_element(By.ID, "name").send_keys("Browser Bob")
    visitor.find_element(By.ID, "email").send_keys("bob@example.com")
    visitor.find_element(By.ID, "book-button").click()
    booked_at = time.monotonic()
    try:
        wait(host_page, lambda d: booking_row(d, "Browser Bob") is not None, LIVE_WITHIN)
    except TimeoutException:
        pytest.fail(f"the booking did not appear on the dashboard within {LIVE_WITHIN} s")
    assert time.monotonic() - booked_at < LIVE_WITHIN + 0.5
    assert host_page.execute_script("return window.notReloaded") is True
    row = booking_row(host_page, "Browser Bob")
    assert row is not None and row["status"] == "CONFIRMED"
    assert "bob@example.com" in row["text"] and "Live" in row["text"]
    wait(host_page, lambda d: int(text_of(d, "unread-count")) >= 2, LIVE_WITHIN)

    wait(visitor, lambda d: d.find_element(By.ID, "done").is_displayed())
    assert "You are booked" in text_of(visitor, "done-title")
    href = visitor.find_element(By.ID, "manage-link").get_attribute("href")
    link = urlparse(href)
    assert link.path.startswith("/ical/booking/") and link.path.endswith(".ics")
    async with httpx.AsyncClient(timeout=10) as client:
        ics = await client.get(href)
    assert ics.status_code == 200 and "BEGIN:VCALENDAR" in ics.text
    screenshot(visitor, "book-page-booked")
    booking_id = link.path.removeprefix("/ical/booking/").removesuffix(".ics")
    manage_token = parse_qs(link.query)["token"][0]

    # The booking is at the chosen start, for the visitor's zone.
    query = "query($id: ID!) { booking(id: $id) { start attendeeTimeZone } }"
    stored = (await server.post(query, {"id": booking_id}, token=token)).ok()["booking"]
    assert stored["attendeeTimeZone"] == "Asia/Tokyo"
    assert datetime.fromisoformat(stored["start"]) == datetime.fromisoformat(chosen_start)

    # A cancellation is struck through, live.
    (await server.post(CANCEL, {"id": booking_id, "t": manage_token})).ok()
    wait(
        host_page,
        lambda d: (booking_row(d, "Browser Bob") or {}).get("status") == "CANCELLED",
        LIVE_WITHIN,
    )
    row = booking_row(host_page, "Browser Bob")
    assert row is not None and "Cancelled" in row["text"]
    assert row["decoration"] == "line-through"
    screenshot(host_page, "dashboard")
    assert_reflows(host_page, "dashboard-phone")


@needs_browser
async def test_the_dashboard_catches_up_after_a_reconnect(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    page = browser()
    sign_in(page, server, "host@example.com")
    page.execute_script("window.bookNMeet.live.stop()")
    wait(page, lambda d: "Offline" in text_of(d, "live-status"))
    # Changes while the page is offline: it cannot hear them live.
    (await server.post(BOOK, booking_input(type_id, slot(days=3, hour=11), "Quinn"))).ok()
    await asyncio.sleep(0.5)
    assert booking_row(page, "Quinn") is None
    page.execute_script("window.bookNMeet.live.start()")
    wait(page, lambda d: booking_row(d, "Quinn") is not None, 5)
    assert int(text_of(page, "unread-count")) == 1
    # Marking read empties the unread list, here and on the server.
    page.find_element(By.ID, "mark-all-read").click()
    wait(page, lambda d: text_of(d, "unread-count") == "0")
    unread = "{ notifications(unreadOnly: true) { totalCount } }"
    assert (await server.post(unread, token=token)).ok()["notifications"]["totalCount"] == 0


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def refused(server: LiveServer, token: str) -> bool:
    return await performance_consent(server, token) is False


async def performance_consent(server: LiveServer, token: str) -> bool | None:
    consents = (await server.post(CONSENTS, token=token)).ok()["consents"]
    found = [c["granted"] for c in consents if c["purpose"] == "PERFORMANCE_COOKIES"]
    return found[0] if found else None


@needs_browser
async def test_cookie_notice_keeps_performance_off_until_accepted_and_records_the_choice(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    user = await User.get(email="host@example.com")

    # Booking page, first visit: the notice shows and nothing for performance is loaded.
    visitor = browser()
    visitor.get(f"{server.url}/book/{type_id}")
    wait(visitor, lambda d: d.find_elements(By.CSS_SELECTOR, ".slot input"))
    assert visitor.find_element(By.ID, "cookie-notice").is_displayed()
    assert "/static/performance.js" not in loaded_scripts(visitor)
    assert visitor.execute_script("return localStorage.getItem('bnm.cookieChoice')") is None

    # Dashboard, first visit, signed in: notice shown, no consent, nothing recorded.
    page = browser()
    page.get(f"{server.url}/dashboard")
    notice = page.find_element(By.ID, "cookie-notice")
    wait(page, lambda d: notice.is_displayed())
    assert "Nothing for performance is loaded until you accept" in notice.text
    screenshot(page, "dashboard-cookie-notice")
    assert unlabelled_controls(page) == []
    sign_in(page, server, "host@example.com")
    await asyncio.sleep(0.5)  # anything the page would send on its own has been sent
    assert "/static/performance.js" not in loaded_scripts(page)
    assert await performance_consent(server, token) is None
    assert await Activity.filter(user_id=user.id).count() == 0

    # Accepting records the consent for the account, then measures the page view.
    page.find_element(By.ID, "cookie-accept").click()
    wait(page, lambda d: not d.find_element(By.ID, "cookie-notice").is_displayed())
    assert await eventually(lambda: Activity.filter(user_id=user.id).exists())
    assert await performance_consent(server, token) is True
    activity = await Activity.filter(user_id=user.id).values_list("path", flat=True)
    assert activity == ["/dashboard"]
    assert "/static/performance.js" in loaded_scripts(page)

    # The choice is kept: after a reload no notice, still signed in.
    page.refresh()
    wait(page, lambda d: text_of(d, "live-status") == "Live")
    assert not page.find_element(By.ID, "cookie-notice").is_displayed()

    # It can be changed later; withdrawing is recorded and the measurements are deleted.
    page.find_element(By.ID, "cookie-settings").click()
    wait(page, lambda d: d.find_element(By.ID, "cookie-notice").is_displayed())
    assert "performance cookies accepted" in text_of(page, "cookie-current")
    page.find_element(By.ID, "cookie-reject").click()
    assert await eventually(lambda: refused(server, token))
    assert await performance_consent(server, token) is False
    assert await Activity.filter(user_id=user.id).count() == 0
    history = (await server.post("{ consentHistory { purpose granted } }", token=token)).ok()
    assert [c["granted"] for c in history["consentHistory"]] == [True, False]


async def test_graphiql_opens_with_the_example_query(server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        page = await client.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "query Explore(" in page.text and "Welcome to GraphiQL" not in page.text


async def test_pages_are_served_with_a_strict_policy(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        for path in ("/dashboard", "/static/dashboard.js", "/static/style.css"):
            assert (await client.get(path)).status_code == 200, path
        dashboard = await client.get("/dashboard")
        assert "script-src 'self'" in dashboard.headers["content-security-policy"]
        assert (await client.get("/book/999999")).status_code == 404
        assert (await client.get("/book/nope")).status_code == 404
