"""European Commission, DG Competition: the competition open-data dumps.

`case-data-M.json` (mergers) and `case-data-AT.json` (antitrust and cartels) are one JSON object
each, keyed by case number. Every value is a list; many are JSON inside strings
('{"code":"ATDecTypeCommitment","label":"Commitment Decision"}'); an empty one looks like
'{"items":[{}]}'. There is no delta feed: the whole dump is downloaded and compared record by
record (content hash) with what was seen before.

Each case -> an Inquiry (case number, title, companies, dates); each decision -> an Event with
the decision type in the Commission's words, mapped to stage and outcome. Merger cases get a
Deal from the title ("ACQUIRER / TARGET") or the companies.
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
    fetch_url,
    load_json,
    optional_date,
    parse_date,
    split_title_parties,
    unique,
)

NAME = "ec"
REGULATOR = "ec"
HOSTS = frozenset({"compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com"})
DUMPS = (
    "https://compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com/case-data-M.json",
    "https://compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com/case-data-AT.json",
)
CASE_PAGE = "https://competition-cases.ec.europa.eu/cases/{number}"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(url, client=client, policy=policy) for url in DUMPS]


# --- What a decision means ----------------------------------------------------------------

# Antitrust decision type codes -> (stage after it, outcome, event kind). Stage None: the
# decision does not move the case (an amendment, a procedural fine).
AT_DECISIONS: dict[str, tuple[str | None, str, str]] = {
    "ATDecTypeIOP": ("phase_2", "", "phase_2_opened"),
    "ATDecTypeProhibFines": ("closed", "prohibited", "decision"),
    "ATDecTypeProhibFinesSettlmt": ("closed", "prohibited", "decision"),
    "ATDecTypeProhibFinesCoop": ("closed", "prohibited", "decision"),
    "ATDecTypeProhibFinesRemCoop": ("closed", "prohibited", "decision"),
    "ATDecTypeProhibWithout": ("closed", "prohibited", "decision"),
    "ATDecTypeStateMeasure": ("closed", "prohibited", "decision"),
    "ATDecTypeCommitment": ("closed", "cleared_with_remedies", "decision"),
    "AtDecTypeOldExemption": ("closed", "cleared_with_remedies", "decision"),
    "AtDecTypeOldNegClear": ("closed", "cleared", "decision"),
    "ATDecTypeCOP": ("closed", "closed_no_action", "decision"),
    "ATDecTypeRCLack": ("closed", "closed_no_action", "decision"),
    "ATDecTypeRCOther": ("closed", "closed_no_action", "decision"),
    "ATDecTypeSIFinalReport": ("closed", "closed_no_action", "decision"),
    "ATDecTypeGuidance": ("closed", "closed_no_action", "decision"),
    "ATDecTypeInterimMeasures": (None, "", "decision"),
    "ATDecTypeAmending": (None, "", "decision"),
    "ATDecTypeFines": (None, "", "decision"),
}

# Merger decisions, recognised by the EUMR article in the Commission's label, most specific
# first: (pattern, stage, outcome, event kind).
M_DECISIONS: list[tuple[str, str | None, str, str]] = [
    (r"6\s*\(\s*1\s*\)\s*\(?\s*a", "closed", "not_qualifying", "decision"),
    (r"6\s*\(\s*2\s*\)", "closed", "cleared_with_remedies", "decision"),
    (r"6\s*\(\s*1\s*\)\s*\(?\s*c", "phase_2", "", "phase_2_opened"),
    (r"6\s*\(\s*1\s*\)\s*\(?\s*b", "closed", "cleared", "decision"),
    (r"8\s*\(\s*1\s*\)", "closed", "cleared", "decision"),
    (r"8\s*\(\s*2\s*\)", "closed", "cleared_with_remedies", "decision"),
    (r"8\s*\(\s*3\s*\)", "closed", "prohibited", "decision"),
    (r"\b(4\s*\(\s*4\s*\)|9\s*\(\s*3\s*\)|art(icle|\.)?\s*9\b)", "closed", "referred", "decision"),
    (r"withdraw|abandon", "closed", "abandoned", "abandoned"),
    (r"simplified|clearance|compatible", "closed", "cleared", "decision"),
    (r"prohibit|incompatible", "closed", "prohibited", "decision"),
    (r"statement of objections", None, "", "objections"),
]


def decision_meaning(code: str, label: str, *, merger: bool) -> tuple[str | None, str, str]:
    if code in AT_DECISIONS:
        return AT_DECISIONS[code]
    if merger:
        for pattern, stage, outcome, kind in M_DECISIONS:
            if re.search(pattern, label, re.IGNORECASE):
                return stage, outcome, kind
    return None, "", "decision"


# --- Format helpers -----------------------------------------------------------------------


def first(metadata: dict, key: str) -> str:
    """The first value of a list field, "" when the list is empty or missing."""
    values = metadata.get(key) or []
    if not isinstance(values, list):
        raise BadRecord(f"{key} is not a list")
    value = values[0] if values else ""
    if not isinstance(value, str):
        raise BadRecord(f"{key} holds a {type(value).__name__}, not a string")
    return value.strip()


def coded(value: str) -> dict:
    """'{"code":"X","label":"Y"}' -> {"code": "X", "label": "Y"}; {} for anything else."""
    try:
        data = json.loads(value) if value else {}
    except json.JSONDecodeError:
        return {"code": "", "label": value}
    return data if isinstance(data, dict) else {}


def items(value: str) -> list[dict]:
    """'{"items":[{...}, ...]}' -> the non-empty items."""
    data = coded(value)
    return [item for item in data.get("items", []) if isinstance(item, dict) and item]


# --- Parsing ------------------------------------------------------------------------------


def parse(document: bytes) -> list[Parsed]:
    data = load_json(document)
    if not isinstance(data, dict) or not data:
        raise RefusedDocument("not an EC case dump: expected a JSON object keyed by case number")
    sample = next(iter(data.values()))
    if not isinstance(sample, dict) or "metadata" not in sample:
        raise RefusedDocument("not an EC case dump: cases have no 'metadata'")
    parsed: list[Parsed] = []
    for key, case in data.items():
        try:
            parsed.append(parse_case(key, case))
        except BadRecord as exc:
            parsed.append(Skipped(external_id=str(key), reason=str(exc)))
    return parsed


def parse_case(key: str, case: object) -> CaseRecord:
    if not isinstance(case, dict) or not isinstance(case.get("metadata"), dict):
        raise BadRecord("case has no metadata object")
    meta = case["metadata"]
    number = first(meta, "caseNumber") or key
    if not re.fullmatch(r"[A-Z]{1,4}\.\d+", number):
        raise BadRecord(f"case number {number!r} is not like M.11357 or AT.40153")
    title = first(meta, "caseTitle")
    if not title:
        raise BadRecord("case has no title")
    merger = number.startswith("M.")
    case_type = first(meta, "caseType")
    kind = "merger_review" if merger else "conduct"
    if "SectorInquiry" in case_type:
        kind = "market_study"

    companies = meta.get("caseCompanies") or []
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        raise BadRecord("caseCompanies is not a list of names")
    opened_on = optional_date(first(meta, "caseInitiationDate"), what="caseInitiationDate")
    deadline_on = None
    for field_name in sorted(meta):
        if "deadline" in field_name.lower() and first(meta, field_name):
            deadline_on = optional_date(first(meta, field_name), what=field_name)
            break

    decisions = case.get("decisions") or []
    if not isinstance(decisions, list):
        raise BadRecord("decisions is not a list")
    events: list[EventRecord] = []
    stage, outcome, wording, closed_on = ("phase_1", "", "", None)
    dated = []
    for decision in decisions:
        dmeta = decision.get("metadata") if isinstance(decision, dict) else None
        if not isinstance(dmeta, dict):
            raise BadRecord("a decision has no metadata")
        adopted = parse_date(first(dmeta, "decisionAdoptionDate"), what="decisionAdoptionDate")
        types = [coded(value) for value in dmeta.get("decisionTypes") or []]
        label = "; ".join(t.get("label", "") for t in types if t.get("label")) or "Decision"
        code = next((t.get("code", "") for t in types if t.get("code")), "")
        ref = first(dmeta, "metadataReference") or f"{number}-{adopted}-{code}"
        releases = []
        for value in dmeta.get("decisionPressReleases") or []:
            for release in items(value):
                line = release.get("webDescription", "")
                if release.get("reference"):
                    line = f"{line} ({release['reference']})" if line else release["reference"]
                releases.append(line)
        dated.append((adopted, ref, code, label, releases))
    for adopted, ref, code, label, releases in sorted(dated, key=lambda d: (d[0], d[1])):
        new_stage, new_outcome, event_kind = decision_meaning(code, label, merger=merger)
        events.append(
            EventRecord(
                key=f"decision:{ref}",
                occurred_on=adopted,
                kind=event_kind,
                title=label[:300],
                text="\n".join(releases),
                source_url=CASE_PAGE.format(number=number),
            )
        )
        if new_stage is not None:
            stage, outcome, wording = new_stage, new_outcome, label
            closed_on = adopted if new_stage == "closed" else None

    deal = None
    review_note = ""
    if merger:
        names = split_title_parties(title) if " / " in title else []
        if len(names) < 2:
            names = list(unique(companies))
        if len(names) >= 2:
            parties = (PartyRecord(names[0], "acquirer"),) + tuple(
                PartyRecord(name, "target") for name in names[1:]
            )
            deal = DealRecord(title=" / ".join(names)[:255], parties=parties, announced_on=None)
        else:
            review_note = "Merger case whose parties could not be told from its title."

    legal_basis = coded(first(meta, "caseLegalBasis")).get("label", "")
    summary_bits = [first(meta, "caseCartel"), legal_basis]
    sectors = [coded(v).get("label", "") for v in meta.get("caseSectors") or []]
    if any(sectors):
        summary_bits.append("Sector: " + "; ".join(s for s in sectors if s))
    return CaseRecord(
        external_id=number,
        raw=case,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference=number,
            title=title[:255],
            kind=kind,
            stage=stage,
            outcome=outcome,
            status_wording=wording[:500],
            opened_on=opened_on,
            deadline_on=deadline_on if stage != "closed" else None,
            closed_on=closed_on,
            source_url=CASE_PAGE.format(number=number),
            summary=". ".join(bit for bit in summary_bits if bit),
            companies=unique(companies),
        ),
        deal=deal,
        events=tuple(events),
        review_note=review_note,
    )
