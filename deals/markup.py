"""Markup written in Python where a template would be too slow for its size (the filter forms'
widgets, deals/widgets.py; the charts, deals/charts.py): each text escaped exactly as the
templates and format_html escape it."""

import html


def escaped(value) -> str:
    """`value` as `{{ value }}` writes it with autoescape on: HTML already marked safe as it is,
    anything else as text (django.utils.html.conditional_escape's result, without the lazy-text
    wrapper around each call: a chart or a filter form escapes thousands of values)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
