"""Subscribers, what they follow, and the digests we send them.

Delivery follows GOV.UK's email-alert-api: a DigestRun is unique per frequency and period, a
Delivery is unique per subscriber and run and exists before anything is sent, and a DigestItem
records that an event went into a subscription's digest; its unique constraint is what makes
"each event exactly once" true even when two runs race.
"""

from __future__ import annotations

import datetime
import uuid

import django_filters
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from deals.filters import DealFilter, printable, value_labels
from deals.models import (
    Company,
    Deal,
    Event,
    EventKind,
    Inquiry,
    Regulator,
    StatusChange,
)

# Query-string keys that change how /deals/ is shown but not which deals it shows.
IGNORED_SEARCH_KEYS = {"sort", "page"}


def canonical_search(data: QueryDict | str | None) -> str:
    """A /deals/ query string reduced to its filters, sorted, so one search is stored once."""
    if not isinstance(data, QueryDict):
        data = QueryDict(data or "")
    pairs = sorted(
        (key, value.strip())
        for key in data
        if key in DealFilter.base_filters and key not in IGNORED_SEARCH_KEYS
        for value in data.getlist(key)
        if value.strip()
    )
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query.urlencode()


def deals_matching(query: str) -> models.QuerySet[Deal]:
    """Exactly the deals /deals/?<query> lists: the same FilterSet on the same queryset."""
    return DealFilter(data=QueryDict(query), queryset=Deal.objects.published()).results()


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


# --- Subscribers and subscriptions --------------------------------------------------------


class SubscriberQuerySet(models.QuerySet):
    def active(self) -> SubscriberQuerySet:
        """Confirmed and not disabled: people we may email."""
        return self.filter(confirmed_at__isnull=False, disabled_at__isnull=True)

    def receiving(self, frequency: str) -> SubscriberQuerySet:
        """Active subscribers with at least one live subscription of `frequency`."""
        return self.active().filter(
            Exists(
                Subscription.objects.active().filter(subscriber=OuterRef("pk"), frequency=frequency)
            )
        )


class Subscriber(models.Model):
    email = models.EmailField(
        max_length=254, unique=True, help_text="Stored in lower case; one row per address."
    )
    uuid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Names the subscriber in emailed links: random, so that nobody can make a "
        "link for the next subscriber by counting, even knowing the signing key.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the address was first confirmed through a link we emailed to it.",
    )
    disabled_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Set when the address bounces: nothing is sent while this is set.",
    )
    disabled_reason = models.CharField(max_length=200, blank=True)
    unsubscribed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When they last unsubscribed from everything. Links sent before this (manage, "
        "confirm) no longer work, so an old email cannot subscribe them again.",
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


class SubscriptionKind(models.TextChoices):
    DEAL = "deal", "Deal"
    COMPANY = "company", "Company"
    REGULATOR = "regulator", "Regulator"
    SEARCH = "search", "Saved search"


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(ended_at__isnull=True)

    def with_targets(self) -> SubscriptionQuerySet:
        return self.select_related("deal", "company", "regulator")


class Subscription(models.Model):
    """One thing a subscriber follows. Created only when the subscriber confirms it."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(max_length=20, choices=SubscriptionKind.choices)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    regulator = models.ForeignKey(
        Regulator, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    search_query = models.CharField(
        max_length=1000,
        blank=True,
        help_text="For a saved search: the /deals/ query string (filters only, sorted).",
    )
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.DAILY, db_index=True
    )
    event_kinds = models.JSONField(
        default=list, blank=True, help_text="Only these kinds of event; empty for every kind."
    )
    started_at = models.DateTimeField(
        default=timezone.now,
        help_text="When it was confirmed. Only what is recorded after this is sent.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the subscriber stopped it."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="deal",
                        deal__isnull=False,
                        company__isnull=True,
                        regulator__isnull=True,
                        search_query="",
                    )
                    | Q(
                        kind="company",
                        deal__isnull=True,
                        company__isnull=False,
                        regulator__isnull=True,
                        search_query="",
                    )
                    | Q(
                        kind="regulator",
                        deal__isnull=True,
                        company__isnull=True,
                        regulator__isnull=False,
                        search_query="",
                    )
                    | Q(
                        kind="search",
                        deal__isnull=True,
                        company__isnull=True,
                        regulator__isnull=True,
                    )
                ),
                name="subscription_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "deal"],
                condition=Q(ended_at__isnull=True, kind="deal"),
                name="one_live_subscription_per_deal",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "company"],
                condition=Q(ended_at__isnull=True, kind="company"),
                name="one_live_subscription_per_company",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "regulator"],
                condition=Q(ended_at__isnull=True, kind="regulator"),
                name="one_live_subscription_per_regulator",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "search_query"],
                condition=Q(ended_at__isnull=True, kind="search"),
                name="one_live_subscription_per_search",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.label}"

    @property
    def target(self) -> Deal | Company | Regulator | None:
        return {"deal": self.deal, "company": self.company, "regulator": self.regulator}.get(
            self.kind
        )

    @property
    def label(self) -> str:
        if self.kind == SubscriptionKind.SEARCH:
            return search_label(self.search_query)
        return str(self.target) if self.kind != SubscriptionKind.REGULATOR else self.regulator.name

    def get_target_url(self) -> str:
        if self.kind == SubscriptionKind.SEARCH:
            path = reverse("deals:deal_list")
            return f"{path}?{self.search_query}" if self.search_query else path
        return self.target.get_absolute_url()

    @property
    def event_kind_labels(self) -> list[str]:
        labels = dict(EventKind.choices)
        return [labels.get(kind, kind) for kind in self.event_kinds]

    # What this subscription is about. Only public content: events of unpublished deals, and
    # unpublished deals, never match.

    def matching_deals(self) -> models.QuerySet[Deal]:
        if self.kind == SubscriptionKind.DEAL:
            return Deal.objects.published().filter(pk=self.deal_id)
        if self.kind == SubscriptionKind.COMPANY:
            return Deal.objects.published().involving([self.company_id])
        if self.kind == SubscriptionKind.SEARCH:
            return deals_matching(self.search_query)
        return Deal.objects.none()

    def matching_events(self) -> models.QuerySet[Event]:
        events = Event.objects.public()
        if self.kind == SubscriptionKind.REGULATOR:
            events = events.filter(inquiry__regulator=self.regulator_id)
        elif self.kind == SubscriptionKind.COMPANY:
            # Deals the company is a party to, and inquiries about it without a deal (conduct).
            deals = self.matching_deals().values("pk")
            inquiries = Inquiry.objects.public().involving([self.company_id]).values("pk")
            events = events.filter(
                Q(deal__in=deals) | Q(inquiry__deal__in=deals) | Q(inquiry__in=inquiries)
            )
        else:
            events = events.for_deals(self.matching_deals().values("pk"))
        if self.event_kinds:
            events = events.filter(kind__in=self.event_kinds)
        return events

    @property
    def reports_new_deals(self) -> bool:
        """Company and search subscriptions also say when a new deal matches them."""
        return self.kind in (SubscriptionKind.COMPANY, SubscriptionKind.SEARCH) and (
            not self.event_kinds or EventKind.ANNOUNCED in self.event_kinds
        )

    def unsent_events(self) -> models.QuerySet[Event]:
        """Recent events recorded since it started that no digest of this subscription has had."""
        already = DigestItem.objects.filter(subscription=self.pk, event=OuterRef("pk"))
        return (
            self.matching_events()
            .recorded_since(self.started_at)
            .filter(occurred_on__gte=oldest_news())
            .exclude(Exists(already))
            .distinct()
        )

    @property
    def reports_status_changes(self) -> bool:
        """Every subscription hears of status changes, unless it asked only for kinds of event
        that are not decisions (then only of changes those kinds of event caused)."""
        return not self.event_kinds or EventKind.DECISION in self.event_kinds

    def matching_status_changes(self) -> models.QuerySet[StatusChange]:
        changes = StatusChange.objects.filter(deal__is_published=True)
        if self.kind == SubscriptionKind.REGULATOR:
            # Its own line on a deal, and the overall status of deals it reviews.
            reviewed = Inquiry.objects.filter(regulator=self.regulator_id).values("deal")
            changes = changes.filter(
                Q(regulator=self.regulator_id) | Q(regulator__isnull=True, deal__in=reviewed)
            )
        else:
            changes = changes.filter(deal__in=self.matching_deals().values("pk"))
        if not self.reports_status_changes:
            changes = changes.filter(event__kind__in=self.event_kinds)
        return changes

    def unsent_status_changes(self) -> models.QuerySet[StatusChange]:
        """Status changes since it started that no digest of this subscription has had.

        A backfill is history, not news: a change caused by an event that happened long ago, or
        by ingest recording a review closed long ago. An editor's correction is always news."""
        oldest = oldest_news()
        already = DigestItem.objects.filter(subscription=self.pk, status_change=OuterRef("pk"))
        old_review = Q(event__isnull=True, changed_by__isnull=True, inquiry__closed_on__lt=oldest)
        return (
            self.matching_status_changes()
            .filter(changed_at__gt=self.started_at)
            .filter(Q(event__isnull=True) | Q(event__occurred_on__gte=oldest))
            .exclude(old_review)
            .exclude(Exists(already))
        )

    def unsent_new_deals(self) -> models.QuerySet[Deal]:
        if not self.reports_new_deals:
            return Deal.objects.none()
        already = DigestItem.objects.filter(
            subscription=self.pk, event__isnull=True, deal=OuterRef("pk")
        )
        return (
            Deal.objects.filter(pk__in=self.matching_deals().values("pk"))
            .filter(created_at__gt=self.started_at)
            .filter(Q(announced_on__isnull=True) | Q(announced_on__gte=oldest_news()))
            .exclude(Exists(already))
        )


def oldest_news() -> datetime.date:
    """What happened before this is history, not news (a backfill is recorded, not emailed)."""
    return timezone.localdate() - datetime.timedelta(days=settings.DIGEST_MAX_EVENT_AGE_DAYS)


def search_label(query: str) -> str:
    """A saved search in words: Deals matching “microsoft” · Status: Under review.

    Worded by the FilterSet's own labels (value_labels), which look nothing up with a value
    PostgreSQL would refuse (a NUL byte); the pages offer no alert for a search with errors.
    """
    data = QueryDict(query)
    if not data:
        return "All deals"
    parts = []
    # The FilterSet knows how each value reads: a regulator's or company's name (given by slug,
    # name or ticker), a jurisdiction's name, a status's words.
    labels = value_labels(DealFilter, data)
    for key in data:
        filter_ = DealFilter.base_filters.get(key)
        if filter_ is None or key in IGNORED_SEARCH_KEYS:
            continue
        values = [labels.get(key, {}).get(v, printable(v)) for v in data.getlist(key) if v]
        if not values:
            continue
        if isinstance(filter_, django_filters.BooleanFilter):
            # A ticked box reads as its label ("Include its group companies"), not "...: 1".
            if forms.NullBooleanField().to_python(data.get(key)) or data.get(key) == "on":
                parts.append(filter_.label)
            continue
        if key == "q":
            parts.insert(0, f"“{values[0]}”")
        else:
            parts.append(f"{filter_.label}: {', '.join(values)}")
    return "Deals matching " + " · ".join(parts) if parts else "All deals"


# --- Digest runs and deliveries -----------------------------------------------------------


class DigestRun(models.Model):
    """One period of one frequency (the daily digest of 3 March). Unique, so a second start of
    the same period joins the first instead of sending again."""

    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    period_start = models.DateTimeField(
        help_text="Start of the period: the day, the week's Monday, or the few-minute slot."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while running, or when a run died half-way."
    )

    class Meta:
        ordering = ["-period_start", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "period_start"], name="one_digest_run_per_period"
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.period_start)
        if self.frequency == Frequency.IMMEDIATELY:
            return f"Immediate updates {local:%Y-%m-%d %H:%M}"
        if self.frequency == Frequency.WEEKLY:
            return f"Weekly digest, week of {local:%Y-%m-%d}"
        return f"Daily digest {local:%Y-%m-%d}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (nothing left to send)"
    FAILED = "failed", "Failed"


class DeliveryQuerySet(models.QuerySet):
    def pending(self) -> DeliveryQuerySet:
        return self.filter(status=DeliveryStatus.PENDING)

    def stale(self, older_than: datetime.timedelta) -> DeliveryQuerySet:
        """Pending deliveries nobody has finished: their worker died, or sending keeps failing."""
        return self.pending().filter(created_at__lt=timezone.now() - older_than)


class Delivery(models.Model):
    """One email to one subscriber for one run. Created, with its items, before sending."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    run = models.ForeignKey(DigestRun, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True, help_text="As sent.")

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "run"], name="one_delivery_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.run} to {self.subscriber}"


class DigestItem(models.Model):
    """An event, a status change (or, for searches and companies, a new deal) that went into a
    subscription's digest. The unique constraints are the "exactly once" of each per
    subscription."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="items")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="digest_items"
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="digest_items",
        help_text="A new deal that matches the subscription (no event).",
    )
    status_change = models.ForeignKey(
        StatusChange,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="digest_items",
        help_text="A change of a deal's status or of one regulator's line on it.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, deal__isnull=True, status_change__isnull=True)
                | Q(event__isnull=True, deal__isnull=False, status_change__isnull=True)
                | Q(event__isnull=True, deal__isnull=True, status_change__isnull=False),
                name="digest_item_is_event_new_deal_or_status_change",
            ),
            models.UniqueConstraint(
                fields=["subscription", "event"],
                condition=Q(event__isnull=False),
                name="event_once_per_subscription",
            ),
            models.UniqueConstraint(
                fields=["subscription", "deal"],
                condition=Q(event__isnull=True),
                name="new_deal_once_per_subscription",
            ),
            models.UniqueConstraint(
                fields=["subscription", "status_change"],
                condition=Q(status_change__isnull=False),
                name="status_change_once_per_subscription",
            ),
        ]

    def __str__(self) -> str:
        return str(self.event or self.deal or self.status_change)
