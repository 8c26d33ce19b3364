"""Editors keep the tracker true from the admin, within exactly the permissions they need."""

import datetime

import pytest

from deals.models import Deal, Inquiry
from deals.vocabulary import AntitrustStatus
from tests.admin_forms import NO_INLINES, inline_inquiry_closed
from tests.factories import DealFactory, InquiryFactory, RegulatorFactory, cma

pytestmark = pytest.mark.django_db


def test_an_editor_adds_an_inquiry_and_the_public_status_changes(client, editor):
    deal = DealFactory(title="Microsoft / Mistral AI")
    assert "No known inquiry" in client.get(deal.get_absolute_url()).text

    response = client.post(
        "/admin/deals/inquiry/add/",
        {
            "regulator": RegulatorFactory().pk,
            "deal": deal.pk,
            "reference": "M.99999",
            "kind": "merger_review",
            "stage": "phase_2",
            "outcome": "",
            "decision_status": "in_force",
            "opened_on": "2024-03-01",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    page = client.get(deal.get_absolute_url()).text
    assert "In-depth review" in page and "M.99999" in page
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.IN_DEPTH_REVIEW


def test_closing_an_inquiry_inline_on_the_deal_form_updates_the_status(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage="phase_1", reference="ME/1/24")
    deal = inquiry.deal
    data = inline_inquiry_closed(deal)
    response = client.post(f"/admin/deals/deal/{deal.pk}/change/", data)
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.CLEARED


def test_an_editor_can_add_companies_deals_and_events(client, editor):
    for model in ["company", "deal", "inquiry", "event"]:
        assert client.get(f"/admin/deals/{model}/add/").status_code == 200


def test_an_editor_cannot_manage_users_or_groups(client, editor):
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/auth/user/add/").status_code == 403


def test_every_change_keeps_who_made_it_and_when(client, editor):
    deal = DealFactory(title="Adobe / Figma")
    client.post(
        "/admin/deals/inquiry/add/",
        {
            "regulator": cma().pk,
            "deal": deal.pk,
            "kind": "merger_review",
            "stage": "phase_2",
            "decision_status": "in_force",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    inquiry = Inquiry.objects.get(deal=deal)
    record = inquiry.history.latest()
    assert record.history_user == editor
    assert record.history_date.date() == datetime.date.today()
    history_page = client.get(f"/admin/deals/inquiry/{inquiry.pk}/history/")
    assert history_page.status_code == 200 and editor.username in history_page.text


def test_admin_search_finds_a_deal_by_case_reference(client, editor):
    InquiryFactory(deal=DealFactory(title="Illumina / Grail"), reference="M.10188")
    response = client.get("/admin/deals/deal/?q=M.10188")
    assert list(response.context["cl"].result_list) == [Deal.objects.get(title="Illumina / Grail")]


def test_an_event_without_deal_or_inquiry_is_a_form_error_not_a_500(client, editor):
    response = client.post(
        "/admin/deals/event/add/",
        {"occurred_on": "2024-05-17", "kind": "decision", "title": "Orphan", "recorded_at_0": ""},
    )
    assert response.status_code == 200
    assert "An event belongs to a deal, an inquiry, or both." in response.text


def test_a_duplicate_case_reference_is_a_form_error_not_a_500(client, editor):
    existing = InquiryFactory(regulator=cma(), reference="ME/7108/24")
    response = client.post(
        "/admin/deals/inquiry/add/",
        {
            "regulator": existing.regulator.pk,
            "reference": "ME/7108/24",
            "kind": "merger_review",
            "stage": "phase_1",
            "decision_status": "in_force",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "already has an inquiry with this case reference" in response.text
    assert Inquiry.objects.filter(reference="ME/7108/24").count() == 1


def test_the_deal_forms_event_picker_offers_only_this_deals_inquiries(client, editor):
    own = InquiryFactory(regulator=cma(), reference="ME/1/24")
    other = InquiryFactory(reference="M.2")
    form = client.get(f"/admin/deals/deal/{own.deal.pk}/change/").context["inline_admin_formsets"]
    events = next(formset for formset in form if formset.formset.prefix == "events")
    choices = events.formset.empty_form.fields["inquiry"].queryset
    assert list(choices) == [own]
    assert other not in choices


def test_an_event_tied_to_another_deals_inquiry_is_refused_and_moves_nothing(client, editor):
    deal = DealFactory(title="Microsoft / Mistral AI")
    other = InquiryFactory(reference="M.10646")
    response = client.post(
        "/admin/deals/event/add/",
        {
            "occurred_on": "2024-05-17",
            "kind": "decision",
            "title": "Wrong pick",
            "deal": deal.pk,
            "inquiry": other.pk,
            "recorded_at_0": "2024-05-17",
            "recorded_at_1": "10:00",
        },
    )
    assert response.status_code == 200
    assert "This inquiry belongs to another deal" in response.text
    assert not other.events.exists() and not deal.events.exists()


def test_a_superseding_inquiry_of_another_deal_must_be_a_referral(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage="phase_1")
    elsewhere = InquiryFactory(reference="M.11766")
    data = {
        "regulator": inquiry.regulator.pk,
        "deal": inquiry.deal.pk,
        "kind": "merger_review",
        "stage": "phase_1",
        "decision_status": "in_force",
        "superseded_by": elsewhere.pk,
        "supersession": "restructured",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/deals/inquiry/{inquiry.pk}/change/", data)
    assert response.status_code == 200
    assert "only supersede this one as the receiving authority" in response.text
    response = client.post(
        f"/admin/deals/inquiry/{inquiry.pk}/change/", {**data, "supersession": "referred"}
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.superseded_by == elsewhere and not inquiry.is_open


def test_conduct_words_on_a_merger_review_are_a_form_error(client, editor):
    response = client.post(
        "/admin/deals/inquiry/add/",
        {
            "regulator": cma().pk,
            "kind": "merger_review",
            "stage": "closed",
            "outcome": "infringement",
            "decision_status": "in_force",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Infringement found is not an outcome of merger control." in response.text
    assert not Inquiry.objects.exists()


def test_an_editor_can_delete_an_inquiry_added_by_mistake(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage="phase_2")
    deal = inquiry.deal
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.IN_DEPTH_REVIEW
    response = client.post(f"/admin/deals/inquiry/{inquiry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Inquiry.objects.filter(pk=inquiry.pk).exists()
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.NO_KNOWN_INQUIRY


def test_an_editor_moving_an_inquiry_to_phase_2_records_the_status_change_and_who(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage="phase_1", reference="ME/1/24")
    deal = inquiry.deal
    response = client.post(
        f"/admin/deals/inquiry/{inquiry.pk}/change/",
        {
            "regulator": inquiry.regulator.pk,
            "deal": deal.pk,
            "reference": "ME/1/24",
            "kind": "merger_review",
            "stage": "phase_2",
            "decision_status": "in_force",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    changes = {change.describe(): change for change in deal.status_changes.all()}
    assert "Under review → In-depth review" in changes
    assert "CMA: Phase 1 → Phase 2 / in-depth" in changes
    assert changes["Under review → In-depth review"].changed_by == editor
    page = client.get(deal.get_absolute_url()).text
    assert "Under review → In-depth review" in page and "an editor&#x27;s correction" in page


def test_an_editor_recording_the_abandonment_changes_the_status(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage="phase_2", reference="ME/2/24")
    deal = inquiry.deal
    response = client.post(
        f"/admin/deals/deal/{deal.pk}/change/",
        {
            "title": deal.title,
            "slug": deal.slug,
            "deal_type": deal.deal_type,
            "abandoned_on": "2023-12-18",
            "is_published": "on",
            **NO_INLINES,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.ABANDONED
    assert deal.status_changes.overall().last().describe() == "In-depth review → Abandoned"
