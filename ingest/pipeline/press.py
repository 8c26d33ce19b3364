"""Press items: a press release goes on the timeline of the case or deal it names with
confidence, is filed when it is about no deal or case, or waits in the review queue with its
suggested deals."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Count

from deals.models import Company, CompanyAlias, Deal, Inquiry, Party
from deals.names import normalise_name
from deals.vocabulary import EventKind, Stage

from ..models import RawRecord, ReviewStatus
from ..sources.base import PressRecord
from .batch import Batch
from .cases import events_apply


@dataclass(frozen=True)
class PressAction:
    """What a regulator's own release says the regulator did to a deal: the stage its review is
    at and the event the release is on the review's timeline."""

    stage: str
    event_kind: str
    wording: str


# A regulator's release in its own words, the title first, then the release's first sentence:
# "FTC Challenges Medical Device Coatings Deal", "The Federal Trade Commission today sued to
# block ...". Only what the regulator itself did: a release about a suit it won years ago
# says so in a later sentence, not in its title or first sentence.
_SUIT_IN_TITLE = re.compile(
    r"\b(challenges|sues to block|seeks to block|moves to block|sue to block|files suit)\b", re.I
)
_SUIT_IN_FIRST_SENTENCE = re.compile(
    r"\b(sued|sues|seeks|moved|moves|filed suit|files suit) to block\b", re.I
)
SUIT = PressAction(stage=Stage.LITIGATION, event_kind=EventKind.LAWSUIT, wording="Suit to block")


def press_action(*, title: str, text: str) -> PressAction | None:
    """What the regulator did, when its release says so in its title or first sentence (a suit
    to block: the review is in litigation); None for any other release."""
    first_sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0] if text else ""
    if _SUIT_IN_TITLE.search(title) or _SUIT_IN_FIRST_SENTENCE.search(first_sentence):
        return SUIT
    return None


@dataclass(frozen=True)
class PressMatch:
    deal: Deal | None = None
    inquiry: Inquiry | None = None
    note: str = ""


def press_match(
    *, title: str, text: str, references: Iterable[str] = (), regulator: str = ""
) -> PressMatch:
    """The case or deal a press release names, when it names exactly one with confidence.

    Confident means: it quotes one known case number, or it names two or more parties of one
    deal (by name or alternative name, whatever their legal form) and of no other, or the
    parties of several deals that are all under one study of the release's regulator.
    """
    references = list(references)
    if references:
        inquiries = list(Inquiry.objects.filter(reference__in=references)[:3])
        if len(inquiries) == 1:
            return PressMatch(inquiry=inquiries[0], deal=inquiries[0].deal)
    mentioned = companies_mentioned(f"{title}\n{text}")
    if not mentioned:
        return PressMatch(note="Names no company the tracker knows.")
    rows = (
        Party.objects.filter(company__in=mentioned)
        .values("deal")
        .annotate(named=Count("company", distinct=True))
        .filter(named__gte=2)
        .order_by("-named")
    )
    deal_ids = [row["deal"] for row in rows[:20]]
    if len(deal_ids) == 1:
        return PressMatch(deal=Deal.objects.get(pk=deal_ids[0]))
    if len(deal_ids) > 1:
        study = _shared_inquiry(deal_ids, regulator)
        if study is not None:
            return PressMatch(inquiry=study, deal=study.deal)
        return PressMatch(note="Names the parties of several deals.")
    return PressMatch(note="Names a known company but no deal between known companies.")


def _shared_inquiry(deal_ids: list[int], regulator: str) -> Inquiry | None:
    """The one study of `regulator` that every one of these deals is under, if there is one.

    A study covering several deals (the FTC's 6(b) study of AI partnerships) is one inquiry row
    per deal, under one title: a release naming the parties of all of them is about the study,
    and goes on its first row.
    """
    if not regulator:
        return None
    rows = Inquiry.objects.filter(deal__in=deal_ids, regulator__slug=regulator).values_list(
        "pk", "title", "deal"
    )
    deals_by_title: dict[str, set[int]] = {}
    first: dict[str, int] = {}
    for pk, title, deal in rows.order_by("pk"):
        deals_by_title.setdefault(title, set()).add(deal)
        first.setdefault(title, pk)
    shared = [title for title, deals in deals_by_title.items() if deals >= set(deal_ids)]
    return Inquiry.objects.get(pk=first[shared[0]]) if len(shared) == 1 else None


COMMON_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_company_words.txt"


@cache
def common_company_words() -> frozenset[str]:
    """The words that never name a company on their own (ingest/data/common_company_words.txt,
    read once): "news", "group", "global"..."""
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        normalise_name(line) for line in lines if line.strip() and not line.startswith("#")
    )


def is_common_key(key: str) -> bool:
    """A company's name key made only of common words ("news" for News Corporation)."""
    common = common_company_words()
    return all(word in common for word in key.split())


def companies_mentioned(text: str) -> set[int]:
    """Ids of companies whose name or alternative name appears in `text` as whole words; a
    name made only of common words ("News Corporation") never matches on its own."""
    return set(names_mentioned(text))


def names_mentioned(text: str, *, among: Iterable[int] | None = None) -> dict[int, str]:
    """Company id -> the name (or alternative name) of it that `text` names, as the tracker
    writes it; only companies `among` these ids when given."""
    names = Company.objects.values_list("pk", "name_key", "name")
    aliases = CompanyAlias.objects.values_list("company_id", "name_key", "name")
    if among is not None:
        names, aliases = names.filter(pk__in=among), aliases.filter(company__in=among)
    return _named_in(text, [*names, *aliases])


def _named_in(text: str, names: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    haystack = f" {normalise_name(text)} "
    found: dict[int, str] = {}
    for pk, key, name in names:
        if len(key) >= 3 and f" {key} " in haystack and not is_common_key(key):
            found.setdefault(pk, name)
    return found


def match_reasons(*, title: str, text: str, deal_ids: Iterable[int]) -> dict[int, str]:
    """Why each of these deals is suggested for a press item, in words: "matched 'Microsoft'
    in the title" (the title first, then the text)."""
    [reasons] = match_reasons_many([(title, text, list(deal_ids))])
    return reasons


def match_reasons_many(wanted: list[tuple[str, str, list[int]]]) -> list[dict[int, str]]:
    """`match_reasons` for several items (title, text, deal ids) in three queries for all: the
    deals' parties, their companies' names and their alternative names."""
    deal_ids = {deal for _, _, ids in wanted for deal in ids}
    companies_of: dict[int, set[int]] = {}
    for deal, company in Party.objects.filter(deal__in=deal_ids).values_list("deal", "company"):
        companies_of.setdefault(deal, set()).add(company)
    every = set().union(*companies_of.values()) if companies_of else set()
    names = [
        *Company.objects.filter(pk__in=every).values_list("pk", "name_key", "name"),
        *CompanyAlias.objects.filter(company__in=every).values_list(
            "company_id", "name_key", "name"
        ),
    ]
    answers = []
    for title, text, ids in wanted:
        in_title, in_text = _named_in(title, names), _named_in(text, names)
        reasons = {}
        for deal in ids:
            companies, parts = companies_of.get(deal, set()), []
            for where, found in (("the title", in_title), ("the text", in_text)):
                quoted = sorted(f"'{found[pk]}'" for pk in companies if pk in found)
                if quoted:
                    parts.append(f"{_and(quoted)} in {where}")
                    companies = companies - set(found)
            if parts:
                reasons[deal] = "matched " + "; ".join(parts)
        answers.append(reasons)
    return answers


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def press_apply(raw: RawRecord, record: PressRecord, *, batch: Batch) -> None:
    """Put a press release on the timeline it names, file it, or queue it for an editor."""
    mapped, conflicts = dict(raw.mapped), dict(raw.conflicts)
    events = mapped.get("events", {})
    if "press" in events:  # already on a timeline: keep it up to date
        mapped["events"] = events_apply(
            [record.event()], mapped=events, conflicts=conflicts, batch=batch
        )
    elif raw.review_status not in (ReviewStatus.DISMISSED, ReviewStatus.ATTACHED):
        match = press_match(
            title=record.title,
            text=record.text,
            references=record.references,
            regulator=record.regulator,
        )
        if match.deal or match.inquiry:
            mapped["events"] = events_apply(
                [record.event()],
                mapped=events,
                conflicts=conflicts,
                batch=batch,
                inquiry=match.inquiry,
                deal=None if match.inquiry else match.deal,
            )
            raw.deal, raw.inquiry = match.deal, match.inquiry
            raw.review_status, raw.review_note = ReviewStatus.NONE, ""
        elif record.filed_as:
            raw.review_status, raw.review_note = ReviewStatus.FILED, record.filed_as[:300]
        else:
            raw.review_status, raw.review_note = ReviewStatus.PENDING, match.note[:300]
            _store_suggestions(raw, f"{record.title}\n{record.text}")
    raw.mapped, raw.conflicts = mapped, conflicts


def _store_suggestions(raw: RawRecord, text: str) -> None:
    """Compute the editor's shortlist once, when the record enters the queue."""
    ranked = ranked_deals(companies_mentioned(text), limit=5)
    raw.suggested = [deal for deal, _ in ranked]
    raw.suggestion_score = min(ranked[0][1], 32767) if ranked else 0


def ranked_deals(mentioned: set[int], *, limit: int) -> list[tuple[int, int]]:
    """(deal id, how many of its parties are named), most named first."""
    if not mentioned:
        return []
    rows = (
        Party.objects.filter(company__in=mentioned)
        .values("deal")
        .annotate(named=Count("company", distinct=True))
        .order_by("-named", "-deal")[:limit]
    )
    return [(row["deal"], row["named"]) for row in rows]
