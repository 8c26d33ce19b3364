"""Companies: the one a name means, found by name and alternative names, or created for review.

Matching is `deals.names`' (one key per name, legal forms taken off); this module finds and
creates the companies a record names, one by one (`company_for`) or, when a batch of new cases
can be told in advance, all in one insert (`companies_bulk_create`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from deals.cache import content_changed
from deals.history import history_insert
from deals.models import Company, CompanyAlias
from deals.names import group_parents, name_key, possessive_owner, slug_base, split_name
from deals.row_writes import ids_allocate, rows_insert
from deals.vocabulary import status_errors

from ..sources.base import CaseRecord, Parsed, Skipped
from .batch import Batch, BulkFailed, among


def company_for(name: str, *, batch: Batch | None = None) -> Company:
    """The company called `name` (or with that alternative name), created for review if none.

    History in the name ("X AG (ex: Y)") becomes an alternative name; a product ("Apple's
    iTunes") is its known owner; a new company whose name is a known group's plus a region
    ("Microsoft Europe"), or a known group's without its group word ("Credit Suisse AG" under
    "Credit Suisse Group AG"), gets that group as its parent, for an editor to confirm.
    """
    batch = batch or Batch()
    name = " ".join(name.split())[:200]
    current, former = split_name(name)
    batch.lock([f"company:{name_key(current)}"])
    company = company_matching(name, batch=batch)
    if company is None:
        owner = possessive_owner(current)
        company = company_matching(owner, batch=batch) if owner else None
    if company is None:
        company = Company.objects.create(
            name=current[:200],
            slug=batch.free_slug(current[:200]),
            needs_review=True,
            parent=_group_of(current),
        )
        batch.known(company, company.name_key)
    for old in former:
        key = name_key(old)
        # A batch reads or makes each alternative name once: the same "X (ex: Y)" recurs.
        if key != company.name_key and (company.pk, key) not in batch.aliases:
            CompanyAlias.objects.get_or_create(
                company=company, name_key=key, defaults={"name": old[:200]}
            )
            batch.aliases.add((company.pk, key))
            batch.known(company, key)
    return company


def _new_case_names(*, source: str, records: list[Parsed], batch: Batch) -> list[str] | None:
    """The company names a batch of new case records names, in order; None when applying
    them may find a known inquiry or make a deal (then nothing can be told in advance)."""
    cases = [record for record in records if not isinstance(record, Skipped)]
    if not all(isinstance(record, CaseRecord) and record.deal is None for record in cases):
        return None
    absent, seen = set(batch.no_inquiry), set()
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
        if batch.records.get((source, record.external_id)) or not keys <= absent - seen:
            return None  # its inquiry may be found, and with it the companies already added
        seen |= keys
        names += [" ".join(name.split())[:200] for name in wanted.companies]
    return names


def _companies_to_create(names: list[str], *, batch: Batch) -> list[Company] | None:
    """The companies `company_for` would create for `names` one by one, unsaved; None when a
    slug depends on a company made before it."""
    owners = {name: possessive_owner(split_name(name)[0]) for name in names}
    batch.companies([*names, *filter(None, owners.values())])
    known = {key for key, ids in batch.by_key.items() if ids}
    slugs = set(batch.free_slugs)
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
            return None  # Company.save finds its slug, after the companies made before it
        slugs.discard(slug)
        new.append(Company(name=current[:200], name_key=key, slug=slug, needs_review=True))
        known |= keys
    return new


def companies_bulk_create(*, source: str, records: list[Parsed], batch: Batch) -> int:
    """Create in one insert (and one for their history) the companies that applying `records`
    one by one would create, in that order, with the same slugs and parents; returns how many.

    Only where that can be told before applying them: a batch of new case records, each making
    its inquiry and no deal, so that each names exactly its companies to `company_for`. Anything
    else (a press release, a known record or case, a deal, a slug or parent that depends on
    another new company) creates nothing here, and `company_for` creates as it goes.
    """
    names = _new_case_names(source=source, records=records, batch=batch)
    new = _companies_to_create(names, batch=batch) if names is not None else None
    if not new:
        return 0
    heads = {company.name_key: group_parents(company.name) for company in new}
    wanted_heads = {head for group in heads.values() for head in group}
    heads_found = _by_name(Company.objects.filter(name_key__in=among(wanted_heads)))
    found = {c.name_key: c for c in heads_found}
    # A company whose group is made in this batch too is inserted after it: one insert per
    # such step, in the order applying the records one by one would make them. On PostgreSQL
    # each has its id before any is inserted (the ids so inserting them would give), so the
    # group's is known and all go in one insert.
    ids_allocate(Company, new)
    created: list[Company] = []
    for n, company in enumerate(new):
        group = next((head for head in heads[company.name_key] if head in found), None)
        company.parent = found[group] if group else None
        if company.parent is not None and company.parent.pk is None:
            created += _companies_insert(new[len(created) : n])
        found[company.name_key] = company
    created += _companies_insert(new[len(created) :])
    for company in created:
        batch.free_slugs.discard(company.slug)
        batch.known(company, company.name_key)
    content_changed()  # what the companies' post_save signal does
    return len(created)


def _companies_insert(companies: list[Company]) -> list[Company]:
    try:
        with transaction.atomic():
            rows_insert(Company, companies)
            history_insert(Company, companies, default_change_reason=None)
            return companies
    except IntegrityError:  # a slug another run took since the batch read them
        raise BulkFailed from None


def _group_of(name: str) -> Company | None:
    """The known group `name` is a regional arm or a company of ("Microsoft Europe" ->
    Microsoft, "Credit Suisse AG" -> Credit Suisse Group AG), if one (`group_parents`)."""
    heads = group_parents(name)
    if not heads:
        return None
    found = {c.name_key: c for c in _by_name(Company.objects.filter(name_key__in=among(heads)))}
    return next((found[head] for head in heads if head in found), None)


def _by_name(companies: QuerySet[Company]) -> QuerySet[Company]:
    """`companies` in their default order (by name: of two with one key, the later wins), as
    COALESCE(name, name), the same order, which no index holds: ordered by the name itself,
    PostgreSQL walked the whole name index rather than sort the few rows name_key finds."""
    return companies.order_by(Coalesce(F("name"), F("name")), "pk")


def companies_matching(name: str, *, batch: Batch | None = None) -> list[Company]:
    """Every company called `name`: by its name, its former names, or an alternative name."""
    return companies_matching_all([name], batch=batch)[name]


def companies_matching_all(
    names: Iterable[str], *, batch: Batch | None = None
) -> dict[str, list[Company]]:
    """Each name's companies (as `companies_matching`), for all the names in two queries, or
    none for names the batch has read already."""
    return (batch or Batch()).companies(names)


def company_matching(name: str, *, batch: Batch | None = None) -> Company | None:
    """The company called `name`, by its name first, then by an alternative name."""
    matches = companies_matching(name, batch=batch)
    key = name_key(split_name(name)[0])
    return next((c for c in matches if c.name_key == key), None) or next(iter(matches), None)
