"""Computed values written to many rows: at once, or once per row for a whole block (an ingest
batch's refresh), and a new search document searchable with its own words at once."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deals import row_writes
from deals.models import Deal, Inquiry
from deals.search import store_documents
from tests.factories import DealFactory, InquiryFactory

pytestmark = pytest.mark.django_db


def updates(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{table}"')]


def test_a_block_writes_each_row_once_with_everything_it_was_given():
    inquiries = InquiryFactory.create_batch(3)
    pks = [inquiry.pk for inquiry in inquiries]

    with CaptureQueriesContext(connection) as queries, row_writes.writes_together():
        row_writes.rows_write(Inquiry, {pk: {"title": f"Case {pk}"} for pk in pks})
        row_writes.rows_write(Inquiry, {pk: {"summary": "Looked at"} for pk in pks})
        row_writes.rows_write(Inquiry, {pks[0]: {"title": "Renamed"}})
        assert updates(queries, "deals_inquiry") == []  # nothing yet, inside the block

    assert len(updates(queries, "deals_inquiry")) == 1
    stored = dict(Inquiry.objects.filter(pk__in=pks).values_list("pk", "title"))
    assert stored == {pks[0]: "Renamed", pks[1]: f"Case {pks[1]}", pks[2]: f"Case {pks[2]}"}
    assert set(Inquiry.objects.filter(pk__in=pks).values_list("summary", flat=True)) == {
        "Looked at"
    }


def test_outside_a_block_the_values_are_written_at_once():
    inquiry = InquiryFactory()

    row_writes.rows_write(Inquiry, {inquiry.pk: {"title": "Written now"}})

    assert Inquiry.objects.get(pk=inquiry.pk).title == "Written now"
    assert not row_writes.collecting()


def test_a_flush_writes_what_was_collected_before_it_is_read_back():
    inquiry = InquiryFactory(title="Before")

    with row_writes.writes_together():
        row_writes.rows_write(Inquiry, {inquiry.pk: {"title": "After"}})
        assert Inquiry.objects.get(pk=inquiry.pk).title == "Before"  # a positive control
        row_writes.flush()
        assert Inquiry.objects.get(pk=inquiry.pk).title == "After"


def test_a_block_that_fails_writes_nothing():
    inquiry = InquiryFactory(title="Kept")

    with pytest.raises(RuntimeError), transaction.atomic(), row_writes.writes_together():
        row_writes.rows_write(Inquiry, {inquiry.pk: {"title": "Lost"}})
        raise RuntimeError

    assert Inquiry.objects.get(pk=inquiry.pk).title == "Kept"
    assert not row_writes.collecting()


def test_a_stored_document_is_searched_by_its_new_words_not_its_old_ones():
    deal = DealFactory(title="Zebra Holdings buys Quagga")
    assert list(Deal.objects.search("zebra")) == [deal]  # a positive control

    with row_writes.writes_together():
        store_documents(Deal, {deal.pk: " okapi group | | | "})

    assert list(Deal.objects.search("okapi")) == [deal]
    assert list(Deal.objects.search("zebra")) == []


def test_rows_inserted_in_bulk_are_what_bulk_create_writes_with_their_ids_and_history():
    from deals.history import history_insert
    from ingest.models import RawRecord

    payload = {"title": 'Tab\there, a quote " and a backslash \\', "n": [1, None], "é": True}
    made = [
        RawRecord(source="ec", external_id=f"AT.{n}", payload=payload, title=f"Case\n{n}")
        for n in range(3)
    ]
    like = [
        RawRecord(source="ec", external_id=f"AT.{n}", payload=payload, title=f"Case\n{n}")
        for n in range(3, 6)
    ]
    row_writes.rows_insert(RawRecord, made)
    RawRecord.objects.bulk_create(like)
    deals = DealFactory.build_batch(2)
    for n, deal in enumerate(deals):
        deal.slug = f"copied-{n}"  # save() would give it one
    row_writes.rows_insert(Deal, deals)
    history_ids = history_insert(Deal, deals, default_change_reason=None, ids=True)

    assert [raw.pk for raw in made] == sorted(raw.pk for raw in made)  # in order, as inserted
    fields = ["source", "payload", "content_hash", "review_status", "summary"]
    stored = {r.external_id: r for r in RawRecord.objects.all()}
    for ours, theirs in zip(made, like, strict=True):
        ours_row, theirs_row = stored[ours.external_id], stored[theirs.external_id]
        assert ours_row.pk == ours.pk
        assert [getattr(ours_row, f) for f in fields] == [getattr(theirs_row, f) for f in fields]
    assert stored["AT.0"].payload == payload and stored["AT.0"].title == "Case\n0"
    history = Deal.history.filter(history_id__in=history_ids).order_by("history_id")
    assert [(h.id, h.title, h.history_type) for h in history] == [
        (deal.pk, deal.title, "+") for deal in deals
    ]
