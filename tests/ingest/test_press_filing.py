"""Press filing: releases about no deal or case stay out of the queue; those about a known deal
or case are attached to it; the queue's suggestions are computed once, best first."""

import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from deals.models import Event, Inquiry
from ingest.models import RawRecord, ReviewItem, ReviewStatus
from ingest.sources.ftc_press import not_about_a_case
from tests import FIXTURE_DIR
from tests.factories import CompanyFactory, DealFactory, PartyFactory

pytestmark = pytest.mark.django_db

FTC_PRESS = FIXTURE_DIR / "ftc" / "press-release-competition.xml"
NOT_A_CASE = re.compile(
    r"appoint|guideline|threshold|workshop|meeting|accomplishments|staff report|policy statement"
    r"|civil penalty amounts|task force|study",
    re.IGNORECASE,
)


def ingest() -> None:
    call_command("ingest", "ftc-press", "--from-file", str(FTC_PRESS), stdout=io.StringIO())


def deal_between(acquirer: str, target: str):
    deal = DealFactory(title=f"{acquirer} / {target}")
    PartyFactory(deal=deal, company=CompanyFactory(name=acquirer), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name=target), role="target")
    return deal


def test_no_release_about_no_deal_or_case_reaches_the_queue():
    ingest()
    queued = list(ReviewItem.objects.values_list("title", flat=True))
    assert queued and not [title for title in queued if NOT_A_CASE.search(title)]
    filed = RawRecord.objects.filter(review_status=ReviewStatus.FILED)
    assert filed.count() == 16
    appointment = filed.get(title__startswith="FTC Chairman Ferguson Appoints Daniel Guarnera")
    assert appointment.review_note == "Not about a deal or case: a staff appointment."


def test_the_ai_partnerships_staff_report_joins_the_6b_study():
    call_command("load_demo", stdout=io.StringIO())
    ingest()
    event = Event.objects.get(title__startswith="FTC Issues Staff Report on AI Partnerships")
    assert event.inquiry.title == "6(b) study of generative AI investments and partnerships"
    assert event.inquiry == Inquiry.objects.filter(title=event.inquiry.title).order_by("pk")[0]


def test_the_exxon_pioneer_and_chevron_hess_orders_join_their_deals():
    exxon = deal_between("Exxon Mobil Corp.", "Pioneer Natural Resources Company")
    chevron = deal_between("Chevron Corporation", "Hess Corp")
    ingest()
    assert Event.objects.get(deal=exxon).title == "FTC Approves Final Order in Exxon-Pioneer Deal"
    assert Event.objects.get(deal=chevron).title == "FTC Approves Final Order in Chevron-Hess Deal"


def test_the_queue_lists_the_best_suggestions_first_without_scanning_names(
    client, django_assert_max_num_queries
):
    deal_between("GTCR Fund XIV", "Surmodics")
    user = User.objects.create_user("rita", "rita@example.org", "pw-rita-12345", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    ingest()
    first = ReviewItem.objects.first()
    assert first.title == "FTC Challenges Medical Device Coatings Deal" and first.suggestion_score

    CompanyFactory.create_batch(30)
    with django_assert_max_num_queries(14):
        page = client.get("/admin/ingest/reviewitem/")
    assert page.text.index("Medical Device Coatings") < page.text.index("Teva Inhaler")
    assert "GTCR Fund XIV / Surmodics" in page.text


@pytest.mark.parametrize(
    "title",
    [
        "FTC Challenges Medical Device Coatings Deal",
        "FTC Sues PepsiCo for Rigging Soft Drink Competition",
        "FTC Approves Final Order in Chevron-Hess Deal",
    ],
)
def test_a_release_about_a_case_is_not_filed_away(title):
    assert not_about_a_case(title) == ""
