"""US FTC: the feed of Hart-Scott-Rodino early-termination notices.

Every notice is a deal whose US waiting period ended early: a Deal between the acquiring and the
acquired party, and an FTC Inquiry keyed by the HSR transaction number, closed and cleared (the
status table below). The
same transaction can appear under two guids (one notice per acquired party) and items are not in
date order: the raw record is the notice (guid), the inquiry and deal are the transaction, so a
transaction never gets two deals whichever notice comes first.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import httpx

from .base import (
    BadRecord,
    CaseRecord,
    DealRecord,
    EventRecord,
    FetchPolicy,
    InquiryRecord,
    Parsed,
    PartyRecord,
    fetch_url,
    from_table,
    http_url,
    parse_date,
    rss_records,
    unique,
)

NAME = "ftc-hsr"
LABEL = "FTC HSR early-termination notices"
EVERY = 180  # minutes between scheduled runs (INGEST_FTC_HSR_EVERY)
REGULATOR = "ftc"
MAPPING_VERSION = 2  # 2: the granting status through the status table
HOSTS = frozenset({"www.ftc.gov"})
FEED = "https://www.ftc.gov/feeds/hsr-early-termination-notices.xml"
NOTICE_PAGE = "https://www.ftc.gov/legal-library/browse/early-termination-notices/{number}"

# --- The status table ---------------------------------------------------------------------
#
# The US has no clearance decision: the end of the HSR waiting period, by expiry or early
# termination, is the clearance (DOMAIN.md). Every notice of this feed grants early
# termination, so it is a merger review closed, cleared; the feed lists grants only, and a
# notice that leaves the field out is one. Any other granting status is a bad record.
GRANTING_STATUSES: dict[str, tuple[str, str]] = {
    "granted": ("closed", "cleared"),
}


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(FEED, client=client, policy=policy)]


class NoticeFields(HTMLParser):
    """The Drupal fields of a notice's description: {field name: [item texts]}.

    `<div class="field field--name-field-acquiring-party">…<div class="field__item">Name</div>`
    becomes {"acquiring-party": ["Name"]}; a <time datetime="…"> inside an item is kept as its
    datetime attribute.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self._stack: list[tuple[str, str] | None] = []
        self._field: str | None = None
        self._item: list[str] | None = None
        self._time = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "time" and self._item is not None:
            self._time = attributes.get("datetime") or ""
            return
        if tag != "div":
            return
        classes = (attributes.get("class") or "").split()
        marker = None
        for css in classes:
            if css.startswith("field--name-field-"):
                marker = ("field", css.removeprefix("field--name-field-"))
                self._field = marker[1]
        if "field__item" in classes and self._field:
            marker = ("item", self._field)
            self._item, self._time = [], ""
        self._stack.append(marker)

    def handle_endtag(self, tag: str) -> None:
        if tag != "div" or not self._stack:
            return
        marker = self._stack.pop()
        if marker and marker[0] == "item" and self._item is not None:
            text = self._time or "".join(self._item)
            self.fields.setdefault(marker[1], []).append(" ".join(text.split()))
            self._item = None
        elif marker and marker[0] == "field":
            self._field = None

    def handle_data(self, data: str) -> None:
        if self._item is not None:
            self._item.append(data)


def notice_fields(description: str) -> dict[str, list[str]]:
    parser = NoticeFields()
    parser.feed(description)
    parser.close()
    return parser.fields


def parse(document: bytes) -> list[Parsed]:
    return rss_records(document, parse_item)


def parse_item(guid: str, item: dict[str, str]) -> CaseRecord:
    fields = notice_fields(item.get("description", ""))
    number = (fields.get("unique-identifier") or [""])[0]
    if not number:
        match = re.match(r"\s*(\d{8})\b", item.get("title", ""))
        number = match.group(1) if match else ""
    if not re.fullmatch(r"\d{8}", number):
        raise BadRecord("no 8-digit HSR transaction number")
    acquiring = unique(fields.get("acquiring-party", []))
    acquired = unique(fields.get("acquired-party", []))
    if not acquiring or not acquired:
        raise BadRecord(f"transaction {number} names no acquiring or no acquired party")
    date_value = (fields.get("date") or [""])[0]
    granted_on: datetime.date = parse_date(date_value, what="notice date")
    status = (fields.get("granting-status") or ["Granted"])[0]
    stage, outcome = from_table(
        GRANTING_STATUSES,
        status.casefold(),
        what="granting status",
        name="ftc_hsr.GRANTING_STATUSES",
    )
    entities = [
        name.strip()
        for value in fields.get("other-entities", [])
        for name in value.split("|")
        if name.strip()
    ]

    parties = tuple(PartyRecord(name, "acquirer") for name in acquiring) + tuple(
        PartyRecord(name, "target") for name in acquired
    )
    lines = [f"Acquiring party: {'; '.join(acquiring)}", f"Acquired party: {'; '.join(acquired)}"]
    if entities:
        lines.append(f"Acquired entities: {'; '.join(entities)}")
    text = "\n".join(lines)
    url = NOTICE_PAGE.format(number=number)
    return CaseRecord(
        external_id=guid,
        raw=item,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=number,
            title=f"HSR transaction {number}",
            kind="merger_review",
            stage=stage,
            outcome=outcome,
            status_wording=f"Early termination: {status}",
            closed_on=granted_on,
            source_url=url,
            companies=acquiring + acquired,
        ),
        deal=DealRecord(
            title=f"{' / '.join(acquiring)} / {' / '.join(acquired)}"[:255], parties=parties
        ),
        events=(
            EventRecord(
                key="early-termination",
                occurred_on=granted_on,
                kind="decision",
                title=f"HSR early termination granted (transaction {number})",
                text=text,
                # The item's own link only when it is an address, else the notice page.
                source_url=http_url(item.get("link")) or url,
            ),
        ),
    )
