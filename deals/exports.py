"""The CSV downloads: deals, inquiries and the /stats/ tables, each row beside its headers, all
written by `csv_chunks` so that every download is spreadsheet-safe the same way and holds only
text (deals/text.py).

`DEALS` and `INQUIRIES` are the filtered lists' downloads (file name, columns, row), which the
list pages offer (deals/views.py); `INQUIRY_STATE_FIELDS` names an inquiry's state and dates
once, for its CSV columns and the API's fields (api/serializers.py).

A filtered list's CSV streams (`filtered_csv`): its first 50 rows are read on their own and
leave in a first block of about 4 KB, so the download starts at once; the rest come from
`iterator(chunk_size=...)` (a server-side cursor on PostgreSQL) and leave in blocks of about
64 KB, so a worker holds one chunk, not the whole file. What a chunk's rows read beyond their
own columns (a deal's parties and inquiries, an inquiry's phases, the regulators) is read in
two or three queries for the whole chunk (`deal_rows`, `inquiry_rows`): the parties and
phases as tuples, not model objects, and no queryset made for each deal's inquiries.
The unfiltered CSVs are prebuilt files (`full_exports_refresh`, run by Celery beat every minute:
rebuilt when the content version changed since the last build and that build is at least
EXPORTS_EVERY_MINUTES old), written atomically under EXPORTS_DIR and served from disk
(`full_export_response`); until the first file exists the unfiltered CSV streams too.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import fcntl
import hashlib
import io
import itertools
import json
import logging
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .cache import content_version, shared
from .derived import one_day
from .filters import DealFilter, InquiryFilter
from .models import (
    DEAL_ROW_INQUIRY_ORDER,
    SEARCH_COLUMNS,
    Deal,
    Inquiry,
    Party,
    Phase,
    Regulator,
)
from .text import NOT_TEXT, text_clean

logger = logging.getLogger(__name__)

CSV_TYPE = "text/csv; charset=utf-8"

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


# What `phase_text` reads of a phase.
PHASE_TEXT_FIELDS = (
    "kind",
    "started_on",
    "started_precision",
    "ended_on",
    "ended_precision",
    "deadline_on",
    "deadline_source",
    "ended_how",
    "outcome",
)


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


# Rows fetched per query (and their prefetches once per chunk); bytes written per block sent.
# 500: a worker's memory grows by about 30 MB while it streams (2,000: about 60 MB, over the
# 50 MB the issue allows), at some cost in speed (docs/benchmarks.md, CSV exports).
CHUNK_ROWS = 500
BLOCK_BYTES = 64 * 1024
# The first rows are read on their own and sent in a small first block, so that a download of
# any length starts at once (a chunk of 500 with its prefetches, then 64 KB of rows, took 1 to
# 3 s before the first byte).
FIRST_ROWS = 50
FIRST_BLOCK_BYTES = 4 * 1024


def csv_chunks(header: list[str] | None, rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The header and `rows` as CSV in blocks of about BLOCK_BYTES, every cell spreadsheet-safe:
    cleaned of what is not text first, so that a control character in front of a formula does
    not hide it. One block at a time in memory, however many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(header)
    block = FIRST_BLOCK_BYTES  # the first block small: the download starts at once
    for row in rows:
        cells = [str(cell) for cell in row]
        if NOT_TEXT.search("".join(cells)):  # seldom: one search of the row instead of each cell
            cells = [text_clean(cell) for cell in cells]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        if buffer.tell() >= block:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            block = BLOCK_BYTES
    if buffer.tell():
        yield buffer.getvalue().encode()


def _attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header: list[str] | None, rows: Iterable[Iterable]) -> HttpResponse:
    """A small download held whole (the /stats/ tables)."""
    response = HttpResponse(b"".join(csv_chunks(header, rows)), content_type=CSV_TYPE)
    return _attachment(response, filename)


def csv_streaming_response(
    filename: str, header: list[str] | None, rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A download written as it is sent (a filtered list of any length)."""
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CSV_TYPE)
    return _attachment(response, filename)


# A slug no deal has (slugs are lower-case): the deal page's path is reversed once around it.
_SLUG = "SLUG-PLACEHOLDER"


@dataclass(frozen=True)
class Links:
    """The absolute links of a download's rows: `origin` (scheme and host) before the path of
    `get_absolute_url`, the deal page's path reversed once around a placeholder slug. A
    100,000-row download reversed 100,000 paths and built as many absolute URIs: a sixth of
    its time (tests/deals/test_export_links.py checks every demo row against
    get_absolute_url)."""

    origin: str
    deal_head: str
    deal_tail: str

    @classmethod
    def at(cls, address: str) -> Links:
        """The links of a download served at (or built for) `address`, any URL of the site."""
        head, _, tail = reverse("deals:deal_detail", args=[_SLUG]).partition(_SLUG)
        return cls(urljoin(address, "/").removesuffix("/"), head, tail)

    def deal(self, deal: Deal) -> str:
        return f"{self.origin}{self.deal_head}{deal.slug}{self.deal_tail}"

    def inquiry(self, inquiry: Inquiry) -> str:
        if inquiry.deal_id:
            return inquiry.url_on_deal_page(self.deal(inquiry.deal))
        return self.origin + inquiry.get_absolute_url()


@dataclass(frozen=True)
class Download:
    """A filtered list's CSV: its file name, its header, the rows of a chunk of objects,
    `rows(objects, links)` (what they read beyond their own columns in a few queries for the
    whole chunk), the columns the objects are read with (`read(queryset)`), and the unfiltered
    list in its default order (what the prebuilt file holds)."""

    filename: str
    columns: list[str]
    rows: Callable[[list[Any], Links], list[list[str]]]
    read: Callable[[QuerySet], QuerySet]
    everything: Callable[[], QuerySet]


def _chunks(queryset: QuerySet) -> Iterator[list]:
    """`queryset`'s objects, CHUNK_ROWS at a time, from a server-side cursor on PostgreSQL."""
    objects = queryset.iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(itertools.islice(objects, CHUNK_ROWS)):
        yield chunk


def download_rows(queryset: QuerySet, download: Download, links: Links) -> Iterator[list[str]]:
    """The rows of `queryset` as `download` writes them: the first FIRST_ROWS read and written
    now (so that a query that fails does so before a response has begun, and the first block
    leaves at once), the rest one chunk of objects at a time. The lists' orders are total (pk
    last), so the two reads meet without a gap or a repeat."""
    first = list(download.read(queryset[:FIRST_ROWS]))
    rows = list(download.rows(first, links))
    if len(first) < FIRST_ROWS:
        return iter(rows)
    rest = _chunks(download.read(queryset[FIRST_ROWS:]))
    return itertools.chain(
        rows, itertools.chain.from_iterable(map(download.rows, rest, itertools.repeat(links)))
    )


def unfiltered(query: QueryDict) -> bool:
    """No filter and no sort: the list as the prebuilt file holds it (`page` is dropped by the
    view's `takes`)."""
    return not any(value.strip() for key in query for value in query.getlist(key))


def filtered_csv(request, filterset, download: Download) -> HttpResponseBase:
    """The rows of a list page's filters as a download: a 400 naming what is wrong when a
    filter cannot be used (before anything is streamed), else `download.row` for each of the
    filtered rows, streamed."""
    if not filterset.is_valid():
        return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain")
    rows = download_rows(filterset.qs, download, Links.at(request.build_absolute_uri("/")))
    return csv_streaming_response(download.filename, download.columns, rows)


class Labels:
    """`obj.get_<name>_display()` for each value of `name`, asked once: the labels are lazy
    (translated each time one is shown), and a chunk of rows shows the same few many times."""

    def __init__(self) -> None:
        self.known: dict[tuple, str] = {}

    def __call__(self, obj: Model, name: str) -> str:
        key = (type(obj), name, getattr(obj, name))
        label = self.known.get(key)
        if label is None:
            label = self.known[key] = str(getattr(obj, f"get_{name}_display")())
        return label

    def of(self, model: type[Model], name: str, value: str) -> str:
        """The label of a field's `value` without an object of `model` at hand."""
        label = self.known.get((model, name, value))
        return label if label is not None else self(model(**{name: value}), name)


def deal_row(deal: Deal, parties: list[str], labels: Labels, links: Links) -> list[str]:
    """One deal as DEAL_COLUMNS, its parties worded ("Adobe (Acquirer)"); reads its inquiries
    with their regulators (`deal_rows` gives them)."""
    lines = deal.jurisdiction_lines()
    return [
        deal.title,
        labels(deal, "deal_type"),
        labels(deal, "antitrust_status"),
        labels(deal, "life"),
        _day(deal.life_on),
        " | ".join(line.as_text() for line in lines),
        _day(deal.announced_on),
        _day(deal.completed_on),
        _day(deal.last_activity_on),
        _day(deal.next_deadline()),
        "; ".join(parties),
        "; ".join(line.regulator.short_name for line in lines),
        str(deal.value) if deal.value is not None else "",
        deal.currency,
        deal.sector,
        links.deal(deal),
    ]


def inquiry_row(inquiry: Inquiry, phases: list[str], labels: Labels, links: Links) -> list[str]:
    """One inquiry as INQUIRY_COLUMNS, its phases worded (`phase_text`); reads its regulator and
    deal (`inquiry_rows` gives them)."""
    return [
        inquiry.regulator.short_name,
        inquiry.regulator.jurisdiction,
        inquiry.reference,
        inquiry.title,
        inquiry.deal.title if inquiry.deal_id else "",
        labels(inquiry, "kind"),
        labels(inquiry, "stage"),
        labels(inquiry, "outcome") if inquiry.outcome else "",
        labels(inquiry, "procedure") if inquiry.procedure else "",
        labels(inquiry, "legal_basis") if inquiry.legal_basis else "",
        inquiry.state_text(),
        "; ".join(inquiry.flags()),
        inquiry.status_wording,
        _day(inquiry.opened_on),
        _day(inquiry.next_deadline_on),
        inquiry.next_deadline_source,
        _day_as_known(inquiry.closed_on, inquiry.closed_on_precision),
        labels(inquiry, "decision_status"),
        " | ".join(phases),
        links.inquiry(inquiry),
        inquiry.source_url,
    ]


def _all_deals() -> QuerySet:
    return DealFilter(QueryDict(), queryset=Deal.objects.published()).qs


def _all_inquiries() -> QuerySet:
    return InquiryFilter(QueryDict(), queryset=Inquiry.objects.public()).qs


# What no row reads: search's columns (two thirds of a stored row), the summaries, the
# timestamps (each a datetime to parse) and a deal's stored states (JSON to parse).
_UNREAD = (*SEARCH_COLUMNS, "summary", "created_at", "updated_at")
_DEAL_UNREAD = (*_UNREAD, "stored_states")


def deal_rows_read(deals: QuerySet) -> QuerySet:
    return deals.defer(*_DEAL_UNREAD)


# What an inquiry's row reads of its deal: the title, the address and the completion date (its
# state when it ended before completion): the rest of a deal is neither read nor made.
_DEAL_READ = {"id", "title", "slug", "completed_on"}


def inquiry_rows_read(inquiries: QuerySet) -> QuerySet:
    """The inquiries with their deals' titles, addresses and completion dates (joined)."""
    return inquiries.select_related("deal").defer(
        *_UNREAD,
        *(
            f"deal__{field.attname}"
            for field in Deal._meta.concrete_fields
            if field.attname not in _DEAL_READ
        ),
    )


# An inquiry's regulator and deal, given as prefetching gives them (`inquiry.regulator = ...`
# checks the object's type and asks the database routers each time).
_REGULATOR = Inquiry._meta.get_field("regulator")
_DEAL = Inquiry._meta.get_field("deal")


def _regulators(inquiries: list[Inquiry]) -> None:
    """Each inquiry's regulator, read in one query (a score of them, shared)."""
    regulators = Regulator.objects.in_bulk({inquiry.regulator_id for inquiry in inquiries})
    for inquiry in inquiries:
        _REGULATOR.set_cached_value(inquiry, regulators[inquiry.regulator_id])


def deal_rows(deals: list[Deal], links: Links) -> list[list[str]]:
    """The rows of a chunk of deals: their parties (each one's role and its company's name),
    inquiries and the inquiries' regulators read in three queries for the chunk, as
    `with_list_data` reads them for a page, without making a model object of each party and
    its company nor a queryset for each deal's inquiries; worded as of one day (`one_day`)."""
    ids = [deal.pk for deal in deals]
    labels = Labels()
    parties = defaultdict(list)
    for deal_id, role, company in (
        Party.objects.filter(deal__in=ids)
        .order_by("pk")
        .values_list("deal", "role", "company__name")
    ):
        parties[deal_id].append(f"{company} ({labels.of(Party, 'role', role)})")
    inquiries = list(
        Inquiry.objects.filter(deal__in=ids).defer(*_UNREAD).order_by(*DEAL_ROW_INQUIRY_ORDER)
    )
    _regulators(inquiries)
    by_deal = defaultdict(list)
    for inquiry in inquiries:
        by_deal[inquiry.deal_id].append(inquiry)
    rows = []
    with one_day():
        for deal in deals:
            for inquiry in by_deal[deal.pk]:
                _DEAL.set_cached_value(inquiry, deal)
            # What `deal.inquiries.all()` reads, as prefetch_related_objects leaves it (a list
            # serves as a queryset's cached result): jurisdiction_lines() and next_deadline().
            deal._prefetched_objects_cache = {"inquiries": by_deal[deal.pk]}
            rows.append(deal_row(deal, parties[deal.pk], labels, links))
            # Each deal and its inquiries point at each other: let go of them now, not at the
            # garbage collector's next full pass (a worker's memory grew by 10 MB more).
            del deal._prefetched_objects_cache
    return rows


def inquiry_rows(inquiries: list[Inquiry], links: Links) -> list[list[str]]:
    """The rows of a chunk of inquiries: their phases and regulators read in two queries for the
    chunk (the phases as tuples of what `phase_text` reads); worded as of one day."""
    _regulators(inquiries)
    labels = Labels()
    phases = defaultdict(list)
    for phase in (
        Phase.objects.filter(inquiry__in=[inquiry.pk for inquiry in inquiries])
        .order_by("inquiry", "position")
        .values_list("inquiry", *PHASE_TEXT_FIELDS, named=True)
    ):
        phases[phase.inquiry].append(phase_text(phase))
    with one_day():
        return [inquiry_row(inquiry, phases[inquiry.pk], labels, links) for inquiry in inquiries]


DEALS = Download("dealwatch-deals.csv", DEAL_COLUMNS, deal_rows, deal_rows_read, _all_deals)
INQUIRIES = Download(
    "dealwatch-inquiries.csv",
    INQUIRY_COLUMNS,
    inquiry_rows,
    inquiry_rows_read,
    _all_inquiries,
)
FULL_EXPORTS = (DEALS, INQUIRIES)


# --- The prebuilt unfiltered files ------------------------------------------------------------


def _database_key() -> str:
    """Which database a file was built from, in its name: a test run, the production-shape test
    and a site sharing EXPORTS_DIR never serve each other's files."""
    db = connection.settings_dict
    identity = f"{db['ENGINE']}|{db.get('HOST')}|{db.get('PORT')}|{db['NAME']}"
    return hashlib.sha256(identity.encode()).hexdigest()[:10]


def full_export_path(download: Download) -> Path:
    stem = download.filename.removesuffix(".csv")
    return Path(settings.EXPORTS_DIR) / f"{stem}-{_database_key()}.csv"


def _built_from(path: Path) -> dict | None:
    """What the file at `path` was built from ({"version", "built_at", "rows"}), or None."""
    try:
        return json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None


def _write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    """`chunks` into `path` through a temporary file in the same directory, renamed over it
    when complete: a reader sees the old file or the new one, never a part; an error leaves the
    old file and no temporary one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp's 0600: the web server may be another user
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def full_export_build(download: Download, *, version: int | None) -> int:
    """Write the unfiltered list's file (links from SITE_URL) and what it was built from;
    returns the number of rows."""
    path = full_export_path(download)
    count = 0

    def rows():
        nonlocal count
        links = Links.at(settings.SITE_URL)
        for row in download_rows(download.everything(), download, links):
            count += 1
            yield row

    _write_atomically(path, csv_chunks(download.columns, rows()))
    built = {"version": version, "built_at": timezone.now().isoformat(), "rows": count}
    _write_atomically(path.with_suffix(".json"), [json.dumps(built).encode()])
    return count


@contextlib.contextmanager
def _build_lock() -> Iterator[bool]:
    """True when this process may build (no other build is under way on this machine)."""
    directory = Path(settings.EXPORTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def full_exports_refresh(*, now: datetime.datetime | None = None) -> list[str]:
    """Rebuild each unfiltered file that is missing, or whose content version is not the
    current one and which is at least EXPORTS_EVERY_MINUTES old (so a busy site rebuilds at
    most that often, and a file is at most that much, plus a build, behind). Cheap when nothing
    changed: one cache read and a small file per export. Returns the files rebuilt."""
    if settings.EXPORTS_EVERY_MINUTES <= 0:
        return []
    now = now or timezone.now()
    every = datetime.timedelta(minutes=settings.EXPORTS_EVERY_MINUTES)
    version = content_version()  # read before building: a write during the build is seen next
    rebuilt = []
    with _build_lock() as allowed:
        if not allowed:
            return []
        for download in FULL_EXPORTS:
            path = full_export_path(download)
            built = _built_from(path) if path.exists() else None
            if built is not None:
                unchanged = version is not None and built.get("version") == version
                built_at = datetime.datetime.fromisoformat(built["built_at"])
                if unchanged or now - built_at < every:
                    continue
            count = full_export_build(download, version=version)
            logger.info("Built %s: %d rows", path.name, count)
            rebuilt.append(path.name)
    return rebuilt


def full_export_response(request, download: Download) -> HttpResponseBase | None:
    """The prebuilt unfiltered file, streamed from disk, with its Last-Modified, ETag and
    X-Export-Built-At (a revalidation that matches gets 304); None while none exists."""
    if settings.EXPORTS_EVERY_MINUTES <= 0:
        return None
    try:
        handle = open(full_export_path(download), "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        return None
    stat = os.fstat(handle.fileno())  # of the file opened: a rebuild may replace the name
    response = FileResponse(
        handle, as_attachment=True, filename=download.filename, content_type=CSV_TYPE
    )
    _attachment(response, download.filename)  # quoted as the streamed download's
    built_at = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["ETag"] = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    response["X-Export-Built-At"] = built_at.isoformat(timespec="seconds")
    shared(response)  # the same file for everyone: a shared cache in front may keep it
    answer = get_conditional_response(
        request, etag=response["ETag"], last_modified=int(stat.st_mtime), response=response
    )
    # A 304 keeps the headers above (Django copies them); not response.close(), which signals
    # the request's end.
    if answer is not response:
        handle.close()
    return answer
