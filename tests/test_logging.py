"""LOG_FORMAT: JSON lines for log collectors, text for a person at a terminal (the default there);
access lines carry the operation name, client address, status, duration and request id."""

import asyncio
import io
import os
import pty
import re
import time
from collections.abc import Callable
from typing import Any

from config import Settings
from observability import log_format
from tests.conftest import LiveServer, start_server

WHO = "query Who { me { id } }"


async def until(found: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Polls the server's log file (written by another process) until `found` returns a value."""
    deadline = time.monotonic() + seconds
    while (value := found()) is None or value == []:
        assert time.monotonic() < deadline, "the log line did not appear"
        await asyncio.sleep(0.02)
    return value


def access_entries(server: LiveServer, after: int) -> list[dict]:
    return [e for e in server.log_entries()[after:] if e["logger"] == "booknmeet.access"]


async def test_json_access_lines_name_operation_client_status_duration_and_request(server):
    start = len(server.log_entries())
    (await server.post(WHO)).ok()
    (entry,) = await until(lambda: access_entries(server, start))
    assert entry["operation"] == "Who"
    assert entry["client"] == "127.0.0.1"
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/graphql", 200)
    assert isinstance(entry["durationMs"], float) and entry["durationMs"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", entry["requestId"])
    assert entry["message"].startswith("POST /graphql 200 ")


async def test_an_anonymous_operation_and_a_plain_route_have_no_operation_name(server):
    start = len(server.log_entries())
    (await server.post("{ me { id } }")).ok()
    graphql = (await until(lambda: access_entries(server, start)))[0]
    assert graphql["operation"] is None and graphql["status"] == 200


async def test_text_format_on_request(settings, tmp_path):
    server = start_server(settings, tmp_path, env={"LOG_FORMAT": "text"})
    try:
        (await server.post(WHO)).ok()
        pattern = re.compile(
            r"^\S+ INFO +booknmeet\.access: POST /graphql 200 [\d.]+ms client=127\.0\.0\.1 "
            r"operation=Who request=[0-9a-f]{32}$",
            re.MULTILINE,
        )
        assert await until(lambda: pattern.search(server.log()))
    finally:
        server.stop()
    assert not any(line.startswith("{") for line in server.log().splitlines())


def test_the_default_is_text_on_a_terminal_and_json_elsewhere():
    controller, terminal = pty.openpty()
    try:
        with os.fdopen(terminal, "w") as stream:
            assert log_format(Settings(), stream) == "text"
            assert log_format(Settings(log_format="json"), stream) == "json"
    finally:
        os.close(controller)
    assert log_format(Settings(), io.StringIO()) == "json"
    assert log_format(Settings(log_format="text"), io.StringIO()) == "text"
