"""The production recipe (Dockerfile, compose.yaml) and the README's settings table stay
consistent with config.py: no container runtime here, so the files themselves are checked."""

import json
import re
from urllib.parse import urlsplit

import yaml

from config import Settings, documented
from tests.conftest import ROOT

SETTINGS = {doc.env for doc in documented()}
# The interpreter's and pip's own variables, not the application's.
RUNTIME = re.compile(r"^(PYTHON|PIP_)")


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (parts[0].upper(), parts[1].strip() if len(parts) > 1 else "")
        for parts in (line.strip().split(None, 1) for line in joined.splitlines() if line.strip())
    ]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile():
        if instruction == "ENV":
            env |= dict(pair.split("=", 1) for pair in arguments.split())
    return env


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_every_variable_the_dockerfile_sets_is_a_setting():
    env = dockerfile_env()
    app_variables = {name for name in env if not RUNTIME.match(name)}
    assert app_variables and app_variables <= SETTINGS, app_variables - SETTINGS
    settings = Settings.from_env({k: v for k, v in env.items() if k in SETTINGS})
    assert settings.host == "0.0.0.0" and settings.workers > 1
    assert settings.log_format == "json"


def test_the_image_is_slim_unprivileged_and_serves_through_the_cli():
    instructions = dockerfile()
    (base,) = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", base)
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    (command,) = [json.loads(a) for i, a in instructions if i == "CMD"]
    assert command == ["python", "server.py", "serve"]
    (exposed,) = [arguments for instruction, arguments in instructions if instruction == "EXPOSE"]
    assert exposed == dockerfile_env()["PORT"]
    (health,) = [
        arguments for instruction, arguments in instructions if instruction == "HEALTHCHECK"
    ]
    assert "/healthz" in json.loads(health.split("CMD", 1)[1])[-1]


def test_every_variable_compose_sets_for_the_app_is_a_setting():
    services = compose()["services"]
    app = services["app"]
    assert app["build"] == "."
    env = {name: str(value) for name, value in app["environment"].items()}
    assert set(env) <= SETTINGS, set(env) - SETTINGS
    # ${VAR:?message} and ${VAR:-default} stand for what the operator exports.
    resolved = {
        name: re.sub(r"\$\{(\w+):[?-][^}]*\}", lambda m: f"{m.group(1).lower()}-value", value)
        for name, value in env.items()
    }
    settings = Settings.from_env(resolved)
    database, redis = urlsplit(settings.database_url), urlsplit(settings.redis_url or "")
    assert database.scheme == "postgres" and database.hostname in services
    assert redis.scheme == "redis" and redis.hostname in services
    assert set(app["depends_on"]) == {database.hostname, redis.hostname}
    published = {mapping.split(":")[-1] for mapping in app["ports"]}
    assert published == {str(settings.port)}
    db = services[database.hostname]["environment"]
    assert (database.username, database.path.lstrip("/")) == (
        db["POSTGRES_USER"],
        db["POSTGRES_DB"],
    )


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    documented_names = {
        name for line in table for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    }
    assert documented_names == SETTINGS, (SETTINGS - documented_names, documented_names - SETTINGS)
