"""Hostile content everywhere, rendered everywhere.

Every text, email and URL field of every model (found through Django's _meta, so a new field or
model is covered the day it is added) is filled with script, attribute-breaking and executable
link payloads. Then every public page, every admin page (list, add, change, history, delete
and the custom views), every email and every feed is rendered, and the test fails on anything a
browser would build from the payloads (tests/hostile.py) and on any 500.

A field that cannot hold free text (a choice, a slug, a database type) is skipped by its type;
anything the test does not know how to fill fails it, with the field named, until someone
decides here how hostile content gets into it.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from defusedxml import ElementTree
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from deals.models import ClockStop, Deal, Event, Inquiry
from deals.stats import aggregates_rebuild
from deals.vocabulary import Stage
from ingest.models import AppliedValues, IngestRun, RawRecord, ReviewStatus
from subscriptions.models import Delivery, DigestItem, DigestRun, Subscriber
from subscriptions.services import digest_run as run_digests
from subscriptions.services import (
    manage_link_send,
    manage_url,
    subscription_request,
    unsubscribe_url,
)
from subscriptions.tokens import confirm_token_make
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    SubscriberFactory,
    SubscriptionFactory,
    cma,
)
from tests.hostile import (
    ATTRIBUTE_BREAKING_URL,
    EXECUTABLE_URLS,
    SCRIPT,
    TEXT,
    is_executable_link,
    text_payload,
    unsafe_html,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Framework tables nobody outside writes to, whose values are identifiers the code looks up.
NOT_CONTENT = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}
# JSON fields: how hostile content gets into each (what a source served, what it said).
JSON_PAYLOADS = {
    "ingest.RawRecord.payload": lambda n: {
        "title": text_payload(None, n=n),
        "description": f"<p>{TEXT}</p><a href='javascript:xss(9)'>x</a>{SCRIPT}",
        "link": "javascript:xss(10)",
        "details": {"body": f'<img src=x onerror="xss(11)">{TEXT}'},
    },
    "ingest.RawRecord.conflicts": lambda n: {
        text_payload(None, n=n): {"here": TEXT, "source": TEXT}
    },
    "ingest.IngestRun.problems": lambda n: [{"id": TEXT, "reason": text_payload(None, n=n)}],
    "ingest.AppliedValues.values": lambda n: {text_payload(None, n=n): TEXT},
    # The stored /stats/ rows keep each Phase 1's label as the regulator named it.
    "deals.ReviewYearAggregate.phases": lambda n: {
        "phase_1": {
            **dict.fromkeys(["first", "month_ends", "no_start", "no_end", "running"], 0),
            **dict.fromkeys(["before_completion", "end_before_start"], 0),
            "label": text_payload(40, n=n),
            "count": 1,
            "days": {"30": 1},
            "statutory": {"35": 1},
        }
    },
}
# JSON fields that hold our own identifiers or validated choices, not text anyone typed.
JSON_NOT_TEXT = {
    "ingest.RawRecord.mapped",
    "ingest.RawRecord.suggested",
    "subscriptions.Subscription.event_kinds",
    "deals.Deal.stored_states",
}
URL_VARIANTS = [*EXECUTABLE_URLS[:1], *EXECUTABLE_URLS[4:6], ATTRIBUTE_BREAKING_URL]


def email_payload(n: int) -> str:
    # A quoted local part may hold < > and ' and still be a valid address.
    return f'"<xss-mail{n}>\'"@example.org'


# --- The world, before it turns hostile ---------------------------------------------------


def build_world() -> dict:
    """At least one row of every model, linked as the site links them."""
    today = timezone.localdate()
    ec, authority = RegulatorFactory(), cma()
    authority.save()  # seeded by a migration: an editor's save gives it a history
    group = CompanyFactory(name="Group")
    buyer = CompanyFactory(name="Buyer", parent=group)
    target = CompanyFactory(name="Target")
    CompanyAliasFactory(company=buyer, name="Buyer Alias")
    deal = DealFactory(title="Buyer / Target")
    PartyFactory(deal=deal, company=buyer, role="acquirer")
    PartyFactory(deal=deal, company=target, role="target")
    inquiry = InquiryFactory(
        deal=deal,
        regulator=authority,
        reference="ME/1/24",
        stage=Stage.PHASE_1,
        deadline_on=today + datetime.timedelta(days=20),
    )
    inquiry.companies.add(buyer, target)
    conduct = InquiryFactory(deal=None, regulator=ec, reference="AT.1", title="Conduct case")
    conduct.companies.add(buyer)
    ClockStop.objects.create(
        inquiry=inquiry,
        stopped_on=today - datetime.timedelta(days=5),
        note="Waiting for information",
        source_url="https://example.org/stop",
    )
    claimed = EventFactory(deal=deal, title="Claimed already", occurred_on=today)
    EventFactory(deal=deal, inquiry=inquiry, title="On the inquiry", occurred_on=today)
    EventFactory(deal=None, inquiry=conduct, title="On the conduct case", occurred_on=today)

    since = timezone.now() - datetime.timedelta(days=1)
    subscriber = SubscriberFactory(email="analyst@example.org")
    for kind, target_fields in [
        ("deal", {"deal": deal}),
        ("company", {"company": buyer, "deal": None}),
        ("regulator", {"regulator": authority, "deal": None}),
        ("search", {"deal": None, "search_query": "q=buyer"}),
    ]:
        SubscriptionFactory(subscriber=subscriber, kind=kind, started_at=since, **target_fields)
    run = DigestRun.objects.create(frequency="daily", period_start=since)
    delivery = Delivery.objects.create(
        subscriber=subscriber, run=run, status="failed", last_error="x", subject="x"
    )
    DigestItem.objects.create(
        subscription=subscriber.subscriptions.get(kind="deal"), delivery=delivery, event=claimed
    )

    raw = RawRecord.objects.create(
        source="ftc-press",
        external_id="guid-1",
        content_hash="0" * 64,
        payload={},
        title="Press release",
        review_status=ReviewStatus.PENDING,
        review_note="Names no company the tracker knows.",
        deal=deal,
        inquiry=inquiry,
    )
    AppliedValues.objects.create(model="deals.inquiry", object_id=inquiry.pk, values={})
    started = timezone.now() - datetime.timedelta(minutes=5)
    IngestRun.objects.create(source="cma", started_at=started, finished_at=started, error="x")
    aggregates_rebuild()  # the stored /stats/ rows, with the sector and the phases' labels

    root = User.objects.create_superuser("root", "root@example.org", "pw-root-123")
    editor = User.objects.create_user("eddie", "eddie@example.org", "pw-eddie-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 3}
        model.objects.create(
            username="root",
            ip_address="203.0.113.9",
            user_agent="curl",
            http_accept="*/*",
            path_info="/admin/login/",
            **(extra if model is AccessAttempt else {}),
        )
    LogEntry.objects.create(
        user=root,
        content_type=ContentType.objects.get_for_model(Deal),
        object_id=str(deal.pk),
        object_repr=str(deal),
        action_flag=CHANGE,
        change_message="[]",
    )
    return {
        "deal": deal,
        "inquiry": inquiry,
        "conduct": conduct,
        "company": buyer,
        "regulator": authority,
        "subscriber": subscriber,
        "raw": raw,
        "root": root,
    }


# --- Making it hostile --------------------------------------------------------------------


def hostile_value(label: str, field: models.Field, n: int, url: str):
    if isinstance(field, models.URLField):
        return url[: field.max_length]
    if isinstance(field, models.EmailField):
        return email_payload(n)
    if isinstance(field, models.JSONField):
        return JSON_PAYLOADS[label](n)
    return text_payload(field.max_length, n=n)


def fillable_fields(model) -> list[models.Field]:
    fields = []
    for field in model._meta.concrete_fields:
        label = f"{model._meta.label}.{field.name}"
        if field.primary_key or field.is_relation or field.choices or not is_free_text(field):
            continue
        if isinstance(field, models.JSONField) and label in JSON_NOT_TEXT:
            continue
        if isinstance(field, models.JSONField):
            assert label in JSON_PAYLOADS, f"{label}: say in JSON_PAYLOADS how text gets in"
        fields.append(field)
    return fields


def is_free_text(field: models.Field) -> bool:
    """Free text: char, text, email, URL and JSON fields. Slugs (validated, used in URLs),
    UUIDs, IP addresses, numbers and dates are typed by the database or a validator."""
    if isinstance(field, models.SlugField):
        return False
    return isinstance(field, models.CharField | models.TextField | models.JSONField)


def make_everything_hostile(url: str) -> None:
    """Every free-text field of every row of every model gets a payload; the test fails on a
    model with text fields and no row (build more of the world) or a field no row could hold."""
    n = 0
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_CONTENT or model._meta.proxy:
            continue
        fields = fillable_fields(model)
        if not fields:
            continue
        pks = list(model._default_manager.values_list("pk", flat=True))
        assert pks, f"{label} has text fields but the world has none of it: add one"
        filled = set()
        for pk in pks:
            for field in fields:
                n += 1
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(
                            **{field.attname: hostile_value(f"{label}.{field.name}", field, n, url)}
                        )
                    filled.add(field.name)
                except IntegrityError:  # a constraint says this row keeps it empty
                    pass
        assert filled == {field.name for field in fields}, f"{label}: some fields stayed clean"


# --- Looking at what comes out ------------------------------------------------------------


def assert_safe_page(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if "html" in response.get("Content-Type", ""):
        assert unsafe_html(response.content.decode()) == [], where


def assert_safe_feed(response, where: str) -> None:
    assert response.status_code == 200, where
    root = ElementTree.fromstring(response.content)
    for element in root.iter():
        if element.get("type") in ("html", "xhtml"):
            assert unsafe_html(element.text or "") == [], where
        href = element.get("href")
        assert not (href and is_executable_link(href)), f"{where}: {href}"


def assert_safe_email(message, where: str) -> None:
    assert "\n" not in message.subject and "\r" not in message.subject, where
    for html, _ in message.alternatives:
        assert unsafe_html(html) == [], where
    for scheme in ("javascript:", "data:text", "vbscript:"):
        assert scheme not in message.body.lower(), f"{where}: {scheme} in the text part"
    message.message()  # the headers can be written: nothing broke out of them


def public_urls(world: dict) -> dict[str, list[str]]:
    """Every named public page, with hostile query strings where a page reads one."""
    deal, company, regulator = world["deal"], world["company"], world["regulator"]
    subscriber = world["subscriber"]
    manage, unsubscribe = manage_url(subscriber), unsubscribe_url(subscriber)
    token = confirm_token_make(
        {
            "e": "analyst@example.org",
            "k": "search",
            "t": None,
            "q": f"q={quote(TEXT)}",
            "f": "daily",
            "ek": [],
        }
    )
    hostile_query = f"?q={quote(TEXT)}&company={quote(TEXT)}&regulator={quote(SCRIPT)}"
    return {
        "deals:home": ["/"],
        "deals:search": ["/search/", f"/search/?q={quote(TEXT)}"],
        "deals:deal_list_feed": ["/deals/feed/", f"/deals/feed/?q={quote(TEXT)}"],
        "deals:deal_calendar": ["/deals/calendar.ics"],
        "deals:inquiry_export": ["/inquiries/export.csv"],
        "deals:inquiry_list_feed": ["/inquiries/feed/"],
        "deals:company_feed": [f"/companies/{company.slug}/feed/"],
        "deals:regulator_feed": [f"/regulators/{regulator.slug}/feed/"],
        "deals:deadline_calendar": ["/deadlines/calendar.ics"],
        "api:api-root": ["/api/v1/"],
        "api:deal-list": ["/api/v1/deals/", f"/api/v1/deals/?q={quote(TEXT)}"],
        "api:deal-detail": [f"/api/v1/deals/{deal.slug}/"],
        "api:inquiry-list": ["/api/v1/inquiries/"],
        "api:inquiry-detail": [f"/api/v1/inquiries/{world['inquiry'].pk}/"],
        "api:event-list": ["/api/v1/events/"],
        "api:event-detail": [f"/api/v1/events/{Event.objects.order_by('pk').first().pk}/"],
        "api:company-list": ["/api/v1/companies/", f"/api/v1/companies/?q={quote(TEXT)}"],
        "api:company-detail": [f"/api/v1/companies/{company.slug}/"],
        "api:regulator-list": ["/api/v1/regulators/"],
        "api:regulator-detail": [f"/api/v1/regulators/{regulator.slug}/"],
        "api:schema": ["/api/v1/schema/"],
        "api:docs": ["/api/v1/docs/"],
        "": ["/api/v1/no-such-list/"],  # the API's JSON 404
        "deals:deal_list": ["/deals/", f"/deals/{hostile_query}", "/deals/?q=buyer"],
        "deals:deal_export": ["/deals/export.csv"],
        "deals:deal_detail": [deal.get_absolute_url()],
        "deals:deal_feed": [f"/deals/{deal.slug}/feed/"],
        "deals:feed": ["/feed/"],
        "deals:inquiry_list": ["/inquiries/", f"/inquiries/{hostile_query}"],
        "deals:company_list": ["/companies/"],
        "deals:company_detail": [company.get_absolute_url()],
        "deals:regulator_list": ["/regulators/"],
        "deals:regulator_detail": [regulator.get_absolute_url()],
        "deals:deadlines": ["/deadlines/", f"/deadlines/{hostile_query}"],
        "deals:statuses": ["/statuses/"],
        "deals:stats": ["/stats/", f"/stats/?sector={quote(TEXT)}"],
        "deals:stats_csv": ["/stats/reviews.csv", "/stats/sectors.csv"],
        "ingest:sources": ["/sources/"],
        "subscriptions:check_email": ["/subscriptions/subscribe/check-your-email/"],
        "subscriptions:confirm": [reverse("subscriptions:confirm", args=[token])],
        "subscriptions:manage_link": ["/subscriptions/manage/"],
        "subscriptions:manage_link_sent": ["/subscriptions/manage/link-sent/"],
        "subscriptions:manage": [manage[manage.index("/subscriptions/") :]],
        "subscriptions:unsubscribe": [unsubscribe[unsubscribe.index("/subscriptions/") :]],
        "robots.txt": ["/robots.txt"],
        "favicon.ico": ["/favicon.ico"],
        "404": [f"/deals/{quote(TEXT)}/", f"/{quote(SCRIPT)}"],
    }


def named_routes(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern))
    return names


def admin_urls(world: dict) -> list[str]:
    """Every admin page of every registered model: lists (searched too), add, and per row
    every view of the ModelAdmin that takes the row: change, history, a history entry, delete
    and the custom ones (the digest preview, the review page)."""
    urls = ["/admin/", f"/admin/?q={quote(TEXT)}"]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        add = reverse("admin:{}_{}_add".format(*info))
        urls += [f"/admin/{info[0]}/", changelist, f"{changelist}?q={quote(TEXT)}", add]
        for obj in model_admin.get_queryset(_AdminRequest(world["root"]))[:5]:
            for pattern in model_admin.get_urls():
                urls += _urls_for_row(pattern, obj)
    return urls


def _urls_for_row(pattern, obj) -> list[str]:
    if not isinstance(pattern, URLPattern) or not pattern.name:
        return []
    params = set(pattern.pattern.converters)
    if params in ({"pk"}, {"object_id"}, {"id"}):
        return [reverse(f"admin:{pattern.name}", args=[obj.pk])]
    if params in ({"object_id", "version_id"}, {"object_id", "history_id"}):
        entry = (params - {"object_id"}).pop()
        return [
            reverse(f"admin:{pattern.name}", kwargs={"object_id": obj.pk, entry: record.pk})
            for record in obj.history.all()[:2]
        ]
    assert not params, f"{pattern.name}: say here how to fill {sorted(params)}"
    return []


class _AdminRequest:
    """Just enough of a request for ModelAdmin.get_queryset."""

    def __init__(self, user):
        self.user = user
        self.GET = {}


# --- The test -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URL_VARIANTS)
def test_hostile_content_in_every_field_is_inert_on_every_page_email_and_feed(url, settings):
    settings.SITE_URL = "https://dealwatch.example"
    world = build_world()
    make_everything_hostile(url)

    visitor = Client()
    urls = public_urls(world)
    assert named_routes() <= set(urls) | {"subscriptions:subscribe"}, "a page the test misses"
    for name, paths in urls.items():
        for path in paths:
            response = visitor.get(path)
            if name.endswith("feed"):
                assert_safe_feed(response, path)
            else:
                assert_safe_page(response, path)
    # The subscribe form answering a hostile submission shows the form again, escaped.
    response = visitor.post(
        "/subscriptions/subscribe/",
        {"email": TEXT, "target": "search", "search": f"q={quote(TEXT)}", "next": url},
    )
    assert_safe_page(response, "subscribe with errors")

    editor = Client()
    editor.force_login(User.objects.get(pk=world["root"].pk))  # its password is hostile now
    for path in admin_urls(world):
        assert_safe_page(editor.get(path), path)

    mail.outbox.clear()
    subscriber = Subscriber.objects.get(pk=world["subscriber"].pk)
    for kind, target_id, query in [
        ("deal", world["deal"].pk, ""),
        ("company", world["company"].pk, ""),
        ("regulator", world["regulator"].pk, ""),
        ("search", None, f"q={quote(TEXT)}"),
    ]:
        subscription_request(
            email=subscriber.email,
            kind=kind,
            target_id=target_id,
            search_query=query,
            frequency="daily",
            event_kinds=[],
        )
    manage_link_send(email=subscriber.email)
    summary = run_digests(frequency="daily")
    assert summary.sent == 1, summary.line()
    kinds = [re.sub(r"\W", "", m.subject)[:12] for m in mail.outbox]
    assert len(mail.outbox) == 6, kinds
    for message in mail.outbox:
        assert_safe_email(message, message.subject)

    # What the payloads were written over: the site still shows the world, not nothing.
    assert Event.objects.filter(title__contains="<script>").exists()
    assert Inquiry.objects.filter(source_url=url[:500]).exists()
