"""The API filters with the pages' FilterSets (deals.filters): same query string, same rows.

Unlike a page, the API answers a filter it cannot use, or a parameter it does not know, with a
400 that says which: a typo must not silently return every row."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

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
        return filterset.results()
