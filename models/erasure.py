"""What must outlive a restore: the erasure ledger, and the record of the snapshots taken."""

from tortoise import fields
from tortoise.models import Model


class ErasureEntry(Model):
    # One erasure, by keyed hashes only (services/erasure_ledger.py): a restore applies it again
    # to every matching row written before `erased_at`, so an erased person never comes back.
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # ACCOUNT, ADDRESS, CLIENT
    digest = fields.CharField(max_length=64, db_index=True)  # HMAC-SHA256, hex
    erased_at = fields.DatetimeField()

    class Meta:
        table = "erasure_ledger"
        unique_together = (("kind", "digest", "erased_at"),)


class BackupSnapshot(Model):
    # A snapshot file written by `python server.py backup`; `deleted_at` once retention removed it.
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    taken_at = fields.DatetimeField()
    size_bytes = fields.BigIntField()
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "backup_snapshots"
