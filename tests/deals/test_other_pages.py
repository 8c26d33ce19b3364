"""Inquiries, companies, regulators and deadlines: the other ways into the same facts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.vocabulary import Outcome, PartyRole, Stage
from tests import worlds
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    cma,
    ftc,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def test_deadlines_lists_open_future_deadlines_soonest_first(client):
    later = InquiryFactory(deal=DealFactory(title="Later deal"), deadline_on=days(30))
    sooner = InquiryFactory(deal=DealFactory(title="Sooner deal"), deadline_on=days(3))
    InquiryFactory(deal=DealFactory(title="Past deal"), deadline_on=days(-1))
    InquiryFactory(
        deal=DealFactory(title="Decided deal"), deadline_on=days(5), outcome=Outcome.CLEARED
    )
    response = client.get("/deadlines/")
    assert list(response.context["page"].object_list) == [sooner, later]
    assert [inquiry.deal.title for inquiry in response.context["passed"]] == ["Past deal"]
    assert "Decided deal" not in response.text


def test_deadlines_of_unpublished_deals_stay_hidden(client):
    InquiryFactory(deal=DealFactory(title="Secret deal", is_published=False), deadline_on=days(3))
    assert "Secret deal" not in client.get("/deadlines/").text


def test_inquiry_list_filters_by_regulator_stage_and_text(client):
    phase_2 = InquiryFactory(
        deal=DealFactory(title="Adobe / Figma"), regulator=cma(), stage="phase_2"
    )
    InquiryFactory(deal=DealFactory(title="Amazon / iRobot"), regulator=ftc(), stage="phase_1")
    conduct = InquiryFactory(deal=None, regulator=ftc(), reference="AT.40153", title="E-books MFNs")

    def listed(query):
        return list(client.get(f"/inquiries/?{query}").context["page"].object_list)

    assert listed("regulator=cma") == [phase_2]
    assert listed("stage=phase_2") == [phase_2]
    assert listed("q=figma") == [phase_2]
    assert listed("q=AT.40153") == [conduct]
    assert client.get("/inquiries/?opened_after=2024-02-30").status_code == 200


def test_company_page_lists_its_deals_and_inquiries_and_other_names(client):
    alphabet = worlds.alphabet()
    deal = DealFactory(title="Alphabet / Anthropic")
    PartyFactory(deal=deal, company=alphabet, role=PartyRole.INVESTOR)
    InquiryFactory(deal=deal, regulator=cma(), reference="ME/7117/24", stage=Stage.PHASE_1)
    response = client.get(alphabet.get_absolute_url())
    assert response.status_code == 200
    assert "Also known as Google<" in response.text
    assert "Alphabet / Anthropic" in response.text and "ME/7117/24" in response.text


def test_regulator_page_lists_its_inquiries_and_recent_events(client):
    inquiry = InquiryFactory(deal=DealFactory(title="Broadcom / VMware"), regulator=cma())
    EventFactory(deal=None, inquiry=inquiry, title="Phase 2 final report")
    response = client.get("/regulators/cma/")
    assert "Broadcom / VMware" in response.text and "Phase 2 final report" in response.text
    assert client.get("/regulators/nope/").status_code == 404
    assert "CMA" in client.get("/regulators/").text


def test_company_list_and_unknown_company(client):
    PartyFactory(company=CompanyFactory(name="NVIDIA"))
    assert "NVIDIA" in client.get("/companies/").text
    assert client.get("/companies/nope/").status_code == 404


def test_the_company_list_leaves_out_companies_with_nothing_public(client):
    PartyFactory(company=CompanyFactory(name="Arm Holdings"))
    InquiryFactory(deal=None, title="Conduct case").companies.add(CompanyFactory(name="Qualcomm"))
    PartyFactory(company=CompanyFactory(name="Hidden Buyer"), deal__is_published=False)
    met_in_passing = CompanyFactory(name="SoftBank Group")  # a group parent ingest noted

    listed = client.get("/companies/").text
    assert "Arm Holdings" in listed and "Qualcomm" in listed
    assert "Hidden Buyer" not in listed and "SoftBank Group" not in listed
    assert client.get(met_in_passing.get_absolute_url()).status_code == 200


def test_company_page_runs_the_same_number_of_queries_whatever_its_size(client):
    company = worlds.microsoft()

    def add_deals(number):
        for _ in range(number):
            deal = DealFactory()
            PartyFactory(deal=deal, company=company)
            InquiryFactory(deal=deal, regulator=cma())

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(company.get_absolute_url()).status_code == 200
        return len(queries)

    add_deals(1)
    before = count()
    add_deals(10)
    assert count() == before
