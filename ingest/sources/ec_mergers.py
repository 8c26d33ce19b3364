"""European Commission, DG Competition: the merger register, `case-data-M.json`.

The Commission's open-data dump of every merger case since 1990 (about 10,200 cases, 39 MB), in
the encoding of its other dumps (`ec`): one JSON object keyed by case number, every metadata value
a list, codes and labels JSON inside strings. There is no delta feed: the dump is downloaded whole
and compared case by case (content hash), so a re-run parses only the cases that changed.

The dump is read case by case (`ijson`), never as one Python object: a 39 MB dump would take
several hundred MB as dicts. It is checked whole first, so a truncated or broken dump is refused
before any case of it is applied.

Each case -> an EC merger review (docs/ingest-ec-mergers.md has the mapping table):
- its phases from the notification date (the `notified` event: Phase I starts the working day
  after) and its decisions: Art. 6(1)(c) opens Phase II; an Art. 8 decision with no Art. 6(1)(c)
  in the dump means Phase II happened, start not known (`phase_2_start_unknown`);
- its status from the decisions' labels (`M_DECISIONS`; older cases carry other codes for the
  same labels, so labels are mapped and codes kept); a "Modification of ..." decision is a later
  event, not a new outcome; a decision with no date is kept out of the timeline with a warning;
- the published deadline (`caseDeadlineDate`) while the case is open;
- the procedure (normal, simplified, super-simplified, in six spellings) and the regulation
  (139/2004, 4064/89);
- a deal from the title ("A / B": A acquires B; "A / B / JV": A and B set up a joint venture),
  joined to the one existing deal between the same companies.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from typing import NamedTuple

import httpx
import ijson

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
    Unparsed,
    fetch_url,
    http_url,
    optional_date,
    unique,
)
from .ec import (
    CASE_PAGE,
    Decision,
    case_number,
    case_status,
    coded,
    decision_type,
    decisions_of,
    first,
)
from .ec import HOSTS as EC_HOSTS

NAME = "ec-mergers"
LABEL = "European Commission merger cases"
EVERY = 720  # minutes between runs (INGEST_EC_MERGERS_EVERY): a large dump, changed daily at most
REGULATOR = "ec"
MAPPING_VERSION = 1
HOSTS = EC_HOSTS
DUMP = "https://compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com/case-data-M.json"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(DUMP, client=client, policy=policy)]


# --- The status table: what a merger decision means ------------------------------------------
#
# The only place where the EU Merger Regulation's vocabulary meets ours (DOMAIN.md, "Status,
# version 2"). Decisions are recognised by the article in the Commission's label ("Art. 6(1)(b)
# with conditions & obligations"), first row that matches. A label no row matches is a bad
# record, named in the run, never a guess.

CLEARED = Decision("closed", "cleared", "decision")
REMEDIES = Decision("closed", "cleared_with_remedies", "decision")
MOVES_NOTHING = Decision(None, "", "decision")
ARTICLE_8 = r"8\s*\(\s*[123]\s*\)"  # the decisions only a Phase II ends in

# A later change to a decision's conditions: an event on the timeline, not a new outcome.
MODIFICATION = r"^\s*modification\b"

M_DECISIONS: list[tuple[str, Decision]] = [
    (MODIFICATION, MOVES_NOTHING),
    (r"6\s*\(\s*1\s*\)\s*\(?\s*a\b", Decision("closed", "not_qualifying", "decision")),
    (r"6\s*\(\s*1\s*\)\s*\(?\s*c\b", Decision("phase_2", "", "phase_2_opened")),
    # Art. 6(1)(b) with 6(2): cleared on conditions ("with conditions & obligations").
    (r"6\s*\(\s*2\s*\)|6\s*\(\s*1\s*\)\s*\(?\s*b\b.*\bcondition", REMEDIES),
    (r"6\s*\(\s*1\s*\)\s*\(?\s*b\b", CLEARED),
    (r"8\s*\(\s*1\s*\)", CLEARED),
    (r"8\s*\(\s*2\s*\)", REMEDIES),  # Art. 8(2) clears a concentration as modified, always
    (r"8\s*\(\s*3\s*\)", Decision("closed", "prohibited", "decision")),
    # Revocation (6(3), 8(6)), dissolution and interim measures (8(4), 8(5)), a new decision
    # after a revocation (8(7)): the case's outcome stays what it was.
    (r"6\s*\(\s*3\s*\)|8\s*\(\s*[4-7]\s*\)", MOVES_NOTHING),
    # To a national authority: Art. 4(4) before notification, Art. 9 after (the whole case).
    (
        r"4\s*\(\s*4\s*\)|\bart(icle|\.)?\s*9\b|9\s*\(\s*3\s*\)",
        Decision("closed", "referred", "decision"),
    ),
    # To the Commission (Art. 4(5), Art. 22): the case goes on at the Commission.
    (r"4\s*\(\s*5\s*\)|\bart(icle|\.)?\s*22\b", MOVES_NOTHING),
    # Derogation from the standstill (7(3)), fines (14), periodic penalties (15), extended or
    # stopped clock (10(3), 11(3)), requests for information (11): procedure, not outcome.
    (
        r"7\s*\(\s*3\s*\)|\bart(icle|\.)?\s*1[45]\b|10\s*\(\s*3\s*\)|\bart(icle|\.)?\s*11\b",
        MOVES_NOTHING,
    ),
    (r"withdraw|abandon", Decision("closed", "abandoned", "abandoned")),
    (r"\bincompatible|prohibit", Decision("closed", "prohibited", "decision")),
    (r"\bcompatible|clearance", CLEARED),
    (r"statement of objections", Decision(None, "", "objections")),
]


def decision_meaning(label: str) -> Decision:
    """What one decision does to its case; BadRecord for a label no row of the table matches.
    A decision the dump gives no type at all moves nothing."""
    if not label:
        return MOVES_NOTHING
    for pattern, decision in M_DECISIONS:
        if re.search(pattern, label, re.IGNORECASE):
            return decision
    raise BadRecord(f"unknown merger decision {label!r} (matches no row of ec_mergers.M_DECISIONS)")


# caseSimplified, in each of its six spellings (the profile of the whole dump), -> Procedure.
PROCEDURES = {
    "normal": "normal",
    "simplified": "simplified",
    "super simplified": "super_simplified",
}
# caseRegulation -> LegalBasis, by the regulation's number in the label.
REGULATIONS = {"139/2004": "139/2004", "4064/89": "4064/89"}


def procedure(value: str) -> str | None:
    """ "Super-simplified procedure" -> "super_simplified"; "" when not given; None: not known."""
    words = re.sub(r"[\s-]+", " ", value.lower()).replace("procedure", "").strip()
    if not words:
        return ""
    return PROCEDURES.get(words)


def regulation(value: str) -> str | None:
    """ "Council Regulation 139/2004" -> "139/2004"; "" when not given; None: not known."""
    if not value:
        return ""
    return next((basis for number, basis in REGULATIONS.items() if number in value), None)


# --- Reading the dump, case by case -----------------------------------------------------------


def parse(document: bytes) -> list[Parsed]:
    return [parse_unparsed(item) for item in split(document)]


def split(document: bytes) -> Iterator[Unparsed]:
    """The dump's cases, unparsed and one at a time, each with the id it will be stored under.

    The whole dump is checked first (one pass of the parser's events, no objects built): a dump
    cut short or broken anywhere is refused before any case of it is read.
    """
    check(document)
    return _cases(document)


def check(document: bytes) -> None:
    events = ijson.basic_parse(io.BytesIO(document))
    try:
        head = next(events, None)
        if head is None or head[0] != "start_map":
            raise RefusedDocument(
                "not an EC merger dump: expected a JSON object keyed by case number"
            )
        cases = 0
        depth = 1
        for event, _ in events:
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif event == "map_key" and depth == 1:
                cases += 1
    except ijson.JSONError as exc:
        reason = (str(exc).strip().splitlines() or ["no reason given"])[0]  # not the caret art
        raise RefusedDocument(f"not a JSON document, or cut short ({reason})") from exc
    if not cases:
        raise RefusedDocument("not an EC merger dump: it holds no case")


def _cases(document: bytes) -> Iterator[Unparsed]:
    seen: dict[str, str] = {}
    for key, case in ijson.kvitems(io.BytesIO(document), "", use_float=True):
        number = case_number(key, case)
        if number in seen:
            yield Unparsed(external_id=f"{number} (key {key})", raw=case, key=f"duplicate:{key}")
            continue
        seen[number] = key
        yield Unparsed(external_id=number, raw=case, key=key)


def parse_unparsed(item: Unparsed) -> Parsed:
    if item.key.startswith("duplicate:"):
        return Skipped(
            external_id=item.external_id,
            reason="a second case with this case number in the dump: the first one was read",
        )
    try:
        return parse_case(item.key, item.raw)
    except BadRecord as exc:
        return Skipped(external_id=item.external_id, reason=str(exc))


def parse_case(key: str, case: object) -> CaseRecord:
    if not isinstance(case, dict) or not isinstance(case.get("metadata"), dict):
        raise BadRecord("case has no metadata object")
    meta = case["metadata"]
    number = first(meta, "caseNumber") or str(key)
    if not re.fullmatch(r"M\.\d+(\.[A-Z0-9]+)?", number):
        raise BadRecord(f"case number {number!r} is not like M.10646")
    title = first(meta, "caseTitle")
    if not title:
        raise BadRecord("case has no title")
    warnings: list[str] = []
    companies = meta.get("caseCompanies") or []
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        raise BadRecord("caseCompanies is not a list of names")

    decisions, undated = case_decisions(case, number)
    warnings += undated
    meanings = [decision_meaning(d.label) for d in decisions]
    notified = optional_date(first(meta, "caseNotificationDate"), what="caseNotificationDate")
    initiated = optional_date(first(meta, "caseInitiationDate"), what="caseInitiationDate")
    deadline_on = optional_date(first(meta, "caseDeadlineDate"), what="caseDeadlineDate")
    # Before its first decision that moves it, a case is in Phase I only if the dump gives its
    # deadline; with neither, its state is not published.
    before = "phase_1" if deadline_on else "not_published"
    stage, outcome, wording, closed_on = case_status(decisions, meanings, before=before)
    labels = [d.label for d in decisions]
    in_depth = any(re.search(ARTICLE_8, label) for label in labels if not is_modification(label))
    opened_phase_2 = any(m.event == "phase_2_opened" for m in meanings)

    basis = label_of(first(meta, "caseRegulation"))
    how = label_of(first(meta, "caseSimplified"))
    if procedure(how) is None:
        warnings.append(f"caseSimplified {how!r} is none of normal, simplified, super-simplified")
    if regulation(basis) is None:
        warnings.append(f"caseRegulation {basis!r} is neither 139/2004 nor 4064/89")

    events = [decision_event(d, m, number) for d, m in zip(decisions, meanings, strict=True)]
    if notified:
        events.insert(0, notified_event(notified, number))
    names = parties(title, companies)
    deal = case_deal(title, names)
    return CaseRecord(
        external_id=number,
        raw=case,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=number,
            title=title[:255],
            kind="merger_review",
            stage=stage,
            outcome=outcome,
            status_wording=wording[:500],
            opened_on=notified or initiated,
            deadline_on=deadline_on if stage not in ("closed", "not_published") else None,
            closed_on=closed_on,
            source_url=CASE_PAGE.format(number=number),
            summary=case_summary(meta, basis, how),
            companies=unique(names),
            procedure=procedure(how) or "",
            legal_basis=regulation(basis) or "",
            phase_2_start_unknown=in_depth and not opened_phase_2,
        ),
        deal=deal,
        events=tuple(events),
        review_note="" if deal else "Merger case whose parties could not be told from its title.",
        warnings=tuple(warnings),
    )


def label_of(value: str) -> str:
    """A value the dump may give as a plain string or as '{"code":..., "label":...}'."""
    return (coded(value).get("label") or "").strip() if value else ""


def is_modification(label: str) -> bool:
    return bool(re.match(MODIFICATION, label, re.IGNORECASE))


class MergerDecision(NamedTuple):
    adopted: datetime.date
    ref: str
    code: str
    label: str
    document: str  # the decision's text, English where published


def case_decisions(case: dict, number: str) -> tuple[list[MergerDecision], list[str]]:
    """The case's dated decisions, oldest first, and a warning for each one left out."""
    dated, warnings = [], []
    for decision, dmeta in decisions_of(case):
        code, label = decision_type(dmeta)
        ref = first(dmeta, "metadataReference") or f"{number}-DEC{first(dmeta, 'decisionNumber')}"
        adopted = optional_date(first(dmeta, "decisionAdoptionDate"), what="decisionAdoptionDate")
        if adopted is None:
            what = f"type {label!r}" if label else "no type"
            warnings.append(f"decision {ref} has no adoption date ({what}): left off the timeline")
            continue
        dated.append(MergerDecision(adopted, ref, code, label, decision_document(decision)))
    return sorted(dated, key=lambda d: (d.adopted, d.ref)), warnings


def decision_document(decision: dict) -> str:
    """The address of the decision's published text: the English one, else the first."""
    links = []
    for attachment in decision.get("decisionAttachments") or []:
        meta = attachment.get("metadata") if isinstance(attachment, dict) else None
        if not isinstance(meta, dict):
            continue
        try:
            link, language = first(meta, "attachmentLink"), first(meta, "attachmentLanguage")
        except BadRecord:
            continue
        if http_url(link):
            links.append((language.upper() != "EN", link))
    return min(links)[1] if links else ""


def decision_event(decision: MergerDecision, meaning: Decision, number: str) -> EventRecord:
    return EventRecord(
        key=f"decision:{decision.ref}",
        occurred_on=decision.adopted,
        kind=meaning.event,
        title=(decision.label or "Decision")[:300],
        source_url=decision.document or CASE_PAGE.format(number=number),
    )


def notified_event(notified: datetime.date, number: str) -> EventRecord:
    return EventRecord(
        key="notified",
        occurred_on=notified,
        kind="notified",
        title="Notified to the Commission",
        source_url=CASE_PAGE.format(number=number),
    )


# --- Parties ----------------------------------------------------------------------------------

JOINT_VENTURE = re.compile(r"^(jv|joint venture|newco)$", re.IGNORECASE)
# What the Commission adds to a title about the case, not a party: a second case on one deal
# "(II)", a case under the old regulation "(4064)", a cross-reference "(see also ECSC.1321)".
CASE_NOTE = re.compile(r"\s*\((?:[IVX]+|4064|see\b[^)]*)\)\s*$", re.IGNORECASE)


def parties(title: str, companies: list[str]) -> list[str]:
    """The companies of a case: the parts of its title ("A / B / JV" -> A, B), else of its
    companies (which the dump often gives as the title again), as the names read best."""
    names = [name for name in title.split(" / ") if name.strip()] if " / " in title else []
    if len(names) < 2:
        names = [part for company in companies for part in company.split(" / ")]
    names = [CASE_NOTE.sub("", name).strip() for name in names]
    names = [name for name in names if not JOINT_VENTURE.match(name)]
    return list(unique(display_name(name) for name in names if name))


def display_name(name: str) -> str:
    """The Commission writes party names in capitals ("DEUTSCHE BANK"): words of four letters
    or more read as names ("Deutsche Bank"), shorter ones stay as written (SAP, KKR, IBM)."""
    name = re.sub(r"\s+", " ", name).strip()
    if not name.isupper():
        return name
    return " ".join(
        word.capitalize() if sum(char.isalpha() for char in word) >= 4 else word
        for word in name.split(" ")
    )


def case_deal(title: str, names: list[str]) -> DealRecord | None:
    """The deal a case is about: A acquires B ("A / B"), the last named being the target; a
    joint venture ("A / B / JV") has every named company as a parent."""
    if len(names) < 2:
        return None
    joint = any(JOINT_VENTURE.match(CASE_NOTE.sub("", part).strip()) for part in title.split(" / "))
    if joint:
        parties_ = tuple(PartyRecord(name, "acquirer") for name in names)
        return DealRecord(
            title=" / ".join(names)[:240] + " / JV", parties=parties_, deal_type="joint_venture"
        )
    parties_ = tuple(PartyRecord(name, "acquirer") for name in names[:-1]) + (
        PartyRecord(names[-1], "target"),
    )
    return DealRecord(title=" / ".join(names)[:255], parties=parties_)


def case_summary(meta: dict, basis: str, how: str) -> str:
    bits = [bit for bit in (basis, how) if bit]
    sectors = [label_of(value) for value in meta.get("caseSectors") or [] if isinstance(value, str)]
    if any(sectors):
        bits.append("Sector: " + "; ".join(sector for sector in sectors if sector))
    return ". ".join(bits)
