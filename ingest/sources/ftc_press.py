"""US FTC: the competition press-release feed (RSS).

A release that names a known case or deal becomes an event on it; the pipeline sends the rest to
the review queue. The feed's HTML is reduced to plain text here (nh3), never shown as markup.
"""

from __future__ import annotations

import datetime
import email.utils

import httpx

from .base import (
    BadRecord,
    FetchPolicy,
    Parsed,
    PressRecord,
    fetch_url,
    html_to_text,
    rss_records,
)
from .references import case_references

NAME = "ftc-press"
REGULATOR = "ftc"
# No status table: a press release sets no stage or outcome; it is an event on the case or
# deal it names, or waits in the review queue.
MAPPING_VERSION = 1
HOSTS = frozenset({"www.ftc.gov"})
FEED = "https://www.ftc.gov/feeds/press-release-competition.xml"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(FEED, client=client, policy=policy)]


def rfc822_date(value: str) -> datetime.date:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError) as exc:
        raise BadRecord(f"pubDate {value!r} is not a date") from exc


def parse(document: bytes) -> list[Parsed]:
    return rss_records(document, parse_item)


def parse_item(guid: str, item: dict[str, str]) -> PressRecord:
    title = " ".join(item.get("title", "").split())
    link = item.get("link", "")
    if not title:
        raise BadRecord("item has no title")
    if not link.startswith("https://www.ftc.gov/"):
        raise BadRecord(f"link {link!r} is not an ftc.gov address")
    text = html_to_text(item.get("description", ""))
    return PressRecord(
        external_id=guid,
        raw=item,
        regulator=REGULATOR,
        title=title,
        url=link,
        published_on=rfc822_date(item.get("pubDate", "")),
        text=text,
        references=case_references(f"{title}\n{text}"),
    )
