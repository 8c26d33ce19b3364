"""The review queue: a deal made from a press item starts unpublished until it has parties and an
editor publishes it; a regulator's own release saying it sued gives the deal that review; the
suggestions ignore company names that are common words and say why they matched."""

import html
import io

import pytest
from django.core.management import call_command

from deals.models import Deal, Event
from deals.vocabulary import EventKind, InquiryKind, Stage
from ingest.models import RawRecord, ReviewItem, ReviewStatus
from ingest.pipeline import record_create_deal
from ingest.pipeline.press import common_company_words, companies_mentioned, press_action
from ingest.pipeline.review import suggested_deals, suggestions_explained
from tests import FIXTURE_DIR
from tests.admin_forms import NO_INLINES
from tests.factories import CompanyFactory, DealFactory, PartyFactory, ftc

pytestmark = pytest.mark.django_db

FTC_PRESS = FIXTURE_DIR / "ftc" / "press-release-competition.xml"
GTCR = "FTC Challenges Medical Device Coatings Deal"
NO_REGULATOR = "No regulator has looked at this deal"


def ingest_ftc_press() -> None:
    ftc()
    call_command("ingest", "ftc-press", "--from-file", str(FTC_PRESS), stdout=io.StringIO())


def queued(title: str, summary: str = "") -> RawRecord:
    """A press item waiting in the queue, its suggestions not computed yet."""
    return RawRecord.objects.create(
        source="ftc-press",
        external_id=title,
        payload={},
        title=title,
        summary=summary,
        review_status=ReviewStatus.PENDING,
    )


# --- A deal made from a press item -------------------------------------------------------


def test_a_deal_made_from_the_ftc_suit_release_is_unpublished_with_the_ftcs_suit(client, editor):
    ingest_ftc_press()
    item = ReviewItem.objects.get(title=GTCR)
    review_url = f"/admin/ingest/reviewitem/{item.pk}/change/"

    response = client.post(review_url, {"decision": "create_deal"}, follow=True)

    deal = Deal.objects.get(title=GTCR)
    assert "unpublished: add its parties, then publish it" in html.unescape(response.text)
    assert (deal.is_published, deal.needs_review) == (False, True)
    assert client.get(deal.get_absolute_url()).status_code == 404  # not on the public site
    inquiry = deal.inquiries.get()
    assert (inquiry.regulator.slug, inquiry.kind, inquiry.stage) == (
        "ftc",
        InquiryKind.MERGER_REVIEW,
        Stage.LITIGATION,
    )
    assert inquiry.needs_review and inquiry.status_wording == GTCR
    event = inquiry.events.get()
    assert (event.kind, event.title, event.timeline_deal) == (EventKind.LAWSUIT, GTCR, deal)
    assert event.source_url.startswith("https://www.ftc.gov/news-events/news/press-releases/")
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.DEAL_CREATED

    # Once an editor has added the parties and published it, its page shows the FTC's suit.
    PartyFactory(deal=deal, company=CompanyFactory(name="GTCR"), role="acquirer")
    Deal.objects.filter(pk=deal.pk).update(is_published=True)
    page = html.unescape(client.get(deal.get_absolute_url()).text)
    assert "FTC" in page and "Litigation" in page
    assert NO_REGULATOR not in page


def test_a_deal_made_from_a_release_that_says_no_action_gets_no_review(editor):
    ingest_ftc_press()
    item = ReviewItem.objects.get(title="FTC Sues PepsiCo for Rigging Soft Drink Competition")

    deal = record_create_deal(record=item, user=editor)

    assert (deal.is_published, deal.needs_review) == (False, True)
    assert not deal.inquiries.exists()
    assert Event.objects.get(deal=deal).kind == EventKind.PRESS
    # Positive control: the suit to block is recognised in the same feed.
    gtcr = record_create_deal(record=ReviewItem.objects.get(title=GTCR), user=editor)
    assert gtcr.inquiries.get().stage == Stage.LITIGATION


def test_the_bulk_action_makes_unpublished_deals_too(client, editor, settings):
    settings.INGEST_PUBLISH_NEW_DEALS = True  # what ingest does with cases; not for the queue
    ingest_ftc_press()
    items = ReviewItem.objects.filter(
        title__in=[GTCR, "FTC Sues PepsiCo for Rigging Soft Drink Competition"]
    )
    assert items.count() == 2

    client.post(
        "/admin/ingest/reviewitem/",
        {"action": "create_deals", "_selected_action": [item.pk for item in items]},
    )

    made = Deal.objects.filter(needs_review=True)
    assert made.count() == 2
    assert not made.filter(is_published=True).exists()


def test_what_a_regulator_says_it_did_is_read_from_the_title_or_first_sentence():
    assert press_action(title=GTCR, text="") is not None
    first = "The Federal Trade Commission today sued to block the deal. It says more."
    assert press_action(title="FTC acts", text=first).stage == Stage.LITIGATION
    later = "The FTC released a summary. The FTC successfully sued to block Kroger."
    assert press_action(title="FTC Releases Summary of Key Accomplishments", text=later) is None


# --- Publishing needs a party ------------------------------------------------------------


def deal_form(deal, **values) -> dict:
    data = {
        "title": deal.title,
        "slug": deal.slug,
        "deal_type": deal.deal_type,
        "sector": deal.sector,
        "summary": "",
        **NO_INLINES,
    }
    data.update(values)
    return data


def test_the_deal_admin_refuses_to_publish_a_deal_without_parties(client, editor):
    deal = DealFactory(title="GTCR / Surmodics", is_published=False, needs_review=True)

    response = client.post(
        f"/admin/deals/deal/{deal.pk}/change/", deal_form(deal, is_published="on")
    )

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "“Published”: a deal is published only once it has at least one party" in text
    deal.refresh_from_db()
    assert not deal.is_published

    # Positive control: with a party added on the same form, it is published.
    company = CompanyFactory(name="Surmodics")
    with_party = deal_form(
        deal,
        is_published="on",
        **{
            "parties-TOTAL_FORMS": "1",
            "parties-0-company": company.pk,
            "parties-0-role": "target",
            "parties-0-deal": deal.pk,
        },
    )
    response = client.post(f"/admin/deals/deal/{deal.pk}/change/", with_party)
    assert response.status_code == 302, html.unescape(response.text)[-3000:]
    deal.refresh_from_db()
    assert deal.is_published and deal.parties.count() == 1


def test_a_published_deal_without_parties_can_still_be_edited(client, editor):
    deal = DealFactory(title="Old / Deal", is_published=True)
    response = client.post(
        f"/admin/deals/deal/{deal.pk}/change/",
        deal_form(deal, is_published="on", sector="Energy"),
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.sector == "Energy" and deal.is_published


# --- Suggestions -------------------------------------------------------------------------


def test_a_company_named_by_a_common_word_is_not_suggested_on_its_own():
    news_corp = CompanyFactory(name="News Corporation")
    deal = DealFactory(title="Starboard Value / News Corporation")
    PartyFactory(deal=deal, company=CompanyFactory(name="Starboard Value"), role="acquirer")
    PartyFactory(deal=deal, company=news_corp, role="target")
    assert "news" in common_company_words()

    record = queued("FTC news release", "The FTC published a news release today.")
    assert suggested_deals(record=record) == []
    assert news_corp.pk not in companies_mentioned("FTC news release")

    # Positive control: a real name of the same deal still matches.
    named = queued("Starboard Value takes a stake", "A news release about Starboard Value.")
    assert suggested_deals(record=named) == [deal]


def test_a_common_word_inside_a_longer_name_still_matches():
    company = CompanyFactory(name="Global Payments Inc.")
    assert company.pk in companies_mentioned("Global Payments agrees to buy Worldpay")
    assert company.pk not in companies_mentioned("A global market study of payment rails")


def test_the_review_page_says_why_a_deal_is_suggested(client, editor):
    deal = DealFactory(title="Microsoft / Inflection AI")
    PartyFactory(deal=deal, company=CompanyFactory(name="Microsoft"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="Inflection AI"), role="target")
    record = queued("Microsoft hires a start-up's staff", "The deal involves Inflection AI.")

    [(suggested, reason)] = suggestions_explained(record=record)
    assert suggested == deal
    assert reason == "matched 'Microsoft' in the title; 'Inflection AI' in the text"
    page = html.unescape(client.get(f"/admin/ingest/reviewitem/{record.pk}/change/").text)
    assert "matched 'Microsoft' in the title" in page


def test_the_queue_says_why_each_first_suggestion_matched(client, editor):
    deal = DealFactory(title="Microsoft / Inflection AI")
    PartyFactory(deal=deal, company=CompanyFactory(name="Microsoft"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="News Corporation"), role="target")
    named = queued("Microsoft hires a start-up's staff")
    unnamed = queued("FTC news release")
    for record in (named, unnamed):
        record.suggested = [deal.pk for deal in suggested_deals(record=record)]
        record.suggestion_score = len(record.suggested)
        record.save()

    page = html.unescape(client.get("/admin/ingest/reviewitem/").text)

    assert named.suggested == [deal.pk] and unnamed.suggested == []
    assert "matched 'Microsoft' in the title" in page
    assert "'News Corporation'" not in page
