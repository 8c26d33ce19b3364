"""UK Competition and Markets Authority, through GOV.UK.

List: the Search API (`/api/search.json?filter_format=cma_case`, newest first by
`public_timestamp`, offset paging). Detail: the Content API (`/api/content/cma-cases/<slug>`),
whose `details.metadata` holds `case_type`, `case_state`, `outcome_type`, `opened_date`,
`closed_date`, and whose `details.change_history` lists every published change.

Each case -> an Inquiry (kind, stage and outcome from `case_type`, `case_state` and
`outcome_type` through the status table below, the CMA's wording kept); each change-history
note -> one Event; a merger case titled "A / B merger inquiry" -> a Deal between A and B. A
`--from-file` document is one Content API item or a JSON list of them.
"""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple
from zoneinfo import ZoneInfo

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
    from_table,
    html_to_text,
    load_json,
    optional_date,
    parse_date,
    split_title_parties,
)

NAME = "cma"
LABEL = "CMA cases on GOV.UK"
EVERY = 60  # minutes between scheduled runs (INGEST_CMA_EVERY)
PAGES = 2  # Search API pages, 50 newest cases each (INGEST_CMA_PAGES)
REGULATOR = "cma"
# 2: conduct and market cases in their own words (status, version 2). 3: three or more parties
# in a title are a merger unless the description names the acquirer. 4: a merger case closed
# without an outcome of ours ended without a decision (closed_no_action).
MAPPING_VERSION = 4
HOSTS = frozenset({"www.gov.uk"})
SITE = "https://www.gov.uk"
SEARCH = "https://www.gov.uk/api/search.json"
CONTENT = "https://www.gov.uk/api/content{path}"
PAGE_SIZE = 50
LONDON = ZoneInfo("Europe/London")


def fetch(*, client: httpx.Client, policy: FetchPolicy, pages: int = 2) -> list[bytes]:
    """The Content API items of the newest `pages` * 50 cases (newest first)."""
    documents = []
    for page in range(pages):
        listing = load_json(
            fetch_url(
                SEARCH,
                client=client,
                policy=policy,
                params={
                    "filter_format": "cma_case",
                    "order": "-public_timestamp",
                    "count": PAGE_SIZE,
                    "start": page * PAGE_SIZE,
                    "fields": "link,public_timestamp",
                },
            )
        )
        results = listing.get("results", []) if isinstance(listing, dict) else []
        for result in results:
            link = result.get("link", "") if isinstance(result, dict) else ""
            if re.fullmatch(r"/cma-cases/[a-z0-9-]+", link):
                documents.append(fetch_url(CONTENT.format(path=link), client=client, policy=policy))
        if len(results) < PAGE_SIZE:
            break
    return documents


# --- The status table (the vocabulary of specialist-publisher's cma_cases finder schema) -----
#
# The only place where the CMA's vocabulary meets ours (DOMAIN.md, "Status, version 2"). Every
# case_type and outcome_type of the schema (tests/fixtures/cma) is here, and a test holds the
# table to that; a value outside it is a bad record, named in the run.


class CaseType(NamedTuple):
    kind: str  # a deals.InquiryKind value
    open_stage: str  # where an open case is, unless its outcome_type says more


# Conduct: competition and consumer enforcement. Context (market_study): market studies and
# investigations, the Digital Markets Unit's SMS investigations, and the CMA's work that is
# neither a merger review nor a conduct case (advice, appeals, reviews of old remedies): shown
# beside a deal, never counted in its status.
CASE_TYPES: dict[str, CaseType] = {
    "ca98-and-civil-cartels": CaseType("conduct", "investigation"),
    "competition-disqualification": CaseType("conduct", "investigation"),
    "consumer-enforcement": CaseType("conduct", "investigation"),
    "criminal-cartels": CaseType("conduct", "investigation"),
    "digital-markets-unit": CaseType("market_study", "informal"),
    "information-and-advice-to-government": CaseType("market_study", "informal"),
    "markets": CaseType("market_study", "informal"),
    "mergers": CaseType("merger_review", "phase_1"),  # phase 2 once the page has that section
    "oim-project": CaseType("market_study", "informal"),  # Office for the Internal Market
    "regulatory-references-and-appeals": CaseType("market_study", "informal"),
    "review-of-orders-and-undertakings": CaseType("market_study", "informal"),
    "sau-referral": CaseType("market_study", "informal"),  # Subsidy Advice Unit
}


class OutcomeType(NamedTuple):
    case_type: str  # the case type it is an outcome of (the schema's grouping)
    label: str  # the CMA's words, kept as the status wording
    outcome: str  # once the case is closed; "" when none of our words says it
    open_stage: str | None = None  # where a case still open with it is; None: as its type


# A closed case whose outcome no word of ours says (a criminal verdict, which may be guilty or
# not; a market's remedies, which are not a deal's; an SMS designation; a referral, which is a
# step, not an end) is closed without an outcome, the CMA's words beside it. A director's
# disqualification undertaking is given instead of a court order: settled.
OUTCOME_TYPES: dict[str, OutcomeType] = {
    "ca98-administrative-priorities": OutcomeType(
        "ca98-and-civil-cartels", "CA98 - administrative priorities", "closed_no_action"
    ),
    "ca98-commitment": OutcomeType(
        "ca98-and-civil-cartels", "CA98 - commitments", "commitments", "commitments"
    ),
    "ca98-infringement-chapter-i": OutcomeType(
        "ca98-and-civil-cartels", "CA98 - infringement Chapter I", "infringement"
    ),
    "ca98-infringement-chapter-ii": OutcomeType(
        "ca98-and-civil-cartels", "CA98 - infringement Chapter II", "infringement"
    ),
    "ca98-no-grounds-for-action-non-infringement": OutcomeType(
        "ca98-and-civil-cartels", "CA98 - no grounds for action", "closed_no_action"
    ),
    "competition-disqualification-order-granted": OutcomeType(
        "competition-disqualification",
        "Competition disqualification - order granted",
        "infringement",
    ),
    "competition-disqualification-undertaking-given": OutcomeType(
        "competition-disqualification",
        "Competition disqualification - undertaking given",
        "settled",
    ),
    "consumer-enforcement-changes-to-business-practices-agreed": OutcomeType(
        "consumer-enforcement",
        "Consumer enforcement - changes to business practices agreed",
        "commitments",
    ),
    "consumer-enforcement-court-order": OutcomeType(
        "consumer-enforcement", "Consumer enforcement - court order", "infringement"
    ),
    "consumer-enforcement-no-action": OutcomeType(
        "consumer-enforcement", "Consumer enforcement - no formal action", "closed_no_action"
    ),
    "consumer-enforcement-undertakings": OutcomeType(
        "consumer-enforcement", "Consumer enforcement - undertakings", "commitments"
    ),
    "criminal-cartels-verdict": OutcomeType("criminal-cartels", "Criminal cartels - verdict", ""),
    "firm-not-designated": OutcomeType(
        "digital-markets-unit", "Firm not designated", "closed_no_action"
    ),
    "markets-phase-1-recommendations-to-government": OutcomeType(
        "markets", "Markets - phase 1 recommendations to government", "closed_no_action"
    ),
    "markets-phase-1-referral": OutcomeType("markets", "Markets - phase 1 referral", "", "phase_2"),
    "markets-phase-1-undertakings-in-lieu-of-reference": OutcomeType(
        "markets", "Markets - phase 1 undertakings in lieu of reference", ""
    ),
    "markets-phase-2-adverse-effect-on-competition-leading-to-remedies": OutcomeType(
        "markets", "Markets - phase 2 adverse effect on competition leading to remedies", ""
    ),
    "markets-phase-2-clearance-no-adverse-effect-on-competition": OutcomeType(
        "markets",
        "Markets - phase 2 clearance - no adverse effect on competition",
        "closed_no_action",
    ),
    "mergers-phase-1-clearance": OutcomeType("mergers", "Mergers - phase 1 clearance", "cleared"),
    "mergers-phase-1-clearance-with-undertakings-in-lieu": OutcomeType(
        "mergers",
        "Mergers - phase 1 clearance with undertakings in lieu",
        "cleared_with_remedies",
        "remedies",
    ),
    "mergers-phase-1-exception-to-duty-to-refer": OutcomeType(
        "mergers", "Mergers - phase 1 exception to duty to refer", "cleared"
    ),
    "mergers-phase-1-found-not-to-qualify": OutcomeType(
        "mergers", "Mergers - phase 1 found not to qualify", "not_qualifying"
    ),
    "mergers-phase-1-public-interest-interventions": OutcomeType(
        "mergers", "Mergers - phase 1 public interest intervention", "", "phase_1"
    ),
    "mergers-phase-1-referral": OutcomeType("mergers", "Mergers - phase 1 referral", "", "phase_2"),
    "mergers-phase-2-cancellation": OutcomeType(
        "mergers", "Mergers - phase 2 cancellation", "abandoned"
    ),
    "mergers-phase-2-clearance": OutcomeType("mergers", "Mergers - phase 2 clearance", "cleared"),
    "mergers-phase-2-clearance-with-remedies": OutcomeType(
        "mergers",
        "Mergers - phase 2 clearance with remedies",
        "cleared_with_remedies",
        "remedies",
    ),
    "mergers-phase-2-prohibition": OutcomeType(
        "mergers", "Mergers - phase 2 prohibition", "prohibited"
    ),
    "regulatory-references-and-appeals-final-determination": OutcomeType(
        "regulatory-references-and-appeals",
        "Regulatory references and appeals - final determination",
        "",
    ),
    "sms-designation": OutcomeType("digital-markets-unit", "SMS designation", ""),
}


def case_status(
    case_type: CaseType, *, state: str, outcome_type: str, sections: set[str]
) -> tuple[str, str, str]:
    """(stage, outcome, the CMA's wording) of a case; BadRecord for a value outside the table.

    `case_state` says whether the case is open or closed; a case that does not say is "not
    published", never open by default.
    """
    row = None
    if outcome_type:
        row = from_table(OUTCOME_TYPES, outcome_type, what="outcome_type", name="cma.OUTCOME_TYPES")
    if state == "closed":
        outcome = row.outcome if row else ""
        if not outcome and case_type.kind == "merger_review":
            # A merger case closed with no decision of ours to say: it ended without one
            # (closed_no_action, the CMA's words beside it), never an informal look.
            outcome = "closed_no_action"
        return "closed", outcome, row.label if row else "Closed"
    if state == "open":
        stage = (row.open_stage if row else None) or case_type.open_stage
        if case_type.kind == "merger_review" and stage == "phase_1" and "phase-2" in sections:
            stage = "phase_2"
        return stage, "", row.label if row else "Open"
    if not state:
        return "not_published", "", row.label if row else ""
    raise BadRecord(f"unknown case_state {state!r} (not open or closed)")


# Change-history notes -> event kind, first match wins.
NOTE_KINDS = [
    (r"invitation to comment", "comment_invited"),
    (r"phase 2|reference (decision|to phase)|referred|issues statement", "phase_2_opened"),
    (r"provisional findings|statement of objections", "objections"),
    (r"undertakings|remed", "remedies_offered"),
    (r"cancel|abandon", "abandoned"),
    (r"decision|final report|clear|prohibit", "decision"),
    (r"commencement|launch", "phase_1_opened"),
]


def note_kind(note: str) -> str:
    for pattern, kind in NOTE_KINDS:
        if re.search(pattern, note, re.IGNORECASE):
            return kind
    return "other"


def london_date(value: object, *, what: str) -> datetime.date:
    if not isinstance(value, str):
        raise BadRecord(f"{what} is missing or not a string")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value, what=what)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LONDON).date()


DEADLINE = re.compile(
    r"(\d{1,2} [A-Z][a-z]+ \d{4})\s*\n?\s*Deadline for phase (?:1|2) decision", re.IGNORECASE
)


def statutory_deadline(body_html: str) -> datetime.date | None:
    """The "Deadline for phase 1 decision" date of the statutory timetable, if there is one."""
    match = DEADLINE.search(html_to_text(body_html))
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match.group(1), "%d %B %Y").date()
    except ValueError:
        return None


# --- Parsing ------------------------------------------------------------------------------


def parse(document: bytes) -> list[Parsed]:
    data = load_json(document)
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise RefusedDocument("not a GOV.UK Content API item or a list of them")
    if not any("base_path" in item and "details" in item for item in items):
        raise RefusedDocument("not a GOV.UK Content API item (no base_path and details)")
    parsed: list[Parsed] = []
    for item in items:
        try:
            parsed.append(parse_item(item))
        except BadRecord as exc:
            parsed.append(Skipped(external_id=str(item.get("base_path", "?")), reason=str(exc)))
    return parsed


def parse_item(item: dict) -> CaseRecord:
    base_path = item.get("base_path")
    if not isinstance(base_path, str) or not base_path.startswith("/cma-cases/"):
        raise BadRecord("base_path is missing or not a /cma-cases/ path")
    if item.get("document_type") not in (None, "cma_case"):
        raise BadRecord(f"document_type is {item.get('document_type')!r}, not cma_case")
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BadRecord("title is missing")
    title = " ".join(title.split())
    details = item.get("details")
    if not isinstance(details, dict) or not isinstance(details.get("metadata"), dict):
        raise BadRecord("details.metadata is missing")
    meta = details["metadata"]
    case_type, state, outcome_type = (
        meta.get("case_type", ""),
        meta.get("case_state", ""),
        meta.get("outcome_type") or "",
    )
    if not all(isinstance(value, str) for value in (case_type, state, outcome_type)):
        raise BadRecord("case_type, case_state or outcome_type is not a string")
    type_row = from_table(CASE_TYPES, case_type, what="case_type", name="cma.CASE_TYPES")
    headers = details.get("headers") or []
    sections = {h.get("id") for h in headers if isinstance(h, dict)}
    stage, outcome, wording = case_status(
        type_row, state=state, outcome_type=outcome_type, sections=sections
    )

    url = SITE + base_path
    description = item.get("description") or ""
    deal, review_note = (
        merger_deal(title, description if isinstance(description, str) else "")
        if case_type == "mergers"
        else (None, "")
    )
    closed_on = optional_date(meta.get("closed_date"), what="closed_date")
    return CaseRecord(
        external_id=base_path,
        raw=item,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference="",  # GOV.UK does not publish the CMA's case number as data
            title=title[:255],
            kind=type_row.kind,
            stage=stage,
            outcome=outcome,
            status_wording=wording[:500],
            opened_on=optional_date(meta.get("opened_date"), what="opened_date"),
            deadline_on=None if stage in ("closed", "not_published") else deadline(details),
            closed_on=closed_on if stage == "closed" else None,
            source_url=url,
            summary=html_to_text(description) if isinstance(description, str) else "",
            companies=tuple(p.name for p in deal.parties) if deal else (),
        ),
        deal=deal,
        events=change_events(details, url),
        review_note=review_note,
    )


def deadline(details: dict) -> datetime.date | None:
    """The statutory deadline in the page's body (the Content API may serve it as parts)."""
    body = details.get("body") or ""
    if isinstance(body, list):  # [{content_type, content}]
        body = next((b.get("content", "") for b in body if isinstance(b, dict)), "")
    if not isinstance(body, str):
        raise BadRecord("details.body is not text")
    return statutory_deadline(body)


def change_events(details: dict, url: str) -> tuple[EventRecord, ...]:
    """One event per change-history note, dated in London."""
    history = details.get("change_history") or []
    if not isinstance(history, list):
        raise BadRecord("change_history is not a list")
    events = []
    for entry in history:
        if not isinstance(entry, dict):
            raise BadRecord("a change_history entry is not an object")
        note = entry.get("note")
        stamp = entry.get("public_timestamp")
        if not isinstance(note, str) or not note.strip():
            raise BadRecord("a change_history entry has no note")
        events.append(
            EventRecord(
                key=f"change:{stamp}",
                occurred_on=london_date(stamp, what="change_history public_timestamp"),
                kind=note_kind(note),
                title=" ".join(note.split())[:300],
                source_url=url,
            )
        )
    return tuple(events)


def merger_deal(title: str, description: str = "") -> tuple[DealRecord | None, str]:
    """The deal of a merger case titled "A / B merger inquiry", or why there is none.

    "A / B": A buys B. Three or more names ("Richemont / Yoox / Net-A-Porter") are not "A buys
    B and C" unless the description says who acquires ("acquisition by A of ..."): otherwise a
    merger of all of them ("the anticipated acquisition relating to Compagnie Financière
    Richemont S.A., Yoox S.p.A and The Net-A-Porter Group Limited"), for an editor to check.
    """
    match = re.fullmatch(r"(.+?)\s+merger inquiry", title, re.IGNORECASE)
    names = split_title_parties(match.group(1)) if match else []
    if len(names) < 2:
        return None, "Merger case whose title does not name the parties as 'A / B'."
    deal_type = "asset_purchase" if "assets" in title.lower() else "acquisition"
    if len(names) > 2 and not re.search(r"\bacquisition\s+by\b", description, re.IGNORECASE):
        parties = tuple(PartyRecord(name, "partner") for name in names)
        note = "Merger of three or more parties: check who acquires whom."
        return DealRecord(title=match.group(1)[:255], parties=parties, deal_type="merger"), note
    parties = (PartyRecord(names[0], "acquirer"),) + tuple(
        PartyRecord(name, "target") for name in names[1:]
    )
    return DealRecord(title=match.group(1)[:255], parties=parties, deal_type=deal_type), ""
