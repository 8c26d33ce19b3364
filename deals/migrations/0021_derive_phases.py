"""Derive and store every inquiry's phases and next deadline (deals/phases.py, pure) for the
rows that existed before phases were data; later saves keep them."""

from collections import defaultdict

from django.db import migrations

from deals import phases as phase_rule

CHUNK = 1000


def derive_all(apps, schema_editor):
    Inquiry = apps.get_model("deals", "Inquiry")
    Event = apps.get_model("deals", "Event")
    ClockStop = apps.get_model("deals", "ClockStop")
    Phase = apps.get_model("deals", "Phase")
    ids = list(Inquiry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        events = defaultdict(list)
        for row in Event.objects.filter(inquiry__in=chunk).order_by("occurred_on", "pk"):
            events[row.inquiry_id].append(
                phase_rule.EventFact(
                    row.kind, row.occurred_on, row.precision, row.deadline_on, row.source_url
                )
            )
        stops = defaultdict(list)
        for row in ClockStop.objects.filter(inquiry__in=chunk).order_by("stopped_on", "pk"):
            stops[row.inquiry_id].append((row.stopped_on, row.restarted_on))
        changed, phases = [], []
        for inquiry in Inquiry.objects.filter(pk__in=chunk).select_related("regulator", "deal"):
            derived = phase_rule.derive(
                phase_rule.PhaseFacts(
                    regulator=inquiry.regulator.slug,
                    kind=inquiry.kind,
                    stage=inquiry.stage,
                    outcome=inquiry.outcome,
                    superseded=bool(inquiry.superseded_by_id),
                    opened_on=inquiry.opened_on,
                    closed_on=inquiry.closed_on,
                    closed_precision=inquiry.closed_on_precision,
                    published_deadline=inquiry.deadline_on,
                    source_url=inquiry.source_url,
                    events=tuple(events[inquiry.pk]),
                    stops=tuple(stops[inquiry.pk]),
                    extended_by=inquiry.extended_by or 0,
                    cash_tender_offer=inquiry.cash_tender_offer,
                    deal_completed_on=inquiry.deal.completed_on if inquiry.deal_id else None,
                )
            )
            inquiry.next_deadline_on = derived.next_deadline_on
            inquiry.next_deadline_source = derived.next_deadline_source
            inquiry.next_deadline_phase = derived.next_deadline_phase
            inquiry.ended_before_completion = derived.ended_before_completion
            changed.append(inquiry)
            phases += [
                Phase(inquiry_id=inquiry.pk, position=position, **phase.as_row())
                for position, phase in enumerate(derived.phases)
            ]
        Inquiry.objects.bulk_update(
            changed,
            [
                "next_deadline_on",
                "next_deadline_source",
                "next_deadline_phase",
                "ended_before_completion",
            ],
            batch_size=500,
        )
        Phase.objects.filter(inquiry__in=chunk).delete()
        Phase.objects.bulk_create(phases, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("deals", "0020_phases_as_data")]

    operations = [migrations.RunPython(derive_all, migrations.RunPython.noop)]
