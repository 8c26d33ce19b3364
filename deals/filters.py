"""The filters of the public lists, the API and saved searches: one FilterSet per list, so that
/deals/, /api/v1/deals/, the deal feeds and calendars and an alert all mean the same rows by the
same query string.

Query-string values stay stable and short (regulator and company slugs, jurisdiction codes,
choice values); what people type is accepted too: a company's name, alternative name or ticker
("Microsoft", "google", "MSFT"), a jurisdiction's name or common code ("UK" is GB).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from . import querystring, widgets
from .cache import cached, cached_query
from .jurisdictions import jurisdiction_code, jurisdiction_name
from .models import OPEN_INQUIRY, Company, Deal, Event, Inquiry, Regulator
from .querystring import PRESENTATION_KEYS
from .vocabulary import (
    CONDUCT_OUTCOMES,
    CONDUCT_STAGES,
    MERGER_OUTCOMES,
    MERGER_STAGES,
    AntitrustStatus,
    DealLife,
    DealType,
    EventKind,
    InquiryKind,
    LegalBasis,
    Outcome,
    Procedure,
    Stage,
)

MAX_QUERY_LENGTH = 200


def date_filter(
    field_name: str, lookup_expr: str, label: str, method: str | None = None
) -> django_filters.DateFilter:
    """A YYYY-MM-DD bound; a date like 2024-13-45 is a form error. With `method`, the
    FilterSet's method applies it (a bound on a related row, read with its other bound)."""
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup_expr,
        label=label,
        method=method,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# --- Open and closed cases ----------------------------------------------------------------------
#
# Open is OPEN_INQUIRY (deals/models.py, the SQL of deals.status.inquiry_is_open): never restated
# here. Closed is every inquiry that is not open, except one whose source publishes no state
# (neither open nor closed: nobody knows).

OPEN, CLOSED = "open", "closed"


def closed_inquiry() -> Q:
    return ~OPEN_INQUIRY & ~Q(stage=Stage.NOT_PUBLISHED)


def inquiry_state(states) -> Q:
    """Inquiries in one of `states` ("open", "closed")."""
    wanted = Q(pk__in=[])
    if OPEN in states:
        wanted |= OPEN_INQUIRY
    if CLOSED in states:
        wanted |= closed_inquiry()
    return wanted


def deal_review_state(states) -> Exists:
    """Deals with a current review (an inquiry not superseded) in one of `states`."""
    reviews = Inquiry.objects.filter(deal=OuterRef("pk"), superseded_by__isnull=True)
    return Exists(reviews.filter(inquiry_state(states)))


# --- Procedure and regulation -------------------------------------------------------------------
#
# The procedure a review ran under (EC: normal, simplified, super-simplified) and the regulation
# (`legal_basis`: the EC's 139/2004 or 4064/89), where the source says. One public name each,
# `procedure` and `legal_basis`, on the pages, their CSVs, feeds and calendars and the API (whose
# inquiries carry fields of the same names); "regulation" is the words shown, not a parameter
# (one letter from `regulator`).


def procedure_filter(label: str, **kwargs) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        choices=Procedure.choices, label=label, widget=checkboxes(), **kwargs
    )


def legal_basis_filter(label: str, **kwargs) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        choices=LegalBasis.choices, label=label, widget=checkboxes(), **kwargs
    )


def deal_reviewed_under(field: str, values) -> Exists:
    """Deals with an inquiry whose `field` (procedure, legal_basis) is one of `values`, as
    `reviewed_by` reads a deal's regulators: any of its inquiries, superseded or not."""
    return Exists(Inquiry.objects.filter(deal=OuterRef("pk"), **{f"{field}__in": values}))


def in_two_vocabularies(choices, merger: frozenset, conduct: frozenset) -> list:
    """Choices grouped as the public pages speak: merger control words, then conduct words.

    A value both vocabularies share (closed, litigation) is offered once, in the merger group."""
    merger_choices = [(value, label) for value, label in choices if value in merger]
    conduct_choices = [
        (value, label) for value, label in choices if value in conduct and value not in merger
    ]
    return [("Merger control", merger_choices), ("Conduct cases", conduct_choices)]


def set_choices(filter_, choices) -> None:
    """Choices read from the database when a FilterSet is made. The filter's form field is
    cached, and may have been built on the class's filter (the API schema reads it) before
    these choices existed, so it is built again."""
    filter_.extra["choices"] = choices
    filter_.__dict__.pop("_field", None)


def checkboxes() -> forms.CheckboxSelectMultiple:
    return widgets.CheckboxSelectMultiple(attrs={"class": "checkboxes"})


# --- Fields that accept what people type ------------------------------------------------------


class CompanyField(forms.CharField):
    """A company by slug, name, alternative name or ticker; cleans to a list of companies (a
    name two companies share means either). An unknown name is an error that suggests some."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return []
        companies = list(Company.objects.filter(slug=text.lower()))
        if not companies:
            companies = list(Company.objects.matching_name(text))
        if not companies:
            companies = list(Company.objects.filter(ticker__iregex=rf"(^|\s){ticker(text)}(\s|$)"))
        if companies:
            return companies
        raise forms.ValidationError(no_such_company(text), code="invalid_choice")


def ticker(text: str) -> str:
    """`text` as a ticker inside a regular expression: letters, digits and dots only."""
    return "".join(ch for ch in text.strip() if ch.isalnum() or ch == ".")[:20] or "-"


def no_such_company(text: str) -> str:
    close = Company.objects.filter(
        Q(name__icontains=text[:40]) | Q(aliases__name__icontains=text[:40])
    ).distinct()
    names = [company.name for company in close.order_by("name")[:3]]
    shown = text if len(text) <= 40 else text[:40] + "…"
    message = f"No company called “{shown}”."
    if names:
        return f"{message} Did you mean {' or '.join(names)}?"
    return f"{message} Check the spelling, or type a few letters and pick a suggestion."


@extend_schema_field({"type": "string", "maxLength": 200})
class CompanyFilter(django_filters.Filter):
    field_class = CompanyField

    def filter(self, qs, value):
        return qs.involving(value) if value else qs


class JurisdictionField(forms.MultipleChoiceField):
    """Codes, names or common codes ("UK", "United Kingdom", "gb") cleaned to the stored code."""

    def to_python(self, value):
        return [jurisdiction_code(v) or str(v) for v in super().to_python(value)]


@extend_schema_field({"type": "string", "maxLength": 60})
class JurisdictionFilter(django_filters.MultipleChoiceFilter):
    field_class = JurisdictionField


class RegulatorField(django_filters.fields.ModelMultipleChoiceField):
    def label_from_instance(self, regulator):
        return f"{regulator.name} ({regulator.short_name})"


@extend_schema_field({"type": "string", "maxLength": 40})
class RegulatorFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = RegulatorField


# --- Sorting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    label: str
    order: tuple  # expressions; the queryset gets `pk` last so that the order is total
    column: str = ""  # the column heading it belongs to, for the table's sort links


def sort_choices(sorts: dict[str, Sort]) -> list[tuple[str, str]]:
    return [(key, sort.label) for key, sort in sorts.items()]


class SortFilter(django_filters.ChoiceFilter):
    """?sort=<key>; the FilterSet applies it last (a search ranks by relevance by default)."""

    def filter(self, qs, value):
        return qs


# --- The FilterSets -----------------------------------------------------------------------------


class PrintableTextInput(forms.TextInput):
    """A text box that shows back what was typed, minus control characters (a NUL byte)."""

    def format_value(self, value):
        value = super().format_value(value)
        return printable(value) if value else value


def choices_of(field: forms.Field) -> list:
    """A form field's choices as its widget lists them, labels with their counts; none for a
    field without. A model choice field's rows (the regulators) are read once per content
    version (cached_query), not on every request that renders the page from its fragments."""
    if isinstance(field, forms.ModelChoiceField):
        rows = cached_query(field.queryset, lambda: list(field.queryset), name="choices")
        return [(field.prepare_value(row), field.label_from_instance(row)) for row in rows]
    return list(getattr(field, "choices", ()))


class BaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        validators=[MaxLengthValidator(MAX_QUERY_LENGTH)],
        widget=PrintableTextInput(
            attrs={"type": "search", "placeholder": "Company, deal, case or regulator"}
        ),
    )
    company = CompanyFilter(
        label="Company",
        method="filter_company",
        widget=PrintableTextInput(
            attrs={
                "placeholder": "e.g. Microsoft",
                "list": "company-suggestions",
                "autocomplete": "off",
                "data-suggest": "/api/v1/companies/",
            }
        ),
    )
    group = django_filters.BooleanFilter(
        label="Include its group companies",
        method="filter_group",
        widget=forms.CheckboxInput,
    )
    regulator = RegulatorFilter(
        queryset=Regulator.objects.order_by("name"),
        to_field_name="slug",
        method="filter_regulator",
        label="Regulator",
        widget=checkboxes(),
    )
    jurisdiction = JurisdictionFilter(
        choices=[], method="filter_jurisdiction", label="Jurisdiction", widget=checkboxes()
    )
    group = django_filters.BooleanFilter(
        label="Include its group companies",
        method="filter_group",
        widget=forms.CheckboxInput,
    )

    SORTS: dict[str, Sort] = {}
    DEFAULT_SORT = ""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("sort"):
            # The effective order is always in the form, so that the sort control shows it.
            data = data.copy()
            data["sort"] = "relevance" if (data.get("q") or "").strip() else self.DEFAULT_SORT
        super().__init__(data, *args, **kwargs)
        set_choices(
            self.filters["jurisdiction"],
            cached("jurisdictions", jurisdiction_choices, stale_ok=True),
        )

    # Both querysets (DealQuerySet, InquiryQuerySet) speak the same reads.
    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_regulator(self, queryset, name, value):
        return queryset.reviewed_by(value) if value else queryset

    def filter_company(self, queryset, name, value):
        """The company's deals or cases; with `group`, its subsidiaries' too."""
        if not value:
            return queryset
        ids = {company.pk for company in value}
        if self.form.cleaned_data.get("group"):
            ids |= {pk for company in value for pk in company.group_member_ids()}
        return queryset.involving(sorted(ids))

    def filter_group(self, queryset, name, value):
        return queryset  # read by filter_company

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.in_jurisdictions(value) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        key = self.form.cleaned_data.get("sort") or self.DEFAULT_SORT
        if key == "relevance" and not (self.form.cleaned_data.get("q") or "").strip():
            key = self.DEFAULT_SORT
        return self.order(queryset, key)

    def order(self, queryset, key: str):
        if key == "relevance":
            default = self.SORTS[self.DEFAULT_SORT].order
            return queryset.order_by(F("search_rank").desc(), *default, "pk")
        return self.annotate_for_sort(queryset, key).order_by(*self.SORTS[key].order, "pk")

    def annotate_for_sort(self, queryset, key: str):
        return queryset

    @property
    def sort_key(self) -> str:
        """The order the rows are in (after validation)."""
        if not self.is_valid():
            return self.DEFAULT_SORT
        key = self.form.cleaned_data.get("sort") or self.DEFAULT_SORT
        if key == "relevance" and not (self.form.cleaned_data.get("q") or "").strip():
            return self.DEFAULT_SORT
        return key

    def results(self):
        """The filtered rows, or none at all while the form has errors (the page shows them).

        The lists, the API, the feeds and saved-search alerts all read this, so an alert never
        disagrees with the page."""
        return self.qs if self.is_valid() else self.queryset.none()

    # --- For the pages: active filters as chips, and counts beside the checkboxes -----------

    def active_filters(self) -> list[Chip]:
        """Every filter in the query string, valid or not, with the address that removes it."""
        data = self.data
        chips = []
        labels = self.value_labels()
        for key, filter_ in self.filters.items():
            if key in PRESENTATION_KEYS:
                continue
            for value in data.getlist(key) if hasattr(data, "getlist") else []:
                if not value.strip():
                    continue
                remaining = data.copy()
                remaining.setlist(key, [v for v in data.getlist(key) if v != value])
                for presentation in ("page", "cursor"):
                    remaining.pop(presentation, None)
                if remaining.get("sort") in ("relevance", self.DEFAULT_SORT):
                    remaining.pop("sort")
                # An invalid value is shown so it can be removed, without control characters
                # (a NUL byte) that no page should write back.
                shown = labels.get(key, {}).get(value, printable(value))
                if key == "q":
                    shown = f"“{shown}”"
                chips.append(Chip(str(filter_.label), str(shown), remaining.urlencode()))
        return chips

    def value_labels(self) -> dict[str, dict[str, str]]:
        return value_labels(type(self), self.data, self.filters)

    def fingerprint(self) -> str:
        """What the filter form shows, as a digest: the query it was given, its errors, and
        each field's label and choices, with their counts (show_counts). The form's fragment is
        keyed by it (_filter_form.html), not by the content version: after a write that leaves
        every count as it was the form is not rendered again, and one that changes a count
        gets a form with it."""
        form = self.form
        fields = [
            (name, str(field.label), [(str(v), str(label)) for v, label in choices_of(field)])
            for name, field in form.fields.items()
        ]
        data = sorted(self.data.lists()) if self.data is not None else []
        errors = form.errors.get_json_data() if form.is_bound else {}
        return hashlib.sha256(repr((data, errors, fields)).encode()).hexdigest()

    def show_counts(self) -> None:
        """Put the number of rows beside each checkbox: those the other active filters match
        (facet_counts)."""
        counts = self.facet_counts()
        for name, by_value in counts.items():
            field = self.form.fields.get(name)
            if field is None:
                continue
            if name == "regulator":
                field.label_from_instance = lambda r, n=by_value: (
                    f"{r.name} ({r.short_name}) · {n.get(r.slug, 0)}"
                )
                continue
            field.choices = [
                (value, f"{label} · {by_value.get(value, 0)}")
                if not isinstance(label, list | tuple)
                else (value, [(v, f"{lbl} · {by_value.get(v, 0)}") for v, lbl in label])
                for value, label in field.choices
            ]

    # --- Facet counts ---------------------------------------------------------------------
    #
    # A checkbox group's counts are over the rows every OTHER active filter matches: a group's
    # own selection does not narrow its own counts (with "CMA" ticked, EC still shows the
    # number of deals the EC reviews, those ticking it alone would list). The counts for a query
    # string (the canonical query of the other filters) are cached per content version: one
    # entry holds every group that query selects nothing of, so the unfiltered list is one entry
    # (FACET_CACHE) as before, and a page with n groups ticked reads n + 1 entries. Computing one
    # entry is a fixed number of queries (grouped_counts), whatever the data.

    FACETS: tuple[str, ...] = ()  # the checkbox groups with counts
    FACET_CACHE = ""  # the cache name of the unfiltered counts

    @classmethod
    def facet_rows(cls):
        """The rows the counts are over: the list's own (cache keys assume them)."""
        raise NotImplementedError

    def grouped_counts(self, rows, groups: list[str]) -> dict[str, dict[str, int]]:
        """Counts by value for each of `groups` over `rows`: a fixed number of queries."""
        raise NotImplementedError

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """Each group's counts over the rows matched by the other active filters (none while
        a filter cannot be used: the page shows its error, and the whole list's counts)."""
        if not self.FACETS:
            return {}
        valid = self.is_bound and self.is_valid()
        query = QueryDict(canonical_query(self.data, type(self)) if valid else "")
        groups_by_query: dict[str, list[str]] = {}
        for name in self.FACETS:
            others = query.copy()
            others.pop(name, None)
            groups_by_query.setdefault(others.urlencode(), []).append(name)
        counts = {}
        for others, groups in groups_by_query.items():
            found = cached(
                self.facet_cache_name(others),
                lambda others=others: self.count_facets(QueryDict(others)),
                stale_ok=True,
            )
            counts.update({name: found[name] for name in groups})
        return counts

    def facet_cache_name(self, others: str) -> str:
        if not others:
            return self.FACET_CACHE
        return f"{self.FACET_CACHE}:{hashlib.sha256(others.encode()).hexdigest()[:40]}"

    def count_facets(self, others: QueryDict) -> dict[str, dict[str, int]]:
        """Every group `others` selects nothing of, over the rows the filters in `others`
        match (applied with this form's cleaned values: `others` is part of its query)."""
        rows = self.facet_rows().order_by()
        if others:
            matched = rows
            for name, value in self.form.cleaned_data.items():
                if name in others and name not in PRESENTATION_KEYS:
                    matched = self.filters[name].filter(matched, value)
            rows = rows.filter(pk__in=matched.order_by().values("pk"))
        return self.grouped_counts(rows, [name for name in self.FACETS if name not in others])


def value_labels(filterset_class, data: QueryDict, filters=None) -> dict[str, dict[str, str]]:
    """How each value in a query string reads: a regulator's name for its slug, a company's
    name for whatever named it, a jurisdiction's name for its code, a status's words.

    Values that mean nothing are left out (and shown as they are). Saved-search labels use this
    too, without building a FilterSet."""
    filters = filters or filterset_class.base_filters
    labels: dict[str, dict[str, str]] = {}
    for key, filter_ in filters.items():
        choices = filter_.extra.get("choices")
        if choices and not callable(choices):
            flat = {}
            for value, label in choices:
                if isinstance(label, list | tuple):
                    flat.update({str(v): str(lbl) for v, lbl in label})
                else:
                    flat[str(value)] = str(label)
            labels[key] = flat
    if not hasattr(data, "getlist"):
        return labels
    if data.getlist("regulator"):
        wanted = [slug[:40] for slug in data.getlist("regulator") if "\x00" not in slug]
        regulators = Regulator.objects.filter(slug__in=wanted).values_list("slug", "name")
        labels["regulator"] = dict(regulators)
    if data.get("company"):
        try:
            companies = CompanyField(required=False).clean(data.get("company"))
        except forms.ValidationError:
            companies = []
        if companies:
            labels["company"] = {data.get("company"): companies[0].name}
    for code in data.getlist("jurisdiction"):
        known = jurisdiction_code(code)
        if known:
            labels.setdefault("jurisdiction", {})[code] = jurisdiction_name(known)
    return labels


def printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_query: str


def jurisdiction_choices() -> list[tuple[str, str]]:
    codes = Regulator.objects.order_by("jurisdiction").values_list("jurisdiction", flat=True)
    return sorted(
        ((code, f"{jurisdiction_name(code)} ({code})") for code in dict.fromkeys(codes)),
        key=lambda choice: choice[1],
    )


def sector_choices() -> list[tuple[str, str]]:
    sectors = Deal.objects.published().exclude(sector="").order_by("sector")
    return [(sector, sector) for sector in sectors.values_list("sector", flat=True).distinct()]


def status_order():
    from django.db.models import Case, IntegerField, Value, When

    return Case(
        *(
            When(antitrust_status=value, then=Value(n))
            for n, value in enumerate(AntitrustStatus.values)
        ),
        default=Value(len(AntitrustStatus.values)),
        output_field=IntegerField(),
    )


class DealFilter(BaseFilter):
    status = django_filters.MultipleChoiceFilter(
        field_name="antitrust_status",
        choices=AntitrustStatus.choices,
        label="Status",
        widget=checkboxes(),
    )
    type = django_filters.MultipleChoiceFilter(
        field_name="deal_type", choices=DealType.choices, label="Type", widget=checkboxes()
    )
    life = django_filters.MultipleChoiceFilter(
        choices=DealLife.choices, method="filter_life", label="Deal life", widget=checkboxes()
    )
    state = django_filters.MultipleChoiceFilter(
        choices=[(OPEN, "With an open review"), (CLOSED, "With a closed review")],
        method="filter_state",
        label="Reviews",
        widget=checkboxes(),
    )
    procedure = procedure_filter("A review's procedure", method="filter_reviewed_under")
    legal_basis = legal_basis_filter("A review's regulation", method="filter_reviewed_under")
    sector = django_filters.ChoiceFilter(
        widget=widgets.Select, field_name="sector", choices=[], label="Sector", empty_label="Any"
    )
    announced_after = date_filter("announced_on", "gte", "Announced on or after")
    announced_before = date_filter("announced_on", "lte", "Announced on or before")
    decided_after = date_filter(
        "inquiries__closed_on", "gte", "A review decided on or after", method="filter_decided"
    )
    decided_before = date_filter(
        "inquiries__closed_on", "lte", "A review decided on or before", method="filter_decided"
    )
    SORTS = {
        "relevance": Sort("Best match (with a search)", ()),
        # Announced: the announcement date, else the first known event (first_known_on).
        "-announced": Sort(
            "Newest announced", (F("first_known_on").desc(nulls_last=True), "title"), "announced"
        ),
        "announced": Sort(
            "Oldest announced", (F("first_known_on").asc(nulls_last=True), "title"), "announced"
        ),
        "-activity": Sort(
            "Latest activity", (F("last_activity_on").desc(nulls_last=True),), "activity"
        ),
        "activity": Sort(
            "Least recent activity", (F("last_activity_on").asc(nulls_last=True),), "activity"
        ),
        "deadline": Sort(
            "Next deadline first", (F("next_deadline_on").asc(nulls_last=True),), "deadline"
        ),
        "-deadline": Sort(
            "Furthest deadline first", (F("next_deadline_on").desc(nulls_last=True),), "deadline"
        ),
        "name": Sort("Name, A to Z", ("title",), "name"),
        "-name": Sort("Name, Z to A", (F("title").desc(),), "name"),
        "status": Sort(
            "Status, as the rule orders them", (F("status_order").asc(), "title"), "status"
        ),
        "-status": Sort("Status, reversed", (F("status_order").desc(), "title"), "status"),
    }
    DEFAULT_SORT = "-announced"
    sort = SortFilter(choices=sort_choices(SORTS), label="Sort by", empty_label=None)

    class Meta:
        model = Deal
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self.filters["sector"], cached("deal-sectors", sector_choices, stale_ok=True))

    def filter_life(self, queryset, name, value):
        return queryset.in_life(value) if value else queryset

    def filter_state(self, queryset, name, value):
        """Deals with a current review open, or closed (deal_review_state)."""
        return queryset.filter(deal_review_state(value)) if value else queryset

    def filter_reviewed_under(self, queryset, name, value):
        """Deals with an inquiry under one of the procedures (or regulations) ticked. Each is
        its own filter, as regulator and jurisdiction are, so that the numbers beside the boxes
        are the rows ticking them lists (facet_counts)."""
        return queryset.filter(deal_reviewed_under(name, value)) if value else queryset

    def filter_decided(self, queryset, name, value):
        """Deals with one inquiry closed within both bounds (not one closed after the first
        and another before the second): applied once, with both."""
        after = self.form.cleaned_data.get("decided_after")
        before = self.form.cleaned_data.get("decided_before")
        if name == "decided_before" and after:
            return queryset  # applied with decided_after
        closed = Inquiry.objects.filter(deal=OuterRef("pk"), closed_on__isnull=False)
        if after:
            closed = closed.filter(closed_on__gte=after)
        if before:
            closed = closed.filter(closed_on__lte=before)
        return queryset.filter(Exists(closed))

    def annotate_for_sort(self, queryset, key: str):
        column = self.SORTS[key].column
        if column == "deadline":
            return queryset.with_next_deadline(timezone.localdate())
        if column == "status":
            return queryset.annotate(status_order=status_order())
        return queryset

    FACETS = (
        "status",
        "type",
        "life",
        "regulator",
        "jurisdiction",
        "state",
        "procedure",
        "legal_basis",
    )
    FACET_CACHE = "deal-facets"

    @classmethod
    def facet_rows(cls):
        return Deal.objects.published()

    def grouped_counts(self, rows, groups: list[str]) -> dict[str, dict[str, int]]:
        return deal_facet_counts(rows, groups)


def deal_facet_counts(deals, groups: list[str]) -> dict[str, dict[str, int]]:
    """`deals` by status, type, life and review state (one query, grouped by status and type,
    each life and state a conditional count), and by the regulators and jurisdictions reviewing
    them and their reviews' procedures and regulations (one more), for those of `groups` asked:
    two queries, whatever the data."""
    counts: dict[str, dict[str, int]] = {name: {} for name in groups}
    if {"status", "type", "life", "state"} & set(groups):
        conditional = {
            **{
                f"life_{life}": Count(
                    "pk", filter=Q(pk__in=Deal.objects.in_life([life]).values("pk"))
                )
                for life in (DealLife.values if "life" in groups else [])
            },
            **{
                f"state_{state}": Count("pk", filter=Q(deal_review_state([state])))
                for state in ((OPEN, CLOSED) if "state" in groups else ())
            },
        }
        rows = deals.values("antitrust_status", "deal_type").annotate(n=Count("pk"), **conditional)
        for row in rows:
            for group, field in (("status", "antitrust_status"), ("type", "deal_type")):
                if group in counts:
                    by_value = counts[group]
                    by_value[row[field]] = by_value.get(row[field], 0) + row["n"]
            for key, n in row.items():
                group, _, value = key.partition("_")
                if key.startswith(("life_", "state_")):
                    counts[group][value] = counts[group].get(value, 0) + n
    # Deals by regulator, jurisdiction, procedure and regulation (a deal reviewed by the FTC and
    # the DOJ counts once in US): the grouped counts in one query, a UNION ALL of them.
    inquiries = Inquiry.objects.filter(deal__in=deals.values("pk")).order_by()
    by_place = [
        inquiries.values(value=F(field)).annotate(
            group=Value(group), n=Count("deal", distinct=True)
        )
        for group, field in (
            ("regulator", "regulator__slug"),
            ("jurisdiction", "regulator__jurisdiction"),
            ("procedure", "procedure"),
            ("legal_basis", "legal_basis"),
        )
        if group in counts
    ]
    if by_place:
        rows = by_place[0].union(*by_place[1:], all=True) if len(by_place) > 1 else by_place[0]
        for row in rows:
            counts[row["group"]][str(row["value"])] = row["n"]
    return counts


class InquiryFilter(BaseFilter):
    stage = django_filters.MultipleChoiceFilter(
        choices=in_two_vocabularies(Stage.choices, MERGER_STAGES, CONDUCT_STAGES),
        label="Stage",
        widget=checkboxes(),
    )
    outcome = django_filters.MultipleChoiceFilter(
        choices=in_two_vocabularies(Outcome.choices, MERGER_OUTCOMES, CONDUCT_OUTCOMES),
        label="Outcome",
        widget=checkboxes(),
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=InquiryKind.choices, label="Kind", widget=checkboxes()
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="deal__antitrust_status",
        choices=AntitrustStatus.choices,
        label="Deal status",
        widget=checkboxes(),
    )
    type = django_filters.MultipleChoiceFilter(
        field_name="deal__deal_type",
        choices=DealType.choices,
        label="Deal type",
        widget=checkboxes(),
    )
    state = django_filters.MultipleChoiceFilter(
        choices=[(OPEN, "Open"), (CLOSED, "Closed")],
        method="filter_state",
        label="Case state",
        widget=checkboxes(),
    )
    procedure = procedure_filter("Procedure")
    legal_basis = legal_basis_filter("Regulation")
    opened_after = date_filter("opened_on", "gte", "Opened on or after")
    opened_before = date_filter("opened_on", "lte", "Opened on or before")
    decided_after = date_filter("closed_on", "gte", "Decided on or after")
    decided_before = date_filter("closed_on", "lte", "Decided on or before")
    SORTS = {
        "relevance": Sort("Best match (with a search)", ()),
        "-opened": Sort("Newest opened", (F("opened_on").desc(nulls_last=True),), "opened"),
        "opened": Sort("Oldest opened", (F("opened_on").asc(nulls_last=True),), "opened"),
        "deadline": Sort("Deadline, soonest first", (F("next_deadline_on").asc(nulls_last=True),)),
        "-deadline": Sort("Deadline, latest first", (F("next_deadline_on").desc(nulls_last=True),)),
        "regulator": Sort("Regulator, A to Z", (F("regulator_name").asc(),), "regulator"),
        "-regulator": Sort("Regulator, Z to A", (F("regulator_name").desc(),), "regulator"),
    }
    DEFAULT_SORT = "-opened"
    sort = SortFilter(choices=sort_choices(SORTS), label="Sort by", empty_label=None)

    class Meta:
        model = Inquiry
        fields: list[str] = []

    def annotate_for_sort(self, queryset, key: str):
        if self.SORTS[key].column == "regulator":
            return queryset.annotate(regulator_name=F("regulator__short_name"))
        return queryset

    def filter_state(self, queryset, name, value):
        """Open inquiries (OPEN_INQUIRY), closed ones (closed_inquiry), or both."""
        return queryset.filter(inquiry_state(value)) if value else queryset

    FACETS = (
        "stage",
        "outcome",
        "kind",
        "regulator",
        "jurisdiction",
        "state",
        "procedure",
        "legal_basis",
    )
    FACET_CACHE = "inquiry-facets"

    @classmethod
    def facet_rows(cls):
        return Inquiry.objects.public()

    def grouped_counts(self, rows, groups: list[str]) -> dict[str, dict[str, int]]:
        return inquiry_facet_counts(rows, groups)


def inquiry_facet_counts(inquiries, groups: list[str]) -> dict[str, dict[str, int]]:
    """`inquiries` by stage, outcome, kind, regulator, jurisdiction, procedure, regulation and
    state, for those of `groups` asked: one query, grouped by all of them at once (an inquiry
    has one of each) and added up here."""
    counts: dict[str, dict[str, int]] = {name: {} for name in groups}
    fields = {
        "stage": "stage",
        "outcome": "outcome",
        "kind": "kind",
        "regulator": "regulator__slug",
        "jurisdiction": "regulator__jurisdiction",
        "procedure": "procedure",
        "legal_basis": "legal_basis",
    }
    grouped_by = [field for group, field in fields.items() if group in counts]
    states = {}
    if "state" in counts:
        states = {
            "state_open": Count("pk", filter=OPEN_INQUIRY),
            "state_closed": Count("pk", filter=closed_inquiry()),
        }
    rows = (
        inquiries.values(*grouped_by).annotate(n=Count("pk"), **states)
        if grouped_by
        else [inquiries.aggregate(n=Count("pk"), **states)]
    )
    for row in rows:
        for group, field in fields.items():
            if group in counts:
                value = str(row[field])
                counts[group][value] = counts[group].get(value, 0) + row["n"]
        if "state" in counts:
            for state in (OPEN, CLOSED):
                counts["state"][state] = counts["state"].get(state, 0) + row[f"state_{state}"]
    return counts


def canonical_query(data: QueryDict, filterset_class=DealFilter) -> str:
    """A query string reduced to the filters it sets (see deals.querystring)."""
    return querystring.canonical_query(data, filterset_class)


# --- Lists only the API has -----------------------------------------------------------------


class EventFilter(django_filters.FilterSet):
    """/api/v1/events/: the timeline of every public deal and inquiry, newest first."""

    deal = django_filters.CharFilter(label="Deal (slug)", method="filter_deal")
    company = CompanyFilter(
        label="Company (slug, name, alternative name or ticker)", method="filter_company"
    )
    regulator = RegulatorFilter(
        queryset=Regulator.objects.all(),
        to_field_name="slug",
        field_name="inquiry__regulator__slug",
        label="Regulator (slug)",
    )
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices, label="Kind")
    occurred_after = date_filter("occurred_on", "gte", "Happened on or after")
    occurred_before = date_filter("occurred_on", "lte", "Happened on or before")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_deal(self, queryset, name, value):
        return queryset.filter(Q(deal__slug=value) | Q(inquiry__deal__slug=value))

    def filter_company(self, queryset, name, value):
        return queryset.involving(value) if value else queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-occurred_on", "-pk")

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()


class CompanyListFilter(django_filters.FilterSet):
    """/api/v1/companies/: by name, alternative name or ticker (the company box suggests from
    it); names starting with the text first."""

    q = django_filters.CharFilter(
        label="Name, alternative name or ticker",
        method="filter_text",
        validators=[MaxLengthValidator(MAX_QUERY_LENGTH)],
    )

    class Meta:
        model = Company
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if (self.form.cleaned_data.get("q") or "").strip():
            return queryset.order_by("-name_starts", "name", "pk")
        return queryset.order_by("name", "pk")

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()


class RegulatorListFilter(django_filters.FilterSet):
    jurisdiction = JurisdictionFilter(
        choices=[], method="filter_jurisdiction", label="Jurisdiction (code or name)"
    )

    class Meta:
        model = Regulator
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(
            self.filters["jurisdiction"],
            cached("jurisdictions", jurisdiction_choices, stale_ok=True),
        )

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(jurisdiction__in=value) if value else queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("jurisdiction", "short_name", "pk")

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()


class DeadlineFilter(BaseFilter):
    """/deadlines/: the inquiry filters that make sense for open reviews, and which deadlines.

    `source` and `within` are read by the view: deadlines are computed in Python."""

    stage = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in (Stage.PHASE_1, Stage.PHASE_2, Stage.REMEDIES)],
        label="Stage",
    )
    source = django_filters.ChoiceFilter(
        choices=[("published", "Published by the regulator"), ("computed", "Computed")],
        method="filter_nothing",
        label="Deadline",
        empty_label="Published or computed",
    )
    within = django_filters.ChoiceFilter(
        choices=[("7", "Next 7 days"), ("30", "Next 30 days"), ("90", "Next 90 days")],
        method="filter_nothing",
        label="Due within",
        empty_label="Any time ahead",
    )

    class Meta:
        model = Inquiry
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        return queryset

    def order(self, queryset, key: str):
        # Deadlines are computed and put in order in Python (deals/deadlines.py).
        return queryset
