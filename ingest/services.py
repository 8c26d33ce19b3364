"""Ingest services: fetch a source, store its records raw, apply them to the tracker's models.

Rules the pipeline keeps, whoever runs it (the command, a Celery task, a test):

- One RawRecord per source and external id (a unique constraint). A record whose content hash
  is unchanged is not applied again: a re-run creates nothing and changes nothing. The hash
  covers the record and its source's MAPPING_VERSION, so a changed status table is applied to
  every stored record once, on the next run.
- A case whose kind, stage or outcome is not one of ours, or not of its kind's vocabulary
  (conduct or merger control), is a bad record: skipped with the reason, never stored.
- Records are applied in batches, one transaction each; a bad record is skipped and reported
  with its id, the rest goes in (a batch where one fails is applied again with every record in
  a savepoint of its own). A document that is unreadable or hostile is refused before anything
  is applied.
- A batch does its shared work once: every lock it needs taken up front in one order, stored
  records and companies read in one go, the companies it will create made in one insert when
  that can be told in advance (`companies_bulk_create`), derived fields refreshed once per deal
  when it ends (`derived_fields_deferred`), the companies of the inquiries it made linked and
  what ingest wrote (AppliedValues) stored in one insert each.
- Companies are matched by name and alternative names before one is created; what ingest
  creates is marked `needs_review`.
- An editor's correction is never overwritten: AppliedValues holds what ingest last wrote on each
  object, and a field is only written again while it still holds that value. Where the source
  now says something else than an editor, the record lists it in `conflicts`.
- Two runs at once are harmless: a batch locks its records, case numbers and company names
  before it reads them; the unique constraints on records and on (regulator, reference) make a
  loser retry all the same.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Model, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from deals.cache import content_changed
from deals.models import (
    Company,
    CompanyAlias,
    Deal,
    Event,
    Inquiry,
    Party,
    Regulator,
    derived_fields_deferred,
    inquiries_companies_add,
    slug_base,
    status_errors,
)
from deals.names import group_heads, name_key, possessive_owner, split_name
from deals.search import normalise_name

from .models import AppliedValues, IngestRun, RawRecord, ReviewStatus
from .sources import get_source, source_pages
from .sources.base import (
    BadRecord,
    CaseRecord,
    EventRecord,
    FetchPolicy,
    IngestError,
    InquiryRecord,
    Parsed,
    PressRecord,
    Skipped,
    Unparsed,
    content_hash,
)

logger = logging.getLogger(__name__)

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
Progress = Callable[[Iterable, int], Iterable]


# --- Runs ---------------------------------------------------------------------------------


@dataclass
class Tally:
    records: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    problems: list[dict] = field(default_factory=list)


def source_fetch(*, source: str) -> list[bytes]:
    """The documents `source` serves now, fetched within its own hosts (network)."""
    module = get_source(source)
    policy = FetchPolicy(
        hosts=module.HOSTS,
        timeout=settings.INGEST_HTTP_TIMEOUT,
        deadline=settings.INGEST_HTTP_DEADLINE,
        max_bytes=settings.INGEST_MAX_RESPONSE_BYTES,
        user_agent=f"Dealwatch ingest (+{settings.SITE_URL})",
    )
    pages = source_pages(source)
    with httpx.Client(follow_redirects=False) as client:
        return module.fetch(client=client, policy=policy, pages=pages)


def source_parse(*, source: str, documents: list[bytes]) -> list[Parsed]:
    """Every record of every document; RefusedDocument if any document is refused."""
    module = get_source(source)
    return [record for document in documents for record in module.parse(document)]


def ingest_run(
    *,
    source: str,
    documents: list[bytes] | None = None,
    trigger: str = "schedule",
    progress: Progress | None = None,
) -> IngestRun:
    """Fetch (unless `documents` are given), parse and apply one source; record the run.

    An IngestError for the whole run (refused document, failed fetch) is recorded on the run and
    raised again for the caller: the command prints it, the task retries transient ones.
    """
    get_source(source)  # an unknown source fails before a run is recorded
    run = IngestRun.objects.create(source=source, trigger=trigger)
    tally = Tally()
    try:
        if documents is None:
            documents = source_fetch(source=source)
        parsed = source_records(source=source, documents=documents, tally=tally)
        for batch in _batches(progress(parsed, len(parsed)) if progress else parsed):
            batch_ingest(source=source, records=batch, tally=tally)
    except IngestError as exc:
        run_finish(run=run, tally=tally, error=str(exc))
        raise
    except Exception as exc:
        run_finish(run=run, tally=tally, error=f"{type(exc).__name__}: {exc}")
        raise
    run_finish(run=run, tally=tally)
    return run


def run_finish(*, run: IngestRun, tally: Tally, error: str = "") -> None:
    for name in ("records", "new", "changed", "unchanged", "skipped", "errors", "problems"):
        setattr(run, name, getattr(tally, name))
    run.error = error
    run.finished_at = max(timezone.now(), run.started_at)
    run.save()


def source_records(*, source: str, documents: list[bytes], tally: Tally) -> list[Parsed]:
    """The records of `documents` to apply: all but those whose stored digest is unchanged
    (counted in `tally`). A source that can split its documents (`split`) has those found
    before it parses anything: a re-run of a large dump parses only what changed."""
    module = get_source(source)
    if not hasattr(module, "split"):
        parsed = source_parse(source=source, documents=documents)
        return records_unchanged(source=source, records=parsed, tally=tally)
    items = [item for document in documents for item in module.split(document)]
    changed = records_unchanged(source=source, records=items, tally=tally)
    return [module.parse_unparsed(item) for item in changed]


def records_unchanged(*, source: str, records: list, tally: Tally) -> list:
    """Count the records whose stored digest is unchanged, mark them seen, and return the
    others to be applied: a re-run decides in one query (and marks in one), not a transaction
    per record.

    Deciding without the row lock is safe: a record another run changes meanwhile is applied by
    that run, and this one would only have found it changed or unchanged a moment earlier."""
    ids = [record.external_id for record in records if not isinstance(record, Skipped)]
    stored = dict(
        RawRecord.objects.filter(source=source, external_id__in=ids).values_list(
            "external_id", "content_hash"
        )
    )
    unchanged = {
        record.external_id
        for record in records
        if not isinstance(record, Skipped)
        and record.external_id in stored
        and stored[record.external_id] == record_digest(source=source, record=record)
    }
    if not unchanged:
        return records
    RawRecord.objects.filter(source=source, external_id__in=unchanged).update(
        last_seen_at=timezone.now()
    )
    rest = []
    for record in records:
        if not isinstance(record, Skipped) and record.external_id in unchanged:
            tally.records += 1
            tally.unchanged += 1
        else:
            rest.append(record)
    return rest


# Records applied in one transaction: the locks, the company lookups and the derived-field
# refresh are shared by a batch.
BATCH_SIZE = 100


def _batches(records: Iterable[Parsed]) -> Iterator[list[Parsed]]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


class _BulkFailed(Exception):
    """A record failed in a batch applied the fast way: redo the batch the careful way."""


def batch_ingest(*, source: str, records: list[Parsed], tally: Tally) -> None:
    """Apply a batch of records in one transaction, each in a savepoint of its own.

    Every lock the batch needs is taken first, in one order (two runs cannot deadlock), the
    companies its names may match are read in one go, the companies it will create are created
    in one insert when that can be told in advance (`companies_bulk_create`), and the derived
    fields of the deals and inquiries it touched are refreshed once, before it commits.

    Applied the fast way first: companies created in advance, and no savepoint per record
    (two queries each). A record that fails then would leave behind what it wrote, and its
    companies, which applying it on its own does not: the batch is rolled back and applied again
    the careful way, each record in a savepoint, creating companies as they come.
    """
    before = Tally(**{**vars(tally), "problems": list(tally.problems)})
    try:
        _batch_apply(source, records, tally, bulk=True)
    except _BulkFailed:
        for name, value in vars(before).items():
            setattr(tally, name, value)
        _batch_apply(source, records, tally, bulk=False)


def _batch_apply(source: str, records: list[Parsed], tally: Tally, *, bulk: bool) -> None:
    cases = [record for record in records if isinstance(record, CaseRecord)]
    failed = tally.errors + tally.skipped + sum(isinstance(r, Skipped) for r in records)
    with transaction.atomic(), derived_fields_deferred(), _run_cache() as cache:
        cache.savepoints = not bulk
        cache.lock(sorted({key for record in records for key in _lock_keys(source, record)}))
        cache.batch_locked = set(cache.locked)
        names = [name for record in cases for name in _company_names(record)]
        cache.companies(names)
        cache.read_slugs(names)
        cache.read_records(source, records)
        cache.read_inquiries(cases)
        created = companies_bulk_create(source=source, records=records) if bulk else 0
        for record in records:
            if cache.links and cache.may_find_made_inquiry(source, record):
                cache.store_links()  # its history row shows them, as if each were linked at once
            record_ingest(source=source, record=record, tally=tally)
        if created and tally.errors + tally.skipped > failed:
            raise _BulkFailed
        cache.store_applied()


def record_ingest(*, source: str, record: Parsed, tally: Tally) -> None:
    """Apply one parsed record and count what happened; never raises for one bad record."""
    tally.records += 1
    if isinstance(record, Skipped):
        tally.skipped += 1
        tally.problems.append({"id": record.external_id, "reason": record.reason})
        return
    try:
        outcome = record_apply(source=source, record=record)
    except _BulkFailed:
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


# --- One record ---------------------------------------------------------------------------


def record_apply(*, source: str, record: CaseRecord | PressRecord) -> str:
    """Store `record` raw and apply it; returns "new", "changed" or "unchanged".

    BadRecord if the record is a case whose status is not ours (nothing is stored then). A
    concurrent run that inserted the same record or inquiry first makes this one hit a unique
    constraint; the whole record is then tried again and finds what the other run made.
    """
    if isinstance(record, CaseRecord):
        inquiry_record_check(inquiry=record.inquiry)
    cache = _current_cache()
    for attempt in range(3):
        try:
            with transaction.atomic(savepoint=cache.savepoints), derived_fields_deferred():
                outcome = _record_apply(source, record)
            cache.record_done()
            return outcome
        except IntegrityError:
            cache.forget()
            if not cache.savepoints:  # only rolling the batch back undoes what it wrote
                raise _BulkFailed from None
            if attempt == 2:
                raise
        except BaseException as exc:
            cache.forget()
            if not cache.savepoints and isinstance(exc, Exception):
                raise _BulkFailed from exc
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


def record_digest(*, source: str, record: CaseRecord | PressRecord | Unparsed) -> str:
    """What decides whether a record is applied again: its content and its source's mapping.

    Bumping a source's MAPPING_VERSION changes every digest of that source once, so the next run
    applies every record again through the new table (docs/ingest.md).
    """
    version = get_source(source).MAPPING_VERSION
    return content_hash({"mapping_version": version, "record": record.raw})


def _record_apply(source: str, record: CaseRecord | PressRecord) -> str:
    digest = record_digest(source=source, record=record)
    now = timezone.now()
    cache = _current_cache()
    raw = cache.record(source, record.external_id)
    if raw is not None and raw.content_hash == digest:
        RawRecord.objects.filter(pk=raw.pk).update(last_seen_at=now)
        return UNCHANGED
    outcome = NEW if raw is None else CHANGED
    if raw is None:
        raw = RawRecord(source=source, external_id=record.external_id, first_seen_at=now)
    if raw.pk is None or raw.payload != record.raw:  # not when only the mapping changed
        raw.changed_at = now
    raw.content_hash = digest
    raw.payload = record.raw
    raw.title = record.title[:500]
    raw.url = record.url[:500]
    raw.published_on = record.published_on
    raw.last_seen_at = now
    # Saved first, a new record claims its row against a concurrent run; a batch holds a lock
    # on the record instead, and saves it once.
    claim = raw.pk is not None or not cache.batch_locked
    if isinstance(record, CaseRecord):
        raw.summary = record.inquiry.summary
        if claim:
            raw.save()
        _apply_case(raw, record)
    else:
        raw.summary = record.text
        if claim:
            raw.save()
        _apply_press(raw, record)
    raw.save()
    cache.records[(source, record.external_id)] = raw
    return outcome


# --- What ingest wrote --------------------------------------------------------------------


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _merge(
    obj: Model,
    wanted: dict[str, object],
    *,
    applied: dict[str, object],
    created: bool,
    conflicts: dict,
    label: str,
) -> list[str]:
    """Set on `obj` the fields ingest may write; return the names of those it changed.

    Ingest may write a field of an object it created, a field that still holds what ingest last
    wrote, or an empty field of an object someone else made. Anything else is an editor's value:
    it stays, and a disagreement is noted in `conflicts`.
    """
    changed = []
    for name, value in wanted.items():
        current, new = _jsonable(getattr(obj, name)), _jsonable(value)
        conflicts.pop(f"{label}.{name}", None)
        if current == new:
            applied[name] = new
            continue
        if _ours(obj, name, applied=applied, created=created):
            setattr(obj, name, value)
            applied[name] = new
            changed.append(name)
        elif new not in ("", None):
            conflicts[f"{label}.{name}"] = {"here": current, "source": new}
    return changed


def _ours(obj: Model, name: str, *, applied: dict[str, object], created: bool) -> bool:
    """Whether ingest may write field `name` of `obj`: see `_merge`."""
    current = _jsonable(getattr(obj, name))
    if created or (name in applied and applied[name] == current):
        return True
    return name not in applied and current in ("", None)


# An inquiry's stage, outcome and closing date say one thing together: ingest writes them
# together or not at all, so that an editor's stage never ends up beside a source's outcome.
STATUS_FIELDS = ("stage", "outcome", "closed_on")


def _status_held(
    inquiry: Inquiry, fields: dict[str, object], *, applied: dict, created: bool, conflicts: dict
) -> dict[str, object]:
    """`fields`, without the status fields when an editor changed any of those the source
    would change; the disagreement is noted in `conflicts`."""
    changing = [
        name
        for name in STATUS_FIELDS
        if name in fields and _jsonable(getattr(inquiry, name)) != _jsonable(fields[name])
    ]
    if all(_ours(inquiry, name, applied=applied, created=created) for name in changing):
        return fields
    for name in STATUS_FIELDS:
        conflicts.pop(f"inquiry.{name}", None)
        if name in changing and fields[name] not in ("", None):
            here, source = _jsonable(getattr(inquiry, name)), _jsonable(fields[name])
            conflicts[f"inquiry.{name}"] = {"here": here, "source": source}
    return {name: value for name, value in fields.items() if name not in STATUS_FIELDS}


def _applied(obj: Model) -> dict:
    key = (obj._meta.label_lower, obj.pk)
    values = _current_cache().applied_values(key)
    if values is None:
        row = AppliedValues.objects.filter(model=key[0], object_id=key[1]).first()
        values = row.values if row else {}
    return dict(values)


def _store_applied(obj: Model, values: dict) -> None:
    """Remember what ingest wrote on `obj`: at once, or in a batch when it ends."""
    cache = _CACHE.get()
    if cache is not None:
        cache.applied_now[(obj._meta.label_lower, obj.pk)] = dict(values)
    else:
        _applied_upsert({(obj._meta.label_lower, obj.pk): values})


def _applied_upsert(values_of: dict[tuple[str, int], dict]) -> None:
    # One upsert; the unique constraint on (model, object_id) keeps one row per object.
    AppliedValues.objects.bulk_create(
        [
            AppliedValues(model=model, object_id=pk, values=values)
            for (model, pk), values in values_of.items()
        ],
        update_conflicts=True,
        unique_fields=["model", "object_id"],
        update_fields=["values"],
        batch_size=500,
    )


def _lock(key: str) -> None:
    """Serialise work on `key` across concurrent runs until the transaction ends."""
    _current_cache().lock([key])


def _lock_number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def _company_names(record: CaseRecord) -> list[str]:
    parties = record.deal.parties if record.deal else ()
    return [*record.inquiry.companies, *(party.name for party in parties)]


def _lock_keys(source: str, record: Parsed) -> list[str]:
    """The locks applying `record` takes: its row, its case number, its companies' names."""
    if isinstance(record, Skipped):
        return []
    keys = [f"record:{source}:{record.external_id}"]
    if isinstance(record, CaseRecord):
        if record.inquiry.reference:
            keys.append(f"inquiry:{record.inquiry.regulator}:{record.inquiry.reference}")
        keys += [f"company:{name_key(split_name(name)[0])}" for name in _company_names(record)]
    return keys


class RunCache:
    """What one transaction of a run reads once: regulators, the companies its names match,
    and the advisory locks it holds. Outside a batch each call gets a fresh one, so that a
    record applied on its own behaves exactly as before.

    Companies are cached by matching key (a name's or an alternative name's): a key is read
    once under its lock, and what the batch creates is added, so no other run can have made a
    company with that key meanwhile. A record rolled back to its savepoint may have created
    what is cached: `forget` drops all but the regulators, and the keys are read again.
    """

    def __init__(self) -> None:
        self.regulators: dict[str, Regulator] = {}
        self.by_key: dict[str, set[int]] = {}
        self.by_id: dict[int, Company] = {}
        self.locked: set[str] = set()
        self.batch_locked: set[str] = set()
        # Each record in a savepoint of its own; a batch applied the fast way has none.
        self.savepoints = True
        # (source, external id) -> its RawRecord, locked, or None when there is none.
        self.records: dict[tuple[str, str], RawRecord | None] = {}
        # (regulator slug, "reference" or "source_url", value) known to match no inquiry.
        self.no_inquiry: set[tuple[str, str, str]] = set()
        # Slugs no company had when the batch began and none has taken since.
        self.free_slugs: set[str] = set()
        # AppliedValues to write when the batch ends: the records applied, the one applying.
        self.applied: dict[tuple[str, int], dict] = {}
        self.applied_now: dict[tuple[str, int], dict] = {}
        # The companies of the inquiries the batch made, linked when it ends (likewise).
        self.links: list[tuple[Inquiry, list[Company]]] = []
        self.links_now: list[tuple[Inquiry, list[Company]]] = []

    def read_records(self, source: str, records: list[Parsed]) -> None:
        ids = [record.external_id for record in records if not isinstance(record, Skipped)]
        self.records.update({(source, external_id): None for external_id in ids})
        rows = RawRecord.objects.select_for_update().filter(source=source, external_id__in=ids)
        self.records.update({(source, raw.external_id): raw for raw in rows})

    def record(self, source: str, external_id: str) -> RawRecord | None:
        """The stored record, locked."""
        if (source, external_id) in self.records:
            return self.records[(source, external_id)]
        rows = RawRecord.objects.select_for_update()
        return rows.filter(source=source, external_id=external_id).first()

    def read_slugs(self, names: list[str]) -> None:
        """Note which of the slugs new companies of these names would get are free: one
        query, instead of one per company created."""
        bases = {slug_base(split_name(" ".join(name.split())[:200])[0][:200]) for name in names}
        taken = Company.objects.filter(slug__in=bases).values_list("slug", flat=True)
        self.free_slugs = bases - set(taken)

    def free_slug(self, name: str) -> str:
        """The slug a new company called `name` gets when it is known to be free; "" lets
        Company.save find one."""
        base = slug_base(name)
        if base not in self.free_slugs:
            return ""
        self.free_slugs.discard(base)  # taken now (and not offered again if rolled back)
        return base

    def read_inquiries(self, records: list[CaseRecord]) -> None:
        """Note which case numbers and addresses of `records` no inquiry has: one query."""
        wanted = set()
        for record in records:
            wanted.add((record.inquiry.regulator, "reference", record.inquiry.reference))
            wanted.add((record.inquiry.regulator, "source_url", record.inquiry.source_url))
        wanted = {key for key in wanted if key[2]}
        found = set()
        for field_name in ("reference", "source_url"):
            values = {value for _, name, value in wanted if name == field_name}
            rows = Inquiry.objects.filter(**{f"{field_name}__in": values}).values_list(
                "regulator__slug", field_name
            )
            found |= {(slug, field_name, value) for slug, value in rows}
        self.no_inquiry = wanted - found

    def inquiry_known(self, inquiry: Inquiry) -> None:
        """`inquiry` was made or changed: its number and address may match it now."""
        slug = self.regulator_slug(inquiry.regulator_id)
        self.no_inquiry.discard((slug, "reference", inquiry.reference))
        self.no_inquiry.discard((slug, "source_url", inquiry.source_url))

    def regulator_slug(self, pk: int) -> str:
        return next((slug for slug, r in self.regulators.items() if r.pk == pk), "")

    def applied_values(self, key: tuple[str, int]) -> dict | None:
        if key in self.applied_now:
            return self.applied_now[key]
        return self.applied.get(key)

    def record_done(self) -> None:
        self.applied.update(self.applied_now)
        self.applied_now.clear()
        self.links += self.links_now
        self.links_now.clear()

    def may_find_made_inquiry(self, source: str, record: Parsed) -> bool:
        """Whether applying `record` may find (and save again) an inquiry the batch made."""
        if not isinstance(record, CaseRecord):
            return False
        if self.records.get((source, record.external_id)) is not None:
            return True
        wanted = record.inquiry
        keys = {
            (wanted.regulator, "reference", wanted.reference),
            (wanted.regulator, "source_url", wanted.source_url),
        }
        return not {key for key in keys if key[2]} <= self.no_inquiry

    def store_links(self) -> None:
        inquiries_companies_add(self.links)
        self.links.clear()

    def store_applied(self) -> None:
        self.store_links()
        if self.applied:
            _applied_upsert(self.applied)
        self.applied.clear()

    def lock(self, keys: list[str]) -> None:
        """Take these advisory locks, in the order given, in one query. PostgreSQL only:
        SQLite allows one writer at a time anyway."""
        keys = [key for key in dict.fromkeys(keys) if key not in self.locked]
        if not keys:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) "
                    "WITH ORDINALITY AS t(k, n) ORDER BY n",
                    [[_lock_number(key) for key in keys]],
                )
        if connection.in_atomic_block:  # otherwise the lock ended with its statement
            self.locked.update(keys)

    def regulator(self, slug: str) -> Regulator:
        if slug not in self.regulators:
            try:
                self.regulators[slug] = Regulator.objects.get(slug=slug)
            except Regulator.DoesNotExist:
                raise BadRecord(f"no regulator with slug {slug!r}; run the migrations") from None
        return self.regulators[slug]

    def companies(self, names: Iterable[str]) -> dict[str, list[Company]]:
        """Each name's companies, by its name, former names or an alternative name, sorted by
        id; the keys not read before are read in two queries."""
        keys_of = {}
        for name in names:
            current, former = split_name(name)
            keys_of[name] = {k for k in (name_key(current), *map(name_key, former)) if k}
        missing = set().union(*keys_of.values()) - self.by_key.keys() if keys_of else set()
        if missing:
            found: dict[str, set[int]] = {key: set() for key in missing}
            aliases = CompanyAlias.objects.filter(name_key__in=missing).values_list(
                "name_key", "company_id"
            )
            for key, company_id in aliases:
                found[key].add(company_id)
            alias_ids = {pk for ids in found.values() for pk in ids}
            for company in Company.objects.filter(Q(name_key__in=missing) | Q(pk__in=alias_ids)):
                self.by_id[company.pk] = company
                if company.name_key in missing:
                    found[company.name_key].add(company.pk)
            for key, ids in found.items():
                self.by_key[key] = {pk for pk in ids if pk in self.by_id}
        return {
            name: [self.by_id[pk] for pk in sorted({pk for key in keys for pk in self.by_key[key]})]
            for name, keys in keys_of.items()
        }

    def known(self, company: Company, key: str) -> None:
        """`company` now matches `key` (created, or given that alternative name)."""
        if key in self.by_key:
            self.by_key[key].add(company.pk)
            self.by_id[company.pk] = company

    def forget(self) -> None:
        self.by_key.clear()
        self.by_id.clear()
        self.locked = set(self.batch_locked)
        self.records.clear()
        self.no_inquiry.clear()
        self.free_slugs.clear()
        self.applied_now.clear()
        self.links_now.clear()


_CACHE: contextvars.ContextVar[RunCache | None] = contextvars.ContextVar("run_cache", default=None)


@contextlib.contextmanager
def _run_cache() -> Iterator[RunCache]:
    """A RunCache for the enclosing transaction (a batch)."""
    cache = RunCache()
    token = _CACHE.set(cache)
    try:
        yield cache
    finally:
        _CACHE.reset(token)


def _current_cache() -> RunCache:
    return _CACHE.get() or RunCache()


def company_for(name: str) -> Company:
    """The company called `name` (or with that alternative name), created for review if none.

    History in the name ("X AG (ex: Y)") becomes an alternative name; a product ("Apple's
    iTunes") is its known owner; a new company whose name is a known group's plus a region
    ("Microsoft Europe") gets that group as its parent, for an editor to confirm.
    """
    name = " ".join(name.split())[:200]
    current, former = split_name(name)
    _lock(f"company:{name_key(current)}")
    company = company_matching(name)
    if company is None:
        owner = possessive_owner(current)
        company = company_matching(owner) if owner else None
    cache = _current_cache()
    if company is None:
        company = Company.objects.create(
            name=current[:200],
            slug=cache.free_slug(current[:200]),
            needs_review=True,
            parent=_group_of(current),
        )
        cache.known(company, company.name_key)
    for old in former:
        if name_key(old) != company.name_key:
            CompanyAlias.objects.get_or_create(
                company=company, name_key=name_key(old), defaults={"name": old[:200]}
            )
            cache.known(company, name_key(old))
    return company


def companies_bulk_create(*, source: str, records: list[Parsed]) -> int:
    """Create in one insert (and one for their history) the companies that applying `records`
    one by one would create, in that order, with the same slugs and parents; returns how many.

    Only where that can be told before applying them: a batch of new case records, each making
    its inquiry and no deal, so that each names exactly its companies to `company_for`. Anything
    else (a press release, a known record or case, a deal, a slug or parent that depends on
    another new company) creates nothing here, and `company_for` creates as it goes.
    """
    cache = _current_cache()
    cases = [record for record in records if not isinstance(record, Skipped)]
    if not all(isinstance(record, CaseRecord) and record.deal is None for record in cases):
        return 0
    absent, seen = set(cache.no_inquiry), set()
    names = []
    for record in cases:
        wanted = record.inquiry
        if status_errors(kind=wanted.kind, stage=wanted.stage, outcome=wanted.outcome):
            continue  # a bad record: refused before it names a company
        keys = {
            (wanted.regulator, "reference", wanted.reference),
            (wanted.regulator, "source_url", wanted.source_url),
        }
        keys = {key for key in keys if key[2]}
        if cache.records.get((source, record.external_id)) or not keys <= absent - seen:
            return 0  # its inquiry may be found, and with it the companies already added
        seen |= keys
        names += [" ".join(name.split())[:200] for name in wanted.companies]
    owners = {name: possessive_owner(split_name(name)[0]) for name in names}
    cache.companies([*names, *filter(None, owners.values())])
    known = {key for key, ids in cache.by_key.items() if ids}
    slugs = set(cache.free_slugs)
    new: list[Company] = []
    for name in names:
        current, former = split_name(name)
        keys = {name_key(current), *map(name_key, former)} - {""}
        owner = owners[name]
        owner_keys = {name_key(owner), *map(name_key, split_name(owner)[1])} if owner else set()
        if keys & known or owner_keys & known:
            known |= set(map(name_key, former)) - {""}  # its alternative names, added
            continue
        key, slug = name_key(current), slug_base(current[:200])
        if not key or not slug or slug not in slugs:
            return 0  # Company.save finds its slug, after the companies made before it
        slugs.discard(slug)
        new.append(Company(name=current[:200], name_key=key, slug=slug, needs_review=True))
        known |= keys
    if not new:
        return 0
    heads = {company.name_key: group_heads(company.name) for company in new}
    wanted_heads = {head for group in heads.values() for head in group}
    found = {c.name_key: c for c in Company.objects.filter(name_key__in=wanted_heads)}
    # A company whose group is made in this batch too is inserted after it: one insert per
    # such step, in the order applying the records one by one would make them.
    created: list[Company] = []
    for n, company in enumerate(new):
        group = next((head for head in heads[company.name_key] if head in found), None)
        company.parent = found[group] if group else None
        if company.parent is not None and company.parent.pk is None:
            created += _companies_insert(new[len(created) : n])
        found[company.name_key] = company
    created += _companies_insert(new[len(created) :])
    for company in created:
        cache.free_slugs.discard(company.slug)
        cache.known(company, company.name_key)
    content_changed()  # what the companies' post_save signal does
    return len(created)


def _companies_insert(companies: list[Company]) -> list[Company]:
    try:
        with transaction.atomic():
            return bulk_create_with_history(companies, Company, batch_size=500)
    except IntegrityError:  # a slug another run took since the batch read them
        raise _BulkFailed from None


def _group_of(name: str) -> Company | None:
    """The known group `name` is a regional arm of ("Microsoft Europe" -> Microsoft), if one."""
    heads = group_heads(name)
    if not heads:
        return None
    found = {c.name_key: c for c in Company.objects.filter(name_key__in=heads)}
    return next((found[head] for head in heads if head in found), None)


def companies_matching(name: str) -> list[Company]:
    """Every company called `name`: by its name, its former names, or an alternative name."""
    return companies_matching_all([name])[name]


def companies_matching_all(names: Iterable[str]) -> dict[str, list[Company]]:
    """Each name's companies (as `companies_matching`), for all the names in two queries, or
    none for names a batch has read already."""
    return _current_cache().companies(names)


def company_matching(name: str) -> Company | None:
    """The company called `name`, by its name first, then by an alternative name."""
    matches = companies_matching(name)
    key = name_key(split_name(name)[0])
    return next((c for c in matches if c.name_key == key), None) or next(iter(matches), None)


# --- Cases: inquiry, deal, events ---------------------------------------------------------


def _regulator(slug: str) -> Regulator:
    return _current_cache().regulator(slug)


def _find_inquiry(raw: RawRecord, record: CaseRecord, regulator: Regulator) -> Inquiry | None:
    """The inquiry the record is about, locked: two notices of one case apply one at a time."""
    inquiries = Inquiry.objects.select_for_update()
    if raw.inquiry_id:
        return inquiries.filter(pk=raw.inquiry_id).first()
    wanted = record.inquiry
    absent = _current_cache().no_inquiry
    if wanted.reference and (regulator.slug, "reference", wanted.reference) not in absent:
        found = inquiries.filter(regulator=regulator, reference=wanted.reference).first()
        if found:
            return found
    if wanted.source_url and (regulator.slug, "source_url", wanted.source_url) not in absent:
        return inquiries.filter(regulator=regulator, source_url=wanted.source_url).first()
    return None


def _find_deal(record: CaseRecord) -> tuple[Deal | None, str]:
    """The one existing deal between all of the record's parties, if there is exactly one."""
    companies = []
    matched = companies_matching_all(party.name for party in record.deal.parties)
    for party in record.deal.parties:
        matches = matched[party.name]
        if not matches:
            return None, ""
        exact = [c for c in matches if c.name_key == name_key(split_name(party.name)[0])]
        if len(exact if exact else matches) > 1:
            names = "; ".join(c.name for c in matches[:3])
            return None, f"{party.name!r} may be any of {names}: attach it to the right deal."
        companies.append(matches[0].pk if not exact else exact[0].pk)
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


def _apply_case(raw: RawRecord, record: CaseRecord) -> None:
    """Find or make the record's inquiry, link or make its deal, merge the fields, add events."""
    regulator = _regulator(record.inquiry.regulator)
    _lock_companies(record)
    mapped, conflicts = dict(raw.mapped), dict(raw.conflicts)

    inquiry = _find_inquiry(raw, record, regulator)
    if inquiry is None and "inquiry" in mapped:
        # Ingest made an inquiry for this record before and an editor deleted it: respect that.
        raw.mapped, raw.conflicts = mapped, conflicts
        return
    created = inquiry is None
    if created:
        inquiry = Inquiry(regulator=regulator, needs_review=True)

    deal, review_note = _case_deal(record, inquiry=inquiry, mapped=mapped)
    if deal is not None and record.deal:
        _add_parties(deal, record)
        mapped["deal"] = deal.pk
        raw.deal = deal
    _inquiry_merge(inquiry, record, deal=deal, created=created, conflicts=conflicts)
    _current_cache().inquiry_known(inquiry)
    mapped["inquiry"] = inquiry.pk
    raw.inquiry = inquiry

    mapped["events"] = _apply_events(
        record.events,
        mapped=mapped.get("events", {}),
        conflicts=conflicts,
        inquiry=inquiry,
        fresh=created,
    )

    if review_note and not inquiry.deal_id and raw.review_status == ReviewStatus.NONE:
        raw.review_status, raw.review_note = ReviewStatus.PENDING, review_note[:300]
    elif inquiry.deal_id and raw.review_status == ReviewStatus.PENDING:
        raw.review_status, raw.review_note = ReviewStatus.NONE, ""
    raw.mapped, raw.conflicts = mapped, conflicts


def _lock_companies(record: CaseRecord) -> None:
    """Take every company-name lock this record may need now, in one order, so that two runs
    applying records with the same companies in another order cannot deadlock."""
    names = _company_names(record)
    _current_cache().lock(sorted({f"company:{name_key(split_name(name)[0])}" for name in names}))


def _case_deal(record: CaseRecord, *, inquiry: Inquiry, mapped: dict) -> tuple[Deal | None, str]:
    """The inquiry's deal: the one it has, the one existing deal between the record's parties,
    or a new one for review; with the note for the review queue when none can be told."""
    if inquiry.deal_id:
        return inquiry.deal, record.review_note
    if not record.deal or "deal" in mapped:
        return None, record.review_note
    deal, review_note = _find_deal(record)
    if deal is None and not review_note:
        deal = Deal(
            title=record.deal.title,
            deal_type=record.deal.deal_type,
            announced_on=record.deal.announced_on,
            needs_review=True,
            is_published=settings.INGEST_PUBLISH_NEW_DEALS,
        )
        deal.save()
        _store_applied(deal, {"title": deal.title, "deal_type": deal.deal_type})
    return deal, review_note


def _inquiry_merge(
    inquiry: Inquiry, record: CaseRecord, *, deal: Deal | None, created: bool, conflicts: dict
) -> None:
    """Write the record's fields that ingest may write (`_merge`), and its companies."""
    wanted = record.inquiry
    applied = {} if created else _applied(inquiry)
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
    if not created:
        fields = {name: value for name, value in fields.items() if name not in wanted.unknown}
        fields = _status_held(
            inquiry, fields, applied=applied, created=created, conflicts=conflicts
        )
    if deal is not None:
        fields["deal_id"] = deal.pk
    changed = _merge(
        inquiry, fields, applied=applied, created=created, conflicts=conflicts, label="inquiry"
    )
    if changed or created:
        inquiry.save()
    added = set(applied.get("companies", []))
    new_names = [name for name in wanted.companies if name not in added]
    if new_names:
        _companies_add(inquiry, [company_for(name) for name in new_names], created=created)
        applied["companies"] = sorted(added | set(new_names))
    _store_applied(inquiry, applied)


def _companies_add(inquiry: Inquiry, companies: list[Company], *, created: bool) -> None:
    """Link an inquiry's companies: those of an inquiry a batch made with the batch's, when it
    ends (`inquiries_companies_add`), instead of a history row and four queries each."""
    cache = _CACHE.get()
    if created and cache is not None:
        cache.links_now.append((inquiry, companies))
    else:
        inquiry.companies.add(*companies)


def _add_parties(deal: Deal, record: CaseRecord) -> None:
    """Add the record's parties ingest has not added before to a deal ingest created.

    The parties of an editor's deal are the editor's: ingest does not touch them.
    """
    applied = _applied(deal)
    if "title" not in applied:
        return
    added = {tuple(pair) for pair in applied.get("parties", [])}
    for party in record.deal.parties:
        key = (name_key(party.name), party.role)
        if key in added:
            continue
        company = company_for(party.name)
        Party.objects.get_or_create(deal=deal, company=company, role=party.role)
        added.add(key)
    applied["parties"] = sorted(list(pair) for pair in added)
    _store_applied(deal, applied)


def _apply_events(
    events: Iterable[EventRecord],
    *,
    mapped: dict[str, int],
    conflicts: dict,
    inquiry: Inquiry | None = None,
    deal: Deal | None = None,
    fresh: bool = False,
) -> dict[str, int]:
    """Create the events not seen before, update those ingest still owns; returns key -> id.

    An event ingest created and an editor deleted is not created again. `fresh`: the inquiry
    was created just now, so its only events are those made here.
    """
    mapped = dict(mapped)
    made: dict[tuple, int] = {}
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
            if event is None:
                continue
            applied = _applied(event)
            if _merge(
                event,
                fields,
                applied=applied,
                created=False,
                conflicts=conflicts,
                label=f"event {wanted.key}",
            ):
                event.save()
            _store_applied(event, applied)
            continue
        target = {"inquiry": inquiry} if inquiry is not None else {"deal": deal}
        day_title = (wanted.occurred_on, fields["title"])
        if fresh:
            same = made.get(day_title)
        else:
            same = (
                Event.objects.filter(**target, occurred_on=wanted.occurred_on, title=day_title[1])
                .values_list("pk", flat=True)
                .first()
            )
        if same is not None:  # already on the timeline (another notice of the same deal)
            mapped[wanted.key] = same
            continue
        event = Event(**target, **fields)
        event.save()
        _store_applied(event, {name: _jsonable(value) for name, value in fields.items()})
        mapped[wanted.key] = made[day_title] = event.pk
    return mapped


# --- Press releases -----------------------------------------------------------------------


@dataclass(frozen=True)
class PressMatch:
    deal: Deal | None = None
    inquiry: Inquiry | None = None
    note: str = ""


def press_match(
    *, title: str, text: str, references: Iterable[str] = (), regulator: str = ""
) -> PressMatch:
    """The case or deal a press release names, when it names exactly one with confidence.

    Confident means: it quotes one known case number, or it names two or more parties of one
    deal (by name or alternative name, whatever their legal form) and of no other, or the
    parties of several deals that are all under one study of the release's regulator.
    """
    references = list(references)
    if references:
        inquiries = list(Inquiry.objects.filter(reference__in=references)[:3])
        if len(inquiries) == 1:
            return PressMatch(inquiry=inquiries[0], deal=inquiries[0].deal)
    mentioned = companies_mentioned(f"{title}\n{text}")
    if not mentioned:
        return PressMatch(note="Names no company the tracker knows.")
    rows = (
        Party.objects.filter(company__in=mentioned)
        .values("deal")
        .annotate(named=Count("company", distinct=True))
        .filter(named__gte=2)
        .order_by("-named")
    )
    deal_ids = [row["deal"] for row in rows[:20]]
    if len(deal_ids) == 1:
        return PressMatch(deal=Deal.objects.get(pk=deal_ids[0]))
    if len(deal_ids) > 1:
        study = _shared_inquiry(deal_ids, regulator)
        if study is not None:
            return PressMatch(inquiry=study, deal=study.deal)
        return PressMatch(note="Names the parties of several deals.")
    return PressMatch(note="Names a known company but no deal between known companies.")


def _shared_inquiry(deal_ids: list[int], regulator: str) -> Inquiry | None:
    """The one study of `regulator` that every one of these deals is under, if there is one.

    A study covering several deals (the FTC's 6(b) study of AI partnerships) is one inquiry row
    per deal, under one title: a release naming the parties of all of them is about the study,
    and goes on its first row.
    """
    if not regulator:
        return None
    rows = Inquiry.objects.filter(deal__in=deal_ids, regulator__slug=regulator).values_list(
        "pk", "title", "deal"
    )
    deals_by_title: dict[str, set[int]] = {}
    first: dict[str, int] = {}
    for pk, title, deal in rows.order_by("pk"):
        deals_by_title.setdefault(title, set()).add(deal)
        first.setdefault(title, pk)
    shared = [title for title, deals in deals_by_title.items() if deals >= set(deal_ids)]
    return Inquiry.objects.get(pk=first[shared[0]]) if len(shared) == 1 else None


def companies_mentioned(text: str) -> set[int]:
    """Ids of companies whose name or alternative name appears in `text` as whole words."""
    haystack = f" {normalise_name(text)} "
    found: set[int] = set()
    names = Company.objects.values_list("pk", "name_key")
    aliases = CompanyAlias.objects.values_list("company_id", "name_key")
    for pk, key in [*names, *aliases]:
        if len(key) >= 3 and f" {key} " in haystack:
            found.add(pk)
    return found


def _press_event(raw: RawRecord) -> EventRecord:
    return EventRecord(
        key="press",
        occurred_on=raw.published_on or timezone.localdate(),
        kind="press",
        title=raw.title[:300],
        text=raw.summary,
        source_url=raw.url,
    )


def _apply_press(raw: RawRecord, record: PressRecord) -> None:
    mapped, conflicts = dict(raw.mapped), dict(raw.conflicts)
    events = mapped.get("events", {})
    if "press" in events:  # already on a timeline: keep it up to date
        mapped["events"] = _apply_events([record.event()], mapped=events, conflicts=conflicts)
    elif raw.review_status not in (ReviewStatus.DISMISSED, ReviewStatus.ATTACHED):
        match = press_match(
            title=record.title,
            text=record.text,
            references=record.references,
            regulator=record.regulator,
        )
        if match.deal or match.inquiry:
            mapped["events"] = _apply_events(
                [record.event()],
                mapped=events,
                conflicts=conflicts,
                inquiry=match.inquiry,
                deal=None if match.inquiry else match.deal,
            )
            raw.deal, raw.inquiry = match.deal, match.inquiry
            raw.review_status, raw.review_note = ReviewStatus.NONE, ""
        elif record.filed_as:
            raw.review_status, raw.review_note = ReviewStatus.FILED, record.filed_as[:300]
        else:
            raw.review_status, raw.review_note = ReviewStatus.PENDING, match.note[:300]
            _store_suggestions(raw, f"{record.title}\n{record.text}")
    raw.mapped, raw.conflicts = mapped, conflicts


def _store_suggestions(raw: RawRecord, text: str) -> None:
    """Compute the editor's shortlist once, when the record enters the queue."""
    ranked = _ranked_deals(companies_mentioned(text), limit=5)
    raw.suggested = [deal for deal, _ in ranked]
    raw.suggestion_score = min(ranked[0][1], 32767) if ranked else 0


# --- The review queue ---------------------------------------------------------------------


def suggested_deals(*, record: RawRecord, limit: int = 5) -> list[Deal]:
    """The editor's shortlist: deals involving companies the record names, most named first.

    Stored on the record at ingest (`suggested`); computed here only for a record stored
    before that.
    """
    ids = record.suggested_ids[:limit]
    if not ids and record.review_status == ReviewStatus.PENDING and not record.suggestion_score:
        mentioned = companies_mentioned(f"{record.title}\n{record.summary}")
        ids = [deal for deal, _ in _ranked_deals(mentioned, limit=limit)]
    by_id = Deal.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _ranked_deals(mentioned: set[int], *, limit: int) -> list[tuple[int, int]]:
    """(deal id, how many of its parties are named), most named first."""
    if not mentioned:
        return []
    rows = (
        Party.objects.filter(company__in=mentioned)
        .values("deal")
        .annotate(named=Count("company", distinct=True))
        .order_by("-named", "-deal")[:limit]
    )
    return [(row["deal"], row["named"]) for row in rows]


def _reviewed(record: RawRecord, status: str, user) -> None:
    record.review_status = status
    record.reviewed_by = user if getattr(user, "pk", None) else None
    record.reviewed_at = timezone.now()
    record.save()


@transaction.atomic
def record_attach(
    *, record: RawRecord, user, deal: Deal | None = None, inquiry: Inquiry | None = None
) -> None:
    """Put a reviewed record where it belongs: its inquiry under `deal`, or its press release
    on the timeline of `deal` or `inquiry`."""
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
        events = _apply_events(
            [_press_event(record)],
            mapped=record.mapped.get("events", {}),
            conflicts=record.conflicts,
            inquiry=inquiry,
            deal=deal,
        )
        record.mapped = {**record.mapped, "events": events}
        record.deal = deal if deal is not None else inquiry.deal
        record.inquiry = inquiry
    _reviewed(record, ReviewStatus.ATTACHED, user)


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
    """A new deal (for review) from a record, with the record attached to it."""
    title = record.title
    for suffix in (" merger inquiry", " Merger Inquiry"):
        title = title.removesuffix(suffix)
    deal = Deal.objects.create(
        title=title[:255] or f"{record.source} {record.external_id}",
        summary=record.summary[:2000],
        needs_review=True,
        is_published=settings.INGEST_PUBLISH_NEW_DEALS,
    )
    record_attach(record=record, user=user, deal=deal)
    _reviewed(RawRecord.objects.get(pk=record.pk), ReviewStatus.DEAL_CREATED, user)
    return deal


def record_dismiss(*, record: RawRecord, user) -> None:
    """Take a record out of the queue for good; later runs leave it alone."""
    _reviewed(record, ReviewStatus.DISMISSED, user)
