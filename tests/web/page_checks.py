"""What the page tests share: axe-core run in the page, exact viewports for a desktop and a phone,
screenshots for docs/screenshots/, and the phone checks of issue #21 (the cookie notice's share of
the screen, the form in view after a slot is picked)."""

import os
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.test_browser import wait

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3" / "axe.min.js"
# tests/artifacts/screenshots/ (ignored by git); SCREENSHOTS_DIR=docs/screenshots refreshes the
# committed ones.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "tests/artifacts/screenshots")
DESKTOP = (1400, 900)
PHONE = (390, 844)
NOTICE_MAX = PHONE[1] // 4  # 211 px: a quarter of the phone's screen


def viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    """The page's viewport becomes exactly `size` (a phone: touch, mobile layout)."""
    width, height = size
    mobile = size == PHONE
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": mobile})
    # Before a page with a viewport tag is loaded a mobile viewport is 980 px wide.
    if driver.execute_script("return !!document.querySelector('meta[name=viewport]')"):
        wait(driver, lambda d: d.execute_script("return window.innerWidth") == width)


def screenshot(driver: WebDriver, page: str) -> Path:
    """docs/screenshots/<page>-<width>x<height>.png of the current viewport."""
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{page}-{width}x{height}.png"
    driver.save_screenshot(str(path))
    return path


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           axe.run(document, {resultTypes: ['violations']})
             .then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical',
                                                         help: String(e), nodes: []}]));"""
    )
    return [v for v in result if v.get("impact") in ("serious", "critical")]


def assert_accessible(driver: WebDriver, page: str) -> None:
    found = axe_violations(driver)
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        for v in found
    ]
    assert not found, f"{page}: axe found\n" + "\n".join(described)


def notice_height(driver: WebDriver) -> float:
    notice = driver.find_element(By.ID, "cookie-notice")
    assert notice.is_displayed()
    height = driver.execute_script(
        "return document.getElementById('cookie-notice').getBoundingClientRect().height"
    )
    screen = driver.execute_script("return window.innerHeight")
    path = driver.execute_script("return location.pathname").split("/")[1]
    print(f"cookie notice on /{path}: {height:.0f} px of {screen} ({height / screen:.0%})")
    return height


def top_in_view(driver: WebDriver, element_id: str) -> bool:
    """The element's top edge is inside the viewport (after any scrolling has settled)."""
    return driver.execute_script(
        """const box = document.getElementById(arguments[0]).getBoundingClientRect();
           return box.top >= 0 && box.top < window.innerHeight - 40;""",
        element_id,
    )


def no_sideways_scroll(driver: WebDriver) -> bool:
    return not driver.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth + 1"
    )
