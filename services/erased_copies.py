"""Copies of erased details held in payloads (`COPIES` in models/personal_data.py): webhook
deliveries kept for the host to inspect, and outbox events not yet published because the bus was
unreachable. Run inside the erasing transaction, so nothing is published or kept unredacted
once the erasure has committed. A pending webhook delivery is sent redacted from then on (same
`deliveryId`: its body differs from an attempt made before the erasure)."""

from collections.abc import Iterable, Mapping
from typing import Any

from tortoise import Tortoise
from tortoise.models import Model

from models.personal_data import COPIES, Copy


def found_by(model_name: str) -> list[str]:
    """The fields of a row its copies are found by (besides its id)."""
    return sorted({copy.by for copy in COPIES.get(model_name, ())})


def _about(obj: Any, copy: Copy, ids: set[int]) -> bool:
    if not isinstance(obj, dict):
        return False
    ref = obj.get(copy.ids)
    refs = ref if isinstance(ref, list) else [ref]
    return any(isinstance(r, int) and r in ids for r in refs)


def _redacted(payload: Any, copy: Copy, ids: set[int], erased: Mapping[str, Any]) -> Any:
    """`payload` with the copied values overwritten, or None when it holds no copy of `ids`."""
    obj = payload.get(copy.at) if copy.at and isinstance(payload, dict) else payload
    if not _about(obj, copy, ids):
        return None
    changed = False
    for key, field in copy.keys.items():
        if field in erased and obj.get(key) is not None and obj[key] != erased[field]:
            obj[key] = erased[field]
            changed = True
    return payload if changed else None


async def redact(
    model_name: str, rows: Iterable[Mapping[str, Any]], erased: Mapping[str, Any]
) -> int:
    """Overwrites the copies of `rows` (each with its id and the `found_by` fields) with the
    values their originals were erased with; fields `erased` leaves out stay. Returns how many
    payloads changed."""
    rows = list(rows)
    ids = {row["id"] for row in rows}
    models: dict[str, type[Model]] = dict(Tortoise.apps["models"])
    changed = 0
    for copy in COPIES.get(model_name, ()) if ids else ():
        holder = models[copy.holder]
        near = sorted({copy.place(row[copy.by]) for row in rows})
        candidates = await holder.filter(**{f"{copy.within}__in": near}).values_list(
            "id", flat=True
        )
        # Locked (PostgreSQL): a publisher holding one finishes first, one arriving later waits
        # for this transaction and then sees the redacted payload.
        for held in await holder.filter(id__in=list(candidates)).select_for_update():
            payload = _redacted(getattr(held, copy.field), copy, ids, erased)
            if payload is not None:
                await holder.filter(id=held.pk).update(**{copy.field: payload})
                changed += 1
    return changed
