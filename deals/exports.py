"""CSV rows of inquiries (the deal rows are `Deal.as_csv_row`), headers beside the values."""

from __future__ import annotations

from collections.abc import Callable

from .models import Inquiry

INQUIRY_COLUMNS = [
    "regulator",
    "jurisdiction",
    "reference",
    "title",
    "deal",
    "kind",
    "stage",
    "outcome",
    "state",
    "flags",
    "regulator_wording",
    "opened_on",
    "deadline_on",
    "closed_on",
    "decision_status",
    "url",
    "source_url",
]


def _day(day) -> str:
    return day.isoformat() if day else ""


def inquiry_row(inquiry: Inquiry, absolute: Callable[[str], str]) -> list[str]:
    """One inquiry as INQUIRY_COLUMNS; reads its regulator and deal (select them)."""
    return [
        inquiry.regulator.short_name,
        inquiry.regulator.jurisdiction,
        inquiry.reference,
        inquiry.title,
        inquiry.deal.title if inquiry.deal_id else "",
        inquiry.get_kind_display(),
        inquiry.get_stage_display(),
        inquiry.get_outcome_display() if inquiry.outcome else "",
        inquiry.state_text(),
        "; ".join(inquiry.flags()),
        inquiry.status_wording,
        _day(inquiry.opened_on),
        _day(inquiry.deadline_on),
        _day(inquiry.closed_on),
        inquiry.get_decision_status_display(),
        absolute(inquiry.get_absolute_url()),
        inquiry.source_url,
    ]
