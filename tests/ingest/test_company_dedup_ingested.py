"""The done test of issue 10: after the demo and every real sample, no company is another's
duplicate under a different spelling of its legal form."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from deals.models import Company
from deals.names import fold, name_key
from tests.ingest_samples import samples

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SAMPLES = samples()


@pytest.fixture(scope="module")
def ingested(django_db_setup, django_db_blocker):
    """The demo and every sample, ingested once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        for source, path in SAMPLES:
            call_command("ingest", source, "--from-file", str(path), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_no_two_companies_differ_only_by_case_punctuation_or_legal_form(ingested):
    keys = Counter(Company.objects.values_list("name_key", flat=True))
    assert [key for key, count in keys.items() if count > 1] == []
    folded = Counter(fold(name) for name in Company.objects.values_list("name", flat=True))
    assert [name for name, count in folded.items() if count > 1] == []


def test_audi_and_akzo_nobel_are_one_company_each_whatever_the_legal_form(ingested):
    for spellings in (
        ["Audi AG", "Audi Aktiengesellschaft"],
        ["Akzo Nobel AB", "Akzo Nobel BV", "Akzo Nobel NV", "Akzo Nobel N.V."],
    ):
        found = {c.pk for name in spellings for c in Company.objects.matching_name(name)}
        assert len(found) <= 1, spellings
        assert len({name_key(name) for name in spellings}) == 1


def test_microsoft_europe_sits_under_microsoft(ingested, client):
    europe = Company.objects.get(name_key="microsoft europe")
    assert europe.parent.slug == "microsoft"
    assert "AT.37792" in client.get("/companies/microsoft/").text
