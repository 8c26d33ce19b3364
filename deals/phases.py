"""A merger review's phases, derived in one place (DOMAIN.md "Phases, version 3").

Each inquiry's phases (kind, start, deadline published or computed, end and how it ended), its
next deadline and whether it ended before the deal completed are computed here from what editors
and ingest record: the inquiry's events (their kinds, dates, month precision and the deadlines
published with them), its clock stops, its extension, its published deadline, its closing date
and outcome, and its deal's completion. `deals/derived.py` stores the result (the `Phase` rows
and `Inquiry.next_deadline_on`, `next_deadline_source`, `next_deadline_phase`,
`ended_before_completion`) whenever any of those change; every surface reads what is stored.

Pure: plain facts in (`PhaseFacts`), plain values out (`Derived`), no ORM, so the refresh, the
admin's preview and the tests run the same code. The numbers of the statutory clocks are in
deals/clocks.py.

Where a phase starts:
- Phase 1: the regulator's own start event (EC and US: `notified`; CMA: `phase_1_opened`, the
  formal commencement; other regulators: either), else the inquiry's opening date where the
  regulator's rules let it stand for the start (not the US: an inquiry rarely opens at the
  filing) and neither an invitation to comment (no phase) nor a decision (a referral accepted)
  opened it.
- Phase 2: `phase_2_opened` (EC Art. 6(1)(c); CMA: the reference date; US: the second request);
  start not known where the source shows only the decision that ends it (an EC Art. 8 decision
  with no Art. 6(1)(c) in the dump: `phase_2_start_unknown`), so Phase 1 ends, date not known.
- Litigation: a `lawsuit` (a suit or an administrative complaint to block).
- Remedies: an open inquiry in the remedies stage (CMA remedies, a consent decree under Tunney
  Act review), from its latest decision.
- Pre-notification: an open inquiry in that stage, from its opening date; no clock.
- An open inquiry whose stage names a phase no event starts has that phase with its start not
  known: no deadline is computed for it (a published one still counts). A decided review no
  phase can be placed for has one phase, start not known: Phase 2 for a prohibition (only an
  in-depth phase ends in one), else Phase 1.

Where a phase ends: its first decision or abandonment before the next phase starts, else the
next phase's start (the gap between a CMA Phase 1 decision and the reference belongs to neither
phase); the last phase ends at the inquiry's closing date (with its precision and outcome), or
at the deal's completion when the review ended before it (below), and runs while the inquiry is
open.

Deadlines: a deadline published with an event of the phase (the latest), or the inquiry's
published deadline when it falls in the phase, wins over the computed one (the rule of
deals/clocks.py); litigation and pre-notification have none.

Ended before completion: under a suspensory regime (`RegulatorClock.suspensory_since` in
deals/clocks.py: the EC, US HSR, and from 1 January 2026 the Australian regime) a
deal cannot complete while its review is open; a review our data still shows open at a
completion dated after its start ended before it, outcome not published in our data. It is no
longer open, and no longer makes the deal "under review".
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, fields

from . import clocks

# Stages of a review a completion cannot happen in under a suspensory regime.
SUSPENDING_STAGES = {"prenotification", "phase_1", "phase_2"}
PHASE_STAGES = ("prenotification", "phase_1", "phase_2", "remedies", "litigation")
NO_CLOCK = {"prenotification", "litigation", "remedies"}
LABELS = {
    "prenotification": "Pre-notification",
    "phase_1": "Phase 1",
    "phase_2": "Phase 2",
    "remedies": "Remedies",
    "litigation": "Litigation",
}
ENDING_EVENTS = ("decision", "abandoned")


@dataclass(frozen=True)
class EventFact:
    kind: str
    on: datetime.date
    precision: str = "day"
    deadline_on: datetime.date | None = None
    source_url: str = ""


@dataclass(frozen=True)
class PhaseFacts:
    """What the phases of one inquiry are derived from."""

    regulator: str  # slug
    kind: str  # InquiryKind value
    stage: str
    outcome: str = ""
    superseded: bool = False
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    closed_precision: str = "day"
    published_deadline: datetime.date | None = None
    source_url: str = ""
    events: tuple[EventFact, ...] = ()  # in date order
    stops: tuple[tuple[datetime.date, datetime.date | None], ...] = ()
    extended_by: int = 0
    cash_tender_offer: bool = False
    deal_completed_on: datetime.date | None = None
    # The source shows a decision only an in-depth phase gives (EC Art. 8) but no event dates
    # that phase's start: Phase 2 is there, start not known.
    phase_2_start_unknown: bool = False

    @property
    def is_open(self) -> bool:
        return (
            not self.outcome
            and not self.superseded
            and self.stage
            not in (
                "closed",
                "not_published",
            )
        )

    def clock_facts(self) -> clocks.ClockFacts:
        return clocks.ClockFacts(
            regulator=self.regulator,
            opened_on=self.opened_on,
            closed_on=self.closed_on,
            events=tuple((event.kind, event.on) for event in self.events),
            stops=self.stops,
            extended_by=self.extended_by,
            cash_tender_offer=self.cash_tender_offer,
        )


@dataclass
class DerivedPhase:
    kind: str
    label: str
    started_on: datetime.date | None
    started_precision: str = "day"
    deadline_on: datetime.date | None = None
    deadline_source: str = ""  # "published", "computed" or ""
    deadline_source_url: str = ""
    computed_deadline_on: datetime.date | None = None
    stopped_since: datetime.date | None = None
    ended_on: datetime.date | None = None
    ended_precision: str = "day"
    ended_how: str = ""  # PhaseEnd value; "" while it runs
    outcome: str = ""
    statutory_length: str = ""

    @property
    def is_running(self) -> bool:
        return not self.ended_how

    def as_row(self) -> dict:
        """The values of a stored `Phase` row (deals/models.py), by field name."""
        return asdict(self)


# The stored phase's fields, as named in the model, the CSV and the API.
PHASE_FIELDS = [item.name for item in fields(DerivedPhase)]


@dataclass
class Derived:
    phases: list[DerivedPhase]
    next_deadline_on: datetime.date | None = None
    next_deadline_source: str = ""
    next_deadline_phase: str = ""
    ended_before_completion: bool = False


def ended_before_completion(facts: PhaseFacts, start: datetime.date | None) -> bool:
    """The review is shown open, yet the deal completed after it began under a suspensory
    regime: it ended before the completion."""
    clock = clocks.RULES.get(facts.regulator)
    since = clock.suspensory_since if clock else None
    completed = facts.deal_completed_on
    if since is None or completed is None or completed < since:
        return False
    if not facts.is_open or facts.stage not in SUSPENDING_STAGES:
        return False
    begun = start or facts.opened_on
    return begun is not None and begun <= completed


def _first(events, kinds, *, on_or_after=None, before=None) -> EventFact | None:
    for event in events:
        if event.kind not in kinds:
            continue
        if on_or_after and event.on < on_or_after:
            continue
        if before and event.on >= before:
            continue
        return event
    return None


def _starts(facts: PhaseFacts) -> dict[str, datetime.date | None]:
    """Each phase the review reached, and its start (None: not known)."""
    clock = clocks.RULES.get(facts.regulator)
    events = facts.events
    starts: dict[str, datetime.date | None] = {}
    phase_1_kinds = clock.rule("phase_1").starts_with if clock else ("notified", "phase_1_opened")
    phase_1 = _first(events, phase_1_kinds)
    phase_2 = _first(events, ("phase_2_opened",), on_or_after=phase_1.on if phase_1 else None)
    start_1 = phase_1.on if phase_1 else None
    invited = _first(events, ("comment_invited",))
    opened_by_decision = any(
        event.kind == "decision" and event.on == facts.opened_on for event in events
    )
    opening_usable = (
        facts.opened_on
        and (clock is None or clock.opening_date_starts_phase_1)
        and not (phase_2 and facts.opened_on >= phase_2.on)
        and not (invited and invited.on <= facts.opened_on)
        and not opened_by_decision  # a referral accepted, not a notification
        and facts.stage != "prenotification"
    )
    if start_1 is None and opening_usable:
        start_1 = facts.opened_on
    if start_1:
        starts["phase_1"] = start_1
    if phase_2:
        starts["phase_2"] = phase_2.on
    elif facts.phase_2_start_unknown:
        starts["phase_2"] = None
    lawsuit = _first(events, ("lawsuit",))
    if lawsuit:
        starts["litigation"] = lawsuit.on
    if facts.is_open and facts.stage == "remedies":
        decisions = [event.on for event in events if event.kind == "decision"]
        starts["remedies"] = max(decisions) if decisions else None
    if facts.is_open and facts.stage == "prenotification":
        starts["prenotification"] = facts.opened_on
    if facts.is_open and facts.stage in PHASE_STAGES and facts.stage not in starts:
        starts[facts.stage] = None
    if not starts and not facts.is_open and facts.outcome:
        # A decided review we cannot place in a phase: one phase, start not known, so that the
        # decision still has a phase to end (and /stats/ counts it as not dated).
        decision = _first(events, ENDING_EVENTS)
        if decision or facts.closed_on:
            # A prohibition comes only after an in-depth phase (EC Art. 8(3), CMA Phase 2).
            starts["phase_2" if facts.outcome == "prohibited" else "phase_1"] = None
    return starts


def _ordered(starts: dict[str, datetime.date | None]) -> list[str]:
    rank = {kind: index for index, kind in enumerate(PHASE_STAGES)}
    return sorted(starts, key=lambda kind: (starts[kind] or datetime.date.max, rank[kind]))


def derive(facts: PhaseFacts) -> Derived:
    """The inquiry's phases, next deadline and whether it ended before completion."""
    if facts.kind != "merger_review":
        return _without_phases(facts)
    starts = _starts(facts)
    order = _ordered(starts)
    clock = clocks.RULES.get(facts.regulator)
    first_start = next((starts[kind] for kind in order if starts[kind]), None)
    early = ended_before_completion(facts, first_start)
    phases: list[DerivedPhase] = []
    for index, kind in enumerate(order):
        start = starts[kind]
        following = starts[order[index + 1]] if index + 1 < len(order) else None
        last = index + 1 == len(order)
        phase = DerivedPhase(kind, _label(clock, kind), start)
        if any(e.on == start and e.precision == "month" for e in facts.events):
            phase.started_precision = "month"
        _end(phase, facts, following=following, last=last, early=early)
        _deadline(phase, facts, clock, following=following, last=last)
        phases.append(phase)
    derived = Derived(phases, ended_before_completion=early)
    running = phases[-1] if phases and phases[-1].is_running else None
    if running and running.deadline_on:
        derived.next_deadline_on = running.deadline_on
        derived.next_deadline_source = running.deadline_source
        derived.next_deadline_phase = running.label
    elif not phases and facts.is_open and facts.published_deadline and not early:
        derived.next_deadline_on = facts.published_deadline
        derived.next_deadline_source = "published"
    return derived


def _without_phases(facts: PhaseFacts) -> Derived:
    """Informal looks, market studies, referrals and conduct cases: no phases, no clock; a
    deadline the regulator published still shows while the inquiry is open."""
    derived = Derived([])
    if facts.is_open and facts.published_deadline:
        derived.next_deadline_on = facts.published_deadline
        derived.next_deadline_source = "published"
    return derived


def _label(clock: clocks.RegulatorClock | None, kind: str) -> str:
    rule = clock.rule(kind) if clock else None
    return rule.label if rule else LABELS[kind]


def _end(phase: DerivedPhase, facts: PhaseFacts, *, following, last: bool, early: bool) -> None:
    start = phase.started_on
    if not last:
        phase.ended_how = "next_phase"
        if following is None:  # the next phase's start is not known, nor this one's end
            return
        ending = _first(facts.events, ENDING_EVENTS, on_or_after=start, before=following)
        if ending:
            phase.ended_on, phase.ended_precision = ending.on, ending.precision
        else:
            phase.ended_on = following
        return
    if early:
        phase.ended_on, phase.ended_how = facts.deal_completed_on, "before_completion"
        return
    if facts.is_open:
        return
    ending = _first(facts.events, ENDING_EVENTS, on_or_after=start)
    if facts.closed_on:
        phase.ended_on, phase.ended_precision = facts.closed_on, facts.closed_precision
    elif ending:
        phase.ended_on, phase.ended_precision = ending.on, ending.precision
    if facts.outcome == "abandoned":
        phase.ended_how = "abandoned"
    elif facts.outcome:
        phase.ended_how = "decision"
    elif facts.superseded:
        phase.ended_how = "superseded"
    else:
        phase.ended_how = "closed"
    phase.outcome = facts.outcome


def _deadline(phase: DerivedPhase, facts: PhaseFacts, clock, *, following, last: bool) -> None:
    if phase.kind in NO_CLOCK:
        return
    start = phase.started_on
    in_phase = [
        event
        for event in facts.events
        if event.deadline_on
        and (start is None or event.on >= start)
        and (following is None or event.on < following)
    ]
    if in_phase:
        event = in_phase[-1]
        phase.deadline_on, phase.deadline_source = event.deadline_on, "published"
        phase.deadline_source_url = event.source_url
    published = facts.published_deadline
    if published and _falls_in(published, start, following):
        phase.deadline_on, phase.deadline_source = published, "published"
        phase.deadline_source_url = facts.source_url
    rule = clock.rule(phase.kind) if clock else None
    if rule is None or start is None or phase.started_precision == "month":
        return  # no rule, or no day to count from
    computed = clocks.phase_clock(
        rule,
        clock.calendar,
        facts.clock_facts(),
        start=start,
        ended=phase.ended_on,
        extended=facts.extended_by if last else 0,
    )
    phase.statutory_length = computed.describe()
    phase.computed_deadline_on = computed.deadline_on
    if not phase.deadline_source:
        phase.stopped_since = computed.stopped_since
        if computed.deadline_on:
            phase.deadline_on, phase.deadline_source = computed.deadline_on, "computed"


def _falls_in(day: datetime.date, start, following) -> bool:
    """An inquiry's published deadline belongs to the last phase that began on or before it."""
    if start is not None and day < start:
        return False
    return following is None or day < following
