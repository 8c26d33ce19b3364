"""Each demo deal shows what DOMAIN.md's table ("Status, version 2") says it must, the 2025-2026
deals what DEMO_FACTS.md says after its 2025-2026 table, and the deals the rows of 2026-12-06
touched what it says after those rows.

Asserted on what the model gives every page (the stored status, the deal's life and its date,
one line per jurisdiction with its flags) and on the deal's row of the CSV export, not on page
HTML. Today's date matters only through dormancy and passed deadlines; every date involved is
before 2026-12-06, when the facts were last checked.
"""

import csv
import datetime
import io

import pytest

from deals.models import Deal
from deals.vocabulary import AntitrustStatus, DealLife, DecisionStatus, Outcome
from demo.data import DEMO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]

D = datetime.date


def lines(deal: Deal) -> dict[str, str]:
    return {line.regulator.short_name: line.as_text() for line in deal.jurisdiction_lines()}


def line(deal: Deal, regulator: str):
    return next(x for x in deal.jurisdiction_lines() if x.regulator.short_name == regulator)


def exported_row(client, title: str) -> list[str]:
    response = client.get("/deals/export.csv")
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    return next(row for row in rows if row[0] == title)


def assert_deal(client, slug, *, status, life, life_on=None, jurisdictions) -> Deal:
    """Status, life and per-jurisdiction lines, on the model and in the deal's CSV row."""
    deal = Deal.objects.get(slug=slug)
    assert deal.antitrust_status == status
    assert deal.compute_antitrust_status() == status  # stored and derived agree
    assert (deal.life, deal.life_on) == (life, life_on)
    assert lines(deal) == jurisdictions

    # Cells are looked up by value, not position: the export's columns may move.
    row = exported_row(client, deal.title)
    assert AntitrustStatus(status).label in row
    assert DealLife(life).label in row
    if life_on:
        assert life_on.isoformat() in row
    assert " | ".join(x.as_text() for x in deal.jurisdiction_lines()) in row
    return deal


def test_activision_is_cleared_with_conditions_once_the_cmas_prohibition_is_superseded(client):
    deal = assert_deal(
        client,
        "microsoft-activision-blizzard",
        status=AntitrustStatus.CLEARED_WITH_CONDITIONS,
        life=DealLife.COMPLETED,
        life_on=D(2023, 10, 13),
        jurisdictions={
            "EC": "EC: Cleared with remedies 15 May 2023 (M.10646)",
            "CMA": "CMA: Cleared with remedies 13 Oct 2023",
            "FTC": "FTC: Closed, no action 22 May 2025",
        },
    )
    cma = line(deal, "CMA")
    [original] = cma.superseded
    assert original.state_text() == "Prohibited 26 Apr 2023"
    assert original.flags() == ["superseded"]
    assert (original.superseded_by, original.supersession) == (cma.lead, "restructured")
    assert cma.lead.opened_on == D(2023, 8, 22)
    ninth_circuit = deal.timeline().get(occurred_on=D(2025, 5, 7))
    assert ninth_circuit.inquiry.regulator.short_name == "FTC"


def test_illumina_grail_is_unwound_and_the_ecs_prohibition_shows_as_withdrawn(client):
    deal = assert_deal(
        client,
        "illumina-grail",
        status=AntitrustStatus.UNWOUND,
        life=DealLife.UNWOUND,
        life_on=D(2024, 6, 24),
        jurisdictions={
            "EC": "EC: Prohibited 6 Sep 2022; withdrawn 6 Sep 2024 after the Court of Justice's "
            "judgment (M.10188)",
            "FTC": "FTC: Prohibited 3 Apr 2023",
        },
    )
    assert deal.completed_on == D(2021, 8, 18)
    assert "2021-08-18" in exported_row(client, deal.title)
    ec = line(deal, "EC").lead
    assert (ec.outcome, ec.decision_status) == (Outcome.PROHIBITED, DecisionStatus.WITHDRAWN)
    assert ec.decision_lost_force


def test_mistral_is_not_reviewable_and_the_ecs_informal_look_is_dormant(client):
    deal = assert_deal(
        client,
        "microsoft-mistral-ai",
        status=AntitrustStatus.NOT_REVIEWABLE,
        life=DealLife.ANNOUNCED,
        jurisdictions={
            "EC": "EC (informal review): Informal look, no activity since 27 Feb 2024; dormant",
            "CMA": "CMA: Not qualifying 17 May 2024",
        },
    )
    ec = line(deal, "EC")
    assert ec.is_context_only and ec.lead.is_open and ec.lead.flags() == ["dormant"]


def test_openai_is_not_reviewable_with_the_ftc_study_as_context(client):
    deal = assert_deal(
        client,
        "microsoft-openai",
        status=AntitrustStatus.NOT_REVIEWABLE,
        life=DealLife.ANNOUNCED,
        jurisdictions={
            "EC": "EC (informal review): Closed, no action 28 Jun 2024",
            "CMA": "CMA: Not qualifying 5 Mar 2025",
            "FTC": "FTC (market study): Closed, no action 17 Jan 2025",
        },
    )
    assert line(deal, "FTC").is_context_only
    assert deal.events.filter(occurred_on=D(2025, 10, 28)).exists()  # the recapitalisation


@pytest.mark.parametrize(
    ("slug", "cma_line"),
    [
        ("amazon-anthropic", "CMA: Not qualifying 27 Sep 2024"),
        ("alphabet-anthropic", "CMA: Not qualifying 19 Nov 2024"),
    ],
)
def test_the_anthropic_partnerships_are_not_reviewable(client, slug, cma_line):
    assert_deal(
        client,
        slug,
        status=AntitrustStatus.NOT_REVIEWABLE,
        life=DealLife.ANNOUNCED,
        jurisdictions={
            "CMA": cma_line,
            "FTC": "FTC (market study): Closed, no action 17 Jan 2025",
        },
    )


def test_inflection_is_cleared_by_the_cma_and_the_referral_requests_ended_without_a_decision(
    client,
):
    deal = assert_deal(
        client,
        "microsoft-inflection-ai",
        status=AntitrustStatus.CLEARED,
        life=DealLife.COMPLETED,
        life_on=D(2024, 3, 19),
        jurisdictions={
            "EC": "EC: Closed, no action 18 Sep 2024",
            "CMA": "CMA: Cleared 4 Sep 2024",
            "FTC": "FTC (informal review): Informal look, no activity since 6 Jun 2024; dormant",
        },
    )
    assert line(deal, "EC").lead.kind == "referral"
    assert line(deal, "FTC").is_context_only


@pytest.mark.parametrize(
    ("slug", "abandoned_on", "after", "jurisdictions"),
    [
        (
            "adobe-figma",
            D(2023, 12, 18),
            ["the EC's Phase 2", "the CMA's Phase 2"],
            {"EC": "EC: Abandoned 18 Dec 2023", "CMA": "CMA: Abandoned 18 Dec 2023"},
        ),
        (
            "amazon-irobot",
            D(2024, 1, 29),
            ["the EC's Phase 2"],
            {"EC": "EC: Abandoned 29 Jan 2024", "CMA": "CMA: Cleared 16 Jun 2023"},
        ),
        (
            "nvidia-arm",
            D(2022, 2, 8),
            ["the FTC's suit", "the EC's Phase 2"],
            {
                "EC": "EC: Abandoned 8 Feb 2022",
                "CMA": "CMA: Abandoned 8 Feb 2022",
                "FTC": "FTC: Abandoned 8 Feb 2022",
            },
        ),
    ],
)
def test_figma_irobot_and_arm_are_abandoned_after_the_reviews_that_led_to_it(
    client, slug, abandoned_on, after, jurisdictions
):
    deal = assert_deal(
        client,
        slug,
        status=AntitrustStatus.ABANDONED,
        life=DealLife.ABANDONED,
        life_on=abandoned_on,
        jurisdictions=jurisdictions,
    )
    for review in after:
        assert review in deal.abandoned_after()


@pytest.mark.parametrize(
    ("slug", "completed_on", "jurisdictions"),
    [
        (
            "broadcom-vmware",
            D(2023, 11, 22),
            {
                "SAMR": "SAMR: Cleared with remedies",
                "EC": "EC: Cleared with remedies 12 Jul 2023 (M.10806)",
                "CMA": "CMA: Cleared 21 Aug 2023",
                # The HSR waiting periods expired (row 11g of 2026-12-06): a US clearance.
                "FTC": "FTC: Cleared 21 Aug 2023",
            },
        ),
        (
            "google-fitbit",
            D(2021, 1, 14),
            {"EC": "EC: Cleared with remedies 17 Dec 2020 (M.9660)"},
        ),
    ],
)
def test_broadcom_and_fitbit_are_cleared_with_conditions_and_completed(
    client, slug, completed_on, jurisdictions
):
    assert_deal(
        client,
        slug,
        status=AntitrustStatus.CLEARED_WITH_CONDITIONS,
        life=DealLife.COMPLETED,
        life_on=completed_on,
        jurisdictions=jurisdictions,
    )


def test_hpe_juniper_is_cleared_with_conditions_and_the_doj_settlement_awaits_the_court(client):
    deal = assert_deal(
        client,
        "hpe-juniper-networks",
        status=AntitrustStatus.CLEARED_WITH_CONDITIONS,
        life=DealLife.COMPLETED,
        life_on=D(2025, 7, 2),
        jurisdictions={
            "EC": "EC: Cleared 1 Aug 2024",
            "CMA": "CMA: Cleared 7 Aug 2024",
            "DOJ": "DOJ: Cleared with remedies 28 Jun 2025 (5:25-cv-00951-PCP); "
            "court approval pending",
        },
    )
    doj = line(deal, "DOJ").lead
    assert doj.flags() == ["court approval pending"]
    tunney_act = doj.events.filter(occurred_on__gt=doj.closed_on).values_list("occurred_on")
    assert [day for (day,) in tunney_act] == [D(2025, 10, 14), D(2025, 12, 31), D(2026, 1, 8)]


def test_run_ai_is_cleared_and_nvidias_challenge_to_the_referral_is_pending(client):
    deal = assert_deal(
        client,
        "nvidia-run-ai",
        status=AntitrustStatus.CLEARED,
        life=DealLife.COMPLETED,
        life_on=D(2024, 12, 30),
        jurisdictions={
            "EC": "EC: Cleared 20 Dec 2024 (M.11766); under appeal (NVIDIA's action against "
            "the referral, Case T-15/25)",
        },
    )
    ec = line(deal, "EC").lead
    assert ec.decision_status == DecisionStatus.UNDER_APPEAL and not ec.decision_lost_force


# --- The deals of 2025-2026 (DEMO_FACTS.md, after its last table) ------------------------


def test_google_wiz_is_cleared_and_completed(client):
    assert_deal(
        client,
        "google-wiz",
        status=AntitrustStatus.CLEARED,
        life=DealLife.COMPLETED,
        life_on=D(2026, 3, 11),
        jurisdictions={"EC": "EC: Cleared 10 Feb 2026", "DOJ": "DOJ: Cleared 24 Oct 2025"},
    )


def test_netflix_warner_bros_discovery_is_abandoned(client):
    deal = assert_deal(
        client,
        "netflix-warner-bros-discovery",
        status=AntitrustStatus.ABANDONED,
        life=DealLife.ABANDONED,
        life_on=D(2026, 2, 26),
        jurisdictions={"DOJ": "DOJ: Abandoned 26 Feb 2026"},
    )
    assert deal.abandoned_after() == "the DOJ's second request"


def test_paramount_warner_bros_discovery_is_under_review_with_no_decision_since_the_deadline(
    client,
):
    deal = assert_deal(
        client,
        "paramount-warner-bros-discovery",
        status=AntitrustStatus.UNDER_REVIEW,
        life=DealLife.ANNOUNCED,
        jurisdictions={
            "EC": "EC: Phase 1, open; decision due 7 Jul 2026; no decision recorded; "
            "last checked 6 Dec 2026",
            "DOJ": "DOJ: Cleared 12 Jun 2026",
            "CADE": "CADE: Cleared 8 Jul 2026",  # row 21i, a weak source
        },
    )
    assert deal.antitrust_status in Deal.OPEN_STATUSES
    assert line(deal, "EC").lead.deadline_on == D(2026, 7, 7)  # as published, not the rumour


def test_getty_shutterstock_is_abandoned_with_its_cma_review_closed(client):
    """Rows 22f-22h of 2026-12-06: the CMA's phase 2 ended with conditions in May 2026 (the day
    not known), then Getty terminated the merger."""
    deal = Deal.objects.get(slug="getty-images-shutterstock")
    assert deal.antitrust_status == AntitrustStatus.ABANDONED
    assert deal.compute_antitrust_status() == AntitrustStatus.ABANDONED
    assert (deal.life, deal.life_on) == (DealLife.ABANDONED, D(2026, 6, 30))
    assert set(lines(deal)) == {"CMA", "DOJ"}
    assert lines(deal)["DOJ"] == "DOJ: Cleared 23 Feb 2026"
    cma = line(deal, "CMA")
    assert cma.as_text().startswith("CMA: Cleared with remedies ")
    assert not cma.lead.is_open
    assert (cma.lead.outcome, cma.lead.closed_on, cma.lead.closed_on_precision) == (
        Outcome.CLEARED_WITH_REMEDIES,
        D(2026, 5, 31),  # a month-precise date is stored as the month's last day
        "month",
    )
    row = exported_row(client, deal.title)
    assert AntitrustStatus.ABANDONED.label in row and DealLife.ABANDONED.label in row


def test_getty_shutterstocks_cma_line_shows_the_month_not_a_made_up_day():
    deal = Deal.objects.get(slug="getty-images-shutterstock")
    assert lines(deal)["CMA"] == "CMA: Cleared with remedies May 2026"


def test_mars_kellanova_is_cleared_and_completed(client):
    assert_deal(
        client,
        "mars-kellanova",
        status=AntitrustStatus.CLEARED,
        life=DealLife.COMPLETED,
        life_on=D(2025, 12, 11),
        jurisdictions={"EC": "EC: Cleared 8 Dec 2025", "FTC": "FTC: Cleared 25 Jun 2025"},
    )


def test_every_demo_deal_is_checked_here():
    checked = {
        "microsoft-activision-blizzard",
        "illumina-grail",
        "microsoft-mistral-ai",
        "microsoft-openai",
        "amazon-anthropic",
        "alphabet-anthropic",
        "microsoft-inflection-ai",
        "adobe-figma",
        "amazon-irobot",
        "nvidia-arm",
        "broadcom-vmware",
        "google-fitbit",
        "hpe-juniper-networks",
        "nvidia-run-ai",
        "google-wiz",
        "netflix-warner-bros-discovery",
        "paramount-warner-bros-discovery",
        "getty-images-shutterstock",
        "mars-kellanova",
    }
    assert {deal.slug for deal in DEMO.deals} == checked
