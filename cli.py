"""`python server.py COMMAND`: the operator's commands, each with its --help.

A setting that cannot work is reported in one line that names it, with exit status 2; a command
that fails for another reason prints one line and exits with 1.
"""

import argparse
import asyncio
import sys
from collections.abc import Callable

import backups
import db
import preflight
from config import ConfigError, Settings, documented

Command = Callable[[argparse.Namespace], None]


def _settings() -> Settings:
    return Settings.from_env()


def _with_database(settings: Settings) -> Settings:
    asyncio.run(preflight.check_database(settings.database_url))
    return settings


def serve(args: argparse.Namespace) -> None:
    import server  # the ASGI app is only needed here

    settings = _settings()
    preflight.check_tls(settings)
    # Before migrations run: a taken port should not cost a migration first.
    preflight.check_port(settings.host, settings.port)
    asyncio.run(preflight.check_services(settings))
    server.serve(settings)


def migrate(args: argparse.Namespace) -> None:
    settings = _with_database(_settings())

    async def run() -> None:
        await db.start_database(settings)
        await db.stop_database()

    asyncio.run(run())
    print("migrations applied")


def makemigrations(args: argparse.Namespace) -> None:
    from server import make_migrations

    asyncio.run(make_migrations())


def create_admin(args: argparse.Namespace) -> None:
    from server import create_admin as make_admin

    asyncio.run(make_admin(_with_database(_settings()), args.email))


def seed(args: argparse.Namespace) -> None:
    import seed as demo

    settings = _with_database(_settings())
    asyncio.run(demo.main(settings, ["--password", args.password] if args.password else []))


def backup(args: argparse.Namespace) -> None:
    settings = _with_database(_settings())
    print(asyncio.run(backups.run_backup(settings)))


def restore(args: argparse.Namespace) -> None:
    settings = _with_database(_settings())
    reapplied = asyncio.run(backups.run_restore(settings, args.file))
    print(
        f"restored {args.file}; erasures made since applied again: {reapplied.accounts} "
        f"accounts, {reapplied.addresses} addresses, {reapplied.clients} clients"
    )


def list_settings(args: argparse.Namespace) -> None:
    docs = list(documented())
    env_width = max(len(doc.env) for doc in docs)
    default_width = max(len(doc.default) for doc in docs)
    print(f"{'variable':<{env_width}}  {'default':<{default_width}}  meaning")
    for doc in docs:
        print(f"{doc.env:<{env_width}}  {doc.default:<{default_width}}  {doc.meaning}")


COMMANDS: dict[str, tuple[Command, str]] = {
    "serve": (serve, "run the server (the default): checks settings, migrates, listens"),
    "migrate": (migrate, "apply pending database migrations and exit"),
    "makemigrations": (makemigrations, "write a migration for model changes"),
    "create-admin": (create_admin, "make an existing account staff"),
    "seed": (seed, "fill the database with a demo host, event types and bookings"),
    "backup": (backup, "write a database snapshot into BACKUP_DIR, delete expired ones"),
    "restore": (restore, "replace the database's content with a snapshot from backup"),
    "settings": (list_settings, "list every setting (environment variable) with its default"),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python server.py",
        description="Book N Meet: the GraphQL booking server and its operator commands.",
        epilog="Settings come from environment variables: `python server.py settings` lists them.",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    parsers = {
        name: commands.add_parser(name, help=summary, description=summary.capitalize() + ".")
        for name, (_, summary) in COMMANDS.items()
    }
    parsers["create-admin"].add_argument("email", help="the e-mail address of the account")
    parsers["seed"].add_argument(
        "--password", help="the demo host's password (else random when created, then kept)"
    )
    parsers["restore"].add_argument("file", help="a snapshot written by `backup`")
    return top


def main(argv: list[str]) -> None:
    args = parser().parse_args(argv)
    command, _ = COMMANDS[args.command or "serve"]
    try:
        command(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    except backups.BackupError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        sys.exit(1)
