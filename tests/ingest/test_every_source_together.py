"""The done test of issue 21: after the demo and every real sample, each demo deal has its EC
merger case and its DMA notification on one deal, and no case or notification is on two."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from deals.models import Deal, Inquiry
from deals.vocabulary import InquiryKind
from tests.ingest_samples import samples

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def ingested(django_db_setup, django_db_blocker):
    """The demo and every sample, ingested once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        for source, path in samples():
            call_command("ingest", source, "--from-file", str(path), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def reviews(deal: Deal) -> dict[str, list[Inquiry]]:
    found: dict[str, list[Inquiry]] = {}
    for inquiry in deal.inquiries.select_related("regulator"):
        found.setdefault(inquiry.regulator.slug, []).append(inquiry)
    return found


def test_activision_is_one_deal_with_its_ec_case_dma_notice_cma_and_ftc_reviews(ingested):
    deal = Deal.objects.get(slug="microsoft-activision-blizzard")
    assert Deal.objects.filter(inquiries__reference="M.10646").distinct().count() == 1

    found = reviews(deal)

    ec = {inquiry.kind: inquiry for inquiry in found["ec"]}
    merger = ec[InquiryKind.MERGER_REVIEW]
    assert merger.reference == "M.10646"
    assert str(merger.phases.get(kind="phase_1").started_on) == "2022-09-30"
    notice = ec[InquiryKind.NOTIFICATION]
    assert str(notice.opened_on) == "2023-10-10"
    assert {"cma", "ftc"} <= set(found)


@pytest.mark.parametrize(
    ("slug", "day"),
    [("microsoft-inflection-ai", "2024-10-17"), ("google-wiz", "2026-02-18")],
)
def test_the_dma_notification_joins_the_demo_deal(ingested, slug, day):
    deal = Deal.objects.get(slug=slug)

    notices = deal.inquiries.filter(kind=InquiryKind.NOTIFICATION)

    assert [str(notice.opened_on) for notice in notices] == [day]


def test_no_two_deals_share_an_ec_merger_case_or_a_dma_notification(ingested):
    ec = Inquiry.objects.filter(regulator__slug="ec")
    merger_cases = ec.filter(kind=InquiryKind.MERGER_REVIEW).exclude(reference="")
    assert merger_cases.count() >= 162  # the fixture's cases, and the demo's
    per_case = Counter(merger_cases.values_list("reference", flat=True))
    assert [reference for reference, n in per_case.items() if n > 1] == []
    notices = ec.filter(kind=InquiryKind.NOTIFICATION)
    assert notices.count() >= 71
    per_notice = Counter(notices.values_list("reference", "deal_id"))
    assert [key for key, n in per_notice.items() if n > 1] == []
    assert notices.filter(deal__isnull=True).count() == 0
