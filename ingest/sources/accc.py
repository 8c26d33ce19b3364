"""Australian Competition and Consumer Commission: the acquisitions register.

Since 2026 acquisitions above the thresholds must be notified to the ACCC, which publishes each
matter on its acquisitions register (Drupal HTML, no API): a listing page of every matter,
newest notification first, 50 to a page, and one page per matter. A matter is a notification
(case number MN-xxxxx) or a waiver application (WA-xxxxx).

Each matter page -> an Inquiry keyed by its case number (status, stage and determination mapped
to our stage and outcome, the ACCC's words kept; effective notification date, end of the
determination period, determination date), a Deal between the acquirers and the targets, and an
Event per row of "Decisions and key events" and "Consultation", plus the notification itself.

A run fetches the listing and then every matter page on it; only matter pages are applied. A
`--from-file` document is a matter page (the full record, external id `MN-75002`) or a listing
page: each row of a listing gives a smaller record of what the listing shows (no determination,
no deadline, no timeline), kept under its own id (`register:MN-75002`) so that a listing row and
a matter page never replace each other's stored record. Both feed the same inquiry, through its
case number; a listing row fills a new inquiry but never overwrites what a matter page said
(its stage and determination, wording, deadline, close date, summary), in whatever order they
are read. Status, stage and determination map to ours through the status table below only.
"""

from __future__ import annotations

import datetime
import re
import warnings
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import httpx
from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from .base import (
    BadRecord,
    CaseRecord,
    DealRecord,
    EventRecord,
    FetchPolicy,
    InquiryRecord,
    Parsed,
    PartyRecord,
    RefusedDocument,
    Skipped,
    fetch_url,
    from_table,
    html_to_text,
    http_url_on,
    parse_date,
    unique,
)

NAME = "accc"
LABEL = "ACCC acquisitions register"
EVERY = 360  # minutes between scheduled runs (INGEST_ACCC_EVERY)
# Listing pages (50 newest matters each) a run reads, then every matter page on them
# (INGEST_ACCC_PAGES). Phase 2 runs about 90 business days, so read back far enough.
PAGES = 4
REGULATOR = "accc"
# 2: every value through the status table; a listing row never moves a stage. 3: vendors
# listed among the targets are sellers. 4: a matter page completed with no determination is
# closed without a decision (closed_no_action).
MAPPING_VERSION = 4
HOSTS = frozenset({"www.accc.gov.au"})
SITE = "https://www.accc.gov.au"
REGISTER = SITE + "/public-registers/mergers-and-acquisitions-registers/acquisitions-register"
PAGE_SIZE = 50
# The register has been served under both spellings of its parent section.
MATTER_PATH = re.compile(
    r"/public-registers/(?:mergers-and-acquisitions|acquisitions-and-mergers)-registers"
    r"/acquisitions-register/[^/?#]+"
)
CASE_NUMBER = re.compile(r"[A-Z]{2}-\d{5}")


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    """The matter pages of the newest `pages` * 50 matters on the register (newest first)."""
    documents = []
    seen: set[str] = set()
    for page in range(pages):
        listing = fetch_url(
            REGISTER,
            client=client,
            policy=policy,
            params={"init": "1", "items_per_page": str(PAGE_SIZE), "page": str(page)},
        )
        links = matter_links(listing)
        for url in links:
            if url not in seen:
                seen.add(url)
                documents.append(fetch_url(url, client=client, policy=policy))
        if len(links) < PAGE_SIZE:
            break
    return documents


def matter_links(listing: bytes) -> list[str]:
    """The absolute address of every matter on a listing page, in the listing's order."""
    soup = soup_of(listing)
    links = []
    for row in listing_rows(soup):
        link = row.select_one(".accc-collapsed-card__header > a[href]")
        url = urljoin(SITE, str(link["href"])) if link else ""
        parts = urlsplit(url)
        if (
            parts.scheme == "https"
            and parts.hostname in HOSTS
            and MATTER_PATH.fullmatch(parts.path)
        ):
            links.append(url)
    return links


# --- The status table (the register's own vocabulary: the facets of its listing page) ------
#
# The only place where the ACCC's vocabulary meets ours. Every value of the listing's facets
# (tests/fixtures/accc) is here, and a test holds the table to them; a value outside it is a
# bad record, named in the run.


class MatterType(NamedTuple):
    first_stage: str  # where an open matter is when the register gives no stage
    determinations: dict[str, str]  # "ACCC determination" -> outcome


TYPES: dict[str, MatterType] = {
    "notification": MatterType(
        "phase_1",
        {
            "approved": "cleared",
            "approved with conditions": "cleared_with_remedies",
            "not approved": "prohibited",
            "not applicable": "not_qualifying",
        },
    ),
    # A waiver application asks to be spared notifying at all. Granted, the acquisition goes
    # ahead unreviewed; refused, it must be notified, which the register shows as a new matter:
    # no prohibition. The register grants no waiver on conditions.
    "waiver": MatterType(
        "prenotification", {"approved": "cleared", "not approved": "", "not applicable": ""}
    ),
}

# "Acquisition status" -> (stage, outcome). A stage of None comes from "Stage" (or the matter
# type's first stage when the register gives none); an outcome of None from the determination.
STATUSES: dict[str, tuple[str | None, str | None]] = {
    "under assessment": (None, ""),
    "assessment suspended": (None, ""),  # the clock is stopped; the stage stays
    "assessment completed": ("closed", None),
    "assessment ceased": ("closed", "abandoned"),  # notification withdrawn or deal dropped
}

# "Stage" while a matter is open.
STAGES: dict[str, str] = {
    "phase 1 - initial assessment": "phase_1",
    "phase 2 - detailed assessment": "phase_2",
    "public benefit phase": "phase_2",  # an in-depth look at claimed public benefits
    "waiver application": "prenotification",  # asks to be spared notifying at all
}


def stage_and_outcome(raw: dict) -> tuple[str, str]:
    """Our stage and outcome for a matter's type, status, stage and determination.

    A listing row shows no determination (it has no "determination" key): a completed matter is
    then closed without an outcome, and the row's record says it cannot speak for the outcome.
    A matter page that shows no determination for a completed matter says the review ended
    without one: closed, no action.
    """
    matter = from_table(TYPES, raw["type"].casefold(), what="matter type", name="accc.TYPES")
    stage, outcome = from_table(
        STATUSES, raw["status"].casefold(), what="acquisition status", name="accc.STATUSES"
    )
    named_stage = matter.first_stage
    if raw["stage"]:
        named_stage = from_table(STAGES, raw["stage"].casefold(), what="stage", name="accc.STAGES")
    if outcome is None:
        determination = raw.get("determination", "").casefold()
        outcome = ""
        if determination:
            outcome = from_table(
                matter.determinations,
                determination,
                what=f"{raw['type'].casefold()} determination",
                name=f"accc.TYPES[{raw['type'].casefold()!r}]",
            )
        elif "determination" in raw and stage == "closed":
            # A matter page that shows the matter completed with no determination published:
            # a merger review that ended without a decision, in the register's words
            # (status_wording), never an informal look.
            outcome = "closed_no_action"
    return stage or named_stage, outcome


# Timeline rows -> event kind, first match wins.
EVENT_KINDS = [
    (r"phase 2", "phase_2_opened"),
    (r"competition concerns", "objections"),
    (r"remed|undertaking|commitment|condition", "remedies_offered"),
    (r"determination|decision", "decision"),
    (r"questionnaire|consultation|submission", "comment_invited"),
    (r"withdr[ae]w|ceased|abandon", "abandoned"),
]
ASSET_WORDS = re.compile(r"\b(assets?|site|land|lease|leasehold|property)\b", re.IGNORECASE)


def event_kind(title: str) -> str:
    for pattern, kind in EVENT_KINDS:
        if re.search(pattern, title, re.IGNORECASE):
            return kind
    return "other"


# --- Reading the HTML ---------------------------------------------------------------------


def soup_of(document: bytes) -> BeautifulSoup:
    """The parsed page. Python's own HTML parser: it never fetches or expands anything."""
    if b"<" not in document[:4096]:
        raise RefusedDocument("not an HTML page")
    with warnings.catch_warnings():
        # An XML file given by mistake is refused below, as not a register page.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(document, "html.parser")


def listing_rows(soup: BeautifulSoup) -> list[Tag]:
    return soup.select(".view-content .views-row")


def is_listing(soup: BeautifulSoup) -> bool:
    canonical = soup.select_one('link[rel="canonical"]')
    address = str(canonical.get("href", "")) if canonical else ""
    return bool(soup.select_one(".acquisition-header-pager")) or address.rstrip("/").endswith(
        "/acquisitions-register"
    )


def is_matter(soup: BeautifulSoup) -> bool:
    return bool(
        soup.select_one(
            "article.accc-full-view .field--name-dynamic-token-fieldnode-acccgov-merger-id"
        )
    )


def text_of(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ").split()) if tag else ""


def field(scope: Tag, name: str) -> Tag | None:
    """The Drupal field `field--name-<name>` within `scope`."""
    return scope.select_one(f".field--name-{name}")


def field_text(scope: Tag, name: str) -> str:
    found = field(scope, name)
    return text_of(found.select_one(".field__item")) if found else ""


def field_names(scope: Tag, name: str) -> tuple[str, ...]:
    """The traders (companies) a party field lists, in the ACCC's spelling."""
    found = field(scope, name)
    if not found:
        return ()
    return unique(text_of(span) for span in found.select(".field_acccgov_name"))


def date_in(tag: Tag | None, *, what: str) -> datetime.date | None:
    """The date of a `<time datetime="2025-09-05T12:00:00Z">` (a date, stored at noon UTC)."""
    if tag is None:
        return None
    time = tag.select_one("time")
    if time is None:
        raise BadRecord(f"{what} has no <time>")
    return parse_date(str(time.get("datetime", "")), what=what)


def field_date(scope: Tag, name: str, *, what: str) -> datetime.date | None:
    return date_in(field(scope, name), what=what)


def matter_type(scope: Tag) -> str:
    return text_of(scope.select_one(".field--acccgov-type .field__item")) or "Notification"


def description(scope: Tag) -> str:
    body = field(scope, "field-accc-body")
    if body is None:
        return ""
    full = body.select_one(".full-text") or body.select_one(".field__item")
    return html_to_text(full.decode_contents()) if full else ""


# --- Parsing ------------------------------------------------------------------------------


def parse(document: bytes) -> list[Parsed]:
    """A matter page -> its full record; a listing page -> one smaller record per row."""
    soup = soup_of(document)
    if is_listing(soup):
        parsed: list[Parsed] = []
        for number, row in enumerate(listing_rows(soup), start=1):
            try:
                parsed.append(parse_row(row))
            except BadRecord as exc:
                parsed.append(Skipped(external_id=row_id(row, number), reason=str(exc)))
        return parsed
    if is_matter(soup):
        try:
            return [parse_matter(soup)]
        except BadRecord as exc:
            return [Skipped(external_id=matter_id(soup), reason=str(exc))]
    raise RefusedDocument("not a page of the ACCC acquisitions register (listing or matter)")


def matter_id(soup: BeautifulSoup) -> str:
    number = field_text(soup, "dynamic-token-fieldnode-acccgov-merger-id")
    if CASE_NUMBER.fullmatch(number):
        return number
    canonical = soup.select_one('link[rel="canonical"]')
    return str(canonical.get("href", "")) if canonical else "matter page"


def row_id(row: Tag, number: int) -> str:
    case = field_text(row, "field-acccgov-mcmsmergermatterno")
    if CASE_NUMBER.fullmatch(case):
        return f"register:{case}"
    link = row.select_one(".accc-collapsed-card__header > a[href]")
    return urljoin(REGISTER, str(link["href"])) if link else f"register row {number}"


def case_number(value: str) -> str:
    if not CASE_NUMBER.fullmatch(value):
        raise BadRecord(f"case number {value!r} is not like MN-01016 or WA-35001")
    return value


def parse_matter(soup: BeautifulSoup) -> CaseRecord:
    article = soup.select_one("article.accc-full-view")
    number = case_number(field_text(article, "dynamic-token-fieldnode-acccgov-merger-id"))
    title = text_of(soup.select_one("h1.page-title")) or text_of(soup.select_one("title"))
    title = title.removesuffix(" | ACCC").strip()
    canonical = soup.select_one('link[rel="canonical"]')
    # The host alone is not enough: javascript://www.accc.gov.au/%0a… has the right one.
    url = http_url_on(str(canonical.get("href", "")) if canonical else "", HOSTS)
    if not title:
        raise BadRecord(f"{number} has no title")
    raw = {
        "case_number": number,
        "title": title,
        "url": url,
        "type": matter_type(article),
        "status": field_text(article, "field-acccgov-merger-status"),
        "stage": field_text(article, "field-acquisition-stage"),
        "determination": field_text(article, "field-acccgov-acquisition-deter"),
        "notified_on": iso(
            field_date(article, "field-acccgov-pub-reg-date", what="notification date")
        ),
        "determination_due_on": iso(
            field_date(
                article, "field-acccgov-end-determination", what="end of determination period"
            )
        ),
        "determined_on": iso(
            field_date(article, "field-acccgov-pub-reg-end-date", what="determination date")
        ),
        "acquirers": list(field_names(article, "field-acccgov-applicants")),
        "targets": list(field_names(article, "field-acccgov-pub-reg-targets")),
        "other_parties": list(field_names(article, "field-acccgov-other-parties")),
        "anzsic": anzsic(article),
        "description": description(article),
        "timeline": timeline(article, "field-acccgov-merger-events", number=number)
        + timeline(article, "field-acccgov-consultations", number=number),
    }
    return case_record(external_id=number, raw=raw)


def parse_row(row: Tag) -> CaseRecord:
    number = case_number(field_text(row, "field-acccgov-mcmsmergermatterno"))
    title = text_of(row.select_one(".field--name-node-title"))
    if not title:
        raise BadRecord(f"{number} has no title")
    link = row.select_one(".accc-collapsed-card__header > a[href]")
    url = http_url_on(urljoin(REGISTER, str(link["href"])) if link else "", HOSTS)
    raw = {
        "case_number": number,
        "title": title,
        "url": url,
        "type": matter_type(row),
        "status": field_text(row, "field-acccgov-merger-status"),
        "stage": field_text(row, "field-acquisition-stage"),
        "notified_on": iso(field_date(row, "field-acccgov-pub-reg-date", what="notification date")),
        "acquirers": list(field_names(row, "field-acccgov-applicants")),
        "targets": list(field_names(row, "field-acccgov-pub-reg-targets")),
        "other_parties": list(field_names(row, "field-acccgov-other-parties")),
        "anzsic": anzsic(row),
        "description": description(row),
    }
    return case_record(external_id=f"register:{number}", raw=raw)


def iso(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def anzsic(scope: Tag) -> list[str]:
    found = field(scope, "field-acquisition-anzsic-code") or field(
        scope, "field-acccgov-anzsic-code"
    )
    text = text_of(found.select_one(".field__item")) if found else ""
    return [" ".join(code.split()) for code in text.split(";") if code.strip()]


def timeline(scope: Tag, name: str, *, number: str) -> list[dict[str, str]]:
    """The rows of a dated table ("Decisions and key events", "Consultation")."""
    table = field(scope, name)
    rows = []
    for tr in table.select("tr") if table else []:
        cells = tr.find_all("td")
        if len(cells) < 2:
            continue
        when = date_in(cells[0], what=f"{number} timeline date")
        link = tr.select_one(".acccgov-timeline__file-link a[href]")
        document = http_url_on(urljoin(SITE, str(link["href"])) if link else "", HOSTS)
        rows.append(
            {
                "date": iso(when),
                "title": text_of(cells[1]),
                "document": document,
                "section": "consultation" if "consultation" in name else "events",
            }
        )
    return rows


# --- From the fields to the records -------------------------------------------------------


def status_wording(raw: dict) -> str:
    """In the ACCC's words: "Assessment completed (Phase 1 - initial assessment): Approved"."""
    wording = raw["status"]
    if raw["stage"]:
        wording += f" ({raw['stage']})"
    if raw.get("determination"):
        wording += f": {raw['determination']}"
    if raw["type"].casefold() != "notification":
        wording = f"{raw['type']} – {wording}"
    return wording


def date_or_none(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# What a listing row does not show: it must not undo what the matter page said. Stage goes
# with outcome: a row that cannot say how a matter ended does not move its stage either, so an
# older listing read after a matter page cannot reopen a decided matter.
LISTING_UNKNOWN = frozenset(
    {"stage", "outcome", "status_wording", "deadline_on", "closed_on", "summary"}
)


def case_record(*, external_id: str, raw: dict) -> CaseRecord:
    number, title, url = raw["case_number"], raw["title"], raw["url"] or REGISTER
    stage, outcome = stage_and_outcome(raw)
    events = matter_events(raw, url=url)
    determined_on = date_or_none(raw.get("determined_on", ""))
    decisions = [event.occurred_on for event in events if event.kind == "decision"]
    if stage == "closed" and not determined_on and decisions:
        determined_on = max(decisions)
    deal, review_note = matter_deal(raw)
    return CaseRecord(
        external_id=external_id,
        raw=raw,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=number,
            title=title[:255],
            kind="merger_review",
            stage=stage,
            outcome=outcome,
            status_wording=status_wording(raw)[:500],
            opened_on=date_or_none(raw["notified_on"]),
            deadline_on=date_or_none(raw.get("determination_due_on", ""))
            if stage != "closed"
            else None,
            closed_on=determined_on if stage == "closed" else None,
            source_url=url,
            summary=matter_summary(raw),
            companies=tuple(raw["acquirers"]) + tuple(raw["targets"]),
            unknown=LISTING_UNKNOWN if external_id.startswith("register:") else frozenset(),
        ),
        deal=deal,
        events=tuple(events),
        review_note=review_note,
    )


def matter_events(raw: dict, *, url: str) -> list[EventRecord]:
    """The notification, each row of the matter's timeline, and the determination if no row
    already records it."""
    number = raw["case_number"]
    waiver = raw["type"].casefold() == "waiver"
    events = []
    notified_on = date_or_none(raw["notified_on"])
    if notified_on:
        events.append(
            EventRecord(
                key="notified",
                occurred_on=notified_on,
                kind="notified",
                title=(
                    f"Waiver application to the ACCC ({number})"
                    if waiver
                    else f"Notified to the ACCC ({number})"
                ),
                source_url=url,
            )
        )
    rows = raw.get("timeline", [])
    for row in rows:
        events.append(
            EventRecord(
                key=f"{row['section']}:{row['date']}:{row['title'][:120]}",
                occurred_on=datetime.date.fromisoformat(row["date"]),
                kind=event_kind(row["title"]),
                title=row["title"][:300],
                source_url=row["document"] or url,
            )
        )
    determination = raw.get("determination", "")
    determined_on = date_or_none(raw.get("determined_on", ""))
    recorded = any(event_kind(row["title"]) == "decision" for row in rows)
    if determination and determined_on and not recorded:
        events.append(
            EventRecord(
                key="determination",
                occurred_on=determined_on,
                kind="decision",
                title=f"ACCC determination: {determination}",
                source_url=url,
            )
        )
    return events


def matter_deal(raw: dict) -> tuple[DealRecord | None, str]:
    """The deal between the acquirers and the targets, or why there is none."""
    acquirers, targets = raw["acquirers"], raw["targets"]
    if not (acquirers and targets):
        return None, "ACCC matter that names no acquirer or no target."
    # The register's field is "Target(s) or Vendor(s)": a name the description says the
    # acquirer buys *from* is the seller ("acquire the following from affiliates of
    # UnitedHealth Group Incorporated (UHG)").
    sellers = [name for name in targets if is_vendor(name, raw["description"])]
    if len(sellers) == len(targets):
        sellers = []  # a description that names only vendors tells nothing: keep the register's
    parties = tuple(PartyRecord(name, "acquirer") for name in acquirers) + tuple(
        PartyRecord(name, "seller" if name in sellers else "target") for name in targets
    )
    asset_deal = any(ASSET_WORDS.search(text) for text in [raw["title"], *targets])
    return (
        DealRecord(
            title=raw["title"][:255],
            parties=parties,
            deal_type="asset_purchase" if asset_deal else "acquisition",
        ),
        "",
    )


VENDOR_LEAD = re.compile(
    r"\b(?:from|vendors?|sellers?|sold by)\s+(?:(?:the\s+)?(?:certain\s+)?"
    r"(?:affiliates|subsidiaries|shareholders|entities|members)\s+of\s+)?(?P<name>[^,;:()]{2,80})",
    re.IGNORECASE,
)


def is_vendor(name: str, description: str) -> bool:
    """Whether the description names `name` as who the acquirer buys from."""
    short = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()  # "UnitedHealth Group Inc. (UHG)"
    if not short:
        return False
    words = short.casefold().split()[:2]
    for match in VENDOR_LEAD.finditer(description):
        if match.group("name").casefold().split()[: len(words)] == words:
            return True
    return False


def matter_summary(raw: dict) -> str:
    lines = [raw["description"]] if raw["description"] else []
    if raw["other_parties"]:
        lines.append(f"Other parties: {'; '.join(raw['other_parties'])}")
    if raw["anzsic"]:
        lines.append(f"Industry (ANZSIC): {'; '.join(raw['anzsic'])}")
    return "\n\n".join(lines)
