"""The privacy centre, /privacy, in a real browser against the live server: a person signs in,
sees and downloads everything held about them, chooses consents, objects, files a request
(with its due date), shortens a retention period and deletes their account; an invitee without
an account asks for their data with the code mailed to them."""

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from models.privacy import MailMessage
from tests import test_browser
from tests.conftest import PASSWORD, LiveServer, mailed_code
from tests.subscriptions.test_live import BOOK, booking_input, host_with_type, slot
from tests.test_browser import needs_browser, text_of, wait
from tests.web.page_checks import assert_accessible

pytestmark = needs_browser
browser = test_browser.browser  # the fixture: headless Chromium windows

LOG_IN = """mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"""
STATE = """{ consents { purpose granted } privacyRequests { kind status dueAt }
  retention { category days } }"""


def open_centre(driver: WebDriver, server: LiveServer) -> None:
    driver.get(f"{server.url}/privacy")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#categories tr"))
    driver.find_element(By.ID, "cookie-reject").click()


def status_says(driver: WebDriver, words: str) -> bool:
    return words in text_of(driver, "status")


def downloaded(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*.zip") if not p.name.endswith(".crdownload")]


async def test_a_person_sees_downloads_chooses_and_deletes_their_account(
    server: LiveServer, browser: Callable[..., WebDriver], tmp_path: Path
) -> None:
    token, type_id = await host_with_type(server, "host@example.com")
    (await server.post(BOOK, booking_input(type_id, slot()))).ok()
    page = browser()
    page.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    open_centre(page, server)
    page.find_element(By.ID, "email").send_keys("host@example.com")
    page.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#data-summary li"))
    assert text_of(page, "me-name") == "host"
    summary = text_of(page, "data-summary")
    assert "Account: 1 record" in summary and "Bookings hosted: 1 record" in summary
    page.find_element(By.CSS_SELECTOR, "details summary").click()
    shown = json.loads(page.find_element(By.ID, "data-json").text)
    assert shown["subject"]["email"] == "host@example.com"

    # Download: a ZIP of my-data.json and the bookings as .ics.
    page.find_element(By.ID, "download").click()
    wait(page, lambda d: downloaded(tmp_path), 15)
    with zipfile.ZipFile(downloaded(tmp_path)[0]) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("my-data.json"))
    assert {"my-data.json", "bookings.ics"} <= names
    assert data["subject"]["email"] == "host@example.com"

    # Consents, objection, a request with its due date, a shorter retention.
    page.find_element(By.ID, "consent-marketing").click()
    wait(page, lambda d: status_says(d, "Marketing: allowed"))
    page.find_element(By.ID, "object-marketing").click()
    wait(page, lambda d: status_says(d, "we send you no marketing"))
    wait(page, lambda d: not d.find_element(By.ID, "consent-marketing").is_selected())
    page.find_element(By.ID, "request-restriction").click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#requests li"))
    request_row = text_of(page, "requests")
    assert "Restriction of processing" in request_row and "Answer due by" in request_row
    technical = page.find_element(By.ID, "retention-technical")
    technical.clear()
    technical.send_keys("7")
    page.find_element(By.ID, "retention-button").click()
    wait(page, lambda d: status_says(d, "Retention choices saved"))
    state = (await server.post(STATE, token=token)).ok()
    assert {"purpose": "MARKETING", "granted": False} in state["consents"]
    assert [r["kind"] for r in state["privacyRequests"]] == ["RESTRICTION"]
    assert {"category": "TECHNICAL", "days": 7} in state["retention"]
    assert_accessible(page, "/privacy after choices")
    test_browser.screenshot(page, "privacy-centre-used")

    # Deleting: the consequences are stated; a wrong password deletes nothing.
    consequences = page.find_element(By.CSS_SELECTOR, ".danger-zone").text
    assert "cannot be undone" in consequences and "cancelled" in consequences
    page.find_element(By.ID, "delete-understood").click()
    page.find_element(By.ID, "delete-password").send_keys("not my password")
    page.find_element(By.ID, "delete-button").click()
    wait(page, lambda d: "not right" in text_of(d, "delete-error"))
    page.find_element(By.ID, "delete-password").send_keys(Keys.CONTROL, "a")
    page.find_element(By.ID, "delete-password").send_keys(PASSWORD)
    page.find_element(By.ID, "delete-button").click()
    wait(page, lambda d: status_says(d, "Your account is deleted"))
    assert page.find_element(By.ID, "signed-out").is_displayed()
    assert page.execute_script("return sessionStorage.getItem('bnm.token')") is None
    again = await server.post(LOG_IN, {"e": "host@example.com", "p": PASSWORD})
    assert again.codes == ["UNAUTHENTICATED"]


async def test_an_invitee_without_an_account_confirms_a_request_with_the_mailed_code(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    _, type_id = await host_with_type(server, "host@example.com")
    (await server.post(BOOK, booking_input(type_id, slot()))).ok()  # ivy@example.com
    page = browser()
    open_centre(page, server)
    page.find_element(By.ID, "invitee-email").send_keys("ivy@example.com")
    page.find_element(By.CSS_SELECTOR, "input[name='invitee-kind'][value='ERASURE']").click()
    page.find_element(By.ID, "invitee-button").click()
    wait(page, lambda d: status_says(d, "a code is on its way"))
    assert page.switch_to.active_element.get_attribute("id") == "confirm-code"

    page.find_element(By.ID, "confirm-code").send_keys("bnm_p_wrong", Keys.ENTER)
    wait(page, lambda d: "not valid" in text_of(d, "confirm-error"))
    page.find_element(By.ID, "confirm-code").clear()
    page.find_element(By.ID, "confirm-code").send_keys(await mailed_code("ivy@example.com"))
    page.find_element(By.ID, "confirm-button").click()
    wait(page, lambda d: d.find_element(By.ID, "confirmed").is_displayed())
    confirmed = text_of(page, "confirmed-text")
    assert "erasure request is confirmed" in confirmed and "We answer by" in confirmed
    assert_accessible(page, "/privacy after an invitee's request")


async def test_the_mailed_link_fills_in_the_code(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    asked = 'mutation { submitInviteePrivacyRequest(email: "ivy@example.com", kind: ACCESS) }'
    (await server.post(asked)).ok()
    code = await mailed_code("ivy@example.com")
    mail = await MailMessage.filter(to="ivy@example.com").order_by("-id").first()
    assert mail is not None
    link = re.search(r"(http\S+/privacy#code=\S+)", mail.body)
    assert link, mail.body
    page = browser()
    page.get(link.group(1))
    wait(page, lambda d: d.find_element(By.ID, "confirm-code").get_attribute("value") == code)
    assert "#" not in page.current_url  # the code leaves the address bar and history
    page.find_element(By.ID, "confirm-button").click()
    wait(page, lambda d: "access request is confirmed" in text_of(d, "confirmed-text"))
