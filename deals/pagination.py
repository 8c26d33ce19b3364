"""Pages of a list that stay as fast at 100,000 rows as at 100.

A list counts its rows only up to a cap (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`), so the
count never reads the whole filtered table, and pages stop at the cap, so no page makes the
database skip more than `cap` rows (an OFFSET reads every row it skips). Past the cap the page
says "more than 5,000" and asks for a narrower filter or the other sort order.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
MAX_ROWS = 1_000  # 40 pages of 25


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, max_rows: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_rows = max_rows or MAX_ROWS

    @cached_property
    def found(self) -> int:
        """The rows, counted up to one past the cap."""
        rows = self.object_list
        if hasattr(rows, "query"):
            return rows.order_by()[: self.max_rows + 1].count()
        return len(rows[: self.max_rows + 1])

    @property
    def capped(self) -> bool:
        """More rows than the pages reach."""
        return self.found > self.max_rows

    @cached_property
    def count(self) -> int:
        """The rows the pages reach (at most the cap)."""
        return min(self.found, self.max_rows)


def first_rows(queryset, size: int):
    """The first `size` rows, not read yet (rows from the fragment cache need none of their
    prefetches), and whether there are more, without counting them."""
    return queryset[:size], queryset[size : size + 1].exists()


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, param: str = "page"):
    """The requested page; a page number past the end, past the cap or not a number gives the
    nearest page."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get(param))
