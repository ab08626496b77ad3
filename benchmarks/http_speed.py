"""HTTP throughput: the real GraphQL server against a bare Starlette JSON endpoint, both served by
uvicorn the same way (uvloop, httptools, one worker, no uvicorn access log), measured with wrk.

Run from the repository root: `.venv/bin/python benchmarks/http_speed.py [--profile]`.
Goal: the small query at least 0.35 of the bare endpoint's requests per second.

In one run, as children of this process (always stopped):
  (a) `python -m uvicorn benchmarks.http_speed:raw_app`: POST /json parses the JSON body and
      answers a small JSON object (the least any JSON-over-HTTP API does);
  (b) `python server.py` with a throwaway SQLite file, in-process event bus,
      RATE_LIMIT_PER_MINUTE=0, the public cache on (the default);
  (c) the same with PUBLIC_CACHE=0, on the same database file: every query executed.
A host (available 00:00-24:00 UTC every day) with one 30-minute event type and 60 bookings is
created over GraphQL. Then `wrk -t2 -c32 -d10s` (after a 2 s warm-up of the same) measures:
  raw        POST /json with the small query's body;
  small-off  POST /graphql `{ eventType(id: "<id>") { title } }` (public, anonymous) on (c);
  small-on   the same on (b), answered from the public cache after the first request;
  nested     POST /graphql `bookings(first: 50)` with id start attendeeName eventType { title
             host { name } } per booking, with the host's Authorization header, on (b) (a
             request with credentials never uses the cache).
The POST bodies and headers come from a Lua script written to a temp file. Every answer is
checked once before and after its wrk run. wrk, the children and this process share the
machine's CPUs alike for all three; besides requests per second, the server's CPU time per
request (/proc/<pid>/stat over the run) is printed, which other work on a busy machine disturbs
much less.

--profile: afterwards another server child on the same database, with PUBLIC_CACHE=0 (the
executed path), runs with a cProfile profiler that SIGUSR1 switches on and SIGUSR2 off, around a
wrk run of the small query (no start-up, no warm-up in the profile); own time per package and
function, and the cumulative time of the phases of a request (validation, resolver, database,
access log ...) are printed per request.
--profile-out FILE keeps the .prof file.
"""

import argparse
import functools
import json
import math
import os
import pstats
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- (a) the bare endpoint, imported by its uvicorn child -------------------------------------


@functools.cache
def _raw_app() -> Any:
    """POST /json: the JSON body parsed, a small JSON object answered (GET: without a body)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def raw_json(request: Request) -> JSONResponse:
        body = await request.json() if request.method == "POST" else {}
        return JSONResponse({"data": {"ok": True, "keys": len(body)}})

    return Starlette(routes=[Route("/json", raw_json, methods=["GET", "POST"])])


def __getattr__(name: str) -> Any:
    # `uvicorn benchmarks.http_speed:raw_app`; built on first access, so that importing this module
    # (as a script's neighbour, see above) does not import starlette.
    if name == "raw_app":
        return _raw_app()
    raise AttributeError(name)


# --- the benchmark ----------------------------------------------------------------------------

WRK = os.environ.get("WRK", "wrk")
THREADS, CONNECTIONS, DURATION_S, WARMUP_S = 2, 32, 10, 2
GOAL_RATIO = 0.35
BOOKINGS = 60
PROFILE_SECONDS = 8

BOOK = "mutation ($input: BookMeetingInput!) { bookMeeting(input: $input) { id } }"
NESTED = (
    "{ bookings(first: 50) { edges { node { id start attendeeName "
    "eventType { title host { name } } } } } }"
)


def small_query(event_type_id: str) -> str:
    return '{ eventType(id: "%s") { title } }' % event_type_id  # noqa: UP031 (GraphQL braces)


def seed(client: Any) -> tuple[str, str]:
    """A UTC host available all day every day, a 30-minute event type, BOOKINGS bookings.
    Returns the host's token and the event type id."""
    from benchmarks._graphql import EVERY_DAY, create_host, graphql

    host = create_host(
        client,
        email="http-bench-host@example.com",
        name="Bench Host",
        time_zone="UTC",
        days=EVERY_DAY,
        hours=("00:00", "24:00"),
        event_type={"title": "Bench call", "slug": "bench-call", "durationMinutes": 30},
    )
    token, type_id = host.token, host.event_type_id
    day = datetime.now(UTC).date() + timedelta(days=2)
    first = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for i in range(BOOKINGS):
        graphql(
            client,
            BOOK,
            {
                "input": {
                    "eventTypeId": type_id,
                    "start": (first + timedelta(minutes=30 * i)).isoformat(),
                    "name": f"Attendee {i}",
                    "email": f"attendee{i}@example.com",
                }
            },
        )
    return token, str(type_id)


def lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_lua(directory: Path, name: str, body: str, headers: dict[str, str]) -> Path:
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_string(body)}"]
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    figures: dict[str, float] = {"non_2xx": 0.0, "socket_errors": 0.0}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        figures["rps"] = float(match.group(1))
    if match := re.search(r"(\d+) requests in", output):
        figures["requests"] = float(match.group(1))
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        figures["non_2xx"] = float(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        figures["socket_errors"] = float(sum(int(g) for g in match.groups()))
    for label in ("50%", "99%"):
        if match := re.search(rf"^\s+{label}\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M):
            figures[f"p{label[:-1]}_ms"] = _ms(match.group(1))
    if "rps" not in figures:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return figures


def run_wrk(url: str, script: Path, seconds: int, latency: bool = True) -> dict[str, float]:
    argv = [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script)]
    if latency:
        argv.append("--latency")
    done = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    if done.stderr.strip():  # e.g. a Lua error: wrk would then send plain GETs
        raise RuntimeError(f"wrk complained: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def measure(name: str, url: str, script: Path, check: Any, pid: int) -> dict[str, float]:
    """Warm-up, a checked answer, the measured run, another checked answer. Besides requests
    per second, the server's CPU time per request (from /proc), which other work on the machine
    disturbs less."""
    from benchmarks import _server

    check()
    run_wrk(url, script, WARMUP_S, latency=False)
    cpu = _server.cpu_seconds(pid)
    figures = run_wrk(url, script, DURATION_S)
    figures["cpu_us_per_request"] = (_server.cpu_seconds(pid) - cpu) / figures["requests"] * 1e6
    check()
    print(
        f"{name:<9} {figures['rps']:9.1f} req/s   p50 {figures.get('p50_ms', math.nan):7.2f} ms"
        f"   p99 {figures.get('p99_ms', math.nan):7.2f} ms   server CPU "
        f"{figures['cpu_us_per_request']:7.0f} us/req   non-2xx {int(figures['non_2xx'])}   "
        f"socket errors {int(figures['socket_errors'])}",
        flush=True,
    )
    return figures


# --- profile ----------------------------------------------------------------------------------


def _package(filename: str) -> str:
    """Where a profiled function lives: a site-packages distribution, this repository's top
    module, the standard library, or a builtin."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins/C"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        i = parts.index("site-packages")
        return parts[i + 1].removesuffix(".py") if i + 1 < len(parts) else "site-packages"
    root = str(ROOT)
    if filename.startswith(root):
        rel = Path(filename).relative_to(root).parts
        return f"app:{rel[0].removesuffix('.py')}"
    return f"stdlib:{path.stem}"


# Functions whose cumulative time tells the phases of a request apart: (file suffix, name).
PHASES = (
    ("observability.py", "__call__", "whole request inside the app's middleware (AccessLog)"),
    ("graphql/language/parser.py", "parse", "GraphQL parse"),
    ("graphql/validation/validate.py", "validate", "GraphQL validation"),
    ("graphql_app.py", "get_context", "get_context (bearer token lookup)"),
    ("graphql/execution/execute.py", "execute", "graphql-core execute (sync part)"),
    ("resolvers/event_type.py", "event_type", "eventType resolver (+ its query)"),
    ("tortoise/backends/base/executor.py", "execute_select", "tortoise execute_select"),
    ("logging/__init__.py", "info", "logging.Logger.info (access log line)"),
    ("observability.py", "format", "JsonFormatter.format"),
    ("strawberry/http/base.py", "encode_json", "response JSON encoding"),
)


def summarise_profile(path: Path, requests: float, top: int = 25) -> dict[str, Any]:
    """Own time by package and function, cumulative time of the PHASES, per request. Coroutine
    resumptions count as calls in cProfile, so `calls` of async functions exceed `requests`."""
    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in entries.values())
    per_package: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in entries.items():
        per_package[_package(filename)] += tt
        rows.append((tt, ct, nc, f"{_short(filename)}:{line}({func})"))
    rows.sort(reverse=True)
    per_request = 1e6 / requests if requests else float("nan")
    print(
        f"\nprofile: {requests:.0f} requests, {total:.2f} s in Python-visible frames "
        f"(~{total * per_request:.0f} us/request under cProfile)"
    )
    print("own time by package:")
    for package, tt in sorted(per_package.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {tt / total * 100:5.1f}%  {tt * per_request:7.0f} us/req  {package}")
    print(f"top {top} functions by own time:")
    for tt, ct, nc, where in rows[:top]:
        print(
            f"  {tt / total * 100:5.1f}%  {tt * per_request:6.0f} us/req  {nc / requests:7.1f} "
            f"calls/req  cum {ct * per_request:6.0f} us/req  {where}"
        )
    print("phases (cumulative time; nested phases overlap):")
    phases: dict[str, float] = {}
    for suffix, func, label in PHASES:
        found = [
            (nc, ct)
            for (fn, _line, name), (_cc, nc, _tt, ct, _c) in entries.items()
            if name == func and fn.endswith(suffix)
        ]
        if not found:
            continue
        calls, cum = sum(f[0] for f in found), sum(f[1] for f in found)
        phases[label] = cum * per_request
        print(
            f"  {cum / total * 100:5.1f}%  {cum * per_request:6.0f} us/req  "
            f"{calls / requests:5.1f} calls/req  {label}"
        )
    return {
        "profile_requests": requests,
        "profile_us_per_request": total * per_request,
        "profile_packages_us": {k: v * per_request for k, v in per_package.items()},
        "profile_phases_us": phases,
    }


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/lib/python", 1)[-1]


# Runs server.py with a profiler switched on by SIGUSR1 and off (and dumped) by SIGUSR2, so the
# profile holds the measured requests only: no start-up, no warm-up, no shut-down.
PROFILED_SERVER = """
import cProfile, runpy, signal, sys
sys.path.insert(0, {root!r})
profiler, out = cProfile.Profile(), {out!r}
def start(*_):
    profiler.enable()
def stop(*_):
    profiler.disable()
    profiler.dump_stats(out + ".part")
    __import__("os").replace(out + ".part", out)
signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
sys.argv = ["server.py"]
runpy.run_path("server.py", run_name="__main__")
"""


def profile_small_query(
    tmp: Path,
    database_url: str,
    script: Path,
    seconds: int = PROFILE_SECONDS,
    keep: Path | None = None,
) -> dict[str, Any]:
    from benchmarks import _server

    prof = tmp / "server.prof"
    wrapper = tmp / "profiled_server.py"
    wrapper.write_text(PROFILED_SERVER.format(root=str(ROOT), out=str(prof)))
    child = _server.start(
        "server (cProfile)",
        [sys.executable, str(wrapper)],
        log_path=tmp / "server-profile.log",
        env={"DATABASE_URL": database_url, "RATE_LIMIT_PER_MINUTE": "0", "PUBLIC_CACHE": "0"},
        drop_env=("REDIS_URL",),
    )
    try:
        run_wrk(child.url + "/graphql", script, WARMUP_S, latency=False)
        child.process.send_signal(signal.SIGUSR1)
        figures = run_wrk(child.url + "/graphql", script, seconds)
        child.process.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 30
        while not prof.exists() and time.monotonic() < deadline and child.alive():
            time.sleep(0.1)
    finally:
        child.stop()
    if not prof.exists():
        raise RuntimeError(f"no profile written: {child.log_tail()}")
    if keep is not None:
        shutil.copyfile(prof, keep)
        print(f"profile kept in {keep} (python -m pstats {keep})")
    print(f"\nprofiled server: {figures['rps']:.1f} req/s under cProfile for {seconds} s")
    return summarise_profile(prof, figures.get("requests", 0))


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--profile", action="store_true", help="also profile the small query with cProfile"
    )
    parser.add_argument("--profile-out", type=Path, help="with --profile: keep the .prof here")
    args = parser.parse_args(argv)
    if shutil.which(WRK) is None:
        raise SystemExit(f"wrk not found ({WRK})")

    import httpx

    from benchmarks import _server
    from benchmarks._graphql import graphql

    _server.raise_fd_limit()
    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} CPUs, load average {load:.2f}; wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{DURATION_S}s (after a {WARMUP_S} s warm-up) against each",
        flush=True,
    )
    figures: dict[str, Any] = {}
    raw = server = uncached = None
    with tempfile.TemporaryDirectory(prefix="bnm-http-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite://{tmp}/http.sqlite3"
        try:
            raw_port = _server.free_port()
            raw = _server.start(
                "raw uvicorn",
                [
                    sys.executable, "-m", "uvicorn", "benchmarks.http_speed:raw_app",
                    "--host", "127.0.0.1", "--port", str(raw_port),
                    "--loop", "uvloop", "--http", "httptools",
                    "--no-access-log", "--log-level", "warning",
                ],
                port=raw_port,
                log_path=tmp / "raw.log",
                health_path="/json",
            )  # fmt: skip
            server = _server.start_app_server(
                "server", log_path=tmp / "server.log", database_url=database_url
            )
            uncached = _server.start_app_server(
                "server (PUBLIC_CACHE=0)",
                log_path=tmp / "server-uncached.log",
                database_url=database_url,
                extra_env={"PUBLIC_CACHE": "0"},
            )
            with httpx.Client(base_url=server.url, timeout=30) as client:
                token, type_id = seed(client)
                small = small_query(type_id)
                small_body = json.dumps({"query": small})
                nested_body = json.dumps({"query": NESTED})
                json_headers = {"Content-Type": "application/json"}
                auth_headers = {**json_headers, "Authorization": f"Bearer {token}"}
                scripts = {
                    "raw": write_lua(tmp, "raw", small_body, json_headers),
                    "small": write_lua(tmp, "small", small_body, json_headers),
                    "nested": write_lua(tmp, "nested", nested_body, auth_headers),
                }

                def check_raw() -> None:
                    answer = httpx.post(raw.url + "/json", content=small_body, headers=json_headers)
                    assert answer.status_code == 200 and answer.json()["data"]["ok"], answer.text

                def check_small(url: str) -> Any:
                    def check() -> None:
                        answer = httpx.post(
                            url + "/graphql", content=small_body, headers=json_headers
                        )
                        assert answer.json() == {"data": {"eventType": {"title": "Bench call"}}}, (
                            answer.text
                        )

                    return check

                def check_nested() -> None:
                    edges = graphql(client, NESTED, token=token)["bookings"]["edges"]
                    assert len(edges) == 50, len(edges)
                    node = edges[0]["node"]
                    assert node["eventType"] == {
                        "title": "Bench call",
                        "host": {"name": "Bench Host"},
                    }, node

                figures["raw"] = measure(
                    "raw", raw.url + "/json", scripts["raw"], check_raw, raw.pid
                )
                figures["small_off"] = measure(
                    "small-off",
                    uncached.url + "/graphql",
                    scripts["small"],
                    check_small(uncached.url),
                    uncached.pid,
                )
                figures["small_on"] = measure(
                    "small-on",
                    server.url + "/graphql",
                    scripts["small"],
                    check_small(server.url),
                    server.pid,
                )
                figures["nested"] = measure(
                    "nested", server.url + "/graphql", scripts["nested"], check_nested, server.pid
                )
            figures["server_log_problems"] = dict(server.log_problems() + uncached.log_problems())
            _server.stop_all([raw, server, uncached])
            raw = server = uncached = None
            if args.profile:
                figures |= profile_small_query(
                    tmp, database_url, scripts["small"], keep=args.profile_out
                )
        finally:
            _server.stop_all([raw, server, uncached])

    raw_rps = figures["raw"]["rps"]
    raw_cpu = figures["raw"]["cpu_us_per_request"]
    for name in ("small_off", "small_on", "nested"):
        figures[f"{name}_ratio"] = figures[name]["rps"] / raw_rps
        figures[f"{name}_cpu_ratio"] = raw_cpu / figures[name]["cpu_us_per_request"]
    figures["goal_met_cache_off"] = figures["small_off_ratio"] >= GOAL_RATIO
    figures["goal_met_cache_on"] = figures["small_on_ratio"] >= GOAL_RATIO
    figures["load_average_before"], figures["load_average_after"] = load, os.getloadavg()[0]
    print()
    print("=== HTTP benchmark summary ===")
    print(f"{'raw Starlette JSON endpoint':<45}{raw_rps:9.1f} req/s")
    for name, label in (
        ("small_off", "eventType { title }, PUBLIC_CACHE=0"),
        ("small_on", "eventType { title }, public cache on"),
    ):
        met = figures[f"goal_met_cache_{name.removeprefix('small_')}"]
        print(
            f"GraphQL {label:<37}{figures[name]['rps']:9.1f} req/s   "
            f"ratio {figures[f'{name}_ratio']:.3f}   goal >= {GOAL_RATIO}: "
            f"{'MET' if met else 'MISSED'}"
        )
    print(
        f"{'GraphQL bookings(first: 50), signed in':<45}{figures['nested']['rps']:9.1f} req/s   "
        f"ratio {figures['nested_ratio']:.3f}"
    )
    print(
        f"server CPU per request: raw {raw_cpu:.0f} us, small (cache off) "
        f"{figures['small_off']['cpu_us_per_request']:.0f} us, small (cache on) "
        f"{figures['small_on']['cpu_us_per_request']:.0f} us, nested "
        f"{figures['nested']['cpu_us_per_request']:.0f} us; CPU-based ratios (raw / GraphQL) "
        f"{figures['small_off_cpu_ratio']:.3f}, {figures['small_on_cpu_ratio']:.3f} and "
        f"{figures['nested_cpu_ratio']:.3f}"
    )
    problems = figures["server_log_problems"]
    print(
        f"server log ERROR lines: {sum(problems.values())} {problems or ''}"
        + (
            " (ClientDisconnect: wrk closes its connections with requests in flight at the end "
            "of each run; the app logs them as errors)"
            if any("ClientDisconnect" in key for key in problems)
            else ""
        )
    )
    print(
        f"load average {load:.2f} before, {figures['load_average_after']:.2f} after "
        "(other work on this machine skews req/s; server CPU per request much less so)"
    )
    return figures


if __name__ == "__main__":
    main()
