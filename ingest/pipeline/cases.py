"""Cases: a case record becomes an inquiry, maybe a deal with its parties, and timeline events.

The inquiry is found by case number or address (or made, for review), its deal is the one it
has, the one existing deal between the record's parties, or a new one for review; fields are
merged as `applied` allows, so that an editor's correction stays.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q

from deals.models import Company, Deal, Event, Inquiry, Party, Regulator
from deals.names import name_key, split_name

from ..models import RawRecord, ReviewStatus
from ..sources.base import CaseRecord, EventRecord
from .applied import applied_of, applied_store, jsonable, merge, status_held
from .batch import Batch, company_names
from .companies import companies_matching_all, company_for


def case_apply(raw: RawRecord, record: CaseRecord, *, batch: Batch) -> None:
    """Find or make the record's inquiry, link or make its deal, merge the fields, add events."""
    regulator = batch.regulator(record.inquiry.regulator)
    _lock_companies(record, batch=batch)
    mapped, conflicts = dict(raw.mapped), dict(raw.conflicts)

    inquiry = _find_inquiry(raw, record, regulator, batch=batch)
    if inquiry is None and "inquiry" in mapped:
        # Ingest made an inquiry for this record before and an editor deleted it: respect that.
        raw.mapped, raw.conflicts = mapped, conflicts
        return
    created = inquiry is None
    if created:
        inquiry = Inquiry(regulator=regulator, needs_review=True)

    deal, review_note = _case_deal(record, inquiry=inquiry, mapped=mapped, batch=batch)
    if deal is not None and record.deal:
        _add_parties(deal, record, batch=batch)
        mapped["deal"] = deal.pk
        raw.deal = deal
    _inquiry_merge(inquiry, record, deal=deal, created=created, conflicts=conflicts, batch=batch)
    batch.inquiry_known(inquiry)
    batch.note_id(mapped, "inquiry", inquiry)
    raw.inquiry = inquiry

    mapped["events"] = events_apply(
        record.events,
        mapped=mapped.get("events", {}),
        conflicts=conflicts,
        batch=batch,
        inquiry=inquiry,
        fresh=created,
    )

    if review_note and not inquiry.deal_id and raw.review_status == ReviewStatus.NONE:
        raw.review_status, raw.review_note = ReviewStatus.PENDING, review_note[:300]
    elif inquiry.deal_id and raw.review_status == ReviewStatus.PENDING:
        raw.review_status, raw.review_note = ReviewStatus.NONE, ""
    raw.mapped, raw.conflicts = mapped, conflicts


def _find_inquiry(
    raw: RawRecord, record: CaseRecord, regulator: Regulator, *, batch: Batch
) -> Inquiry | None:
    """The inquiry the record is about, locked: two notices of one case apply one at a time."""
    inquiries = Inquiry.objects.select_for_update()
    if raw.inquiry_id:
        return inquiries.filter(pk=raw.inquiry_id).first()
    wanted = record.inquiry
    absent = batch.no_inquiry
    if wanted.reference and (regulator.slug, "reference", wanted.reference) not in absent:
        found = inquiries.filter(regulator=regulator, reference=wanted.reference).first()
        if found:
            return found
    if wanted.source_url and (regulator.slug, "source_url", wanted.source_url) not in absent:
        return inquiries.filter(regulator=regulator, source_url=wanted.source_url).first()
    return None


def _find_deal(record: CaseRecord, *, batch: Batch) -> tuple[Deal | None, str]:
    """The one existing deal between all of the record's parties, if there is exactly one."""
    companies = []
    matched = companies_matching_all((party.name for party in record.deal.parties), batch=batch)
    for party in record.deal.parties:
        matches = matched[party.name]
        if not matches:
            return None, ""
        exact = [c for c in matches if c.name_key == name_key(split_name(party.name)[0])]
        if len(exact if exact else matches) > 1:
            names = "; ".join(c.name for c in matches[:3])
            return None, f"{party.name!r} may be any of {names}: attach it to the right deal."
        companies.append(matches[0].pk if not exact else exact[0].pk)
    if batch.pending_parties & set(companies):
        batch.write_pending()  # a deal this batch made with them, whose parties are held back
    deals = Deal.objects.all()
    for company in set(companies):
        deals = deals.filter(parties__company=company)
    found = list(deals.distinct()[:3])
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        titles = "; ".join(deal.title for deal in found)
        return None, f"Several deals involve these companies ({titles}): attach it to one."
    return None, ""


def _lock_companies(record: CaseRecord, *, batch: Batch) -> None:
    """Take every company-name lock this record may need now, in one order, so that two runs
    applying records with the same companies in another order cannot deadlock."""
    names = company_names(record)
    batch.lock(sorted({f"company:{name_key(split_name(name)[0])}" for name in names}))


def _case_deal(
    record: CaseRecord, *, inquiry: Inquiry, mapped: dict, batch: Batch
) -> tuple[Deal | None, str]:
    """The inquiry's deal: the one it has, the one existing deal between the record's parties,
    or a new one for review; with the note for the review queue when none can be told."""
    if inquiry.deal_id:
        return inquiry.deal, record.review_note
    if not record.deal or "deal" in mapped:
        return None, record.review_note
    deal, review_note = _find_deal(record, batch=batch)
    if deal is None and not review_note:
        deal = Deal(
            title=record.deal.title,
            deal_type=record.deal.deal_type,
            announced_on=record.deal.announced_on,
            needs_review=True,
            is_published=settings.INGEST_PUBLISH_NEW_DEALS,
        )
        deal.save()
        batch.deals_made_now.add(deal.pk)
        applied_store(deal, {"title": deal.title, "deal_type": deal.deal_type}, batch=batch)
    return deal, review_note


def _inquiry_merge(
    inquiry: Inquiry,
    record: CaseRecord,
    *,
    deal: Deal | None,
    created: bool,
    conflicts: dict,
    batch: Batch,
) -> None:
    """Write the record's fields that ingest may write (`merge`), and its companies."""
    wanted = record.inquiry
    applied = {} if created else applied_of(inquiry, batch=batch)
    fields = {
        "title": wanted.title,
        "reference": wanted.reference,
        "kind": wanted.kind,
        "stage": wanted.stage,
        "outcome": wanted.outcome,
        "status_wording": wanted.status_wording,
        "opened_on": wanted.opened_on,
        "deadline_on": wanted.deadline_on,
        "closed_on": wanted.closed_on,
        "source_url": wanted.source_url,
        "summary": wanted.summary,
    }
    # Said only by the sources that know them: another source's silence changes nothing.
    for name in ("procedure", "legal_basis", "phase_2_start_unknown"):
        if getattr(wanted, name):
            fields[name] = getattr(wanted, name)
    if not created:
        fields = {name: value for name, value in fields.items() if name not in wanted.unknown}
        fields = status_held(inquiry, fields, applied=applied, created=created, conflicts=conflicts)
    if deal is not None:
        fields["deal_id"] = deal.pk
    changed = merge(
        inquiry, fields, applied=applied, created=created, conflicts=conflicts, label="inquiry"
    )
    if changed or created:
        batch.save(inquiry)  # a new one may be held back, to be inserted in bulk
    added = set(applied.get("companies", []))
    new_names = [name for name in wanted.companies if name not in added]
    if new_names:
        companies = [company_for(name, batch=batch) for name in new_names]
        _companies_add(inquiry, companies, created=created, batch=batch)
        applied["companies"] = sorted(added | set(new_names))
    applied_store(inquiry, applied, batch=batch)


def _companies_add(
    inquiry: Inquiry, companies: list[Company], *, created: bool, batch: Batch
) -> None:
    """Link an inquiry's companies: those of an inquiry a batch made with the batch's, when it
    ends (`inquiries_companies_add`), instead of a history row and four queries each."""
    if created and batch.deferred:
        batch.links_now.append((inquiry, companies))
    else:
        inquiry.companies.add(*companies)


def _add_parties(deal: Deal, record: CaseRecord, *, batch: Batch) -> None:
    """Add the record's parties ingest has not added before to a deal ingest created.

    The parties of an editor's deal are the editor's: ingest does not touch them.
    """
    applied = applied_of(deal, batch=batch)
    if "title" not in applied:
        return
    added = {tuple(pair) for pair in applied.get("parties", [])}
    # A deal its record just made has no parties but those it adds: held back to be inserted in
    # bulk while the record is, without a look for each first.
    made = batch.holding and deal.pk in batch.deals_made_now
    held = set()
    if made:
        held = {
            (p.company_id, p.role)
            for p in batch.pending
            if isinstance(p, Party) and p.deal_id == deal.pk
        }
    for party in record.deal.parties:
        key = (name_key(party.name), party.role)
        if key in added:
            continue
        company = company_for(party.name, batch=batch)
        if not made:
            Party.objects.get_or_create(deal=deal, company=company, role=party.role)
        elif (company.pk, party.role) not in held:
            batch.save(Party(deal=deal, company=company, role=party.role))
            batch.pending_parties.add(company.pk)
            held.add((company.pk, party.role))
        added.add(key)
    applied["parties"] = sorted(list(pair) for pair in added)
    applied_store(deal, applied, batch=batch)


def events_apply(
    events: Iterable[EventRecord],
    *,
    mapped: dict[str, int],
    conflicts: dict,
    batch: Batch,
    inquiry: Inquiry | None = None,
    deal: Deal | None = None,
    fresh: bool = False,
) -> dict[str, int]:
    """Create the events not seen before, update those ingest still owns; returns key -> id.

    An event ingest created and an editor deleted is not created again. `fresh`: the inquiry
    was created just now, so its only events are those made here.
    """
    mapped = dict(mapped)
    made: dict[tuple, Event] = {}
    for wanted in events:
        fields = {
            "occurred_on": wanted.occurred_on,
            "kind": wanted.kind,
            "title": wanted.title[:300],
            "text": wanted.text,
            "source_url": wanted.source_url[:500],
        }
        if wanted.key in mapped:
            event = Event.objects.filter(pk=mapped[wanted.key]).first()
            if event is not None:
                _event_update(event, fields, key=wanted.key, conflicts=conflicts, batch=batch)
            continue
        target = {"inquiry": inquiry} if inquiry is not None else {"deal": deal}
        day_title = (wanted.occurred_on, fields["title"])
        same = made.get(day_title) if fresh else _same_event(target, wanted, title=day_title[1])
        if isinstance(same, Event):  # made here (maybe held back: its id noted when inserted)
            batch.note_id(mapped, wanted.key, same)
            continue
        if same is not None:  # already on the timeline (another notice of the same deal)
            mapped[wanted.key] = same
            continue
        event = Event(**target, **fields)
        batch.save(event)  # held back with its new inquiry, to be inserted in bulk
        applied_store(event, {name: jsonable(value) for name, value in fields.items()}, batch=batch)
        batch.note_id(mapped, wanted.key, event)
        made[day_title] = event
    return mapped


# Kinds of event that are one fact on their day: an editor's "Phase 2 opened" and a source's
# "Art. 6(1)(c)" of the same day are the same event, kept once (the editor's).
ONE_A_DAY = frozenset(
    {"notified", "phase_1_opened", "phase_2_opened", "decision", "abandoned", "lawsuit"}
)


def _same_event(target: dict, wanted: EventRecord, *, title: str) -> int | None:
    """The event already on the timeline that `wanted` records: same day and title, else (for
    the kinds in ONE_A_DAY) same day and kind."""
    found = Event.objects.filter(**target, occurred_on=wanted.occurred_on)
    if wanted.kind in ONE_A_DAY:
        found = found.filter(Q(title=title) | Q(kind=wanted.kind))
    else:
        found = found.filter(title=title)
    rows = list(found.values_list("pk", "title")[:5])
    return next((pk for pk, seen in rows if seen == title), rows[0][0] if rows else None)


def _event_update(event: Event, fields: dict, *, key: str, conflicts: dict, batch: Batch) -> None:
    applied = applied_of(event, batch=batch)
    label = f"event {key}"
    if merge(event, fields, applied=applied, created=False, conflicts=conflicts, label=label):
        event.save()
    applied_store(event, applied, batch=batch)
