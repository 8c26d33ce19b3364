"""Edit history: the django-simple-history pieces the models use beyond the stock ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history import signals as history_signals
from simple_history import utils as history_utils
from simple_history.models import HistoricalRecords

from . import row_writes


class M2MHistoricalRecords(HistoricalRecords):
    """django-simple-history's history, without two queries per history row it does not need
    (ingest writes an inquiry's history row twice per new inquiry: created, companies added).

    Upstream finds the through model from `history_instance.instance`, which reads the model's
    excluded fields back from the database; the saved `instance` has the same through model.
    And a row just created ("+") has no m2m rows yet to copy. The rows and signals are the same.
    """

    def create_historical_record_m2ms(self, history_instance, instance):
        for m2m in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[m2m]
            through_model = getattr(instance, m2m.name).through
            through_fields = through_model._meta.fields
            names = [f.name for f in through_fields]
            fk_names = [f.name for f in through_fields if isinstance(f, models.ForeignKey)]
            rows = []
            if history_instance.history_type != "+":
                rows = through_model.objects.filter(
                    **{history_utils.get_m2m_field_name(m2m): instance}
                ).select_related(*fk_names)
            insert_rows = [
                m2m_history_model(history=history_instance, **{n: getattr(row, n) for n in names})
                for row in rows
            ]
            history_signals.pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            history_signals.post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )


def history_insert(
    model: type[models.Model],
    objs: list[models.Model],
    *,
    update: bool = False,
    default_change_reason: str | None = "",
    default_date=None,
    ids: bool = False,
) -> list[int]:
    """`model.history.bulk_history_create(objs, ...)`: the same history rows, inserted by
    `row_writes.values_insert` (COPY on PostgreSQL, no model object per row) instead of
    `bulk_create`; with `ids`, returns their ids, in the order of `objs` (allocated first: a
    query more)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not objs:
        return []
    history = model.history.model
    tracked = [field.attname for field in history.tracked_fields]
    relation = hasattr(history, "history_relation")
    rows = []
    for instance in objs:
        user = getattr(instance, "_history_user", history.get_default_history_user(instance))
        row = {name: getattr(instance, name) for name in tracked}
        row.update(
            history_date=getattr(instance, "_history_date", default_date or timezone.now()),
            history_user_id=user.pk if user is not None else None,
            history_change_reason=history_utils.get_change_reason_from_object(instance)
            or default_change_reason,
            history_type="~" if update else "+",
        )
        if relation:
            row["history_relation_id"] = instance.pk
        rows.append(row)
    return row_writes.values_insert(history, rows, ids=ids)
