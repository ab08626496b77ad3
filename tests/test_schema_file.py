from pathlib import Path

from print_schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_graphql_is_fresh():
    assert SCHEMA_FILE.read_text() == sdl(), (
        "schema.graphql is stale: run `python print_schema.py > schema.graphql`"
    )
