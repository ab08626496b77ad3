"""The supervisory authorities the seed names, and how soon each wants a breach reported."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Regulator:
    key: str
    name: str
    jurisdiction: str
    breach_report_hours: int


ICO = Regulator("ICO", "Information Commissioner's Office", "United Kingdom", 72)
# Data Protection Act (2021 Revision), s. 16: without undue delay, no later than five days.
OMBUDSMAN = Regulator("OMBUDSMAN", "Office of the Ombudsman", "Cayman Islands", 120)

REGULATORS: tuple[Regulator, ...] = (ICO, OMBUDSMAN)
BY_KEY = {regulator.key: regulator for regulator in REGULATORS}
