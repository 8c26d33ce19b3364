"""European Commission: the Digital Markets Act open-data dump, `case-data-DMA.json`.

The same family and encoding as the competition dumps (`ec`): one JSON object keyed by case
number, every metadata value a list, codes and labels JSON inside strings. Two things come out of
it (docs/ingest-ec-dma.md has the mapping table):

- Each Art. 14 notification of a concentration (`caseAcquisitions` of a gatekeeper's reporting
  case) -> a deal between the gatekeeper (acquirer) and the company it names (target), or the one
  existing deal between them, with an EC inquiry of kind "notification" (DOMAIN.md: an Art. 14
  notification is not a review: no clock, no decision, no outcome) whose summary is the
  Commission's text, and one event on the notification day. The deal type is read from the
  summary's words (`deal_type`): joint venture, acquisition, or acqui-hire (hiring, with a
  licence or some assets, without the company itself).
- Each designation, specification (Art. 8), non-compliance (Art. 29) and market-investigation
  case -> an EC inquiry (conduct; the Art. 19 market investigation: a market study) in the
  Commission's own words, its decisions as events through `DMA_DECISIONS`, the gatekeeper as its
  company.

Each notification is its own record (id `DMA.100160/<acquisitionNumber>`), so a new notice in a
reporting case is one new record and the others stay unchanged.
"""

from __future__ import annotations

import json
import re

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
    RefusedDocument,
    Skipped,
    Unparsed,
    fetch_url,
    from_table,
    load_json,
    optional_date,
    parse_date,
    unique,
)
from .ec import (
    CASE_PAGE,
    CaseType,
    Decision,
    case_status,
    coded,
    dated_decisions,
    decision_event,
    first,
)
from .ec import HOSTS as EC_HOSTS

NAME = "ec-dma"
LABEL = "European Commission Digital Markets Act cases"
EVERY = 1440  # minutes between runs (INGEST_EC_DMA_EVERY): a small dump, changed weekly at most
REGULATOR = "ec"
MAPPING_VERSION = 1
HOSTS = EC_HOSTS
DUMP = "https://compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com/case-data-DMA.json"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(DUMP, client=client, policy=policy)]


# --- The status table: what a DMA case type and decision mean -------------------------------
#
# The only place where the DMA's vocabulary meets ours. A value outside these tables is a bad
# record, named in the run, never a guess.

REPORTING = "DmaGKReportingCaseType"  # a gatekeeper's reporting case: its Art. 14 notices
NOTIFICATION, UNREADABLE = "notification", "unreadable"  # Unparsed.key of a notice, of a bad list

CASE_TYPES: dict[str, CaseType] = {
    # Designation (Art. 3), its rebuttals and reviews (Art. 4), and the market investigations
    # for a designation (Art. 17): the gatekeeper's own case.
    "DmaGateKeeperCaseType": CaseType("conduct", "investigation"),
    # Specification (Art. 8) and non-compliance (Art. 29) proceedings.
    "DmaComplianceCaseType": CaseType("conduct", "investigation"),
    # Art. 19: a market investigation into new services and practices, of no one gatekeeper.
    "DmaGeneralMarketInvestCaseType": CaseType("market_study", "informal"),
}

OPENED = "opened"  # the case type's opened_stage

# decisionTypes codes, every one of the fixture (a test holds it to that). A designation or a
# specification decision finds no infringement and accepts no commitments: it closes its case
# with no outcome of ours, in the Commission's words (the status wording).
DMA_DECISIONS: dict[str, Decision] = {
    "DmaDecType002": Decision("closed", "", "decision"),  # Designation decision (Art. 3(4))
    "DmaDecType003": Decision("closed", "", "decision"),  # Designation decision (Art. 3(8))
    "DmaDecType004": Decision("closed", "", "decision"),  # Designation decision
    "DmaDecType005": Decision("closed", "closed_no_action", "decision"),  # rebuttal accepted
    "DmaDecType008": Decision(None, "", "decision"),  # review of a designation (Art. 4)
    "DmaDecType030": Decision(OPENED, "", "proceedings_opened"),  # market inv. Art. 3(8), 17(1)
    "DmaDecType031": Decision(OPENED, "", "proceedings_opened"),  # market inv. Art. 3(5), 17(3)
    "DmaDecType036": Decision(OPENED, "", "proceedings_opened"),  # market investigation Art. 19
    "DmaDecType039": Decision(OPENED, "", "proceedings_opened"),  # proceedings, Art. 8(2)
    "DmaDecType040": Decision(OPENED, "", "proceedings_opened"),  # proceedings, Art. 20 and 29
    "DmaDecType013": Decision(None, "", "decision"),  # preliminary findings, Art. 8(5)
    "DmaDecType010": Decision(None, "", "decision"),  # time limits extended, Art. 7(6)
    "DmaDecType014": Decision(None, "", "decision"),  # decision under the waiver clause
    "DmaDecType011": Decision("closed", "", "decision"),  # specification decision, Art. 8
    "DmaDecType043": Decision("closed", "infringement", "decision"),  # non-compliance, Art. 29
    "DmaDecType068": Decision("closed", "closed_no_action", "decision"),  # closure decision
}


def decision_meaning(code: str, case_type: CaseType) -> Decision:
    if not code:
        return Decision(None, "", "decision")
    decision = from_table(
        DMA_DECISIONS, code, what="DMA decision type", name="ec_dma.DMA_DECISIONS"
    )
    if decision.stage == OPENED:
        return decision._replace(stage=case_type.opened_stage)
    return decision


# --- The deal type of a notification, from the words of its summary -------------------------

JOINT_VENTURE = re.compile(r"\bjoint\s+venture\b", re.IGNORECASE)
# The company itself changes hands: control, its shares or share capital.
CONTROL = re.compile(
    r"\bsole\s+control\b|\bjoint\s+control\b|\bshare\s+capital\b|\bshares\b|\bshareholding\b",
    re.IGNORECASE,
)
# Its people: hiring, offers of employment, released employment restrictions (with or
# without a licence of its intellectual property, or some of its assets).
HIRING = re.compile(r"\bhir(?:e|es|ed|ing)\b|\bemployment\b", re.IGNORECASE)


def deal_type(summary: str) -> str:
    """What a notice describes: a joint venture; an acquisition (the company, its shares or
    control, or assets alone); or an acqui-hire (the gatekeeper hires the company's people, with
    a licence or some assets, and does not take the company itself)."""
    if JOINT_VENTURE.search(summary):
        return "joint_venture"
    if CONTROL.search(summary):
        return "acquisition"
    if HIRING.search(summary):
        return "acqui_hire"
    return "acquisition"


# --- Parsing ------------------------------------------------------------------------------


def parse(document: bytes) -> list[Parsed]:
    return [parse_unparsed(item) for item in split(document)]


def split(document: bytes) -> list[Unparsed]:
    """The dump's records, unparsed: each non-reporting case, and each notification of each
    case (a reporting case is only the container of its notifications)."""
    data = load_json(document)
    if not isinstance(data, dict) or not data:
        raise RefusedDocument("not an EC DMA dump: expected a JSON object keyed by case number")
    sample = next(iter(data.values()))
    if not isinstance(sample, dict) or "metadata" not in sample:
        raise RefusedDocument("not an EC DMA dump: cases have no 'metadata'")
    found: list[Unparsed] = []
    for key, case in data.items():
        number = _case_number(key, case)
        meta = case.get("metadata") if isinstance(case, dict) else None
        if not isinstance(meta, dict):
            found.append(Unparsed(external_id=number, raw=case, key=key))
            continue
        if _safe_first(meta, "caseType") != REPORTING:
            found.append(Unparsed(external_id=number, raw=case, key=key))
        found += _notifications(number, meta, key=key)
    return found


def _safe_first(meta: dict, name: str) -> str:
    try:
        return first(meta, name)
    except BadRecord:
        return ""


def _case_number(key: str, case: object) -> str:
    try:
        return first(case["metadata"], "caseNumber") or str(key)
    except (BadRecord, TypeError, KeyError, AttributeError):
        return str(key)


def _notifications(number: str, meta: dict, *, key: str) -> list[Unparsed]:
    """One record per Art. 14 notice of the case, with what it needs of its case (the
    gatekeeper); a `caseAcquisitions` that cannot be read is one record, skipped when parsed."""
    values = meta.get("caseAcquisitions") or []
    gatekeeper = {
        "caseNumber": number,
        "caseTitle": meta.get("caseTitle"),
        "caseCompanies": meta.get("caseCompanies"),
    }
    bad = Unparsed(
        external_id=f"{number}/caseAcquisitions",
        raw={**gatekeeper, "caseAcquisitions": values},
        key=UNREADABLE,
    )
    if not isinstance(values, list):
        return [bad]
    found = []
    for value in values:
        try:
            data = json.loads(value) if value else {}
        except (TypeError, json.JSONDecodeError, RecursionError):
            return [bad]
        notices = data.get("items", []) if isinstance(data, dict) else None
        if not isinstance(notices, list):
            return [bad]
        for notice in notices:
            if notice == {}:
                continue  # the dump's way of saying "none"
            ident = notice.get("acquisitionNumber") if isinstance(notice, dict) else None
            ident = ident.strip("{} ") if isinstance(ident, str) else ""
            found.append(
                Unparsed(
                    external_id=f"{number}/{ident or len(found) + 1}"[:200],
                    raw={**gatekeeper, "acquisition": notice},
                    key=NOTIFICATION,
                )
            )
    return found


def parse_unparsed(item: Unparsed) -> Parsed:
    try:
        if item.key == UNREADABLE:
            raise BadRecord("caseAcquisitions is not a list of JSON item lists")
        if item.key == NOTIFICATION:
            return parse_notification(item.external_id, item.raw)
        return parse_case(item.key, item.raw)
    except BadRecord as exc:
        return Skipped(external_id=str(item.external_id), reason=str(exc))


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BadRecord(f"{what} is missing or not a string")
    return " ".join(value.split())


# A defined term the Commission puts after a name: 'RIVR Technologies AG (“RIVR”)'.
DEFINED_TERM = re.compile(r"\s*\(\s*[“\"][^”\"]*[”\"]\s*\)\s*$")


def company_name(value: str) -> str:
    return DEFINED_TERM.sub("", " ".join(value.split())).strip(" ,;")


def parse_notification(external_id: str, raw: object) -> CaseRecord:
    if not isinstance(raw, dict) or not isinstance(raw.get("acquisition"), dict):
        raise BadRecord("notification is not an object")
    notice = raw["acquisition"]
    meta = {"caseTitle": raw.get("caseTitle"), "caseCompanies": raw.get("caseCompanies")}
    gatekeeper_short = first(meta, "caseTitle")
    gatekeeper = first(meta, "caseCompanies") or gatekeeper_short
    if not gatekeeper:
        gatekeeper = _text(notice.get("gatekeeperContactName"), "gatekeeperContactName")
    gatekeeper_short = gatekeeper_short or gatekeeper
    target = company_name(_text(notice.get("acquiredCompany"), "acquiredCompany"))
    if not target:
        raise BadRecord("acquiredCompany is empty")
    notified = parse_date(notice.get("notificationDate"), what="notificationDate")
    summary = _text(notice.get("summary", ""), "summary")
    number = raw.get("caseNumber") if isinstance(raw.get("caseNumber"), str) else ""
    # The gatekeeper's case page, told apart per notice (an inquiry is also found by its
    # address, and the page is the same for all of a gatekeeper's notices).
    notice_id = external_id.rsplit("/", 1)[-1]
    page = f"{CASE_PAGE.format(number=number)}#{notice_id}" if number else ""
    title = f"{gatekeeper_short} / {target}"[:255]
    return CaseRecord(
        external_id=external_id,
        raw=raw,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=external_id[:60],
            title=f"{title}: Art. 14 DMA notification"[:255],
            kind="notification",
            stage="informal",  # no review, no clock, no decision (DOMAIN.md)
            status_wording="Notified under Art. 14 DMA (information about a concentration)",
            opened_on=notified,
            source_url=page,
            summary=summary,
            companies=unique([gatekeeper, target]),
        ),
        deal=DealRecord(
            title=title,
            parties=(PartyRecord(gatekeeper, "acquirer"), PartyRecord(target, "target")),
            deal_type=deal_type(summary),
        ),
        events=(
            EventRecord(
                key="art14",
                occurred_on=notified,
                # "other": not "notified", which starts a merger review's Phase 1 clock
                # (deals/clocks.py); an Art. 14 notice starts none.
                kind="other",
                title=f"{gatekeeper_short} informs the Commission of the deal (Art. 14 DMA)"[:300],
                text=summary,
                source_url=page,
            ),
        ),
    )


def _gatekeeper_from_title(title: str) -> str:
    """'SP - Apple - Article 6(7) – process' -> 'Apple': a compliance case that names no
    company names its gatekeeper first in its title (SP: specification proceedings)."""
    for part in re.split(r"\s+[-–]\s+", title):
        if part.strip() and part.strip().upper() != "SP":
            return part.strip()
    return ""


def parse_case(key: str, case: object) -> CaseRecord:
    if not isinstance(case, dict) or not isinstance(case.get("metadata"), dict):
        raise BadRecord("case has no metadata object")
    meta = case["metadata"]
    number = first(meta, "caseNumber") or key
    if not re.fullmatch(r"DMA\.\d+", number):
        raise BadRecord(f"case number {number!r} is not like DMA.100160")
    title = " ".join(first(meta, "caseTitle").split())
    if not title:
        raise BadRecord("case has no title")
    type_code = first(meta, "caseType")
    case_type = from_table(CASE_TYPES, type_code, what="caseType", name="ec_dma.CASE_TYPES")
    companies = meta.get("caseCompanies") or []
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        raise BadRecord("caseCompanies is not a list of names")
    if not companies and type_code == "DmaComplianceCaseType":
        companies = [name for name in [_gatekeeper_from_title(title)] if name]

    decisions = dated_decisions(case, number)
    meanings = [decision_meaning(d.code, case_type) for d in decisions]
    stage, outcome, wording, closed_on = case_status(decisions, meanings)
    return CaseRecord(
        external_id=number,
        raw=case,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=number,
            title=title[:255],
            kind=case_type.kind,
            stage=stage,
            outcome=outcome,
            status_wording=wording[:500],
            opened_on=optional_date(first(meta, "caseInitiationDate"), what="caseInitiationDate"),
            closed_on=closed_on,
            source_url=CASE_PAGE.format(number=number),
            summary=case_summary(meta),
            companies=unique(companies),
        ),
        events=tuple(
            decision_event(d, meaning, number)
            for d, meaning in zip(decisions, meanings, strict=True)
        ),
    )


def case_summary(meta: dict) -> str:
    bits = [first(meta, "caseInstrument"), coded(first(meta, "caseLegalBasis")).get("label", "")]
    services = [coded(v).get("label", "") for v in meta.get("caseCorePlatformServices") or []]
    if any(services):
        bits.append("Core platform services: " + "; ".join(s for s in services if s))
    return ". ".join(bit for bit in bits if bit)
