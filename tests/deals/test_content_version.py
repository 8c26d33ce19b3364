"""The content version (deals/cache.py) is bumped after the writes it covers (deals/signals.py):
a page rendered at the moment of the bump already shows the change, and is never cached as
current with the old status."""

import pytest
from django.test import Client

from deals import cache
from deals.derived import derived_fields_deferred
from deals.models import Deal, StatusChange
from deals.vocabulary import AntitrustStatus, Stage
from tests.factories import InquiryFactory, cma

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry():
    return InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")


@pytest.fixture
def bumps(monkeypatch):
    """What the database holds of the deal each time the version is bumped."""
    seen: list[tuple[str, int]] = []
    real_bump = cache._bump
    watched: list[Deal] = []

    def bump() -> None:
        for deal in watched:
            status = Deal.objects.values_list("antitrust_status", flat=True).get(pk=deal.pk)
            seen.append((status, StatusChange.objects.filter(deal=deal).count()))
        real_bump()

    monkeypatch.setattr(cache, "_bump", bump)
    return seen, watched


def test_a_save_that_changes_the_status_bumps_after_the_status_and_its_changes_exist(
    inquiry, bumps
):
    seen, watched = bumps
    watched.append(inquiry.deal)
    before = StatusChange.objects.filter(deal=inquiry.deal).count()
    inquiry.stage = Stage.PHASE_2
    inquiry.save()

    changes = StatusChange.objects.filter(deal=inquiry.deal).count()
    assert changes == before + 2  # the overall status, and the CMA's line
    assert seen  # positive control: the save did bump
    assert all(state == (AntitrustStatus.IN_DEPTH_REVIEW, changes) for state in seen), seen


def test_a_page_rendered_when_the_version_is_bumped_is_not_cached_with_the_old_status(
    settings, inquiry, monkeypatch
):
    settings.PAGE_CACHE = True
    deal = inquiry.deal
    url = deal.get_absolute_url()
    assert "In-depth review" not in Client().get(url).text
    rendered = []
    real_bump = cache._bump

    def bump_then_render() -> None:
        real_bump()
        # Another reader loads the page right after the bump, before the save returns.
        rendered.append(Client().get(url).text)

    monkeypatch.setattr(cache, "_bump", bump_then_render)
    inquiry.stage = Stage.PHASE_2
    inquiry.save()
    monkeypatch.setattr(cache, "_bump", real_bump)

    assert rendered  # positive control: the page was rendered at the bump
    assert "In-depth review" in Client().get(url).text


def test_inside_a_deferred_block_the_bump_follows_the_refresh(inquiry, bumps):
    seen, watched = bumps
    watched.append(inquiry.deal)
    with derived_fields_deferred():
        inquiry.stage = Stage.PHASE_2
        inquiry.save()
        assert not seen  # nothing bumped before the block ends
    assert seen and all(state[0] == AntitrustStatus.IN_DEPTH_REVIEW for state in seen), seen
