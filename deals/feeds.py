"""Atom feeds of timeline events: every public event, or one deal's (with its status changes)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .links import http_url
from .models import Deal, Event, StatusChange

FEED_SIZE = 50


class PlainTextAtom1Feed(Atom1Feed):
    """Atom whose entry summaries are declared plain text, which they are. Django writes
    type="html", which tells a feed reader to decode the text and render it as markup: a
    `<script>` in an event title would run there."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})


class LatestEventsFeed(Feed):
    feed_type = PlainTextAtom1Feed
    title = "Dealwatch: latest antitrust events"
    subtitle = "New events in the deals and regulator inquiries that Dealwatch follows."

    def link(self):
        return reverse("deals:deal_list")

    def items(self):
        return (
            Event.objects.public()
            .select_related("deal", "inquiry__regulator", "inquiry__deal")
            .order_by("-recorded_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, event):
        deal = event.the_deal
        regulator = event.regulator
        prefix = " · ".join(str(part) for part in (deal, regulator) if part)
        return f"{prefix}: {event.title}" if prefix else event.title

    def item_description(self, event):
        text = f"{event.occurred_on:%d %B %Y} ({event.get_kind_display()}). {event.text}".strip()
        source = http_url(event.source_url)
        return f"{text} Source: {source}" if source else text

    def item_link(self, event):
        deal = event.the_deal
        if deal:
            return f"{deal.get_absolute_url()}#event-{event.pk}"
        return f"{reverse('deals:inquiry_list')}?q={event.inquiry.reference}#event-{event.pk}"

    def item_pubdate(self, event):
        return event.recorded_at

    def item_updateddate(self, event):
        return event.recorded_at


class DealEventsFeed(LatestEventsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Deal.objects.published(), slug=slug)

    def title(self, deal):
        return f"Dealwatch: {deal.title}"

    def subtitle(self, deal):
        return f"Antitrust events in {deal.title}."

    def link(self, deal):
        return deal.get_absolute_url()

    def items(self, deal):
        """The newest events and status changes, by when they were recorded."""
        events = (
            deal.timeline()
            .select_related("deal", "inquiry__deal")
            .order_by("-recorded_at", "-pk")[:FEED_SIZE]
        )
        changes = deal.status_changes.with_display_data().order_by("-changed_at", "-pk")
        items = [*events, *changes[:FEED_SIZE]]
        items.sort(key=self.item_pubdate, reverse=True)
        return items[:FEED_SIZE]

    # A status change is an entry of its own: "Under review → In-depth review".

    def item_title(self, item):
        if isinstance(item, StatusChange):
            return f"{item.deal}: {item.describe()}"
        return super().item_title(item)

    def item_description(self, item):
        if isinstance(item, StatusChange):
            when = f"Status changed {item.changed_at:%d %B %Y}"
            return f"{when}: {item.cause}." if item.cause else f"{when}."
        return super().item_description(item)

    def item_link(self, item):
        if isinstance(item, StatusChange):
            return f"{item.deal.get_absolute_url()}#status-change-{item.pk}"
        return super().item_link(item)

    def item_pubdate(self, item):
        return item.changed_at if isinstance(item, StatusChange) else item.recorded_at

    def item_updateddate(self, item):
        return self.item_pubdate(item)
