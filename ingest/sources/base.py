"""What every source module shares: the record types, the errors, safe parsing and fetching.

Source modules are pure: they turn the bytes a regulator serves into the plain records below and
know nothing of the ORM. `ingest.pipeline` applies the records to the models.

Each module has:

    NAME: str                     the source slug ("ec")
    HOSTS: frozenset[str]         the only hosts it may fetch from (HTTPS only)
    MAPPING_VERSION: int          bumped whenever its status table changes, so that every
                                  stored record is applied again once (ingest.pipeline)
    def fetch(*, client, policy, pages) -> list[bytes]   the documents it serves now
    def parse(document: bytes) -> list[Parsed]   one document -> records (or BadRecord)

and, where a document is a set of records that each come with their id (the EC's dumps):

    def split(document: bytes) -> list[Unparsed]  the records before parsing, so that a
                                                  re-run parses only those that changed
    def parse_unparsed(item: Unparsed) -> Parsed
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import html
import json
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import httpx
import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from deals.links import http_url, http_url_on

__all__ = ["http_url", "http_url_on"]  # the one check of an address, for the source modules

T = TypeVar("T")

# --- Errors -------------------------------------------------------------------------------


class IngestError(Exception):
    """Base of ingest's own errors."""


class RefusedDocument(IngestError):
    """The whole document is unreadable or hostile; nothing of it is applied."""


class FetchError(IngestError):
    """A fetch failed in a way that retrying will not fix (bad host, 404, too large)."""


class TransientFetchError(FetchError):
    """A fetch failed in a way that may pass (timeout, connection reset, 5xx, 429)."""


class BadRecord(IngestError):
    """One record is unusable (missing fields, wrong types); the rest of the file goes in."""


# --- Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRecord:
    name: str
    role: str  # a deals.PartyRole value: "acquirer", "target"…


@dataclass(frozen=True)
class EventRecord:
    key: str  # stable within its record: a decision id, a change-history timestamp
    occurred_on: datetime.date
    kind: str  # a deals.EventKind value
    title: str
    text: str = ""
    source_url: str = ""

    def __post_init__(self) -> None:
        _only_http(self, "source_url")


def _only_http(record: object, name: str) -> None:
    """Whatever a source module parsed, only an http(s) address is kept: a `javascript:` or
    `data:` link never reaches the models."""
    object.__setattr__(record, name, http_url(getattr(record, name)))


@dataclass(frozen=True)
class DealRecord:
    title: str
    parties: tuple[PartyRecord, ...]
    deal_type: str = "acquisition"  # a deals.DealType value
    announced_on: datetime.date | None = None


@dataclass(frozen=True)
class InquiryRecord:
    regulator: str  # a deals.Regulator slug
    reference: str  # the regulator's case number; "" when it has none
    title: str
    kind: str  # a deals.InquiryKind value
    stage: str  # a deals.Stage value
    outcome: str = ""  # a deals.Outcome value, "" while open
    status_wording: str = ""
    opened_on: datetime.date | None = None
    deadline_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    source_url: str = ""
    summary: str = ""
    companies: tuple[str, ...] = ()
    procedure: str = ""  # a deals.Procedure value, "" where the source does not say
    legal_basis: str = ""  # a deals.LegalBasis value, likewise
    # The source shows a decision only an in-depth phase gives but not when that phase began.
    phase_2_start_unknown: bool = False
    # Fields this record cannot speak for (a register listing row has no determination): they
    # fill a new inquiry but never overwrite what a fuller record of the same case stored.
    unknown: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _only_http(self, "source_url")


@dataclass(frozen=True)
class CaseRecord:
    """A case at a regulator: an inquiry, maybe a deal, and its timeline."""

    external_id: str
    raw: dict
    inquiry: InquiryRecord
    deal: DealRecord | None = None
    events: tuple[EventRecord, ...] = ()
    # A merger case without a deal it could name goes to the review queue with this note.
    review_note: str = ""
    # What the source got wrong in this record without making it unusable (a decision with no
    # date or type): listed in the run's problems as warnings, the record applied all the same.
    warnings: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.inquiry.title

    @property
    def url(self) -> str:
        return self.inquiry.source_url

    @property
    def published_on(self) -> datetime.date | None:
        return self.inquiry.opened_on


@dataclass(frozen=True)
class PressRecord:
    """A press release: an event on a known case or deal, or an item for the review queue."""

    external_id: str
    raw: dict
    regulator: str
    title: str
    url: str
    published_on: datetime.date
    text: str = ""  # plain text, already stripped of markup
    # Case numbers the release names (M.11357, AT.40153, an HSR transaction number).
    references: tuple[str, ...] = field(default=())
    # Why the release is about no deal or case ("a staff appointment"), when the source can
    # tell from its title: recorded, kept out of the review queue unless it names a known case.
    filed_as: str = ""

    def __post_init__(self) -> None:
        _only_http(self, "url")

    def event(self) -> EventRecord:
        return EventRecord(
            key="press",
            occurred_on=self.published_on,
            kind="press",
            title=self.title[:300],
            text=self.text,
            source_url=self.url,
        )


@dataclass(frozen=True)
class Skipped:
    """A record the parser could not use, with its id when it has one."""

    external_id: str
    reason: str


@dataclass(frozen=True)
class Unparsed:
    """One record of a document as served, with the id its parsed record will have: `raw` is
    that record's `raw`, so its content hash says whether it changed before it is parsed."""

    external_id: str
    raw: object
    key: str = ""  # what the document keys it by


Record = CaseRecord | PressRecord
Parsed = CaseRecord | PressRecord | Skipped


def canonical_json(raw: object) -> str:
    """A record's content as one string: key order and whitespace do not matter."""
    return json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(raw: dict) -> str:
    """A stable hash of a record's content (key order and whitespace do not matter)."""
    return hashlib.sha256(canonical_json(raw).encode()).hexdigest()


# --- Safe parsing -------------------------------------------------------------------------


def load_json(document: bytes) -> object:
    """The JSON in `document`, or RefusedDocument saying plainly why not."""
    try:
        return json.loads(document)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise RefusedDocument(f"not a JSON document ({exc})") from exc


# What XML 1.0 forbids (deals/text.py): a C0 control other than tab, newline and CR, U+FFFE or
# U+FFFF, raw or as a character reference ("&#2;", "&#xFFFE;"); in bytes, as UTF-8 holds it.
_CHAR_REF = (
    r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF])"
    r"|0*(?:[0-8]|1[124-9]|2\d|3[01]|6553[45]));"
)
XML_NOT_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|{_CHAR_REF}")
XML_NOT_TEXT_BYTES = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|" + _CHAR_REF.encode()
)
STAND_IN = 0xF700  # private use: U+F700 + a control's code, U+F720 and U+F721 for FFFE, FFFF
XML_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=["']([\w.:-]+)""")


def _xml_stand_ins(document: bytes) -> tuple[bytes, dict[int, str]]:
    """`document` with each character XML 1.0 forbids replaced by a private-use stand-in, and
    the table that restores them; ({}: nothing replaced).

    Expat refuses a whole document for one control character in one item's title; standing in
    for it lets the document parse, and the parsed text gets the character back, so that the
    pipeline removes it and warns about that one record (ingest/pipeline/records.py). Only a
    UTF-8 document (declared so, or with no encoding declared) is read this way, and only one
    that holds no stand-in of its own: any other is removed of them instead, without a trace.
    """
    if not XML_NOT_TEXT_BYTES.search(document):
        return document, {}
    declared = XML_ENCODING.match(document)
    text = None
    if not declared or declared.group(1).lower() in (b"utf-8", b"utf8"):
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is None or any(STAND_IN <= ord(char) <= STAND_IN + 0x21 for char in set(text)):
        return XML_NOT_TEXT_BYTES.sub(b"", document), {}

    def stand_in(match: re.Match) -> str:
        found = match.group()
        if found.startswith("&#"):
            number = found[2:-1]
            code = int(number[1:], 16) if number[:1] in "xX" else int(number)
        else:
            code = ord(found)
        return chr(STAND_IN + (code if code < 0x20 else 0x20 + code - 0xFFFE))

    restore = {STAND_IN + code: chr(code) for code in range(0x20)}
    restore |= {STAND_IN + 0x20: "\ufffe", STAND_IN + 0x21: "\uffff"}
    return XML_NOT_TEXT.sub(stand_in, text).encode(), restore


def load_xml(document: bytes) -> Element:
    """The XML tree of `document`, parsed with defusedxml.

    Any DTD is refused, which refuses entity bombs ("billion laughs") and external entities
    before expat expands or fetches anything. A character that XML forbids (a control
    character in a title) does not refuse the document: its text holds it, as served, for the
    pipeline to remove and report (`_xml_stand_ins`).
    """
    document, restore = _xml_stand_ins(document)
    try:
        root = defused_fromstring(document, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise RefusedDocument(
            f"refused a hostile XML document: {type(exc).__name__} "
            "(DTDs, entity declarations and external entities are not allowed)"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise RefusedDocument(f"not an XML document ({exc})") from exc
    if restore:
        table = str.maketrans(restore)
        for element in root.iter():
            element.text = element.text and element.text.translate(table)
            element.tail = element.tail and element.tail.translate(table)
            for name, value in element.attrib.items():
                element.attrib[name] = value.translate(table)
    return root


def rss_items(document: bytes) -> list[dict[str, str]]:
    """The <item>s of an RSS 2.0 feed as {tag: text} dicts (namespaced tags by local name)."""
    root = load_xml(document)
    if root.tag != "rss" or root.find("channel") is None:
        raise RefusedDocument(f"not an RSS feed (root element <{root.tag}>)")
    items = []
    for item in root.iter("item"):
        fields: dict[str, str] = {}
        for child in item:
            tag = child.tag.rsplit("}", 1)[-1]
            fields.setdefault(tag, (child.text or "").strip())
        items.append(fields)
    return items


def rss_records(
    document: bytes, parse_item: Callable[[str, dict[str, str]], Parsed]
) -> list[Parsed]:
    """Every item of an RSS feed through `parse_item(guid, item)`; a bad item is Skipped."""
    parsed: list[Parsed] = []
    for item in rss_items(document):
        guid = item.get("guid") or item.get("link") or ""
        try:
            if not guid:
                raise BadRecord("item has neither guid nor link")
            parsed.append(parse_item(guid, item))
        except BadRecord as exc:
            parsed.append(Skipped(external_id=guid or item.get("title", "?"), reason=str(exc)))
    return parsed


# --- Status tables ------------------------------------------------------------------------


def from_table(table: Mapping[str, T], value: str, *, what: str, name: str) -> T:
    """The row of a source's status table for `value`; a value outside it is a bad record.

    Every source maps its own vocabulary into ours through its table and nothing else, so a
    value the table does not list is refused, named, rather than stored as a guess:
    "unknown outcome_type 'x' (not in cma.OUTCOME_TYPES)".
    """
    try:
        return table[value]
    except KeyError:
        raise BadRecord(f"unknown {what} {value!r} (not in {name})") from None


# --- Small helpers the parsers share ------------------------------------------------------


def html_to_text(markup: str) -> str:
    """Plain text of HTML that came from a source: every tag removed by nh3, entities decoded.

    The result is shown through Django's autoescaping, never marked safe.
    """
    if not markup:
        return ""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", "\n", markup)
    text = html.unescape(nh3.clean(spaced, tags=set(), strip_comments=True))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line).strip()


SAFE_TAGS = {"p", "br", "a", "ul", "ol", "li", "strong", "em", "b", "i", "h2", "h3", "h4"}
SAFE_TAGS |= {"table", "thead", "tbody", "tr", "th", "td", "blockquote", "span"}


def sanitise_html(markup: str) -> str:
    """HTML that came from a source, cleaned by nh3 so that it may be shown as HTML."""
    return nh3.clean(
        markup or "",
        tags=SAFE_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan"}},
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def parse_date(value: object, *, what: str) -> datetime.date:
    """A date from "2017-05-04", "2024-10-03T07:59:29.855Z" or similar; BadRecord if not."""
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(f"{what} is missing or not a string")
    text = value.strip()
    try:
        if "T" in text or " " in text:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment.date()
        return datetime.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise BadRecord(f"{what} {text!r} is not a date") from exc


def optional_date(value: object, *, what: str) -> datetime.date | None:
    if value in (None, "", [], {}):
        return None
    return parse_date(value, what=what)


def split_title_parties(title: str) -> list[str]:
    """ "A / B / C" -> ["A", "B", "C"]; parenthesised notes ("(certain assets)") removed."""
    names = []
    for part in re.split(r"\s+/\s+", title):
        name = re.sub(r"\s*\([^)]*\)", "", part).strip(" .,;")
        if name:
            names.append(name)
    return names


def unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in {v.casefold() for v in seen}:
            seen[value] = None
    return tuple(seen)


# --- Fetching -----------------------------------------------------------------------------


class RateLimit:
    """At most `per_second` requests a second to each host, for every fetch that shares this
    object (one per source module, so one per worker process): a request that would come too
    soon after the last one to its host waits for its turn.

    The SEC's fair-access rules allow 10 a second (ingest/sources/sec_edgar.py). `clock` and
    `sleep` are the monotonic clock and the wait, replaceable by a test's fake clock.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be more than 0")
        self.interval = 1.0 / per_second
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}  # host -> the earliest moment of its next request
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        """Return when a request to `host` may go: at once, or after sleeping until its turn.

        Turns are handed out under a lock, so that threads sharing the limit keep it too."""
        with self._lock:
            now = self.clock()
            turn = max(now, self._next.get(host, now))
            self._next[host] = turn + self.interval
        if turn > now:
            self.sleep(turn - now)


@dataclass(frozen=True)
class FetchPolicy:
    hosts: frozenset[str]
    timeout: float = 20.0  # seconds for any one read (connect, each chunk of the body)
    max_bytes: int = 64 * 1024 * 1024
    max_redirects: int = 3
    user_agent: str = "Dealwatch ingest"
    # Seconds for the whole fetch, redirects and body included: a server that trickles a byte
    # now and then never trips the per-read timeout, and would hold a worker for hours.
    deadline: float = 300.0
    # The per-host request rate a source must keep (the SEC's fair access), if any: every
    # request of a fetch, redirects included, waits for its turn.
    rate_limit: RateLimit | None = None


def _check_url(url: str, hosts: frozenset[str]) -> None:
    try:
        parts = urlsplit(url)
        hostname = (parts.hostname or "").lower()
    except ValueError as exc:  # "https://[oops/" in a Location header
        raise FetchError(f"refused {url!r}: not an address ({exc})") from None
    if parts.scheme != "https":
        raise FetchError(f"refused {url}: only HTTPS is fetched")
    if hostname not in hosts:
        raise FetchError(f"refused {url}: {parts.hostname} is not one of this source's hosts")


class _Deadline:
    """The end of one fetch, kept whatever the fetch is waiting for.

    The per-read timeout cannot keep it: a server that trickles its status line and headers a
    byte at a time answers every read in time, and no code of ours runs until the headers are
    complete. So each connection the fetch opens is noted (httpx's `trace` extension, on a
    duplicate of its socket) and, at the deadline, a timer thread shuts it down: the read
    waiting on it returns at once and the fetch fails with "gave up after N s".
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.give_up_at = time.monotonic() + seconds
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._shut_down)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return self.give_up_at - time.monotonic()

    def trace(self, event: str, info: dict) -> None:
        """httpx's `trace` extension: keep a duplicate of each new connection's socket (ours
        to shut down and close, whatever httpx does with its own)."""
        if event != "connection.connect_tcp.complete":
            return
        raw = info["return_value"].get_extra_info("socket")
        if raw is None:
            return
        with self._lock:
            self._sockets.append(raw.dup())
            if self.passed:  # connected just as the deadline passed: ended at once all the same
                with contextlib.suppress(OSError):
                    self._sockets[-1].shutdown(socket.SHUT_RDWR)

    def _shut_down(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def fetch_url(
    url: str, *, client: httpx.Client, policy: FetchPolicy, params: dict | None = None
) -> bytes:
    """GET `url` from one of the source's own hosts, following redirects only within them.

    Reads at most `policy.max_bytes` (a larger declared length is refused before the body is
    read) and gives up at `policy.deadline`, even on a server that trickles its headers.
    Raises TransientFetchError for what a retry may fix and FetchError for the rest, each
    saying what the server did.
    """
    _check_url(url, policy.hosts)
    # A fresh connection for each request, so that the deadline knows every socket it uses.
    headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip", "Connection": "close"}
    deadline = _Deadline(policy.deadline)
    try:
        for _ in range(policy.max_redirects + 1):
            response = _send(
                url, client=client, policy=policy, params=params, headers=headers, deadline=deadline
            )
            try:
                if response.is_redirect:
                    target = urljoin(str(response.url), response.headers.get("location", ""))
                    _check_url(target, policy.hosts)
                    url, params = target, None
                    continue
                return _body(url, response, policy=policy, deadline=deadline)
            finally:
                response.close()
        raise FetchError(f"too many redirects fetching {url}")
    finally:
        deadline.close()


def _gave_up(url: str, deadline: _Deadline) -> TransientFetchError:
    return TransientFetchError(f"{url}: gave up after {deadline.seconds:g} s")


def _send(
    url: str,
    *,
    client: httpx.Client,
    policy: FetchPolicy,
    params: dict | None,
    headers: dict[str, str],
    deadline: _Deadline,
) -> httpx.Response:
    """The response to one GET, its headers read and its body not yet."""
    if policy.rate_limit is not None:
        policy.rate_limit.wait((urlsplit(url).hostname or "").lower())
    left = deadline.left()
    if left <= 0:
        raise _gave_up(url, deadline)
    # Each read is bounded by the read timeout, and none starts after the deadline; one that
    # is waiting when the deadline passes is ended by its timer.
    timeout = min(policy.timeout, left)
    request = client.build_request(
        "GET",
        url,
        params=params,
        headers=headers,
        timeout=timeout,
        extensions={"trace": deadline.trace},
    )
    try:
        return client.send(request, stream=True, follow_redirects=False)
    except httpx.TransportError as exc:
        if deadline.passed:
            raise _gave_up(url, deadline) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise TransientFetchError(
                f"timed out fetching {url}: no answer within {timeout:g} s"
            ) from exc
        raise TransientFetchError(f"could not fetch {url}: {exc}") from exc


def _body(url: str, response: httpx.Response, *, policy: FetchPolicy, deadline: _Deadline) -> bytes:
    """The body of a 200 response, read up to the size cap and the deadline."""
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientFetchError(f"{url} answered {response.status_code}")
    if response.status_code != 200:
        raise FetchError(f"{url} answered {response.status_code}")
    too_large = f"{url} is larger than {policy.max_bytes} bytes; refused"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"{too_large} (it declares {declared})")
    body = bytearray()
    try:
        for chunk in _decoded(url, response):
            body += chunk
            if len(body) > policy.max_bytes:
                raise FetchError(too_large)
            if deadline.left() <= 0:
                raise _gave_up(url, deadline)
    except httpx.TransportError as exc:
        if deadline.passed:
            raise _gave_up(url, deadline) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise TransientFetchError(
                f"timed out reading {url}: no data for {policy.timeout:g} s"
            ) from exc
        if isinstance(exc, httpx.RemoteProtocolError):
            raise TransientFetchError(
                f"{url} was cut short after {len(body)} bytes ({exc})"
            ) from exc
        raise TransientFetchError(f"connection lost reading {url}: {exc}") from exc
    except zlib.error as exc:
        raise FetchError(f"{url} could not be decoded ({exc})") from exc
    return bytes(body)


DECODED_CHUNK = 64 * 1024


def _decoded(url: str, response: httpx.Response) -> Iterator[bytes]:
    """The body as served, gunzipped here a bounded piece at a time: httpx would inflate each
    64 KiB read whole, and a compression bomb inflates a read to some 64 MB before the size cap
    could see it."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in ("gzip", "x-gzip"):
        raise FetchError(f"{url} is encoded as {encoding!r}, which was not asked for; refused")
    decoder = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    for raw in response.iter_raw():
        data = raw
        while not decoder.eof:
            out = decoder.decompress(data, DECODED_CHUNK)
            data = decoder.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < DECODED_CHUNK:
                break  # this read is used up, and nothing more is pending
    if not decoder.eof:
        raise FetchError(f"{url} could not be decoded (the gzip stream ends early)")
