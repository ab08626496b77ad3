"""GraphiQL at /graphql works with no internet: its code is served by the app (vendored from npm
into web/static/vendor/ at the versions strawberry's template pins), and it runs under the same
strict Content-Security-Policy as every other response of the app. The browser here can reach only
the app's own origin: every other host resolves to nothing and any other address goes to a proxy
that does not exist."""

import hashlib
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import LiveServer
from tests.test_browser import CHROMEDRIVER, CHROMIUM, needs_browser, screenshot, wait
from tests.web.console import shoot
from web.middleware import PAGE_CSP

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
# Records what the policy blocks, installed before any of the page's own code runs.
WATCH_CSP = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"""


@pytest.fixture
def own_origin_browser(server: LiveServer) -> Iterator[WebDriver]:
    """Headless Chromium that can reach the app's host only."""
    host = urlparse(server.url).hostname
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,900",
        f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {host}",
        "--proxy-server=http://127.0.0.1:9",  # discard port: nothing listens
        f"--proxy-bypass-list={host}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CSP})
    yield driver
    driver.quit()


def sri(path: Path) -> str:
    return "sha384-" + b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


@needs_browser
async def test_graphiql_renders_and_runs_a_query_with_only_the_apps_origin_reachable(
    server: LiveServer, own_origin_browser: WebDriver
) -> None:
    page = own_origin_browser
    # The CDN strawberry's template would use is out of reach.
    with pytest.raises(WebDriverException, match=r"ERR_PROXY_CONNECTION_FAILED|ERR_NAME_NOT"):
        page.get("https://unpkg.com/react@18.2.0/umd/react.production.min.js")

    page.get(f"{server.url}/graphql")
    wait(
        page,
        lambda d: "query Explore" in d.find_element(By.CSS_SELECTOR, ".graphiql-query-editor").text,
        20,
    )
    page.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    wait(
        page,
        lambda d: "privacyInfo" in d.find_element(By.CSS_SELECTOR, ".graphiql-response").text,
        20,
    )
    result = page.find_element(By.CSS_SELECTOR, ".graphiql-response").text
    assert '"controller"' in result and '"errors"' not in result
    # The schema arrived by introspection: the documentation explorer lists the root types.
    page.find_element(By.CSS_SELECTOR, "[aria-label='Show Documentation Explorer']").click()
    wait(page, lambda d: "Query" in d.find_element(By.CSS_SELECTOR, ".graphiql-doc-explorer").text)
    screenshot(page, "graphiql-offline")
    shoot(page, "graphiql")

    origin = server.url
    loaded = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(origin) for url in loaded), loaded
    assert any("/static/vendor/graphiql-3.8.3/graphiql.min.js" in url for url in loaded)
    assert page.execute_script("return window.__cspViolations") == []


async def test_graphiql_page_loads_only_vendored_files_with_their_integrity(
    server: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == PAGE_CSP
        assert "unpkg" not in page.text and "<script>" not in page.text
        assert "'unsafe-eval'" not in PAGE_CSP and "'unsafe-inline'" not in PAGE_CSP
        for name in (
            "react-18.2.0/react.production.min.js",
            "react-dom-18.2.0/react-dom.production.min.js",
            "graphiql-3.8.3/graphiql.min.js",
            "graphiql-3.8.3/graphiql.min.css",
            "graphiql-plugin-explorer-1.0.2/index.umd.js",
            "graphiql-plugin-explorer-1.0.2/style.css",
        ):
            file = STATIC / "vendor" / name
            assert f'integrity="{sri(file)}"' in page.text, name
            assert (file.parent / "LICENSE").exists(), name
            served = await client.get(f"/static/vendor/{name}")
            assert served.status_code == 200 and served.content == file.read_bytes(), name


async def test_every_response_of_the_app_carries_the_strict_policy(server: LiveServer) -> None:
    paths = [
        ("GET", "/dashboard"),
        ("GET", "/reset-password?token=x"),
        ("GET", "/graphql"),
        ("GET", "/static/dashboard.js"),
        ("GET", "/static/vendor/graphiql-3.8.3/graphiql.min.js"),
        ("GET", "/static/nope.js"),
        ("GET", "/book/999999"),
        ("GET", "/healthz"),
        ("GET", "/nowhere"),
        ("GET", "/ical/nope.ics"),
        ("GET", "/export/nope"),
        ("GET", "/oauth/callback/google"),
        ("POST", "/graphql"),
    ]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        for method, path in paths:
            if method == "POST":
                response = await client.post(path, json={"query": "{ __typename }"})
            else:
                response = await client.get(path, headers={"Accept": "text/html"})
            assert response.headers.get("content-security-policy") == PAGE_CSP, path
