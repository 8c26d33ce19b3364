"""The deadlines ahead and just passed: published ones, and those computed by the clocks.

A published deadline (`Inquiry.deadline_on`) always wins over the computed one. Computing needs
each open review's events and clock stops. There may be tens of thousands of open reviews (the
benchmark database has 38,000), so the index of every deadline is computed from plain values,
not model instances, and cached per content version and day; a page then loads only the
inquiries it shows, in a fixed number of queries (`InquiryQuerySet.with_clock_data`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from . import clocks
from .cache import cached
from .models import ClockStop, Event, Inquiry
from .pagination import MAX_ROWS
from .vocabulary import InquiryKind

PASSED_WINDOW = datetime.timedelta(days=365)
PASSED_SHOWN = 20
# (deadline, inquiry pk, "published" or "computed"), soonest first
Index = list[tuple[datetime.date, int, str]]


def candidates(inquiries):
    """Open inquiries that have a published deadline or a clock we can compute."""
    return inquiries.open().filter(
        Q(deadline_on__isnull=False)
        | Q(kind=InquiryKind.MERGER_REVIEW, regulator__slug__in=list(clocks.RULES))
    )


def deadline_index(inquiries) -> Index:
    """Every open inquiry's deadline (published or computed), soonest first. Three queries of
    plain values: the computed ones read the same facts as `Inquiry.clock_facts()` and run the
    same pure functions (deals/clocks.py)."""
    rows = candidates(inquiries).values_list(
        "pk",
        "regulator__slug",
        "kind",
        "opened_on",
        "closed_on",
        "deadline_on",
        "extended_by",
        "cash_tender_offer",
    )
    index: Index = []
    to_compute = []
    for pk, regulator, kind, opened, closed, published, extended, cash in rows:
        if published:
            index.append((published, pk, "published"))
        elif kind == InquiryKind.MERGER_REVIEW:
            to_compute.append((pk, regulator, opened, closed, extended, cash))
    if to_compute:
        computing = candidates(inquiries).filter(deadline_on__isnull=True).values("pk")
        events = per_inquiry(
            Event.objects.filter(inquiry__in=computing)
            .order_by("occurred_on", "pk")
            .values_list("inquiry", "kind", "occurred_on")
        )
        stops = per_inquiry(
            ClockStop.objects.filter(inquiry__in=computing)
            .order_by("stopped_on", "pk")
            .values_list("inquiry", "stopped_on", "restarted_on")
        )
        for pk, regulator, opened, closed, extended, cash in to_compute:
            facts = clocks.ClockFacts(
                regulator=regulator,
                opened_on=opened,
                closed_on=closed,
                events=tuple(events[pk]),
                stops=tuple(stops[pk]),
                extended_by=extended or 0,
                cash_tender_offer=cash,
            )
            deadline = clocks.current_deadline(facts, published=None, is_open=True)
            if deadline is not None:
                index.append((deadline.on, pk, deadline.source))
    index.sort()
    return index


def per_inquiry(rows) -> defaultdict[int, list[tuple]]:
    """Rows of (inquiry pk, *values) as each inquiry's list of values, in the rows' order."""
    grouped: defaultdict[int, list[tuple]] = defaultdict(list)
    for inquiry, *values in rows:
        grouped[inquiry].append(tuple(values))
    return grouped


def split(index: Index, *, today: datetime.date, within: int | None = None, source: str = ""):
    """(ahead, passed): inquiry pks with deadlines from today on (up to `within` days ahead),
    and those of the last year with no decision recorded since, the most recent first; only
    the published or the computed ones with `source`."""
    last = today + datetime.timedelta(within) if within is not None else datetime.date.max
    rows = [(day, pk) for day, pk, kind in index if not source or kind == source]
    ahead = [pk for day, pk in rows if today <= day <= last]
    passed = [pk for day, pk in rows if today - PASSED_WINDOW <= day < today]
    return ahead, passed[::-1]


@dataclass(frozen=True)
class Upcoming:
    ahead: list[int]  # inquiry pks, soonest first, at most one past the pages' cap
    passed: list[int]  # the most recent first, at most PASSED_SHOWN
    ahead_count: int


def upcoming(
    inquiries,
    *,
    today: datetime.date,
    key: str = "",
    within: int | None = None,
    source: str = "",
) -> Upcoming:
    """The deadlines ahead and passed of `inquiries` (`key` names the filters that made them;
    none for every public inquiry), once per content version and day: a page reads these few
    pks, not the index of every deadline, which is cached on its own."""

    def compute() -> Upcoming:
        index = cached(f"deadline-index:{today:%Y%m%d}:{key}", lambda: deadline_index(inquiries))
        ahead, passed = split(index, today=today, within=within, source=source)
        return Upcoming(ahead[: MAX_ROWS + 1], passed[:PASSED_SHOWN], len(ahead))

    return cached(f"deadlines:{today:%Y%m%d}:{within}:{source}:{key}", compute)


def inquiries_in_order(*pk_lists: list[int]) -> list[list[Inquiry]]:
    """The inquiries of each list, in its order, with what their deadline and row show: one
    read for all the lists."""
    wanted = {pk for pks in pk_lists for pk in pks}
    found = Inquiry.objects.filter(pk__in=wanted).with_clock_data().in_bulk()
    return [[found[pk] for pk in pks if pk in found] for pks in pk_lists]
