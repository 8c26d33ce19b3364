"""UK Competition and Markets Authority, through GOV.UK.

List: the Search API (`/api/search.json?filter_format=cma_case`, newest first by
`public_timestamp`, offset paging). Detail: the Content API (`/api/content/cma-cases/<slug>`),
whose `details.metadata` holds `case_type`, `case_state`, `outcome_type`, `opened_date`,
`closed_date`, and whose `details.change_history` lists every published change.

Each case -> an Inquiry (stage and outcome from `case_state` / `outcome_type`, the CMA's wording
kept); each change-history note -> one Event; a merger case titled "A / B merger inquiry" -> a
Deal between A and B. A `--from-file` document is one Content API item or a JSON list of them.
"""

from __future__ import annotations

import datetime
import re
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
    html_to_text,
    load_json,
    optional_date,
    parse_date,
    split_title_parties,
)

NAME = "cma"
REGULATOR = "cma"
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


# --- Vocabulary (specialist-publisher's cma_cases finder schema) --------------------------

CASE_KINDS = {
    "mergers": "merger_review",
    "markets": "market_study",
    "digital-markets-unit": "market_study",
    "information-and-advice-to-government": "market_study",
    "oim-project": "market_study",
}

# outcome_type -> (stage, outcome, the CMA's label)
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "ca98-administrative-priorities": (
        "closed",
        "closed_no_action",
        "CA98 - administrative priorities",
    ),
    "ca98-commitment": ("closed", "cleared_with_remedies", "CA98 - commitments"),
    "ca98-infringement-chapter-i": ("closed", "prohibited", "CA98 - infringement Chapter I"),
    "ca98-infringement-chapter-ii": ("closed", "prohibited", "CA98 - infringement Chapter II"),
    "ca98-no-grounds-for-action-non-infringement": (
        "closed",
        "closed_no_action",
        "CA98 - no grounds for action",
    ),
    "competition-disqualification-order-granted": (
        "closed",
        "",
        "Competition disqualification - order granted",
    ),
    "competition-disqualification-undertaking-given": (
        "closed",
        "",
        "Competition disqualification - undertaking given",
    ),
    "consumer-enforcement-changes-to-business-practices-agreed": (
        "closed",
        "cleared_with_remedies",
        "Consumer enforcement - changes to business practices agreed",
    ),
    "consumer-enforcement-court-order": (
        "closed",
        "prohibited",
        "Consumer enforcement - court order",
    ),
    "consumer-enforcement-no-action": (
        "closed",
        "closed_no_action",
        "Consumer enforcement - no formal action",
    ),
    "consumer-enforcement-undertakings": (
        "closed",
        "cleared_with_remedies",
        "Consumer enforcement - undertakings",
    ),
    "criminal-cartels-verdict": ("closed", "", "Criminal cartels - verdict"),
    "firm-not-designated": ("closed", "closed_no_action", "Firm not designated"),
    "markets-phase-1-recommendations-to-government": (
        "closed",
        "closed_no_action",
        "Markets - phase 1 recommendations to government",
    ),
    "markets-phase-1-referral": ("phase_2", "", "Markets - phase 1 referral"),
    "markets-phase-1-undertakings-in-lieu-of-reference": (
        "closed",
        "cleared_with_remedies",
        "Markets - phase 1 undertakings in lieu of reference",
    ),
    "markets-phase-2-adverse-effect-on-competition-leading-to-remedies": (
        "closed",
        "cleared_with_remedies",
        "Markets - phase 2 adverse effect on competition leading to remedies",
    ),
    "markets-phase-2-clearance-no-adverse-effect-on-competition": (
        "closed",
        "cleared",
        "Markets - phase 2 clearance - no adverse effect on competition",
    ),
    "mergers-phase-1-clearance": ("closed", "cleared", "Mergers - phase 1 clearance"),
    "mergers-phase-1-clearance-with-undertakings-in-lieu": (
        "closed",
        "cleared_with_remedies",
        "Mergers - phase 1 clearance with undertakings in lieu",
    ),
    "mergers-phase-1-exception-to-duty-to-refer": (
        "closed",
        "cleared",
        "Mergers - phase 1 exception to duty to refer",
    ),
    "mergers-phase-1-found-not-to-qualify": (
        "closed",
        "not_qualifying",
        "Mergers - phase 1 found not to qualify",
    ),
    "mergers-phase-1-public-interest-interventions": (
        "phase_1",
        "",
        "Mergers - phase 1 public interest intervention",
    ),
    "mergers-phase-1-referral": ("phase_2", "", "Mergers - phase 1 referral"),
    "mergers-phase-2-cancellation": ("closed", "abandoned", "Mergers - phase 2 cancellation"),
    "mergers-phase-2-clearance": ("closed", "cleared", "Mergers - phase 2 clearance"),
    "mergers-phase-2-clearance-with-remedies": (
        "closed",
        "cleared_with_remedies",
        "Mergers - phase 2 clearance with remedies",
    ),
    "mergers-phase-2-prohibition": ("closed", "prohibited", "Mergers - phase 2 prohibition"),
    "regulatory-references-and-appeals-final-determination": (
        "closed",
        "",
        "Regulatory references and appeals - final determination",
    ),
    "sms-designation": ("closed", "", "SMS designation"),
}

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
    case_type = meta.get("case_type", "")
    state = meta.get("case_state", "")
    outcome_type = meta.get("outcome_type") or ""
    if not isinstance(case_type, str) or not isinstance(state, str):
        raise BadRecord("case_type or case_state is not a string")
    if not isinstance(outcome_type, str):
        raise BadRecord("outcome_type is not a string")

    body = details.get("body") or ""
    if isinstance(body, list):  # the Content API can serve body as [{content_type, content}]
        body = next((b.get("content", "") for b in body if isinstance(b, dict)), "")
    if not isinstance(body, str):
        raise BadRecord("details.body is not text")

    headers = details.get("headers") or []
    header_ids = {h.get("id") for h in headers if isinstance(h, dict)}
    stage = "phase_2" if "phase-2" in header_ids else "phase_1"
    outcome, wording = "", "Open"
    if outcome_type in OUTCOMES:
        mapped_stage, mapped_outcome, wording = OUTCOMES[outcome_type]
        if mapped_stage != "closed":
            stage = mapped_stage
        if state == "closed":
            outcome = mapped_outcome
    elif outcome_type:
        wording = outcome_type.replace("-", " ").capitalize()
    if state == "closed":
        stage = "closed"
        if not outcome_type:
            wording = "Closed"

    events = []
    history = details.get("change_history") or []
    if not isinstance(history, list):
        raise BadRecord("change_history is not a list")
    url = SITE + base_path
    for entry in history:
        if not isinstance(entry, dict):
            raise BadRecord("a change_history entry is not an object")
        note = entry.get("note")
        stamp = entry.get("public_timestamp")
        if not isinstance(note, str) or not note.strip():
            raise BadRecord("a change_history entry has no note")
        occurred = london_date(stamp, what="change_history public_timestamp")
        events.append(
            EventRecord(
                key=f"change:{stamp}",
                occurred_on=occurred,
                kind=note_kind(note),
                title=" ".join(note.split())[:300],
                source_url=url,
            )
        )

    deal, review_note, parties = None, "", ()
    kind = CASE_KINDS.get(case_type, "conduct")
    if case_type == "mergers":
        match = re.fullmatch(r"(.+?)\s+merger inquiry", title, re.IGNORECASE)
        names = split_title_parties(match.group(1)) if match else []
        if len(names) >= 2:
            parties = (PartyRecord(names[0], "acquirer"),) + tuple(
                PartyRecord(name, "target") for name in names[1:]
            )
            deal = DealRecord(
                title=match.group(1)[:255],
                parties=parties,
                deal_type="asset_purchase" if "assets" in title.lower() else "acquisition",
            )
        else:
            review_note = "Merger case whose title does not name the parties as 'A / B'."

    opened_on = optional_date(meta.get("opened_date"), what="opened_date")
    closed_on = optional_date(meta.get("closed_date"), what="closed_date")
    description = item.get("description") or ""
    return CaseRecord(
        external_id=base_path,
        raw=item,
        inquiry=InquiryRecord(
            regulator=REGULATOR,
            reference="",  # GOV.UK does not publish the CMA's case number as data
            title=title[:255],
            kind=kind,
            stage=stage,
            outcome=outcome,
            status_wording=wording[:500],
            opened_on=opened_on,
            deadline_on=statutory_deadline(body) if stage != "closed" else None,
            closed_on=closed_on if stage == "closed" else None,
            source_url=url,
            summary=html_to_text(description) if isinstance(description, str) else "",
            companies=tuple(p.name for p in parties),
        ),
        deal=deal,
        events=tuple(events),
        review_note=review_note,
    )
