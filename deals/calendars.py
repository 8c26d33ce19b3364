"""iCalendar feeds of statutory deadlines (RFC 5545, written by the icalendar library).

One all-day event per upcoming deadline of an open inquiry, named for its regulator, deal and
case reference; its UID is the inquiry's, so an extended deadline moves the event a calendar
already has instead of adding another. Its words are cleaned of what is not text
(deals/text.py): RFC 5545 allows no control characters in a TEXT value, and the icalendar
library writes them as they come.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from .models import Inquiry
from .text import text_clean

MAX_EVENTS = 500
REFRESH = datetime.timedelta(hours=6)


def deadline_uid(inquiry: Inquiry) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"deadline-{inquiry.pk}@{host}"


def deadline_summary(inquiry: Inquiry) -> str:
    about = inquiry.deal.title if inquiry.deal_id else (inquiry.title or "case")
    reference = f" ({inquiry.reference})" if inquiry.reference else ""
    return f"{inquiry.regulator.short_name} deadline: {about}{reference}"


def deadlines_calendar(inquiries, *, name: str, absolute) -> bytes:
    """`inquiries` (open, with a deadline, regulator and deal selected) as a calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//Dealwatch//Statutory deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", text_clean(name))
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = timezone.now()
    for inquiry in inquiries[:MAX_EVENTS]:
        event = Event()
        event.add("uid", deadline_uid(inquiry))
        event.add("dtstamp", stamp)
        event.add("dtstart", inquiry.next_deadline_on)
        event.add("dtend", inquiry.next_deadline_on + datetime.timedelta(days=1))
        event.add("summary", text_clean(deadline_summary(inquiry)))
        event.add("description", text_clean(_description(inquiry)))
        event.add("location", text_clean(inquiry.regulator.name))
        event.add("categories", [text_clean(inquiry.regulator.short_name)])
        event.add("url", absolute(inquiry.get_absolute_url()))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _description(inquiry: Inquiry) -> str:
    source = "published" if inquiry.next_deadline_source == "published" else "computed"
    phase = f" ({inquiry.next_deadline_phase})" if inquiry.next_deadline_phase else ""
    lines = [
        f"Statutory deadline{phase} of the {inquiry.regulator.name} "
        f"({inquiry.regulator.short_name}), {source}.",
        f"Case reference: {inquiry.reference or 'none published'}.",
        f"Where it stands: {inquiry.state_text()}.",
    ]
    if inquiry.deadline_passed:
        lines.append(f"Passed: {inquiry.stale_text()}.")
    if inquiry.source_url:
        lines.append(f"Source: {inquiry.source_url}")
    return "\n".join(lines)
