"""`manage.py seed_bench`: the benchmark data set, deterministic and consistent with the rules."""

import datetime

import pytest
from django.core.management import call_command

from deals.derived import refresh_deals, refresh_inquiries
from deals.models import Company, Deal, Event, Inquiry

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


def seed(deals=120, seed=9):
    call_command("seed_bench", deals=deals, seed=seed, today=TODAY, no_progress=True)


def test_it_seeds_the_issues_proportions():
    seed()
    deals = Deal.objects.count()
    assert deals == 120
    assert Company.objects.count() == 180
    assert 2.5 * deals < Inquiry.objects.count() < 3.5 * deals
    assert 8 * deals < Event.objects.count() < 13 * deals  # the 138-event deal weighs at 120
    # The first deal is the big one: Microsoft's, with a 138-event timeline.
    first = Deal.objects.order_by("pk").first()
    assert first.title.startswith("Microsoft / ")
    assert first.timeline().count() == 138


def test_stored_statuses_and_activity_are_what_the_models_compute():
    seed()
    for deal in Deal.objects.prefetch_related("inquiries__regulator"):
        assert deal.compute_antitrust_status(today=TODAY) == deal.antitrust_status, deal
    seeded = {
        "deals": dict(Deal.objects.values_list("pk", "last_activity_on")),
        "inquiries": dict(Inquiry.objects.values_list("pk", "last_activity_on")),
    }
    assert any(seeded["deals"].values()) and any(seeded["inquiries"].values())  # control
    # The path every save takes recomputes the same last activity the seeder stored.
    refresh_inquiries(*seeded["inquiries"])
    refresh_deals(*seeded["deals"])
    assert dict(Deal.objects.values_list("pk", "last_activity_on")) == seeded["deals"]
    assert dict(Inquiry.objects.values_list("pk", "last_activity_on")) == seeded["inquiries"]


def test_the_same_seed_gives_the_same_rows():
    seed(deals=30)
    first = list(Deal.objects.order_by("pk").values_list("title", "antitrust_status"))
    Event.objects.all().delete()
    Inquiry.objects.all().delete()
    Deal.objects.all().delete()
    Company.objects.all().delete()
    seed(deals=30)
    assert list(Deal.objects.order_by("pk").values_list("title", "antitrust_status")) == first


def test_a_seeded_database_is_left_alone(capsys):
    seed(deals=20)
    seed(deals=20)
    assert "nothing to do" in capsys.readouterr().out
    assert Deal.objects.count() == 20


def test_derived_columns_are_what_the_models_store():
    """The columns pages sort and search on: first known date, each regulator's line and the
    search documents, as saving through the models would leave them."""
    from django.apps import apps

    from deals import search

    seed(deals=60)
    deals = list(Deal.objects.prefetch_related("inquiries__regulator"))
    documents = search.deal_documents(apps, [deal.pk for deal in deals])
    for deal in deals:
        assert deal.first_known_on == (deal.announced_on or deal._event_dates()["first"]), deal
        assert deal.stored_states == deal.jurisdiction_states(), deal
        assert deal.search_document == documents[deal.pk], deal
    inquiries = {i.pk: i.search_document for i in Inquiry.objects.all()}
    assert search.inquiry_documents(apps, list(inquiries)) == inquiries
    assert Deal.objects.search("microsoft").exists()
