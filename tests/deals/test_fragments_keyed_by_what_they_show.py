"""Fragments keyed by what they show (issue 22: "a write invalidates what it changes"): the
front page's sections, the deadline tables, a regulator's recent events, the filter form, the
subscribe form and the /stats/ figures are rendered again after a write only when something
they show changed, not after every write to anything.

As in test_fragment_revisions.py, a test changes what a fragment shows behind the cache's back
(an UPDATE no signal sees), then makes a real write elsewhere: the page still shows the old
text, which proves the fragment was not rendered again; then, as the positive control, a write
to what it shows (a new revision, a new count, a new build) shows the new text."""

import datetime

import pytest
from django.test.signals import template_rendered

from deals import stats as figures
from deals.derived import revise
from deals.models import Deal, Event, Inquiry
from deals.vocabulary import DealType, Stage
from tests.factories import DealFactory, EventFactory, InquiryFactory, cma

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def fragments(settings):
    settings.PAGE_CACHE = False
    settings.FRAGMENT_CACHE = True
    settings.AGGREGATE_STALE_SECONDS = 0  # counts of the current content: what changes shows


def quietly_retitled(deal: Deal, title: str) -> None:
    """A change no signal sees: the deal's revision, and so what keys its fragments, stay."""
    Deal.objects.filter(pk=deal.pk).update(title=title)


def a_write_elsewhere() -> Deal:
    """A real write (the content version moves on) to a deal no fragment here shows."""
    bystander = DealFactory(title="Bystander / Deal", is_published=False)
    bystander.title = "Bystander / Renamed"
    bystander.save()
    return bystander


@pytest.fixture
def rendered():
    """The names of the templates rendered while the test runs (Django's test signal)."""
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        names.append(template.name or "")

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_the_front_page_renders_its_sections_again_only_when_what_they_show_changes(client):
    deal = DealFactory(title="Adobe / Figma")
    review = InquiryFactory(
        deal=deal, regulator=cma(), stage=Stage.PHASE_2, deadline_on=TODAY + datetime.timedelta(3)
    )
    EventFactory(deal=None, inquiry=review, title="Reference to phase 2", occurred_on=TODAY)
    assert "Adobe / Figma" in client.get("/").text  # the sections are now cached
    quietly_retitled(deal, "Adobe / Quietly")
    a_write_elsewhere()

    page = client.get("/").text
    assert "Adobe / Figma" in page and "Adobe / Quietly" not in page  # not rendered again

    revise(deal_ids=[deal.pk])  # what a write to the deal does
    page = client.get("/").text
    assert "Adobe / Quietly" in page and "Adobe / Figma" not in page

    EventFactory(deal=None, inquiry=review, title="Remedies offered", occurred_on=TODAY)
    assert "Remedies offered" in client.get("/").text  # a new event is a new row


def test_the_deadline_tables_are_rendered_again_only_for_a_change_to_their_rows(client):
    due = InquiryFactory(
        deal=DealFactory(title="Due / Soon"), deadline_on=TODAY + datetime.timedelta(5)
    )
    assert "Due / Soon" in client.get("/deadlines/").text
    quietly_retitled(due.deal, "Due / Quietly")
    a_write_elsewhere()

    page = client.get("/deadlines/").text
    assert "Due / Soon" in page and "Due / Quietly" not in page

    revise(deal_ids=[due.deal_id])
    assert "Due / Quietly" in client.get("/deadlines/").text

    InquiryFactory(
        deal=DealFactory(title="Due / Sooner"), deadline_on=TODAY + datetime.timedelta(2)
    )
    page = client.get("/deadlines/").text
    assert page.index("Due / Sooner") < page.index("Due / Quietly")  # a new row, in its place


def test_a_regulators_recent_events_are_rendered_again_only_when_one_of_them_changes(client):
    review = InquiryFactory(deal=DealFactory(title="Cma / Case"), regulator=cma())
    event = EventFactory(deal=None, inquiry=review, title="Phase 1 launched", occurred_on=TODAY)
    assert "Phase 1 launched" in client.get("/regulators/cma/").text
    Event.objects.filter(pk=event.pk).update(title="Phase 1 quietly")
    a_write_elsewhere()

    page = client.get("/regulators/cma/").text
    assert "Phase 1 launched" in page and "Phase 1 quietly" not in page

    revise(inquiry_ids=[review.pk])  # what a write to the event does (deals/signals.py)
    assert "Phase 1 quietly" in client.get("/regulators/cma/").text


def test_the_filter_form_is_rendered_again_only_when_a_count_or_choice_changes(client, rendered):
    DealFactory(title="Alpha / One", deal_type=DealType.MERGER)
    assert "Merger · 1" in client.get("/deals/").text
    a_write_elsewhere()  # unpublished: no count changes
    rendered.clear()

    page = client.get("/deals/").text
    assert "Merger · 1" in page
    assert not [name for name in rendered if name.startswith("django/forms/")]

    DealFactory(title="Beta / Two", deal_type=DealType.MERGER)
    rendered.clear()
    assert "Merger · 2" in client.get("/deals/").text
    assert [name for name in rendered if name.startswith("django/forms/")]


def test_the_subscribe_form_follows_the_title_it_names(client):
    deal = DealFactory(title="Gamma / Three")
    assert (
        "Email me when something happens in Gamma / Three."
        in client.get(deal.get_absolute_url()).text
    )
    quietly_retitled(deal, "Gamma / Quietly")
    revise(deal_ids=[deal.pk])  # the deal page's own fragments, keyed by its revision
    page = client.get(deal.get_absolute_url()).text
    assert "Email me when something happens in Gamma / Quietly." in page
    assert "Gamma / Three" not in page


def test_the_stats_figures_are_drawn_again_for_a_new_build_not_for_every_write(
    client, settings, monkeypatch
):
    settings.STATS_EVERY_MINUTES = 5
    InquiryFactory(deal=DealFactory(title="Counted / Deal"), regulator=cma(), stage=Stage.PHASE_2)
    figures.aggregates_rebuild()
    drawn = []
    charts = figures.charts
    monkeypatch.setattr(figures, "charts", lambda stats: drawn.append(1) or charts(stats))
    first = client.get("/stats/").text
    assert drawn == [1] and "Figures as of" in first
    a_write_elsewhere()

    assert client.get("/stats/").text == first  # the same build: the same figures, not drawn
    assert drawn == [1]

    Inquiry.objects.filter(deal__title="Counted / Deal").update(opened_on=TODAY)
    figures.aggregates_rebuild()  # what beat does after a change
    client.get("/stats/")
    assert drawn == [1, 1]


def test_a_deal_page_and_feed_are_not_rendered_again_after_a_write_to_another_deal(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE = True
    review = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")
    deal = review.deal
    EventFactory(deal=None, inquiry=review, title="Phase 1 launched", occurred_on=TODAY)
    url = deal.get_absolute_url()
    page, feed = client.get(url).text, client.get(f"{url}feed/").text
    quietly_retitled(deal, "Quietly / Renamed")
    a_write_elsewhere()

    with django_assert_num_queries(1):  # the deal's revision: unchanged, so the page it keeps
        assert client.get(url).text == page
    with django_assert_num_queries(0):  # kept under the new content version too
        assert client.get(url).text == page
    assert client.get(f"{url}feed/").text == feed

    review.stage = Stage.PHASE_2  # a write to the deal's review: its page at once
    review.save()
    page = client.get(url).text
    assert "Quietly / Renamed" in page and "Phase 2" in page
    assert "Quietly / Renamed" in client.get(f"{url}feed/").text

    deal.is_published = False
    deal.save()
    assert client.get(url).status_code == 404


def test_the_event_feeds_are_kept_until_an_event_they_list_changes(client, settings):
    settings.PAGE_CACHE = True
    review = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")
    event = EventFactory(deal=None, inquiry=review, title="Phase 1 launched", occurred_on=TODAY)
    urls = [
        "/feed/",
        "/deals/feed/",
        "/deals/feed/?regulator=cma",
        "/inquiries/feed/?q=ME/1/24",
        "/regulators/cma/feed/",
    ]
    feeds = {url: client.get(url).text for url in urls}
    assert all("Phase 1 launched" in feed for feed in feeds.values())
    Event.objects.filter(pk=event.pk).update(title="Quietly retitled")
    a_write_elsewhere()

    assert {url: client.get(url).text for url in urls} == feeds

    EventFactory(deal=None, inquiry=review, title="Phase 2 opened", occurred_on=TODAY)
    for url in urls:
        feed = client.get(url).text
        assert "Phase 2 opened" in feed and "Quietly retitled" in feed
    assert client.get("/deals/feed/?regulator=nobody").status_code == 400
    assert client.get("/regulators/nobody/feed/").status_code == 404
