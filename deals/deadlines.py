"""The deadlines ahead and just passed: published ones, and those computed by the clocks.

A published deadline (`Inquiry.deadline_on`) always wins over the computed one. Computing needs
each open review's events and clock stops, so the rows are read in a fixed number of queries
(`InquiryQuerySet.with_clock_data`) and sorted in Python: there are at most a few hundred open
reviews at a time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from . import clocks
from .models import Inquiry, InquiryKind

PASSED_WINDOW = datetime.timedelta(days=365)


@dataclass(frozen=True)
class DeadlineRow:
    inquiry: Inquiry
    deadline: clocks.Deadline
    working_days_left: int | None  # negative once passed


def candidates(inquiries):
    """Open inquiries that have a published deadline or a clock we can compute."""
    return (
        inquiries.open()
        .filter(
            Q(deadline_on__isnull=False)
            | Q(kind=InquiryKind.MERGER_REVIEW, regulator__slug__in=list(clocks.RULES))
        )
        .with_clock_data()
    )


def deadline_rows(inquiries, *, today: datetime.date, source: str = "") -> list[DeadlineRow]:
    """Every open inquiry's deadline (published or computed), soonest first."""
    rows = []
    for inquiry in candidates(inquiries):
        deadline = inquiry.deadline
        if deadline is None or (source and deadline.source != source):
            continue
        rows.append(DeadlineRow(inquiry, deadline, deadline.working_days_left(today)))
    rows.sort(key=lambda row: (row.deadline.on, row.inquiry.pk))
    return rows


def split(rows: list[DeadlineRow], *, today: datetime.date, within: int | None = None):
    """(ahead, passed): deadlines from today on (up to `within` days ahead), and those of the
    last year with no decision recorded since, the most recent first."""
    ahead = [row for row in rows if row.deadline.on >= today]
    if within is not None:
        ahead = [row for row in ahead if row.deadline.on <= today + datetime.timedelta(within)]
    passed = [row for row in rows if today - PASSED_WINDOW <= row.deadline.on < today]
    return ahead, passed[::-1]
