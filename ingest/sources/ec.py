"""European Commission, DG Competition: the antitrust and cartels open-data dump.

`case-data-AT.json` is one JSON object keyed by case number. Every value is a list; many are JSON
inside strings ('{"code":"ATDecTypeCommitment","label":"Commitment Decision"}'); an empty one
looks like '{"items":[{}]}'. There is no delta feed: the whole dump is downloaded and compared
record by record (content hash) with what was seen before. The merger register, in the same
encoding, is its own source (`ec_mergers`), and so is the Digital Markets Act dump (`ec_dma`);
both use the format helpers here.

Each case -> an Inquiry (case number, title, companies, dates); each decision -> an Event with
the decision type in the Commission's words, mapped to stage and outcome through the status
table below. A case without a decision that says where it stands is "not published", not open.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import NamedTuple

import httpx

from .base import (
    BadRecord,
    CaseRecord,
    EventRecord,
    FetchPolicy,
    InquiryRecord,
    Parsed,
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

NAME = "ec"
LABEL = "European Commission open data"
EVERY = 720  # minutes between runs (INGEST_EC_EVERY): the dumps are large, change daily at most
REGULATOR = "ec"
MAPPING_VERSION = 2  # 2: the conduct vocabulary and "not published" (status, version 2)
HOSTS = frozenset({"compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com"})
DUMP = "https://compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com/case-data-AT.json"
CASE_PAGE = "https://competition-cases.ec.europa.eu/cases/{number}"


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 1) -> list[bytes]:
    return [fetch_url(DUMP, client=client, policy=policy)]


# --- The status table: what a case type and a decision mean --------------------------------
#
# The only place where the Commission's vocabulary meets ours (DOMAIN.md, "Status, version 2").
# A value outside these tables is a bad record, named in the run, never a guess.


class CaseType(NamedTuple):
    kind: str  # a deals.InquiryKind value
    opened_stage: str  # where an initiation of proceedings puts the case


# caseType of the antitrust dump -> the kind of inquiry.
CASE_TYPES: dict[str, CaseType] = {
    "AtStandardATCCase": CaseType("conduct", "investigation"),  # Art. 101/102 TFEU, cartels
    "AtStateMeasureCase": CaseType("conduct", "investigation"),  # Art. 106 TFEU: a State's measure
    "AtSectorInquiryCase": CaseType("market_study", "informal"),  # Art. 17 Reg. 1/2003
}

OPENED = "opened"  # a stage that stands for the case type's opened_stage


class Decision(NamedTuple):
    stage: str | None  # the stage after it (OPENED: see CaseType); None: it moves nothing
    outcome: str  # a deals.Outcome value, "" for none
    event: str  # the kind of its event on the timeline (a deals.EventKind value)


# Antitrust decisionTypes codes, in the conduct vocabulary. Every code of the full dump in
# tests/fixtures/ec is here (a test holds it to that). Settlement and cooperation (leniency)
# decisions are Art. 7 decisions like any prohibition, with the fine reduced under the
# settlement procedure (Reg. 622/2008): they find an infringement, so they read "infringement";
# "settled" is left for cases that end by agreement without an infringement decision (CMA, US).
# The dump publishes no statement of objections as a decision (it is not one), so no row here
# gives the stage "objections".
AT_DECISIONS: dict[str, Decision] = {
    "ATDecTypeIOP": Decision(OPENED, "", "proceedings_opened"),  # Initiation of Proceedings
    "ATDecTypeProhibFines": Decision("closed", "infringement", "decision"),  # Art. 7, fined
    "ATDecTypeProhibWithout": Decision("closed", "infringement", "decision"),  # Art. 7, no fine
    "ATDecTypeProhibFinesSettlmt": Decision("closed", "infringement", "decision"),  # Settlement
    "ATDecTypeProhibFinesCoop": Decision("closed", "infringement", "decision"),  # Cooperation
    "ATDecTypeProhibFinesRemCoop": Decision("closed", "infringement", "decision"),  # Cooperation
    "ATDecTypeStateMeasure": Decision("closed", "infringement", "decision"),  # Art. 106(3)
    # Art. 23 fines for a procedural breach (broken seal, misleading or deleted information): in
    # the dump each closes its own procedural case, or comes before the closure of the case.
    "ATDecTypeFines": Decision("closed", "infringement", "decision"),
    "ATDecTypeCommitment": Decision("closed", "commitments", "decision"),  # Art. 9
    # Reg. 17/62: an exemption on conditions the parties accepted; a negative clearance said
    # there were no grounds for action.
    "AtDecTypeOldExemption": Decision("closed", "commitments", "decision"),
    "AtDecTypeOldNegClear": Decision("closed", "closed_no_action", "decision"),
    "ATDecTypeCOP": Decision("closed", "closed_no_action", "decision"),  # Closure of Proceedings
    "ATDecTypeRCLack": Decision("closed", "closed_no_action", "decision"),  # Complaint rejected
    "ATDecTypeRCOther": Decision("closed", "closed_no_action", "decision"),  # Complaint rejected
    "ATDecTypeGuidance": Decision("closed", "closed_no_action", "decision"),  # Guidance letter
    "ATDecTypeSIFinalReport": Decision("closed", "closed_no_action", "decision"),  # Sector inquiry
    "ATDecTypeInterimMeasures": Decision(None, "", "decision"),  # Art. 8: the case goes on
    "ATDecTypeAmending": Decision(None, "", "decision"),  # amends an earlier decision
}


def decision_meaning(code: str, case_type: CaseType) -> Decision:
    """What one decision does to its case; BadRecord for a decision outside the table.

    A decision the dump gives no type at all is kept on the timeline and moves nothing.
    """
    if not code:
        return Decision(None, "", "decision")
    decision = from_table(AT_DECISIONS, code, what="decision type", name="ec.AT_DECISIONS")
    if decision.stage == OPENED:
        return decision._replace(stage=case_type.opened_stage)
    return decision


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
    return [parse_unparsed(item) for item in split(document)]


def split(document: bytes) -> list[Unparsed]:
    """The dump's cases, unparsed, each with the case number it will be stored under."""
    data = load_json(document)
    if not isinstance(data, dict) or not data:
        raise RefusedDocument("not an EC case dump: expected a JSON object keyed by case number")
    sample = next(iter(data.values()))
    if not isinstance(sample, dict) or "metadata" not in sample:
        raise RefusedDocument("not an EC case dump: cases have no 'metadata'")
    return [
        Unparsed(external_id=case_number(key, case), raw=case, key=key)
        for key, case in data.items()
    ]


def parse_unparsed(item: Unparsed) -> Parsed:
    try:
        return parse_case(item.key, item.raw)
    except BadRecord as exc:
        return Skipped(external_id=str(item.key), reason=str(exc))


def case_number(key: str, case: object) -> str:
    """The id `parse_case` gives the case (its key when it has no usable number)."""
    try:
        return first(case["metadata"], "caseNumber") or key
    except (BadRecord, TypeError, KeyError, AttributeError):
        return str(key)


def parse_case(key: str, case: object) -> CaseRecord:
    if not isinstance(case, dict) or not isinstance(case.get("metadata"), dict):
        raise BadRecord("case has no metadata object")
    meta = case["metadata"]
    number = first(meta, "caseNumber") or key
    if not re.fullmatch(r"[A-Z]{1,4}\.\d+", number):
        raise BadRecord(f"case number {number!r} is not like AT.40153")
    title = first(meta, "caseTitle")
    if not title:
        raise BadRecord("case has no title")
    case_type = from_table(
        CASE_TYPES, first(meta, "caseType"), what="caseType", name="ec.CASE_TYPES"
    )
    companies = meta.get("caseCompanies") or []
    if not isinstance(companies, list) or not all(isinstance(c, str) for c in companies):
        raise BadRecord("caseCompanies is not a list of names")
    deadline_on = published_deadline(meta)

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
            deadline_on=deadline_on if stage not in ("closed", "not_published") else None,
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


class DatedDecision(NamedTuple):
    adopted: datetime.date
    ref: str
    code: str
    label: str
    releases: tuple[str, ...]


def decisions_of(case: dict) -> list[tuple[dict, dict]]:
    """Each decision of a case (any of the Commission's dumps) with its metadata object;
    BadRecord when the list, or a decision's metadata, is not there."""
    decisions = case.get("decisions") or []
    if not isinstance(decisions, list):
        raise BadRecord("decisions is not a list")
    found = []
    for decision in decisions:
        dmeta = decision.get("metadata") if isinstance(decision, dict) else None
        if not isinstance(dmeta, dict):
            raise BadRecord("a decision has no metadata")
        found.append((decision, dmeta))
    return found


def decision_type(dmeta: dict) -> tuple[str, str]:
    """(code, label) of a decision: its first type's code, its types' labels joined; "" for
    none. BadRecord when `decisionTypes` is not a list of strings."""
    values = dmeta.get("decisionTypes") or []
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise BadRecord("decisionTypes is not a list of strings")
    types = [coded(value) for value in values]
    label = "; ".join(t.get("label", "") for t in types if t.get("label"))
    code = next((t.get("code", "") for t in types if t.get("code")), "")
    return code, label


def dated_decisions(case: dict, number: str) -> list[DatedDecision]:
    """The case's decisions, oldest first, each with its type and press releases."""
    dated = []
    for _, dmeta in decisions_of(case):
        adopted = parse_date(first(dmeta, "decisionAdoptionDate"), what="decisionAdoptionDate")
        code, label = decision_type(dmeta)
        label = label or "Decision"
        ref = first(dmeta, "metadataReference") or f"{number}-{adopted}-{code}"
        releases = []
        for value in dmeta.get("decisionPressReleases") or []:
            for release in items(value):
                line = release.get("webDescription", "")
                if release.get("reference"):
                    line = f"{line} ({release['reference']})" if line else release["reference"]
                releases.append(line)
        dated.append(DatedDecision(adopted, ref, code, label, tuple(releases)))
    return sorted(dated, key=lambda d: (d.adopted, d.ref))


def case_status(
    decisions: list, meanings: list[Decision], *, before: str = "not_published"
) -> tuple[str, str, str, datetime.date | None]:
    """(stage, outcome, the Commission's wording, closed on) after the last decision that moves;
    `decisions` have an `adopted` date and a `label`.

    With no such decision the stage is `before`: unless a dump says more (a merger case's
    published deadline), it does not say where the case stands, and its state is "not
    published", never open by default.
    """
    stage = before
    outcome, wording, closed_on = "", "", None
    for decision, meaning in zip(decisions, meanings, strict=True):
        if meaning.stage is not None:
            stage, outcome, wording = meaning.stage, meaning.outcome, decision.label
            closed_on = decision.adopted if meaning.stage == "closed" else None
    return stage, outcome, wording, closed_on


def decision_event(decision: DatedDecision, meaning: Decision, number: str) -> EventRecord:
    return EventRecord(
        key=f"decision:{decision.ref}",
        occurred_on=decision.adopted,
        kind=meaning.event,
        title=decision.label[:300],
        text="\n".join(decision.releases),
        source_url=CASE_PAGE.format(number=number),
    )


def published_deadline(meta: dict) -> datetime.date | None:
    for field_name in sorted(meta):
        if "deadline" in field_name.lower() and first(meta, field_name):
            return optional_date(first(meta, field_name), what=field_name)
    return None


def case_summary(meta: dict) -> str:
    legal_basis = coded(first(meta, "caseLegalBasis")).get("label", "")
    bits = [first(meta, "caseCartel"), legal_basis]
    sectors = [coded(v).get("label", "") for v in meta.get("caseSectors") or []]
    if any(sectors):
        bits.append("Sector: " + "; ".join(sector for sector in sectors if sector))
    return ". ".join(bit for bit in bits if bit)
