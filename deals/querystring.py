"""The canonical query string of a filtered list: the one definition behind the links to the
same rows elsewhere (feeds, calendars, CSV), the keys of cached list fragments, and the saved
searches subscribers follow (subscriptions store it and compare it as stored).

Canonical means: only the keys the list's FilterSet reads, minus those that change how the rows
are shown rather than which rows they are; each value stripped, empty values dropped; the pairs
sorted. So one search is written one way, however its query string was typed or ordered.
"""

from __future__ import annotations

from django.http import QueryDict

# Parameters that change how a list is shown, not which rows it has.
PRESENTATION_KEYS = frozenset({"sort", "page", "cursor", "limit"})


def canonical_query(data: QueryDict | str | None, filterset_class) -> str:
    """`data` reduced to the filters of `filterset_class` it sets, sorted, as a query string.

    Saved searches were stored in exactly this form: keep it stable, or stored subscriptions
    stop matching the searches people ask to follow again.
    """
    if not isinstance(data, QueryDict):
        data = QueryDict(data or "")
    pairs = sorted(
        (key, value.strip())
        for key in data
        if key in filterset_class.base_filters and key not in PRESENTATION_KEYS
        for value in data.getlist(key)
        if value.strip()
    )
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query.urlencode()
