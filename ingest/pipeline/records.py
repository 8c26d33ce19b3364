"""Records: each parsed record stored raw (one RawRecord per source and id) and applied, batch
by batch, one transaction per batch; a bad record is counted and reported, never fatal.

A batch is applied the fast way first (companies created in advance, the new rows of new cases
inserted in bulk, no savepoint per record); a record that fails then rolls the batch back, and it
is applied again the careful way, each record in a savepoint of its own (`batch_ingest`).

Every record is cleaned of what is not text (deals/text.py: control characters, U+FFFE and
U+FFFF) before anything of it is read, whatever its source's parser let through; a record that
held any is applied without them and listed in the run's problems with a warning
(`record_clean`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from deals.derived import derived_fields_deferred
from deals.text import data_clean, not_text_in, text_clean
from deals.vocabulary import LegalBasis, Procedure, status_errors

from ..models import RawRecord
from ..sources import get_source
from ..sources.base import (
    BadRecord,
    CaseRecord,
    InquiryRecord,
    Parsed,
    PressRecord,
    Skipped,
    Unparsed,
    canonical_json,
    content_hash,
)
from .batch import BATCH_SIZE, Batch, BulkFailed, company_names, lock_keys
from .cases import case_apply
from .companies import companies_bulk_create
from .press import press_apply

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass
class Tally:
    """What a run counted, record by record: the figures of its summary line."""

    records: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    # {id, reason} of each record skipped or failed, and of each applied with a warning (its
    # reason starts "warning:"): the run keeps them (IngestRun.problems), the command prints them.
    problems: list[dict] = field(default_factory=list)


def record_hash(*, source: str, record: CaseRecord | PressRecord | Unparsed) -> str:
    """What decides whether a record is applied again: its content and its source's mapping
    (stored as RawRecord.content_hash).

    Bumping a source's MAPPING_VERSION changes every hash of that source once, so the next run
    applies every record again through the new table (docs/ingest.md).
    """
    version = get_source(source).MAPPING_VERSION
    # Hashed as stored, cleaned (`record_clean`): a record served with a control character is
    # unchanged on the next run, and a lone surrogate (a JSON escape) cannot fail the hash. Most
    # records are clean, told from the string that is hashed anyway.
    canonical = canonical_json({"mapping_version": version, "record": record.raw})
    if _JSON_NOT_TEXT.search(canonical):
        return content_hash({"mapping_version": version, "record": data_clean(record.raw)})
    return hashlib.sha256(canonical.encode()).hexdigest()


# In a record's JSON: an escaped control character other than tab, newline and CR, or a
# surrogate or non-character as it stands. A backslash of the text before "u0001" is a false
# alarm, which only costs the slow look.
_JSON_NOT_TEXT = re.compile(r"\\u00[01][0-9a-fA-F]|\\[bf]|[\ud800-\udfff\ufffe\uffff]")


def raw_clean(raw: Any) -> Any:
    """A record's raw payload cleaned of what is not text; `raw` itself when it holds none
    (told from its JSON, which is quicker than walking it: most records are clean)."""
    if not _JSON_NOT_TEXT.search(json.dumps(raw, ensure_ascii=False)):
        return raw
    return data_clean(raw)


WARNING = "warning: applied without the characters that are not text ({found}) in {where}"


def record_clean(record: Parsed) -> tuple[Parsed, str]:
    """`record` with every string in it (its fields, its events, its raw payload) cleaned of
    what is not text, and the warning to list for it ("" when it was clean).

    Removed, not refused: one stray control character in a regulator's title is no reason to
    leave the case out, and the run's problems say which record had it and where.
    """
    found: dict[str, list[str]] = {}
    cleaned = _cleaned(record, "", found)
    if not found:
        return record, ""
    codes = list(dict.fromkeys(code for codes in found.values() for code in codes))
    places = list(found)
    where = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
    return cleaned, WARNING.format(found=", ".join(codes), where=where)


def _cleaned(value: Any, path: str, found: dict[str, list[str]]) -> Any:
    if isinstance(value, str):
        codes = not_text_in(value)
        if not codes:
            return value
        found.setdefault(path, []).extend(codes)
        return text_clean(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in dataclasses.fields(value):
            old = getattr(value, item.name)
            where = f"{path}.{item.name}" if path else item.name
            if item.name == "raw":
                new = raw_clean(old)
                if new is not old and new != old:
                    found.setdefault("the record as served", []).extend(_codes_in(old))
            else:
                new = _cleaned(old, where, found)
            if new is not old:
                changes[item.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_cleaned(item, f"{path}[{n}]", found) for n, item in enumerate(value))
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _codes_in(data: Any) -> list[str]:
    if isinstance(data, str):
        return not_text_in(data)
    if isinstance(data, dict):
        return [code for key, item in data.items() for code in _codes_in(key) + _codes_in(item)]
    if isinstance(data, list | tuple):
        return [code for item in data for code in _codes_in(item)]
    return []


def batches(records: Iterable[Parsed]) -> Iterator[list[Parsed]]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_ingest(*, source: str, records: list[Parsed], tally: Tally) -> None:
    """Apply a batch of records in one transaction, each in a savepoint of its own.

    Every lock the batch needs is taken first, in one order (two runs cannot deadlock), the
    companies its names may match are read in one go, the companies it will create are created
    in one insert when that can be told in advance (`companies_bulk_create`), and the derived
    fields of the deals and inquiries it touched are refreshed once, before it commits.

    Applied the fast way first: companies created in advance, the new inquiries, events,
    parties and raw records of new cases inserted in bulk (`Batch.write_pending`), and no
    savepoint per record (two queries each). A record that fails then would leave behind what
    it wrote, and its companies, which applying it on its own does not: the batch is rolled back
    and applied again the careful way, each record in a savepoint, saving as it goes.
    """
    cleaned = [record_clean(record) for record in records]
    records = [record for record, _ in cleaned]
    before = Tally(**{**vars(tally), "problems": list(tally.problems)})
    try:
        _batch_apply(source, records, tally, bulk=True)
    except BulkFailed:
        for name, value in vars(before).items():
            setattr(tally, name, value)
        _batch_apply(source, records, tally, bulk=False)
    tally.problems += [
        {"id": record.external_id, "reason": warning} for record, warning in cleaned if warning
    ]
    tally.problems += [
        {"id": record.external_id, "reason": f"warning: {warning}"}
        for record in records
        if isinstance(record, CaseRecord)
        for warning in record.warnings
    ]


def _batch_apply(source: str, records: list[Parsed], tally: Tally, *, bulk: bool) -> None:
    cases = [record for record in records if isinstance(record, CaseRecord)]
    failed = tally.errors + tally.skipped + sum(isinstance(r, Skipped) for r in records)
    batch = Batch(deferred=True, savepoints=not bulk)
    with transaction.atomic(), derived_fields_deferred():
        batch.lock(sorted({key for record in records for key in lock_keys(source, record)}))
        batch.batch_locked = set(batch.locked)
        names = [name for record in cases for name in company_names(record)]
        batch.companies(names)
        batch.read_slugs(names)
        batch.read_records(source, records)
        batch.read_inquiries(cases)
        created = companies_bulk_create(source=source, records=records, batch=batch) if bulk else 0
        for record in records:
            may_find = batch.may_find_made_inquiry(source, record)
            # A new case whose inquiry is new holds its new rows back, to be inserted in bulk;
            # anything else first writes what is held back, so that it reads what it would
            # read had every record before it been saved one by one.
            batch.holding = bulk and isinstance(record, CaseRecord) and not may_find
            batch.deals_made_now.clear()
            if not batch.holding and not isinstance(record, Skipped):
                batch.write_pending()
            if batch.links and may_find:
                batch.store_links()  # its history row shows them, as if each were linked at once
            record_ingest(source=source, record=record, tally=tally, batch=batch)
        batch.holding = False
        if created and tally.errors + tally.skipped > failed:
            raise BulkFailed
        batch.store_applied()  # and what is held back first


def record_ingest(*, source: str, record: Parsed, tally: Tally, batch: Batch | None = None) -> None:
    """Apply one parsed record and count what happened; never raises for one bad record."""
    tally.records += 1
    if isinstance(record, Skipped):
        tally.skipped += 1
        tally.problems.append({"id": record.external_id, "reason": record.reason})
        return
    try:
        outcome = record_apply(source=source, record=record, batch=batch)
    except BulkFailed:
        raise
    except BadRecord as exc:
        tally.skipped += 1
        tally.problems.append({"id": record.external_id, "reason": str(exc)})
        return
    except Exception as exc:  # one record must not stop the run; the run lists it
        logger.exception("ingest %s: record %s failed", source, record.external_id)
        tally.errors += 1
        tally.problems.append(
            {"id": record.external_id, "reason": f"{type(exc).__name__}: {exc}"[:500]}
        )
        return
    setattr(tally, outcome, getattr(tally, outcome) + 1)


def record_apply(
    *, source: str, record: CaseRecord | PressRecord, batch: Batch | None = None
) -> str:
    """Store `record` raw and apply it; returns "new", "changed" or "unchanged".

    BadRecord if the record is a case whose status is not ours (nothing is stored then). A
    concurrent run that inserted the same record or inquiry first makes this one hit a unique
    constraint; the whole record is then tried again and finds what the other run made.
    Outside a run (`batch` None) the record is applied on its own, writing at once.
    """
    if batch is None:  # a run's batches are cleaned as they come (batch_ingest)
        record, _ = record_clean(record)
    if isinstance(record, CaseRecord):
        inquiry_record_check(inquiry=record.inquiry)
    batch = batch or Batch()
    for attempt in range(3):
        try:
            with transaction.atomic(savepoint=batch.savepoints), derived_fields_deferred():
                outcome = _record_apply(source, record, batch=batch)
            batch.record_done()
            return outcome
        except IntegrityError:
            batch.forget()
            if not batch.savepoints:  # only rolling the batch back undoes what it wrote
                raise BulkFailed from None
            if attempt == 2:
                raise
        except BaseException as exc:
            batch.forget()
            if not batch.savepoints and isinstance(exc, Exception):
                raise BulkFailed from exc
            raise
    raise AssertionError("unreachable")


def inquiry_record_check(*, inquiry: InquiryRecord) -> None:
    """Refuse a kind, stage or outcome that is not a choice of ours or not of the kind's family.

    Sources map their vocabulary through their own tables; this is the last gate, so that no
    source, whatever its table says, can store a string the tracker does not know.
    """
    errors = status_errors(kind=inquiry.kind, stage=inquiry.stage, outcome=inquiry.outcome)
    if errors:
        values = {"kind": inquiry.kind, "stage": inquiry.stage, "outcome": inquiry.outcome}
        raise BadRecord(
            "; ".join(f"{name} {values[name]!r} refused: {text}" for name, text in errors.items())
        )
    for name, vocabulary in (("procedure", Procedure), ("legal_basis", LegalBasis)):
        value = getattr(inquiry, name)
        if value and value not in vocabulary.values:
            raise BadRecord(f"{name} {value!r} refused: not one of {', '.join(vocabulary.values)}")


def _record_apply(source: str, record: CaseRecord | PressRecord, *, batch: Batch) -> str:
    hash_now = record_hash(source=source, record=record)
    now = timezone.now()
    raw = batch.record(source, record.external_id)
    if raw is not None and raw.content_hash == hash_now:
        RawRecord.objects.filter(pk=raw.pk).update(last_seen_at=now)
        return UNCHANGED
    outcome = NEW if raw is None else CHANGED
    if raw is None:
        raw = RawRecord(source=source, external_id=record.external_id, first_seen_at=now)
    if raw.pk is None or raw.payload != record.raw:  # not when only the mapping changed
        raw.changed_at = now
    raw.content_hash = hash_now
    raw.payload = record.raw
    raw.title = record.title[:500]
    raw.url = record.url[:500]
    raw.published_on = record.published_on
    raw.last_seen_at = now
    # Saved first, a new record claims its row against a concurrent run; a batch holds a lock
    # on the record instead, and saves it once.
    claim = raw.pk is not None or not batch.batch_locked
    if isinstance(record, CaseRecord):
        raw.summary = record.inquiry.summary
        if claim:
            raw.save()
        case_apply(raw, record, batch=batch)
    else:
        raw.summary = record.text
        if claim:
            raw.save()
        press_apply(raw, record, batch=batch)
    batch.save(raw)  # a new one held back with its inquiry, when it makes one
    batch.records[(source, record.external_id)] = raw
    return outcome
