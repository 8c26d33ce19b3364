from django import template
from django.utils.html import format_html
from django.utils.http import urlencode

from ..links import http_url

register = template.Library()


@register.filter
def safe_href(url) -> str:
    """The address when it is http(s), else "": write `{% with href=x|safe_href %}` and link
    only `{% if href %}`, so a stored `javascript:` address is never a link."""
    return http_url(url)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.inclusion_tag("deals/_status.html")
def status_badge(deal):
    return {"status": deal.antitrust_status, "label": deal.get_antitrust_status_display()}


@register.simple_tag
def filtered_url(name: str, **params) -> str:
    from django.urls import reverse

    return f"{reverse(name)}?{urlencode(params)}"


@register.simple_tag
def working_days_left(deadline) -> int | None:
    """Working days from today to `deadline` (a clocks.Deadline), negative once passed."""
    from django.utils import timezone

    return deadline.working_days_left(timezone.localdate()) if deadline else None


# Columns whose first click sorts newest first; the others start A to Z or soonest first.
NEWEST_FIRST = {"announced", "activity", "opened"}


@register.simple_tag(takes_context=True)
def sort_header(context, column: str, label: str) -> str:
    """A column heading that sorts the list by it (and back), keeping the filters; a plain
    heading where the table is not a filtered list."""
    filterset = context.get("filter")
    sorts = getattr(filterset, "SORTS", {})
    if column not in sorts and f"-{column}" not in sorts:
        return format_html('<th scope="col">{}</th>', label)
    current = filterset.sort_key
    first = f"-{column}" if column in NEWEST_FIRST else column
    if current == column:
        state, arrow, target = "ascending", "▲", f"-{column}"
    elif current == f"-{column}":
        state, arrow, target = "descending", "▼", column
    else:
        state, arrow, target = "none", "↕", first
    params = context["request"].GET.copy()
    for key in ("page", "cursor"):
        params.pop(key, None)
    params["sort"] = target
    hint = "sorted " + state if state != "none" else "sort by this column"
    return format_html(
        '<th scope="col" aria-sort="{}"><a class="sort" href="?{}">{}<span class="sort-arrow" '
        'aria-hidden="true">{}</span><span class="visually-hidden"> ({})</span></a></th>',
        state,
        params.urlencode(),
        label,
        arrow,
        hint,
    )
