"""Saved searches: a /deals/ query string as stored (canonical_search), the deals it lists
(deals_matching) and how it reads in words (search_label).

The stored form is deals.querystring's canonical query string of DealFilter: the same
definition the deal pages use for their feed links, so a stored search and the page it came
from agree.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.http import QueryDict

from deals.filters import DealFilter, printable, value_labels
from deals.models import Deal
from deals.querystring import PRESENTATION_KEYS, canonical_query


def canonical_search(data: QueryDict | str | None) -> str:
    """A /deals/ query string reduced to its filters, sorted, so one search is stored once."""
    return canonical_query(data, DealFilter)


def deals_matching(query: str) -> models.QuerySet[Deal]:
    """Exactly the deals /deals/?<query> lists: the same FilterSet on the same queryset."""
    return DealFilter(data=QueryDict(query), queryset=Deal.objects.published()).results()


def search_label(query: str) -> str:
    """A saved search in words: Deals matching “microsoft” · Status: Under review.

    Worded by the FilterSet's own labels (value_labels), which look nothing up with a value
    PostgreSQL would refuse (a NUL byte); the pages offer no alert for a search with errors.
    """
    data = QueryDict(query)
    if not data:
        return "All deals"
    parts = []
    # The FilterSet knows how each value reads: a regulator's or company's name (given by slug,
    # name or ticker), a jurisdiction's name, a status's words.
    labels = value_labels(DealFilter, data)
    for key in data:
        filter_ = DealFilter.base_filters.get(key)
        if filter_ is None or key in PRESENTATION_KEYS:
            continue
        values = [labels.get(key, {}).get(v, printable(v)) for v in data.getlist(key) if v]
        if not values:
            continue
        if isinstance(filter_, django_filters.BooleanFilter):
            # A ticked box reads as its label ("Include its group companies"), not "...: 1".
            if forms.NullBooleanField().to_python(data.get(key)) or data.get(key) == "on":
                parts.append(filter_.label)
            continue
        if key == "q":
            parts.insert(0, f"“{values[0]}”")
        else:
            parts.append(f"{filter_.label}: {', '.join(values)}")
    return "Deals matching " + " · ".join(parts) if parts else "All deals"
