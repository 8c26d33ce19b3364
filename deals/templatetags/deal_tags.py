from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.simple_tag(takes_context=True)
def status_badge(context, deal) -> str:
    """The status badge, linking to what the status means (the markup of deals/_status.html).

    Built in Python with the link reversed once per template: a list shows one a row."""
    url = context.render_context.get("statuses_url")
    if url is None:
        url = context.render_context["statuses_url"] = reverse("deals:statuses")
    status, label = deal.antitrust_status, deal.get_antitrust_status_display()
    return format_html(
        '<a class="status status-{}" href="{}#status-{}" title="What “{}” means">{}</a>',
        status,
        url,
        status,
        label,
        label,
    )


@register.simple_tag
def filtered_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"
