"""Children for the benchmarks: start a server process on a free loopback port, wait until it
answers, read its memory, CPU time and open files, wait for it to go quiet, and always stop it
(SIGTERM, then SIGKILL). Used by every benchmark script.
"""

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_fd_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (also run in children before exec)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Child:
    """One child process serving HTTP on 127.0.0.1:`port`; its output goes to `log_path`."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        port: int,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        drop_env: Sequence[str] = (),
        health_path: str = "/healthz",
    ) -> None:
        self.name, self.port, self.log_path = name, port, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.health_path = health_path
        child_env = {**os.environ, **(env or {})}
        for key in drop_env:
            child_env.pop(key, None)
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                list(argv),
                cwd=ROOT,
                env=child_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=raise_fd_limit,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(
                    f"{self.name} exited early (code {self.process.returncode}); "
                    f"log tail:\n{self.log_tail()}"
                )
            try:
                if httpx.get(self.url + self.health_path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {self.health_path} within {timeout:.0f} s")

    def stop(self, timeout: float = 15, sig: int = signal.SIGTERM) -> int | None:
        """`sig` (uvicorn shuts down gracefully on SIGTERM and SIGINT), SIGKILL if it does not
        exit in `timeout` seconds. Returns the exit code. uvicorn re-raises the signal once shut
        down: under `python -m cProfile` use SIGINT, whose KeyboardInterrupt lets cProfile write
        its file (SIGTERM would end the process first)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_problems(self) -> Counter[str]:
        """ERROR lines of the (JSON) log, by the last line of their exception (or message);
        plain-text tracebacks as "Traceback"."""
        problems: Counter[str] = Counter()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return problems
        for line in text.splitlines():
            if '"level": "ERROR"' in line:
                try:
                    entry = json.loads(line)
                except ValueError:
                    problems["unparsable ERROR line"] += 1
                    continue
                detail = (entry.get("exception") or entry.get("message") or "").strip()
                problems[detail.splitlines()[-1][:160] if detail else "ERROR"] += 1
            elif line.startswith("Traceback"):
                problems["Traceback"] += 1
        return problems


def start(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    drop_env: Sequence[str] = (),
    health_path: str = "/healthz",
    port: int | None = None,
    timeout: float = 60,
) -> Child:
    """Starts `argv` (with PORT/HOST in its environment) and waits until `health_path` answers
    200; the child is stopped if it does not."""
    port = port or free_port()
    child = Child(
        name,
        argv,
        port=port,
        log_path=log_path,
        env={"HOST": "127.0.0.1", "PORT": str(port), **(env or {})},
        drop_env=drop_env,
        health_path=health_path,
    )
    try:
        child.wait_ready(timeout)
    except BaseException:
        child.stop()
        raise
    return child


def start_app_server(
    name: str,
    *,
    log_path: Path,
    database_url: str,
    redis_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    python_args: Sequence[str] = (),
    script: str = "server.py",
    timeout: float = 60,
) -> Child:
    """`python [python_args] server.py` from the repository root, RATE_LIMIT_PER_MINUTE=0; with
    no `redis_url` the in-process event bus. `script`: a wrapper to run instead (to profile or
    trace the server), which must end up serving like server.py."""
    env = {"DATABASE_URL": database_url, "RATE_LIMIT_PER_MINUTE": "0", **(extra_env or {})}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return start(
        name,
        [sys.executable, *python_args, script],
        log_path=log_path,
        env=env,
        drop_env=() if redis_url else ("REDIS_URL",),
        timeout=timeout,
    )


def stop_all(children: Sequence[Child | None]) -> None:
    for child in children:
        if child is not None:
            with contextlib.suppress(Exception):
                child.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid: int) -> int:
    """Open file descriptors of `pid` (-1 if they cannot be read)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def fd_soft_limit(pid: int) -> int:
    """The soft RLIMIT_NOFILE of `pid` (-1 if not found)."""
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return -1


def settle(pid: int, timeout: float = 15.0) -> float:
    """Waits until `pid` used < 5 % of a core over half a second (at most `timeout` seconds);
    returns the seconds waited."""
    began = time.monotonic()
    last = cpu_seconds(pid)
    while time.monotonic() - began < timeout:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.025:
            break
        last = now
    return time.monotonic() - began
