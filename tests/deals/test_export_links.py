"""The CSVs' links are the pages' own: the rows build them from a path reversed once
(deals/exports.py Links), not with get_absolute_url for each row, so every demo row is checked
against get_absolute_url."""

import csv
import io

import pytest

from deals import exports
from deals.models import Deal, Inquiry
from tests.factories import InquiryFactory, cma

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_each_deal_row_links_to_its_page(client, demo_world, settings, tmp_path):
    settings.EXPORTS_DIR = str(tmp_path)  # no prebuilt file: the rows are written now
    deals = {d.title: d for d in Deal.objects.published()}
    written = rows(client.get("/deals/export.csv"))
    assert len(written) == len(deals) > 10
    for row in written:
        assert row["url"] == f"http://testserver{deals[row['title']].get_absolute_url()}"


def test_each_inquiry_row_links_to_its_page_with_or_without_a_deal(
    client, demo_world, settings, tmp_path
):
    settings.EXPORTS_DIR = str(tmp_path)
    InquiryFactory(deal=None, regulator=cma(), reference="ME/9999/26")  # on no deal's page
    inquiries = list(Inquiry.objects.public())
    written = rows(client.get("/inquiries/export.csv"))
    assert len(written) == len(inquiries)
    wanted = sorted(f"http://testserver{i.get_absolute_url()}" for i in inquiries)
    assert sorted(row["url"] for row in written) == wanted
    # Both kinds are among them: on a deal's page, and found by reference in the list.
    assert any("#inquiry-" in url for url in wanted)
    assert any("/inquiries/?q=" in url for url in wanted)


def test_the_prebuilt_file_links_from_site_url(demo_world, settings, tmp_path):
    settings.EXPORTS_DIR = str(tmp_path)
    settings.SITE_URL = "https://dealwatch.example.org/anything/"
    exports.full_export_build(exports.DEALS, version=1)
    text = exports.full_export_path(exports.DEALS).read_text()
    urls = [row["url"] for row in csv.DictReader(io.StringIO(text))]
    wanted = [
        f"https://dealwatch.example.org{deal.get_absolute_url()}"
        for deal in exports.DEALS.everything()
    ]
    assert urls == wanted
