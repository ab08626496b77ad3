"""/book, /manage and /privacy on a desktop and on a phone: axe-core (4.10.3, vendored) finds no
serious or critical violation, the cookie notice takes at most a quarter of a 390x844 screen,
picking a slot brings the form into view, and the pages work with the keyboard alone.
Screenshots of each go to docs/screenshots/."""

from collections.abc import Callable

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests import test_browser
from tests.conftest import PASSWORD, LiveServer
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot
from tests.test_browser import needs_browser, text_of, wait
from tests.web.page_checks import (
    DESKTOP,
    NOTICE_MAX,
    PHONE,
    assert_accessible,
    no_sideways_scroll,
    notice_height,
    screenshot,
    top_in_view,
    viewport,
)

pytestmark = needs_browser
browser = test_browser.browser  # the fixture: headless Chromium windows


def slots_shown(driver: WebDriver) -> bool:
    return bool(driver.find_elements(By.CSS_SELECTOR, ".slot input"))


async def test_the_booking_page_on_a_phone_and_a_desktop(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    page = browser(time_zone="Europe/London")
    viewport(page, PHONE)
    page.get(f"{server.url}/book/{type_id}")
    wait(page, slots_shown)
    assert notice_height(page) <= NOTICE_MAX
    assert no_sideways_scroll(page)
    assert_accessible(page, "/book with the cookie notice")
    screenshot(page, "book-cookie-notice")
    page.find_element(By.ID, "cookie-reject").click()
    wait(page, lambda d: not d.find_element(By.ID, "cookie-notice").is_displayed())
    assert_accessible(page, "/book")
    screenshot(page, "book")

    # A slot far down the list: after the tap the form's top is on screen.
    labels = page.find_elements(By.CSS_SELECTOR, ".slot label")
    assert len(labels) > 40  # a week of half-hours: the form sits far below the first slot
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", labels[3])
    labels[3].click()
    wait(page, lambda d: d.find_element(By.ID, "details").is_displayed())
    wait(page, lambda d: top_in_view(d, "details"))
    assert_accessible(page, "/book with a slot picked")
    screenshot(page, "book-slot-picked")

    viewport(page, DESKTOP)
    page.execute_script("window.scrollTo(0, 0)")
    assert_accessible(page, "/book on a desktop")
    screenshot(page, "book")


async def test_the_booking_page_works_with_the_keyboard_alone(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    page = browser()
    page.get(f"{server.url}/book/{type_id}")
    wait(page, slots_shown)
    body = page.find_element(By.TAG_NAME, "body")
    # Tab from the top: the notice's link and buttons, the skip link, the zone, then the times.
    body.send_keys(Keys.TAB)
    focused: list[str] = []
    for _ in range(15):
        active = page.switch_to.active_element
        focused.append(active.get_attribute("id") or active.get_attribute("class") or "")
        if focused[-1].startswith("slot-"):
            break
        active.send_keys(Keys.TAB)
    assert {"cookie-accept", "cookie-reject", "skip-link", "time-zone"} <= set(focused)
    assert focused[-1].startswith("slot-"), focused
    # Arrow keys move through the times without jumping away; Enter picks one and goes to the form.
    page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait(page, lambda d: d.switch_to.active_element.get_attribute("id") == "name")
    page.switch_to.active_element.send_keys("Kim Keys", Keys.TAB, "kim@example.com")
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait(page, lambda d: d.find_element(By.ID, "done").is_displayed())
    assert page.switch_to.active_element.get_attribute("id") == "done-title"


async def test_the_manage_page_on_a_phone_and_a_desktop(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    booked = (await server.post(BOOK, booking_input(type_id, slot(days=4)))).ok()["bookMeeting"]
    page = browser(time_zone="Europe/London")
    viewport(page, PHONE)
    page.get(f"{server.url}/manage/{booked['manageToken']}")
    wait(page, lambda d: text_of(d, "live-status").startswith("Live"))
    assert notice_height(page) <= NOTICE_MAX
    assert no_sideways_scroll(page)
    assert_accessible(page, "/manage with the cookie notice")
    screenshot(page, "manage-cookie-notice")
    page.find_element(By.ID, "cookie-reject").click()
    screenshot(page, "manage")

    page.find_element(By.ID, "show-reschedule").click()
    wait(page, slots_shown)
    label = page.find_elements(By.CSS_SELECTOR, ".slot label")[5]
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
    label.click()
    wait(page, lambda d: d.find_element(By.ID, "move").is_displayed())
    wait(page, lambda d: top_in_view(d, "move"))
    assert_accessible(page, "/manage while moving")
    screenshot(page, "manage-slot-picked")

    page.find_element(By.ID, "show-cancel").click()
    wait(page, lambda d: d.find_element(By.ID, "cancel").is_displayed())
    assert page.switch_to.active_element.get_attribute("id") == "cancel-reason"
    assert_accessible(page, "/manage while cancelling")

    viewport(page, DESKTOP)
    page.execute_script("window.scrollTo(0, 0)")
    assert_accessible(page, "/manage on a desktop")
    screenshot(page, "manage")

    # A bad token: a friendly page, status 404, same look.
    page.get(f"{server.url}/manage/not-a-real-token")
    assert "cannot find this booking" in text_of(page, "not-found-title")
    assert_accessible(page, "/manage with a bad token")
    screenshot(page, "manage-not-found")


async def test_the_privacy_centre_on_a_phone_and_a_desktop(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    await host_with_type(server, "host@example.com")
    page = browser()
    viewport(page, PHONE)
    page.get(f"{server.url}/privacy")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#categories tr"))
    assert notice_height(page) <= NOTICE_MAX
    assert no_sideways_scroll(page)
    assert_accessible(page, "/privacy signed out, with the cookie notice")
    screenshot(page, "privacy-cookie-notice")
    page.find_element(By.ID, "cookie-reject").click()
    screenshot(page, "privacy-signed-out")

    page.find_element(By.ID, "email").send_keys("host@example.com")
    page.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait(page, lambda d: d.find_element(By.ID, "signed-in").is_displayed())
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#data-summary li"))
    assert no_sideways_scroll(page)
    assert_accessible(page, "/privacy signed in")
    screenshot(page, "privacy")

    viewport(page, DESKTOP)
    page.execute_script("window.scrollTo(0, 0)")
    assert_accessible(page, "/privacy signed in on a desktop")
    screenshot(page, "privacy")
    page.find_element(By.ID, "sign-out").click()
    wait(page, lambda d: d.find_element(By.ID, "signed-out").is_displayed())
    screenshot(page, "privacy-signed-out")


def tab_to(driver: WebDriver, element_id: str, limit: int = 25) -> None:
    """Presses Tab until `element_id` has the focus."""
    for _ in range(limit):
        if driver.switch_to.active_element.get_attribute("id") == element_id:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached #{element_id}")


async def test_the_manage_page_works_with_the_keyboard_alone(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    booked = (await server.post(BOOK, booking_input(type_id, slot(days=4)))).ok()["bookMeeting"]
    page = browser()
    page.get(f"{server.url}/manage/{booked['manageToken']}")
    wait(page, lambda d: text_of(d, "live-status").startswith("Live"))
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    tab_to(page, "cookie-reject")
    page.switch_to.active_element.send_keys(Keys.ENTER)
    assert page.switch_to.active_element.get_attribute("id") == "cookie-settings"

    # Move: open the picker, reach a time, Enter picks it and goes to the form.
    page.find_element(By.ID, "show-reschedule").send_keys(Keys.ENTER)
    wait(page, slots_shown)
    assert page.switch_to.active_element.get_attribute("id") == "slots-title"
    tab_to(page, page.find_elements(By.CSS_SELECTOR, ".slot input")[0].get_attribute("id"))
    page.switch_to.active_element.send_keys(Keys.ARROW_RIGHT, Keys.ENTER)
    wait(page, lambda d: d.switch_to.active_element.get_attribute("id") == "move-reason")
    page.switch_to.active_element.send_keys(Keys.TAB, Keys.ENTER)
    wait(page, lambda d: not d.find_element(By.ID, "picker").is_displayed())
    assert page.switch_to.active_element.get_attribute("id") == "booking-title"

    # Cancel: the button opens the form with the focus in the reason.
    tab_to(page, "show-cancel")
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait(page, lambda d: d.switch_to.active_element.get_attribute("id") == "cancel-reason")
    page.switch_to.active_element.send_keys("Keyboard says no", Keys.TAB, Keys.ENTER)
    wait(page, lambda d: text_of(d, "booking-status") == "Cancelled")
    assert page.switch_to.active_element.get_attribute("id") == "booking-title"
