"""Carry existing rows into the status model of version 2 (docs/statuses.md).

- Conduct cases get the conduct vocabulary: "prohibited" was a fine or infringement decision,
  "cleared with remedies" accepted commitments, and so on. What ingest last wrote on them is
  mapped the same way by ingest's own migration (ingest 0005): deals reaches into no app above.
- An EC conduct case left at "Phase 1" without an outcome only said that the open-data dump
  published no decision: its state is "not published", not open.
- A deal one of whose merger reviews ended "abandoned" was abandoned: its life says so, dated.
- Each inquiry's last activity and every deal's status are computed by the new rule.
- Editors may delete an inquiry entered by mistake.
"""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import Max

from deals import status as status_rule

CONDUCT_STAGES = {
    "informal": "investigation",
    "prenotification": "investigation",
    "phase_1": "investigation",
    "phase_2": "investigation",
    "remedies": "commitments",
}
CONDUCT_OUTCOMES = {
    "prohibited": "infringement",
    "cleared_with_remedies": "commitments",
    "cleared": "closed_no_action",
    "not_qualifying": "closed_no_action",
    "abandoned": "closed_no_action",
    "referred": "closed_no_action",
}


def conduct_values(stage: str, outcome: str, *, ec_default: bool) -> tuple[str, str]:
    if ec_default and stage == "phase_1" and not outcome:
        return "not_published", ""
    return CONDUCT_STAGES.get(stage, stage), CONDUCT_OUTCOMES.get(outcome, outcome)


def forwards(apps, schema_editor):
    Inquiry = apps.get_model("deals", "Inquiry")
    Deal = apps.get_model("deals", "Deal")
    Event = apps.get_model("deals", "Event")

    for inquiry in Inquiry.objects.filter(kind="conduct").select_related("regulator"):
        ec_default = inquiry.regulator.slug == "ec"
        stage, outcome = conduct_values(inquiry.stage, inquiry.outcome, ec_default=ec_default)
        if (stage, outcome) != (inquiry.stage, inquiry.outcome):
            Inquiry.objects.filter(pk=inquiry.pk).update(stage=stage, outcome=outcome)

    latest = dict(
        Event.objects.filter(inquiry__isnull=False)
        .values_list("inquiry")
        .annotate(latest=Max("occurred_on"))
        .values_list("inquiry", "latest")
    )
    for inquiry in Inquiry.objects.all():
        days = [day for day in (latest.get(inquiry.pk), inquiry.opened_on) if day]
        Inquiry.objects.filter(pk=inquiry.pk).update(last_activity_on=max(days) if days else None)

    abandoned = (
        Inquiry.objects.filter(outcome="abandoned", deal__abandoned_on__isnull=True)
        .exclude(kind__in=["conduct", "informal_review", "market_study"])
        .values_list("deal")
        .annotate(on=Max("closed_on"))
    )
    for deal_id, on in abandoned:
        if on:
            Deal.objects.filter(pk=deal_id).update(abandoned_on=on)

    today = datetime.date.today()
    dormant_after = datetime.timedelta(days=settings.INFORMAL_LOOK_DORMANT_AFTER_DAYS)
    for deal in Deal.objects.prefetch_related("inquiries"):
        facts = status_rule.DealFacts(
            completed_on=deal.completed_on,
            abandoned_on=deal.abandoned_on,
            unwound_on=deal.unwound_on,
        )
        inquiries = [
            status_rule.InquiryFacts(
                kind=inquiry.kind,
                stage=inquiry.stage,
                outcome=inquiry.outcome,
                decision_status=inquiry.decision_status,
                superseded=bool(inquiry.superseded_by_id),
                last_activity_on=inquiry.last_activity_on,
            )
            for inquiry in deal.inquiries.all()
        ]
        status = status_rule.overall_status(
            facts, inquiries, today=today, dormant_after=dormant_after
        )
        Deal.objects.filter(pk=deal.pk).update(antitrust_status=status)

    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.filter(name="Editors").first()
    delete_inquiry = Permission.objects.filter(
        content_type__app_label="deals", codename="delete_inquiry"
    ).first()
    if editors and delete_inquiry:
        editors.permissions.add(delete_inquiry)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0008_status_v2"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
