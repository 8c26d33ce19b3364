"""/stats/: the figures analysts ask of a tracker, per regulator and year.

- reviews opened, and how many reached Phase 2 / in-depth (the in-depth rate);
- outcomes: cleared, cleared with remedies, prohibited, abandoned (and the rest, and open);
- the median and 90th-percentile duration of each phase, beside its statutory length;
- the sectors with most interventions (a review that reached Phase 2, or ended in remedies, a
  prohibition or the deal's abandonment).

Counts are database aggregates (`values().annotate(Count(..., filter=...))`). Durations are
computed per review by the statutory clocks (deals/clocks.py) from one query of phase events,
and their percentiles in Python with linear interpolation, as PostgreSQL's `percentile_cont`
does, so SQLite and PostgreSQL give the same figures. A review is a merger review (not an
informal look, a market study or a conduct case) of a published deal or of no deal, counted in
the year it opened. Results are cached for `STATS_CACHE_SECONDS` (default 300) per filter.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear

from . import clocks
from .cache import cached
from .filters import sector_choices
from .models import Event, Inquiry, Regulator
from .vocabulary import IN_DEPTH_STAGES, EventKind, InquiryKind, Outcome

CACHE_VERSION = 1
OUTCOMES = [
    ("cleared", "Cleared", [Outcome.CLEARED]),
    ("remedies", "Cleared with remedies", [Outcome.CLEARED_WITH_REMEDIES]),
    ("prohibited", "Prohibited", [Outcome.PROHIBITED]),
    ("abandoned", "Abandoned", [Outcome.ABANDONED]),
    (
        "other",
        "Not qualifying, referred, no action",
        [Outcome.NOT_QUALIFYING, Outcome.REFERRED, Outcome.CLOSED_NO_ACTION],
    ),
]
# (key, label, short label for a table's column)
OUTCOME_LABELS = [
    ("cleared", "Cleared", "Cleared"),
    ("remedies", "Cleared with remedies", "Remedies"),
    ("prohibited", "Prohibited", "Prohibited"),
    ("abandoned", "Abandoned", "Abandoned"),
    ("other", "Not qualifying, referred, no action", "Other"),
]
INTERVENTION_OUTCOMES = [Outcome.CLEARED_WITH_REMEDIES, Outcome.PROHIBITED, Outcome.ABANDONED]
PHASE_EVENTS = [
    EventKind.NOTIFIED,
    EventKind.PHASE_1_OPENED,
    EventKind.PHASE_2_OPENED,
    EventKind.DECISION,
    EventKind.ABANDONED,
    EventKind.REMEDIES_OFFERED,
]


class StatsForm(forms.Form):
    jurisdiction = forms.ChoiceField(required=False, label="Jurisdiction")
    sector = forms.ChoiceField(required=False, label="Sector")
    from_year = forms.IntegerField(
        required=False, min_value=1990, max_value=2100, label="From year"
    )
    to_year = forms.IntegerField(required=False, min_value=1990, max_value=2100, label="To year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = Regulator.objects.order_by("jurisdiction").values_list("jurisdiction", flat=True)
        self.fields["jurisdiction"].choices = [("", "Any")] + [
            (code, code) for code in dict.fromkeys(codes)
        ]
        # The deal list's sectors, cached per content version: not a DISTINCT over every deal.
        self.fields["sector"].choices = [("", "Any"), *cached("deal-sectors", sector_choices)]

    def clean(self):
        data = super().clean()
        low, high = data.get("from_year"), data.get("to_year")
        if low and high and low > high:
            raise forms.ValidationError("The period ends before it begins.")
        return data

    def cache_key(self) -> str:
        data = self.cleaned_data
        parts = [str(data.get(name) or "") for name in ("jurisdiction", "sector")]
        parts += [str(data.get(name) or "") for name in ("from_year", "to_year")]
        return f"stats:v{CACHE_VERSION}:" + "|".join(parts)


def reviews(data: dict):
    """The merger reviews the figures count, filtered as the form says."""
    queryset = Inquiry.objects.public().filter(
        kind=InquiryKind.MERGER_REVIEW, opened_on__isnull=False
    )
    if data.get("jurisdiction"):
        queryset = queryset.filter(regulator__jurisdiction=data["jurisdiction"])
    if data.get("sector"):
        queryset = queryset.filter(deal__sector=data["sector"])
    if data.get("from_year"):
        queryset = queryset.filter(opened_on__gte=datetime.date(data["from_year"], 1, 1))
    if data.get("to_year"):
        queryset = queryset.filter(opened_on__lte=datetime.date(data["to_year"], 12, 31))
    return queryset


def with_phase_2(queryset):
    """Annotates whether a review reached Phase 2: an event says so, or its stage does."""
    opened = Event.objects.filter(inquiry=OuterRef("pk"), kind=EventKind.PHASE_2_OPENED)
    return queryset.annotate(phase_2_event=Exists(opened))


REACHED_PHASE_2 = Q(phase_2_event=True) | Q(stage__in=IN_DEPTH_STAGES)


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class YearRow:
    regulator: str
    year: int
    opened: int
    phase_2: int
    outcomes: dict[str, int]
    open: int

    @property
    def phase_2_rate(self) -> float:
        return 100.0 * self.phase_2 / self.opened if self.opened else 0.0


@dataclass
class DurationRow:
    regulator: str
    phase: str
    statutory: str  # the rule, in words: "25 working days"
    count: int
    median: float | None
    p90: float | None
    statutory_median: float | None  # the statutory length in calendar days, median


@dataclass
class SectorRow:
    sector: str
    reviews: int
    interventions: int
    by_regulator: dict[str, int] = field(default_factory=dict)

    @property
    def by_regulator_text(self) -> str:
        ranked = sorted(self.by_regulator.items(), key=lambda item: (-item[1], item[0]))
        return ", ".join(f"{name} {count}" for name, count in ranked if count)


@dataclass
class Stats:
    years: list[YearRow]
    durations: list[DurationRow]
    sectors: list[SectorRow]

    @property
    def total_opened(self) -> int:
        return sum(row.opened for row in self.years)


def year_rows(queryset) -> list[YearRow]:
    counts = {
        key: Count("pk", filter=Q(outcome__in=outcomes)) for key, _label, outcomes in OUTCOMES
    }
    rows = (
        with_phase_2(queryset)
        .values("regulator__short_name", year=ExtractYear("opened_on"))
        .annotate(
            opened=Count("pk"),
            phase_2=Count("pk", filter=REACHED_PHASE_2),
            open_count=Count("pk", filter=Q(outcome="")),
            **counts,
        )
        .order_by("regulator__short_name", "year")
    )
    return [
        YearRow(
            regulator=row["regulator__short_name"],
            year=row["year"],
            opened=row["opened"],
            phase_2=row["phase_2"],
            outcomes={key: row[key] for key, _label, _outcomes in OUTCOMES},
            open=row["open_count"],
        )
        for row in rows
    ]


def duration_rows(queryset) -> list[DurationRow]:
    """Each ended phase's duration in days, per regulator and phase, beside its statutory one."""
    inquiries = list(
        queryset.filter(regulator__slug__in=list(clocks.RULES)).values_list(
            "pk", "regulator__slug", "regulator__short_name", "opened_on", "closed_on"
        )
    )
    ids = [pk for pk, *_ in inquiries]
    events = defaultdict(list)
    for inquiry_id, kind, day in Event.objects.filter(
        inquiry_id__in=ids, kind__in=PHASE_EVENTS
    ).values_list("inquiry_id", "kind", "occurred_on"):
        events[inquiry_id].append((kind, day))
    taken: dict[tuple[str, str], list[int]] = defaultdict(list)
    statutory: dict[tuple[str, str], list[int]] = defaultdict(list)
    rules: dict[tuple[str, str], clocks.PhaseRule] = {}
    for pk, slug, name, opened_on, closed_on in inquiries:
        facts = clocks.ClockFacts(
            regulator=slug, opened_on=opened_on, closed_on=closed_on, events=tuple(events[pk])
        )
        for phase in clocks.phase_clocks(facts):
            if phase.days_taken is None:
                continue
            key = (name, phase.rule.phase)
            rules[key] = phase.rule
            taken[key].append(phase.days_taken)
            if phase.statutory_days is not None:
                statutory[key].append(phase.statutory_days)
    return [
        DurationRow(
            regulator=name,
            phase=rules[(name, phase)].label,
            statutory=rules[(name, phase)].describe(),
            count=len(taken[(name, phase)]),
            median=percentile(taken[(name, phase)], 0.5),
            p90=percentile(taken[(name, phase)], 0.9),
            statutory_median=percentile(statutory[(name, phase)], 0.5),
        )
        for name, phase in sorted(taken)
    ]


def sector_rows(queryset, limit: int = 10) -> list[SectorRow]:
    intervention = REACHED_PHASE_2 | Q(outcome__in=INTERVENTION_OUTCOMES)
    counts = (
        with_phase_2(queryset.exclude(deal__sector="").filter(deal__isnull=False))
        .values("deal__sector", "regulator__short_name")
        .annotate(reviews=Count("pk"), interventions=Count("pk", filter=intervention))
        .order_by()
    )
    sectors: dict[str, SectorRow] = {}
    for row in counts:
        sector = sectors.setdefault(row["deal__sector"], SectorRow(row["deal__sector"], 0, 0))
        sector.reviews += row["reviews"]
        sector.interventions += row["interventions"]
        sector.by_regulator[row["regulator__short_name"]] = row["interventions"]
    ranked = sorted(sectors.values(), key=lambda s: (-s.interventions, -s.reviews, s.sector))
    return ranked[:limit]


def compute(data: dict) -> Stats:
    queryset = reviews(data)
    return Stats(
        years=year_rows(queryset),
        durations=duration_rows(queryset),
        sectors=sector_rows(queryset),
    )


def stats_for(form: StatsForm) -> Stats:
    """The figures for a valid form, from the cache when they were computed lately."""
    timeout = settings.STATS_CACHE_SECONDS
    return cache.get_or_set(form.cache_key(), lambda: compute(form.cleaned_data), timeout)


# --- Tables as CSV ------------------------------------------------------------------------


def csv_rows(stats: Stats, table: str) -> list[list]:
    """One of the page's tables as rows for a CSV file (the header first)."""
    if table == "reviews":
        header = ["regulator", "year", "opened", "reached_phase_2", "phase_2_rate_percent"]
        return [header] + [
            [r.regulator, r.year, r.opened, r.phase_2, f"{r.phase_2_rate:.1f}"] for r in stats.years
        ]
    if table == "outcomes":
        header = ["regulator", "year", *(key for key, _label, _o in OUTCOMES), "open"]
        return [header] + [
            [r.regulator, r.year, *(r.outcomes[key] for key, _l, _o in OUTCOMES), r.open]
            for r in stats.years
        ]
    if table == "durations":
        header = [
            "regulator",
            "phase",
            "statutory_rule",
            "phases",
            "median_days",
            "p90_days",
            "statutory_median_days",
        ]
        return [header] + [
            [
                r.regulator,
                r.phase,
                r.statutory,
                r.count,
                _number(r.median),
                _number(r.p90),
                _number(r.statutory_median),
            ]
            for r in stats.durations
        ]
    if table == "sectors":
        header = ["sector", "reviews", "interventions", "interventions_by_regulator"]
        return [header] + [
            [r.sector, r.reviews, r.interventions, r.by_regulator_text] for r in stats.sectors
        ]
    raise KeyError(table)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


CSV_TABLES = ("reviews", "outcomes", "durations", "sectors")


# --- Charts -------------------------------------------------------------------------------


def charts(stats: Stats) -> dict:
    """Each table as an SVG bar chart (deals/charts.py); the numbers sit in the table beside."""
    from .charts import BarRow, bar_chart

    reviews_rows = [
        BarRow(
            f"{r.regulator} {r.year}",
            [
                ("seg seg-phase_2", r.phase_2, f"{r.phase_2} reached Phase 2"),
                ("seg seg-phase_1", r.opened - r.phase_2, f"{r.opened - r.phase_2} did not"),
            ],
            note=f"{r.opened} opened, {r.phase_2_rate:.0f}% in-depth",
        )
        for r in stats.years
    ]
    outcome_rows = [
        BarRow(
            f"{r.regulator} {r.year}",
            [
                (f"seg seg-{key}", r.outcomes[key], f"{label}: {r.outcomes[key]}")
                for key, label, _o in OUTCOMES
            ]
            + [("seg seg-open", r.open, f"Open: {r.open}")],
            note=", ".join(
                f"{r.outcomes[key]} {label.lower()}"
                for key, label, _o in OUTCOMES[:4]
                if r.outcomes[key]
            )
            or f"{r.open} open",
        )
        for r in stats.years
    ]
    duration_rows_ = [
        BarRow(
            f"{r.regulator} {r.phase} ({r.count})",
            [
                ("seg seg-median", r.median or 0, f"median {r.median:g} days"),
                ("seg seg-p90", (r.p90 or 0) - (r.median or 0), f"90th percentile {r.p90:g} days"),
            ],
            note=f"median {r.median:g} d, p90 {r.p90:g} d"
            + (f", law {r.statutory_median:g} d" if r.statutory_median else ""),
            marker=r.statutory_median,
        )
        for r in stats.durations
    ]
    sector_rows_ = [
        BarRow(
            r.sector,
            [
                ("seg seg-intervention", r.interventions, f"{r.interventions} interventions"),
                ("seg seg-other", r.reviews - r.interventions, "other reviews"),
            ],
            note=f"{r.interventions} of {r.reviews}",
        )
        for r in stats.sectors
    ]
    return {
        "reviews": bar_chart(reviews_rows, title="Reviews opened per regulator and year"),
        "outcomes": bar_chart(outcome_rows, title="Outcomes per regulator and year"),
        "durations": bar_chart(
            duration_rows_, title="Duration of each phase, in days", unit="days"
        ),
        "sectors": bar_chart(sector_rows_, title="Sectors with most interventions"),
    }
