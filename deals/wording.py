"""Display wording of the deals domain: dates as pages write them, one regulator's line on a
deal (JurisdictionLine), where an inquiry stands, and what caused a status change, in words.

The mixins (InquiryWording, DealWording, StatusChangeWording) are mixed into the models of
deals/models.py, so templates keep writing `inquiry.state_text` or `change.cause_text`; their
methods read only the object and what is prefetched with it. Pages, feeds and emails call these
so that a thing is said the same way everywhere.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import prefetch_related_objects
from django.utils import dateformat
from django.utils.translation import get_language

from . import status as status_rule
from .vocabulary import (
    IN_DEPTH_STAGES,
    AntitrustStatus,
    ChangeCause,
    DecisionStatus,
    EventKind,
    InquiryKind,
    Outcome,
    Stage,
)

if TYPE_CHECKING:
    from .models import Inquiry, Regulator, StatusChange

_EPOCH = datetime.date(1900, 1, 1)
# The words of a change's cause (change_cause) when the row it names is gone or has none.
EDITOR_CORRECTION = "an editor's correction"
NEW_EVENT = "a new event"
NEW_INQUIRY = "a new inquiry"
TIME_PASSING = "no activity for a while (time passing)"


def day(on: datetime.date | None) -> str:
    """A date as pages write it: "13 Oct 2023"; "" for none."""
    if not on:
        return ""
    if isinstance(on, datetime.datetime):  # its day depends on the time zone in force
        return dateformat.format(on, "j M Y")
    return _day_in(on, get_language())


@functools.lru_cache(maxsize=8192)
def _day_in(on: datetime.date, language: str | None) -> str:
    # Kept by date and language: a CSV of 100,000 deals writes a few thousand dates over and
    # over, and Django's date formatting was a twelfth of its time.
    return dateformat.format(on, "j M Y")


def day_as_known(on: datetime.date | None, precision: str = "day") -> str:
    """A date to the precision it is known: "13 Oct 2023", or "May 2026" for a month-precise
    one (stored as the month's last day, never shown with it)."""
    if not on:
        return ""
    return dateformat.format(on, "F Y") if precision == "month" else day(on)


def dated(text: str, on: datetime.date | None) -> str:
    """`text` followed by the date, when there is one: "Cleared 13 Oct 2023"."""
    return f"{text} {day(on)}" if on else text


def change_cause(change: StatusChange) -> str:
    """What caused a status change, in words: the one wording of a cause, for the deal page, the
    feed and the digest.

    From the cause recorded with the change (`StatusChange.cause`): a new event reads as the
    event's title, a new inquiry as its regulator opening it ("CMA opened an inquiry
    (ME/1/24)"), an editor's correction only when an editor changed a recorded value without a
    new event, the inquiry's update otherwise. Changes recorded before causes were kept (an
    empty cause) keep the wording they always had; "" when nothing is known."""
    code = change.cause or ""
    if code == ChangeCause.EVENT:
        return change.event.title if change.event_id else NEW_EVENT
    if code == ChangeCause.NEW_INQUIRY:
        return inquiry_opened(change.inquiry) if change.inquiry_id else NEW_INQUIRY
    if code == ChangeCause.CORRECTION:
        return EDITOR_CORRECTION
    if code == ChangeCause.TIME:
        return TIME_PASSING
    if code == ChangeCause.UPDATE:
        return f"{change.inquiry} updated" if change.inquiry_id else ""
    # Recorded before causes were kept: the wording of that time.
    if change.event_id:
        return change.event.title
    if change.changed_by_id:
        return EDITOR_CORRECTION
    if change.inquiry_id:
        return f"{change.inquiry} updated"
    return ""


def inquiry_opened(inquiry: Inquiry) -> str:
    """A new inquiry as the cause of a change: "CMA opened an inquiry (ME/1/24)"."""
    reference = f" ({inquiry.reference})" if inquiry.reference else ""
    return f"{inquiry.regulator.short_name} opened an inquiry{reference}"


@dataclass
class JurisdictionLine:
    """One regulator's say on a deal: its current reviews, then context and superseded ones."""

    regulator: Regulator
    current: list[Inquiry] = field(default_factory=list)
    context: list[Inquiry] = field(default_factory=list)
    superseded: list[Inquiry] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.regulator.jurisdiction, self.regulator.short_name)

    @property
    def lead(self) -> Inquiry | None:
        """The inquiry the line speaks for: an open review, else the latest decided one."""
        ranked = self.current or self.context or self.superseded
        if not ranked:
            return None
        open_ones = [inquiry for inquiry in ranked if inquiry.is_open]
        return max(open_ones or ranked, key=lambda i: (i.closed_on or i.opened_on or _EPOCH, i.pk))

    @property
    def is_context_only(self) -> bool:
        return not self.current

    def as_text(self) -> str:
        lead = self.lead
        if lead is None:
            return self.regulator.short_name
        reference = f" ({lead.reference})" if lead.reference else ""
        flags = "".join(f"; {flag}" for flag in lead.flags())
        kind = f" ({lead.get_kind_display().lower()})" if self.is_context_only else ""
        return f"{self.regulator.short_name}{kind}: {lead.state_text()}{reference}{flags}"


class InquiryWording:
    """Where an inquiry stands, in words (mixed into Inquiry)."""

    def reached(self) -> str:
        """The furthest step the review is known to have reached, in words, from its stage and
        timeline; "review" when nothing shows which."""
        us = self.regulator.jurisdiction == "US"
        kinds = {event.kind for event in self.events.all()}
        if EventKind.LAWSUIT in kinds or self.stage == Stage.LITIGATION:
            return "suit" if us else "litigation"
        if EventKind.PHASE_2_OPENED in kinds or self.stage in IN_DEPTH_STAGES:
            return "second request" if us else "Phase 2"
        if EventKind.PHASE_1_OPENED in kinds or self.stage == Stage.PHASE_1:
            return "review" if us else "Phase 1"
        if self.stage == Stage.INFORMAL:
            return "informal look"
        return "review"

    @property
    def short_state(self) -> str:
        """The state in two or three words, for lists: "Cleared", "Phase 2 / in-depth"."""
        if self.outcome:
            label = self.get_outcome_display()
            if self.decision_lost_force:  # an appeal is shown as its flag beside it
                return f"{label} ({self.get_decision_status_display().lower()})"
            return label
        if self.superseded_by_id:
            return "Superseded"
        if self.kind == InquiryKind.NOTIFICATION:
            return "Notified (DMA Art. 14)"
        if self.ended_before_completion:
            return "Ended before completion"
        if self.is_dormant:
            return f"{self.get_stage_display()} (dormant)"
        return self.get_stage_display()

    def state_text(self) -> str:
        """Where the inquiry stands, in one phrase: "Cleared with remedies 13 Oct 2023"."""
        closed = day_as_known(self.closed_on, self.closed_on_precision)
        if self.outcome:
            text = f"{self.get_outcome_display()} {closed}".strip()
            if self.decision_lost_force:
                verb = self.get_decision_status_display().lower()
                text += "; " + dated(verb, self.decision_status_on)
                if self.decision_status_note:
                    text += f" {self.decision_status_note}"
            return text
        if self.kind == InquiryKind.NOTIFICATION:  # not a review: no state, no clock
            return dated("Notified under DMA Art. 14 on", self.opened_on)
        if self.state_not_published:
            return dated("State not published; last activity", self.last_activity_on)
        if self.superseded_by_id:
            return dated(f"{self.get_stage_display()}, superseded", None)
        if self.stage == Stage.CLOSED:
            return f"Closed {closed}".strip()
        if self.ended_before_completion:
            completed = day(self.deal.completed_on) if self.deal_id else ""
            return (
                f"Ended before completion ({completed}); outcome not published in our data"
                if completed
                else "Ended before completion; outcome not published in our data"
            )
        if self.is_dormant and self.last_activity_on:
            return dated(f"{self.get_stage_display()}, no activity since", self.last_activity_on)
        if self.is_dormant:
            return f"{self.get_stage_display()}, dormant"
        if not self.opened_on:  # known to be open, not since when ("notified in June 2026")
            return f"{self.get_stage_display()}, open"
        return dated(f"{self.get_stage_display()}, open since", self.opened_on)

    def flags(self) -> list[str]:
        """What a reader must not miss beside the state: appeals, pending approvals, silence."""
        flags = []
        if self.decision_status == DecisionStatus.UNDER_APPEAL:
            note = f" ({self.decision_status_note})" if self.decision_status_note else ""
            flags.append(f"under appeal{note}")
        if self.court_approval_pending:
            flags.append("court approval pending")
        if self.is_dormant:
            flags.append("dormant")
        if self.superseded_by_id:
            flags.append("superseded")
        if self.deadline_passed:
            flags.append(self.stale_text())
        return flags

    def stale_text(self) -> str:
        """An open review past its deadline with no decision recorded, and when our data was
        last checked: "decision due 7 Jul 2026; no decision recorded; last checked 6 Dec 2026"."""
        checked = self.last_checked_on()
        text = f"decision due {day(self.next_deadline_on)}; no decision recorded"
        return f"{text}; last checked {day(checked)}" if checked else text

    def last_checked_on(self) -> datetime.date | None:
        """When the data was last checked: by an editor, or by the last import that read the
        inquiry's record from its source (ingest stamps `checked_on`, once a day)."""
        return self.checked_on


class DealWording:
    """A deal's regulators, in lines and words (mixed into Deal)."""

    def abandoned_after(self) -> str:
        """The reviews the deal was abandoned in ("the CMA's Phase 2 and the EC's Phase 2").

        Reads `self.inquiries.all()` (prefetch them with their regulator) and their events, in
        one query unless they are prefetched too."""
        inquiries = list(self.inquiries.all())
        prefetch_related_objects(inquiries, "events")
        return status_rule.abandoned_after(
            inquiry.status_facts(with_reached=True) for inquiry in inquiries
        )

    def jurisdiction_lines(self) -> list[JurisdictionLine]:
        """One line per regulator: its current inquiries, the newest first, with their flags.

        Reads `self.inquiries.all()`, so a prefetch (`with_list_data`) serves a whole list."""
        lines: dict[int, JurisdictionLine] = {}
        for inquiry in self.inquiries.all():
            line = lines.setdefault(
                inquiry.regulator_id, JurisdictionLine(regulator=inquiry.regulator)
            )
            if inquiry.superseded_by_id:
                line.superseded.append(inquiry)
            elif inquiry.is_context or inquiry.is_conduct or inquiry.is_notification:
                line.context.append(inquiry)
            else:
                line.current.append(inquiry)
        return sorted(lines.values(), key=lambda line: line.sort_key)


class StatusChangeWording:
    """A status change, in words (mixed into StatusChange)."""

    @staticmethod
    def label(value: str, *, overall: bool) -> str:
        if not value:
            return "none" if overall else "no inquiry"
        if overall:
            return AntitrustStatus(value).label if value in AntitrustStatus.values else value
        if value in Outcome.values:
            return Outcome(value).label
        return Stage(value).label if value in Stage.values else value

    @property
    def is_overall(self) -> bool:
        return self.regulator_id is None

    @property
    def old_label(self) -> str:
        return self.label(self.old_value, overall=self.is_overall)

    @property
    def new_label(self) -> str:
        return self.label(self.new_value, overall=self.is_overall)

    def describe(self) -> str:
        """ "Under review -> In-depth review", or "EC: Phase 1 -> Phase 2 / in-depth"."""
        prefix = "" if self.is_overall else f"{self.regulator.short_name}: "
        return f"{prefix}{self.old_label} → {self.new_label}"

    @property
    def cause_text(self) -> str:
        """What caused the change, in words (`change_cause`: the one wording of a cause).

        Not `cause`: that name is the model field holding the cause's code (ChangeCause),
        which a property of this mixin cannot shadow."""
        return change_cause(self)
