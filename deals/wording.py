"""Display wording of the deals domain: dates as pages write them, one regulator's line on a
deal (JurisdictionLine), and what caused a status change, in words.

Words only, no queries of its own: models, feeds, pages and emails call these so that a thing is
said the same way everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import dateformat

from .vocabulary import IN_DEPTH_STAGES, DecisionStatus, EventKind, Stage

if TYPE_CHECKING:
    from .models import Inquiry, Regulator, StatusChange

_EPOCH = datetime.date(1900, 1, 1)
EDITOR_CORRECTION = "an editor's correction"


def day(on: datetime.date | None) -> str:
    """A date as pages write it: "13 Oct 2023"; "" for none."""
    return dateformat.format(on, "j M Y") if on else ""


def dated(text: str, on: datetime.date | None) -> str:
    """`text` followed by the date, when there is one: "Cleared 13 Oct 2023"."""
    return f"{text} {day(on)}" if on else text


def change_cause(change: StatusChange) -> str:
    """What caused a status change, in words (the one wording for the deal page, the feed and
    the digest): the event's title, an editor's correction, or the inquiry's update; "" when
    nothing is known."""
    if change.event_id:
        return change.event.title
    if change.changed_by_id:
        return EDITOR_CORRECTION
    if change.inquiry_id:
        return f"{change.inquiry} updated"
    return ""


def inquiry_reached(inquiry: Inquiry) -> str:
    """The furthest step the review is known to have reached, in words, from its stage and
    timeline; "review" when nothing shows which."""
    us = inquiry.regulator.jurisdiction == "US"
    kinds = {event.kind for event in inquiry.events.all()}
    if EventKind.LAWSUIT in kinds or inquiry.stage == Stage.LITIGATION:
        return "suit" if us else "litigation"
    if EventKind.PHASE_2_OPENED in kinds or inquiry.stage in IN_DEPTH_STAGES:
        return "second request" if us else "Phase 2"
    if EventKind.PHASE_1_OPENED in kinds or inquiry.stage == Stage.PHASE_1:
        return "review" if us else "Phase 1"
    if inquiry.stage == Stage.INFORMAL:
        return "informal look"
    return "review"


def inquiry_short_state(inquiry: Inquiry) -> str:
    """The state in two or three words, for lists: "Cleared", "Phase 2 / in-depth"."""
    if inquiry.outcome:
        label = inquiry.get_outcome_display()
        if inquiry.decision_lost_force:  # an appeal is shown as its flag beside it
            return f"{label} ({inquiry.get_decision_status_display().lower()})"
        return label
    if inquiry.superseded_by_id:
        return "Superseded"
    if inquiry.is_dormant:
        return f"{inquiry.get_stage_display()} (dormant)"
    return inquiry.get_stage_display()


def inquiry_state_text(inquiry: Inquiry) -> str:
    """Where the inquiry stands, in one phrase: "Cleared with remedies 13 Oct 2023"."""
    if inquiry.outcome:
        text = dated(inquiry.get_outcome_display(), inquiry.closed_on)
        if inquiry.decision_lost_force:
            verb = inquiry.get_decision_status_display().lower()
            text += "; " + dated(verb, inquiry.decision_status_on)
            if inquiry.decision_status_note:
                text += f" {inquiry.decision_status_note}"
        return text
    if inquiry.state_not_published:
        return dated("State not published; last activity", inquiry.last_activity_on)
    if inquiry.superseded_by_id:
        return dated(f"{inquiry.get_stage_display()}, superseded", None)
    if inquiry.stage == Stage.CLOSED:
        return dated("Closed", inquiry.closed_on)
    if inquiry.is_dormant and inquiry.last_activity_on:
        return dated(f"{inquiry.get_stage_display()}, no activity since", inquiry.last_activity_on)
    if inquiry.is_dormant:
        return f"{inquiry.get_stage_display()}, dormant"
    if not inquiry.opened_on:  # known to be open, not since when ("notified in June 2026")
        return f"{inquiry.get_stage_display()}, open"
    return dated(f"{inquiry.get_stage_display()}, open since", inquiry.opened_on)


def inquiry_flags(inquiry: Inquiry) -> list[str]:
    """What a reader must not miss beside the state: appeals, pending approvals, silence."""
    flags = []
    if inquiry.decision_status == DecisionStatus.UNDER_APPEAL:
        note = f" ({inquiry.decision_status_note})" if inquiry.decision_status_note else ""
        flags.append(f"under appeal{note}")
    if inquiry.court_approval_pending:
        flags.append("court approval pending")
    if inquiry.is_dormant:
        flags.append("dormant")
    if inquiry.superseded_by_id:
        flags.append("superseded")
    if inquiry.deadline_passed:
        checked = f" (last checked {day(inquiry.checked_on)})" if inquiry.checked_on else ""
        due = day(inquiry.deadline_on)
        flags.append(f"decision due {due}; no decision recorded since{checked}")
    return flags


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
