"""services/data_exports.py: the ZIP holds a readable my-data.html beside my-data.json, with the
per-category facts, the processing status and every section, and every value escaped — a hostile
name cannot run script or add markup in it."""

import io
import json
import zipfile
from html.parser import HTMLParser

from models.user import User
from services import data_exports

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_the_zip_has_a_readable_page_that_escapes_a_hostile_name(gql, sign_up):
    token, _ = await sign_up(email="ada@example.com", name=HOSTILE)
    submit = "mutation($d: String) { submitPrivacyRequest(kind: ACCESS, details: $d) { id } }"
    (await gql(submit, {"d": HOSTILE}, token=token)).ok()
    user = await User.get(email="ada@example.com")
    await User.filter(id=user.id).update(restricted=True)

    archive = zipfile.ZipFile(
        io.BytesIO(await data_exports.download(await data_exports.create(user)))
    )
    assert sorted(archive.namelist()) == ["bookings.ics", "my-data.html", "my-data.json"]
    page = archive.read("my-data.html").decode()
    data = json.loads(archive.read("my-data.json"))

    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    parsed = Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "onerror" not in parsed.attributes
    shown = "".join(parsed.text)
    assert HOSTILE in shown  # the name is there, as text
    # The facts of every category held, and the processing status, are on the page.
    for category in data["categoriesHeld"]:
        for fact in (category["name"], category["legalBasis"], category["source"]):
            assert fact in shown, fact
        assert all(r in shown for r in category["recipients"])
    assert "restricted" in shown and "Marketing messages, whatever your consent" in shown
    for section in data["data"]:
        assert f'id="{section}"' in page
    assert "ACCESS" in shown and "RECEIVED" in shown  # the request's kind and status
