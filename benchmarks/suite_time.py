"""Wall time of the README's test pass (SQLite, in-process bus) at two commits, side by side.

    .venv/bin/python benchmarks/suite_time.py OLD NEW [--rounds N] [-- PYTEST ARGS]

Checks both commits out into temporary worktrees and runs `pytest -p no:randomly` in each (the
README's `pytest`, quiet through the project's addopts), interleaved (old, new, then new, old,
...) so that a change in the machine's load hits both alike, with this Python (its environment
must hold both commits' dependencies). Prints every run, the medians and new/old. Goal of issue
#15: at most 0.60. Run by hand, not in CI.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The SQLite pass: no PostgreSQL, no Redis, whatever this shell has exported.
DROPPED = ("TEST_DATABASE", "TEST_REDIS_URL", "TEST_POSTGRES_URL")


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def timed_run(tree: Path, pytest_args: list[str]) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", *pytest_args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    return elapsed, (lines[-1] if lines else f"exit {done.returncode}: {done.stderr[-500:]}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="commit of the baseline, e.g. main")
    parser.add_argument("new", help="commit to compare, e.g. HEAD")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each commit (default 1)")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")
    args = parser.parse_args(argv)
    commits = {"old": git("rev-parse", args.old), "new": git("rev-parse", args.new)}
    times: dict[str, list[float]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="suite-time-") as scratch:
        trees = {name: Path(scratch) / name for name in commits}
        for name, commit in commits.items():
            git("worktree", "add", "--detach", str(trees[name]), commit)
        try:
            for round_number in range(args.rounds):
                order = ["old", "new"] if round_number % 2 == 0 else ["new", "old"]
                for name in order:
                    elapsed, summary = timed_run(trees[name], args.pytest_args)
                    times[name].append(elapsed)
                    print(f"{name} {commits[name][:10]}: {elapsed:7.1f} s  {summary}", flush=True)
        finally:
            for tree in trees.values():
                git("worktree", "remove", "--force", str(tree))
    old, new = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"median old {old:.1f} s, new {new:.1f} s, new/old {new / old:.2f} (goal <= 0.60)")


if __name__ == "__main__":
    main(sys.argv[1:])
