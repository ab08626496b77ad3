"""Imports run one way: transport -> schema/resolvers/subscriptions -> services -> events -> models
-> domain. Read from the source of every module (no module is imported to check it)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer may not import (a top-level package or module name).
TRANSPORT = {"server", "graphql_app", "web"}
GRAPHQL = {"schema", "resolvers", "subscriptions"}
FORBIDDEN = {
    "services": TRANSPORT | GRAPHQL,
    "events": TRANSPORT | GRAPHQL | {"services"},
    "models": TRANSPORT | GRAPHQL | {"services", "events"},
    # Pure rules: no ORM, GraphQL, network or process I/O, nor any layer above.
    "domain": TRANSPORT
    | GRAPHQL
    | {"services", "events", "models", "db", "config", "observability"}
    | {"tortoise", "strawberry", "graphql", "starlette", "uvicorn", "aiohttp", "httpx"}
    | {"redis", "asyncpg", "aiosqlite", "sqlite3", "socket", "subprocess", "asyncio"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in sorted(imported_roots(path) & FORBIDDEN[layer]):
            found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_one_above_it(layer: str) -> None:
    assert (ROOT / layer).is_dir()
    assert violations(layer) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "upward.py"
    module.write_text("import os\nfrom subscriptions.fanout import FanOut\nimport schema.root\n")
    assert imported_roots(module) >= {"subscriptions", "schema"}
    assert not imported_roots(module) & {"fanout", "root"}


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_only_the_outbox_writes_outbox_rows_and_only_events_publish() -> None:
    """Every write path goes through `events.outbox.write`, so the unit of work around each
    operation and job publishes it; nothing publishes to the bus behind its back."""
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "benchmarks", "migrations", ".venv", "events"}:
            continue
        if "OutboxEvent" in imported_names(path):
            offenders.append(f"{relative} imports OutboxEvent")
        if re.search(r"\bbus\.publish\(", path.read_text(encoding="utf-8")):
            offenders.append(f"{relative} publishes to the bus")
    assert offenders == []
