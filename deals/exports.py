"""The CSV downloads: deals, inquiries and the /stats/ tables, each row beside its headers, all
written by `csv_response` so that every download is spreadsheet-safe the same way and holds
only text (deals/text.py).

`DEALS` and `INQUIRIES` are the filtered lists' downloads (file name, columns, row), which the
list pages offer (deals/views.py); `INQUIRY_STATE_FIELDS` names an inquiry's state and dates
once, for its CSV columns and the API's fields (api/serializers.py)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from .models import Deal, Inquiry
from .text import text_clean

DEAL_COLUMNS = [
    "title",
    "type",
    "status",
    "life",
    "life_on",
    "jurisdictions",
    "announced_on",
    "completed_on",
    "latest_activity",
    "next_deadline_on",
    "parties",
    "regulators",
    "value",
    "currency",
    "sector",
    "url",
]
# Where an inquiry stands and its dates, in the words of the CSV's columns and the API's fields.
INQUIRY_STATE_FIELDS = [
    "state",
    "flags",
    "regulator_wording",
    "opened_on",
    "next_deadline_on",
    "next_deadline_source",
    "closed_on",
    "decision_status",
    "phases",
]
INQUIRY_COLUMNS = [
    "regulator",
    "jurisdiction",
    "reference",
    "title",
    "deal",
    "kind",
    "stage",
    "outcome",
    "procedure",
    "legal_basis",  # the regulation, named as the filter and the API name it
    *INQUIRY_STATE_FIELDS,
    "url",
    "source_url",
]


def _day(day) -> str:
    return day.isoformat() if day else ""


def _day_as_known(day, precision: str) -> str:
    """ISO, to the precision known: a month-precise date as its month (YYYY-MM), no made-up
    day."""
    if day and precision == "month":
        return f"{day:%Y-%m}"
    return _day(day)


def phase_text(phase) -> str:
    """One phase in a cell: "phase_2 2022-09-15..2023-04-26 deadline 2023-03-01 (computed)
    ended decision: prohibited"; dates ISO, a month-precise end as YYYY-MM, "?" for not known."""
    started = _day_as_known(phase.started_on, phase.started_precision)
    ended = _day_as_known(phase.ended_on, phase.ended_precision)
    text = f"{phase.kind} {started or '?'}..{ended}"
    if phase.deadline_on:
        text += f" deadline {_day(phase.deadline_on)} ({phase.deadline_source})"
    if phase.ended_how:
        text += f" ended {phase.ended_how}" + (f": {phase.outcome}" if phase.outcome else "")
    return text


def spreadsheet_safe(cell: str) -> str:
    """Ingested titles could start with a formula; spreadsheets must show it as text."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_response(filename: str, header: list[str] | None, rows: Iterable[Iterable]) -> HttpResponse:
    """A download of the header and `rows`, every cell spreadsheet-safe: cleaned of what is not
    text first, so that a control character in front of a formula does not hide it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(text_clean(str(cell))) for cell in row])
    return response


@dataclass(frozen=True)
class Download:
    """A filtered list's CSV: its file name, its header and each row, `row(obj, absolute)`."""

    filename: str
    columns: list[str]
    row: Callable[[Any, Callable[[str], str]], list[str]]


def filtered_csv(request, filterset, download: Download) -> HttpResponse:
    """The rows of a list page's filters as a download: a 400 naming what is wrong when a
    filter cannot be used, else `download.row` for each of the filtered rows."""
    if not filterset.is_valid():
        return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain")
    rows = filterset.qs
    rows = rows.with_phases() if hasattr(rows, "with_phases") else rows.with_list_data()
    objects = rows.iterator(chunk_size=500)
    rows = (download.row(obj, request.build_absolute_uri) for obj in objects)
    return csv_response(download.filename, download.columns, rows)


def deal_row(deal: Deal, absolute: Callable[[str], str]) -> list[str]:
    """One deal as DEAL_COLUMNS; reads its parties and inquiries (with_list_data)."""
    lines = deal.jurisdiction_lines()
    return [
        deal.title,
        deal.get_deal_type_display(),
        deal.get_antitrust_status_display(),
        deal.get_life_display(),
        _day(deal.life_on),
        " | ".join(line.as_text() for line in lines),
        _day(deal.announced_on),
        _day(deal.completed_on),
        _day(deal.last_activity_on),
        _day(deal.next_deadline()),
        "; ".join(f"{p.company.name} ({p.get_role_display()})" for p in deal.parties.all()),
        "; ".join(line.regulator.short_name for line in lines),
        str(deal.value) if deal.value is not None else "",
        deal.currency,
        deal.sector,
        absolute(deal.get_absolute_url()),
    ]


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
        inquiry.get_procedure_display() if inquiry.procedure else "",
        inquiry.get_legal_basis_display() if inquiry.legal_basis else "",
        inquiry.state_text(),
        "; ".join(inquiry.flags()),
        inquiry.status_wording,
        _day(inquiry.opened_on),
        _day(inquiry.next_deadline_on),
        inquiry.next_deadline_source,
        _day_as_known(inquiry.closed_on, inquiry.closed_on_precision),
        inquiry.get_decision_status_display(),
        " | ".join(phase_text(phase) for phase in inquiry.phases.all()),
        absolute(inquiry.get_absolute_url()),
        inquiry.source_url,
    ]


DEALS = Download("dealwatch-deals.csv", DEAL_COLUMNS, deal_row)
INQUIRIES = Download("dealwatch-inquiries.csv", INQUIRY_COLUMNS, inquiry_row)
