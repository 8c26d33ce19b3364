"""Atom feeds of timeline events: every public event, one deal's, any filtered deal or inquiry
list's, a company's and a regulator's.

Entries are dated by when the event happened (`occurred_on`), not when we recorded it, newest
first; each has a stable id (a tag URI with the event's number) so that readers never show an
event twice. A filtered feed takes the same query string as its page (`/deals/feed/?regulator=
cma`): invalid filters are a 400 with the form's errors. A parameter a feed does not read is a
plain-text 400 and a tracking one a redirect (deals/urls.py `feed`, deals.querystring.takes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .cache import revisions_key
from .filters import canonical_query
from .links import http_url
from .models import Company, Deal, Event, Inquiry, Regulator, StatusChange
from .text import data_clean

FEED_SIZE = 50


class PlainTextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are declared plain text, which they are. Django writes
    type="html", which tells a feed reader to decode the text and render it as markup: a
    `<script>` in an event title would run there.

    Every string of the feed and of its entries is cleaned of what is not text (deals/text.py)
    as it is handed over: a control character stored in an event title (written through the
    ORM, or before the admin refused them) made Django raise UnserializableContentError, a
    500, and a U+FFFE made a feed no reader can parse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = data_clean(self.feed)

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = data_clean(self.items[-1])

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})


@dataclass
class Subject:
    """What a feed is about: its words, its page, its own address and its events."""

    title: str
    subtitle: str
    link: str
    feed_url: str
    events: QuerySet[Event]
    deal: Deal | None = None  # a deal's feed: its status changes are entries too


class InvalidFilters(Exception):
    def __init__(self, errors):
        self.errors = errors


def event_id(event: Event) -> str:
    """A tag URI (RFC 4151) that never changes for an event: tag:<site host>,2024:event/<pk>."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},2024:event/{event.pk}"


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class EventsFeed(Feed):
    feed_type = PlainTextAtom1Feed
    author_name = "Dealwatch"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilters as invalid:
            return HttpResponse(invalid.errors.as_text(), status=400, content_type="text/plain")

    def title(self, subject: Subject) -> str:
        return subject.title

    def subtitle(self, subject: Subject) -> str:
        return subject.subtitle

    def link(self, subject: Subject) -> str:
        return subject.link

    def feed_url(self, subject: Subject) -> str:
        return subject.feed_url

    def get_object(self, request, *args, **kwargs) -> Subject:
        """The feed's subject (`subject`), read once per request: the page cache reads it
        for `revision` before Feed.__call__ asks for it."""
        subject = getattr(request, "feed_subject", None)
        if subject is None:
            subject = request.feed_subject = self.subject(request, *args, **kwargs)
        return subject

    def subject(self, request, *args, **kwargs) -> Subject:
        raise NotImplementedError

    def revision(self, request, *args, **kwargs) -> str | None:
        """What the feed is cached by (deals.cache.public_page): its words and the pks and
        revisions of the events it lists, so that a write to anything else leaves it cached;
        None when it answers an error (an unknown slug, invalid filters)."""
        try:
            subject = self.get_object(request, *args, **kwargs)
        except (Http404, InvalidFilters):
            return None
        words = (subject.title, subject.subtitle, subject.link, subject.feed_url)
        return revisions_key(self.items(subject), *Event.ROW_REVISIONS, also=words)

    def items(self, subject: Subject):
        return (
            subject.events.select_related(
                "timeline_deal", "deal", "inquiry__regulator", "inquiry__deal"
            )
            # No DISTINCT: the filters follow foreign keys, which repeat no event, and a
            # DISTINCT would sort every matching event instead of reading the newest first.
            .order_by("-occurred_on", "-pk")[:FEED_SIZE]
        )

    def item_title(self, event):
        deal = event.timeline_deal
        regulator = event.regulator
        prefix = " · ".join(str(part) for part in (deal, regulator) if part)
        return f"{prefix}: {event.title}" if prefix else event.title

    def item_description(self, event):
        when = event.when if event.precision == "month" else f"{event.occurred_on:%d %B %Y}"
        text = f"{when} ({event.get_kind_display()}). {event.text}".strip()
        source = http_url(event.source_url)
        return f"{text} Source: {source}" if source else text

    def item_link(self, event):
        deal = event.timeline_deal
        if deal:
            return f"{deal.get_absolute_url()}#event-{event.pk}"
        return f"{event.inquiry.get_absolute_url()}#event-{event.pk}"

    def item_guid(self, event):
        return event_id(event)

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return _midnight(event.occurred_on)

    def item_updateddate(self, event):
        return _midnight(event.occurred_on)


class LatestEventsFeed(EventsFeed):
    def subject(self, request):
        return Subject(
            title="Dealwatch: latest antitrust events",
            subtitle="Events in the deals and regulator inquiries that Dealwatch follows.",
            link=reverse("deals:deal_list"),
            feed_url=reverse("deals:feed"),
            events=Event.objects.public(),
        )


class DealEventsFeed(EventsFeed):
    """One deal's events and, as entries of their own, its status changes ("Under review →
    In-depth review"), newest first."""

    def subject(self, request, slug):
        deal = get_object_or_404(Deal.objects.published(), slug=slug)
        return Subject(
            title=f"Dealwatch: {deal.title}",
            subtitle=f"Antitrust events in {deal.title}.",
            link=deal.get_absolute_url(),
            feed_url=reverse("deals:deal_feed", args=[slug]),
            # Its timeline's events (its own and its inquiries'), read through their index.
            events=Event.objects.filter(timeline_deal=deal),
            deal=deal,
        )

    def items(self, subject: Subject):
        changes = subject.deal.status_changes.with_display_data().select_related("deal")
        items = [*super().items(subject), *changes.order_by("-changed_at", "-pk")[:FEED_SIZE]]
        items.sort(key=self.item_pubdate, reverse=True)
        return items[:FEED_SIZE]

    def item_title(self, item):
        if isinstance(item, StatusChange):
            return f"{item.deal}: {item.describe()}"
        return super().item_title(item)

    def item_description(self, item):
        if isinstance(item, StatusChange):
            when = f"Status changed {item.changed_at:%d %B %Y}"
            return f"{when}: {item.cause_text}." if item.cause_text else f"{when}."
        return super().item_description(item)

    def item_link(self, item):
        if isinstance(item, StatusChange):
            return f"{item.deal.get_absolute_url()}#status-change-{item.pk}"
        return super().item_link(item)

    def item_guid(self, item):
        if isinstance(item, StatusChange):
            host = urlsplit(settings.SITE_URL).hostname or "localhost"
            return f"tag:{host},2026:status-change/{item.pk}"
        return super().item_guid(item)

    def item_pubdate(self, item):
        return item.changed_at if isinstance(item, StatusChange) else super().item_pubdate(item)

    def item_updateddate(self, item):
        return self.item_pubdate(item)


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


class FilteredListFeed(EventsFeed):
    """/deals/feed/?<the deal list's filters>: the events of the rows a filtered list shows
    (`filtered`, a views.FilteredList: views.DEALS, views.INQUIRIES), for its query string."""

    def __init__(self, filtered):
        self.filtered = filtered

    def subject(self, request):
        filtered = self.filtered
        filterset = filtered.filterset(request)
        if not filterset.is_valid():
            raise InvalidFilters(filterset.errors)
        query = canonical_query(request.GET, filtered.filterset_class)
        label = f"all {filtered.things}" if not query else f"{filtered.things} matching a search"
        return Subject(
            title=f"Dealwatch: {label}",
            subtitle=f"{filtered.feed_about} {label} ({query or 'no filters'}).",
            link=_with_query(reverse(filtered.url_name), query),
            feed_url=_with_query(reverse(filtered.feed), query),
            events=filtered.events_of(filterset.results().values("pk")),
        )


class CompanyEventsFeed(EventsFeed):
    """A company's deals and the inquiries concerning it (conduct cases too)."""

    def subject(self, request, slug):
        company = get_object_or_404(Company, slug=slug)
        deals = Deal.objects.published().involving([company]).values("pk")
        # Those naming it directly; those of its deals are on the deals' timelines.
        inquiries = Inquiry.companies.through.objects.filter(company=company).values("inquiry")
        return Subject(
            title=f"Dealwatch: {company.name}",
            subtitle=f"Antitrust events in deals and inquiries involving {company.name}.",
            link=company.get_absolute_url(),
            feed_url=reverse("deals:company_feed", args=[slug]),
            # The deals' timelines (their events and their inquiries'), read through the
            # timeline index, and the inquiries naming the company (conduct cases).
            events=Event.objects.public().filter(
                Q(timeline_deal__in=deals) | Q(inquiry__in=inquiries)
            ),
        )


class RegulatorEventsFeed(EventsFeed):
    def subject(self, request, slug):
        regulator = get_object_or_404(Regulator, slug=slug)
        return Subject(
            title=f"Dealwatch: {regulator.name}",
            subtitle=f"Events in the {regulator.name}'s cases that Dealwatch follows.",
            link=regulator.get_absolute_url(),
            feed_url=reverse("deals:regulator_feed", args=[slug]),
            events=Event.objects.public().filter(inquiry__regulator=regulator),
        )
