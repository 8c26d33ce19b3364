"""What ingest last wrote on conduct cases, in the status vocabulary of version 2.

deals 0009 carried the conduct cases into the conduct vocabulary; this maps what ingest last
wrote on them (AppliedValues) the same way, so that an editor's value still reads as the editor's
and ingest's as ingest's on the next run. It lived in deals 0009 until deals stopped reaching
into ingest; a database that ran it there runs it again here, which changes nothing: every
mapped value is outside the mapping's keys (mapping twice gives what mapping once gave).
"""

from django.db import migrations

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
    """As deals 0009 maps an inquiry: an EC case at "Phase 1" with no outcome is unpublished."""
    if ec_default and stage == "phase_1" and not outcome:
        return "not_published", ""
    return CONDUCT_STAGES.get(stage, stage), CONDUCT_OUTCOMES.get(outcome, outcome)


def forwards(apps, schema_editor):
    Inquiry = apps.get_model("deals", "Inquiry")
    AppliedValues = apps.get_model("ingest", "AppliedValues")
    conduct = dict(Inquiry.objects.filter(kind="conduct").values_list("pk", "regulator__slug"))
    rows = AppliedValues.objects.filter(model="deals.inquiry", object_id__in=list(conduct))
    for applied in rows:
        if "stage" not in applied.values:
            continue
        values = dict(applied.values)
        values["stage"], values["outcome"] = conduct_values(
            values["stage"],
            values.get("outcome", ""),
            ec_default=conduct[applied.object_id] == "ec",
        )
        if values != applied.values:
            AppliedValues.objects.filter(pk=applied.pk).update(values=values)


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0004_press_filing"),
        ("deals", "0009_status_v2_carry_over"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
