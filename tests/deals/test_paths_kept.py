"""A deal's, a company's and a regulator's address is reverse()'s, kept per URL configuration
and script prefix (deals.models.path_of): served under another prefix, it says so."""

import pytest
from django.urls import reverse, set_script_prefix

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
