"""US Department of Justice: press releases of the Antitrust Division.

The JSON API (`/api/v1/press_releases.json`) needs no key, pages from 0 with at most 50 items a
page, gives dates as epoch seconds and each release's `component` list; only releases of the
Antitrust Division are records, the rest of the department's news is ignored. A release that
names a known case or deal becomes an event on it; the pipeline sends the rest to the review
queue.

No real response of this API is public in code; the test fixture is built to the documented
shape and says so.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import httpx

from .base import (
    BadRecord,
    FetchPolicy,
    Parsed,
    PressRecord,
    RefusedDocument,
    Skipped,
    fetch_url,
    html_to_text,
    load_json,
)
from .references import case_references

NAME = "doj"
LABEL = "DOJ Antitrust Division press releases"
EVERY = 60  # minutes between scheduled runs (INGEST_DOJ_EVERY)
PAGES = 2  # API pages, 50 releases each (INGEST_DOJ_PAGES)
REGULATOR = "doj"
# No status table: a press release sets no stage or outcome; it is an event on the case or
# deal it names, or waits in the review queue.
MAPPING_VERSION = 1
HOSTS = frozenset({"www.justice.gov"})
API = "https://www.justice.gov/api/v1/press_releases.json"
PAGE_SIZE = 50
COMPONENT = "antitrust division"
WASHINGTON = ZoneInfo("America/New_York")


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 2) -> list[bytes]:
    documents = []
    for page in range(pages):
        document = fetch_url(
            API,
            client=client,
            policy=policy,
            params={"pagesize": PAGE_SIZE, "page": page, "sort": "date", "direction": "DESC"},
        )
        documents.append(document)
        data = load_json(document)
        if not isinstance(data, dict) or len(data.get("results") or []) < PAGE_SIZE:
            break
    return documents


def components(release: dict) -> list[str]:
    names = []
    for component in release.get("component") or []:
        if isinstance(component, dict):
            names.append(str(component.get("name", "")))
        elif isinstance(component, str):
            names.append(component)
    return names


def parse(document: bytes) -> list[Parsed]:
    data = load_json(document)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise RefusedDocument("not a DOJ press-release API response (no 'results' list)")
    parsed: list[Parsed] = []
    for release in data["results"]:
        if not isinstance(release, dict):
            parsed.append(Skipped(external_id="?", reason="a result is not an object"))
            continue
        if not any(COMPONENT in name.casefold() for name in components(release)):
            continue
        external_id = str(release.get("uuid") or release.get("url") or "")
        try:
            if not external_id:
                raise BadRecord("release has neither uuid nor url")
            parsed.append(parse_release(external_id, release))
        except BadRecord as exc:
            parsed.append(Skipped(external_id=external_id or "?", reason=str(exc)))
    return parsed


def parse_release(external_id: str, release: dict) -> PressRecord:
    title = release.get("title")
    url = release.get("url")
    if not isinstance(title, str) or not title.strip():
        raise BadRecord("release has no title")
    if not isinstance(url, str) or not url.startswith("https://www.justice.gov/"):
        raise BadRecord(f"url {url!r} is not a justice.gov address")
    try:
        stamp = int(release.get("date"))
    except (TypeError, ValueError) as exc:
        raise BadRecord(f"date {release.get('date')!r} is not epoch seconds") from exc
    published = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).astimezone(WASHINGTON)
    body = release.get("body") or release.get("teaser") or ""
    text = html_to_text(body if isinstance(body, str) else "")
    title = " ".join(title.split())
    return PressRecord(
        external_id=external_id,
        raw=release,
        regulator=REGULATOR,
        title=title,
        url=url,
        published_on=published.date(),
        text=text,
        references=case_references(f"{title}\n{text}"),
    )
