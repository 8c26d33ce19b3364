"""Subscribers, what they follow, and the digests we send them.

Delivery follows GOV.UK's email-alert-api: a DigestRun is unique per frequency and period, a
Delivery is unique per subscriber and run and exists before anything is sent, and a DigestItem
records that an event went into a subscription's digest; its unique constraint is what makes
"each event exactly once" true even when two runs race.

Models and their querysets only: the digest's reads across models are in selectors.py, saved
searches' query strings in searches.py, writes in services.py.
"""

from __future__ import annotations

import datetime
import uuid
from typing import NamedTuple

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils import timezone

from deals.models import Company, Deal, Event, Inquiry, Regulator, StatusChange
from deals.vocabulary import EventKind

# The stored form of an address, importable from here as before it had a module of its own.
from .addresses import normalise_email as normalise_email

# Saved searches' functions, importable from here as before they had a module of their own.
from .searches import canonical_search as canonical_search
from .searches import deals_matching, search_label


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


# --- Subscribers and subscriptions --------------------------------------------------------


class SubscriberQuerySet(models.QuerySet):
    def active(self) -> SubscriberQuerySet:
        """Confirmed and not disabled: people we may email."""
        return self.filter(confirmed_at__isnull=False, disabled_at__isnull=True)

    def in_part(self, part: int, parts: int) -> SubscriberQuerySet:
        """Those whose id modulo `parts` is `part`: one worker's share of a digest run."""
        if parts == 1:
            return self
        return self.alias(part=Mod("pk", parts)).filter(part=part)

    def receiving(self, frequency: str) -> SubscriberQuerySet:
        """Active subscribers with at least one live subscription of `frequency`."""
        return self.active().filter(
            Exists(
                Subscription.objects.active().filter(subscriber=OuterRef("pk"), frequency=frequency)
            )
        )


class Subscriber(models.Model):
    email = models.EmailField(
        max_length=254,
        unique=True,
        help_text="Stored as mail is sent to it, in lower case (subscriptions/addresses.py): "
        "quotes and escapes removed, the domain in punycode; one row per address.",
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


class TargetKey(NamedTuple):
    """What a subscription follows, as a value: subscriptions with the same key match the same
    content (the digest selectors read each target's news once)."""

    kind: str
    deal: int | None
    company: int | None
    regulator: int | None
    search_query: str

    @classmethod
    def of_deal(cls, deal: int) -> TargetKey:
        return cls(SubscriptionKind.DEAL, deal, None, None, "")

    @classmethod
    def of_company(cls, company: int) -> TargetKey:
        return cls(SubscriptionKind.COMPANY, None, company, None, "")

    @classmethod
    def of_regulator(cls, regulator: int) -> TargetKey:
        return cls(SubscriptionKind.REGULATOR, None, None, regulator, "")


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
    kind = models.CharField(max_length=20, choices=SubscriptionKind)
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
        max_length=20, choices=Frequency, default=Frequency.DAILY, db_index=True
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
        """What it follows, in words: `labelled` of its deal's title, its company's or
        regulator's name, or its search."""
        return self.labelled(
            self.kind,
            self.deal.title if self.kind == SubscriptionKind.DEAL else "",
            self.company.name if self.kind == SubscriptionKind.COMPANY else "",
            self.regulator.name if self.kind == SubscriptionKind.REGULATOR else "",
            self.search_query,
        )

    # What `labelled` reads, for .values_list(): the label without the model objects (a digest's
    # footer names each of the subscriber's subscriptions).
    LABEL_VALUES = ("kind", "deal__title", "company__name", "regulator__name", "search_query")

    @staticmethod
    def labelled(kind: str, deal: str, company: str, regulator: str, search_query: str) -> str:
        """The one wording of a subscription's label, from the LABEL_VALUES."""
        if kind == SubscriptionKind.SEARCH:
            return search_label(search_query)
        return {"deal": deal, "company": company, "regulator": regulator}.get(kind)

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

    @property
    def target_key(self) -> TargetKey:
        """What it follows: subscriptions with the same key match the same content."""
        return TargetKey(
            self.kind, self.deal_id, self.company_id, self.regulator_id, self.search_query
        )

    @property
    def reports_new_deals(self) -> bool:
        """Company and search subscriptions also say when a new deal matches them."""
        return self.kind in (SubscriptionKind.COMPANY, SubscriptionKind.SEARCH) and (
            not self.event_kinds or EventKind.ANNOUNCED in self.event_kinds
        )

    @property
    def reports_status_changes(self) -> bool:
        """Every subscription hears of status changes, unless it asked only for kinds of event
        that are not decisions (then only of changes those kinds of event caused)."""
        return not self.event_kinds or EventKind.DECISION in self.event_kinds

    def wants_event(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds

    def wants_new_deal(self, _kind: None = None) -> bool:
        return self.reports_new_deals

    def wants_status_change(self, event_kind: str | None) -> bool:
        """`event_kind`: the kind of the event that caused the change, if an event did."""
        return self.reports_status_changes or event_kind in self.event_kinds

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
        return changes


# --- Digest runs and deliveries -----------------------------------------------------------


class DigestRun(models.Model):
    """One period of one frequency (the daily digest of 3 March). Unique, so a second start of
    the same period joins the first instead of sending again."""

    frequency = models.CharField(max_length=20, choices=Frequency)
    period_start = models.DateTimeField(
        help_text="Start of the period: the day, the week's Monday, or the few-minute slot."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while running, or when a run died half-way."
    )
    parts_done = models.PositiveIntegerField(
        default=0,
        help_text="One bit per worker's part (DIGEST_WORKERS) that has finished; the run is "
        "finished when all are set.",
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

    def in_part(self, part: int, parts: int) -> DeliveryQuerySet:
        """Deliveries to the subscribers of Subscriber.objects.in_part(part, parts)."""
        if parts == 1:
            return self
        return self.alias(part=Mod("subscriber_id", parts)).filter(part=part)

    def stale(self, older_than: datetime.timedelta) -> DeliveryQuerySet:
        """Pending deliveries nobody has finished: their worker died, or sending keeps failing."""
        return self.pending().filter(created_at__lt=timezone.now() - older_than)


class Delivery(models.Model):
    """One email to one subscriber for one run. Created, with its items, before sending."""

    # Found by subscriber through one_delivery_per_run's index, which leads with it.
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    run = models.ForeignKey(DigestRun, on_delete=models.CASCADE, related_name="deliveries")
    # Indexed only where it is pending or failed (Meta.indexes): what is looked for by status.
    status = models.CharField(
        max_length=20,
        choices=DeliveryStatus,
        default=DeliveryStatus.PENDING,
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
        # The deliveries looked for by status are the few not sent: the pending (the sweeper's
        # stale ones by created_at, an earlier run's leftovers) and the failed (the admin's
        # filter). A partial index of those only: marking an email sent, the UPDATE most
        # digests end with, adds nothing to it, where an index of every status (and the
        # varchar_pattern_ops LIKE index Django adds beside it, which nothing used) got an
        # entry each.
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
                name="delivery_unsent",
            )
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
