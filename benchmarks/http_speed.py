"""HTTP throughput of the GraphQL server against what a user could pick instead, side by side in
one run (issue #22 goals 1-3), all served by uvicorn the same way (uvloop, httptools, one worker,
no uvicorn access log) and measured with wrk.

Run from the repository root: `.venv/bin/python benchmarks/http_speed.py [--profile]`.

Children of this process (always stopped), over one throwaway SQLite file:
  raw        benchmarks/peers.py raw_app: POST /json, the body parsed, a small JSON object answered;
  rest       benchmarks/peers.py rest_app: Starlette + the same tortoise read as REST;
  strawberry benchmarks/peers.py strawberry_app: a minimal strawberry + tortoise server;
  server     `python server.py`, in-process event bus, RATE_LIMIT_PER_MINUTE=0, public cache on;
  uncached   the same with PUBLIC_CACHE=0: every query executed.
A host (available all day, every day, UTC) with one 30-minute event type and 60 bookings is created
over GraphQL. Then ROUNDS interleaved rounds, each running `wrk -t2 -c32` for DURATION_S seconds
(after a WARMUP_S warm-up) against every target in turn:
  raw, rest (GET /rest/event-types/<id>), peer-small and small-off (`{ eventType(id) { title } }`
  POSTed to the strawberry peer and to the uncached server), small-on (the same, answered from the
  public cache), small-get (a GET with only the persisted query's hash, from the public cache),
  peer-nested and nested (`bookings(first: 50)` with `eventType { title host { name } }`, signed
  in: never cached).
Medians of the rounds give each target's requests per second and the server's CPU time per request
(/proc/<pid>/stat over the run, which other work on a busy machine disturbs much less than
req/s). Every answer is checked before and after each run. The goals, as ratios:
  1. small-off >= 1.5x peer-small (and how near the REST endpoint);
  2. small-on >= 0.7x raw;
  3. nested >= 1.5x peer-nested.

--profile: afterwards another server child on the same database, with PUBLIC_CACHE=0 (the
executed path), runs with a cProfile profiler that SIGUSR1 switches on and SIGUSR2 off, around a
wrk run of the small query (or of the nested one, --profile-nested; or, --profile-cached, the small
query answered from the public cache, PUBLIC_CACHE=1); own time per package and
function, and the cumulative time of the phases of a request are printed per request.
--profile-out FILE keeps the .prof file.
"""

import argparse
import hashlib
import json
import math
import os
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --- the benchmark ----------------------------------------------------------------------------

WRK = os.environ.get("WRK", "wrk")
THREADS, CONNECTIONS, DURATION_S, WARMUP_S, ROUNDS = 2, 32, 5, 1, 3
GOALS = {"small": 1.5, "cached": 0.7, "nested": 1.5}
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


def write_lua(directory: Path, name: str, body: str | None, headers: dict[str, str]) -> Path:
    if body is None:
        lines = ['wrk.method = "GET"']
    else:
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


def measure(url: str, script: Path, check: Callable[[], None], pid: int) -> dict[str, float]:
    """Warm-up, a checked answer, the measured run, another checked answer. Besides requests
    per second, the server's CPU time per request (from /proc)."""
    from benchmarks import _server

    check()
    run_wrk(url, script, WARMUP_S, latency=False)
    cpu = _server.cpu_seconds(pid)
    figures = run_wrk(url, script, DURATION_S)
    figures["cpu_us_per_request"] = (_server.cpu_seconds(pid) - cpu) / figures["requests"] * 1e6
    check()
    return figures


def show(name: str, figures: dict[str, float]) -> None:
    print(
        f"  {name:<12} {figures['rps']:9.1f} req/s   p50 {figures.get('p50_ms', math.nan):7.2f} ms"
        f"   p99 {figures.get('p99_ms', math.nan):7.2f} ms   server CPU "
        f"{figures['cpu_us_per_request']:7.0f} us/req   non-2xx {int(figures['non_2xx'])}   "
        f"socket errors {int(figures['socket_errors'])}",
        flush=True,
    )


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        key: statistics.median(run[key] for run in runs)
        for key in ("rps", "cpu_us_per_request", "non_2xx", "socket_errors")
    }


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


def profile_query(
    tmp: Path,
    database_url: str,
    script: Path,
    seconds: int = PROFILE_SECONDS,
    keep: Path | None = None,
    cached: bool = False,
) -> dict[str, Any]:
    from benchmarks import _server

    prof = tmp / "server.prof"
    wrapper = tmp / "profiled_server.py"
    wrapper.write_text(PROFILED_SERVER.format(root=str(ROOT), out=str(prof)))
    child = _server.start(
        "server (cProfile)",
        [sys.executable, str(wrapper)],
        log_path=tmp / "server-profile.log",
        env={
            "DATABASE_URL": database_url,
            "RATE_LIMIT_PER_MINUTE": "0",
            "PUBLIC_CACHE": "1" if cached else "0",
        },
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


def persisted_get_url(base: str, query: str) -> str:
    """A GET carrying only the Automatic Persisted Query hash (no document)."""
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    return f"{base}/graphql?" + urllib.parse.urlencode({"extensions": extensions})


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="also profile the small query")
    parser.add_argument(
        "--profile-nested", action="store_true", help="profile the nested query instead"
    )
    parser.add_argument(
        "--profile-cached", action="store_true", help="profile the cached small query instead"
    )
    parser.add_argument("--profile-out", type=Path, help="with --profile: keep the .prof here")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", help="comma-separated targets to measure (default: all)")
    args = parser.parse_args(argv)
    if shutil.which(WRK) is None:
        raise SystemExit(f"wrk not found ({WRK})")

    import httpx

    from benchmarks import _server

    _server.raise_fd_limit()
    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} CPUs, load average {load:.2f}; {args.rounds} interleaved rounds of "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s (after a {WARMUP_S} s warm-up) "
        "against each target",
        flush=True,
    )
    figures: dict[str, Any] = {}
    children: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bnm-http-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite://{tmp}/http.sqlite3"
        try:
            children["server"] = _server.start_app_server(
                "server", log_path=tmp / "server.log", database_url=database_url
            )
            children["uncached"] = _server.start_app_server(
                "server (PUBLIC_CACHE=0)",
                log_path=tmp / "server-uncached.log",
                database_url=database_url,
                extra_env={"PUBLIC_CACHE": "0"},
            )
            with httpx.Client(base_url=children["server"].url, timeout=30) as client:
                token, type_id = seed(client)
            for name, app, health in (
                ("raw", "raw_app", "/json"),
                ("rest", "rest_app", f"/rest/event-types/{type_id}"),
                ("strawberry", "strawberry_app", "/graphql?query=%7B__typename%7D"),
            ):
                port = _server.free_port()
                children[name] = _server.start(
                    name,
                    [
                        sys.executable, "-m", "uvicorn", f"benchmarks.peers:{app}",
                        "--host", "127.0.0.1", "--port", str(port),
                        "--loop", "uvloop", "--http", "httptools",
                        "--no-access-log", "--log-level", "warning",
                    ],
                    port=port,
                    log_path=tmp / f"{name}.log",
                    env={"DATABASE_URL": database_url},
                    health_path=health,
                )  # fmt: skip
            urls = {name: child.url for name, child in children.items()}
            small = small_query(type_id)
            small_body = json.dumps({"query": small})
            nested_body = json.dumps({"query": NESTED})
            json_headers = {"Content-Type": "application/json"}
            auth_headers = {**json_headers, "Authorization": f"Bearer {token}"}
            scripts = {
                "post-small": write_lua(tmp, "small", small_body, json_headers),
                "nested": write_lua(tmp, "nested", nested_body, auth_headers),
                "get": write_lua(tmp, "get", None, {}),
            }
            small_answer = {"data": {"eventType": {"title": "Bench call"}}}
            # The server learns the persisted query once (the Apollo protocol's second request).
            digest = hashlib.sha256(small.encode()).hexdigest()
            persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            if not args.only or "small-get" in args.only:
                learned = httpx.post(
                    urls["server"] + "/graphql", json={"query": small, "extensions": persisted}
                )
                assert learned.json() == small_answer, learned.text
            get_url = persisted_get_url(urls["server"], small)

            def check_post(url: str, body: str, headers: dict, expect: Any) -> Callable[[], None]:
                def check() -> None:
                    answer = httpx.post(url, content=body, headers=headers, timeout=30)
                    assert answer.status_code == 200 and expect(answer.json()), answer.text

                return check

            def check_get(url: str, expect: Any) -> Callable[[], None]:
                def check() -> None:
                    answer = httpx.get(url, timeout=30)
                    assert answer.status_code == 200 and expect(answer.json()), answer.text

                return check

            def nested_ok(answer: Any) -> bool:
                edges = answer["data"]["bookings"]["edges"]
                node = edges[0]["node"]
                return len(edges) == 50 and node["eventType"] == {
                    "title": "Bench call",
                    "host": {"name": "Bench Host"},
                }

            rest_url = f"{urls['rest']}/rest/event-types/{type_id}"
            targets: dict[str, tuple[str, str, Path, Callable[[], None]]] = {
                "raw": (
                    "raw",
                    urls["raw"] + "/json",
                    scripts["post-small"],
                    check_post(urls["raw"] + "/json", small_body, json_headers,
                               lambda a: a["data"]["ok"]),
                ),
                "rest": ("rest", rest_url, scripts["get"],
                         check_get(rest_url, lambda a: a == small_answer)),
                "peer-small": (
                    "strawberry",
                    urls["strawberry"] + "/graphql",
                    scripts["post-small"],
                    check_post(urls["strawberry"] + "/graphql", small_body, json_headers,
                               lambda a: a == small_answer),
                ),
                "small-off": (
                    "uncached",
                    urls["uncached"] + "/graphql",
                    scripts["post-small"],
                    check_post(urls["uncached"] + "/graphql", small_body, json_headers,
                               lambda a: a == small_answer),
                ),
                "small-on": (
                    "server",
                    urls["server"] + "/graphql",
                    scripts["post-small"],
                    check_post(urls["server"] + "/graphql", small_body, json_headers,
                               lambda a: a == small_answer),
                ),
                "small-get": ("server", get_url, scripts["get"],
                              check_get(get_url, lambda a: a == small_answer)),
                "peer-nested": (
                    "strawberry",
                    urls["strawberry"] + "/graphql",
                    scripts["nested"],
                    check_post(urls["strawberry"] + "/graphql", nested_body, auth_headers,
                               nested_ok),
                ),
                "nested": (
                    "server",
                    urls["server"] + "/graphql",
                    scripts["nested"],
                    check_post(urls["server"] + "/graphql", nested_body, auth_headers, nested_ok),
                ),
            }  # fmt: skip
            if args.only:
                targets = {k: v for k, v in targets.items() if k in args.only.split(",")}
            runs: dict[str, list[dict[str, float]]] = defaultdict(list)
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}:", flush=True)
                for name, (child, url, script, check) in targets.items():
                    runs[name].append(measure(url, script, check, children[child].pid))
                    show(name, runs[name][-1])
            for name in targets:
                figures[name] = medians(runs[name])
            figures["server_log_problems"] = dict(
                children["server"].log_problems() + children["uncached"].log_problems()
            )
            _server.stop_all(list(children.values()))
            children.clear()
            if args.profile or args.profile_nested or args.profile_cached:
                figures |= profile_query(
                    tmp,
                    database_url,
                    scripts["nested" if args.profile_nested else "post-small"],
                    keep=args.profile_out,
                    cached=args.profile_cached,
                )
        finally:
            _server.stop_all(list(children.values()))
    summarise(figures, load)
    return figures


def ratio(figures: dict[str, Any], ours: str, theirs: str) -> tuple[float, float]:
    """(req/s ratio, CPU-per-request ratio) of `ours` to `theirs`."""
    a, b = figures[ours], figures[theirs]
    return a["rps"] / b["rps"], b["cpu_us_per_request"] / a["cpu_us_per_request"]


def summarise(figures: dict[str, Any], load: float) -> None:
    figures["load_average_before"], figures["load_average_after"] = load, os.getloadavg()[0]
    print()
    print("=== HTTP benchmark: medians of the rounds ===")
    for name, value in figures.items():
        if isinstance(value, dict) and "rps" in value:
            print(
                f"{name:<12} {value['rps']:9.1f} req/s   server CPU "
                f"{value['cpu_us_per_request']:7.0f} us/req"
            )
    goals = (
        ("1", "small query executed / minimal strawberry", "small-off", "peer-small", "small"),
        ("1", "small query executed / Starlette REST (aim)", "small-off", "rest", None),
        ("1", "small query executed / raw Starlette JSON", "small-off", "raw", None),
        ("2", "small query cached (POST) / raw Starlette JSON", "small-on", "raw", "cached"),
        ("2", "small query cached (GET, APQ hash) / raw", "small-get", "raw", "cached"),
        ("3", "nested bookings(first: 50) / minimal strawberry", "nested", "peer-nested", "nested"),
    )
    print("goal  figure                                            req/s ratio  CPU ratio  goal")
    for number, label, ours, theirs, goal in goals:
        if ours not in figures or theirs not in figures:
            continue
        by_rps, by_cpu = ratio(figures, ours, theirs)
        figures[f"{ours}/{theirs}"] = {"rps_ratio": by_rps, "cpu_ratio": by_cpu}
        verdict = "(reference)"
        if goal is not None:
            met = by_rps >= GOALS[goal]
            figures[f"goal_{goal}_{ours}_met"] = met
            verdict = f">= {GOALS[goal]}: {'met' if met else 'MISSED'}" + (
                f" (by CPU: {'met' if by_cpu >= GOALS[goal] else 'missed'})"
            )
        print(f"{number:<5} {label:<50}{by_rps:6.2f}   {by_cpu:8.2f}   {verdict}")
    problems = figures.get("server_log_problems", {})
    print(f"server log ERROR lines: {sum(problems.values())} {problems or ''}")
    print(
        f"load average {load:.2f} before, {figures['load_average_after']:.2f} after "
        "(other work on this machine skews req/s; server CPU per request much less so)"
    )


if __name__ == "__main__":
    main()
