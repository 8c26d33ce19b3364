"""How a deal's antitrust status is derived: the rule of docs/statuses.md (DOMAIN.md, "Status,
version 2"), in one place.

Pure: it reads plain snapshots of a deal and its inquiries, not the ORM, so the model, the
data migration that carried old rows over, and the tests all run the same code.

- Merger control (merger reviews, referrals, informal looks, market studies) and conduct cases
  (Art. 101/102, CA98, monopolisation suits) have their own stages and outcomes. Conduct cases
  never make a deal cleared or blocked: they are shown beside it, not counted.
- A superseded inquiry, or one whose decision was annulled or withdrawn, no longer counts.
- An inquiry whose source publishes no state is not open; it counts as nothing.
- Informal looks and market studies are context: they give "informal scrutiny" only while one
  had activity within the dormancy window, and never make a deal "under review".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

# Values of the model choices, as plain strings so that migrations can use this module too.
MERGER_OPEN_STAGES = {"prenotification", "phase_1", "phase_2", "remedies", "litigation"}
IN_DEPTH_STAGES = {"phase_2", "remedies", "litigation"}
CONTEXT_KINDS = {"informal_review", "market_study"}
CONDUCT_KIND = "conduct"
# A gatekeeper's notice of a concentration (DMA Art. 14): shown on the deal, never a review.
NOTIFICATION_KIND = "notification"
LOST_FORCE = {"annulled", "withdrawn"}
NO_DECISION_OUTCOMES = {"not_qualifying", "closed_no_action", "referred"}
# Stages that are no step of a review: an inquiry in one is not open (see `inquiry_is_open`).
NOT_OPEN_STAGES = frozenset({"closed", "not_published"})


def inquiry_is_open(
    *, stage: str, outcome: str, superseded: bool = False, ended_early: bool = False
) -> bool:
    """The one definition of an open inquiry: no outcome, a stage that is a step of a review
    (not "closed", not "state not published"), not superseded by another inquiry, and not ended
    before the deal's completion (`ended_early`, deals/phases.py).

    `Inquiry.is_open` and the SQL of `InquiryQuerySet.open` (deals/models.py) say the same."""
    return not outcome and not superseded and not ended_early and stage not in NOT_OPEN_STAGES


@dataclass(frozen=True)
class InquiryFacts:
    """What the rule needs to know of one inquiry."""

    kind: str
    stage: str
    outcome: str
    decision_status: str = "in_force"
    superseded: bool = False
    last_activity_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    regulator: str = ""  # short name, for the "abandoned after ..." note
    reached: str = ""  # the furthest step it reached, in words: "Phase 2", "suit"
    ended_before_completion: bool = False

    @property
    def is_open(self) -> bool:
        """Open as a step of a review; whether it still counts (superseded, lost force) is
        `counts`, which the rule asks separately."""
        return inquiry_is_open(
            stage=self.stage, outcome=self.outcome, ended_early=self.ended_before_completion
        )

    @property
    def counts(self) -> bool:
        """Whether the inquiry still speaks for the deal's status at all."""
        return not self.superseded and self.decision_status not in LOST_FORCE

    @property
    def is_merger_review(self) -> bool:
        return self.kind not in CONTEXT_KINDS and self.kind not in (CONDUCT_KIND, NOTIFICATION_KIND)

    @property
    def is_context(self) -> bool:
        return self.kind in CONTEXT_KINDS


@dataclass(frozen=True)
class DealFacts:
    completed_on: datetime.date | None = None
    abandoned_on: datetime.date | None = None
    unwound_on: datetime.date | None = None


def is_dormant(
    inquiry: InquiryFacts, *, today: datetime.date, dormant_after: datetime.timedelta
) -> bool:
    """An open informal look or market study with no activity within the window."""
    if not (inquiry.is_context and inquiry.is_open):
        return False
    return inquiry.last_activity_on is None or inquiry.last_activity_on < today - dormant_after


def overall_status(
    deal: DealFacts,
    inquiries: Iterable[InquiryFacts],
    *,
    today: datetime.date,
    dormant_after: datetime.timedelta,
) -> str:
    """The deal's overall antitrust status (an AntitrustStatus value); first match wins."""
    current = [inquiry for inquiry in inquiries if inquiry.counts]
    reviews = [inquiry for inquiry in current if inquiry.is_merger_review]
    if deal.abandoned_on or any(review.outcome == "abandoned" for review in reviews):
        return "abandoned"
    if deal.unwound_on:
        return "unwound"
    if not deal.completed_on and any(review.outcome == "prohibited" for review in reviews):
        return "blocked"
    open_stages = {review.stage for review in reviews if review.is_open}
    if open_stages & IN_DEPTH_STAGES:
        return "in_depth_review"
    if open_stages & MERGER_OPEN_STAGES:
        return "under_review"
    decided = [review for review in reviews if review.outcome]
    outcomes = {review.outcome for review in decided}
    if "cleared_with_remedies" in outcomes:
        return "cleared_with_conditions"
    if "cleared" in outcomes:
        return "cleared"
    if "prohibited" in outcomes:  # prohibited, yet the deal completed and was not unwound
        return "blocked"
    if outcomes and outcomes <= NO_DECISION_OUTCOMES:
        return "not_reviewable"
    context = [inquiry for inquiry in current if inquiry.is_context]
    if any(
        inquiry.is_open and not is_dormant(inquiry, today=today, dormant_after=dormant_after)
        for inquiry in context
    ):
        return "informal_scrutiny"
    if any(inquiry.kind != NOTIFICATION_KIND for inquiry in inquiries):
        return "no_formal_review"
    return "no_known_inquiry"


def abandoned_after(inquiries: Iterable[InquiryFacts]) -> str:
    """ "the CMA's Phase 2 and the EC's Phase 2": the reviews a deal was abandoned in."""
    reached = []
    for inquiry in inquiries:
        # A review that had already cleared the deal is not one it was abandoned in.
        ended_by_abandonment = inquiry.outcome in ("", "abandoned")
        if inquiry.counts and inquiry.is_merger_review and ended_by_abandonment:
            reached.append(f"the {inquiry.regulator}'s {inquiry.reached or 'review'}")
    reached = list(dict.fromkeys(reached))
    if not reached:
        return ""
    if len(reached) == 1:
        return reached[0]
    return ", ".join(reached[:-1]) + " and " + reached[-1]
