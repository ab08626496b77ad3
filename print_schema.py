"""Prints the SDL of the schema; `python print_schema.py > schema.graphql` refreshes the file."""

from strawberry.printer import print_schema

from config import Settings
from schema.root import build_schema


def sdl() -> str:
    return print_schema(build_schema(Settings())) + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
