"""The booking page asks the event type's questions: each kind as a labelled field, a missing
required answer named in words with the focus on it, and the answers stored with the booking."""

from collections.abc import Callable

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import test_browser
from tests.conftest import LiveServer
from tests.graphql_ops import CREATE_TYPE
from tests.subscriptions.test_live import host_with_type
from tests.test_browser import needs_browser, text_of, unlabelled_controls, wait
from tests.web.page_checks import assert_accessible

pytestmark = needs_browser
browser = test_browser.browser  # the fixture: headless Chromium windows

QUESTIONS = [
    {"key": "topic", "label": "Topic", "kind": "SHORT_TEXT", "required": True},
    {"key": "format", "label": "Format", "kind": "SINGLE_CHOICE", "options": ["Video", "Phone"]},
    {"key": "bring", "label": "Bringing", "kind": "MULTIPLE_CHOICE", "options": ["CV", "Code"]},
    {"key": "terms", "label": "I accept the terms", "kind": "CHECKBOX", "required": True},
    {"key": "phone", "label": "Phone", "kind": "PHONE"},
]
ANSWERS = """{ bookings(first: 5) { edges { node { attendeeName
  answers { key value } } } } }"""


async def test_the_booking_page_asks_the_questions_and_books_with_the_answers(
    server: LiveServer, browser: Callable[..., WebDriver]
) -> None:
    host, _ = await host_with_type(server, "host@example.com")
    asked = {"title": "Asked", "slug": "asked", "durationMinutes": 30, "questions": QUESTIONS}
    type_id = (await server.post(CREATE_TYPE, {"i": asked}, token=host)).ok()["createEventType"]
    page = browser()
    page.get(f"{server.url}/book/{type_id['id']}")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".slot input"))
    page.find_element(By.ID, "cookie-reject").click()
    page.find_elements(By.CSS_SELECTOR, ".slot label")[0].click()
    wait(page, lambda d: d.find_element(By.ID, "details").is_displayed())
    assert unlabelled_controls(page) == []
    assert_accessible(page, "/book with questions")
    test_browser.screenshot(page, "book-questions")

    page.find_element(By.ID, "name").send_keys("Quinn")
    page.find_element(By.ID, "email").send_keys("quinn@example.com")
    page.find_element(By.ID, "book-button").click()
    wait(page, lambda d: "Topic: please answer this question" in text_of(d, "book-error"))
    assert page.switch_to.active_element.get_attribute("id") == "answer-topic"

    page.switch_to.active_element.send_keys("Career change")
    page.find_element(By.CSS_SELECTOR, "input[name='answer-format'][value='Phone']").click()
    page.find_element(By.CSS_SELECTOR, "input[name='answer-bring'][value='CV']").click()
    page.find_element(By.CSS_SELECTOR, "input[name='answer-bring'][value='Code']").click()
    page.find_element(By.ID, "answer-terms").click()
    page.find_element(By.ID, "answer-phone").send_keys("+44 20 7946 0000")
    page.find_element(By.ID, "book-button").click()
    wait(page, lambda d: d.find_element(By.ID, "done").is_displayed())

    edges = (await server.post(ANSWERS, token=host)).ok()["bookings"]["edges"]
    answers = {(a["key"], a["value"]) for a in edges[0]["node"]["answers"]}
    assert answers == {
        ("topic", "Career change"),
        ("format", "Phone"),
        ("bring", "CV"),
        ("bring", "Code"),
        ("terms", "true"),
        ("phone", "+442079460000"),
    }
