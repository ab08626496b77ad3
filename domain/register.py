"""The transparency register `privacyInfo` shows: who processes personal data for us, where it is
stored, how it crosses borders, and who supervises us. The seed's facts are the defaults; the
operator publishes changes as versions (services/register.py), each a week ahead like a policy."""

from dataclasses import dataclass
from typing import Any

from domain import validation
from domain.errors import BadUserInput
from domain.regulators import REGULATORS, Regulator


@dataclass(frozen=True, slots=True)
class Processor:
    name: str
    purpose: str
    location: str


@dataclass(frozen=True, slots=True)
class Transfer:
    destination: str
    safeguard: str


@dataclass(frozen=True, slots=True)
class Register:
    processors: tuple[Processor, ...]
    storage_locations: tuple[str, ...]
    transfers: tuple[Transfer, ...]
    regulators: tuple[Regulator, ...]


DEFAULT = Register(
    processors=(
        Processor(
            "DigitalOcean",
            "Hosting: the servers and databases that run the service and keep its data.",
            "United States",
        ),
    ),
    storage_locations=("Primarily the United States", "Occasionally other countries"),
    transfers=(
        Transfer(
            "United States and the other countries where our hosting provider operates",
            "Standard contractual clauses (with the UK International Data Transfer Addendum) "
            "in our data processing agreement with the provider.",
        ),
    ),
    regulators=REGULATORS,
)

MAX_ITEMS = 50
MAX_HOURS = 24 * 30


def to_json(register: Register) -> dict[str, Any]:
    return {
        "processors": [
            {"name": p.name, "purpose": p.purpose, "location": p.location}
            for p in register.processors
        ],
        "storageLocations": list(register.storage_locations),
        "transfers": [
            {"destination": t.destination, "safeguard": t.safeguard} for t in register.transfers
        ],
        "regulators": [
            {
                "key": r.key,
                "name": r.name,
                "jurisdiction": r.jurisdiction,
                "breachReportHours": r.breach_report_hours,
            }
            for r in register.regulators
        ],
    }


def from_json(content: dict[str, Any]) -> Register:
    return Register(
        processors=tuple(Processor(**p) for p in content["processors"]),
        storage_locations=tuple(content["storageLocations"]),
        transfers=tuple(Transfer(**t) for t in content["transfers"]),
        regulators=tuple(
            Regulator(r["key"], r["name"], r["jurisdiction"], r["breachReportHours"])
            for r in content["regulators"]
        ),
    )


def _text(value: str, field: str, max_length: int = 300) -> str:
    return validation.text(value, field=field, max_length=max_length)


def _count(items: tuple[Any, ...] | list[Any], field: str, *, at_least: int) -> None:
    if not at_least <= len(items) <= MAX_ITEMS:
        raise BadUserInput(field, f"{at_least} to {MAX_ITEMS} entries")


def checked(register: Register) -> Register:
    """The register as given, its text trimmed; BAD_USER_INPUT naming the first wrong field."""
    _count(register.processors, "processors", at_least=0)
    _count(register.storage_locations, "storageLocations", at_least=1)
    _count(register.transfers, "internationalTransfers", at_least=0)
    _count(register.regulators, "regulators", at_least=1)
    keys = [r.key.strip().upper() for r in register.regulators]
    if len(set(keys)) != len(keys):
        raise BadUserInput("regulators", "each regulator's key once")
    regulators = []
    for key, r in zip(keys, register.regulators, strict=True):
        if not key.replace("_", "").isalnum() or len(key) > 20:
            raise BadUserInput("regulators.key", "letters, digits and _, at most 20")
        if not 1 <= r.breach_report_hours <= MAX_HOURS:
            raise BadUserInput("regulators.breachReportHours", f"1 to {MAX_HOURS}")
        regulators.append(
            Regulator(
                key,
                _text(r.name, "regulators.name"),
                _text(r.jurisdiction, "regulators.jurisdiction"),
                r.breach_report_hours,
            )
        )
    return Register(
        processors=tuple(
            Processor(
                _text(p.name, "processors.name", 200),
                _text(p.purpose, "processors.purpose"),
                _text(p.location, "processors.location", 200),
            )
            for p in register.processors
        ),
        storage_locations=tuple(
            _text(s, "storageLocations", 200) for s in register.storage_locations
        ),
        transfers=tuple(
            Transfer(
                _text(t.destination, "internationalTransfers.destination"),
                _text(t.safeguard, "internationalTransfers.safeguard", 1000),
            )
            for t in register.transfers
        ),
        regulators=tuple(regulators),
    )
