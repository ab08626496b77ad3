"""myData answers Art. 15 in full: beside the data, for each category it holds, the purposes,
legal basis, recipients, retention and source (declared once per category, domain/privacy.py),
and each privacy request's kind and status; categories it does not hold are not described."""

from domain.privacy import BY_CATEGORY, Category
from tests.graphql_ops import BOOK, CREATE_TYPE, WEEKLY

FACTS = ("purposes", "legalBasis", "recipients", "retention", "source")


async def test_one_booking_one_request_one_consent(gql, sign_up):
    host, _ = await sign_up(email="host@example.com", name="Hanna Host")
    rules = [{"weekday": "MONDAY", "start": "09:00", "end": "17:00"}]
    (await gql(WEEKLY, {"tz": "UTC", "rules": rules}, token=host)).ok()
    event = {"title": "Intro call", "slug": "intro", "durationMinutes": 30}
    type_id = (await gql(CREATE_TYPE, {"i": event}, token=host)).ok()["createEventType"]["id"]

    token, _ = await sign_up(email="ada@example.com", name="Ada")
    booking = {"eventTypeId": type_id, "start": "2030-01-07T10:00:00+00:00", "name": "Ada",
               "email": "ada@example.com"}  # fmt: skip
    (await gql(BOOK, {"i": booking}, token=token)).ok()
    submit = 'mutation { submitPrivacyRequest(kind: PORTABILITY, details: "A copy") { id } }'
    request_id = (await gql(submit, token=token)).ok()["submitPrivacyRequest"]["id"]
    consent = "mutation { setConsent(purpose: MARKETING, granted: true) { granted } }"
    (await gql(consent, token=token)).ok()

    data = (await gql("{ myData }", token=token)).ok()["myData"]
    held = {c["category"]: c for c in data["categoriesHeld"]}
    for key in ("account", "booking", "clients", "inquiry", "website"):
        assert key in held, key
    for key, described in held.items():
        declared = BY_CATEGORY[Category(key)]
        assert described["name"] == declared.name
        assert described["purposes"] == declared.purpose
        assert described["legalBasis"] == declared.legal_basis
        assert described["source"] == declared.source
        assert described["recipients"] == list(declared.recipients) and described["recipients"]
        assert described["retentionDays"] == declared.retention_days
        assert all(described[f] for f in FACTS), key
        # Each names where its data is, and that data is there.
        assert described["sections"] == data["categories"][key]
        assert all(data["data"].get(section) for section in described["sections"]), key
    # A category with nothing in it is not described as held.
    assert "disclosure" not in held and "company" not in held
    assert "days" in held["booking"]["retention"]
    assert "account exists" in held["account"]["retention"]

    [request] = data["data"]["privacyRequests"]
    assert (request["id"], request["kind"], request["status"]) == (
        int(request_id), "PORTABILITY", "RECEIVED"
    )  # fmt: skip
    assert request["details"] == "A copy"
    [made] = data["data"]["bookingsMade"]
    assert made["attendee_name"] == "Ada"
    assert [(c["purpose"], c["granted"]) for c in data["data"]["consents"]] == [("MARKETING", True)]
    # E-mails sent to them are there too (the booking's confirmation, the address check).
    assert {m["kind"] for m in data["data"]["mail"]} >= {"VERIFY_EMAIL", "BOOKING_CREATED"}
