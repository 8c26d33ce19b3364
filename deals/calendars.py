"""iCalendar feeds of statutory deadlines (RFC 5545, written by the icalendar library).

One all-day event per upcoming deadline of an open inquiry, named for its regulator, deal and
case reference; its UID is the inquiry's, so an extended deadline moves the event a calendar
already has instead of adding another.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from .models import Inquiry

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
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = timezone.now()
    for inquiry in inquiries[:MAX_EVENTS]:
        event = Event()
        event.add("uid", deadline_uid(inquiry))
        event.add("dtstamp", stamp)
        event.add("dtstart", inquiry.deadline_on)
        event.add("dtend", inquiry.deadline_on + datetime.timedelta(days=1))
        event.add("summary", deadline_summary(inquiry))
        event.add("description", _description(inquiry))
        event.add("location", inquiry.regulator.name)
        event.add("categories", [inquiry.regulator.short_name])
        event.add("url", absolute(inquiry.get_absolute_url()))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def _description(inquiry: Inquiry) -> str:
    lines = [
        f"Statutory deadline of the {inquiry.regulator.name} ({inquiry.regulator.short_name}).",
        f"Case reference: {inquiry.reference or 'none published'}.",
        f"Where it stands: {inquiry.state_text()}.",
    ]
    if inquiry.source_url:
        lines.append(f"Source: {inquiry.source_url}")
    return "\n".join(lines)
