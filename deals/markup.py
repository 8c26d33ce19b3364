"""Markup written in Python where a template would be too slow for its size (the filter forms'
widgets, deals/widgets.py; the charts, deals/charts.py) or where Django's templates and the
rows' Jinja2 templates (deals/rows.py) show the same thing (a status badge, a deadline): each
text escaped exactly as the templates and format_html escape it."""

import html

from django.template.defaultfilters import date
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def escaped(value) -> str:
    """`value` as `{{ value }}` writes it with autoescape on: HTML already marked safe as it is,
    anything else as text (django.utils.html.conditional_escape's result, without the lazy-text
    wrapper around each call: a chart or a filter form escapes thousands of values)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def status_badge(deal, statuses_url: str | None = None) -> SafeString:
    """A deal's status badge, linking to what the status means on /statuses/ (`statuses_url`,
    reversed here when not given: a list gives it once for all its rows)."""
    url = statuses_url or reverse("deals:statuses")
    status, label = deal.antitrust_status, deal.get_antitrust_status_display()
    return format_html(
        '<a class="status status-{}" href="{}#status-{}" title="What “{}” means">{}</a>',
        status,
        url,
        status,
        label,
        label,
    )


def deadline(inquiry) -> SafeString:
    """An inquiry's next deadline: the date, whether it was published or computed (and from
    which phase), and while the inquiry is open the working days left; "" without one."""
    due = inquiry.deadline
    if not due:
        return mark_safe("")
    if due.is_computed:
        title = format_html("Computed from the {}'s start by the regulator's rule", due.phase)
    else:
        title = "As the regulator published it"
    written = format_html(
        '<time datetime="{}">{}</time>\n'
        '<span class="deadline-source deadline-{}" title="{}">{}</span>',
        date(due.on, "Y-m-d"),
        date(due.on, "j M Y"),
        due.source,
        title,
        due.source,
    )
    left = due.working_days_left(timezone.localdate())
    if left is None or not inquiry.is_open:
        return written
    if left > 0:
        days = format_html("{} working day{} left", left, "" if left == 1 else "s")
    else:
        days = "due today" if left == 0 else "passed"
    return format_html('{}\n<span class="days-left">{}</span>', written, days)
