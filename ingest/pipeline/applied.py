"""What ingest wrote, and whether it may write again: an editor's correction is never overwritten.

AppliedValues holds, per object, the values ingest last wrote. A field is written again only
while it still holds that value (or is empty on an object someone else made); where the source
now says something else than an editor, the record lists it in `conflicts`.
"""

from __future__ import annotations

import datetime

from django.db.models import Model

from deals.models import Inquiry

from ..models import AppliedValues
from .batch import Batch, applied_upsert


def jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def merge(
    obj: Model,
    wanted: dict[str, object],
    *,
    applied: dict[str, object],
    created: bool,
    conflicts: dict,
    label: str,
) -> list[str]:
    """Set on `obj` the fields ingest may write; return the names of those it changed.

    Ingest may write a field of an object it created, a field that still holds what ingest last
    wrote, or an empty field of an object someone else made. Anything else is an editor's value:
    it stays, and a disagreement is noted in `conflicts`.
    """
    changed = []
    for name, value in wanted.items():
        current, new = jsonable(getattr(obj, name)), jsonable(value)
        conflicts.pop(f"{label}.{name}", None)
        if current == new:
            applied[name] = new
            continue
        if ours(obj, name, applied=applied, created=created):
            setattr(obj, name, value)
            applied[name] = new
            changed.append(name)
        elif new not in ("", None):
            conflicts[f"{label}.{name}"] = {"here": current, "source": new}
    return changed


def ours(obj: Model, name: str, *, applied: dict[str, object], created: bool) -> bool:
    """Whether ingest may write field `name` of `obj`: see `merge`."""
    current = jsonable(getattr(obj, name))
    if created or (name in applied and applied[name] == current):
        return True
    return name not in applied and current in ("", None)


# An inquiry's stage, outcome and closing date say one thing together: ingest writes them
# together or not at all, so that an editor's stage never ends up beside a source's outcome.
STATUS_FIELDS = ("stage", "outcome", "closed_on")


def status_held(
    inquiry: Inquiry, fields: dict[str, object], *, applied: dict, created: bool, conflicts: dict
) -> dict[str, object]:
    """`fields`, without the status fields when an editor changed any of those the source
    would change; the disagreement is noted in `conflicts`."""
    changing = [
        name
        for name in STATUS_FIELDS
        if name in fields and jsonable(getattr(inquiry, name)) != jsonable(fields[name])
    ]
    if all(ours(inquiry, name, applied=applied, created=created) for name in changing):
        return fields
    for name in STATUS_FIELDS:
        conflicts.pop(f"inquiry.{name}", None)
        if name in changing and fields[name] not in ("", None):
            here, source = jsonable(getattr(inquiry, name)), jsonable(fields[name])
            conflicts[f"inquiry.{name}"] = {"here": here, "source": source}
    return {name: value for name, value in fields.items() if name not in STATUS_FIELDS}


def applied_of(obj: Model, *, batch: Batch) -> dict:
    """What ingest last wrote on `obj` (a copy): the batch's pending values, else the stored."""
    key = (obj._meta.label_lower, obj.pk)
    values = batch.applied_values(key)
    if values is None:
        row = AppliedValues.objects.filter(model=key[0], object_id=key[1]).first()
        values = row.values if row else {}
    return dict(values)


def applied_store(obj: Model, values: dict, *, batch: Batch) -> None:
    """Remember what ingest wrote on `obj`: when the batch ends, or at once outside a run."""
    key = (obj._meta.label_lower, obj.pk)
    if obj.pk is None:  # held back to be inserted in bulk: stored under its id when it has one
        batch.pending_applied.append((obj, dict(values)))
    elif batch.deferred:
        batch.applied_now[key] = dict(values)
    else:
        applied_upsert({key: values})
