"""JSON logs without secrets, and Prometheus metrics, from the real server."""

import httpx

from tests.conftest import PASSWORD, SIGN_UP, mailed_code, wait_until
from tests.subscriptions.test_live import Client

CREATE_EVENT_TYPE = """mutation { createEventType(input: {title: "Logged", slug: "logged",
  durationMinutes: 30}) { id } }"""


async def test_metrics_count_operations_errors_and_live_subscriptions(server):
    await server.post("query Who { me { id } }")
    await server.post("{ nope }")
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{server.url}/metrics")).text
    assert 'bnm_graphql_operations_total{operation="Who",type="query"}' in text
    assert 'bnm_graphql_errors_total{code="BAD_USER_INPUT"}' in text
    assert "bnm_graphql_operation_seconds_bucket" in text
    assert "bnm_live_subscriptions" in text and "bnm_event_bus_lag_seconds" in text


async def test_logs_are_json_with_request_ids_and_no_secrets(server):
    start = len(server.log_entries())
    variables = {"input": {"email": "logs@example.com", "password": PASSWORD, "name": "Logs"}}
    named_sign_up = SIGN_UP.replace("mutation(", "mutation LogsSignUp(", 1)
    signed_up = (await server.post(named_sign_up, variables)).ok()["signUp"]
    token, user_id = signed_up["token"], int(signed_up["user"]["id"])
    (await server.post("query LogsMe { me { id } }", token=token)).ok()
    async with httpx.AsyncClient() as client:
        await client.get(f"{server.url}/ical/{token}.ics")
        await client.get(f"{server.url}/export/{token}")

    def ours() -> list[dict] | None:
        """This test's four lines, by operation or path: a request another test left (the
        server is shared) may be logged in between."""
        by_key = {line["operation"] or line["path"]: line for line in server.access_lines(start)}
        keys = ("LogsSignUp", "LogsMe", "/ical/[redacted]", "/export/[redacted]")
        return [by_key[k] for k in keys] if all(k in by_key for k in keys) else None

    sign_up, me, ical, export = await wait_until(ours)
    entries = server.log_entries()
    assert all({"time", "level", "message", "requestId", "userId"} <= set(e) for e in entries)
    ids = [line["requestId"] for line in (sign_up, me, ical, export)]
    assert None not in ids and len(set(ids)) == 4  # every request its own id, GraphQL or not
    assert me["userId"] == user_id and ical["userId"] is None
    log = server.log()
    assert token not in log and PASSWORD not in log
    assert await mailed_code("logs@example.com") not in log  # nor what is mailed
    assert "/ical/[redacted]" in log and "/export/[redacted]" in log


async def test_answers_from_the_public_cache_are_counted_and_logged_like_executed_ones(server):
    variables = {"input": {"email": "cache@example.com", "password": PASSWORD, "name": "Cache"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    type_id = (await server.post(CREATE_EVENT_TYPE, token=token)).ok()["createEventType"]["id"]
    query = 'query Pub { eventType(id: "%s") { title } }' % type_id  # noqa: UP031
    sample = 'bnm_graphql_operations_total{operation="Pub",type="query"}'
    hits = 'bnm_public_cache_requests_total{result="hit"}'
    operations, hits_before = await server.metric(sample), await server.metric(hits)
    start = len(server.log_entries())
    for _ in range(3):
        assert (await server.post(query)).ok() == {"eventType": {"title": "Logged"}}
    assert await server.metric(hits) == hits_before + 2  # the first one was executed
    assert await server.metric(sample) == operations + 3
    ids = [line["requestId"] for line in (await server.logged_requests(3, start))[:3]]
    assert None not in ids and len(set(ids)) == 3


async def _live(server) -> tuple[float, float, float]:
    """Live bookingEvents subscriptions, event-bus subscribers and asyncio tasks."""
    return (
        await server.metric('bnm_live_subscriptions{subscription="bookingEvents"}'),
        await server.metric("bnm_event_bus_subscribers"),
        await server.metric("bnm_asyncio_tasks"),
    )


async def _until(server, expected, wanted) -> tuple[float, float, float]:
    async def seen() -> tuple[float, float, float] | None:
        live = await _live(server)
        return live if wanted(live, expected) else None

    return await wait_until(seen)


async def test_subscriptions_are_released_when_clients_disconnect(server):
    variables = {"input": {"email": "leak@example.com", "password": PASSWORD, "name": "Leak"}}
    token = (await server.post(SIGN_UP, variables)).ok()["signUp"]["token"]
    # The process's session watch (one bus subscriber and its task, for its lifetime) starts with
    # the first signed-in socket: started before the count, it is not something left behind.
    warm_up = await Client.connect(server.ws, "graphql-transport-ws", token)
    await warm_up.close()
    readings = [await _live(server)]

    async def settled() -> bool:  # the warm-up socket's own tasks have ended
        readings.append(await _live(server))
        return readings[-1] == readings[-2]

    await wait_until(settled, interval=0.2)
    subscriptions, subscribers, tasks = before = readings[-1]
    assert subscribers >= 1 and tasks >= 1  # the gauges are there (the public cache listens)
    clients = [await Client.connect(server.ws, "graphql-transport-ws", token) for _ in range(5)]
    for client in clients:
        await client.subscribe("subscription { bookingEvents { kind } }")
    during = await _until(server, before, lambda seen, old: seen[0] == old[0] + 5)
    assert during[0] == subscriptions + 5
    assert during[1] == subscribers + 1  # the five share one execution: one bus subscriber
    assert during[2] >= tasks + 5  # at least a task per operation
    for client in clients:
        await client.close()
    # Nothing is left behind: no subscription, no queue on the bus, no task.
    assert await _until(server, before, lambda seen, old: seen == old) == before
