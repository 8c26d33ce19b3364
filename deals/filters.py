"""The filters of the public lists. Saved searches use DealFilter too, so alerts match the page."""

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import F

from . import widgets
from .cache import cached
from .models import (
    CONDUCT_OUTCOMES,
    CONDUCT_STAGES,
    MERGER_OUTCOMES,
    MERGER_STAGES,
    AntitrustStatus,
    Company,
    Deal,
    DealLife,
    DealType,
    Inquiry,
    InquiryKind,
    Outcome,
    Regulator,
    Stage,
)

MAX_QUERY_LENGTH = 200


def date_filter(field_name: str, lookup_expr: str, label: str) -> django_filters.DateFilter:
    """A YYYY-MM-DD bound; a date like 2024-13-45 is a form error."""
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup_expr,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# Choices read from the data: computed once per content version (deals/cache.py), not on every
# request (a DISTINCT over every deal).


def jurisdictions() -> list[tuple[str, str]]:
    codes = Regulator.objects.order_by("jurisdiction").values_list("jurisdiction", flat=True)
    return [(code, code) for code in dict.fromkeys(codes)]


def sectors() -> list[tuple[str, str]]:
    names = Deal.objects.published().exclude(sector="").order_by("sector")
    return [(name, name) for name in names.values_list("sector", flat=True).distinct()]


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorting where a row without the date (an undated deal) comes last either way, on every
    database (PostgreSQL puts NULLs first when descending, SQLite last)."""

    def get_ordering_value(self, param):
        name = super().get_ordering_value(param)
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


def in_two_vocabularies(choices, merger: frozenset, conduct: frozenset) -> list:
    """Choices grouped as the public pages speak: merger control words, then conduct words.

    A value both vocabularies share (closed, litigation) is offered once, in the merger group."""
    merger_choices = [(value, label) for value, label in choices if value in merger]
    conduct_choices = [
        (value, label) for value, label in choices if value in conduct and value not in merger
    ]
    return [("Merger control", merger_choices), ("Conduct cases", conduct_choices)]


class BaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        validators=[MaxLengthValidator(MAX_QUERY_LENGTH)],
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Company, deal or case"}),
    )
    regulator = django_filters.ModelMultipleChoiceFilter(
        queryset=Regulator.objects.all(),
        to_field_name="slug",
        method="filter_regulator",
        label="Regulator",
        widget=widgets.SelectMultiple,
    )
    jurisdiction = django_filters.ChoiceFilter(
        choices=[],
        method="filter_jurisdiction",
        label="Jurisdiction",
        empty_label="Any",
        widget=widgets.Select,
    )
    company = django_filters.ModelChoiceFilter(
        queryset=Company.objects.all(),
        to_field_name="slug",
        method="filter_company",
        label="Company",
        widget=forms.TextInput(attrs={"placeholder": "e.g. microsoft"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["jurisdiction"].extra["choices"] = cached("jurisdictions", jurisdictions)

    # Both querysets (DealQuerySet, InquiryQuerySet) speak the same reads.
    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_regulator(self, queryset, name, value):
        return queryset.reviewed_by(value) if value else queryset

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.in_jurisdiction(value) if value else queryset

    def filter_company(self, queryset, name, value):
        return queryset.involving([value]) if value else queryset

    def results(self):
        """The filtered rows, or none at all while the form has errors (the page shows them).

        The deal list and saved-search alerts both read this, so an alert never disagrees
        with the page."""
        return self.qs if self.is_valid() else self.queryset.none()


class DealFilter(BaseFilter):
    status = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        field_name="antitrust_status",
        choices=AntitrustStatus.choices,
        label="Status",
    )
    life = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        choices=DealLife.choices,
        method="filter_life",
        label="Deal life",
    )
    type = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        field_name="deal_type",
        choices=DealType.choices,
        label="Type",
    )
    sector = django_filters.ChoiceFilter(
        widget=widgets.Select, field_name="sector", choices=[], label="Sector", empty_label="Any"
    )
    announced_after = date_filter("announced_on", "gte", "Announced on or after")
    announced_before = date_filter("announced_on", "lte", "Announced on or before")
    sort = NullsLastOrderingFilter(
        widget=widgets.Select,
        fields=(("announced_on", "announced"), ("last_activity_on", "activity")),
        field_labels={"announced_on": "Announcement date", "last_activity_on": "Latest activity"},
        label="Sort by",
        empty_label="Newest announced",
    )

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_life(self, queryset, name, value):
        return queryset.in_life(value) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sector"].extra["choices"] = cached("deal-sectors", sectors)


class InquiryFilter(BaseFilter):
    stage = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        choices=in_two_vocabularies(Stage.choices, MERGER_STAGES, CONDUCT_STAGES),
        label="Stage",
    )
    outcome = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        choices=in_two_vocabularies(Outcome.choices, MERGER_OUTCOMES, CONDUCT_OUTCOMES),
        label="Outcome",
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=InquiryKind.choices, label="Kind", widget=widgets.SelectMultiple
    )
    status = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        field_name="deal__antitrust_status",
        choices=AntitrustStatus.choices,
        label="Deal status",
    )
    type = django_filters.MultipleChoiceFilter(
        widget=widgets.SelectMultiple,
        field_name="deal__deal_type",
        choices=DealType.choices,
        label="Deal type",
    )
    opened_after = date_filter("opened_on", "gte", "Opened on or after")
    opened_before = date_filter("opened_on", "lte", "Opened on or before")
    sort = NullsLastOrderingFilter(
        widget=widgets.Select,
        fields=(("opened_on", "opened"), ("deadline_on", "deadline")),
        field_labels={"opened_on": "Opened", "deadline_on": "Deadline"},
        label="Sort by",
        empty_label="Newest opened",
    )

    class Meta:
        model = Inquiry
        fields: list[str] = []
