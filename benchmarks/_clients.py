"""Client processes for the benchmarks: spawned children (uvloop when installed, the fd limit
raised) that each run a coroutine answering the parent's commands on a pipe, so that thousands of
client connections do not share one event loop with the benchmark itself. Used by fanout.py and
load.py.

The coroutine is `main(pipe, *args)`: it reads commands (tuples, the first item a name) with
`next_command(pipe)` and sends one reply per command; on ("close",) it closes its connections,
replies and returns.
"""

import asyncio
import contextlib
import multiprocessing as mp
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from multiprocessing.connection import Connection as Pipe
from typing import Any

from benchmarks import _server


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Runs `coroutine` to its end on uvloop, or on asyncio's loop without uvloop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _worker(
    pipe: Pipe, main: Callable[..., Coroutine[Any, Any, None]], args: tuple[Any, ...]
) -> None:
    _server.raise_fd_limit()
    run_async(main(pipe, *args))


async def next_command(pipe: Pipe) -> tuple[Any, ...]:
    """The parent's next command (without blocking the event loop)."""
    return tuple(await asyncio.get_running_loop().run_in_executor(None, pipe.recv))


async def failures(attempts: Iterable[Awaitable[Any]]) -> dict[str, int]:
    """Runs `attempts` at once: how many of them raised, by exception type and message."""
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    return dict(
        Counter(
            f"{type(o).__name__}: {str(o)[:120]}" for o in outcomes if isinstance(o, BaseException)
        )
    )


class ClientProcesses:
    """One spawned process per item of `shares`, each running `main(pipe, *share)`; `name` (as
    in "client process 123 died") names them in errors. `main` must be importable by the
    children: a module-level function (of the benchmark script itself is fine)."""

    def __init__(
        self,
        main: Callable[..., Coroutine[Any, Any, None]],
        shares: Sequence[tuple[Any, ...]],
        name: str = "client",
    ) -> None:
        context = mp.get_context("spawn")
        self.name = name
        self.pipes: list[Pipe] = []
        self.processes: list[Any] = []
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(target=_worker, args=(child, main, share), daemon=True)
            process.start()
            child.close()
            self.pipes.append(parent)
            self.processes.append(process)

    def ask(
        self,
        command: tuple[Any, ...],
        timeout: float,
        server: _server.Child | None = None,
    ) -> list[tuple[Any, ...]]:
        """Sends `command` to every process and returns their replies, in order; gives up early
        if one of them or the `server` dies."""
        for pipe in self.pipes:
            pipe.send(command)
        deadline = time.monotonic() + timeout
        replies = []
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            while not pipe.poll(0.2):
                if server is not None and not server.alive():
                    raise RuntimeError(f"server exited (code {server.process.returncode})")
                if not process.is_alive():
                    raise RuntimeError(
                        f"{self.name} process {process.pid} died ({process.exitcode})"
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{self.name} process {process.pid} did not answer {command[0]}"
                    )
            replies.append(pipe.recv())
        return replies

    def cpu_seconds(self) -> float:
        """User + system CPU time of the processes so far."""
        return sum(_server.cpu_seconds(p.pid) for p in self.processes if p.pid)

    def stop(self) -> None:
        """("close",) to all (if all are alive), then join them: terminate, kill if need be."""
        with contextlib.suppress(Exception):
            if all(p.is_alive() for p in self.processes):
                self.ask(("close",), 30)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for pipe in self.pipes:
            pipe.close()
