"""What subscriptions do in a company merge: the receivers of deals.signals'
company_merge_counting and company_merging, called as the signals call them."""

import pytest

from deals.models import Company
from subscriptions.models import Subscription
from subscriptions.signals import company_subscriptions_count, company_subscriptions_move
from tests.factories import CompanyFactory, SubscriberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def follows(subscriber, company):
    return SubscriptionFactory(subscriber=subscriber, kind="company", deal=None, company=company)


@pytest.fixture
def companies():
    survivor, duplicate = CompanyFactory(name="Alphabet Inc."), CompanyFactory(name="Alphabet")
    both, only_duplicate = SubscriberFactory(), SubscriberFactory()
    follows(both, survivor)
    follows(both, duplicate)
    follows(only_duplicate, duplicate)
    return survivor, duplicate


def test_the_preview_counts_the_duplicates_subscriptions(companies):
    survivor, duplicate = companies
    assert company_subscriptions_count(Company, survivor=survivor, other=duplicate) == {
        "subscriptions": 2
    }
    assert company_subscriptions_count(Company, survivor=duplicate, other=survivor) == {
        "subscriptions": 1
    }
    assert company_subscriptions_count(Company, survivor=survivor, other=CompanyFactory()) == {
        "subscriptions": 0
    }


def test_merging_moves_subscriptions_and_drops_the_double_of_one_already_following(companies):
    survivor, duplicate = companies
    company_subscriptions_move(Company, survivor=survivor, other=duplicate)
    assert not Subscription.objects.filter(company=duplicate).exists()
    moved = Subscription.objects.filter(company=survivor)
    assert moved.count() == 2  # one per subscriber: the double was dropped
    assert len({s.subscriber_id for s in moved}) == 2
