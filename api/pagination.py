"""Cursor pagination for every list of the API: keyset, not offset.

The cursor holds the sort values of the last row sent (signed, so that a client cannot forge
one), and the next page is the rows that sort after it, whatever the order the FilterSet chose
(`?sort=`, or relevance with `?q=`). Orders end in `pk`, so they are total and no row is skipped
or repeated; NULLs sort last in both directions, as on the pages. A page costs one query, the
hundredth as much as the first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_LIMIT = 25  # the pages' PAGE_SIZE: the first page of the API is the first page of the list
MAX_LIMIT = 100
SALT = "dealwatch.api.cursor"


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool
    nulls_last: bool


def ordering_keys(queryset) -> list[Key]:
    """The queryset's order as keys; only plain fields and annotations can page by keyset."""
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            keys.append(Key(item.lstrip("-"), item.startswith("-"), False))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            keys.append(Key(item.expression.name, item.descending, bool(item.nulls_last)))
        else:
            raise TypeError(f"cannot page by {item!r}")
    if not keys or keys[-1].name not in ("pk", "id"):
        raise TypeError("the order must end with pk")
    return keys


def _dump(value):
    if isinstance(value, datetime.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    return value


def _load(value):
    if isinstance(value, dict):
        if "t" in value:
            return datetime.datetime.fromisoformat(value["t"])
        return datetime.date.fromisoformat(value["d"])
    return value


def rows_after(keys: list[Key], values: list) -> Q:
    """Rows that sort after the row with `values`: OR over i of (keys before i equal, key i
    after)."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            after = Q(pk__in=[])  # NULLs are last: nothing comes after them on this key
            same = Q(**{f"{key.name}__isnull": True})
        else:
            after = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
            if key.nulls_last:
                after |= Q(**{f"{key.name}__isnull": True})
            same = Q(**{key.name: value})
        condition |= equal & after
        equal &= same
    return condition


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    limit_query_param = "limit"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        keys = ordering_keys(queryset)
        signature = ",".join(f"{'-' if k.descending else ''}{k.name}" for k in keys)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            values = self.decode(cursor, signature)
            if len(values) != len(keys):
                raise ValidationError({"cursor": ["This cursor is not valid."]})
            queryset = queryset.filter(rows_after(keys, values))
        rows = list(queryset[: self.limit + 1])
        self.next_cursor = None
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            last = rows[-1]
            values = [_dump(getattr(last, "pk" if k.name == "id" else k.name)) for k in keys]
            self.next_cursor = signing.dumps([signature, values], salt=SALT, compress=True)
        return rows

    def get_limit(self, request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return DEFAULT_LIMIT
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= MAX_LIMIT):
            raise ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
        return int(raw)

    def decode(self, cursor: str, signature: str) -> list:
        try:
            used_signature, values = signing.loads(cursor[:2000], salt=SALT)
            if used_signature != signature:
                raise ValueError("another order")
            return [_load(value) for value in values]
        except (signing.BadSignature, ValueError, TypeError, KeyError):
            raise ValidationError(
                {"cursor": ["This cursor is not valid (or belongs to another sort order)."]}
            ) from None

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the `next` link of the page before.",
                "schema": {"type": "string", "maxLength": 2000},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        ]
