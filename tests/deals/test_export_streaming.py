"""The CSVs stream, whatever their length; the unfiltered ones are prebuilt files, served from
disk while they exist (deals/exports.py)."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals import exports
from deals.models import Inquiry
from deals.tasks import refresh_full_exports
from tests.factories import CompanyFactory, DealFactory, InquiryFactory, PartyFactory, cma

pytestmark = pytest.mark.django_db


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
    settings.EXPORTS_EVERY_MINUTES = 10
    settings.SITE_URL = "http://testserver"  # the file's links, as the streamed CSV's
    return settings.EXPORTS_DIR


@pytest.fixture
def figma():
    deal = DealFactory(title="Adobe / Figma", announced_on=datetime.date(2022, 9, 15))
    PartyFactory(deal=deal, company=CompanyFactory(name="Adobe"), role="acquirer")
    InquiryFactory(
        deal=deal, regulator=cma(), reference="ME/7021/23", stage="closed", outcome="abandoned"
    )
    return deal


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


def later(minutes: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


# --- Streaming ---------------------------------------------------------------------------------


def test_the_deal_csv_streams_each_deal_with_its_parties_and_reviews(client, exports_dir, figma):
    response = client.get("/deals/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert not isinstance(response, FileResponse)  # no file built yet: from the database
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dealwatch-deals.csv"'
    (row,) = rows(response)
    assert list(row) == exports.DEAL_COLUMNS
    assert row["title"] == "Adobe / Figma" and row["announced_on"] == "2022-09-15"
    assert row["parties"] == "Adobe (Acquirer)"
    assert row["regulators"] == "CMA" and row["jurisdictions"] == "CMA: Abandoned (ME/7021/23)"
    assert row["url"] == f"http://testserver{figma.get_absolute_url()}"


def test_the_inquiry_csv_streams_each_inquiry_with_its_deal(client, exports_dir, figma):
    response = client.get("/inquiries/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="dealwatch-inquiries.csv"'
    (row,) = rows(response)
    assert list(row) == exports.INQUIRY_COLUMNS
    assert (row["regulator"], row["reference"], row["deal"]) == ("CMA", "ME/7021/23", figma.title)
    assert row["outcome"] == "Abandoned"


def test_a_filtered_csv_streams_only_the_rows_of_its_filters(client, exports_dir, figma):
    DealFactory(title="Other / Deal")
    response = client.get("/deals/export.csv?regulator=cma")
    assert isinstance(response, StreamingHttpResponse)
    assert [row["title"] for row in rows(response)] == ["Adobe / Figma"]
    # The control: unfiltered, the other deal is there.
    everything = [row["title"] for row in rows(client.get("/deals/export.csv"))]
    assert sorted(everything) == ["Adobe / Figma", "Other / Deal"]


def test_a_bad_filter_is_a_400_before_any_row_is_streamed(client, exports_dir, figma):
    response = client.get("/deals/export.csv?announced_after=2024-13-45")
    assert response.status_code == 400
    assert not response.streaming and response["Content-Type"].startswith("text/plain")
    assert "announced_after" in response.text and "Adobe / Figma" not in response.text
    # The control: a good date streams the rows.
    good = client.get("/deals/export.csv?announced_after=2020-01-01")
    assert good.status_code == 200 and good.streaming
    assert "Adobe / Figma" in body(good)


def test_a_long_export_reads_the_database_per_chunk_not_per_row(client, exports_dir, monkeypatch):
    monkeypatch.setattr(exports, "FIRST_ROWS", 2)  # read on their own, then chunks of ten
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)

    def queries(deals: int) -> int:
        for n in range(deals - DealFactory._meta.model.objects.count()):
            deal = DealFactory(title=f"Deal {n:02}")
            PartyFactory(deal=deal)
            InquiryFactory(deal=deal, regulator=cma())
            InquiryFactory(deal=deal, regulator=cma())
        with CaptureQueriesContext(connection) as captured:
            assert len(rows(client.get("/deals/export.csv?sort=name"))) == deals
        return len(captured)

    one_chunk_of_one, one_chunk_of_ten = queries(3), queries(12)
    two_chunks = queries(13)
    assert one_chunk_of_one == one_chunk_of_ten  # nine more rows, no more queries
    per_chunk = two_chunks - one_chunk_of_ten
    assert 0 < per_chunk < 10


def test_a_long_inquiry_export_reads_the_database_per_chunk_not_per_row(
    client, exports_dir, monkeypatch
):
    monkeypatch.setattr(exports, "FIRST_ROWS", 2)  # read on their own, then chunks of ten
    monkeypatch.setattr(exports, "CHUNK_ROWS", 10)

    def queries(inquiries: int) -> int:
        for n in range(Inquiry.objects.count(), inquiries):
            deal = DealFactory(title=f"Deal {n:02}") if n % 3 else None  # some on no deal
            InquiryFactory(deal=deal, regulator=cma(), reference=f"ME/{n:02}/24")
        with CaptureQueriesContext(connection) as captured:
            written = rows(client.get("/inquiries/export.csv?sort=opened"))
        assert len(written) == inquiries
        assert all(row["phases"].startswith("phase_1 2024-03-01") for row in written)
        return len(captured)

    one_chunk_of_one, one_chunk_of_ten = queries(3), queries(12)
    two_chunks = queries(13)
    assert one_chunk_of_one == one_chunk_of_ten  # nine more rows, no more queries
    per_chunk = two_chunks - one_chunk_of_ten
    assert 0 < per_chunk < 10


def test_a_long_export_starts_with_a_small_block_read_from_its_first_rows_alone(client):
    for n in range(120):
        DealFactory(title=f"Deal {n:03}")
    response = client.get("/deals/export.csv?sort=name")
    blocks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        first = next(blocks).decode()
    # Sent as soon as it holds 4 KB: the header and the first rows, read before the response
    # began; no further chunk was read for it.
    assert first.startswith("title,") and "Deal 000" in first and "Deal 119" not in first
    assert len(first) < 2 * exports.FIRST_BLOCK_BYTES
    assert len(captured) == 0
    rest = "".join(block.decode() for block in blocks)
    assert "Deal 119" in rest and rest.count("\n") + first.count("\n") == 121


# --- The prebuilt unfiltered files -------------------------------------------------------------


def test_the_unfiltered_csv_is_the_prebuilt_file_once_built(client, exports_dir, figma):
    streamed = body(client.get("/deals/export.csv"))
    streamed_inquiries = body(client.get("/inquiries/export.csv"))

    assert sorted(refresh_full_exports.delay().get()) == sorted(
        path.name for path in exports_dir.glob("*.csv")
    )  # as under `make run`: eager
    response = client.get("/deals/export.csv")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dealwatch-deals.csv"'
    assert response["Last-Modified"] and response["ETag"] and response["X-Export-Built-At"]
    assert body(response) == streamed
    assert body(client.get("/inquiries/export.csv")) == streamed_inquiries

    revalidated = client.get("/deals/export.csv", headers={"if-none-match": response["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated["ETag"] == response["ETag"]
    assert "s-maxage" in revalidated["Cache-Control"] and "public" in response["Cache-Control"]
    # Filtered or sorted, the CSV still streams from the database.
    assert not isinstance(client.get("/deals/export.csv?regulator=cma"), FileResponse)
    assert not isinstance(client.get("/deals/export.csv?sort=name"), FileResponse)
    assert isinstance(client.get("/deals/export.csv?page=3"), FileResponse)  # page is dropped


def test_the_file_is_rebuilt_after_a_change_at_most_every_few_minutes(client, exports_dir, figma):
    assert len(exports.full_exports_refresh()) == 2
    figma.title = "Adobe / Figma (abandoned)"
    figma.save()

    # Up to EXPORTS_EVERY_MINUTES behind: the file still has the old title...
    assert [row["title"] for row in rows(client.get("/deals/export.csv"))] == ["Adobe / Figma"]
    assert exports.full_exports_refresh(now=later(5)) == []  # ...and a run within them waits
    # ...while the streamed (filtered) CSV has the new one.
    assert "Adobe / Figma (abandoned)" in body(client.get("/deals/export.csv?regulator=cma"))

    assert len(exports.full_exports_refresh(now=later(11))) == 2
    assert [row["title"] for row in rows(client.get("/deals/export.csv"))] == [
        "Adobe / Figma (abandoned)"
    ]
    # Nothing changed since: however late, no rebuild.
    assert exports.full_exports_refresh(now=later(60)) == []


def test_without_a_file_the_unfiltered_csv_streams(client, exports_dir, settings, figma):
    exports.full_exports_refresh()
    assert isinstance(client.get("/deals/export.csv"), FileResponse)  # the control

    settings.EXPORTS_DIR = exports_dir.parent / "empty"  # a fresh install
    response = client.get("/deals/export.csv")
    assert not isinstance(response, FileResponse) and response.streaming
    assert [row["title"] for row in rows(response)] == ["Adobe / Figma"]

    settings.EXPORTS_DIR = exports_dir  # prebuilt files turned off: the old one is not served
    settings.EXPORTS_EVERY_MINUTES = 0
    assert not isinstance(client.get("/deals/export.csv"), FileResponse)
    assert exports.full_exports_refresh() == []


def test_a_build_that_fails_leaves_the_old_file_whole(client, exports_dir, figma, monkeypatch):
    exports.full_exports_refresh()
    before = {path.name: path.read_bytes() for path in exports_dir.iterdir()}
    DealFactory(title="Boom / Deal")

    def fails_on_boom(cell: str) -> str:
        if cell == "Boom / Deal":
            raise RuntimeError("the row writer failed")
        return cell

    monkeypatch.setattr(exports, "spreadsheet_safe", fails_on_boom)
    with pytest.raises(RuntimeError):
        exports.full_exports_refresh(now=later(11))
    after = {path.name: path.read_bytes() for path in exports_dir.iterdir()}
    assert after == before  # no partial file, no temporary file left behind
    assert "Boom / Deal" not in body(client.get("/deals/export.csv"))

    monkeypatch.undo()  # the control: the same build succeeds without the failure
    assert len(exports.full_exports_refresh(now=later(11))) == 2
    assert "Boom / Deal" in body(client.get("/deals/export.csv"))


def test_beat_checks_the_files_every_minute():
    from django.conf import settings

    from tracker.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["exports-refresh"]
    assert entry["task"] == "deals.tasks.refresh_full_exports" in app.tasks
    assert entry["schedule"] == settings.CELERY_BEAT_SCHEDULE["exports-refresh"]["schedule"]
    assert "digests-daily" in app.conf.beat_schedule  # the control: the other entries are kept
