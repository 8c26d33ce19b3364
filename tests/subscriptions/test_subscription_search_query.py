"""One canonical query string (deals.querystring) for saved searches and the deal pages' links:
a search stored by an earlier version is produced again, whichever way it is typed."""

import html

import pytest
from django.http import QueryDict

from deals.filters import DealFilter, InquiryFilter, canonical_query
from deals.querystring import canonical_query as the_definition
from subscriptions.searches import canonical_search
from subscriptions.services import subscription_confirm
from subscriptions.tokens import confirm_token_make
from tests.factories import SubscriptionFactory

# As a saved search's query was stored before it had one definition with the page's links.
STORED = "q=microsoft&status=blocked&status=in_depth_review"
TYPED = [
    "status=in_depth_review&q=microsoft&status=blocked",
    "q=+microsoft+&status=blocked&status=in_depth_review&sort=-announced&page=3",
    "cursor=abc&limit=5&status=blocked&unknown=1&q=microsoft&status=in_depth_review&status=+",
]


@pytest.mark.parametrize("typed", TYPED)
def test_a_search_typed_any_way_is_stored_as_before(typed):
    assert canonical_search(typed) == STORED
    assert canonical_search(QueryDict(typed)) == STORED


def test_the_deal_pages_links_use_the_same_definition(typed=TYPED[1]):
    assert canonical_query(QueryDict(typed)) == STORED
    assert the_definition(typed, DealFilter) == STORED


def test_presentation_keys_and_other_lists_filters_are_left_out():
    assert canonical_search("sort=name&page=2&cursor=x&limit=3") == ""
    assert canonical_search("") == canonical_search(None) == ""
    # Each list keeps its own FilterSet's keys: `stage` is an inquiry filter, not a deal filter.
    assert the_definition("stage=phase_2&sort=deadline", InquiryFilter) == "stage=phase_2"
    assert the_definition("stage=phase_2", DealFilter) == ""


@pytest.mark.django_db
def test_the_deal_list_links_its_feed_with_the_stored_form(client):
    response = client.get(f"/deals/?{TYPED[1]}")
    assert response.status_code == 200
    assert html.escape(f"/deals/feed/?{STORED}") in response.text
    # A parameter the page does not read is no longer dropped but a 400 (deals.querystring).
    assert client.get(f"/deals/?{TYPED[0]}&unknown=1").status_code == 400


@pytest.mark.django_db
def test_asking_again_for_a_stored_search_finds_the_stored_subscription():
    stored = SubscriptionFactory(kind="search", deal=None, search_query=STORED)
    token = confirm_token_make(
        {
            "e": stored.subscriber.email,
            "k": "search",
            "t": None,
            "q": canonical_search(TYPED[0]),
            "f": stored.frequency,
            "ek": [],
        }
    )
    subscription, created = subscription_confirm(token=token)
    assert (subscription.pk, created) == (stored.pk, False)
