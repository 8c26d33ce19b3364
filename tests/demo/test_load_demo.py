"""`manage.py load_demo`: real deals with their inquiries and sourced events, loaded once.

The demo is loaded once for the module (the `demo_world` fixture, tests/conftest.py); each test
runs in its own savepoint, so one that corrects or changes a row leaves the world as loaded
for the next."""

import ast
import dataclasses
import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

import demo.data
from deals.models import Company, CompanyAlias, Deal, Event, Inquiry, Party, StatusChange
from deals.vocabulary import AntitrustStatus, EventKind, Outcome, Stage
from demo.data import DEMO
from demo.loader import demo_data_load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]

MODELS = (Company, CompanyAlias, Deal, Party, Inquiry, Event)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {
        f"{model.__name__} history": model.history.count()
        for model in MODELS
        if hasattr(model, "history")
    }
    return counts


def test_it_loads_at_least_twelve_real_deals():
    titles = set(Deal.objects.values_list("title", flat=True))
    assert len(titles) >= 19
    assert {
        "Microsoft / Mistral AI",
        "Microsoft / OpenAI",
        "Microsoft / Inflection AI",
        "Amazon / Anthropic",
        "Alphabet / Anthropic",
        "Microsoft / Activision Blizzard",
        "Adobe / Figma",
        "Amazon / iRobot",
        "Illumina / Grail",
        "NVIDIA / Arm",
        "Broadcom / VMware",
        "Google / Fitbit",
        "HPE / Juniper Networks",
        "NVIDIA / Run:ai",
        # 2025-2026: a review still open, recent clearances, recent abandonments.
        "Google / Wiz",
        "Netflix / Warner Bros. Discovery",
        "Paramount / Warner Bros. Discovery",
        "Getty Images / Shutterstock",
        "Mars / Kellanova",
    } <= titles


def test_the_command_prints_a_one_line_summary(demo_world):
    output = demo_world.output  # what the module's first load printed
    assert re.fullmatch(
        r"companies=\d+ deals=\d+ inquiries=\d+ events=\d+ created=\d+ updated=0 unchanged=0\n",
        output,
    )
    assert f"deals={Deal.objects.count()} inquiries={Inquiry.objects.count()}" in output
    assert f"events={Event.objects.count()}" in output


def test_mistral_has_the_ecs_dormant_look_and_the_cmas_closed_review():
    deal = Deal.objects.get(title="Microsoft / Mistral AI")
    ec = deal.inquiries.get(regulator__slug="ec")
    cma = deal.inquiries.get(regulator__slug="cma")

    assert (ec.reference, ec.kind, ec.stage, ec.outcome) == ("", "informal_review", "informal", "")
    assert ec.is_open and ec.is_dormant  # its only event is of 27 February 2024
    assert "which we will analyze" in ec.status_wording
    assert (cma.stage, cma.outcome) == (Stage.CLOSED, Outcome.NOT_QUALIFYING)
    assert (cma.opened_on, cma.closed_on) == (
        datetime.date(2024, 4, 24),
        datetime.date(2024, 5, 17),
    )
    assert cma.reference == ""  # the case page slug is unconfirmed
    # DOMAIN.md, version 2: an informal look is context, not a review; the only review found
    # the deal did not qualify.
    assert deal.antitrust_status == AntitrustStatus.NOT_REVIEWABLE


def test_mistral_timeline_is_dated_and_sourced():
    timeline = list(Deal.objects.get(slug="microsoft-mistral-ai").timeline())
    assert [(e.occurred_on.isoformat(), e.kind) for e in timeline] == [
        ("2024-02-26", EventKind.ANNOUNCED),
        ("2024-02-27", EventKind.OTHER),  # the EUR 15m investment, disclosed the next day
        ("2024-02-27", EventKind.PRESS),
        ("2024-04-24", EventKind.COMMENT_INVITED),
        ("2024-05-17", EventKind.DECISION),
    ]


def test_running_it_twice_creates_nothing_and_writes_no_history():
    before = row_counts()

    output = load_demo()

    assert row_counts() == before
    assert " created=0 updated=0 " in output


def test_every_inquiry_and_event_keeps_its_public_source():
    assert Event.objects.exists()
    for event in Event.objects.all():
        assert event.source_url.startswith("http"), event
    for inquiry in Inquiry.objects.all():
        assert inquiry.source_url.startswith("http"), inquiry


def test_company_events_belong_to_the_deal_and_regulator_events_to_an_inquiry():
    announced = Deal.objects.exclude(announced_on=None)
    assert announced.count() >= 9
    for deal in announced:
        event = deal.events.get(kind=EventKind.ANNOUNCED)
        assert (event.occurred_on, event.inquiry) == (deal.announced_on, None)
    assert not Event.objects.filter(kind=EventKind.DECISION, inquiry=None).exists()


@pytest.mark.parametrize(
    ("slug", "status"),
    [
        ("adobe-figma", AntitrustStatus.ABANDONED),
        ("amazon-irobot", AntitrustStatus.ABANDONED),
        ("nvidia-arm", AntitrustStatus.ABANDONED),
        # The CMA's prohibition of the deal as first proposed is superseded by its clearance of
        # the restructured deal, so it no longer counts.
        ("microsoft-activision-blizzard", AntitrustStatus.CLEARED_WITH_CONDITIONS),
        # Completed, then GRAIL was spun off under the FTC's order.
        ("illumina-grail", AntitrustStatus.UNWOUND),
        ("microsoft-openai", AntitrustStatus.NOT_REVIEWABLE),
        ("microsoft-inflection-ai", AntitrustStatus.CLEARED),
        ("amazon-anthropic", AntitrustStatus.NOT_REVIEWABLE),
        ("alphabet-anthropic", AntitrustStatus.NOT_REVIEWABLE),
        ("microsoft-mistral-ai", AntitrustStatus.NOT_REVIEWABLE),
        ("nvidia-run-ai", AntitrustStatus.CLEARED),
        ("broadcom-vmware", AntitrustStatus.CLEARED_WITH_CONDITIONS),
        ("google-fitbit", AntitrustStatus.CLEARED_WITH_CONDITIONS),
        ("hpe-juniper-networks", AntitrustStatus.CLEARED_WITH_CONDITIONS),
        ("google-wiz", AntitrustStatus.CLEARED),
        ("netflix-warner-bros-discovery", AntitrustStatus.ABANDONED),
        ("paramount-warner-bros-discovery", AntitrustStatus.UNDER_REVIEW),
        ("getty-images-shutterstock", AntitrustStatus.ABANDONED),
        ("mars-kellanova", AntitrustStatus.CLEARED),
    ],
)
def test_each_deal_gets_the_status_the_rule_gives(slug, status):
    deal = Deal.objects.get(slug=slug)
    assert deal.antitrust_status == status
    assert deal.compute_antitrust_status() == status


def test_activision_has_both_cma_inquiries_the_ec_case_and_the_ftc_suit():
    deal = Deal.objects.get(slug="microsoft-activision-blizzard")
    inquiries = {
        (i.regulator.slug, i.reference, i.outcome)
        for i in deal.inquiries.select_related("regulator")
    }
    assert inquiries == {
        ("cma", "", Outcome.PROHIBITED),
        ("cma", "", Outcome.CLEARED_WITH_REMEDIES),
        ("ec", "M.10646", Outcome.CLEARED_WITH_REMEDIES),
        ("ftc", "", Outcome.CLOSED_NO_ACTION),
    }
    assert deal.completed_on == datetime.date(2023, 10, 13)
    prohibited = deal.inquiries.get(regulator__slug="cma", outcome=Outcome.PROHIBITED)
    restructured = deal.inquiries.get(regulator__slug="cma", outcome=Outcome.CLEARED_WITH_REMEDIES)
    assert (prohibited.superseded_by, prohibited.supersession) == (restructured, "restructured")
    court = Event.objects.filter(inquiry__deal=deal, inquiry__regulator__slug="ftc")
    assert set(court.values_list("kind", flat=True)) >= {EventKind.DECISION, EventKind.APPEAL}


def test_only_confirmed_case_references_are_stored():
    references = set(Inquiry.objects.exclude(reference="").values_list("reference", flat=True))
    assert references == {
        "M.10646",
        "M.10188",
        "M.10806",
        "M.9660",
        "M.11766",  # NVIDIA / Run:ai, from the Official Journal notice of Case T-15/25
        "5:25-cv-00951-PCP",  # the DOJ's case against HPE / Juniper Networks
    }


def test_alphabet_is_found_by_the_google_names():
    alphabet = Company.objects.get(slug="alphabet")
    assert list(Company.objects.matching_name("Google LLC")) == [alphabet]
    assert list(Company.objects.matching_name("google")) == [alphabet]
    assert Company.objects.get(slug="vmware").parent == Company.objects.get(slug="broadcom")


def test_a_corrected_fact_updates_its_row_instead_of_adding_one():
    before = row_counts()
    mistral = DEMO.deals[0]
    ec = dataclasses.replace(
        mistral.inquiries[0], stage="closed", outcome="closed_no_action", closed_on="2024-06-28"
    )
    corrected = dataclasses.replace(
        DEMO, deals=(dataclasses.replace(mistral, inquiries=(ec, *mistral.inquiries[1:])),)
    )

    summary = demo_data_load(data=corrected)

    assert summary.updated == 1 and summary.created == 0
    counts = row_counts()
    assert counts["Inquiry"] == before["Inquiry"]
    assert counts["Inquiry history"] == before["Inquiry history"] + 1
    deal = Deal.objects.get(slug="microsoft-mistral-ai")
    assert deal.inquiries.get(regulator__slug="ec").closed_on == datetime.date(2024, 6, 28)
    assert deal.antitrust_status == AntitrustStatus.NOT_REVIEWABLE


def test_invalid_data_is_refused_before_anything_is_written():
    before = row_counts()
    mistral = DEMO.deals[0]
    bad = dataclasses.replace(mistral.inquiries[0], stage="looking_into", regulator="xyz")
    # A new title beside it: a load that wrote before checking would change the loaded deal.
    changed = dataclasses.replace(mistral, title="Microsoft / Mistral", inquiries=(bad,))
    data = dataclasses.replace(DEMO, deals=(changed, *DEMO.deals[1:]))

    with pytest.raises(ValueError, match="stage 'looking_into' not of its kind"):
        demo_data_load(data=data)

    assert row_counts() == before
    assert Deal.objects.get(slug="microsoft-mistral-ai").title == "Microsoft / Mistral AI"


def test_an_inquiry_with_an_outcome_but_still_in_a_phase_is_refused():
    mistral = DEMO.deals[0]
    bad = dataclasses.replace(mistral.inquiries[1], stage="phase_1")
    data = dataclasses.replace(
        DEMO, deals=(dataclasses.replace(mistral, inquiries=(bad,)), *DEMO.deals[1:])
    )

    with pytest.raises(ValueError, match="an inquiry with an outcome is closed"):
        demo_data_load(data=data)


def test_the_demo_data_module_is_plain_python():
    tree = ast.parse(Path(demo.data.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses"}


def test_loading_the_demo_records_its_history_not_status_changes_made_today():
    assert not StatusChange.objects.exists()
    deal = Deal.objects.get(slug="microsoft-activision-blizzard")
    assert deal.stored_states  # derived all the same, so a later change is told from it
    inquiry = deal.inquiries.get(regulator__slug="ftc")
    inquiry.stage, inquiry.outcome = "litigation", ""
    inquiry.save()
    assert [change.describe() for change in StatusChange.objects.all()] == [
        "Cleared with conditions → In-depth review",
        "FTC: Closed, no action → Litigation",
    ]


def test_what_the_tests_above_changed_is_gone():
    """They corrected Mistral's EC look and reopened Activision's FTC case, each in its own
    savepoint: the next test sees the world as loaded."""
    assert not StatusChange.objects.exists()
    mistral = Deal.objects.get(slug="microsoft-mistral-ai")
    assert mistral.inquiries.get(regulator__slug="ec").closed_on is None
    ftc = Inquiry.objects.get(deal__slug="microsoft-activision-blizzard", regulator__slug="ftc")
    assert (ftc.stage, ftc.outcome) == (Stage.CLOSED, Outcome.CLOSED_NO_ACTION)
