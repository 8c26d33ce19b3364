"""The filter forms' selects are rendered in Python; they must say exactly what Django's do."""

import re

import pytest
from django import forms

from deals import widgets

CHOICES = [
    ("Merger control", [("phase_1", "Phase 1"), ("phase_2", "Phase 2 / in-depth")]),
    ("Conduct cases", [("objections", 'Statement of <objections> & "more"')]),
    ("", "Any"),
]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    ("ours", "djangos", "value"),
    [
        (widgets.Select, forms.Select, "phase_2"),
        (widgets.SelectMultiple, forms.SelectMultiple, ["phase_1", "objections"]),
        (widgets.SelectMultiple, forms.SelectMultiple, None),
    ],
)
def test_a_select_renders_as_djangos_does(ours, djangos, value):
    attrs = {"id": "id_stage", "data-note": 'say "hi"'}
    expected = djangos(choices=CHOICES).render("stage", value, attrs=attrs)
    assert normalised(ours(choices=CHOICES).render("stage", value, attrs=attrs)) == normalised(
        expected
    )
