"""The deadlines ahead and just passed, read from each inquiry's stored next deadline.

The deadline of an open review's running phase (published or computed, deals/phases.py) is
stored on the inquiry (`next_deadline_on`, `next_deadline_source`) whenever its events, clock
stops or dates change, so the deadlines ahead and passed are read from its index, a page's
worth at a time (bounded queries, cached per content version and day: after a write they are
read again, not every open review's deadline); a page then loads only the inquiries it shows.
The deal page, the lists, the calendars, the API and the CSV read the same stored values.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .cache import cached, revisions_key
from .models import Inquiry
from .pagination import MAX_ROWS

PASSED_WINDOW = datetime.timedelta(days=365)
PASSED_SHOWN = 20


def candidates(inquiries):
    """Open inquiries with a deadline (published or computed)."""
    return inquiries.open().filter(next_deadline_on__isnull=False)


@dataclass(frozen=True)
class Upcoming:
    ahead: list[int]  # inquiry pks, soonest first, at most one past the pages' cap
    passed: list[int]  # the most recent first, at most PASSED_SHOWN
    ahead_count: int  # all of them within a window (`within`); without one, up to the cap


def upcoming(
    inquiries,
    *,
    today: datetime.date,
    key: str = "",
    within: int | None = None,
    source: str = "",
) -> Upcoming:
    """The deadlines ahead (from today on, up to `within` days ahead) and those of the last year
    that passed with no decision recorded since, of `inquiries` (`key` names the filters that
    made them; none for every public inquiry); only the published or the computed ones with
    `source`. Once per content version and day, in two bounded, indexed queries (a third
    counts a window's deadlines when there are more than the pages reach)."""

    def compute() -> Upcoming:
        rows = candidates(inquiries)
        if source:
            rows = rows.filter(next_deadline_source=source)
        ahead = rows.filter(next_deadline_on__gte=today)
        if within is not None:
            ahead = ahead.filter(next_deadline_on__lte=today + datetime.timedelta(within))
        first = list(
            ahead.order_by("next_deadline_on", "pk").values_list("pk", flat=True)[: MAX_ROWS + 1]
        )
        passed = rows.filter(
            next_deadline_on__gte=today - PASSED_WINDOW, next_deadline_on__lt=today
        ).order_by("-next_deadline_on", "-pk")
        return Upcoming(
            first,
            list(passed.values_list("pk", flat=True)[:PASSED_SHOWN]),
            # Only a window's count is shown (the front page's "and N more"); /deadlines/ pages
            # stop at the cap, and counting every deadline ahead would cost it a scan.
            len(first) if len(first) <= MAX_ROWS or within is None else ahead.order_by().count(),
        )

    return cached(f"deadlines:{today:%Y%m%d}:{within}:{source}:{key}", compute)


def inquiries_in_order(*pk_lists: list[int]) -> list[list[Inquiry]]:
    """The inquiries of each list, in its order, with what their deadline and row show: one
    read for all the lists."""
    wanted = {pk for pks in pk_lists for pk in pks}
    found = Inquiry.objects.filter(pk__in=wanted).with_list_data().in_bulk()
    return [[found[pk] for pk in pks if pk in found] for pks in pk_lists]


def rows_key(pks: list[int], *, also: object = ()) -> str:
    """What a table of these inquiries, in this order, shows, as its fragment's key: their
    revisions and their deals' (cache.revisions_key), with `also` (a count it shows)."""
    return revisions_key(
        Inquiry.objects.filter(pk__in=pks).order_by("pk"), *Inquiry.ROW_REVISIONS, also=(pks, also)
    )
