"""The batch: what one transaction of a run reads once and holds, passed to every step.

A run applies its records in batches of BATCH_SIZE, one transaction each. The `Batch` object of
that transaction holds the regulators, the stored records and the companies it read, the
advisory locks it took, and what it will write when it ends (AppliedValues, the companies of the
inquiries it made). Every step of the pipeline takes it as an argument. A record applied on its
own (a test, an editor's action in the review queue) gets a `Batch()` of its own, which writes at
once instead of when a batch ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from deals.derived import inquiries_companies_add
from deals.history import history_insert
from deals.models import Company, CompanyAlias, Event, Inquiry, Party, Regulator
from deals.names import name_key, slug_base, split_name
from deals.row_writes import rows_insert
from deals.signals import event_saved, inquiry_saved, party_changed
from deals.vocabulary import DatePrecision, as_precise

from ..models import AppliedValues, RawRecord
from ..sources.base import BadRecord, CaseRecord, Parsed, Skipped

# Records applied in one transaction: the locks, the company lookups and the derived-field
# refresh are shared by a batch (about 35 statements a batch of new EC cases, whatever its
# size: 250 take 290 statements for the EC's 748 cases where 100 took 529).
BATCH_SIZE = 250


class BulkFailed(Exception):
    """A record failed in a batch applied the fast way: redo the batch the careful way."""


def lock_number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def company_names(record: CaseRecord) -> list[str]:
    parties = record.deal.parties if record.deal else ()
    return [*record.inquiry.companies, *(party.name for party in parties)]


def lock_keys(source: str, record: Parsed) -> list[str]:
    """The locks applying `record` takes: its row, its case number, its companies' names."""
    if isinstance(record, Skipped):
        return []
    keys = [f"record:{source}:{record.external_id}"]
    if isinstance(record, CaseRecord):
        if record.inquiry.reference:
            keys.append(f"inquiry:{record.inquiry.regulator}:{record.inquiry.reference}")
        keys += [f"company:{name_key(split_name(name)[0])}" for name in company_names(record)]
    return keys


def among(values: Iterable[str]) -> Iterable[str] | RawSQL:
    """Strings for an `__in` lookup: on PostgreSQL as `IN (SELECT unnest(array))`. Given a
    list of a batch's hundreds of name keys, PostgreSQL guessed thousands of companies (the
    keys of the seeded ones repeat) and scanned all 150,000 (34 ms); from the array it guesses
    fewer and looks each key up in its index (5 ms). The same rows either way."""
    if connection.vendor != "postgresql":
        return values
    return RawSQL("SELECT unnest(%s::text[])", [sorted(values)])


def applied_upsert(values_of: dict[tuple[str, int], dict]) -> None:
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


class Batch:
    """What one transaction of a run reads once: regulators, the companies its names match,
    and the advisory locks it holds.

    `deferred`: a batch of a run, which writes AppliedValues and links the companies of the
    inquiries it made when it ends (`store_applied`); otherwise (a record applied on its own)
    both are written at once.

    A batch applied the fast way (`deferred`, no savepoints) inserts in bulk: the new
    inquiries, their events, the parties of the deals made with them and the new raw records of
    the records it is told to hold back (`holding`: records that make their inquiry, which no
    later record can find before they are written) wait in `pending`, and are inserted one
    statement per kind, with their history rows likewise, before the first record that may read
    them and when the batch ends (`write_pending`).

    Companies are cached by matching key (a name's or an alternative name's): a key is read
    once under its lock, and what the batch creates is added, so no other run can have made a
    company with that key meanwhile. A record rolled back to its savepoint may have created
    what is cached: `forget` drops all but the regulators, and the keys are read again.
    """

    def __init__(self, *, deferred: bool = False, savepoints: bool = True) -> None:
        self.deferred = deferred
        # Each record in a savepoint of its own; a batch applied the fast way has none.
        self.savepoints = savepoints
        self.regulators: dict[str, Regulator] = {}
        self.by_key: dict[str, set[int]] = {}
        self.by_id: dict[int, Company] = {}
        self.locked: set[str] = set()
        self.batch_locked: set[str] = set()
        # (source, external id) -> its RawRecord, locked, or None when there is none.
        self.records: dict[tuple[str, str], RawRecord | None] = {}
        # (regulator slug, "reference" or "source_url", value) known to match no inquiry.
        self.no_inquiry: set[tuple[str, str, str]] = set()
        # Slugs no company had when the batch began and none has taken since.
        self.free_slugs: set[str] = set()
        # (company id, name key) of the alternative names known to be stored.
        self.aliases: set[tuple[int, str]] = set()
        # AppliedValues to write when the batch ends: the records applied, the one applying.
        self.applied: dict[tuple[str, int], dict] = {}
        self.applied_now: dict[tuple[str, int], dict] = {}
        # The companies of the inquiries the batch made, linked when it ends (likewise).
        self.links: list[tuple[Inquiry, list[Company]]] = []
        self.links_now: list[tuple[Inquiry, list[Company]]] = []
        # Inserting in bulk: whether the record being applied holds its new rows back, the
        # rows held back (inquiries, events, raw records, in the order they were made), the
        # ids to note where they go once inserted, and their AppliedValues.
        self.bulk = deferred and not savepoints
        self.holding = False
        self.pending: list[Model] = []
        self.pending_ids: list[tuple[dict, str, Model]] = []
        self.pending_applied: list[tuple[Model, dict]] = []
        # The deals the record being applied made, and the companies of the parties held back.
        self.deals_made_now: set[int] = set()
        self.pending_parties: set[int] = set()

    # --- Reading once -----------------------------------------------------------------------

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
        taken = Company.objects.filter(slug__in=bases).order_by().values_list("slug", flat=True)
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
            aliases = CompanyAlias.objects.filter(name_key__in=among(missing)).values_list(
                "name_key", "company_id"
            )
            for key, company_id in aliases:
                found[key].add(company_id)
            alias_ids = {pk for ids in found.values() for pk in ids}
            # Two lookups, not one with OR: for a batch's hundreds of keys PostgreSQL read the
            # OR by scanning all 150,000 companies (85 ms), each half from its index (1 ms).
            # Unordered (what is read is kept by id): Company's default order, by name, made
            # PostgreSQL walk the whole name index rather than sort the few rows it finds.
            companies = list(Company.objects.filter(name_key__in=among(missing)).order_by())
            alias_ids -= {company.pk for company in companies}
            if alias_ids:
                companies += Company.objects.filter(pk__in=alias_ids).order_by()
            for company in companies:
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

    # --- Locks --------------------------------------------------------------------------------

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
                    [[lock_number(key) for key in keys]],
                )
        if connection.in_atomic_block:  # otherwise the lock ended with its statement
            self.locked.update(keys)

    # --- Writing when the batch ends ----------------------------------------------------------

    def applied_values(self, key: tuple[str, int]) -> dict | None:
        if key in self.applied_now:
            return self.applied_now[key]
        return self.applied.get(key)

    def record_done(self) -> None:
        self.applied.update(self.applied_now)
        self.applied_now.clear()
        self.links += self.links_now
        self.links_now.clear()

    def store_links(self) -> None:
        self.write_pending()  # the links' history rows follow the inquiries' own
        inquiries_companies_add(self.links)
        self.links.clear()

    def store_applied(self) -> None:
        self.store_links()  # and what is pending
        if self.applied:
            applied_upsert(self.applied)
        self.applied.clear()

    # --- Inserting in bulk --------------------------------------------------------------------

    def save(self, obj: Model) -> None:
        """Save `obj`, or hold a new inquiry, event or raw record back to be inserted in bulk
        (`write_pending`) while the record being applied is `holding`."""
        if self.holding and obj.pk is None:
            self.pending.append(obj)
        else:
            obj.save()

    def note_id(self, target: dict, key: str, obj: Model) -> None:
        """`target[key] = obj.pk`, once `obj` is inserted if it is held back."""
        target[key] = obj.pk
        if obj.pk is None:
            self.pending_ids.append((target, key, obj))

    def write_pending(self) -> None:
        """Insert what the batch held back: parties, inquiries, events, then raw records, one
        statement per kind (COPY on PostgreSQL: deals/row_writes.py `rows_insert`), and the
        history rows saving each would have written ("+", one statement per kind); then ask
        for the refreshes their saves would have asked for (deals/signals.py: `inquiry_saved`,
        `event_saved`, `party_changed`, in the order of the saves), which run when the batch
        ends (`derived_fields_deferred`)."""
        if not self.pending:
            return
        try:
            self._write_pending()
        except Exception as exc:  # a concurrent run's row: the batch is applied the careful way
            raise BulkFailed from exc

    def _write_pending(self) -> None:
        pending, self.pending = self.pending, []
        inquiries = [obj for obj in pending if isinstance(obj, Inquiry)]
        events = [obj for obj in pending if isinstance(obj, Event)]
        parties = [obj for obj in pending if isinstance(obj, Party)]
        raws = [obj for obj in pending if isinstance(obj, RawRecord)]
        self.pending_parties.clear()
        for inquiry in inquiries:  # what Inquiry.save() does before its insert
            inquiry.extended_by = inquiry.extended_by or 0
            inquiry.closed_on_precision = inquiry.closed_on_precision or DatePrecision.DAY
            inquiry.closed_on = as_precise(inquiry.closed_on, inquiry.closed_on_precision)
            inquiry.deal_id_before_save = None  # what the pre_save receiver notes of a new one
        for event in events:  # what Event.save() does before its insert
            inquiry_deal = event.inquiry.deal_id if event.inquiry is not None else None
            event.timeline_deal_id = event.deal_id or inquiry_deal
            event.precision = event.precision or DatePrecision.DAY
            event.occurred_on = as_precise(event.occurred_on, event.precision)
        now = timezone.now()
        for model, objs in ((Party, parties), (Inquiry, inquiries), (Event, events)):
            if objs:
                rows_insert(model, objs)
                history_insert(model, objs, default_change_reason=None, default_date=now)
        for target, key, obj in self.pending_ids:
            target[key] = obj.pk
        self.pending_ids.clear()
        rows_insert(RawRecord, raws)
        for obj, values in self.pending_applied:
            self.applied[(obj._meta.label_lower, obj.pk)] = values
        self.pending_applied.clear()
        for obj in pending:
            if isinstance(obj, Inquiry):
                inquiry_saved(Inquiry, obj, created=True)
            elif isinstance(obj, Event):
                event_saved(Event, obj, created=True)
            elif isinstance(obj, Party):
                party_changed(Party, obj, created=True)

    def forget(self) -> None:
        self.by_key.clear()
        self.by_id.clear()
        self.locked = set(self.batch_locked)
        self.records.clear()
        self.no_inquiry.clear()
        self.free_slugs.clear()
        self.aliases.clear()
        self.applied_now.clear()
        self.links_now.clear()
