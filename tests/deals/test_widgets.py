"""The filter forms' selects and checkboxes are rendered in Python; they must say exactly what
Django's do."""

import re

import pytest
from django import forms

from deals import filters, widgets

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


@pytest.mark.parametrize(
    ("attrs", "value"),
    [
        ({"id": "id_stage", "class": "checkboxes"}, ["phase_2", "objections"]),
        ({"id": "id_stage", "class": "checkboxes", "data-note": 'say "hi"'}, None),
        ({"class": "checkboxes"}, ["phase_1"]),
        ({}, []),
    ],
)
def test_checkboxes_render_byte_for_byte_as_djangos_do(attrs, value):
    """Not normalised: the same bytes, whitespace and all, as multiple_input.html gives."""
    ours = widgets.CheckboxSelectMultiple(choices=CHOICES).render("stage", value, attrs=attrs)
    djangos = forms.CheckboxSelectMultiple(choices=CHOICES).render("stage", value, attrs=attrs)
    assert "&lt;objections&gt; &amp; &quot;more&quot;" in ours
    assert ours == djangos


@pytest.mark.django_db
@pytest.mark.parametrize("filter_name", ["DealFilter", "InquiryFilter"])
def test_a_list_pages_checkboxes_are_djangos_markup(filter_name):
    """Each checkbox field of a list's filter form, some boxes ticked, is what Django's own
    checkbox templates write for it (the positive control: boxes, ticked ones among them)."""
    filterset = getattr(filters, filter_name)(
        {"regulator": ["ec"], "kind": ["merger_review"], "type": ["merger"]}
    )
    fields = [
        f for f in filterset.form if isinstance(f.field.widget, widgets.CheckboxSelectMultiple)
    ]
    assert len(fields) >= 4
    ticked = 0
    for field in fields:
        ours = str(field)
        ticked += ours.count(" checked>")
        field.field.widget = forms.CheckboxSelectMultiple(
            attrs=field.field.widget.attrs, choices=field.field.widget.choices
        )
        assert str(field) == ours, field.name
    assert ticked >= 2
