"""Writes the demo data (demo/data.py) to the database: `demo_data_load`, which `manage.py
load_demo` runs. Natural keys make a second load create nothing; the data is checked whole
before anything is written; rows no longer in the data are left alone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from deals.derived import status_changes_unrecorded
from deals.models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator
from deals.names import name_key
from deals.vocabulary import (
    CONDUCT_OUTCOMES,
    CONDUCT_STAGES,
    MERGER_OUTCOMES,
    MERGER_STAGES,
    DatePrecision,
    DealType,
    DecisionStatus,
    EventKind,
    InquiryKind,
    PartyRole,
    Stage,
    Supersession,
    as_precise,
)

if TYPE_CHECKING:
    from demo.data import DealData, DemoData, EventData, InquiryData


@dataclass
class DemoLoadSummary:
    """What a load of the demo data found and did; rows counted over every model it writes."""

    companies: int = 0
    deals: int = 0
    inquiries: int = 0
    events: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"companies={self.companies} deals={self.deals} inquiries={self.inquiries} "
            f"events={self.events} created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged}"
        )


def demo_data_load(*, data: DemoData) -> DemoLoadSummary:
    """Write the demo companies, deals, inquiries and events; safe to run again.

    Rows are matched on natural keys (see `demo.data`), so a second run creates nothing,
    and a value corrected in the data updates its row. A row is saved only when a value differs,
    so an unchanged run adds no history either. Rows that are no longer in the data are left
    alone: editors may have added to the demo deals. All or nothing: one transaction.
    """
    regulators = {regulator.slug: regulator for regulator in Regulator.objects.all()}
    _check(data, regulator_slugs=set(regulators))
    summary = DemoLoadSummary(companies=len(data.companies), deals=len(data.deals))
    with transaction.atomic(), status_changes_unrecorded():
        companies = _load_companies(data, summary)
        for item in data.deals:
            _load_deal(item, companies=companies, regulators=regulators, summary=summary)
    return summary


def _load_companies(data: DemoData, summary: DemoLoadSummary) -> dict[str, Company]:
    companies: dict[str, Company] = {}
    # Groups first, so that a subsidiary can point at its parent.
    for item in sorted(data.companies, key=lambda c: bool(c.parent)):
        company = Company.objects.filter(slug=item.slug).first()
        companies[item.slug] = _save(
            summary,
            company or Company(slug=item.slug),
            name=item.name,
            country=item.country,
            website=item.website,
            ticker=item.ticker,
            description=item.description,
            parent_id=companies[item.parent].pk if item.parent else None,
        )
        seen = {name_key(item.name)}
        for alias in item.aliases:
            key = name_key(alias)
            if key in seen:  # "Microsoft Corp." is "Microsoft Corporation" under another form
                continue
            seen.add(key)
            existing = CompanyAlias.objects.filter(company=companies[item.slug], name_key=key)
            _save(
                summary,
                existing.first() or CompanyAlias(company=companies[item.slug]),
                name=alias,
            )
    return companies


def _load_deal(
    item: DealData,
    *,
    companies: dict[str, Company],
    regulators: dict[str, Regulator],
    summary: DemoLoadSummary,
) -> None:
    deal = _save(
        summary,
        Deal.objects.filter(slug=item.slug).first() or Deal(slug=item.slug),
        title=item.title,
        deal_type=item.deal_type,
        sector=item.sector,
        summary=item.summary,
        announced_on=_date(item.announced_on),
        completed_on=_date(item.completed_on),
        abandoned_on=_date(item.abandoned_on),
        unwound_on=_date(item.unwound_on),
        value=Decimal(item.value) if item.value else None,
        currency=item.currency,
    )
    for slug, role in item.parties:
        company = companies[slug]
        party = Party.objects.filter(deal=deal, company=company, role=role).first()
        _save(summary, party or Party(deal=deal, company=company, role=role))
    for event in item.events:
        _load_event(event, deal=deal, inquiry=None, summary=summary)

    concerned = [companies[slug] for slug, _ in item.parties]
    loaded: dict[tuple[str, str], Inquiry] = {}
    created: set[tuple[str, str]] = set()
    for inquiry_item in item.inquiries:
        key = (inquiry_item.regulator, inquiry_item.title)
        inquiry, is_new = _load_inquiry(
            inquiry_item, deal=deal, regulator=regulators[inquiry_item.regulator], summary=summary
        )
        loaded[key] = inquiry
        if is_new:
            created.add(key)
        linked = set(inquiry.companies.values_list("pk", flat=True))
        missing = [company for company in concerned if company.pk not in linked]
        if missing:  # add() of nothing would still write a history row
            inquiry.companies.add(*missing)
        for event in inquiry_item.events:
            _load_event(
                event,
                deal=deal if event.also_on_deal else None,
                inquiry=inquiry,
                summary=summary,
            )
        summary.inquiries += 1
        summary.events += len(inquiry_item.events)
    summary.events += len(item.events)
    # Supersession points at another inquiry of the deal: set once all of them exist. Linking
    # a row created by this very load completes its creation; it is not counted as an update.
    for inquiry_item in item.inquiries:
        if inquiry_item.superseded_by:
            key = (inquiry_item.regulator, inquiry_item.title)
            inquiry = loaded[key]
            superseding = loaded[inquiry_item.superseded_by]
            if inquiry.superseded_by_id != superseding.pk:
                inquiry.superseded_by = superseding
                inquiry.save()
                if key not in created:
                    summary.updated += 1


def _load_inquiry(
    item: InquiryData, *, deal: Deal, regulator: Regulator, summary: DemoLoadSummary
) -> tuple[Inquiry, bool]:
    """The inquiry written, and whether this load created it."""
    # A case reference is unique per regulator; a reference added later still finds the row
    # first created without one, by its title.
    inquiry = None
    if item.reference:
        inquiry = Inquiry.objects.filter(regulator=regulator, reference=item.reference).first()
    if inquiry is None:
        inquiry = Inquiry.objects.filter(deal=deal, regulator=regulator, title=item.title).first()
    saved = _save(
        summary,
        inquiry or Inquiry(),
        deal_id=deal.pk,
        regulator_id=regulator.pk,
        title=item.title,
        reference=item.reference,
        kind=item.kind,
        stage=item.stage,
        outcome=item.outcome,
        status_wording=item.status_wording,
        opened_on=_date(item.opened_on),
        deadline_on=_date(item.deadline_on),
        closed_on=_date(item.closed_on, item.closed_on_precision),
        closed_on_precision=item.closed_on_precision,
        decision_status=item.decision_status,
        decision_status_on=_date(item.decision_status_on),
        decision_status_note=item.decision_status_note,
        supersession=item.supersession,
        court_approval_pending=item.court_approval_pending,
        checked_on=_date(item.checked_on),
        source_url=item.source_url,
        summary=item.summary,
    )
    return saved, inquiry is None


def _load_event(
    item: EventData, *, deal: Deal | None, inquiry: Inquiry | None, summary: DemoLoadSummary
) -> Event:
    occurred_on = _date(item.on, item.precision)  # as stored: a month's last day
    event = Event.objects.filter(
        deal=deal, inquiry=inquiry, occurred_on=occurred_on, title=item.title
    ).first()
    return _save(
        summary,
        event or Event(deal=deal, inquiry=inquiry, occurred_on=occurred_on, title=item.title),
        kind=item.kind,
        precision=item.precision,
        text=item.text,
        source_url=item.source_url,
        deadline_on=_date(item.deadline_on),
    )


_M = TypeVar("_M", bound=models.Model)


def _save(counts: DemoLoadSummary, obj: _M, /, **values: Any) -> _M:
    """Save `obj` with `values` if it is new or one of them differs, and count what happened."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if obj.pk is None:
        obj.save()
        counts.created += 1
    elif changed:
        obj.save()
        counts.updated += 1
    else:
        counts.unchanged += 1
    return obj


def _date(value: str | None, precision: str = DatePrecision.DAY) -> datetime.date | None:
    """The date as the model stores it: a month-precise one ("2026-05", or any day of the
    month) is the month's last day, so that the natural key finds the stored row."""
    if not value:
        return None
    if precision == DatePrecision.MONTH and len(value) == len("YYYY-MM"):
        value = f"{value}-01"
    return as_precise(datetime.date.fromisoformat(value), precision)


class _Problems(list[str]):
    """What is wrong with the data, one line each."""

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.append(message)

    def check_date(self, value: str | None, where: str, precision: str = DatePrecision.DAY) -> None:
        if precision not in DatePrecision.values:
            self.append(f"{where}: unknown date precision {precision!r}")
            return
        try:
            _date(value, precision)
        except ValueError:
            known = "YYYY-MM-DD or YYYY-MM" if precision == DatePrecision.MONTH else "YYYY-MM-DD"
            self.append(f"{where}: {value!r} is not a {known} date")

    def check_event(self, event: EventData, where: str) -> None:
        where = f"{where}, event {event.title!r}"
        self.check(event.kind in EventKind.values, f"{where}: unknown kind {event.kind!r}")
        self.check(event.source_url.startswith(("https://", "http://")), f"{where}: no source")
        self.check_date(event.on, where, event.precision)
        self.check_date(event.deadline_on, f"{where}, its deadline")


def _check(data: DemoData, *, regulator_slugs: set[str]) -> None:
    """Refuse data with an unknown choice, slug or date before anything is written."""
    problems = _Problems()
    check = problems.check
    company_slugs = {company.slug for company in data.companies}
    check(len(company_slugs) == len(data.companies), "a company slug is used twice")
    groups = {company.slug for company in data.companies if not company.parent}
    for company in data.companies:
        check(
            not company.parent or company.parent in groups,
            f"company {company.slug}: parent {company.parent!r} is unknown or has a parent itself",
        )
    check(len({deal.slug for deal in data.deals}) == len(data.deals), "a deal slug is used twice")
    references: set[tuple[str, str]] = set()
    for deal in data.deals:
        where = f"deal {deal.slug}"
        check(deal.deal_type in DealType.values, f"{where}: unknown type {deal.deal_type!r}")
        check((deal.value is None) == (not deal.currency), f"{where}: a value needs its currency")
        for value in (deal.announced_on, deal.completed_on, deal.abandoned_on, deal.unwound_on):
            problems.check_date(value, where)
        check(not deal.unwound_on or deal.completed_on, f"{where}: unwound but never completed")
        for slug, role in deal.parties:
            check(slug in company_slugs, f"{where}: unknown company {slug!r}")
            check(role in PartyRole.values, f"{where}: unknown role {role!r}")
        for event in deal.events:
            problems.check_event(event, where)
        titles: set[tuple[str, str]] = set()
        for inquiry in deal.inquiries:
            at = f"{where}, {inquiry.regulator} inquiry {inquiry.title!r}"
            check(inquiry.regulator in regulator_slugs, f"{at}: unknown regulator")
            check((inquiry.regulator, inquiry.title) not in titles, f"{at}: title used twice")
            titles.add((inquiry.regulator, inquiry.title))
            if inquiry.reference:
                key = (inquiry.regulator, inquiry.reference)
                check(key not in references, f"{at}: reference used twice")
                references.add(key)
            _check_inquiry(problems, inquiry, deal=deal, at=at)
    if problems:
        raise ValueError("Demo data is not valid:\n" + "\n".join(problems))


def _check_inquiry(problems: _Problems, inquiry: InquiryData, *, deal: DealData, at: str) -> None:
    """One inquiry's choices, supersession, dates and events; `at` says which, in messages."""
    check = problems.check
    check(inquiry.kind in InquiryKind.values, f"{at}: unknown kind {inquiry.kind!r}")
    conduct = inquiry.kind == InquiryKind.CONDUCT
    stages = CONDUCT_STAGES if conduct else MERGER_STAGES
    outcomes = CONDUCT_OUTCOMES if conduct else MERGER_OUTCOMES
    check(inquiry.stage in stages, f"{at}: stage {inquiry.stage!r} not of its kind")
    check(
        not inquiry.outcome or inquiry.outcome in outcomes,
        f"{at}: outcome {inquiry.outcome!r} not of its kind",
    )
    check(
        inquiry.decision_status in DecisionStatus.values,
        f"{at}: unknown decision status {inquiry.decision_status!r}",
    )
    check(
        inquiry.decision_status == DecisionStatus.IN_FORCE or bool(inquiry.outcome),
        f"{at}: only a decision can be under appeal, annulled or withdrawn",
    )
    check(
        bool(inquiry.superseded_by) == bool(inquiry.supersession)
        and (not inquiry.supersession or inquiry.supersession in Supersession.values),
        f"{at}: superseded_by and supersession go together",
    )
    check(
        not inquiry.superseded_by
        or tuple(inquiry.superseded_by) in {(i.regulator, i.title) for i in deal.inquiries},
        f"{at}: superseded by an inquiry the deal does not have",
    )
    for value in (inquiry.decision_status_on, inquiry.checked_on):
        problems.check_date(value, at)
    check(
        not inquiry.outcome or inquiry.stage == Stage.CLOSED,
        f"{at}: an inquiry with an outcome is closed (stage 'closed'), as ingest has it",
    )
    check(inquiry.source_url.startswith(("https://", "http://")), f"{at}: no source")
    for value in (inquiry.opened_on, inquiry.deadline_on):
        problems.check_date(value, at)
    problems.check_date(inquiry.closed_on, at, inquiry.closed_on_precision)
    for event in inquiry.events:
        problems.check_event(event, at)
