"""/stats/: the figures analysts ask of a tracker, per regulator and year (DOMAIN.md "Phases,
version 3": statistics count every review).

Every merger review (not an informal look, a market study or a conduct case) of a published
deal or of no deal counts. A review's year is the year its first stored phase started, else the
year it opened, else the year of its first event; a review with none of these is counted under
"not dated", a row of its own. The figures:

- reviews per regulator and year, and how many went in-depth (a stored Phase 2, remedies or
  litigation phase: deals/phases.py);
- outcomes: cleared, cleared with remedies, prohibited, abandoned, other; and, for reviews
  without an outcome, open (`Inquiry.objects.open()`, the one definition), state not
  published, ended before the deal's completion, and ended with no outcome recorded;
- the median and 90th-percentile duration of each Phase 1 and Phase 2, from the stored phases
  with a start and an end (an end known to the month counts, at the month's end), beside the
  statutory length (the phase's published or computed deadline minus its start);
- the sectors with most interventions (in-depth, or ended in remedies, a prohibition or the
  deal's abandonment).

Under each table the page says how many reviews (or phases) the figure leaves out and why
(`Stats.notes`); the CSV of each table has the same numbers. Counts are database aggregates;
durations come from one query of the stored phases, their percentiles interpolated in Python as
PostgreSQL's `percentile_cont` does, so SQLite and PostgreSQL agree: three queries whatever the
amount of data. Results are cached for `STATS_CACHE_SECONDS` (default 300) per filter.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from . import clocks
from .cache import cached
from .filters import sector_choices
from .models import OPEN_INQUIRY, Event, Inquiry, Phase, Regulator
from .vocabulary import InquiryKind, Outcome, PhaseEnd, PhaseKind, Stage

CACHE_VERSION = 2
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
# Outcomes named in the first four columns; any other outcome is counted under "other".
NAMED_OUTCOMES = [outcome for _key, _label, outcomes in OUTCOMES[:4] for outcome in outcomes]
INTERVENTION_OUTCOMES = [Outcome.CLEARED_WITH_REMEDIES, Outcome.PROHIBITED, Outcome.ABANDONED]
# A review went in-depth when one of these phases is stored for it.
IN_DEPTH_PHASES = [PhaseKind.PHASE_2, PhaseKind.REMEDIES, PhaseKind.LITIGATION]
# The phases with a statutory clock, whose durations are measured.
DURATION_PHASES = [PhaseKind.PHASE_1, PhaseKind.PHASE_2]
NOT_DATED = "not dated"

# Reviews without an outcome that are not open, each counted in a column of its own (disjoint
# from each other and from OPEN_INQUIRY); what is left is "ended, no outcome recorded".
NOT_PUBLISHED = Q(outcome="", stage=Stage.NOT_PUBLISHED)
BEFORE_COMPLETION = Q(outcome="", ended_before_completion=True) & ~Q(stage=Stage.NOT_PUBLISHED)


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
        self.fields["sector"].choices = [
            ("", "Any"),
            *cached("deal-sectors", sector_choices, stale_ok=True),
        ]

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
    """Every merger review the figures count, filtered by jurisdiction and sector (not yet by
    period: `in_period`), annotated with `dated_on` (what places it in a year; None: not dated)
    and `in_depth`."""
    queryset = Inquiry.objects.public().filter(kind=InquiryKind.MERGER_REVIEW)
    if data.get("jurisdiction"):
        queryset = queryset.filter(regulator__jurisdiction=data["jurisdiction"])
    if data.get("sector"):
        queryset = queryset.filter(deal__sector=data["sector"])
    return dated(queryset)


def dated(queryset):
    """Annotates each review's date (its first phase's start, else its opening date, else its
    first event's date) and whether a Phase 2, remedies or litigation phase is stored for it."""
    first_start = (
        Phase.objects.filter(inquiry=OuterRef("pk"), started_on__isnull=False)
        .order_by("started_on")
        .values("started_on")[:1]
    )
    first_event = (
        Event.objects.filter(inquiry=OuterRef("pk")).order_by("occurred_on").values("occurred_on")
    )[:1]
    in_depth = Phase.objects.filter(inquiry=OuterRef("pk"), kind__in=IN_DEPTH_PHASES)
    return queryset.annotate(
        dated_on=Coalesce(
            Subquery(first_start), "opened_on", Subquery(first_event), output_field=DateField()
        ),
        in_depth=Exists(in_depth),
    )


def in_period(queryset, data: dict):
    """The reviews dated within the form's period (a review not dated is in no period)."""
    if data.get("from_year"):
        queryset = queryset.filter(dated_on__gte=datetime.date(data["from_year"], 1, 1))
    if data.get("to_year"):
        queryset = queryset.filter(dated_on__lte=datetime.date(data["to_year"], 12, 31))
    return queryset


def has_period(data: dict) -> bool:
    return bool(data.get("from_year") or data.get("to_year"))


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def counted(number: int, noun: str, plural: str = "") -> str:
    """ "1 review", "3 reviews"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def verb(number: int, singular: str = "is", plural: str = "are") -> str:
    return singular if number == 1 else plural


@dataclass
class YearRow:
    regulator: str
    year: int | None  # None: not dated
    reviews: int
    in_depth: int
    outcomes: dict[str, int]
    open: int
    not_published: int = 0
    before_completion: int = 0
    no_outcome: int = 0  # superseded or closed with no outcome recorded

    @property
    def year_label(self) -> str:
        return NOT_DATED if self.year is None else str(self.year)

    @property
    def in_depth_rate(self) -> float:
        return 100.0 * self.in_depth / self.reviews if self.reviews else 0.0

    @property
    def outcome_not_known(self) -> int:
        return self.not_published + self.before_completion + self.no_outcome


@dataclass
class DurationRow:
    regulator: str
    phase: str  # the regulator's own name: "Phase I", "second request"
    statutory: str  # the rule, in words: "25 working days"
    count: int  # phases counted: a start and an end known
    median: float | None
    p90: float | None
    statutory_median: float | None  # the statutory length in calendar days, median
    statutory_count: int = 0  # counted phases whose deadline is known
    month_ends: int = 0  # counted phases whose end is known to the month only
    # Phases of this kind left out, and why.
    no_start: int = 0
    no_end: int = 0
    running: int = 0
    before_completion: int = 0
    end_before_start: int = 0

    @property
    def left_out(self) -> int:
        reasons = (self.no_start, self.no_end, self.running, self.before_completion)
        return sum(reasons) + self.end_before_start


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
    # Left out of every figure: reviews not dated when a period was chosen.
    undated_outside_period: int = 0
    # Left out of the sectors table: reviews of no deal or of a deal with no sector, and the
    # sectors past the table's length.
    without_sector: int = 0
    more_sectors: int = 0
    sector_limit: int = 10
    # Left out of the durations: phases with no statutory clock (litigation, remedies,
    # pre-notification).
    phases_without_clock: int = 0

    @property
    def total(self) -> int:
        return sum(row.reviews for row in self.years)

    @property
    def not_dated(self) -> int:
        return sum(row.reviews for row in self.years if row.year is None)

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.years)

    def _phases(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.durations)

    @property
    def notes(self) -> dict[str, list[str]]:
        """Under each table, what its figures leave out and why, in words."""
        return {
            "reviews": self._review_notes(),
            "outcomes": self._outcome_notes(),
            "durations": self._duration_notes(),
            "sectors": self._sector_notes(),
        }

    def _review_notes(self) -> list[str]:
        notes = []
        if n := self.not_dated:
            notes.append(
                f"{counted(n, 'review')} not dated (no start, opening or event date known) "
                f"{verb(n)} counted in '{NOT_DATED}'."
            )
        if n := self.undated_outside_period:
            notes.append(
                f"{counted(n, 'review')} not dated {verb(n)} left out of every figure: a period "
                f"was chosen and {'its' if n == 1 else 'their'} year is not known."
            )
        return notes

    def _outcome_notes(self) -> list[str]:
        notes = []
        if n := self._sum("not_published"):
            notes.append(
                f"{counted(n, 'review')} whose state is not published {verb(n)} not counted as "
                "open (column 'Not published')."
            )
        if n := self._sum("before_completion"):
            notes.append(
                f"{counted(n, 'review')} that ended before the deal's completion (outcome not "
                f"published in our data) {verb(n)} not counted as open (column 'Before "
                "completion')."
            )
        if n := self._sum("no_outcome"):
            notes.append(
                f"{counted(n, 'review')} superseded or closed with no outcome recorded "
                f"{verb(n)} counted in 'No outcome'."
            )
        return notes

    def _duration_notes(self) -> list[str]:
        notes = []
        no_start, no_end = self._phases("no_start"), self._phases("no_end")
        if n := no_start + no_end:
            notes.append(
                f"{counted(n, 'phase')} without a known start or end {verb(n)} left out of the "
                f"durations ({no_start} with no start known, {no_end} with no end known)."
            )
        if n := self._phases("running"):
            notes.append(f"{counted(n, 'phase')} still running {verb(n)} left out.")
        if n := self._phases("before_completion"):
            notes.append(
                f"{counted(n, 'phase')} of reviews that ended before the deal's completion "
                f"{verb(n)} left out: {'its' if n == 1 else 'their'} end is not published."
            )
        if n := self._phases("end_before_start"):
            notes.append(
                f"{counted(n, 'phase')} whose recorded end is before {'its' if n == 1 else 'their'}"
                f" start {verb(n)} left out."
            )
        if n := self._phases("month_ends"):
            notes.append(
                f"{counted(n, 'phase')} counted {'ends' if n == 1 else 'end'} on a date known "
                "only to the month, taken as the month's last day."
            )
        if n := self._phases("count") - self._phases("statutory_count"):
            notes.append(
                f"{counted(n, 'phase')} counted {'has' if n == 1 else 'have'} no deadline "
                "known (published or computed): left out of the statutory length only."
            )
        if n := self.phases_without_clock:
            notes.append(
                f"{counted(n, 'litigation, remedies or pre-notification phase')} "
                f"{verb(n, 'has', 'have')} no statutory length and {verb(n)} not in this table."
                if n == 1
                else f"{n} litigation, remedies and pre-notification phases have no statutory "
                "length and are not in this table."
            )
        return notes

    def _sector_notes(self) -> list[str]:
        notes = []
        if n := self.without_sector:
            notes.append(
                f"{counted(n, 'review')} of no deal or of a deal with no sector {verb(n)} not "
                "in this table."
            )
        if n := self.more_sectors:
            notes.append(
                f"{counted(n, 'more sector')} with fewer interventions {verb(n)} not shown "
                f"(the table lists {self.sector_limit})."
            )
        return notes


def year_rows(queryset) -> list[YearRow]:
    """Per regulator and year (None: not dated), one aggregate query."""
    outcomes = {f"n_{key}": Count("pk", filter=Q(outcome__in=o)) for key, _l, o in OUTCOMES[:4]}
    outcomes["n_other"] = Count("pk", filter=~Q(outcome="") & ~Q(outcome__in=NAMED_OUTCOMES))
    rows = (
        queryset.values("regulator__short_name", year=ExtractYear("dated_on"))
        .annotate(
            n_reviews=Count("pk"),
            n_in_depth=Count("pk", filter=Q(in_depth=True)),
            n_open=Count("pk", filter=OPEN_INQUIRY),
            n_not_published=Count("pk", filter=NOT_PUBLISHED),
            n_before_completion=Count("pk", filter=BEFORE_COMPLETION),
            **outcomes,
        )
        .order_by()
    )
    result = []
    for row in rows:
        by_outcome = {key: row[f"n_{key}"] for key, _label, _outcomes in OUTCOMES}
        known = sum(by_outcome.values()) + row["n_open"]
        known += row["n_not_published"] + row["n_before_completion"]
        result.append(
            YearRow(
                regulator=row["regulator__short_name"],
                year=row["year"],
                reviews=row["n_reviews"],
                in_depth=row["n_in_depth"],
                outcomes=by_outcome,
                open=row["n_open"],
                not_published=row["n_not_published"],
                before_completion=row["n_before_completion"],
                no_outcome=row["n_reviews"] - known,
            )
        )
    return sorted(result, key=lambda r: (r.regulator, r.year is None, r.year or 0))


def duration_rows(queryset) -> tuple[list[DurationRow], int]:
    """Each Phase 1 and Phase 2 stored for the reviews, per regulator and phase: the durations
    of those with a start and an end, and how many were left out and why; with the number of
    phases that have no statutory clock. One query."""
    phases = Phase.objects.filter(inquiry__in=queryset.values("pk")).values_list(
        "inquiry__regulator__short_name",
        "inquiry__regulator__slug",
        "kind",
        "label",
        "started_on",
        "deadline_on",
        "ended_on",
        "ended_precision",
        "ended_how",
    )
    rows: dict[tuple[str, int], DurationRow] = {}
    taken: dict[tuple[str, int], list[int]] = defaultdict(list)
    statutory: dict[tuple[str, int], list[int]] = defaultdict(list)
    without_clock = 0
    for name, slug, kind, label, start, deadline, end, precision, how in phases:
        if kind not in DURATION_PHASES:
            without_clock += 1
            continue
        key = (name, DURATION_PHASES.index(kind))
        row = rows.get(key)
        if row is None:
            rule = clocks.RULES[slug].rule(kind) if slug in clocks.RULES else None
            row = rows[key] = DurationRow(
                regulator=name,
                phase=label,
                statutory=rule.describe() if rule else "",
                count=0,
                median=None,
                p90=None,
                statutory_median=None,
            )
        if not how:
            row.running += 1
        elif how == PhaseEnd.BEFORE_COMPLETION:
            row.before_completion += 1
        elif start is None:
            row.no_start += 1
        elif end is None:
            row.no_end += 1
        elif end < start:
            row.end_before_start += 1
        else:
            row.count += 1
            taken[key].append((end - start).days)
            row.month_ends += precision == "month"
            if deadline:
                statutory[key].append((deadline - start).days)
    for key, row in rows.items():
        row.median, row.p90 = percentile(taken[key], 0.5), percentile(taken[key], 0.9)
        row.statutory_median = percentile(statutory[key], 0.5)
        row.statutory_count = len(statutory[key])
    return [rows[key] for key in sorted(rows)], without_clock


def sector_rows(queryset) -> list[SectorRow]:
    """Every sector's reviews and interventions, most interventions first. One query."""
    intervention = Q(in_depth=True) | Q(outcome__in=INTERVENTION_OUTCOMES)
    counts = (
        queryset.filter(deal__isnull=False)
        .exclude(deal__sector="")
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
    return sorted(sectors.values(), key=lambda s: (-s.interventions, -s.reviews, s.sector))


def compute(data: dict, sector_limit: int = 10) -> Stats:
    """The figures for the form's filters, in three queries."""
    every = reviews(data)
    selected = in_period(every, data)
    years = year_rows(every)  # the period is applied here, so that undated ones are counted
    undated_outside = 0
    if has_period(data):
        low, high = data.get("from_year") or 0, data.get("to_year") or 9999
        undated_outside = sum(row.reviews for row in years if row.year is None)
        years = [row for row in years if row.year is not None and low <= row.year <= high]
    durations, without_clock = duration_rows(selected)
    sectors = sector_rows(selected)
    total = sum(row.reviews for row in years)
    return Stats(
        years=years,
        durations=durations,
        sectors=sectors[:sector_limit],
        undated_outside_period=undated_outside,
        without_sector=total - sum(sector.reviews for sector in sectors),
        more_sectors=max(len(sectors) - sector_limit, 0),
        sector_limit=sector_limit,
        phases_without_clock=without_clock,
    )


def stats_for(form: StatsForm) -> Stats:
    """The figures for a valid form, from the cache when they were computed lately."""
    timeout = settings.STATS_CACHE_SECONDS
    return cache.get_or_set(form.cache_key(), lambda: compute(form.cleaned_data), timeout)


# --- Tables as CSV ------------------------------------------------------------------------


def csv_rows(stats: Stats, table: str) -> list[list]:
    """One of the page's tables as rows for a CSV file (the header first): the same numbers as
    the page, the reviews not dated in rows of their own ("not dated"), and the phases the
    durations leave out in columns."""
    if table == "reviews":
        header = ["regulator", "year", "reviews", "in_depth", "in_depth_rate_percent"]
        return [header] + [
            [r.regulator, r.year_label, r.reviews, r.in_depth, f"{r.in_depth_rate:.1f}"]
            for r in stats.years
        ]
    if table == "outcomes":
        header = [
            "regulator",
            "year",
            *(key for key, _label, _o in OUTCOMES),
            "open",
            "state_not_published",
            "ended_before_completion",
            "no_outcome_recorded",
        ]
        return [header] + [
            [
                r.regulator,
                r.year_label,
                *(r.outcomes[key] for key, _l, _o in OUTCOMES),
                r.open,
                r.not_published,
                r.before_completion,
                r.no_outcome,
            ]
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
            "phases_with_deadline",
            "month_precise_ends",
            "left_out_no_start",
            "left_out_no_end",
            "left_out_running",
            "left_out_ended_before_completion",
            "left_out_end_before_start",
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
                r.statutory_count,
                r.month_ends,
                r.no_start,
                r.no_end,
                r.running,
                r.before_completion,
                r.end_before_start,
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
            f"{r.regulator} {r.year_label}",
            [
                ("seg seg-phase_2", r.in_depth, f"{r.in_depth} went in-depth"),
                ("seg seg-phase_1", r.reviews - r.in_depth, f"{r.reviews - r.in_depth} did not"),
            ],
            note=f"{counted(r.reviews, 'review')}, {r.in_depth_rate:.0f}% in-depth",
        )
        for r in stats.years
    ]
    outcome_rows = [
        BarRow(
            f"{r.regulator} {r.year_label}",
            [
                (f"seg seg-{key}", r.outcomes[key], f"{label}: {r.outcomes[key]}")
                for key, label, _o in OUTCOMES
            ]
            + [
                ("seg seg-open", r.open, f"Open: {r.open}"),
                # Not published, ended before completion, no outcome recorded: one segment.
                ("seg seg-p90", r.outcome_not_known, f"Outcome not known: {r.outcome_not_known}"),
            ],
            note=", ".join(
                f"{r.outcomes[key]} {label.lower()}"
                for key, label, _o in OUTCOMES[:4]
                if r.outcomes[key]
            )
            or (f"{r.open} open" if r.open else f"{counted(r.reviews, 'review')}"),
        )
        for r in stats.years
    ]
    duration_rows_ = [
        BarRow(
            f"{r.regulator} {r.phase} ({r.count})",
            [
                ("seg seg-median", r.median, f"median {r.median:g} days"),
                ("seg seg-p90", r.p90 - r.median, f"90th percentile {r.p90:g} days"),
            ],
            note=f"median {r.median:g} d, p90 {r.p90:g} d"
            + (f", law {r.statutory_median:g} d" if r.statutory_median is not None else ""),
            marker=r.statutory_median,
        )
        for r in stats.durations
        if r.count
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
        "reviews": bar_chart(reviews_rows, title="Reviews per regulator and year"),
        "outcomes": bar_chart(outcome_rows, title="Outcomes per regulator and year"),
        "durations": bar_chart(
            duration_rows_, title="Duration of each phase, in days", unit="days"
        ),
        "sectors": bar_chart(sector_rows_, title="Sectors with most interventions"),
    }
