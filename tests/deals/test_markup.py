"""deals.markup.escaped escapes as the templates do (django.utils.html.conditional_escape)."""

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from deals.markup import escaped


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(\"x\")</script> & 'quoted'",
        mark_safe("<b>already safe</b> &amp;"),
        gettext_lazy("Cleared <with> remedies"),
        42,
        12.5,
        None,
        "",
        "plain",
    ],
)
def test_escaped_writes_what_conditional_escape_writes(value):
    assert escaped(value) == str(conditional_escape(value))


def test_escaped_escapes_markup_and_leaves_safe_html_alone():
    assert escaped('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert escaped(mark_safe('<a href="x">')) == '<a href="x">'
