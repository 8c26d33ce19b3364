"""The public pages say where each deal and case stands, in its own words, and explain how."""

import csv
import datetime
import io

import pytest

from deals.vocabulary import AntitrustStatus, InquiryKind, Outcome, Stage, Supersession
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma, ftc

pytestmark = pytest.mark.django_db


@pytest.fixture
def activision():
    """The CMA's prohibition superseded by its clearance of the restructured deal."""
    deal = DealFactory(
        title="Microsoft / Activision Blizzard", completed_on=datetime.date(2023, 10, 13)
    )
    restructured = InquiryFactory(
        deal=deal,
        regulator=cma(),
        title="Restructured deal",
        stage=Stage.CLOSED,
        outcome=Outcome.CLEARED_WITH_REMEDIES,
        closed_on=datetime.date(2023, 10, 13),
    )
    InquiryFactory(
        deal=deal,
        regulator=cma(),
        title="Original deal",
        stage=Stage.CLOSED,
        outcome=Outcome.PROHIBITED,
        closed_on=datetime.date(2023, 4, 26),
        superseded_by=restructured,
        supersession=Supersession.RESTRUCTURED,
    )
    InquiryFactory(
        deal=deal,
        regulator=ftc(),
        stage=Stage.CLOSED,
        outcome=Outcome.CLOSED_NO_ACTION,
        closed_on=datetime.date(2025, 5, 22),
    )
    deal.refresh_from_db()
    return deal


def test_every_status_is_explained_on_the_public_page(client):
    page = client.get("/statuses/").text
    for value, label in AntitrustStatus.choices:
        assert f'id="status-{value}"' in page and label in page
    for words in ("Infringement found", "Commitments accepted", "State not published"):
        assert words in page


def test_the_status_badge_links_to_its_explanation(client, activision):
    page = client.get(activision.get_absolute_url()).text
    assert 'href="/statuses/#status-cleared_with_conditions"' in page


def test_the_deal_page_shows_life_and_one_line_per_jurisdiction(client, activision):
    page = client.get(activision.get_absolute_url()).text
    assert "Cleared with conditions" in page
    assert "Completed" in page and "13 Oct 2023" in page
    assert "Cleared with remedies 13 Oct 2023" in page  # the CMA's line: the restructured deal
    assert "Closed, no action 22 May 2025" in page  # the FTC's line
    assert "Superseded by" in page and "the deal was restructured" in page


def test_the_deal_list_shows_each_jurisdictions_state_not_a_repeated_regulator(client, activision):
    page = client.get("/deals/").text
    assert page.count(">CMA</a> Cleared with remedies") == 1
    assert "Prohibited" not in page.split("<tbody>")[1]  # the superseded decision is not the line


def test_the_csv_gives_status_life_and_jurisdictions(client, activision):
    response = client.get("/deals/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["status"] == "Cleared with conditions"
    assert row["life"] == "Completed" and row["life_on"] == "2023-10-13"
    assert row["jurisdictions"] == (
        "CMA: Cleared with remedies 13 Oct 2023 | FTC: Closed, no action 22 May 2025"
    )


def test_deals_can_be_filtered_by_life(client, activision):
    DealFactory(title="Adobe / Figma", abandoned_on=datetime.date(2023, 12, 18))
    titles = lambda query: [d.title for d in client.get(f"/deals/?{query}").context["page"]]  # noqa: E731
    assert titles("life=completed") == ["Microsoft / Activision Blizzard"]
    assert titles("life=abandoned") == ["Adobe / Figma"]
    response = client.get("/deals/?life=sold")
    assert response.status_code == 200 and titles("life=sold") == []
    assert "Select a valid choice" in response.text


def test_conduct_cases_read_in_conduct_words_on_the_inquiry_list(client):
    ec = RegulatorFactory(short_name="EC", slug="ec-test")
    InquiryFactory(
        deal=None,
        regulator=ec,
        reference="AT.40721",
        kind=InquiryKind.CONDUCT,
        stage=Stage.CLOSED,
        outcome=Outcome.COMMITMENTS,
        closed_on=datetime.date(2025, 9, 12),
    )
    old = InquiryFactory(
        deal=None,
        regulator=ec,
        reference="AT.29373",
        kind=InquiryKind.CONDUCT,
        stage=Stage.NOT_PUBLISHED,
        opened_on=datetime.date(1977, 1, 1),
    )
    EventFactory(deal=None, inquiry=old, occurred_on=datetime.date(2004, 3, 24))
    page = client.get("/inquiries/").text.split("<tbody>")[1]
    assert "Commitments accepted 12 Sep 2025" in page
    assert "State not published; last activity 24 Mar 2004" in page
    assert "Cleared with remedies" not in page and ">Open<" not in page


def test_the_stage_filter_offers_both_vocabularies_in_groups(client):
    page = client.get("/inquiries/").text
    # Checkboxes, in two labelled groups.
    assert "<label>Merger control</label>" in page
    assert "<label>Conduct cases</label>" in page
    assert client.get("/inquiries/?outcome=infringement").status_code == 200


def test_a_regulator_counts_only_open_cases_as_open(client):
    ec = RegulatorFactory(short_name="EC", slug="ec-test")
    InquiryFactory(regulator=ec, kind=InquiryKind.CONDUCT, stage=Stage.NOT_PUBLISHED)
    InquiryFactory(regulator=ec, stage=Stage.PHASE_1)
    regulators = client.get("/regulators/").context["regulators"]
    row = next(regulator for regulator in regulators if regulator.slug == "ec-test")
    assert (row.inquiry_count, row.open_count) == (2, 1)
