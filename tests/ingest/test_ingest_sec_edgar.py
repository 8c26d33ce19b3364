"""SEC EDGAR: a company's 8-Ks (items 2.01, 1.01, 1.02) become review-queue suggestions on its
open deals, never applied on their own; the SEC's fair access (User-Agent, 10 requests a second)
in the fetcher; hostile input refused or skipped with nothing stored changed. Never the network."""

import datetime
import io
import json

import httpx
import pytest
import respx
from django.core.management import CommandError, call_command

from deals.models import Company, Deal, Event
from ingest.models import IngestRun, RawRecord, ReviewItem, ReviewStatus
from ingest.pipeline import ingest_run
from ingest.sources import get_source, sec_edgar
from ingest.sources.base import (
    FetchError,
    FetchPolicy,
    PressRecord,
    RateLimit,
    RefusedDocument,
    Skipped,
    fetch_url,
)
from tests import FIXTURE_DIR
from tests.factories import CompanyFactory, DealFactory, PartyFactory

pytestmark = pytest.mark.django_db

SAMPLE = FIXTURE_DIR / "sec" / "submissions_CIK0000717423.json"
CIK = "0000717423"
COMPLETION = f"{CIK}:0000717423-19-000039"  # 2019-07-12, items 2.01,8.01,9.01
URL = (
    "https://www.sec.gov/Archives/edgar/data/717423/000071742319000039/a8-kclosingmalaysiasale.htm"
)
AGENT = "Dealwatch test admin@example.org"


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def document() -> dict:
    return json.loads(SAMPLE.read_bytes())


def as_of(day: str) -> bytes:
    """The real document as EDGAR served it on `day`: the filings after it taken out of every
    column (the newest filing first, as served)."""
    data = document()
    recent = data["filings"]["recent"]
    start = next(n for n, filed in enumerate(recent["filingDate"]) if filed <= day)
    data["filings"]["recent"] = {name: column[start:] for name, column in recent.items()}
    return json.dumps(data).encode()


def everything() -> tuple:
    """What is stored, to compare before and after a run that must change nothing."""
    records = sorted(
        RawRecord.objects.values_list(
            "external_id", "content_hash", "review_status", "review_note", "suggested"
        )
    )
    deals = sorted(Deal.objects.values_list("pk", "completed_on", "abandoned_on"))
    return records, deals, Event.objects.count(), Company.objects.count()


@pytest.fixture
def murphy():
    """Murphy Oil, carrying its CIK (unpadded, as an editor may type it), with an open deal, a
    completed one and an abandoned one; and a deal of another company."""
    company = CompanyFactory(name="Murphy Oil Corporation", cik="717423")
    open_deal = DealFactory(title="Murphy Oil / Malaysian assets", announced_on=None)
    PartyFactory(deal=open_deal, company=company, role="acquirer")
    done = DealFactory(title="Murphy Oil / Done", completed_on=datetime.date(2018, 1, 1))
    PartyFactory(deal=done, company=company, role="acquirer")
    dropped = DealFactory(title="Murphy Oil / Dropped", abandoned_on=datetime.date(2018, 1, 1))
    PartyFactory(deal=dropped, company=company, role="target")
    other = DealFactory(title="Someone / Else")
    PartyFactory(deal=other, company=CompanyFactory(name="Someone Else Inc", cik="320193"))
    return company, open_deal


# --- The parser (pure) ---------------------------------------------------------------------


def test_the_parser_keeps_only_the_8ks_with_a_deal_item_of_the_real_sample():
    records = sec_edgar.parse(SAMPLE.read_bytes())

    recent = document()["filings"]["recent"]
    assert recent["form"].count("8-K") == 131
    assert len(records) == 16 and all(isinstance(r, PressRecord) for r in records)
    assert len({r.external_id for r in records}) == 16
    first = records[0]
    assert first.external_id == COMPLETION
    assert first.url == URL
    assert first.published_on == datetime.date(2019, 7, 12)
    assert first.title == (
        "MURPHY OIL CORP: 8-K of 2019-07-12, item 2.01 (completion of an acquisition or "
        "disposition of assets)"
    )
    assert first.raw["items"] == "2.01,8.01,9.01" and first.raw["cik"] == CIK
    every_items = {tuple(sec_edgar.items_of(r.raw["items"])) for r in records}
    assert every_items == {("2.01",), ("1.01", "2.01"), ("1.01",), ("1.01", "1.02", "2.01")}
    # The newest filing in the file is of 2022: each of these 8-Ks is over a year older.
    assert all(r.filed_as for r in records)


def test_a_filing_within_a_year_of_the_newest_is_for_the_queue():
    records = sec_edgar.parse(as_of("2019-07-12"))

    queued = [r.published_on.isoformat() for r in records if not r.filed_as]
    assert queued == ["2019-07-12", "2019-06-05", "2019-04-23", "2019-03-21", "2018-12-03",
                      "2018-10-11"]  # fmt: skip


def test_what_accepting_sets_follows_the_items():
    filed = {"filingDate": "2019-07-12"}
    assert sec_edgar.accepted_dates({**filed, "items": "2.01,9.01"}) == {
        "completed_on": datetime.date(2019, 7, 12)
    }
    assert sec_edgar.accepted_dates({**filed, "items": "1.02"}) == {
        "abandoned_on": datetime.date(2019, 7, 12)
    }
    assert sec_edgar.accepted_dates({**filed, "items": "1.01,9.01"}) == {}
    assert sec_edgar.accepted_dates({**filed, "items": "1.02,2.01"}) == {}
    assert sec_edgar.accepted_dates("junk") == {}


def test_a_cik_is_ten_zero_padded_digits_or_nothing():
    assert sec_edgar.cik_digits("717423") == CIK
    assert sec_edgar.cik_digits(717423) == CIK
    assert sec_edgar.submissions_url("717423") == (
        "https://data.sec.gov/submissions/CIK0000717423.json"
    )
    for bad in ("", "0", "abc", "12345678901", "７１７", None, True, 7.5, "../x"):
        assert sec_edgar.cik_digits(bad) == ""


def test_the_source_is_registered():
    assert get_source("sec-edgar") is sec_edgar
    assert {"data.sec.gov"} == set(sec_edgar.HOSTS)


# --- The command: twice, the second run changes nothing -------------------------------------


def test_the_command_run_twice_on_the_sample_changes_nothing_the_second_time(murphy):
    first = ingest("sec-edgar", "--from-file", str(SAMPLE))
    stored = everything()
    second = ingest("sec-edgar", "--from-file", str(SAMPLE))

    assert first == "source=sec-edgar records=16 new=16 changed=0 unchanged=0 skipped=0 errors=0"
    assert second == "source=sec-edgar records=16 new=0 changed=0 unchanged=16 skipped=0 errors=0"
    assert everything() == stored
    # Years old: kept and filed with the reason, none in the queue, nothing applied.
    assert set(RawRecord.objects.values_list("review_status", flat=True)) == {ReviewStatus.FILED}
    assert not ReviewItem.objects.exists()
    assert not Event.objects.exists()


def test_new_8ks_become_suggestions_on_the_companys_open_deals_only(murphy, tmp_path):
    company, open_deal = murphy
    snapshot = tmp_path / "as-of-2019-07-12.json"
    snapshot.write_bytes(as_of("2019-07-12"))

    line = ingest("sec-edgar", "--from-file", str(snapshot))

    assert "new=16" in line and "skipped=0 errors=0" in line
    items = ReviewItem.objects.filter(source="sec-edgar")
    assert items.count() == 6
    item = items.get(external_id=COMPLETION)
    assert item.url == URL
    from ingest.pipeline.review import suggestions_explained

    [(deal, reason)] = suggestions_explained(record=item)
    assert deal == open_deal  # not the completed, abandoned or other company's deals
    assert reason == (
        "8-K item 2.01 by Murphy Oil Corporation, a party to this open deal: attaching it sets "
        "the deal's completion date to 2019-07-12."
    )
    # Never applied on their own.
    open_deal.refresh_from_db()
    assert open_deal.completed_on is None and open_deal.abandoned_on is None
    assert not Event.objects.exists()


def test_the_same_filing_is_never_suggested_twice(murphy, tmp_path, client, editor):
    _, open_deal = murphy
    snapshot = tmp_path / "as-of-2019-07-12.json"
    snapshot.write_bytes(as_of("2019-07-12"))
    ingest("sec-edgar", "--from-file", str(snapshot))
    item = ReviewItem.objects.get(external_id=COMPLETION)
    client.post(f"/admin/ingest/reviewitem/{item.pk}/change/", {"decision": "dismiss"})
    queued = set(ReviewItem.objects.values_list("external_id", flat=True))

    # Again, then a later document that still lists the same filings: nothing queued again.
    again = ingest("sec-edgar", "--from-file", str(snapshot))
    later = ingest("sec-edgar", "--from-file", str(SAMPLE))

    assert "new=0 changed=0 unchanged=16" in again
    assert "new=0 changed=0 unchanged=16" in later
    assert set(ReviewItem.objects.values_list("external_id", flat=True)) == queued
    assert COMPLETION not in queued
    assert RawRecord.objects.filter(source="sec-edgar").count() == 16


def test_an_editor_accepting_a_completion_sets_the_deals_completion_date(
    murphy, tmp_path, client, editor
):
    _, open_deal = murphy
    snapshot = tmp_path / "as-of-2019-07-12.json"
    snapshot.write_bytes(as_of("2019-07-12"))
    ingest("sec-edgar", "--from-file", str(snapshot))
    item = ReviewItem.objects.get(external_id=COMPLETION)
    review_url = f"/admin/ingest/reviewitem/{item.pk}/change/"

    queue = client.get("/admin/ingest/reviewitem/")
    assert review_url in queue.text and "Murphy Oil / Malaysian assets" in queue.text
    page = client.get(review_url)
    assert "Murphy Oil / Malaysian assets" in page.text
    assert "sets the deal&#x27;s completion date to 2019-07-12" in page.text
    assert "Murphy Oil / Done" not in page.text
    client.post(review_url, {"decision": "attach_deal", "deal": open_deal.pk})

    open_deal.refresh_from_db()
    assert open_deal.completed_on == datetime.date(2019, 7, 12)
    assert open_deal.abandoned_on is None
    event = Event.objects.get(deal=open_deal)
    assert event.source_url == URL
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.ATTACHED
    assert item.mapped["accepted"] == {"completed_on": "2019-07-12"}
    # Accepted once: the same file again changes nothing.
    stored = everything()
    ingest("sec-edgar", "--from-file", str(snapshot))
    assert everything() == stored


def test_accepting_a_termination_sets_the_abandonment_and_keeps_an_editors_date(
    murphy, tmp_path, client, editor
):
    _, open_deal = murphy
    data = json.loads(as_of("2019-07-12"))
    data["filings"]["recent"]["items"][0] = "1.02,9.01"  # the 2019-07-12 8-K as a termination
    snapshot = tmp_path / "termination.json"
    snapshot.write_text(json.dumps(data))
    ingest("sec-edgar", "--from-file", str(snapshot))
    item = ReviewItem.objects.get(external_id=COMPLETION)
    client.post(
        f"/admin/ingest/reviewitem/{item.pk}/change/",
        {"decision": "attach_deal", "deal": open_deal.pk},
    )
    open_deal.refresh_from_db()
    assert open_deal.abandoned_on == datetime.date(2019, 7, 12)
    assert open_deal.completed_on is None

    # A second filing attached to a deal that already has its date leaves the date alone.
    other = ReviewItem.objects.get(external_id=f"{CIK}:0000950103-19-007811")  # 1.01,2.01
    open_deal.completed_on = datetime.date(2019, 6, 1)
    open_deal.abandoned_on = None
    open_deal.save()
    client.post(
        f"/admin/ingest/reviewitem/{other.pk}/change/",
        {"decision": "attach_deal", "deal": open_deal.pk},
    )
    open_deal.refresh_from_db()
    assert open_deal.completed_on == datetime.date(2019, 6, 1)


# --- Fair access: the declared User-Agent and 10 requests a second --------------------------


def test_the_source_refuses_to_fetch_without_a_declared_user_agent(settings, murphy):
    settings.SEC_USER_AGENT = ""
    with pytest.raises(FetchError, match="set SEC_USER_AGENT"):
        sec_edgar.user_agent()
    settings.SEC_USER_AGENT = "Dealwatch"  # no contact address
    with pytest.raises(FetchError, match="contact address"):
        ingest_run(source="sec-edgar")

    run = IngestRun.objects.get(source="sec-edgar")
    assert "refuses to run: set SEC_USER_AGENT" in run.error
    assert not RawRecord.objects.exists()


def test_the_fetch_sends_the_declared_user_agent_for_each_company_with_a_cik(
    settings, murphy, monkeypatch
):
    settings.SEC_USER_AGENT = AGENT
    CompanyFactory(name="No CIK")
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["user-agent"]))
        return httpx.Response(200, content=SAMPLE.read_bytes())

    clock = FakeClock()
    monkeypatch.setattr(sec_edgar, "RATE_LIMIT", RateLimit(10, clock=clock, sleep=clock.sleep))
    policy = FetchPolicy(hosts=sec_edgar.HOSTS, max_bytes=1024 * 1024)
    with respx.mock() as mock, httpx.Client() as client:
        mock.route(host="data.sec.gov").mock(side_effect=answer)
        documents = sec_edgar.fetch(client=client, policy=policy)

    assert seen == [
        ("https://data.sec.gov/submissions/CIK0000320193.json", AGENT),
        ("https://data.sec.gov/submissions/CIK0000717423.json", AGENT),
    ]
    assert documents == [SAMPLE.read_bytes()] * 2


class FakeClock:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_at_most_ten_requests_a_second_to_the_sec(monkeypatch, settings):
    settings.SEC_USER_AGENT = AGENT
    clock = FakeClock()
    monkeypatch.setattr(sec_edgar, "RATE_LIMIT", RateLimit(10, clock=clock, sleep=clock.sleep))
    sent: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return httpx.Response(200, content=b"{}")

    ciks = [str(n) for n in range(1, 26)]
    policy = FetchPolicy(hosts=sec_edgar.HOSTS)
    with respx.mock() as mock, httpx.Client() as client:
        mock.route(host="data.sec.gov").mock(side_effect=answer)
        sec_edgar.fetch(client=client, policy=policy, ciks=ciks)

    assert len(sent) == 25
    assert all(b - a >= 0.1 - 1e-9 for a, b in zip(sent, sent[1:], strict=False))
    assert max(sum(t <= s < t + 1 for s in sent) for t in sent) == 10
    assert sent[-1] - sent[0] == pytest.approx(2.4)


def test_the_limit_is_per_host_and_waits_only_when_too_soon():
    clock = FakeClock()
    limit = RateLimit(10, clock=clock, sleep=clock.sleep)
    limit.wait("data.sec.gov")
    limit.wait("www.ftc.gov")  # another host: its own turn, no wait
    assert clock.slept == []
    limit.wait("data.sec.gov")
    assert clock.slept == [pytest.approx(0.1)]
    clock.now += 5  # long after: at once
    limit.wait("data.sec.gov")
    assert clock.slept == [pytest.approx(0.1)]


def test_a_redirect_waits_for_its_turn_too():
    clock = FakeClock()
    policy = FetchPolicy(
        hosts=sec_edgar.HOSTS, rate_limit=RateLimit(10, clock=clock, sleep=clock.sleep)
    )
    first = "https://data.sec.gov/submissions/CIK0000000001.json"

    def answer(request: httpx.Request) -> httpx.Response:
        if str(request.url) == first:
            return httpx.Response(301, headers={"Location": "/submissions/moved.json"})
        return httpx.Response(200, content=b"{}")

    with respx.mock() as mock, httpx.Client() as client:
        mock.route(host="data.sec.gov").mock(side_effect=answer)
        fetch_url(first, client=client, policy=policy)
    assert clock.slept == [pytest.approx(0.1)]


# --- Hostile and broken input --------------------------------------------------------------


@pytest.fixture
def stored(murphy):
    ingest("sec-edgar", "--from-file", str(SAMPLE))
    return everything()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("truncated", SAMPLE.read_bytes()[:50_000], "not a JSON document"),
        ("a list", b"[1, 2]", "not a JSON object"),
        ("no cik", json.dumps({"filings": {"recent": {}}}).encode(), "cik None"),
        ("a bad cik", json.dumps({"cik": "x1", "filings": {}}).encode(), "cik 'x1'"),
        ("no filings", json.dumps({"cik": "717423"}).encode(), "no filings.recent"),
    ],
)
def test_a_document_that_is_no_submissions_file_is_refused(
    stored, tmp_path, name, content, message
):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        ingest("sec-edgar", "--from-file", str(path))
    assert everything() == stored


def test_columns_of_different_lengths_refuse_the_document(stored, tmp_path):
    data = document()
    data["filings"]["recent"]["items"].pop(3)  # every item after it would be the next filing's
    path = tmp_path / "shifted.json"
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError, match="columns of different lengths .*items 1004"):
        ingest("sec-edgar", "--from-file", str(path))
    assert everything() == stored
    with pytest.raises(RefusedDocument, match="cannot be told apart"):
        sec_edgar.parse(path.read_bytes())


def test_a_column_that_is_not_a_list_refuses_the_document():
    data = document()
    data["filings"]["recent"]["form"] = "8-K"
    with pytest.raises(RefusedDocument, match="filings.recent.form is missing or not a list"):
        sec_edgar.parse(json.dumps(data).encode())


def test_values_of_the_wrong_type_skip_their_filing_only(stored, tmp_path):
    data = as_of_dict("2019-07-12")
    recent = data["filings"]["recent"]
    forms = [n for n, form in enumerate(recent["form"]) if form == "8-K"]
    deal_8ks = [n for n in forms if sec_edgar.items_of(recent["items"][n])]
    recent["items"][forms[-1]] = 201  # not a string
    recent["filingDate"][deal_8ks[0]] = None
    recent["accessionNumber"][deal_8ks[1]] = ["0000717423-19-000039"]
    recent["primaryDocument"][deal_8ks[2]] = "../../../etc/passwd"
    path = tmp_path / "wrong-types.json"
    path.write_text(json.dumps(data))

    parsed = sec_edgar.parse(path.read_bytes())
    skipped = [r for r in parsed if isinstance(r, Skipped)]
    assert sorted(s.reason.split(" ")[0] for s in skipped) == [
        "accessionNumber",
        "filingDate",
        "items",
        "primaryDocument",
    ]
    line = ingest("sec-edgar", "--from-file", str(path))
    assert "skipped=4 errors=0" in line
    # The skipped filings' stored records are left as they were; the others are unchanged.
    assert "new=0 changed=0 unchanged=12" in line
    assert everything() == stored


def as_of_dict(day: str) -> dict:
    return json.loads(as_of(day))


def test_a_one_gib_stream_is_refused_at_the_size_limit_and_nothing_is_stored(
    stored, settings, monkeypatch
):
    settings.SEC_USER_AGENT = AGENT
    clock = FakeClock()
    monkeypatch.setattr(sec_edgar, "RATE_LIMIT", RateLimit(10, clock=clock, sleep=clock.sleep))
    read = []

    class GiB(httpx.SyncByteStream):
        def __iter__(self):
            chunk = b" " * (1024 * 1024)
            for _ in range(1024):  # 1 GiB, made lazily: only what the fetcher reads is made
                read.append(len(chunk))
                yield chunk

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=GiB())

    policy = FetchPolicy(hosts=sec_edgar.HOSTS, max_bytes=4 * 1024 * 1024)
    with respx.mock() as mock, httpx.Client() as client:
        mock.route(host="data.sec.gov").mock(side_effect=answer)
        with pytest.raises(FetchError, match="larger than 4194304 bytes; refused"):
            sec_edgar.fetch(client=client, policy=policy)
    assert sum(read) <= 6 * 1024 * 1024
    assert everything() == stored


# --- The company admin ---------------------------------------------------------------------


def test_the_company_admin_shows_edits_and_finds_the_cik(admin_client):
    company = CompanyFactory(name="Murphy Oil Corporation", cik="717423")
    url = f"/admin/deals/company/{company.pk}/change/"
    page = admin_client.get(url)
    assert 'name="cik"' in page.text and 'value="717423"' in page.text

    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": company.name,
            "slug": company.slug,
            "cik": "0000717423",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        }
    )
    data.pop("parent", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert company.cik == "0000717423"
    found = admin_client.get("/admin/deals/company/", {"q": "0000717423"})
    assert "Murphy Oil Corporation" in found.text
