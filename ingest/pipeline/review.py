"""The review queue: what an editor does with a record ingest could not place with confidence
(attach it to a deal or inquiry, make a deal of it, dismiss it), and the deals it suggests."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from deals.models import Company, Deal, Event, Inquiry, Regulator
from deals.vocabulary import DealLife, EventKind, InquiryKind

from ..models import RawRecord, ReviewStatus
from ..sources import get_source, sec_edgar
from ..sources.base import EventRecord
from .batch import Batch
from .cases import events_apply
from .press import companies_mentioned, match_reasons, press_action, ranked_deals


def suggested_deals(*, record: RawRecord, limit: int = 5) -> list[Deal]:
    """The editor's shortlist: deals involving companies the record names, most named first.

    Stored on the record at ingest (`suggested`); computed here only for a record stored
    before that.
    """
    if record.source == sec_edgar.NAME:
        return filing_deals(record=record)[:limit]
    ids = record.suggested_ids[:limit]
    if not ids and record.review_status == ReviewStatus.PENDING and not record.suggestion_score:
        mentioned = companies_mentioned(f"{record.title}\n{record.summary}")
        ids = [deal for deal, _ in ranked_deals(mentioned, limit=limit)]
    by_id = Deal.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def filing_companies(record: RawRecord) -> list[Company]:
    """The companies an SEC filing is about: those carrying its CIK (stored padded or not)."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    cik = sec_edgar.cik_digits(payload.get("cik"))
    if not cik:
        return []
    return list(Company.objects.filter(cik__in={cik, cik.lstrip("0")}).order_by("pk"))


def filing_deals(*, record: RawRecord) -> list[Deal]:
    """An SEC filing's suggestions: the open deals (neither completed, abandoned nor unwound)
    its company is a party to, newest first. Never applied on their own: an editor attaching
    the filing to one accepts it (`record_attach`)."""
    companies = filing_companies(record)
    if not companies:
        return []
    deals = Deal.objects.in_life([DealLife.ANNOUNCED]).filter(parties__company__in=companies)
    return list(deals.distinct().order_by("-announced_on", "-pk"))


def filing_reason(record: RawRecord, deal: Deal) -> str:
    """Why an SEC filing is suggested for `deal`, and what attaching it does there."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    names = ", ".join(company.name for company in filing_companies(record))
    said = ", ".join(sec_edgar.items_of(payload.get("items"))) or "?"
    dates = sec_edgar.accepted_dates(payload)
    if "completed_on" in dates:
        does = f"attaching it sets the deal's completion date to {dates['completed_on']}"
    elif "abandoned_on" in dates:
        does = f"attaching it sets the deal's abandonment date to {dates['abandoned_on']}"
    else:
        does = "attaching it puts it on the deal's timeline; set any dates by hand"
    if dates and any(getattr(deal, name) for name in ("completed_on", "abandoned_on")):
        does = "the deal already ended: attaching it puts it on the timeline only"
    return f"8-K item {said} by {names}, a party to this open deal: {does}."


def suggestions_explained(*, record: RawRecord, limit: int = 5) -> list[tuple[Deal, str]]:
    """The editor's shortlist, each deal with why it is there ("matched 'Microsoft' in the
    title")."""
    deals = suggested_deals(record=record, limit=limit)
    if record.source == sec_edgar.NAME:
        return [(deal, filing_reason(record, deal)) for deal in deals]
    reasons = match_reasons(
        title=record.title, text=record.summary, deal_ids=[deal.pk for deal in deals]
    )
    return [(deal, reasons.get(deal.pk, "")) for deal in deals]


def _reviewed(record: RawRecord, status: str, user) -> None:
    record.review_status = status
    record.reviewed_by = user if getattr(user, "pk", None) else None
    record.reviewed_at = timezone.now()
    record.save()


def _press_event(raw: RawRecord, *, kind: str = EventKind.PRESS) -> EventRecord:
    return EventRecord(
        key="press",
        occurred_on=raw.published_on or timezone.localdate(),
        kind=kind,
        title=raw.title[:300],
        text=raw.summary,
        source_url=raw.url,
    )


@transaction.atomic
def record_attach(
    *,
    record: RawRecord,
    user,
    deal: Deal | None = None,
    inquiry: Inquiry | None = None,
    event_kind: str = EventKind.PRESS,
) -> None:
    """Put a reviewed record where it belongs: its inquiry under `deal`, or its press release
    on the timeline of `deal` or `inquiry` (as an event of `event_kind`)."""
    if (deal is None) == (inquiry is None):
        raise ValueError("attach to exactly one deal or one inquiry")
    record = RawRecord.objects.select_for_update().get(pk=record.pk)
    if record.inquiry_id and deal is not None:
        case = record.inquiry
        case.deal = deal
        case.save()
        record.deal = deal
    elif record.inquiry_id and inquiry is not None:
        _case_move(record, inquiry)
    else:
        events = events_apply(
            [_press_event(record, kind=event_kind)],
            mapped=record.mapped.get("events", {}),
            conflicts=record.conflicts,
            batch=Batch(),
            inquiry=inquiry,
            deal=deal,
        )
        record.mapped = {**record.mapped, "events": events}
        record.deal = deal if deal is not None else inquiry.deal
        record.inquiry = inquiry
    if record.source == sec_edgar.NAME and deal is not None:
        filing_accept(record, deal)
    _reviewed(record, ReviewStatus.ATTACHED, user)


def filing_accept(record: RawRecord, deal: Deal) -> dict:
    """An editor attached an SEC filing to `deal`: a 2.01 (completion) sets the deal's
    completion date, a 1.02 (termination) its abandonment date, to the filing date; a deal
    already completed, abandoned or unwound is left alone. Returns what was set (kept on the
    record's `mapped`)."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    ended = any(getattr(deal, name) for name in ("completed_on", "abandoned_on", "unwound_on"))
    dates = {} if ended else sec_edgar.accepted_dates(record.payload)
    if dates:
        for name, value in dates.items():
            setattr(deal, name, value)
        deal.save()
        record.mapped = {
            **record.mapped,
            "accepted": {name: value.isoformat() for name, value in dates.items()},
        }
    return dates


def _case_move(record: RawRecord, inquiry: Inquiry) -> None:
    """Make a case record feed an inquiry an editor already had, instead of the one ingest made.

    Its events move over; the inquiry ingest made is deleted if no editor has checked it yet.
    """
    made = record.inquiry
    event_ids = list(record.mapped.get("events", {}).values())
    for event in Event.objects.filter(pk__in=event_ids, inquiry=made):
        event.inquiry = inquiry
        event.save()
    if made.pk != inquiry.pk and made.needs_review and not made.events.exists():
        made.delete()
    record.inquiry = inquiry
    record.deal = inquiry.deal
    record.mapped = {**record.mapped, "inquiry": inquiry.pk}


@transaction.atomic
def record_create_deal(*, record: RawRecord, user) -> Deal:
    """A new deal from a record, with the record attached to it: unpublished and marked for
    review, until an editor has added its parties and publishes it (the deal admin refuses to
    publish a deal without parties).

    A regulator's own release saying what the regulator did ("FTC Challenges ... Deal": a suit
    to block) gives the deal that regulator's review at that stage, marked for review, with the
    release as its event: the deal page does not say that no regulator has looked at it."""
    title = record.title
    for suffix in (" merger inquiry", " Merger Inquiry"):
        title = title.removesuffix(suffix)
    deal = Deal.objects.create(
        title=title[:255] or f"{record.source} {record.external_id}",
        summary=record.summary[:2000],
        needs_review=True,
        is_published=False,
    )
    inquiry = None if record.inquiry_id else _regulator_review(record, deal)
    if inquiry is not None:
        action = press_action(title=record.title, text=record.summary)
        record_attach(record=record, user=user, inquiry=inquiry, event_kind=action.event_kind)
    else:
        record_attach(record=record, user=user, deal=deal)
    _reviewed(RawRecord.objects.get(pk=record.pk), ReviewStatus.DEAL_CREATED, user)
    return deal


def _regulator_review(record: RawRecord, deal: Deal) -> Inquiry | None:
    """The review a regulator's own release says it is at, made on `deal`; None when the
    release says no such thing or its source is no regulator we know."""
    action = press_action(title=record.title, text=record.summary)
    if action is None:
        return None
    try:
        slug = get_source(record.source).REGULATOR
    except KeyError:
        return None
    regulator = Regulator.objects.filter(slug=slug).first()
    if regulator is None:
        return None
    return Inquiry.objects.create(
        deal=deal,
        regulator=regulator,
        kind=InquiryKind.MERGER_REVIEW,
        stage=action.stage,
        status_wording=record.title[:500],  # the regulator's own words
        source_url=record.url[:500],
        needs_review=True,
    )


def record_dismiss(*, record: RawRecord, user) -> None:
    """Take a record out of the queue for good; later runs leave it alone."""
    _reviewed(record, ReviewStatus.DISMISSED, user)
