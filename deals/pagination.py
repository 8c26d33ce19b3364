"""Pages of a list that stay as fast at 100,000 rows as at 100.

A list counts its rows only up to a cap (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`), so the
count never reads the whole filtered table, and pages stop at the cap, so no page makes the
database skip more than `cap` rows (an OFFSET reads every row it skips). Past the cap the page
says "more than 1,000" and asks for a narrower filter or the other sort order. A search by
relevance ranks only as many matches as the pages reach, plus one (`search.ranked_among`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .cache import cached_query
from .search import is_ranked, ranked_among, rows_of

PAGE_SIZE = 25
MAX_ROWS = 1_000  # 40 pages of 25


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, max_rows: int | None = None, **kwargs):
        max_rows = max_rows or MAX_ROWS
        # A search by relevance: its matches, ranked among as many as the pages reach and one
        # more, to tell that there are more (search.ranked_among).
        ranked = hasattr(object_list, "query") and is_ranked(object_list)
        self.search = object_list if ranked else None
        if ranked:
            object_list = ranked_among(object_list, max_rows + 1)
        super().__init__(object_list, per_page, **kwargs)
        self.max_rows = max_rows

    @cached_property
    def ranked_pks(self) -> list:
        """A search's candidates' pks, best first: its count and every page from one read of
        them, once per query and content version (cached_query)."""
        pks = self.object_list.values_list("pk", flat=True)
        return cached_query(pks, lambda: list(pks), name="ranked")

    @cached_property
    def found(self) -> int:
        """The rows, counted up to one past the cap."""
        rows = self.object_list
        if self.search is not None:
            return len(self.ranked_pks)
        if hasattr(rows, "query"):
            capped = rows.order_by()[: self.max_rows + 1]
            return cached_query(capped, capped.count, name="count")
        return len(rows[: self.max_rows + 1])

    def page(self, number):
        """As Paginator.page; a queryset's page is read by the pks of its rows, found once per
        query and content version (a search's page ranks its candidates)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if self.search is not None:
            pks = self.ranked_pks[bottom:top]
            return self._get_page(rows_of(self.search, pks) if pks else rows.none(), number, self)
        if hasattr(rows, "query"):
            return self._get_page(rows_of_page(rows, bottom, top), number, self)
        return self._get_page(rows[bottom:top], number, self)

    @property
    def capped(self) -> bool:
        """More rows than the pages reach."""
        return self.found > self.max_rows

    @cached_property
    def count(self) -> int:
        """The rows the pages reach (at most the cap)."""
        return min(self.found, self.max_rows)


def rows_of_page(queryset, bottom: int, top: int):
    """queryset[bottom:top], not read yet: with the fragment cache, as the rows with the pks
    that slice has (cached_query)."""
    if not settings.FRAGMENT_CACHE:
        return queryset[bottom:top]
    return _with_pks(queryset, _page_pks(queryset, bottom, top))


def first_rows(queryset, size: int):
    """The first `size` rows, not read yet (rows from the fragment cache need none of their
    prefetches), and whether there are more, without counting them."""
    if not settings.FRAGMENT_CACHE:
        return queryset[:size], queryset[size : size + 1].exists()
    found = _page_pks(queryset, 0, size + 1)
    return _with_pks(queryset, found[:size]), len(found) > size


def _page_pks(queryset, bottom: int, top: int) -> list:
    pks = queryset.values_list("pk", flat=True)[bottom:top]
    return cached_query(pks, lambda: list(pks), name="page")


def _with_pks(queryset, pks: list):
    """The rows of `queryset` with these pks: in the queryset's own order, which is total (pk
    last) and sorts them as it did when their pks were read, under the same content."""
    return queryset.filter(pk__in=pks) if pks else queryset.none()


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, param: str = "page"):
    """The requested page; a page number past the end, past the cap or not a number gives the
    nearest page."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get(param))
