"""Derived fields and their refresh: what is computed from a deal's inquiries and events and
stored so that it can be filtered, sorted and searched (a deal's antitrust status, last activity,
first-known date and per-regulator states with the StatusChange rows recording each change; an
inquiry's last activity; the search documents of deals and inquiries).

How each value is computed is on the models, from the mixins DealDerived and InquiryDerived
below (`deal.compute_antitrust_status()`, `inquiry.is_open`, `inquiry.deadline`). The refresh
functions write them: the receivers in deals/signals.py call these after each save or delete,
and code that writes in bulk (bulk_create, update()) calls them itself. They bump nothing
except the bulk writes here (fill_timeline_deal, inquiries_companies_add,
deals_refresh_statuses), each after its writes: otherwise the receiver bumps the content
version after the refresh (deals/cache.py). deals/models.py imports this module for
its mixins, so the functions here reach the models through the app registry (`_model`).

ContextVars stay here where Django calls save(), the signal receivers or a template's
properties with no argument of ours to carry a batch through:
- `_PENDING`: inside `derived_fields_deferred` (an ingest run), saves ask for refreshes that run
  once when the block ends, instead of on each save.
- `_RECORDING`: `status_changes_unrecorded` (the demo loader) derives statuses without recording
  each step as a change made today.
- `_REVISING`: `revisions_together` revises each deal and inquiry once for a batch.
- `_TODAY`: `one_day` reads today's date once for a block of rows (a CSV's chunk), where each
  row's flags would read it again (`local_today()`).
Below the entry points the context is passed explicitly (`record_changes=`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from . import clocks, row_writes
from . import phases as phase_rule
from . import search as search_rule
from . import status as status_rule
from .cache import content_changed, content_changes_deferred
from .history import history_insert
from .vocabulary import ChangeCause, DealLife, InquiryKind, Stage, dormant_after

if TYPE_CHECKING:
    from .models import Company, Deal, Event, Inquiry

SEARCH_CHUNK = 1000


def _model(name: str) -> type[models.Model]:
    """A deals model, read from the app registry (see the module's docstring)."""
    return apps.get_model("deals", name)


# --- How the values are computed (mixed into Deal and Inquiry) -----------------------------


class DealDerived:
    """What is computed from a deal's dates, inquiries and events: its life, its antitrust
    status by the rule of deals/status.py, its latest activity, each regulator's state."""

    @property
    def life(self) -> str:
        """announced -> completed | abandoned | unwound, from the dates an editor entered."""
        if self.unwound_on:
            return DealLife.UNWOUND
        if self.abandoned_on:
            return DealLife.ABANDONED
        if self.completed_on:
            return DealLife.COMPLETED
        return DealLife.ANNOUNCED

    def get_life_display(self) -> str:
        return DealLife(self.life).label

    @property
    def life_on(self) -> datetime.date | None:
        return {
            DealLife.UNWOUND: self.unwound_on,
            DealLife.ABANDONED: self.abandoned_on,
            DealLife.COMPLETED: self.completed_on,
        }.get(self.life)

    def status_facts(self) -> status_rule.DealFacts:
        return status_rule.DealFacts(
            completed_on=self.completed_on,
            abandoned_on=self.abandoned_on,
            unwound_on=self.unwound_on,
        )

    def compute_antitrust_status(self, today: datetime.date | None = None) -> str:
        """The rule of docs/statuses.md, applied to this deal's inquiries as stored now."""
        inquiries = self.inquiries.all()
        return status_rule.overall_status(
            self.status_facts(),
            [inquiry.status_facts() for inquiry in inquiries],
            today=today or local_today(),
            dormant_after=dormant_after(),
        )

    def next_deadline(self, today: datetime.date | None = None) -> datetime.date | None:
        """The soonest upcoming statutory deadline of an open inquiry, as `with_next_deadline`
        annotates it; reads `self.inquiries.all()` (prefetched by `with_list_data`)."""
        today = today or local_today()
        upcoming = [
            inquiry.next_deadline_on
            for inquiry in self.inquiries.all()
            if inquiry.is_open and inquiry.next_deadline_on and inquiry.next_deadline_on >= today
        ]
        return min(upcoming, default=None)

    def _event_dates(self) -> dict:
        return (
            _model("Event")
            .objects.filter(timeline_deal=self)
            .aggregate(latest=Max("occurred_on"), first=Min("occurred_on"))
        )

    def jurisdiction_states(self) -> dict[str, str]:
        """Each regulator's state as a code (an outcome, else a stage), keyed by regulator id."""
        states = {}
        for line in self.jurisdiction_lines():
            lead = line.lead
            states[str(line.regulator.pk)] = lead.outcome or lead.stage
        return states


_TODAY: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("today", default=None)


def local_today() -> datetime.date:
    """Today's local date: the one `one_day` read for the block it runs in, else read now."""
    return _TODAY.get() or timezone.localdate()


@contextlib.contextmanager
def one_day() -> Iterator[None]:
    """Today's date read once for the block: a chunk of 500 CSV rows asked for it twice a row
    (an inquiry's `deadline_passed` and `is_dormant`), a tenth of the rows' wording. Hold it
    around work that does not yield to the caller, so that it never outlives the block."""
    token = _TODAY.set(timezone.localdate())
    try:
        yield
    finally:
        _TODAY.reset(token)


class InquiryDerived:
    """What is computed from an inquiry's own fields, events and clock stops: whether it is
    open or dormant, what the status rule and the statutory clocks are given, its deadline."""

    @property
    def is_conduct(self) -> bool:
        return self.kind == InquiryKind.CONDUCT

    @property
    def is_notification(self) -> bool:
        """A gatekeeper's DMA Art. 14 notice: shown beside the deal, never a review."""
        return self.kind == InquiryKind.NOTIFICATION

    @property
    def is_context(self) -> bool:
        """Informal looks and market studies: shown beside a deal, not counted as a review."""
        return self.kind in status_rule.CONTEXT_KINDS

    @property
    def is_open(self) -> bool:
        # Only what openness depends on: no query, whatever the outcome (lists call this).
        return status_rule.inquiry_is_open(
            stage=self.stage,
            outcome=self.outcome,
            superseded=bool(self.superseded_by_id),
            ended_early=self.ended_before_completion,
        )

    @property
    def state_not_published(self) -> bool:
        return self.stage == Stage.NOT_PUBLISHED

    @property
    def is_dormant(self) -> bool:
        if not self.is_context:  # only informal looks and market studies turn dormant
            return False
        return status_rule.is_dormant(
            self.status_facts(), today=local_today(), dormant_after=dormant_after()
        )

    @property
    def decision_lost_force(self) -> bool:
        return self.decision_status in status_rule.LOST_FORCE

    @property
    def deadline_passed(self) -> bool:
        """An open review whose deadline (published or computed) is past with no decision
        recorded since: stale, flagged on every surface."""
        due = self.next_deadline_on
        return bool(self.is_open and due and due < local_today())

    def phase_facts(self) -> phase_rule.PhaseFacts:
        """What the phases are derived from; reads `events`, `clock_stops` and the deal
        (prefetch them)."""
        return phase_rule.PhaseFacts(
            regulator=self.regulator.slug if self.regulator_id else "",
            kind=self.kind,
            stage=self.stage,
            outcome=self.outcome,
            superseded=bool(self.superseded_by_id),
            opened_on=self.opened_on,
            closed_on=self.closed_on,
            closed_precision=self.closed_on_precision,
            published_deadline=self.deadline_on,
            source_url=self.source_url,
            events=tuple(
                phase_rule.EventFact(
                    event.kind,
                    event.occurred_on,
                    event.precision,
                    event.deadline_on,
                    event.source_url,
                )
                for event in self.events.all()
            ),
            stops=tuple((stop.stopped_on, stop.restarted_on) for stop in self.clock_stops.all()),
            extended_by=self.extended_by or 0,
            cash_tender_offer=self.cash_tender_offer,
            deal_completed_on=self.deal.completed_on if self.deal_id else None,
            phase_2_start_unknown=self.phase_2_start_unknown,
        )

    @cached_property
    def deadline(self) -> clocks.Deadline | None:
        """The deadline every surface shows: the stored next deadline (deals/phases.py), with
        whether it was published or computed and the phase it ends; no query."""
        if not self.next_deadline_on:
            return None
        clock = clocks.RULES.get(self.regulator.slug) if self.regulator_id else None
        return clocks.Deadline(
            self.next_deadline_on,
            self.next_deadline_source or "published",
            self.next_deadline_phase,
            clock.calendar if clock else None,
        )

    def status_facts(self, *, with_reached: bool = False) -> status_rule.InquiryFacts:
        """What the status rule needs; `with_reached` reads the events (prefetch them)."""
        return status_rule.InquiryFacts(
            kind=self.kind,
            stage=self.stage,
            outcome=self.outcome,
            decision_status=self.decision_status,
            superseded=bool(self.superseded_by_id),
            last_activity_on=self.last_activity_on or self.opened_on,
            closed_on=self.closed_on,
            regulator=self.regulator.short_name if self.regulator_id else "",
            reached=self.reached() if with_reached else "",
            ended_before_completion=self.ended_before_completion,
        )

    def last_activity_given(self, latest_event_on: datetime.date | None) -> datetime.date | None:
        """The last known activity, given the date of the inquiry's newest event."""
        dates = [day for day in (latest_event_on, self.opened_on) if day]
        return max(dates) if dates else None


# --- Refreshing deals ---------------------------------------------------------------------


def deal_refresh_derived_fields(
    deal: Deal,
    *,
    inquiry: Inquiry | None = None,
    event: Event | None = None,
    record_changes: bool = True,
) -> None:
    """Recompute the deal's stored status and latest activity from its inquiries and events,
    and (with `record_changes`) record each change of the overall status or of a regulator's
    line as a StatusChange, caused by `inquiry` or `event` when the caller knows."""
    previous_status, previous_states = deal.antitrust_status, deal.stored_states
    deal.antitrust_status = deal.compute_antitrust_status()
    dates = deal._event_dates()
    deal.last_activity_on = dates["latest"]
    deal.first_known_on = deal.announced_on or dates["first"]
    deal.stored_states = deal.jurisdiction_states()
    # A plain UPDATE: derived values are not an editor's change and need no history row.
    deal.revision = new_revision()
    type(deal).objects.filter(pk=deal.pk).update(
        antitrust_status=deal.antitrust_status,
        last_activity_on=deal.last_activity_on,
        first_known_on=deal.first_known_on,
        stored_states=deal.stored_states,
        revision=deal.revision,
    )
    if not record_changes:
        return
    changes = [(None, previous_status, deal.antitrust_status)]
    if previous_states is not None:
        changes += [
            (int(key), previous_states.get(key, ""), deal.stored_states.get(key, ""))
            for key in sorted({*previous_states, *deal.stored_states}, key=int)
        ]
    changes = [change for change in changes if change[1] != change[2]]
    if not changes:
        return
    changed_by = editor_making_this_request()
    cause = change_cause_code(
        deal,
        previous_states,
        inquiry=inquiry,
        event=event,
        by_editor=changed_by is not None,
    )
    StatusChange = _model("StatusChange")
    StatusChange.objects.bulk_create(
        StatusChange(
            deal=deal,
            regulator_id=regulator_id,
            old_value=old,
            new_value=new,
            inquiry=inquiry,
            event=event,
            changed_by=changed_by,
            cause=cause,
        )
        for regulator_id, old, new in changes
    )


def change_cause_code(
    deal: Deal,
    previous_states: dict[str, str] | None,
    *,
    inquiry: Inquiry | None,
    event: Event | None,
    by_editor: bool,
) -> str:
    """What caused the changes of one refresh (a ChangeCause; deals/wording.py words it).

    A new inquiry: one this refresh brings to the deal (created or moved to it), or the first
    of its regulator on the deal. Then a new event. An editor's correction only when an editor
    changed a recorded value without a new event. Else the inquiry's (or the deal's) update."""
    if inquiry is not None and _is_new_on(deal, inquiry, previous_states):
        return ChangeCause.NEW_INQUIRY
    if event is not None:
        return ChangeCause.EVENT
    if by_editor:
        return ChangeCause.CORRECTION
    return ChangeCause.UPDATE


def _is_new_on(deal: Deal, inquiry: Inquiry, previous_states: dict[str, str] | None) -> bool:
    # deal_id_before_save: noted by the pre_save receiver (deals/signals.py) at each save.
    if hasattr(inquiry, "deal_id_before_save") and inquiry.deal_id_before_save != deal.pk:
        return inquiry.deal_id == deal.pk
    key = str(inquiry.regulator_id)
    return (
        previous_states is not None
        and key not in previous_states
        and key in (deal.stored_states or {})
    )


def editor_making_this_request():
    """The signed-in user whose request is saving, if any (an editor's correction in the admin):
    django-simple-history's middleware keeps the request for its own history rows."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- Revisions: what cached fragments are keyed by ----------------------------------------

# How many levels of subsidiaries a company's page lists the deals of (Company.group_member_ids).
GROUP_DEPTH = 5


def new_revision() -> int:
    """A value no revision had before: nanoseconds since the epoch. Not a counter, so that a
    save of an instance read earlier (an editor's form) cannot bring an old value back with
    other content: each write that calls `revise` after it stores a new one."""
    return time.time_ns()


def revise(*, deal_ids=(), inquiry_ids=(), company_ids=()) -> None:
    """Give these deals and inquiries a new revision: their cached rows, charts and timelines
    (keyed by it: deals/cache.py cached_each) are rendered again, and no other object's are;
    and the companies whose pages list them, and `company_ids` (revise_companies).

    The refreshes below call it for what they refresh (a deal's status, an inquiry's phases,
    the search documents, which every change to a deal's companies, parties or regulators
    asks for); a write that changes what a row shows without them calls it itself."""
    collected = _REVISING.get()
    if collected is not None:
        collected[0].update(deal_ids)
        collected[1].update(inquiry_ids)
        collected[2].update(company_ids)
        return
    deal_ids = sorted({pk for pk in deal_ids if pk})
    inquiry_ids = sorted({pk for pk in inquiry_ids if pk})
    if row_writes.collecting():  # written with the rest of each row (deals/row_writes.py)
        revision = new_revision()
        row_writes.rows_write(_model("Deal"), {pk: {"revision": revision} for pk in deal_ids})
        if inquiry_ids:
            revised = _revised_inquiries(inquiry_ids).values_list("pk", flat=True)
            row_writes.rows_write(_model("Inquiry"), {pk: {"revision": revision} for pk in revised})
    else:
        if deal_ids:
            _model("Deal").objects.filter(pk__in=deal_ids).update(revision=new_revision())
        if inquiry_ids:
            _revised_inquiries(inquiry_ids).update(revision=new_revision())
    revise_companies(company_ids, deal_ids=deal_ids, inquiry_ids=inquiry_ids)


def _revised_inquiries(inquiry_ids) -> models.QuerySet:
    """These inquiries and those they superseded: an inquiry's row names the inquiry that
    superseded it, if one did."""
    return _model("Inquiry").objects.filter(
        models.Q(pk__in=inquiry_ids) | models.Q(superseded_by__in=inquiry_ids)
    )


def revise_companies(company_ids=(), *, deal_ids=(), inquiry_ids=()) -> None:
    """Give these companies, the companies party to these deals or concerned by these
    inquiries, and the groups above them all, a new revision: a company's page is kept under it
    (views.company_revision), and lists its group's deals and inquiries too."""
    ids = {pk for pk in company_ids if pk}
    pending = deferred_refresh()
    if pending is not None and not deal_ids and not inquiry_ids:
        # Once when the block ends, for all: ingest revised a company for each alternative
        # name it gave one, an UPDATE each.
        pending.companies.update(ids)
        return
    parties = _model("Party").objects
    if deal_ids:
        ids.update(parties.filter(deal__in=deal_ids).values_list("company_id", flat=True))
    if inquiry_ids:
        inquiries = _revised_inquiries(inquiry_ids)
        ids.update(
            parties.filter(deal__in=inquiries.values("deal_id")).values_list(
                "company_id", flat=True
            )
        )
        ids.update(
            _model("Inquiry")
            .companies.through.objects.filter(inquiry__in=inquiries.values("pk"))
            .values_list("company_id", flat=True)
        )
    level = set(ids)
    for _ in range(GROUP_DEPTH):
        level = {
            pk
            for pk in _model("Company")
            .objects.filter(pk__in=level, parent__isnull=False)
            .values_list("parent_id", flat=True)
            if pk not in ids
        }
        if not level:
            break
        ids |= level
    if ids:
        _model("Company").objects.filter(pk__in=ids).update(revision=new_revision())


_REVISING: contextvars.ContextVar[tuple[set, set, set] | None] = contextvars.ContextVar(
    "revising", default=None
)


@contextlib.contextmanager
def revisions_together() -> Iterator[None]:
    """`revise` once, when the block ends, for everything revised in it: a batch's refreshes
    revise an inquiry for its phases and again for its search document, one UPDATE does."""
    if _REVISING.get() is not None:  # an outer block revises
        yield
        return
    collected: tuple[set, set, set] = (set(), set(), set())
    token = _REVISING.set(collected)
    try:
        yield
    finally:
        _REVISING.reset(token)
    revise(deal_ids=collected[0], inquiry_ids=collected[1], company_ids=collected[2])


def deals_of_inquiries(*inquiry_ids: int | None) -> list[int]:
    ids = [pk for pk in inquiry_ids if pk]
    if not ids:
        return []
    return list(_model("Inquiry").objects.filter(pk__in=ids).values_list("deal_id", flat=True))


def refresh_deals(
    *deal_ids: int | None,
    inquiry: Inquiry | None = None,
    event: Event | None = None,
    now: bool = False,
) -> None:
    """Refresh the derived fields of these deals, at once or (inside `derived_fields_deferred`,
    unless `now`) when the block ends."""
    ids = {pk for pk in deal_ids if pk}
    pending = deferred_refresh()
    if pending is not None and not now:
        pending.ask_deals(ids, inquiry=inquiry, event=event)
        return
    record_changes = _RECORDING.get()
    Deal, Inquiry = _model("Deal"), _model("Inquiry")
    deals = Deal.objects.filter(pk__in=ids).prefetch_related(
        models.Prefetch("inquiries", queryset=Inquiry.objects.select_related("regulator"))
    )
    for deal in deals:
        deal_refresh_derived_fields(
            deal, inquiry=inquiry, event=event, record_changes=record_changes
        )
    revise_companies(deal_ids=ids)  # each deal's revision is new: its companies' pages too


def deals_refresh_statuses(deals: models.QuerySet[Deal]) -> int:
    """Recompute the stored status of these deals (dormancy moves it as days pass), then bump
    the content version; returns how many changed."""
    changed = []
    for deal in deals.prefetch_related("inquiries__regulator"):
        status = deal.compute_antitrust_status()
        if status != deal.antitrust_status:
            type(deal).objects.filter(pk=deal.pk).update(
                antitrust_status=status, revision=new_revision()
            )
            changed.append(deal.pk)
    if changed:
        revise_companies(deal_ids=changed)
        content_changed()
    return len(changed)


# --- Inquiries and events -----------------------------------------------------------------


INQUIRY_DERIVED_FIELDS = [
    "last_activity_on",
    "next_deadline_on",
    "next_deadline_source",
    "next_deadline_phase",
    "ended_before_completion",
]


def refresh_inquiries(*inquiry_ids: int | None) -> None:
    """Store each inquiry's last known activity, its phases and what follows from them (next
    deadline, ended before completion: deals/phases.py), with plain writes (no history row);
    inside `derived_fields_deferred`, when the block ends."""
    ids = sorted({pk for pk in inquiry_ids if pk})
    pending = deferred_refresh()
    if pending is not None:
        pending.inquiries.update(ids)
        return
    Inquiry, Phase, Event = _model("Inquiry"), _model("Phase"), _model("Event")
    for start in range(0, len(ids), SEARCH_CHUNK):
        revise(inquiry_ids=ids[start : start + SEARCH_CHUNK])
        rows = (
            Inquiry.objects.filter(pk__in=ids[start : start + SEARCH_CHUNK])
            .select_related("regulator", "deal")
            .prefetch_related(
                models.Prefetch("events", queryset=Event.objects.order_by("occurred_on", "pk")),
                "clock_stops",
                "phases",
            )
        )
        changed, stale_phases, new_phases = [], [], []
        for inquiry in rows:
            events = inquiry.events.all()
            latest = max((event.occurred_on for event in events), default=None)
            derived = phase_rule.derive(inquiry.phase_facts())
            values = {
                "last_activity_on": inquiry.last_activity_given(latest),
                "next_deadline_on": derived.next_deadline_on,
                "next_deadline_source": derived.next_deadline_source,
                "next_deadline_phase": derived.next_deadline_phase,
                "ended_before_completion": derived.ended_before_completion,
            }
            if any(getattr(inquiry, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(inquiry, name, value)
                changed.append(inquiry)
            stored = [
                {name: getattr(phase, name) for name in phase_rule.PHASE_FIELDS}
                for phase in inquiry.phases.all()
            ]
            wanted = [phase.as_row() for phase in derived.phases]
            if stored != wanted:
                if stored:
                    stale_phases.append(inquiry.pk)
                new_phases += [
                    Phase(inquiry=inquiry, position=position, **row)
                    for position, row in enumerate(wanted)
                ]
        row_writes.rows_write(
            Inquiry,
            {
                row.pk: {name: getattr(row, name) for name in INQUIRY_DERIVED_FIELDS}
                for row in changed
            },
        )
        if stale_phases:
            Phase.objects.filter(inquiry__in=stale_phases).delete()
        if new_phases:
            Phase.objects.bulk_create(new_phases, batch_size=500)


def fill_timeline_deal(events: models.QuerySet[Event]) -> int:
    """Set Event.timeline_deal on `events` in one UPDATE, then bump the content version: for
    writes that bypass Event.save() (bulk_create, a migration, an inquiry moved to another
    deal)."""
    inquiry_deal = _model("Inquiry").objects.filter(pk=OuterRef("inquiry_id")).values("deal_id")
    updated = events.update(timeline_deal=Coalesce(F("deal_id"), Subquery(inquiry_deal)))
    content_changed()
    return updated


def inquiries_companies_add(links: list[tuple[Inquiry, list[Company]]]) -> None:
    """What `inquiry.companies.add(*companies)` does for each of these inquiries, none of which
    has companies yet (ingest made them), in three inserts for all: the links, a history row
    each ("~", as the m2m_changed signal writes) with its links, and what the signals ask for
    (search documents, then the content version)."""
    links = [
        (inquiry, list(dict.fromkeys(c.pk for c in companies))) for inquiry, companies in links
    ]
    links = [(inquiry, ids) for inquiry, ids in links if ids]
    if not links:
        return
    Inquiry = _model("Inquiry")
    through = Inquiry.companies.through
    rows = row_writes.rows_insert(
        through,
        [through(inquiry_id=inquiry.pk, company_id=pk) for inquiry, ids in links for pk in ids],
    )
    history_ids = history_insert(
        Inquiry,
        [inquiry for inquiry, _ in links],
        update=True,
        default_change_reason=None,
        ids=True,
    )
    rows_of: dict[int, list] = {}
    for row in rows:
        rows_of.setdefault(row.inquiry_id, []).append(row)
    m2m_history = apps.get_model("deals", "HistoricalInquiry_companies")
    row_writes.values_insert(
        m2m_history,
        [
            {
                "history_id": history_id,
                "id": row.id,
                "inquiry_id": row.inquiry_id,
                "company_id": row.company_id,
            }
            for (inquiry, _), history_id in zip(links, history_ids, strict=True)
            for row in rows_of[inquiry.pk]
        ],
        ids=False,
    )
    refresh_search(inquiry_ids=[inquiry.pk for inquiry, _ in links])
    content_changed()


# --- Search documents ---------------------------------------------------------------------


def refresh_search(*, deal_ids=(), inquiry_ids=()) -> None:
    """Rebuild the search documents of these deals and inquiries, and of the inquiries of these
    deals (an inquiry's document holds its deal's title and parties).

    Saves, deletes and signals call this; whatever writes in bulk (bulk_create, update())
    calls it too, or runs `manage.py refresh_search`."""
    deal_ids = sorted({pk for pk in deal_ids if pk})
    inquiry_ids = {pk for pk in inquiry_ids if pk}
    pending = deferred_refresh()
    if pending is not None:
        pending.search_deals.update(deal_ids)
        pending.search_inquiries.update(inquiry_ids)
        return
    Deal, Inquiry = _model("Deal"), _model("Inquiry")
    for start in range(0, len(deal_ids), SEARCH_CHUNK):
        chunk = deal_ids[start : start + SEARCH_CHUNK]
        inquiry_ids |= set(Inquiry.objects.filter(deal__in=chunk).values_list("pk", flat=True))
        search_rule.store_documents(Deal, search_rule.deal_documents(apps, chunk))
        revise(deal_ids=chunk)
    inquiry_ids = sorted(inquiry_ids)
    for start in range(0, len(inquiry_ids), SEARCH_CHUNK):
        chunk = inquiry_ids[start : start + SEARCH_CHUNK]
        search_rule.store_documents(Inquiry, search_rule.inquiry_documents(apps, chunk))
        revise(inquiry_ids=chunk)


def refresh_search_for_companies(company_ids) -> None:
    """A company's name, ticker or alternative names changed: its deals and inquiries too
    (inside `derived_fields_deferred`, found when the block ends, once for all its companies:
    ingest gives a company alternative names one by one, two queries each)."""
    pending = deferred_refresh()
    if pending is not None:
        pending.search_companies.update(pk for pk in company_ids if pk)
        return
    refresh_search(**_search_of_companies(company_ids))


def _search_of_companies(company_ids) -> dict[str, list[int]]:
    """The deals and inquiries whose search documents name these companies."""
    deal_ids = (
        _model("Party").objects.filter(company__in=company_ids).values_list("deal_id", flat=True)
    )
    inquiry_ids = (
        _model("Inquiry")
        .companies.through.objects.filter(company__in=company_ids)
        .values_list("inquiry_id", flat=True)
    )
    return {"deal_ids": list(deal_ids), "inquiry_ids": list(inquiry_ids)}


# --- Batches: deferring the refresh, not recording changes ---------------------------------


@dataclass
class PendingRefresh:
    """What the saves inside one `derived_fields_deferred` block asked to refresh."""

    # deal id -> (the last inquiry, the last event saved for it): the cause of a status change
    # (change_cause_code: a new inquiry, else the event, else the inquiry's update).
    deals: dict[int, tuple[Inquiry | None, Event | None]] = field(default_factory=dict)
    inquiries: set[int] = field(default_factory=set)
    search_deals: set[int] = field(default_factory=set)
    search_inquiries: set[int] = field(default_factory=set)
    # Companies to revise (revise_companies), not for a deal or inquiry of theirs.
    companies: set[int] = field(default_factory=set)
    # Companies whose deals' and inquiries' search documents to rebuild.
    search_companies: set[int] = field(default_factory=set)

    def ask_deals(self, ids, *, inquiry: Inquiry | None, event: Event | None) -> None:
        for pk in ids:
            last_inquiry, last_event = self.deals.get(pk, (None, None))
            self.deals[pk] = (inquiry or last_inquiry, event or last_event)

    def join(self, other: PendingRefresh) -> None:
        for pk, (inquiry, event) in other.deals.items():
            self.ask_deals([pk], inquiry=inquiry, event=event)
        self.inquiries |= other.inquiries
        self.search_deals |= other.search_deals
        self.search_inquiries |= other.search_inquiries
        self.companies |= other.companies
        self.search_companies |= other.search_companies

    def run(self) -> None:
        # Each row written once for its derived fields, search document and revision
        # (deals/row_writes.py); the revisions are given when revisions_together ends.
        with row_writes.writes_together(), revisions_together():
            self._run()

    def _run(self) -> None:
        # Inquiries first: an inquiry's last activity is part of its deal's status (dormancy),
        # so what they derive is written before the deals read it.
        refresh_inquiries(*self.inquiries)
        if self.deals:
            row_writes.flush()
        by_cause: dict[tuple, list[int]] = {}
        for pk, (inquiry, event) in self.deals.items():
            # An inquiry saved with a new event of its own (an editor's save of the inquiry and
            # its inline events, one block) changed with that event: both are its cause. An
            # event of another inquiry or of the deal is not what moved this inquiry.
            if inquiry is not None and event is not None and event.inquiry_id != inquiry.pk:
                event = None
            by_cause.setdefault((inquiry, event), []).append(pk)
        for (inquiry, event), ids in by_cause.items():
            refresh_deals(*ids, inquiry=inquiry, event=event)
        deal_ids, inquiry_ids = set(self.search_deals), set(self.search_inquiries)
        if self.search_companies:
            of_companies = _search_of_companies(sorted(self.search_companies))
            deal_ids.update(of_companies["deal_ids"])
            inquiry_ids.update(of_companies["inquiry_ids"])
        refresh_search(deal_ids=deal_ids, inquiry_ids=inquiry_ids)
        revise(company_ids=self.companies)  # with the rest, when revisions_together ends


_PENDING: contextvars.ContextVar[PendingRefresh | None] = contextvars.ContextVar(
    "pending_refresh", default=None
)


def deferred_refresh() -> PendingRefresh | None:
    """The refresh collecting requests now, inside `derived_fields_deferred`; else None."""
    return _PENDING.get()


@contextlib.contextmanager
def derived_fields_deferred():
    """Refresh derived fields (statuses, last activity, search documents) and bump the content
    version once per deal or inquiry when the block ends, instead of on every save in it: ingest
    saves a deal's inquiries and events many times in one run. Run it inside the block's
    transaction. Nested, the inner block's requests join the outer one only when it ends
    without an error: a record rolled back to its savepoint asks for nothing."""
    parent = _PENDING.get()
    pending = PendingRefresh()
    token = _PENDING.set(pending)
    with content_changes_deferred():
        try:
            yield pending
        finally:
            _PENDING.reset(token)
        if parent is not None:
            parent.join(pending)
        else:
            pending.run()


# Loading history (the demo data) derives statuses without recording each step as news.
_RECORDING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "recording_status_changes", default=True
)


@contextlib.contextmanager
def status_changes_unrecorded():
    """Derive statuses as usual but record no StatusChange: what is written is history, not
    news (the demo data, where each intermediate step would read as a change made today)."""
    token = _RECORDING.set(False)
    try:
        yield
    finally:
        _RECORDING.reset(token)
