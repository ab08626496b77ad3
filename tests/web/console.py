"""What the host console's browser tests share: signing up through the page, screenshots at a
desktop's and a phone's size (docs/screenshots/), and axe-core (vendored from npm, pinned) run in
the page."""

import os
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import PASSWORD, LiveServer
from tests.test_browser import text_of, wait

ROOT = Path(__file__).resolve().parents[2]
# tests/artifacts/screenshots/ (ignored by git); SCREENSHOTS_DIR=docs/screenshots refreshes the
# committed ones.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "tests/artifacts/screenshots")
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3" / "axe.min.js"
DESKTOP, PHONE = (1400, 900), (390, 844)
# Installed before any of a page's own code: what the CSP blocks and what the page's scripts throw.
WATCH_PAGE = """window.__problems = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__problems.push(`CSP ${e.violatedDirective} ${e.blockedURI}`));
window.addEventListener('error', e => window.__problems.push(`error ${e.message}`));
window.addEventListener('unhandledrejection', e =>
  window.__problems.push(`unhandled ${e.reason && e.reason.message || e.reason}`));"""


def watch_problems(driver: WebDriver) -> None:
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_PAGE})


def problems(driver: WebDriver) -> list[str]:
    """CSP violations and uncaught errors on the current page since it loaded."""
    return driver.execute_script("return window.__problems || []")


def decline_cookies(driver: WebDriver) -> None:
    """Answers the cookie notice (essential storage only), as a first visit does."""
    wait(driver, lambda d: d.find_element(By.ID, "cookie-notice").is_displayed())
    driver.find_element(By.ID, "cookie-reject").click()
    wait(driver, lambda d: not d.find_element(By.ID, "cookie-notice").is_displayed())


def sign_up(driver: WebDriver, server: LiveServer, name: str, email: str) -> None:
    """A new host creates an account on /dashboard and lands, signed in, on their bookings."""
    driver.get(f"{server.url}/dashboard")
    decline_cookies(driver)
    driver.find_element(By.ID, "show-sign-up").click()
    wait(driver, lambda d: d.find_element(By.ID, "sign-up-name").is_displayed())
    driver.find_element(By.ID, "sign-up-name").send_keys(name)
    driver.find_element(By.ID, "sign-up-email").send_keys(email)
    driver.find_element(By.ID, "sign-up-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-up-button").click()
    wait(driver, lambda d: text_of(d, "live-status") == "Live")


def open_section(driver: WebDriver, name: str, heading: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f".console-nav a[data-section='{name}']").click()
    wait(driver, lambda d: d.find_element(By.ID, heading).is_displayed())


def shoot(driver: WebDriver, page: str) -> None:
    """docs/screenshots/<page>-1400x900.png and -390x844.png; the window is left at desktop size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in (DESKTOP, PHONE):
        set_viewport(driver, width, height)
        driver.save_screenshot(str(SCREENSHOTS / f"{page}-{width}x{height}.png"))
    set_viewport(driver, *DESKTOP)


def set_viewport(driver: WebDriver, width: int, height: int) -> None:
    """The page's viewport (not the window) at this size, as a phone or desktop shows it."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def axe_violations(driver: WebDriver) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           axe.run(document, {resultTypes: ['violations']})
             .then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical',
                                                      help: String(e), nodes: []}]));"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n.get("target") for n in v["nodes"]][:5],
        }
        for v in results
        if v["impact"] in ("serious", "critical")
    ]
