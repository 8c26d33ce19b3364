"""US SEC EDGAR: a company's own 8-K filings, for the completion or termination of its deals.

For each company with a CIK (`Company.cik`), its submissions file
`https://data.sec.gov/submissions/CIK##########.json` (ten digits, zero padded). Its
`filings.recent` holds the company's latest filings (up to about 1,000) as parallel arrays:
`form[i]`, `items[i]`, `filingDate[i]`, `accessionNumber[i]`, `primaryDocument[i]` are filing i.

An 8-K that reports item 2.01 (completion of an acquisition or disposition), 1.01 (entry into a
material definitive agreement) or 1.02 (its termination) becomes a press-like record: never
applied on its own, it waits in the review queue, where the company's open deals are suggested
(ingest/pipeline/review.py) and an editor attaching it to one of them accepts it (a 2.01 sets the
deal's completion date, a 1.02 its abandonment). Other filings are not records.

The SEC's fair-access rules hold in the fetcher: a declared User-Agent with a contact address
(`settings.SEC_USER_AGENT`, refused when unset) and at most 10 requests a second (`RATE_LIMIT`).
The parser is pure: it knows nothing of the ORM, and `--from-file` takes the CIK from the
document's own `cik` field. docs/ingest-sec-edgar.md says the rest.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable

import httpx

from .base import (
    FetchError,
    FetchPolicy,
    Parsed,
    PressRecord,
    RateLimit,
    RefusedDocument,
    Skipped,
    fetch_url,
    load_json,
)

NAME = "sec-edgar"
LABEL = "SEC EDGAR 8-K filings (deal completions and terminations)"
EVERY = 720  # minutes between scheduled runs (INGEST_SEC_EDGAR_EVERY)
REGULATOR = "sec"  # not a merger regulator: no Regulator row, no inquiry is ever made
MAPPING_VERSION = 1
HOSTS = frozenset({"data.sec.gov"})
SUBMISSIONS = "https://data.sec.gov/submissions/CIK{cik}.json"
ARCHIVE = "https://www.sec.gov/Archives/edgar/data/{cik}/{accession}/{document}"

# The SEC's fair access: no more than 10 requests a second, per process sharing this module.
RATE_LIMIT = RateLimit(10)

# The 8-K items that speak of a deal, and what each says (the SEC's own titles, shortened).
ITEMS = {
    "1.01": "entry into a material definitive agreement",
    "1.02": "termination of a material definitive agreement",
    "2.01": "completion of an acquisition or disposition of assets",
}
FORMS = frozenset({"8-K"})
COMPLETION, TERMINATION = "2.01", "1.02"

# A filing this long before the company's newest filing in the same document is kept (under
# Ingested records, filed with the reason) but not queued: the first run on a company does not
# put years of its agreements in front of an editor.
RECENT = datetime.timedelta(days=365)

COLUMNS = ("form", "items", "filingDate", "accessionNumber", "primaryDocument")
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_DOCUMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def user_agent() -> str:
    """The declared User-Agent, from settings; FetchError saying how to set it when it is not
    there or names no contact address."""
    from django.conf import settings

    agent = " ".join(str(getattr(settings, "SEC_USER_AGENT", "") or "").split())
    if "@" not in agent:
        raise FetchError(
            "sec-edgar refuses to run: set SEC_USER_AGENT to a name and a contact address "
            '(e.g. SEC_USER_AGENT="Dealwatch admin@example.org"), as the SEC\'s fair-access '
            "rules require of every client"
        )
    return agent


def cik_digits(value: object) -> str:
    """A CIK as the SEC's ten zero-padded digits ("717423" -> "0000717423"); "" when it is no
    CIK (empty, not digits, more than ten digits, zero)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) == 0:
        return ""
    return text.zfill(10)


def submissions_url(cik: str) -> str:
    return SUBMISSIONS.format(cik=cik_digits(cik))


def companies_ciks() -> list[str]:
    """The CIKs of the companies that carry one, each once (the only part of this module that
    reads the database: the list of what to fetch)."""
    from deals.models import Company

    values = Company.objects.exclude(cik="").values_list("cik", flat=True)
    return sorted({cik_digits(value) for value in values} - {""})


def fetch(
    *,
    client: httpx.Client,
    policy: FetchPolicy,
    pages: int = 1,
    ciks: Iterable[str] | None = None,
) -> list[bytes]:
    """The submissions file of every company with a CIK (or of `ciks`), one request each, with
    the declared User-Agent and at most 10 requests a second."""
    policy = dataclasses.replace(policy, user_agent=user_agent(), rate_limit=RATE_LIMIT)
    wanted = companies_ciks() if ciks is None else sorted({cik_digits(c) for c in ciks} - {""})
    return [fetch_url(submissions_url(cik), client=client, policy=policy) for cik in wanted]


def filing_url(cik: str, accession: str, document: str) -> str:
    """The filing's primary document in the EDGAR archive."""
    return ARCHIVE.format(cik=int(cik), accession=accession.replace("-", ""), document=document)


def parse(document: bytes) -> list[Parsed]:
    """The 8-Ks of one submissions file that report item 2.01, 1.01 or 1.02, one record each.

    The whole document is refused (nothing of it applied) when it is not a submissions file:
    not JSON, no valid `cik`, no `filings.recent`, or columns of different lengths (filing i
    could not be told from filing i + 1). A filing whose own values are of the wrong type is
    skipped, with its accession number when it has one.
    """
    data = load_json(document)
    if not isinstance(data, dict):
        raise RefusedDocument("not an EDGAR submissions file (not a JSON object)")
    cik = cik_digits(data.get("cik"))
    if not cik:
        raise RefusedDocument(f"not an EDGAR submissions file (cik {data.get('cik')!r})")
    filings = data.get("filings")
    recent = filings.get("recent") if isinstance(filings, dict) else None
    if not isinstance(recent, dict):
        raise RefusedDocument("not an EDGAR submissions file (no filings.recent)")
    columns = {}
    for name in COLUMNS:
        column = recent.get(name)
        if not isinstance(column, list):
            raise RefusedDocument(f"filings.recent.{name} is missing or not a list; refused")
        columns[name] = column
    lengths = {name: len(column) for name, column in columns.items()}
    if len(set(lengths.values())) > 1:
        said = ", ".join(f"{name} {length}" for name, length in lengths.items())
        raise RefusedDocument(
            f"filings.recent columns of different lengths ({said}): a filing's values cannot "
            "be told apart from the next one's; refused"
        )
    company = data.get("name") if isinstance(data.get("name"), str) else ""
    company = " ".join(company.split())[:200] or f"CIK {cik}"
    dates = recent.get("filingDate", [])
    newest = max((d for d in (_date(value) for value in dates) if d is not None), default=None)
    records: list[Parsed] = []
    for row in zip(*(columns[name] for name in COLUMNS), strict=True):
        form, items, filed, accession, primary = row
        if form not in FORMS:
            continue
        record = _filing(cik, company, form, items, filed, accession, primary, newest)
        if record is not None:
            records.append(record)
    return records


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def items_of(value: object) -> tuple[str, ...]:
    """ "1.01,2.01,9.01" -> ("1.01", "2.01"): the deal items an 8-K reports, in order."""
    if not isinstance(value, str):
        return ()
    found = [item.strip() for item in value.split(",")]
    return tuple(item for item in ITEMS if item in found)


def _filing(
    cik: str,
    company: str,
    form: str,
    items: object,
    filed: object,
    accession: object,
    primary: object,
    newest: datetime.date | None,
) -> Parsed | None:
    """One 8-K's record; None when it reports none of the deal items; Skipped when a value is
    not what EDGAR serves."""
    if not isinstance(items, str):
        return Skipped(f"{cik}:{accession}", f"items {items!r} is not a string")
    deal_items = items_of(items)
    if not deal_items:
        return None
    if not isinstance(accession, str) or not _ACCESSION.match(accession):
        return Skipped(f"{cik}:{accession!r}"[:200], f"accessionNumber {accession!r} is invalid")
    external_id = f"{cik}:{accession}"
    filed_on = _date(filed)
    if filed_on is None:
        return Skipped(external_id, f"filingDate {filed!r} is not a date")
    if not isinstance(primary, str) or not _DOCUMENT.match(primary):
        return Skipped(external_id, f"primaryDocument {primary!r} is not a file name")
    url = filing_url(cik, accession, primary)
    said = "; ".join(f"item {item} ({ITEMS[item]})" for item in deal_items)
    title = f"{company}: {form} of {filed_on.isoformat()}, {said}"
    text = (
        f"{company} (SEC CIK {cik}) filed a Form {form} on {filed_on.isoformat()} "
        f"reporting {said}. "
        f"{_what_to_do(deal_items)} Filing: {url}"
    )
    old = newest is not None and newest - filed_on > RECENT
    return PressRecord(
        external_id=external_id,
        raw={
            "cik": cik,
            "company": company,
            "form": form,
            "items": items,
            "filingDate": filed,
            "accessionNumber": accession,
            "primaryDocument": primary,
        },
        regulator=REGULATOR,
        title=title[:500],
        url=url,
        published_on=filed_on,
        text=text,
        filed_as=(
            f"An 8-K filed over {RECENT.days} days before the company's newest filing: kept, "
            "not queued."
            if old
            else ""
        ),
    )


def _what_to_do(items: tuple[str, ...]) -> str:
    """What attaching the filing to a deal does, in the editor's words."""
    if COMPLETION in items and TERMINATION in items:
        return (
            "It reports both a completion and a termination: attaching it to a deal records it "
            "on the timeline only; set the deal's dates by hand."
        )
    if COMPLETION in items:
        return "Attaching it to a deal sets the deal's completion date to the filing date."
    if TERMINATION in items:
        return "Attaching it to a deal sets the deal's abandonment date to the filing date."
    return "Attaching it to a deal records the agreement on the deal's timeline."


def accepted_dates(raw: object) -> dict[str, datetime.date]:
    """What accepting a stored filing (its raw payload) sets on a deal: {"completed_on": date}
    for a 2.01, {"abandoned_on": date} for a 1.02, nothing for a 1.01 or both at once."""
    if not isinstance(raw, dict):
        return {}
    items = items_of(raw.get("items"))
    filed_on = _date(raw.get("filingDate"))
    if filed_on is None or (COMPLETION in items) == (TERMINATION in items):
        return {}
    return {"completed_on" if COMPLETION in items else "abandoned_on": filed_on}
