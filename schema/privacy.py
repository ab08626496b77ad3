import strawberry

from domain.privacy import DataCategory as Category


@strawberry.type
class DataCategory:
    key: str
    name: str
    purpose: str
    legal_basis: str
    source: str
    retention_days: int | None

    @classmethod
    def from_domain(cls, c: Category) -> "DataCategory":
        return cls(
            key=c.category.value,
            name=c.name,
            purpose=c.purpose,
            legal_basis=c.legal_basis,
            source=c.source,
            retention_days=c.retention_days,
        )


@strawberry.type
class PrivacyInfo:
    controller: str
    contact_email: str
    categories: list[DataCategory]
