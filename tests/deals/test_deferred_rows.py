"""Rows read with some columns deferred (Labelled.from_db) are the rows Django would make: each
read value where it belongs, each deferred one read from the database when asked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Deal, Inquiry
from tests.factories import DealFactory, InquiryFactory

pytestmark = pytest.mark.django_db


def test_two_queries_deferring_different_columns_each_get_their_own_values():
    deal = DealFactory(title="Adobe / Figma", sector="Design software")
    InquiryFactory(deal=deal, reference="M.10000", title="Adobe / Figma (EC)")
    # Alternate rows of two queries that read different columns, as two lists interleaved.
    titles = Deal.objects.only("title").iterator(chunk_size=1)
    sectors = Deal.objects.only("sector", "slug").iterator(chunk_size=1)
    by_title, by_sector = next(titles), next(sectors)
    assert by_title.title == "Adobe / Figma"
    assert by_sector.sector == "Design software"
    assert by_sector.slug == deal.slug
    assert "sector" in by_title.get_deferred_fields()
    assert "title" in by_sector.get_deferred_fields()
    # A deferred column is read when asked (one query), and has its stored value.
    with CaptureQueriesContext(connection) as queries:
        assert by_title.sector == "Design software"
    assert len(queries) == 1
    # The positive control: a read column costs no query.
    with CaptureQueriesContext(connection) as queries:
        assert by_sector.slug == deal.slug
    assert len(queries) == 0


def test_a_row_and_the_row_it_joins_each_get_their_own_columns():
    deal = DealFactory(title="Microsoft / Activision", sector="Games")
    InquiryFactory(deal=deal, reference="ME/7108", title="Microsoft / Activision (CMA)")
    inquiry = Inquiry.objects.select_related("deal").defer("summary", "deal__sector").get(deal=deal)
    assert (inquiry.reference, inquiry.title) == ("ME/7108", "Microsoft / Activision (CMA)")
    assert inquiry.deal.title == "Microsoft / Activision"
    assert inquiry.get_deferred_fields() >= {"summary"}
    assert inquiry.deal.get_deferred_fields() == {"sector"}
    assert inquiry.deal.sector == "Games"
