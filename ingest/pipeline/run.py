"""Runs: fetch a source (or take stored documents), parse it, apply what changed, and record
the run with its counts (IngestRun), whoever starts it: the command, a Celery task, a test."""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from deals.cache import content_changed
from deals.derived import revise
from deals.models import Inquiry

from ..models import IngestRun, RawRecord
from ..sources import get_source, source_pages
from ..sources.base import FetchError, FetchPolicy, IngestError, Parsed, Skipped
from .records import Tally, batch_ingest, batches, record_hash

# Wraps the records of a run as they are applied, given their number: the command's progress
# bar (tqdm). Not the digest's progress callback of subscriptions.services.
ProgressBar = Callable[[Iterable, int], Iterable]


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
    progress: ProgressBar | None = None,
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
        if progress:
            parsed = progress(parsed, len(parsed) if isinstance(parsed, list) else None)
        for batch in batches(parsed):
            batch_ingest(source=source, records=batch, tally=tally)
    except FetchError as exc:
        # Raised before anything is applied: the run says so, for the admin's "Last error".
        run_finish(run=run, tally=tally, error=f"fetch failed, nothing changed: {exc}")
        raise
    except IngestError as exc:
        run_finish(run=run, tally=tally, error=str(exc))
        raise
    except Exception as exc:
        run_finish(run=run, tally=tally, error=f"{type(exc).__name__}: {exc}")
        raise
    run_finish(run=run, tally=tally)
    inquiries_checked(run)
    return run


def inquiries_checked(run: IngestRun) -> int:
    """A run that read its source (not a saved file) checked every inquiry whose record it saw:
    their "last checked" date (`Inquiry.checked_on`) becomes today, in one UPDATE, no history
    row, at most once a day; the pages say it beside a deadline passed with no decision."""
    if run.trigger == "file":
        return 0
    today = timezone.localdate()
    seen = RawRecord.objects.filter(
        source=run.source, last_seen_at__gte=run.started_at, inquiry__isnull=False
    ).values("inquiry")
    checked = list(
        Inquiry.objects.filter(pk__in=seen)
        .filter(Q(checked_on__isnull=True) | Q(checked_on__lt=today))
        .values_list("pk", "deal_id")
    )
    if not checked:
        return 0
    updated = Inquiry.objects.filter(pk__in=[pk for pk, _ in checked]).update(checked_on=today)
    # Their rows, and their deals' rows, say when they were last checked.
    revise(inquiry_ids=[pk for pk, _ in checked], deal_ids=[deal for _, deal in checked])
    content_changed()
    return updated


def run_finish(*, run: IngestRun, tally: Tally, error: str = "") -> None:
    for name in ("records", "new", "changed", "unchanged", "skipped", "errors", "problems"):
        setattr(run, name, getattr(tally, name))
    run.error = error
    run.finished_at = max(timezone.now(), run.started_at)
    run.save()


# Records of a split document decided on (changed or not) in one query: a dump is read this many
# cases at a time, so a run's memory does not grow with the dump.
CHUNK = 1000


def source_records(
    *, source: str, documents: list[bytes], tally: Tally
) -> list[Parsed] | Iterator[Parsed]:
    """The records of `documents` to apply: all but those whose stored hash is unchanged
    (counted in `tally`). A source that can split its documents (`split`) has those found
    before it parses anything: a re-run of a large dump parses only what changed, and the
    records come CHUNK at a time as the documents are read (a source's `split` may stream).
    Every document is split (and so checked) before any record of any of them comes out."""
    module = get_source(source)
    if not hasattr(module, "split"):
        with gc_paused():
            parsed = source_parse(source=source, documents=documents)
        return records_changed(source=source, records=parsed, tally=tally)
    with gc_paused():
        splits = [module.split(document) for document in documents]
    return _changed_records(module, source, itertools.chain.from_iterable(splits), tally)


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection while a document is read: parsing makes objects by the
    hundred thousand and no cycles, and each collection it sets off walks every object the
    process holds (reading the EC's antitrust dump took 0.09 s of CPU with it, 0.02 without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _changed_records(module, source: str, items: Iterable, tally: Tally) -> Iterator[Parsed]:
    items = iter(items)
    while chunk := list(itertools.islice(items, CHUNK)):  # itertools.batched from Python 3.12
        changed = records_changed(source=source, records=chunk, tally=tally)
        yield from (module.parse_unparsed(item) for item in changed)


def records_changed(*, source: str, records: list, tally: Tally) -> list:
    """The records to apply: those new or changed, and the skipped ones (to be reported). The
    others, whose stored hash is unchanged, are counted and marked seen: a re-run decides in
    one query (and marks in one), not a transaction per record.

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
        and stored[record.external_id] == record_hash(source=source, record=record)
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
