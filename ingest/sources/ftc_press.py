"""US FTC: the competition press-release feed (RSS).

A release that names a known case or deal becomes an event on it; the pipeline sends the rest to
the review queue. The feed's HTML is reduced to plain text here (nh3), never shown as markup.
"""

from __future__ import annotations

import datetime
import email.utils
import re

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
LABEL = "FTC competition press releases"
EVERY = 60  # minutes between scheduled runs (INGEST_FTC_PRESS_EVERY)
REGULATOR = "ftc"
# No status table: a press release sets no stage or outcome; it is an event on the case or
# deal it names, or waits in the review queue.
# 2: releases about no deal or case are filed (`filed_as`).
MAPPING_VERSION = 2
HOSTS = frozenset({"www.ftc.gov"})
FEED = "https://www.ftc.gov/feeds/press-release-competition.xml"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(FEED, client=client, policy=policy)]


def rfc822_date(value: str) -> datetime.date:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError) as exc:
        raise BadRecord(f"pubDate {value!r} is not a date") from exc


# What the FTC's competition feed publishes besides deals and cases, told by the title. A
# release matched here that quotes a known case or names a known deal's parties is still
# attached to it (the staff report of a 6(b) study); the rest is recorded and left out of the
# review queue.
NOT_A_CASE = (
    (r"\bappoint|\bnames? .*\b(director|chief|counsel)\b|\bdeparts?\b", "a staff appointment"),
    (r"\bguidelines?\b|\bpolicy statement\b|\bstatement of .*policy\b", "guidelines or policy"),
    (r"\bthresholds?\b|\bcivil penalty amounts\b|\binflation-adjusted\b", "thresholds"),
    (r"\bworkshop\b|\bconference\b|\broundtable\b|\bwebinar\b", "a workshop or event"),
    (r"\bcommission meeting\b|\bagenda\b", "a meeting"),
    (
        r"\baccomplishments\b|\bannual report\b|\bstaff report\b|\bstudy\b|\btask force\b"
        r"|\blaunches (an )?inquiry on\b",
        "an agency report, study or initiative",
    ),
    (r"\bspeech\b|\bremarks\b|\btestimony\b|\btestifies\b", "a speech or testimony"),
)


def not_about_a_case(title: str) -> str:
    """Why a release with this title is about no deal or case, or "" when it may be."""
    for pattern, what in NOT_A_CASE:
        if re.search(pattern, title, re.IGNORECASE):
            return f"Not about a deal or case: {what}."
    return ""


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
        filed_as=not_about_a_case(title),
    )
