"""The deals vocabulary: the choices stored on deals, inquiries and events, and the rules that
tie them together (which stages and outcomes belong to merger control or to a conduct case).

Plain choices, no models: `deals/models.py` uses them for its fields, and forms, filters,
ingest and the tests read them from here. `status_errors` and `inquiry_errors` are the rules
the admin (Inquiry.clean) and ingest check a combination of choices against.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from .models import Inquiry


def dormant_after() -> datetime.timedelta:
    """How long an informal look may go without activity before it reads as dormant."""
    return datetime.timedelta(days=settings.INFORMAL_LOOK_DORMANT_AFTER_DAYS)


class Stage(models.TextChoices):
    """Where an inquiry is. Merger control and conduct cases each have their own steps."""

    # Merger control (and informal looks, market studies)
    INFORMAL = "informal", "Informal look"
    PRENOTIFICATION = "prenotification", "Pre-notification"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2 / in-depth"
    REMEDIES = "remedies", "Remedies"
    # Conduct cases (Art. 101/102, CA98, monopolisation)
    INVESTIGATION = "investigation", "Investigation"
    OBJECTIONS = "objections", "Statement of objections"
    COMMITMENTS = "commitments", "Commitments offered"
    # Both
    LITIGATION = "litigation", "Litigation"
    CLOSED = "closed", "Closed"
    NOT_PUBLISHED = "not_published", "State not published"


class Outcome(models.TextChoices):
    """How an inquiry ended; empty while it is open."""

    # Merger control
    CLEARED = "cleared", "Cleared"
    CLEARED_WITH_REMEDIES = "cleared_with_remedies", "Cleared with remedies"
    PROHIBITED = "prohibited", "Prohibited"
    ABANDONED = "abandoned", "Abandoned"
    NOT_QUALIFYING = "not_qualifying", "Not qualifying"
    REFERRED = "referred", "Referred"
    # Conduct cases
    INFRINGEMENT = "infringement", "Infringement found"
    COMMITMENTS = "commitments", "Commitments accepted"
    SETTLED = "settled", "Settled"
    # Both
    CLOSED_NO_ACTION = "closed_no_action", "Closed, no action"


MERGER_STAGES = frozenset(
    {
        Stage.INFORMAL,
        Stage.PRENOTIFICATION,
        Stage.PHASE_1,
        Stage.PHASE_2,
        Stage.REMEDIES,
        Stage.LITIGATION,
        Stage.CLOSED,
        Stage.NOT_PUBLISHED,
    }
)
CONDUCT_STAGES = frozenset(
    {
        Stage.INVESTIGATION,
        Stage.OBJECTIONS,
        Stage.COMMITMENTS,
        Stage.LITIGATION,
        Stage.CLOSED,
        Stage.NOT_PUBLISHED,
    }
)
MERGER_OUTCOMES = frozenset(
    {
        Outcome.CLEARED,
        Outcome.CLEARED_WITH_REMEDIES,
        Outcome.PROHIBITED,
        Outcome.ABANDONED,
        Outcome.NOT_QUALIFYING,
        Outcome.REFERRED,
        Outcome.CLOSED_NO_ACTION,
    }
)
CONDUCT_OUTCOMES = frozenset(
    {Outcome.INFRINGEMENT, Outcome.COMMITMENTS, Outcome.CLOSED_NO_ACTION, Outcome.SETTLED}
)

# Stages that count as an in-depth review for the deal's overall status.
IN_DEPTH_STAGES = (Stage.PHASE_2, Stage.REMEDIES, Stage.LITIGATION)


class DatePrecision(models.TextChoices):
    """How much of a date is known. A month-precise date is stored as the month's last day (it
    sorts at the month's end) and shown as "May 2026", never with a made-up day."""

    DAY = "day", "Day"
    MONTH = "month", "Month only"


def as_precise(day: datetime.date | None, precision: str) -> datetime.date | None:
    """`day` as stored for its precision: a month-precise date is the month's last day."""
    if day is None or precision != DatePrecision.MONTH:
        return day
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


class PhaseKind(models.TextChoices):
    """A phase of a merger review (DOMAIN.md "Phases, version 3")."""

    PRENOTIFICATION = "prenotification", "Pre-notification"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2 / in-depth"
    REMEDIES = "remedies", "Remedies"
    LITIGATION = "litigation", "Litigation"


class PhaseEnd(models.TextChoices):
    """How a phase ended; empty while it runs."""

    DECISION = "decision", "Decision"
    NEXT_PHASE = "next_phase", "Moved to the next phase"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ABANDONED = "abandoned", "Abandoned"
    SUPERSEDED = "superseded", "Superseded"
    BEFORE_COMPLETION = "before_completion", "Ended before completion; outcome not published"
    CLOSED = "closed", "Closed"


class ChangeCause(models.TextChoices):
    """What caused a status change (deals/wording.py `change_cause` words it)."""

    EVENT = "event", "A new event"
    NEW_INQUIRY = "new_inquiry", "A new inquiry"
    CORRECTION = "correction", "An editor's correction"
    UPDATE = "update", "The inquiry's update"
    TIME = "time", "Time passing"


class DeadlineSource(models.TextChoices):
    PUBLISHED = "published", "Published by the regulator"
    COMPUTED = "computed", "Computed from the statutory rule"


class DecisionStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    ANNULLED = "annulled", "Annulled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Supersession(models.TextChoices):
    RESTRUCTURED = "restructured", "The deal was restructured and reviewed again"
    REFERRED = "referred", "Referred to another authority, whose case decides"


class AntitrustStatus(models.TextChoices):
    """A deal's overall status, in the order the rule tries them (docs/statuses.md)."""

    ABANDONED = "abandoned", "Abandoned"
    UNWOUND = "unwound", "Unwound"
    BLOCKED = "blocked", "Blocked"
    IN_DEPTH_REVIEW = "in_depth_review", "In-depth review"
    UNDER_REVIEW = "under_review", "Under review"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions", "Cleared with conditions"
    CLEARED = "cleared", "Cleared"
    NOT_REVIEWABLE = "not_reviewable", "Not reviewable"
    INFORMAL_SCRUTINY = "informal_scrutiny", "Informal scrutiny"
    NO_FORMAL_REVIEW = "no_formal_review", "No formal review"
    NO_KNOWN_INQUIRY = "no_known_inquiry", "No known inquiry"


class DealLife(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"
    UNWOUND = "unwound", "Unwound"


class DealType(models.TextChoices):
    ACQUISITION = "acquisition", "Acquisition"
    MERGER = "merger", "Merger"
    MINORITY_STAKE = "minority_stake", "Minority stake"
    PARTNERSHIP = "partnership", "Partnership"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    ASSET_PURCHASE = "asset_purchase", "Asset purchase"
    ACQUI_HIRE = "acqui_hire", "Acqui-hire / licensing"


class Procedure(models.TextChoices):
    """How the regulator handles a merger review (the EC: normal, simplified or super-simplified
    under the 2023 notice); empty where the source does not say."""

    NORMAL = "normal", "Normal procedure"
    SIMPLIFIED = "simplified", "Simplified procedure"
    SUPER_SIMPLIFIED = "super_simplified", "Super-simplified procedure"


class LegalBasis(models.TextChoices):
    """The law a review runs under, where a regulator has had more than one (the EC's merger
    regulations); empty where the source does not say."""

    EUMR_2004 = "139/2004", "Council Regulation 139/2004 (EU Merger Regulation)"
    EUMR_1989 = "4064/89", "Council Regulation 4064/89 (the first merger regulation)"


class PartyRole(models.TextChoices):
    ACQUIRER = "acquirer", "Acquirer"
    TARGET = "target", "Target"
    INVESTOR = "investor", "Investor"
    PARTNER = "partner", "Partner"
    SELLER = "seller", "Seller"


class InquiryKind(models.TextChoices):
    MERGER_REVIEW = "merger_review", "Merger review"
    INFORMAL_REVIEW = "informal_review", "Informal review"
    MARKET_STUDY = "market_study", "Market study"
    CONDUCT = "conduct", "Conduct investigation"
    REFERRAL = "referral", "Referral"
    # A gatekeeper's Art. 14 DMA notice of a concentration: no review, no clock, no decision.
    NOTIFICATION = "notification", "Notification (DMA Art. 14)"


def status_errors(*, kind: str, stage: str, outcome: str) -> dict[str, str]:
    """What is wrong with an inquiry's kind, stage and outcome together ({} when nothing is).

    The one statement of the two vocabularies' rules: conduct cases take the conduct stages and
    outcomes, every other kind those of merger control, and an inquiry with an outcome is
    closed. The admin (Inquiry.clean) shows these errors; ingest refuses a record that has any.
    """
    if kind not in InquiryKind.values:
        return {"kind": "Not a kind of inquiry."}
    conduct = kind == InquiryKind.CONDUCT
    stages, outcomes = (
        (CONDUCT_STAGES, CONDUCT_OUTCOMES) if conduct else (MERGER_STAGES, MERGER_OUTCOMES)
    )
    family = "a conduct case" if conduct else "merger control"
    errors = {}
    if stage not in Stage.values:
        errors["stage"] = "Not a stage."
    elif stage not in stages:
        errors["stage"] = f"{Stage(stage).label} is not a stage of {family}."
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = "Not an outcome."
    elif outcome and outcome not in outcomes:
        errors["outcome"] = f"{Outcome(outcome).label} is not an outcome of {family}."
    if outcome and stage != Stage.CLOSED and "stage" not in errors:
        errors["stage"] = "An inquiry with an outcome is closed: choose the stage Closed."
    return errors


class EventKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMMENT_INVITED = "comment_invited", "Comment invited"
    NOTIFIED = "notified", "Notified"
    PHASE_1_OPENED = "phase_1_opened", "Phase 1 opened"
    PHASE_2_OPENED = "phase_2_opened", "Phase 2 opened"
    PROCEEDINGS_OPENED = "proceedings_opened", "Proceedings opened"
    OBJECTIONS = "objections", "Objections"
    REMEDIES_OFFERED = "remedies_offered", "Remedies offered"
    LAWSUIT = "lawsuit", "Suit to block"
    DECISION = "decision", "Decision"
    APPEAL = "appeal", "Appeal"
    ABANDONED = "abandoned", "Abandoned"
    PRESS = "press", "Press"
    OTHER = "other", "Other"


def inquiry_errors(inquiry: Inquiry) -> dict[str, str]:
    """What is wrong with an inquiry's choices together (Inquiry.clean): `status_errors`, a
    decision status without a decision, and a supersession that cannot be."""
    errors = status_errors(kind=inquiry.kind, stage=inquiry.stage, outcome=inquiry.outcome)
    if inquiry.decision_status != DecisionStatus.IN_FORCE and not inquiry.outcome:
        errors["decision_status"] = (
            "Only a decision (an inquiry with an outcome) can be "
            "under appeal, annulled or withdrawn."
        )
    for name, message in date_errors(inquiry).items():
        errors.setdefault(name, message)
    if inquiry.superseded_by_id:
        errors.update(_supersession_errors(inquiry))
    elif inquiry.supersession:
        errors["supersession"] = "Say which inquiry supersedes this one, or leave this empty."
    return errors


def _day(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


def date_errors(inquiry: Inquiry) -> dict[str, str]:
    """Dates that cannot be together, each error naming the fields: no closing before the
    opening, no published deadline before the opening, a closing date only on a closed inquiry
    and a closed inquiry's closing date not after today's."""
    errors = {}
    opened, closed, deadline = inquiry.opened_on, inquiry.closed_on, inquiry.deadline_on
    if opened and closed and closed < opened:
        errors["closed_on"] = (
            f"The closing date ({_day(closed)}) is before the opening date ({_day(opened)}): "
            "a review cannot end before it starts."
        )
    if opened and deadline and deadline < opened:
        errors["deadline_on"] = (
            f"The published deadline ({_day(deadline)}) is before the opening date "
            f"({_day(opened)}): a deadline cannot fall before its phase starts."
        )
    if closed and not inquiry.outcome and inquiry.stage != Stage.CLOSED:
        errors["closed_on"] = (
            f"A closing date ({_day(closed)}) on an inquiry that is not closed: choose the stage "
            "Closed (and an outcome), or leave the closing date empty."
        )
    return errors


def phase_order_errors(events: list[tuple[str, datetime.date]]) -> list[str]:
    """The events' phase openings out of order, in words ([] when in order): Phase 2 cannot open
    before Phase 1 starts (its notification or formal launch)."""
    first_1 = min(
        (on for kind, on in events if kind in (EventKind.NOTIFIED, EventKind.PHASE_1_OPENED)),
        default=None,
    )
    first_2 = min((on for kind, on in events if kind == EventKind.PHASE_2_OPENED), default=None)
    if first_1 and first_2 and first_2 < first_1:
        return [
            f"Phase 2 opened ({_day(first_2)}) before Phase 1 started ({_day(first_1)}): check "
            "the dates of the 'Phase 2 opened' and 'Notified' / 'Phase 1 opened' events."
        ]
    return []


def _supersession_errors(inquiry: Inquiry) -> dict[str, str]:
    other = inquiry.superseded_by
    if other.pk == inquiry.pk:
        return {"superseded_by": "An inquiry cannot supersede itself."}
    if not inquiry.supersession:
        return {"supersession": "Say why it is superseded: restructured deal or referral."}
    if other.deal_id != inquiry.deal_id and inquiry.supersession != Supersession.REFERRED:
        return {
            "superseded_by": "An inquiry of another deal can only supersede this one as the "
            "receiving authority's case after a referral."
        }
    if other.superseded_by_id == inquiry.pk:
        return {"superseded_by": "These two inquiries would supersede each other."}
    return {}
