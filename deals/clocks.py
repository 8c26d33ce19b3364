"""Statutory clocks: each review phase's deadline, computed from its start by the regulator's rule.

One table per regulator (`RULES`), each phase with its length, its unit, what extends it and
the legal basis, and whether the regime is suspensory. The functions are pure: `phase_clock`
computes one phase's deadline from its start and plain facts (`ClockFacts`: the events, clock
stops, the editor's extension), never the ORM.

Where a phase starts and ends, and which deadline a page shows (a published one wins), is
decided in one place, deals/phases.py, which calls `phase_clock` and stores the result; every
surface reads what it stored. A computed deadline is only as good as the start it counts from.

Clock stops (`ClockStop` rows an editor enters: stopped on, restarted on) push a deadline back
by the working days (or days) the clock stood still; a stop with no restart yet leaves the
deadline unknown ("clock stopped since ..."). Offering commitments adds the rule's extra time
by itself (a `remedies_offered` event in the phase); an extension on request or a referral
request is the editor's `Inquiry.extended_by`, in the rule's unit, added to the latest phase.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

import holidays
from dateutil.easter import easter

from .eu_holidays import FIRST_YEAR, LAST_YEAR, eu_institution_holidays

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
WEEKS = "weeks"
UNIT_WORDS = {WORKING_DAYS: "working days", CALENDAR_DAYS: "days", WEEKS: "weeks"}

ONE_DAY = datetime.timedelta(days=1)


# --- Calendars ----------------------------------------------------------------------------


class Calendar:
    """Working days of one authority: Monday to Friday, less its holidays."""

    def __init__(self, name: str, source: str, holidays_on):
        self.name = name
        self.source = source
        self._holidays_on = holidays_on  # date -> bool

    def __repr__(self) -> str:
        return f"<Calendar {self.name}>"

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and not self._holidays_on(day)

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The `count`th working day after `start` (a period that begins the next working day)."""
        day = start
        while count > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, after: datetime.date, until: datetime.date) -> int:
        """Working days after `after`, up to and including `until`."""
        count, day = 0, after
        while day < until:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count

    def on_or_after(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day


def _eu_pattern(day: datetime.date) -> bool:
    """The Commission's standing list, for a year the data table does not cover yet."""
    sunday = easter(day.year)
    fixed = {(1, 1), (1, 2), (5, 1), (5, 9), (7, 21), (8, 15), (11, 1), (11, 2)}
    movable = {sunday + datetime.timedelta(days=n) for n in (-3, -2, 1, 39, 40, 50)}
    return (day.month, day.day) in fixed or day in movable or (day.month == 12 and day.day >= 24)


@cache
def _eu_holidays() -> frozenset[datetime.date]:
    return eu_institution_holidays()


def _eu_holiday(day: datetime.date) -> bool:
    if FIRST_YEAR <= day.year <= LAST_YEAR:
        return day in _eu_holidays()
    return _eu_pattern(day)


def _national(country: str, subdiv: str | None = None):
    calendar = holidays.country_holidays(country, subdiv=subdiv)
    return lambda day: day in calendar


CALENDARS = {
    "eu": Calendar(
        "the European Commission's holidays",
        "deals/eu_holidays.py (the Commission's list, published in the Official Journal)",
        _eu_holiday,
    ),
    "gb-eng": Calendar(
        "bank holidays in England and Wales",
        "the holidays library (GB, subdivision ENG)",
        _national("GB", "ENG"),
    ),
    "us": Calendar("US federal holidays", "the holidays library (US)", _national("US")),
    "au-act": Calendar(
        "public holidays in the ACT",
        "the holidays library (AU, subdivision ACT)",
        _national("AU", "ACT"),
    ),
}


# --- The rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRule:
    phase: str  # "phase_1" or "phase_2"
    label: str  # the regulator's own name for it: "Phase I", "Phase 2", "second request"
    length: int
    unit: str
    # What gives the phase's start date, first found wins; then the inquiry's opening date
    # (phase 1 only) unless the regulator's rules say the opening date cannot be trusted.
    starts_with: tuple[str, ...]
    commitments_extra: int = 0  # added when remedies are offered during the phase
    commitments_after: int = 0  # ... but only when offered this many units after the start
    cash_tender_length: int = 0  # US: the shorter period of a cash tender offer
    roll_forward: bool = False  # a deadline on a non-working day moves to the next one
    starts_stopped: bool = False  # US second request: the clock runs from compliance
    max_extension: int = 0  # what the regulator may add on request (informative)

    def describe(self) -> str:
        return f"{self.length} {UNIT_WORDS[self.unit]}"


@dataclass(frozen=True)
class RegulatorClock:
    calendar: Calendar
    phases: tuple[PhaseRule, ...]
    basis: str  # the legal basis, in words, shown on /statuses/ and in the docs
    opening_date_starts_phase_1: bool = True
    # Suspensory: a deal may not complete before clearance (from this date; None: not at all).
    # A review still shown open at a completion ended before it (deals/phases.py).
    suspensory_since: datetime.date | None = None

    def rule(self, phase: str) -> PhaseRule | None:
        return next((rule for rule in self.phases if rule.phase == phase), None)


EC = RegulatorClock(
    calendar=CALENDARS["eu"],
    phases=(
        PhaseRule(
            "phase_1",
            "Phase I",
            25,
            WORKING_DAYS,
            starts_with=("notified", "phase_1_opened"),
            commitments_extra=10,
            max_extension=10,
        ),
        PhaseRule(
            "phase_2",
            "Phase II",
            90,
            WORKING_DAYS,
            starts_with=("phase_2_opened",),
            commitments_extra=15,
            commitments_after=55,
            max_extension=20,
        ),
    ),
    basis="EU Merger Regulation (Council Regulation (EC) No 139/2004), Art. 10: Phase I ends "
    "25 working days after notification, 35 when commitments are offered or a Member State asks "
    "for a referral (Art. 9(2)); Phase II ends 90 working days after proceedings are opened "
    "(Art. 6(1)(c)), 105 when commitments are offered 55 working days or more after the opening, "
    "and up to 20 more at the parties' request or with their agreement; the clock stops under "
    "Art. 10(4). Periods begin on the working day after the event and working days exclude the "
    "Commission's holidays (Implementing Regulation (EC) No 802/2004, Arts. 7, 8 and 24).",
    suspensory_since=datetime.date.min,  # Art. 7(1): no implementation before clearance
)

CMA = RegulatorClock(
    calendar=CALENDARS["gb-eng"],
    phases=(
        PhaseRule("phase_1", "Phase 1", 40, WORKING_DAYS, starts_with=("phase_1_opened",)),
        PhaseRule(
            "phase_2", "Phase 2", 24, WEEKS, starts_with=("phase_2_opened",), max_extension=8
        ),
    ),
    basis="Enterprise Act 2002: Phase 1 (the initial period, s. 34ZA) is 40 working days "
    "beginning with the first working day after the CMA gives notice that it has begun; a "
    "working day is not a Saturday, Sunday, Good Friday, Christmas Day or a bank holiday in "
    "England and Wales. Phase 2 (s. 39) is 24 weeks beginning with the date of the reference, "
    "extendable once by up to 8 weeks for special reasons; the clock can be stopped (s. 39(8)).",
)

HSR = RegulatorClock(
    calendar=CALENDARS["us"],
    phases=(
        PhaseRule(
            "phase_1",
            "HSR waiting period",
            30,
            CALENDAR_DAYS,
            starts_with=("notified",),
            cash_tender_length=15,
            roll_forward=True,
        ),
        PhaseRule(
            "phase_2",
            "second request",
            30,
            CALENDAR_DAYS,
            starts_with=("phase_2_opened",),
            cash_tender_length=10,
            roll_forward=True,
            starts_stopped=True,
        ),
    ),
    basis="Hart-Scott-Rodino Act, 15 U.S.C. 18a(b) and (e), and 16 CFR 803.10: the waiting "
    "period ends 30 days after filing (15 for a cash tender offer or a bankruptcy sale); after "
    "a second request it runs until 30 days (10) after the parties substantially comply, "
    "entered as a clock stop from the request to the date of compliance; a period ending on a "
    "weekend or a federal holiday runs to the next business day.",
    opening_date_starts_phase_1=False,
    suspensory_since=datetime.date.min,  # 15 U.S.C. 18a(a): no closing in the waiting period
)

ACCC = RegulatorClock(
    calendar=CALENDARS["au-act"],
    phases=(
        PhaseRule(
            "phase_1",
            "Phase 1",
            30,
            WORKING_DAYS,
            starts_with=("notified",),
            commitments_extra=15,
        ),
        PhaseRule(
            "phase_2",
            "Phase 2",
            90,
            WORKING_DAYS,
            starts_with=("phase_2_opened",),
            commitments_extra=15,
        ),
    ),
    basis="Competition and Consumer Act 2010, Part IVA (acquisitions notified from 1 July 2025, "
    "mandatory from 1 January 2026): the Phase 1 determination period ends 30 business days "
    "after the effective notification date and Phase 2 90 business days after it begins, each "
    "15 business days longer when a commitment is offered; the period is suspended while the "
    "ACCC waits for information it asked for. Business days exclude weekends and public "
    "holidays (here those of the ACT).",
    suspensory_since=datetime.date(2026, 1, 1),  # mandatory and suspensory from 2026
)

# One table per regulator, by the regulator's slug.
RULES: dict[str, RegulatorClock] = {"ec": EC, "cma": CMA, "ftc": HSR, "doj": HSR, "accc": ACCC}


# --- Computing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks need to know of one merger review."""

    regulator: str  # slug
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    events: tuple[tuple[str, datetime.date], ...] = ()  # (kind, occurred_on)
    stops: tuple[tuple[datetime.date, datetime.date | None], ...] = ()  # (stopped, restarted)
    extended_by: int = 0
    cash_tender_offer: bool = False


@dataclass(frozen=True)
class PhaseClock:
    rule: PhaseRule
    calendar: Calendar
    started_on: datetime.date
    ended_on: datetime.date | None  # None while the phase runs
    deadline_on: datetime.date | None  # None while the clock stands stopped
    stopped_since: datetime.date | None = None
    length: int = 0  # the units counted, extensions included
    stopped_days: int = 0

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def is_running(self) -> bool:
        return self.ended_on is None

    @property
    def days_taken(self) -> int | None:
        return (self.ended_on - self.started_on).days if self.ended_on else None

    @property
    def statutory_days(self) -> int | None:
        """The deadline, in calendar days from the start."""
        return (self.deadline_on - self.started_on).days if self.deadline_on else None

    def describe(self) -> str:
        return f"{self.length} {UNIT_WORDS[self.rule.unit]}"


def _first(events, kinds, *, on_or_after: datetime.date | None = None):
    days = [day for kind, day in events if kind in kinds]
    if on_or_after:
        days = [day for day in days if day >= on_or_after]
    return min(days, default=None)


def deadline_for(
    rule: PhaseRule,
    calendar: Calendar,
    start: datetime.date,
    length: int,
    stops=(),
) -> tuple[datetime.date | None, datetime.date | None, int]:
    """(deadline, stopped since, days or working days stood still) for a phase from `start`."""
    if rule.unit == WORKING_DAYS:
        end = calendar.add_working_days(start, length)
    elif rule.unit == WEEKS:  # "24 weeks beginning with the date of the reference"
        end = start + datetime.timedelta(weeks=length) - ONE_DAY
    else:  # "30 days after filing"
        end = start + datetime.timedelta(days=length)
    stood = 0
    for stopped, restarted in sorted(stops):
        if stopped < start or stopped > end:
            continue
        if restarted is None:
            return None, stopped, stood
        if rule.unit == WORKING_DAYS:
            # The days the clock stood still, the day it stopped included, are not counted.
            lost = calendar.working_days_between(stopped - ONE_DAY, restarted - ONE_DAY)
            end = calendar.add_working_days(end, lost)
        else:
            lost = (restarted - stopped).days
            end += datetime.timedelta(days=lost)
        stood += lost
    if rule.roll_forward:
        end = calendar.on_or_after(end)
    return end, None, stood


def phase_clock(rule, calendar, facts, *, start, ended, extended) -> PhaseClock:
    length = rule.cash_tender_length if facts.cash_tender_offer else rule.length
    offered = _first(facts.events, ("remedies_offered",), on_or_after=start)
    if rule.commitments_extra and offered and (ended is None or offered <= ended):
        late_enough = (
            calendar.working_days_between(start, offered) >= rule.commitments_after
            if rule.commitments_after
            else True
        )
        if late_enough:
            length += rule.commitments_extra
    length += extended
    stops = [(stopped, restarted) for stopped, restarted in facts.stops]
    if rule.starts_stopped:
        # The clock runs from the end of the stop that the request began (US: compliance).
        restarts = [restarted for stopped, restarted in stops if stopped >= start and restarted]
        pending = [stopped for stopped, restarted in stops if stopped >= start and not restarted]
        if not restarts:
            return PhaseClock(rule, calendar, start, ended, None, pending[0] if pending else start)
        resumed = min(restarts)
        deadline, stopped_since, stood = deadline_for(rule, calendar, resumed, length)
        return PhaseClock(
            rule, calendar, start, ended, deadline, stopped_since, length, (resumed - start).days
        )
    deadline, stopped_since, stood = deadline_for(rule, calendar, start, length, stops)
    return PhaseClock(rule, calendar, start, ended, deadline, stopped_since, length, stood)


@dataclass(frozen=True)
class Deadline:
    """The deadline a page shows for an inquiry, and whether it was published or computed."""

    on: datetime.date
    source: str  # "published" or "computed"
    phase: str = ""  # the phase's label, when computed
    calendar: Calendar | None = None

    @property
    def is_computed(self) -> bool:
        return self.source == "computed"

    def working_days_left(self, today: datetime.date) -> int | None:
        if self.calendar is None:
            return None
        if self.on < today:
            return -self.calendar.working_days_between(self.on, today)
        return self.calendar.working_days_between(today, self.on)
