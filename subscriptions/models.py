"""Subscribers, what they follow, and the digests we send them.

Delivery follows GOV.UK's email-alert-api: a DigestRun is unique per frequency and period, a
Delivery is unique per subscriber and run and exists before anything is sent, and a DigestItem
records that an event went into a subscription's digest; its unique constraint is what makes
"each event exactly once" true even when two runs race.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Mod
from django.urls import reverse
from django.utils import timezone

from deals.models import (
    Company,
    Deal,
    Event,
    EventKind,
    Inquiry,
    Party,
    Regulator,
    StatusChange,
)

# Saved searches' functions, importable from here as before they had a module of their own.
from .searches import canonical_search as canonical_search
from .searches import deals_matching, search_label


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

    @property
    def target_key(self) -> tuple:
        """What it follows: subscriptions with the same key match the same content."""
        return (self.kind, self.deal_id, self.company_id, self.regulator_id, self.search_query)

    def matching_events(self) -> models.QuerySet[Event]:
        """Events about its target, of every kind (unsent_content applies `event_kinds`)."""
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
        return events

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


@dataclass
class Unsent:
    """What one subscription has not had in any digest yet (ids, in no particular order)."""

    events: list[int] = field(default_factory=list)
    new_deals: list[int] = field(default_factory=list)
    status_changes: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.new_deals or self.status_changes)


def unsent_content(subscriptions: list[Subscription]) -> dict[int, Unsent]:
    """Per subscription, the recent events, new deals and status changes recorded since it
    started that no digest of it has had, as matching_events(), matching_deals() and
    matching_status_changes() define them, for many subscriptions at once: one query per
    distinct saved search (its FilterSet, for its deals) and a fixed number for the rest,
    whatever their number.

    Deal, company and search subscriptions are each a set of deals (a company's also the
    conduct inquiries about it): their news is read in one query per kind of news and told apart
    here. The news window (DIGEST_MAX_EVENT_AGE_DAYS) is applied in SQL; what differs between
    subscriptions of one target (started_at, event_kinds, what each already had) in Python.
    A backfill is history, not news: a change caused by an event that happened long ago, or by
    ingest recording a review closed long ago. An editor's correction is always news.
    """
    if not subscriptions:
        return {}
    oldest = oldest_news()
    since = min(s.started_at for s in subscriptions)
    by_target: dict[tuple, Subscription] = {s.target_key: s for s in subscriptions}

    # Which targets each deal (and each conduct inquiry) is news for.
    deal_keys: dict[int, set[tuple]] = {}
    inquiry_keys: dict[int, set[tuple]] = {}
    followed = [s.deal_id for s in by_target.values() if s.kind == SubscriptionKind.DEAL]
    for deal in Deal.objects.published().filter(pk__in=followed).values_list("pk", flat=True):
        deal_keys.setdefault(deal, set()).add(("deal", deal, None, None, ""))
    companies = {s.company_id for s in by_target.values() if s.kind == SubscriptionKind.COMPANY}
    if companies:
        parties = Party.objects.filter(company__in=companies, deal__is_published=True)
        for deal, company in parties.values_list("deal", "company"):
            deal_keys.setdefault(deal, set()).add(("company", None, company, None, ""))
        # Conduct cases: inquiries about the company that are not about one of its deals.
        links = Inquiry.companies.through.objects.filter(company__in=companies).filter(
            Q(inquiry__deal__isnull=True) | Q(inquiry__deal__is_published=True)
        )
        for inquiry, company in links.values_list("inquiry", "company"):
            inquiry_keys.setdefault(inquiry, set()).add(("company", None, company, None, ""))
    for search in [s for s in by_target.values() if s.kind == SubscriptionKind.SEARCH]:
        for deal in search.matching_deals().values_list("pk", flat=True):
            deal_keys.setdefault(deal, set()).add(search.target_key)
    regulators = {s.regulator_id for s in subscriptions if s.kind == SubscriptionKind.REGULATOR}

    # Rows of (target key, id, kind of event or None, when recorded or changed).
    events: list[tuple] = []
    recent_events = Event.objects.public().recorded_since(since).filter(occurred_on__gte=oldest)
    fields = ("pk", "kind", "recorded_at")
    if deal_keys or inquiry_keys:
        rows = recent_events.filter(Q(timeline_deal__in=deal_keys) | Q(inquiry__in=inquiry_keys))
        events += [
            (key, *row)
            for deal, inquiry, *row in rows.values_list("timeline_deal", "inquiry", *fields)
            for key in deal_keys.get(deal, set()) | inquiry_keys.get(inquiry, set())
        ]
    if regulators:
        rows = recent_events.filter(inquiry__regulator__in=regulators)
        events += [
            (("regulator", None, None, regulator, ""), *row)
            for regulator, *row in rows.values_list("inquiry__regulator", *fields)
        ]

    changes: list[tuple] = []
    recent_changes = (
        StatusChange.objects.filter(deal__is_published=True, changed_at__gt=since)
        .filter(Q(event__isnull=True) | Q(event__occurred_on__gte=oldest))
        .exclude(event__isnull=True, changed_by__isnull=True, inquiry__closed_on__lt=oldest)
    )
    fields = ("pk", "event__kind", "changed_at")
    if deal_keys:
        rows = recent_changes.filter(deal__in=deal_keys).values_list("deal", *fields)
        changes += [(key, *row) for deal, *row in rows for key in deal_keys[deal]]
    for regulator in regulators:  # its own lines, and the overall status of deals it reviews
        key = ("regulator", None, None, regulator, "")
        rows = recent_changes.filter(
            pk__in=by_target[key].matching_status_changes().values("pk")
        ).values_list(*fields)
        changes += [(key, *row) for row in rows]

    new_deals: list[tuple] = []
    if deal_keys:
        rows = (
            Deal.objects.filter(pk__in=deal_keys, created_at__gt=since)
            .filter(Q(announced_on__isnull=True) | Q(announced_on__gte=oldest))
            .values_list("pk", "created_at")
        )
        new_deals += [(key, pk, None, created) for pk, created in rows for key in deal_keys[pk]]

    already = _already_claimed(
        subscriptions,
        events={row[1] for row in events},
        new_deals={row[1] for row in new_deals},
        status_changes={row[1] for row in changes},
    )
    unsent = {s.pk: Unsent() for s in subscriptions}
    by_key: dict[tuple, list[Subscription]] = {}
    for subscription in subscriptions:
        by_key.setdefault(subscription.target_key, []).append(subscription)
    for name, rows, wanted in (
        ("events", events, Subscription.wants_event),
        ("new_deals", new_deals, Subscription.wants_new_deal),
        ("status_changes", changes, Subscription.wants_status_change),
    ):
        for key, pk, kind, moment in rows:
            for subscription in by_key[key]:
                if (
                    moment > subscription.started_at
                    and wanted(subscription, kind)
                    and (name, subscription.pk, pk) not in already
                ):
                    getattr(unsent[subscription.pk], name).append(pk)
    return unsent


def _already_claimed(
    subscriptions: list[Subscription], *, events: set, new_deals: set, status_changes: set
) -> set[tuple[str, int, int]]:
    """(what, subscription id, id) for each of these already in a digest of the subscription."""
    items = DigestItem.objects.filter(subscription__in=[s.pk for s in subscriptions]).filter(
        Q(event__in=events)
        | Q(event__isnull=True, status_change__isnull=True, deal__in=new_deals)
        | Q(status_change__in=status_changes)
    )
    already = set()
    for subscription, event, deal, change in items.values_list(
        "subscription", "event", "deal", "status_change"
    ):
        if event:
            already.add(("events", subscription, event))
        elif change:
            already.add(("status_changes", subscription, change))
        else:
            already.add(("new_deals", subscription, deal))
    return already


def oldest_news() -> datetime.date:
    """What happened before this is history, not news (a backfill is recorded, not emailed)."""
    return timezone.localdate() - datetime.timedelta(days=settings.DIGEST_MAX_EVENT_AGE_DAYS)


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
