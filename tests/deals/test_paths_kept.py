"""A deal's, a company's and a regulator's address is reverse()'s, kept per URL configuration
and script prefix (deals.models.path_of): served under another prefix, it says so."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from deals.models import Regulator
from tests.factories import CompanyFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_each_address_is_reverses_under_the_prefix_in_force():
    deal = DealFactory(title="Adobe / Figma")
    company = CompanyFactory(name="Figma")
    regulator = Regulator.objects.get(slug="ec")
    expected = [
        reverse("deals:deal_detail", args=[deal.slug]),
        reverse("deals:company_detail", args=[company.slug]),
        reverse("deals:regulator_detail", args=[regulator.slug]),
    ]
    urls = lambda: [x.get_absolute_url() for x in (deal, company, regulator)]  # noqa: E731
    assert urls() == expected
    assert urls() == expected  # asked again: kept, the same
    try:
        set_script_prefix("/mirror/")
        assert urls() == [f"/mirror{url}" for url in expected]
    finally:
        set_script_prefix("/")
    assert urls() == expected


@pytest.mark.parametrize("slug", ["slugStandIn", "a_b-9", "x-slugStandIn-y"])
def test_a_slug_put_into_the_path_gives_what_reverse_gives(slug):
    # The path is reversed once around a stand-in slug and each slug put in its place.
    deal = DealFactory(slug=slug)
    other = DealFactory(slug="other-deal")
    try:
        for prefix in ("/", "/dealwatch/"):
            set_script_prefix(prefix)
            assert deal.get_absolute_url() == reverse("deals:deal_detail", args=[slug])
            assert deal.get_absolute_url().startswith(f"{prefix}deals/")
    finally:
        set_script_prefix("/")
    assert deal.get_absolute_url() != other.get_absolute_url()  # the control


def test_a_slug_of_other_characters_is_refused_as_reverse_refuses_it():
    deal = DealFactory(slug="café-münchen")  # not what the <slug:> converter matches

    with pytest.raises(NoReverseMatch):
        reverse("deals:deal_detail", args=[deal.slug])
    with pytest.raises(NoReverseMatch):
        deal.get_absolute_url()
