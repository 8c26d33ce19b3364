"""The deal page's timeline chart: one lane per jurisdiction, phases as bars, drawn as SVG."""

import datetime
import re

import pytest

from deals.charts import deal_timeline
from deals.models import Deal
from deals.vocabulary import EventKind, Outcome, Stage
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma, ftc

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def figma():
    """Adobe / Figma as DEMO_FACTS has it: EC Phase I then Phase II, CMA Phase 2, abandoned."""
    deal = DealFactory(
        title="Adobe / Figma", announced_on=D(2022, 9, 15), abandoned_on=D(2023, 12, 18)
    )
    ec = InquiryFactory(
        deal=deal,
        regulator=RegulatorFactory(),
        reference="M.10881",
        opened_on=D(2023, 6, 30),
        stage=Stage.CLOSED,
        outcome=Outcome.ABANDONED,
        closed_on=D(2023, 12, 18),
    )
    EventFactory(deal=None, inquiry=ec, kind=EventKind.NOTIFIED, occurred_on=D(2023, 6, 30))
    EventFactory(deal=None, inquiry=ec, kind=EventKind.PHASE_2_OPENED, occurred_on=D(2023, 8, 7))
    EventFactory(deal=None, inquiry=ec, kind=EventKind.ABANDONED, occurred_on=D(2023, 12, 18))
    uk = InquiryFactory(
        deal=deal,
        regulator=cma(),
        opened_on=D(2023, 5, 17),
        stage=Stage.CLOSED,
        outcome=Outcome.ABANDONED,
        closed_on=D(2024, 1, 3),
    )
    EventFactory(deal=None, inquiry=uk, kind=EventKind.PHASE_2_OPENED, occurred_on=D(2023, 7, 13))
    return deal


TODAY = D(2026, 11, 27)


def chart_for(deal, today=TODAY):
    return deal_timeline(Deal.objects.with_detail_data().get(pk=deal.pk), today=today)


def test_each_jurisdiction_has_a_lane_and_each_phase_a_bar(figma):
    chart = chart_for(figma)
    assert [lane.title for lane in chart.lanes] == ["Deal", "CMA", "EC"]
    ec = chart.lanes[2].rows[0]
    assert [(bar.label, bar.start, bar.end) for bar in ec.bars] == [
        ("Phase I", D(2023, 6, 30), D(2023, 8, 7)),
        ("Phase II", D(2023, 8, 7), D(2023, 12, 18)),
    ]
    assert ec.bars[0].deadline == D(2023, 8, 7)  # the statutory end, drawn as a tick
    assert [mark.css for mark in ec.marks if mark.diamond] == ["decision decision-abandoned"]


def test_an_open_phase_runs_to_today_then_dashed_to_its_deadline():
    deal = DealFactory()
    review = InquiryFactory(
        deal=deal, regulator=cma(), opened_on=D(2024, 7, 16), stage=Stage.PHASE_1
    )
    EventFactory(
        deal=None, inquiry=review, kind=EventKind.PHASE_1_OPENED, occurred_on=D(2024, 7, 16)
    )

    [bar, to_deadline] = chart_for(deal, today=D(2024, 8, 1)).lanes[-1].rows[0].bars
    assert (bar.start, bar.end, bar.dashed) == (D(2024, 7, 16), D(2024, 8, 1), False)
    assert (to_deadline.start, to_deadline.end, to_deadline.dashed) == (
        D(2024, 8, 1),
        D(2024, 9, 11),
        True,
    )


def test_the_deal_page_draws_the_chart_above_the_events_with_a_text_equivalent(client, figma):
    response = client.get(figma.get_absolute_url())
    html = response.text

    assert html.index('class="timeline-chart"') < html.index('id="timeline-heading"')
    svg = re.search(r'<svg class="timeline-chart".*?</svg>\s*<figcaption', html, re.S).group(0)
    assert 'role="img"' in svg and "Adobe / Figma: the reviews side by side" in svg
    assert svg.count('class="bar bar-phase_2"') == 2 and svg.count('class="bar bar-phase_1"') == 2
    assert "The chart in words" in html
    assert "M.10881" in html and "7 Aug 2023" in html  # Phase II from, in the table


def test_a_deal_without_dated_reviews_has_no_chart(client):
    deal = DealFactory()
    InquiryFactory(deal=deal, regulator=ftc(), opened_on=None)
    assert chart_for(deal) is None
    assert 'class="timeline-chart"' not in client.get(deal.get_absolute_url()).text
