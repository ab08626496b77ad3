"""The transparency register in GraphQL: what `privacyInfo` shows and `publishPrivacyRegister`
takes (domain/register.py)."""

from datetime import datetime

import strawberry

from domain import register
from domain.regulators import Regulator
from services.register import Published


@strawberry.type(name="Processor")
class ProcessorType:
    name: str = strawberry.field(description="Who processes personal data on our behalf.")
    purpose: str = strawberry.field(description="What they do with it for us.")
    location: str = strawberry.field(description="Where they process it.")


@strawberry.type(name="Regulator")
class RegulatorType:
    name: str = strawberry.field(description="The supervisory authority.")
    jurisdiction: str = strawberry.field(description="The country or territory it supervises.")
    breach_report_hours: int = strawberry.field(
        description="A personal-data breach is reported to it within this many hours."
    )


@strawberry.type(name="InternationalTransfer")
class InternationalTransferType:
    destination: str = strawberry.field(description="Where personal data goes across a border.")
    safeguard: str = strawberry.field(description="What protects it there.")


@strawberry.type(name="PrivacyRegister")
class PrivacyRegisterType:
    processors: list[ProcessorType] = strawberry.field(description="Our processors.")
    storage_locations: list[str] = strawberry.field(description="Where personal data is stored.")
    international_transfers: list[InternationalTransferType] = strawberry.field(
        description="Transfers to other countries and their safeguards."
    )
    regulators: list[RegulatorType] = strawberry.field(
        description="The supervisory authorities, with their breach-report deadlines."
    )
    effective_at: datetime | None = strawberry.field(
        description="When this version takes (or took) effect; null: the defaults, always."
    )

    @classmethod
    def from_published(cls, published: Published) -> "PrivacyRegisterType":
        r = published.register
        return cls(
            processors=[ProcessorType(name=p.name, purpose=p.purpose, location=p.location)
                        for p in r.processors],
            storage_locations=list(r.storage_locations),
            international_transfers=[
                InternationalTransferType(destination=t.destination, safeguard=t.safeguard)
                for t in r.transfers
            ],
            regulators=[
                RegulatorType(name=g.name, jurisdiction=g.jurisdiction,
                              breach_report_hours=g.breach_report_hours)
                for g in r.regulators
            ],
            effective_at=published.effective_at,
        )  # fmt: skip


@strawberry.input(name="ProcessorInput", description="A processor of the register.")
class ProcessorInput:
    name: str = strawberry.field(description="At most 200 characters.")
    purpose: str = strawberry.field(description="At most 300 characters.")
    location: str = strawberry.field(description="At most 200 characters.")


@strawberry.input(name="RegulatorInput", description="A supervisory authority of the register.")
class RegulatorInput:
    key: str = strawberry.field(
        description="Its short name (letters, digits, _; e.g. ICO), unique in the register."
    )
    name: str = strawberry.field(description="At most 300 characters.")
    jurisdiction: str = strawberry.field(description="At most 300 characters.")
    breach_report_hours: int = strawberry.field(description="1 to 720.")


@strawberry.input(
    name="InternationalTransferInput", description="A transfer abroad of the register."
)
class InternationalTransferInput:
    destination: str = strawberry.field(description="At most 300 characters.")
    safeguard: str = strawberry.field(description="At most 1,000 characters.")


@strawberry.input(
    name="PrivacyRegisterInput",
    description="A whole new version of the register (it replaces the current one).",
)
class PrivacyRegisterInput:
    processors: list[ProcessorInput] = strawberry.field(description="0 to 50.")
    storage_locations: list[str] = strawberry.field(description="1 to 50.")
    international_transfers: list[InternationalTransferInput] = strawberry.field(
        description="0 to 50."
    )
    regulators: list[RegulatorInput] = strawberry.field(description="1 to 50.")

    def to_domain(self) -> register.Register:
        return register.Register(
            processors=tuple(register.Processor(p.name, p.purpose, p.location)
                             for p in self.processors),
            storage_locations=tuple(self.storage_locations),
            transfers=tuple(register.Transfer(t.destination, t.safeguard)
                            for t in self.international_transfers),
            regulators=tuple(Regulator(g.key, g.name, g.jurisdiction, g.breach_report_hours)
                             for g in self.regulators),
        )  # fmt: skip
