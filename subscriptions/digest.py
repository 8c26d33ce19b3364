"""What a digest says: events and new deals, grouped by deal, and a subject that says so.

Pure presentation over objects already loaded; the same code builds the email, the admin
preview and the dry run, so what the admin previews is what the subscriber gets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from deals.links import http_url
from deals.models import Deal, Event

SUBJECT_NAMES = 3
SUBJECT_MAX_LENGTH = 200


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def one_line(text: str) -> str:
    """No line breaks can reach a header, whatever an editor or a source typed."""
    return " ".join(str(text).split())


@dataclass
class DigestEntry:
    date: object  # datetime.date
    what: str  # the kind of event, or "New deal"
    title: str
    text: str = ""
    regulator: str = ""
    url: str = ""  # the page on Dealwatch
    source_url: str = ""


@dataclass
class DigestGroup:
    title: str
    url: str
    is_new_deal: bool = False
    entries: list[DigestEntry] = field(default_factory=list)


@dataclass
class Digest:
    groups: list[DigestGroup]

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def subject(self) -> str:
        """'3 updates: Microsoft / Mistral AI, Adobe / Figma' (and 'and 2 more' past three)."""
        n = self.count
        names = [group.title for group in self.groups[:SUBJECT_NAMES]]
        more = len(self.groups) - SUBJECT_NAMES
        listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        subject = one_line(f"{n} update{'' if n == 1 else 's'}: {listed}")
        if len(subject) > SUBJECT_MAX_LENGTH:
            subject = subject[: SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
        return subject


def digest_build(*, events: Iterable[Event], new_deals: Iterable[Deal]) -> Digest:
    """Group events by their deal (or, for an inquiry without a deal, by the inquiry)."""
    groups: dict[tuple[str, int], DigestGroup] = {}

    for deal in new_deals:
        group = groups.setdefault(("deal", deal.pk), _deal_group(deal))
        group.is_new_deal = True
        group.entries.append(
            DigestEntry(
                date=deal.announced_on or deal.created_at.date(),
                what="New deal",
                title=deal.title,
                text=deal.summary,
                url=absolute(deal.get_absolute_url()),
            )
        )

    seen: set[int] = set()
    for event in events:
        if event.pk in seen:
            continue
        seen.add(event.pk)
        deal = event.the_deal
        if deal is not None:
            group = groups.setdefault(("deal", deal.pk), _deal_group(deal))
            url = absolute(deal.get_absolute_url())
        else:
            inquiry = event.inquiry
            url = absolute(inquiry.get_absolute_url())
            group = groups.setdefault(
                ("inquiry", inquiry.pk), DigestGroup(title=one_line(str(inquiry)), url=url)
            )
        regulator = event.regulator
        group.entries.append(
            DigestEntry(
                date=event.occurred_on,
                what=event.get_kind_display(),
                title=event.title,
                text=event.text,
                regulator=regulator.short_name if regulator else "",
                url=url,
                source_url=http_url(event.source_url),  # both parts: never a javascript: link
            )
        )

    for group in groups.values():
        group.entries.sort(key=lambda entry: (entry.date, entry.what != "New deal"))
    # Newest news first, so the subject names what just happened.
    ordered = sorted(groups.values(), key=lambda g: max(e.date for e in g.entries), reverse=True)
    return Digest(groups=ordered)


def _deal_group(deal: Deal) -> DigestGroup:
    return DigestGroup(title=one_line(deal.title), url=absolute(deal.get_absolute_url()))


EVENT_RELATED = ("deal", "inquiry__regulator", "inquiry__deal")
