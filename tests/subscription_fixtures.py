"""Fixtures and helpers shared by the subscription tests (import what a module uses).

`subscriber`: analyst@example.org following a deal (daily) and a company (weekly, decisions
only), beside another subscriber's saved search, for tests of the manage and unsubscribe links.
"""

import pytest

from subscriptions import services
from subscriptions.models import Delivery, DigestRun
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    SubscriberFactory,
    SubscriptionFactory,
)


def subscribers_with_news(count: int) -> list:
    """`count` subscribers, each following a deal of their own that has one new event."""
    subscriptions = SubscriptionFactory.create_batch(count)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal, title=f"News of {subscription.deal.title}")
    return subscriptions


def path(url: str) -> str:
    """An emailed link's path, for the test client."""
    return url[url.index("/subscriptions/") :]


@pytest.fixture
def subscriber():
    subscriber = SubscriberFactory(email="analyst@example.org")
    SubscriptionFactory(subscriber=subscriber, deal=DealFactory(title="Adobe / Figma"))
    SubscriptionFactory(
        subscriber=subscriber,
        kind="company",
        deal=None,
        company=CompanyFactory(name="Microsoft"),
        frequency="weekly",
        event_kinds=["decision"],
    )
    SubscriptionFactory(kind="search", deal=None, search_query="q=figma&status=abandoned")
    return subscriber


def prepared_delivery(*, run: DigestRun, subscriber_id: int) -> Delivery | None:
    """One subscriber's delivery for the run, prepared as digest_run prepares a batch; None
    when nothing is new for them."""
    return services.deliveries_prepare(run=run, subscriber_ids=[subscriber_id]).get(subscriber_id)
