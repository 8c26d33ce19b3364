"""The API filters with the pages' FilterSets (deals.filters): same query string, same rows.

Unlike a page, the API answers a filter it cannot use, or a parameter it does not know, with a
400 that says which: a typo must not silently return every row.

A search by relevance ranks the same candidates as the pages (deals/search.py, `ranked_among`):
the first MAX_ROWS + 1 matches in the list's own order (the newest), so its first rows are the
page's; `sort=` another order reaches every match."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from deals import pagination
from deals.search import ranked_among

PAGINATION_PARAMS = {"cursor", "limit"}


class FilterSetBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        known = set(filterset_class.base_filters) | PAGINATION_PARAMS
        unknown = sorted(key for key in request.query_params if key not in known)
        if unknown:
            raise ValidationError(
                {key[:50]: ["Unknown parameter."] for key in unknown[:10]}
                | {"allowed": sorted(known)}
            )
        filterset = filterset_class(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return ranked_among(filterset.results(), pagination.MAX_ROWS + 1)
