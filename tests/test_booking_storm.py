"""No double booking under a storm of concurrent requests, over real HTTP."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from models.booking import Booking
from tests.conftest import BACKEND, PASSWORD, SIGN_UP, start_server
from tests.graphql_ops import BOOK

WEEKLY = """mutation($rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: "UTC", rules: $rules) { timeZone } }"""
CREATE_TYPE = """mutation { createEventType(input: {title: "Storm", slug: "storm",
  durationMinutes: 30, bufferAfterMinutes: 10}) { id } }"""

EVERY_DAY = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


async def publish_event_type(server) -> str:
    variables = {"input": {"email": "storm@example.com", "password": PASSWORD, "name": "Storm"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    rules = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in EVERY_DAY]
    (await server.post(WEEKLY, {"rules": rules}, token=token)).ok()
    return (await server.post(CREATE_TYPE, token=token)).ok()["createEventType"]["id"]


async def storm(urls: list[str], type_id: str, start: str, n: int = 30) -> list[dict]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(i: int) -> dict:
            variables = {
                "i": {
                    "eventTypeId": type_id,
                    "start": start,
                    "name": f"Guest {i}",
                    "email": f"guest{i}@example.com",
                }
            }
            response = await client.post(
                urls[i % len(urls)], json={"query": BOOK, "variables": variables}
            )
            return response.json()

        return await asyncio.gather(*(one(i) for i in range(n)))


def outcome(results: list[dict]) -> tuple[int, list[str]]:
    wins = sum(1 for r in results if r.get("data") and r["data"].get("bookMeeting"))
    codes = [e["extensions"]["code"] for r in results for e in r.get("errors") or []]
    return wins, codes


def next_day_ten() -> str:
    day = datetime.now(UTC).date() + timedelta(days=3)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat()


async def test_thirty_concurrent_bookings_of_one_slot_make_exactly_one(server):
    type_id = await publish_event_type(server)
    wins, codes = outcome(await storm([server.graphql], type_id, next_day_ten()))
    assert wins == 1
    assert codes == ["CONFLICT"] * 29
    assert await Booking.all().count() == 1


@pytest.mark.skipif(BACKEND != "postgres", reason="several server processes share PostgreSQL")
async def test_two_server_processes_on_one_postgres_still_make_exactly_one(
    server, settings, tmp_path
):
    second = start_server(settings, tmp_path)
    try:
        type_id = await publish_event_type(server)
        results = await storm([server.graphql, second.graphql], type_id, next_day_ten())
        wins, codes = outcome(results)
        assert wins == 1
        assert codes == ["CONFLICT"] * 29
        # Overlapping neighbours (the 10-minute buffer) are refused too.
        slot = datetime.fromisoformat(next_day_ten()) + timedelta(minutes=30)
        wins, codes = outcome(await storm([second.graphql], type_id, slot.isoformat(), n=1))
        assert (wins, codes) == (0, ["CONFLICT"])
    finally:
        second.stop()
    assert await Booking.all().count() == 1
