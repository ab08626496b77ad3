"""The transparency register (processors, storage locations, transfers, regulators) as published
versions: each takes effect at least a week after it is published, like a policy version."""

from tortoise import fields
from tortoise.models import Model

from models.user import User


class RegisterVersion(Model):
    id = fields.IntField(primary_key=True)
    # {"processors": [{name, purpose, location}], "storageLocations": [str],
    #  "transfers": [{destination, safeguard}], "regulators": [{key, name, jurisdiction,
    #  breachReportHours}]}: checked by domain/register.py before it is stored.
    content = fields.JSONField()
    effective_at = fields.DatetimeField(db_index=True)
    published_at = fields.DatetimeField()
    published_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="published_registers", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "register_versions"
