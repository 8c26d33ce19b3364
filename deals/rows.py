"""The Jinja2 environment the list rows, a deal's timeline and /stats/' figures render in
(deals/jinja2/deals/).

A list page renders twenty to fifty rows of about twenty cells each, and when its fragments are
not cached (after a write, or on a cold cache) Django's template engine spent most of a row's
time on looking names up and on writing dates. Jinja2 compiles a template to Python: with the
dates below written once, a company page's 51 rows take 21.5 ms instead of 32 and /inquiries/'
26 take 9 instead of 12 (their reads included; in-process, 100,000 deals, 2026-12-08). The
pages around the rows stay Django templates: a row is put in by
`{% cachedfor ... using "deals/deal_row.html" %}` (deals/templatetags/deal_tags.py), which
renders it here with the loop's item and the fragment's key values, and caches it as before.
A deal's timeline (146 events on the largest) and /stats/' figures (about 7,700 values in
tables) are put in the same way by
`{% cachedblock ... using "deals/stats_figures.html" %}`, given the page's context: /stats/
takes 45 ms of CPU instead of 75 uncached, that deal's page 32 instead of 35.

What a row calls that Django's templates call too (the status badge, a deadline) is one function
in deals/markup.py, used by both. In a Jinja2 template a method is called with `()`, as
`deal.get_absolute_url()`; `{{ x }}` escapes as autoescape does (markupsafe: the same
characters as Django's escape, `'` and `"` written as `&#39;` and `&#34;`).
"""

import datetime
import functools

from django.template import defaultfilters
from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from jinja2 import Environment

from . import markup
from .links import http_url
from .wording import day_as_known


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        status_badge=markup.status_badge,
        deadline=markup.deadline,
        url=reverse_path,
    )
    env.filters.update(
        date=date,
        floatformat=defaultfilters.floatformat,
        pluralize=defaultfilters.pluralize,
        as_known=day_as_known,
        safe_href=http_url,
        truncatechars=defaultfilters.truncatechars,
    )
    return env


def date(value, format: str) -> str:
    """Django's `date` filter as Django's templates apply it, each day written once per format
    and language: a list of twenty-five deals writes about 135 dates, most of them a few days
    apart, and Django's formatter was a third of a row's time. A datetime is written in the
    current time zone, as Django's templates convert it before the filter (Jinja2 does not),
    and formatted each time."""
    if type(value) is datetime.date:
        return _date_written(value, format, get_language())
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return defaultfilters.date(value, format)


@functools.lru_cache(maxsize=4096)
def _date_written(day: datetime.date, format: str, language: str | None) -> str:
    # `language` keys the cache: the filter itself reads the active one.
    return defaultfilters.date(day, format)


def reverse_path(name: str, *args) -> str:
    """`{% url name arg %}` as `url(name, arg)`."""
    return reverse(name, args=args or None)
