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
(`Stats.notes`); the CSV of each table has the same numbers.

Two ways to the same figures:

- `compute`, per request: counts are database aggregates over every review, durations come from
  one query of the stored phases, their percentiles interpolated in Python as PostgreSQL's
  `percentile_cont` does, so SQLite and PostgreSQL agree: three queries whatever the amount of
  data, but each reads every review (and dates each with two subqueries): at 100,000 deals a new
  period cost 5 to 13 s (issue 22).
- `from_aggregates`, what the page reads: the stored `ReviewYearAggregate` rows, one per
  regulator, year (or "not dated") and sector, and one per regulator and year for every sector
  together (what a page without a sector filter reads: some 30 times fewer rows), summed. Every
  filter the form has is a sum of rows: jurisdiction (the regulator's), sector (the deal's), the
  period (the rows of its years; the not-dated rows give the "left out" note); the sectors
  table sums the per-sector rows in the database. The counts are sums. The medians and 90th
  percentiles are not, so each row keeps, per Phase 1 and Phase 2, a histogram of the counted
  phases' durations and of their statutory lengths in whole days (`{"35": 2, "45": 1}`): the
  histograms of the rows summed are the multiset of durations of the selected phases, and a
  percentile of a multiset is read from its histogram exactly (`percentile_of`, the same
  interpolation as `percentile`). A table's phase name and rule come from the first phase in the
  per-request query's order, which each row remembers by its rank in that order. So the figures
  are the same numbers, in the same words: tests/deals/test_stats_aggregates.py compares both
  ways on the demo for many filters.

`aggregates_rebuild` builds every row again (a write can move a review from one year to another
or a deal to another sector, and the writes that change the figures, editors', ingest's, tasks',
say only that the content changed: deals/cache.py), in three queries and one transaction, as
the prebuilt exports are: `aggregates_refresh`, run by beat every STATS_EVERY_MINUTES, rebuilds
when the content version changed since the last build (deals/tasks.py); `manage.py
rebuild_stats`, `load_demo` and `seed_bench` build them at once.

While none are stored (a fresh install before the first build, STATS_EVERY_MINUTES=0) the page
computes per request, as before: right, and cheap on the small data a fresh install has. Once
stored, the rows may lag the data by up to STATS_EVERY_MINUTES (and a build): the page then
says "Figures as of <build time>". An editor (deals/cache.py's editor cookie) never sees a lag:
when the rows are older than the content, an editor's request rebuilds them first (a few
seconds at 100,000 deals, not the per-request figures' 5 to 13 s per period), which every
visitor then sees too. The page's cache key and ETag carry the build (`aggregates_stamp`, read
by the view), so a rebuild is served at once and not only after the next write. Figures are
cached for STATS_CACHE_SECONDS per filter and build.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from . import clocks
from .cache import cached, content_version, current
from .filters import sector_choices
from .models import OPEN_INQUIRY, Event, Inquiry, Phase, Regulator, ReviewYearAggregate
from .vocabulary import InquiryKind, Outcome, PhaseEnd, PhaseKind, Stage

CACHE_VERSION = 3
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
# An intervention: in-depth, or ended in remedies, a prohibition or the deal's abandonment.
INTERVENTION = Q(in_depth=True) | Q(outcome__in=INTERVENTION_OUTCOMES)


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

    def cache_key(self, built: Built | None = None) -> str:
        """The figures' key: the filters, and the build of the stored rows they are read from
        (none: computed per request)."""
        data = self.cleaned_data
        parts = [str(data.get(name) or "") for name in ("jurisdiction", "sector")]
        parts += [str(data.get(name) or "") for name in ("from_year", "to_year")]
        source = built.stamp if built else "per-request"
        return f"stats:v{CACHE_VERSION}:{source}:" + "|".join(parts)


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


def percentile_of(counts: dict[int, int], fraction: float) -> float | None:
    """`percentile` of the values a histogram (value -> how many) holds, without listing them:
    the same ranks, the same interpolation, the same float."""
    total = sum(counts.values())
    if not total:
        return None
    position = (total - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    at_low = at_high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if at_low is None and low < seen:
            at_low = value
        if high < seen:
            at_high = value
            break
    return at_low + (at_high - at_low) * (position - low)


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

    @property
    def outcome_cells(self) -> list[tuple[str, int | str]]:
        """The outcomes table's cells in OUTCOME_LABELS' order: (column's short label, count).
        Looked up here once, not by the template scanning the outcomes for each column (351
        rows of five columns: a third of `/stats/`)."""
        return [(short, self.outcomes.get(key, "")) for key, _label, short in OUTCOME_LABELS]


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
    # When the stored rows the figures were summed from were built (None: computed per request).
    as_of: datetime.datetime | None = None

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


# What a row of the reviews and outcomes tables counts, as n_<name>: the per-request figures
# and the stored rows count with the same definitions.
COUNTS = {
    "reviews": Q(),
    "in_depth": Q(in_depth=True),
    **{key: Q(outcome__in=outcomes) for key, _label, outcomes in OUTCOMES[:4]},
    "other": ~Q(outcome="") & ~Q(outcome__in=NAMED_OUTCOMES),
    "open": OPEN_INQUIRY,
    "not_published": NOT_PUBLISHED,
    "before_completion": BEFORE_COMPLETION,
}


def counts_by(queryset, *fields):
    """The reviews grouped by `fields` and their year (None: not dated), each group's COUNTS as
    n_<name>: one aggregate query."""
    return (
        queryset.values(*fields, year=ExtractYear("dated_on"))
        .annotate(**{f"n_{name}": Count("pk", filter=q or None) for name, q in COUNTS.items()})
        .order_by()
    )


def year_row(regulator: str, year: int | None, n: dict[str, int]) -> YearRow:
    """A row of the reviews and outcomes tables from its counts (COUNTS' names)."""
    by_outcome = {key: n[key] for key, _label, _outcomes in OUTCOMES}
    known = sum(by_outcome.values()) + n["open"] + n["not_published"] + n["before_completion"]
    return YearRow(
        regulator=regulator,
        year=year,
        reviews=n["reviews"],
        in_depth=n["in_depth"],
        outcomes=by_outcome,
        open=n["open"],
        not_published=n["not_published"],
        before_completion=n["before_completion"],
        no_outcome=n["reviews"] - known,
    )


def in_table_order(rows) -> list[YearRow]:
    return sorted(rows, key=lambda r: (r.regulator, r.year is None, r.year or 0))


def year_rows(queryset) -> list[YearRow]:
    """Per regulator and year (None: not dated), one aggregate query."""
    return in_table_order(
        year_row(
            row["regulator__short_name"],
            row["year"],
            {name: row[f"n_{name}"] for name in COUNTS},
        )
        for row in counts_by(queryset, "regulator__short_name")
    )


# Why a Phase 1 or Phase 2 is left out of the durations (None: it is counted).
def left_out_because(start, end, how) -> str | None:
    if not how:
        return "running"
    if how == PhaseEnd.BEFORE_COMPLETION:
        return "before_completion"
    if start is None:
        return "no_start"
    if end is None:
        return "no_end"
    if end < start:
        return "end_before_start"
    return None


def duration_row(name: str, slug: str, kind: str, label: str) -> DurationRow:
    rule = clocks.RULES[slug].rule(kind) if slug in clocks.RULES else None
    return DurationRow(
        regulator=name,
        phase=label,
        statutory=rule.describe() if rule else "",
        count=0,
        median=None,
        p90=None,
        statutory_median=None,
    )


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
            row = rows[key] = duration_row(name, slug, kind, label)
        if reason := left_out_because(start, end, how):
            setattr(row, reason, getattr(row, reason) + 1)
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
    counts = (
        queryset.filter(deal__isnull=False)
        .exclude(deal__sector="")
        .values("deal__sector", "regulator__short_name")
        .annotate(reviews=Count("pk"), interventions=Count("pk", filter=INTERVENTION))
        .order_by()
    )
    sectors: dict[str, SectorRow] = {}
    for row in counts:
        sector = sectors.setdefault(row["deal__sector"], SectorRow(row["deal__sector"], 0, 0))
        sector.reviews += row["reviews"]
        sector.interventions += row["interventions"]
        sector.by_regulator[row["regulator__short_name"]] = row["interventions"]
    return most_interventions_first(sectors.values())


def most_interventions_first(sectors) -> list[SectorRow]:
    return sorted(sectors, key=lambda s: (-s.interventions, -s.reviews, s.sector))


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
    return stats_of(
        years,
        durations,
        sector_rows(selected),
        undated_outside=undated_outside,
        without_clock=without_clock,
        sector_limit=sector_limit,
    )


def stats_of(
    years: list[YearRow],
    durations: list[DurationRow],
    sectors: list[SectorRow],
    *,
    undated_outside: int,
    without_clock: int,
    sector_limit: int,
    as_of: datetime.datetime | None = None,
) -> Stats:
    """The page's figures from its rows, however they were counted (`compute`, per request, or
    `from_aggregates`): the sectors table cut at `sector_limit`, and what the notes under the
    tables say is left out."""
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
        as_of=as_of,
    )


# --- The stored per-year figures ----------------------------------------------------------

# The counts a stored row keeps, in COUNTS' names (and the model's fields), besides the phases.
STORED_COUNTS = [*COUNTS, "interventions"]
# How long a process trusts the build it read from the cache (see `aggregates_built`).
BUILT_KEY = "dealwatch:fragment:stats-built"
BUILT_SECONDS = 60


@dataclass(frozen=True)
class Built:
    """When the stored rows were built, and from which content version (None: not known)."""

    at: datetime.datetime
    version: int | None

    @property
    def stamp(self) -> str:
        return self.at.isoformat()

    def is_current(self) -> bool:
        """Built from the content as it is now (not known while the cache is down: no)."""
        version = content_version()
        return version is not None and self.version == version


def aggregates_built() -> Built | None:
    """The build of the stored rows; None while none are stored (or STATS_EVERY_MINUTES is 0).

    One cache round trip: the build read from the database is kept under the content version
    for BUILT_SECONDS, and each build writes its own when it commits. A request that read the
    rows just before a build committed may write the older build after it: that lasts at most
    BUILT_SECONDS."""
    if settings.STATS_EVERY_MINUTES <= 0:
        return None
    version, entry = current(BUILT_KEY)
    if entry is None:
        row = ReviewYearAggregate.objects.built()
        entry = ("built", Built(*row) if row else None)
        if version is not None:
            cache.set(BUILT_KEY, (version, entry), BUILT_SECONDS)
    return entry[1]


def aggregates_stamp() -> str:
    """What the page's cache key and ETag add to the content version: the build it reads."""
    built = aggregates_built()
    return built.stamp if built else "per-request"


def _phase_tally() -> dict:
    return {
        "first": None,  # the rank of the first phase in `duration_rows`' order, and its label
        "label": "",
        "count": 0,
        "month_ends": 0,
        "no_start": 0,
        "no_end": 0,
        "running": 0,
        "before_completion": 0,
        "end_before_start": 0,
        "days": defaultdict(int),  # days taken -> phases (JSON: the keys as text)
        "statutory": defaultdict(int),  # statutory length in days -> phases
    }


def aggregates_rebuild(*, now: datetime.datetime | None = None) -> int:
    """Build every stored row again from the reviews (three queries) and replace them in one
    transaction. Safe to run twice at once: the second build's rows clash with the first's
    (unique per regulator, year and sector) and it rolls back. Returns the rows stored."""
    now = now or timezone.now()
    version = content_version()  # read before reading: a write during the build is seen next
    rows: dict[tuple[int, int | None, str | None], ReviewYearAggregate] = {}

    def row_of(regulator: int, year: int | None, sector: str | None) -> ReviewYearAggregate:
        key = (regulator, year, sector or "")  # no deal and no sector: both ""
        if key not in rows:
            rows[key] = ReviewYearAggregate(
                regulator_id=regulator,
                year=year,
                sector=key[2],
                phases={},
                built_at=now,
                content_version=version,
            )
        return rows[key]

    # The reviews `reviews({})` gives, without its two subqueries per review: what they read
    # (each review's first phase start, first event, in-depth phases) is read here in bulk.
    merger_reviews = Inquiry.objects.public().filter(kind=InquiryKind.MERGER_REVIEW)
    flags = {name: q for name, q in COUNTS.items() if name not in ("reviews", "in_depth")}
    flags["intervened"] = Q(outcome__in=INTERVENTION_OUTCOMES)
    facts = merger_reviews.annotate(
        **{
            f"is_{name}": ExpressionWrapper(q, output_field=BooleanField())
            for name, q in flags.items()
        }
    ).values_list("pk", "regulator", "deal__sector", "opened_on", *(f"is_{name}" for name in flags))
    # The phases in `duration_rows`' order (the model's): a table's phase name is its first's.
    phases = list(
        Phase.objects.filter(inquiry__in=merger_reviews.values("pk")).values_list(
            "inquiry", "kind", "label", "started_on", "deadline_on", "ended_on",
            "ended_precision", "ended_how",
        )
    )  # fmt: skip
    first_event = dict(
        Event.objects.filter(inquiry__in=merger_reviews.values("pk"))
        .values("inquiry")
        .annotate(first=Min("occurred_on"))
        .order_by()
        .values_list("inquiry", "first")
    )
    first_start: dict[int, datetime.date] = {}
    in_depth: set[int] = set()
    for inquiry, kind, _label, start, *_rest in phases:
        if start is not None and (inquiry not in first_start or start < first_start[inquiry]):
            first_start[inquiry] = start
        if kind in IN_DEPTH_PHASES:
            in_depth.add(inquiry)

    placed: dict[int, ReviewYearAggregate] = {}
    for pk, regulator, sector, opened_on, *values in facts:
        # As `dated`: the first phase's start, else the opening, else the first event.
        dated_on = first_start.get(pk) or opened_on or first_event.get(pk)
        row = placed[pk] = row_of(regulator, dated_on.year if dated_on else None, sector)
        is_ = dict(zip(flags, values, strict=True))
        row.reviews += 1
        row.in_depth += pk in in_depth
        row.interventions += pk in in_depth or bool(is_["intervened"])
        for name in flags.keys() - {"intervened"}:
            setattr(row, name, getattr(row, name) + bool(is_[name]))

    for rank, (inquiry, kind, label, start, deadline, end, precision, how) in enumerate(phases):
        row = placed[inquiry]
        if kind not in DURATION_PHASES:
            row.phases_without_clock += 1
            continue
        tally = row.phases.setdefault(kind, _phase_tally())
        if tally["first"] is None:
            tally["first"], tally["label"] = rank, label
        if reason := left_out_because(start, end, how):
            tally[reason] += 1
            continue
        tally["count"] += 1
        tally["days"][(end - start).days] += 1
        tally["month_ends"] += precision == "month"
        if deadline:
            tally["statutory"][(deadline - start).days] += 1

    # Without a sector filter the page reads each regulator's and year's rows of every sector
    # summed: one row each, not one per sector.
    for (regulator, year, _sector), row in list(rows.items()):
        key = (regulator, year, None)
        if key not in rows:
            rows[key] = ReviewYearAggregate(
                regulator_id=regulator,
                year=year,
                all_sectors=True,
                phases={},
                built_at=now,
                content_version=version,
            )
        every_sector = rows[key]
        for name in [*STORED_COUNTS, "phases_without_clock"]:
            setattr(every_sector, name, getattr(every_sector, name) + getattr(row, name))
        for kind, tally in row.phases.items():
            tally_merge(every_sector.phases.setdefault(kind, _phase_tally()), tally)

    try:
        with transaction.atomic():
            ReviewYearAggregate.objects.all().delete()
            ReviewYearAggregate.objects.bulk_create(rows.values(), batch_size=500)
    except IntegrityError:  # another build stored its rows meanwhile: they stand
        return 0
    # After the commit: the next request reads this build (see `aggregates_built`).
    after = content_version()
    if after is not None:
        built = Built(now, version) if rows else None
        cache.set(BUILT_KEY, (after, ("built", built)), BUILT_SECONDS)
    return len(rows)


def aggregates_refresh() -> bool:
    """Rebuild the stored rows when the content changed since they were built, or none are
    stored (beat, every STATS_EVERY_MINUTES: deals/tasks.py). Cheap when nothing changed: one
    query and one cache read. Whether it rebuilt."""
    if settings.STATS_EVERY_MINUTES <= 0:
        return False
    row = ReviewYearAggregate.objects.built()
    if row and Built(*row).is_current():
        return False
    aggregates_rebuild()
    return True


def tally_merge(into: dict, tally: dict) -> bool:
    """Add one row's tally of a phase kind (stored: its histograms' keys as text) to another;
    whether `tally`'s first phase comes before `into`'s (its name is then the table's)."""
    earlier = into["first"] is None or tally["first"] < into["first"]
    if earlier:
        into["first"], into["label"] = tally["first"], tally["label"]
    for reason in ("count", "month_ends", *DURATION_REASONS):
        into[reason] += tally[reason]
    for histogram in ("days", "statutory"):
        for days, number in tally[histogram].items():
            into[histogram][int(days)] += number
    return earlier


def from_aggregates(data: dict, built: Built, sector_limit: int = 10) -> Stats:
    """The figures for the form's filters, summed from the stored rows: two queries (the rows
    of the filter, the sectors' sums), and the same Stats as `compute` gives for the content
    the rows were built from."""
    period = has_period(data)
    jurisdiction, sector = data.get("jurisdiction") or "", data.get("sector") or ""
    low, high = data.get("from_year"), data.get("to_year")
    rows = ReviewYearAggregate.objects.filtered(
        jurisdiction=jurisdiction, sector=sector, from_year=low, to_year=high
    ).values_list("regulator__short_name", "regulator__slug", "year", "phases",
                  "phases_without_clock", *STORED_COUNTS)  # fmt: skip
    years: dict[tuple[str, int | None], dict[str, int]] = {}
    phases: dict[tuple[str, int], dict] = {}
    undated_outside = without_clock = 0
    for name, slug, year, stored, no_clock, *numbers in rows:
        n = dict(zip(STORED_COUNTS, numbers, strict=True))
        if period and year is None:
            undated_outside += n["reviews"]
            continue
        sums = years.setdefault((name, year), dict.fromkeys(COUNTS, 0))
        for key in COUNTS:
            sums[key] += n[key]
        without_clock += no_clock
        for kind, tally in stored.items():
            merged = phases.setdefault((name, DURATION_PHASES.index(kind)), _phase_tally())
            if tally_merge(merged, tally):
                merged.update(slug=slug, kind=kind)
    # The sectors table: the per-sector rows of the same filter, summed by the database.
    per_sector = ReviewYearAggregate.objects.per_sector().exclude(sector="")
    if sector:
        per_sector = per_sector.filter(sector=sector)
    if jurisdiction:
        per_sector = per_sector.filter(regulator__jurisdiction=jurisdiction)
    if period:
        per_sector = per_sector.in_period(low, high).exclude(year__isnull=True)
    sums_by_sector = (
        per_sector.values("sector", "regulator__short_name")
        .annotate(n_reviews=Sum("reviews"), n_interventions=Sum("interventions"))
        .order_by()
    )
    sectors: dict[str, SectorRow] = {}
    for row in sums_by_sector:
        summed = sectors.setdefault(row["sector"], SectorRow(row["sector"], 0, 0))
        summed.reviews += row["n_reviews"]
        summed.interventions += row["n_interventions"]
        summed.by_regulator[row["regulator__short_name"]] = row["n_interventions"]
    durations = []
    for (name, _index), merged in sorted(phases.items()):
        row = duration_row(name, merged["slug"], merged["kind"], merged["label"])
        for reason in ("count", "month_ends", *DURATION_REASONS):
            setattr(row, reason, merged[reason])
        row.median = percentile_of(merged["days"], 0.5)
        row.p90 = percentile_of(merged["days"], 0.9)
        row.statutory_median = percentile_of(merged["statutory"], 0.5)
        row.statutory_count = sum(merged["statutory"].values())
        durations.append(row)
    return stats_of(
        in_table_order(year_row(name, year, n) for (name, year), n in years.items()),
        durations,
        most_interventions_first(sectors.values()),
        undated_outside=undated_outside,
        without_clock=without_clock,
        sector_limit=sector_limit,
        as_of=built.at,
    )


DURATION_REASONS = ("no_start", "no_end", "running", "before_completion", "end_before_start")


def stats_for(form: StatsForm, *, editor: bool = False) -> Stats:
    """The figures for a valid form: summed from the stored rows, or computed per request while
    none are stored; an editor's rebuilds the rows first when they are older than the content.
    Cached for STATS_CACHE_SECONDS per filter and build."""
    built = aggregates_built()
    if built is not None and editor:
        version = content_version()  # None: the cache is down; not a rebuild per request then
        if version is not None and built.version != version:
            aggregates_rebuild()
            built = aggregates_built()
    timeout = settings.STATS_CACHE_SECONDS
    if built is None:
        return cache.get_or_set(form.cache_key(), lambda: compute(form.cleaned_data), timeout)
    figures = lambda: from_aggregates(form.cleaned_data, built)  # noqa: E731
    return cache.get_or_set(form.cache_key(built), figures, timeout)


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
