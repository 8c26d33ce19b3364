"""A company merge tells the apps above deals through two signals (deals/signals.py): what they
would move, for the preview, and the merge itself, inside its transaction."""

import pytest

from deals.company_merge import company_merge, company_merge_preview
from deals.models import Company
from deals.signals import company_merge_counting, company_merging
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    return CompanyFactory(name="Audi AG"), CompanyFactory(name="AUDI Aktiengesellschaft")


@pytest.fixture
def connected():
    """Connect receivers for one test only."""
    done = []

    def connect(signal, receiver):
        signal.connect(receiver, sender=Company, weak=False)
        done.append((signal, receiver))

    yield connect
    for signal, receiver in done:
        signal.disconnect(receiver, sender=Company)


def test_the_preview_sums_what_every_receiver_counts(pair, connected):
    survivor, other = pair
    connected(company_merge_counting, lambda sender, survivor, other, **kw: {"watches": 2})
    connected(
        company_merge_counting,
        lambda sender, survivor, other, **kw: {"watches": 1, "notes": 3},
    )
    connected(company_merge_counting, lambda sender, **kw: None)  # nothing to say

    [row] = company_merge_preview(survivor=survivor, others=[other])
    assert row.company == other
    # subscriptions' own receiver (subscriptions/signals.py) counts too
    assert row.moved_elsewhere == {"subscriptions": 0, "watches": 3, "notes": 3}


def test_with_only_the_installed_apps_the_preview_counts_subscriptions(pair):
    survivor, other = pair
    [row] = company_merge_preview(survivor=survivor, others=[other])
    assert row.moved_elsewhere == {"subscriptions": 0}


def test_the_merge_tells_receivers_before_the_duplicate_is_deleted(pair, connected):
    survivor, other = pair
    seen = []

    def receiver(sender, survivor, other, **kwargs):
        seen.append((survivor.pk, other.pk, Company.objects.filter(pk=other.pk).exists()))

    connected(company_merging, receiver)
    company_merge(survivor=survivor, others=[other])

    assert seen == [(survivor.pk, other.pk, True)]  # the duplicate still existed
    assert not Company.objects.filter(pk=other.pk).exists()


def test_a_receiver_that_fails_rolls_the_whole_merge_back(pair, connected):
    survivor, other = pair

    def receiver(sender, **kwargs):
        raise RuntimeError("cannot move")

    connected(company_merging, receiver)
    with pytest.raises(RuntimeError):
        company_merge(survivor=survivor, others=[other])
    assert Company.objects.filter(pk=other.pk).exists()
