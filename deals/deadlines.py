"""The deadlines ahead and just passed, read from each inquiry's stored next deadline.

The deadline of an open review's running phase (published or computed, deals/phases.py) is
stored on the inquiry (`next_deadline_on`, `next_deadline_source`) whenever its events, clock
stops or dates change, so this index is one indexed query of plain values, cached per content
version and day; a page then loads only the inquiries it shows.
The deal page, the lists, the calendars, the API and the CSV read the same stored values.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .cache import cached
from .models import Inquiry
from .pagination import MAX_ROWS

PASSED_WINDOW = datetime.timedelta(days=365)
PASSED_SHOWN = 20
# (deadline, inquiry pk, "published" or "computed"), soonest first
Index = list[tuple[datetime.date, int, str]]


def candidates(inquiries):
    """Open inquiries with a deadline (published or computed)."""
    return inquiries.open().filter(next_deadline_on__isnull=False)


def deadline_index(inquiries) -> Index:
    """Every open inquiry's deadline, soonest first: one query of plain values."""
    rows = candidates(inquiries).values_list("next_deadline_on", "pk", "next_deadline_source")
    return sorted(rows)


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
    found = Inquiry.objects.filter(pk__in=wanted).with_list_data().in_bulk()
    return [[found[pk] for pk in pks if pk in found] for pks in pk_lists]
