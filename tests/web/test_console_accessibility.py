"""The host console passes axe-core (4.10.3, vendored from npm for the tests) with no serious or
critical violation, signed out and signed in, in every section; it can be used with the keyboard
alone; on a 390x844 phone the cookie notice takes at most a quarter of the screen."""

from collections.abc import Callable

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import PASSWORD, LiveServer
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot
from tests.test_browser import browser, needs_browser, text_of, wait  # noqa: F401 (fixture)
from tests.web.console import (
    PHONE,
    axe_violations,
    decline_cookies,
    open_section,
    set_viewport,
    shoot,
    sign_up,
)

pytestmark = needs_browser

SECTIONS = [
    ("bookings", "board-title"),
    ("event-types", "event-types-title"),
    ("hours", "hours-title"),
    ("calendars", "calendars-title"),
    ("webhooks", "webhooks-title"),
    ("account-settings", "account-title"),
]


def assert_no_serious_violations(driver: WebDriver, where: str) -> None:
    found = axe_violations(driver)
    assert found == [], f"{where}: {found}"


def focused_id(driver: WebDriver) -> str:
    return driver.execute_script("return document.activeElement.id")


def tab_until(driver: WebDriver, element_id: str, most: int = 40) -> None:
    """Presses Tab until `element_id` has the focus (failing after `most` presses)."""
    for _ in range(most):
        if focused_id(driver) == element_id:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    raise AssertionError(f"Tab never reached #{element_id} (at #{focused_id(driver)})")


async def test_signed_out_panels_have_no_serious_axe_violations(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    page = browser()
    page.get(f"{server.url}/dashboard")
    wait(page, lambda d: d.find_element(By.ID, "cookie-notice").is_displayed())
    assert_no_serious_violations(page, "log in, with the cookie notice")
    shoot(page, "dashboard-signed-out")
    decline_cookies(page)
    for panel in ("sign-up", "forgot"):
        page.find_element(By.ID, f"show-{panel}").click()
        wait(page, lambda d, p=panel: d.find_element(By.ID, f"{p}-panel").is_displayed())
        assert_no_serious_violations(page, panel)
        shoot(page, f"dashboard-{panel}")
    page.get(f"{server.url}/reset-password?token=whatever")
    wait(page, lambda d: d.find_element(By.ID, "reset-panel").is_displayed())
    assert_no_serious_violations(page, "reset password")


async def test_every_signed_in_section_has_no_serious_axe_violations(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    page = browser()
    page.set_window_size(1400, 900)
    sign_up(page, server, "Axel", "axel@example.com")
    for name, heading in SECTIONS:
        open_section(page, name, heading)
        assert_no_serious_violations(page, name)
        if name == "event-types":
            page.find_element(By.ID, "new-event-type").click()
            page.find_element(By.ID, "et-add-question").click()
            assert_no_serious_violations(page, "event type form with a question")
            shoot(page, "dashboard-event-type-form")
        if name == "hours":
            page.find_element(By.ID, "add-monday").click()
            assert_no_serious_violations(page, "hours with an interval")
            shoot(page, "dashboard-hours")
        if name == "calendars":
            page.find_element(By.ID, "calendar-consent-grant").click()
            wait(page, lambda d: d.find_element(By.ID, "calendar-forms").is_displayed())
            assert_no_serious_violations(page, "calendar forms")
            shoot(page, "dashboard-calendars")
        if name == "account-settings":
            shoot(page, "dashboard-account")


async def test_bookings_with_a_dialog_have_no_serious_axe_violations(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    from tests.test_browser import booking_row, sign_in

    _, type_id = await host_with_type(server, "host@example.com")
    page = browser()
    page.set_window_size(1400, 900)
    page.get(f"{server.url}/dashboard")
    decline_cookies(page)
    sign_in(page, server, "host@example.com")
    (await server.post(BOOK, booking_input(type_id, slot(days=2, hour=10), "Pia"))).ok()
    wait(page, lambda d: booking_row(d, "Pia") is not None)
    assert_no_serious_violations(page, "bookings with a booking")
    page.find_element(By.CSS_SELECTOR, "li.booking button[aria-label^='Cancel']").click()
    wait(page, lambda d: d.find_element(By.ID, "booking-dialog").is_displayed())
    assert_no_serious_violations(page, "cancel dialog")
    # Escape closes the dialog, as a native <dialog> does.
    page.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(page, lambda d: not d.find_element(By.ID, "booking-dialog").is_displayed())


async def test_the_console_works_with_the_keyboard_alone(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    await host_with_type(server, "host@example.com")
    page = browser()
    page.get(f"{server.url}/dashboard")
    decline_cookies(page)
    page.refresh()  # the choice is kept: no notice now
    # Skip link first, then the sign-in form; Enter submits.
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert page.switch_to.active_element.text == "Skip to content"
    tab_until(page, "email")
    page.switch_to.active_element.send_keys("host@example.com", Keys.TAB)
    assert focused_id(page) == "password"
    page.switch_to.active_element.send_keys(PASSWORD, Keys.ENTER)
    wait(page, lambda d: text_of(d, "live-status") == "Live")
    assert focused_id(page) == "board-title"

    # A section by its link in the navigation: focus lands on its heading.
    for _ in range(30):
        active = page.switch_to.active_element
        if active.get_attribute("data-section") == "hours":
            break
        active.send_keys(Keys.TAB)
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait(page, lambda d: focused_id(d) == "hours-title")
    # Add Monday's hours and save, keys only.
    tab_until(page, "add-monday")
    page.switch_to.active_element.send_keys(Keys.ENTER)
    assert page.switch_to.active_element.get_attribute("type") == "time"
    tab_until(page, "hours-save", most=80)
    page.switch_to.active_element.send_keys(Keys.ENTER)
    wait(page, lambda d: "Weekly hours saved" in text_of(d, "announcer"))


async def test_the_cookie_notice_takes_at_most_a_quarter_of_a_phone_screen(
    server: LiveServer,
    browser: Callable[..., WebDriver],  # noqa: F811
) -> None:
    page = browser()
    set_viewport(page, *PHONE)
    page.get(f"{server.url}/dashboard")
    wait(page, lambda d: d.find_element(By.ID, "cookie-notice").is_displayed())
    height = page.execute_script(
        "return document.getElementById('cookie-notice').getBoundingClientRect().height"
    )
    assert height <= PHONE[1] / 4, f"the notice is {height}px of {PHONE[1]}px"
    wide = page.execute_script("return document.documentElement.scrollWidth > innerWidth + 1")
    assert not wide
    # Its buttons are still big enough to tap.
    for button in page.find_elements(By.CSS_SELECTOR, "#cookie-notice button"):
        assert button.size["height"] >= 24
