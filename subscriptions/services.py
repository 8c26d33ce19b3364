"""Writes: subscribing, managing subscriptions, and sending digests.

How a digest run stays safe to repeat, modelled on GOV.UK's email-alert-api:

1. `digest_run_start` gets or creates the DigestRun of (frequency, period). Unique, so a second
   start of the same period, by hand or by beat, joins the first.
2. `delivery_prepare` creates the subscriber's Delivery for the run together with DigestItems
   claiming every event not yet in any digest of each subscription, in one transaction. The
   unique constraints on Delivery (subscriber, run) and DigestItem (subscription, event) decide
   every race: the loser finds the winner's rows and adds nothing.
3. `delivery_send` locks the pending delivery (SELECT ... FOR UPDATE SKIP LOCKED), sends, and
   marks it sent in the same transaction. A worker that dies before the commit leaves it pending;
   the next run of the frequency, or the sweeper, sends it. Another worker never waits for the
   lock: it skips the row, which is being sent.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from deals.models import Company, Deal, Event, Regulator, StatusChange

from .digest import EVENT_RELATED, Digest, absolute, digest_build
from .emails import email_make
from .models import (
    Delivery,
    DeliveryStatus,
    DigestItem,
    DigestRun,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
    normalise_email,
)
from .tokens import (
    CONFIRM_MAX_AGE,
    InvalidToken,
    confirm_token_make,
    confirm_token_read,
    issued_at,
    manage_link_max_age,
    manage_token_make,
    manage_token_read,
    unsubscribe_token_make,
    unsubscribe_token_read,
)

logger = logging.getLogger(__name__)


# --- Links --------------------------------------------------------------------------------


def manage_url(subscriber: Subscriber) -> str:
    """A fresh manage link (it expires: see tokens.py)."""
    return absolute(reverse("subscriptions:manage", args=[manage_token_make(subscriber.uuid)]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(
        reverse("subscriptions:unsubscribe", args=[unsubscribe_token_make(subscriber.uuid)])
    )


def subscriber_managing(*, token: str) -> Subscriber | None:
    """The subscriber a manage link is for; None when it is bad, expired, or older than their
    last unsubscribe (an old email must not reopen what they closed)."""
    try:
        subscriber_uuid, issued = manage_token_read(token)
    except InvalidToken:
        return None
    subscriber = Subscriber.objects.filter(uuid=subscriber_uuid).first()
    if subscriber is None or (subscriber.unsubscribed_at and issued <= subscriber.unsubscribed_at):
        return None
    return subscriber


def subscriber_unsubscribing(*, token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link is for; None when it is bad."""
    try:
        return Subscriber.objects.filter(uuid=unsubscribe_token_read(token)).first()
    except InvalidToken:
        return None


def manage_link_send(*, email: str) -> bool:
    """Email a fresh manage link to `email` if it is a subscriber's address; nothing to anyone
    else, so the form that asks cannot be used to write to strangers. Runs in a task."""
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is None:
        return False
    email_make(
        "manage-link",
        {"manage_url": manage_url(subscriber), "expires_days": manage_link_max_age().days},
        to=subscriber.email,
    ).send()
    return True


# --- Subscribing --------------------------------------------------------------------------


def subscription_draft(
    *, kind: str, target_id: int | None, search_query: str, frequency: str, event_kinds: list[str]
) -> Subscription:
    """An unsaved subscription, to describe a request before anything is stored."""
    subscription = Subscription(
        kind=kind, frequency=frequency, event_kinds=sorted(event_kinds), search_query=""
    )
    if kind == SubscriptionKind.SEARCH:
        subscription.search_query = search_query
    else:
        setattr(subscription, f"{kind}_id", target_id)
    return subscription


def subscription_request(
    *,
    email: str,
    kind: str,
    target_id: int | None = None,
    search_query: str = "",
    frequency: str,
    event_kinds: list[str],
) -> None:
    """Email a confirmation link. Nothing is stored: the signed link carries the request.

    Runs in a Celery task (tasks.send_confirmation), which retries when the mail server
    refuses, so that the page answers at once and the same whatever happens here.
    """
    email = normalise_email(email)
    request = {
        "e": email,
        "k": kind,
        "t": target_id,
        "q": search_query,
        "f": frequency,
        "ek": sorted(event_kinds),
    }
    draft = subscription_draft(
        kind=kind,
        target_id=target_id,
        search_query=search_query,
        frequency=frequency,
        event_kinds=event_kinds,
    )
    token = confirm_token_make(request)
    # The address is not confirmed: it may be anyone's. Tell it nothing the requester typed (a
    # saved search's words, or its query string in a link); the confirm page shows the search.
    is_search = kind == SubscriptionKind.SEARCH
    message = email_make(
        "confirm",
        {
            "subscription": draft,
            "about": "a saved search on Dealwatch" if is_search else draft.label,
            "confirm_url": absolute(reverse("subscriptions:confirm", args=[token])),
            "target_url": "" if is_search else absolute(draft.get_target_url()),
            "expires_days": CONFIRM_MAX_AGE.days,
        },
        to=email,
    )
    message.send()


def _requested(token: str) -> tuple[dict, Subscription]:
    request = confirm_token_read(token)
    draft = subscription_draft(
        kind=request["k"],
        target_id=request["t"],
        search_query=request["q"],
        frequency=request["f"],
        event_kinds=request["ek"],
    )
    if draft.kind != SubscriptionKind.SEARCH:
        targets = {
            SubscriptionKind.DEAL: Deal.objects.published(),
            SubscriptionKind.COMPANY: Company.objects.all(),
            SubscriptionKind.REGULATOR: Regulator.objects.all(),
        }[draft.kind]
        if not targets.filter(pk=request["t"]).exists():
            raise InvalidToken("What the link is about is no longer on the site.")
    _not_overtaken(request["e"], draft, issued=issued_at(request))
    return request, draft


def _not_overtaken(email: str, draft: Subscription, *, issued: datetime.datetime) -> None:
    """An unsubscribed person stays unsubscribed: a link sent before they unsubscribed from
    everything, or before they removed this very subscription, subscribes nobody."""
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is None:
        return
    if subscriber.unsubscribed_at and subscriber.unsubscribed_at >= issued:
        raise InvalidToken("The subscriber unsubscribed after this link was sent.")
    removed_since = subscriber.subscriptions.filter(
        kind=draft.kind,
        deal_id=draft.deal_id,
        company_id=draft.company_id,
        regulator_id=draft.regulator_id,
        search_query=draft.search_query,
        ended_at__gte=issued,
    )
    if removed_since.exists():
        raise InvalidToken("The subscriber removed this subscription after the link was sent.")


def subscription_requested(*, token: str) -> tuple[str, Subscription]:
    """The address and the (unsaved) subscription a confirmation link asks for.

    Raises InvalidToken for a bad or expired link, or one whose target is no longer public.
    """
    request, draft = _requested(token)
    return request["e"], draft


def subscription_confirm(*, token: str) -> tuple[Subscription, bool]:
    """Create the subscription a confirmation link asks for; (subscription, created).

    Following the link twice is harmless: the second time finds the live subscription.
    Raises InvalidToken like subscription_requested.
    """
    request, draft = _requested(token)
    email = request["e"]
    now = timezone.now()
    issued = issued_at(request)

    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
        # Following a link we emailed proves the address works, bounce or not.
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        Subscriber.objects.filter(pk=subscriber.pk, disabled_at__isnull=False).update(
            disabled_at=None, disabled_reason=""
        )
        target = {
            "kind": draft.kind,
            "deal_id": draft.deal_id,
            "company_id": draft.company_id,
            "regulator_id": draft.regulator_id,
            "search_query": draft.search_query,
        }
        existing = subscriber.subscriptions.active().filter(**target).first()
        if existing is not None:
            # A newer request for the same thing changes how often; an old link does nothing.
            Subscription.objects.filter(pk=existing.pk, updated_at__lt=issued).update(
                frequency=draft.frequency, event_kinds=draft.event_kinds, updated_at=now
            )
            existing.refresh_from_db()
            return existing, False
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    subscriber=subscriber,
                    frequency=draft.frequency,
                    event_kinds=draft.event_kinds,
                    started_at=now,
                    **target,
                )
        except IntegrityError:  # the same link followed twice at the same moment
            return subscriber.subscriptions.active().get(**target), False
    return subscription, True


# --- Managing -----------------------------------------------------------------------------


def subscription_change(
    *, subscription: Subscription, frequency: str, event_kinds: list[str]
) -> None:
    Subscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(
        frequency=frequency, event_kinds=sorted(event_kinds), updated_at=timezone.now()
    )


def subscription_end(*, subscription: Subscription) -> bool:
    return bool(
        Subscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
    )


def subscriber_unsubscribe(*, subscriber: Subscriber) -> int:
    """End every subscription of the subscriber; the number ended (0 the second time).

    Manage and confirmation links sent before now stop working (see tokens.py)."""
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=now)
        return subscriber.subscriptions.active().update(ended_at=now)


def subscriber_disable(*, subscriber: Subscriber, reason: str) -> bool:
    """Stop all email to an address that bounces; following a new confirmation link re-enables
    it."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk, disabled_at__isnull=True).update(
            disabled_at=timezone.now(), disabled_reason=reason[:200]
        )
    )


def subscriber_enable(*, subscriber: Subscriber) -> bool:
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk, disabled_at__isnull=False).update(
            disabled_at=None, disabled_reason=""
        )
    )


# --- Digests ------------------------------------------------------------------------------


def period_start(*, frequency: str, now: datetime.datetime) -> datetime.datetime:
    """The start of the period `now` falls in: the few-minute slot, the day, the week."""
    if frequency == Frequency.IMMEDIATELY:
        seconds = settings.DIGEST_IMMEDIATE_EVERY_MINUTES * 60
        stamp = int(now.timestamp())
        return datetime.datetime.fromtimestamp(stamp - stamp % seconds, tz=datetime.UTC)
    local = timezone.localtime(now)
    if frequency == Frequency.WEEKLY:
        local -= datetime.timedelta(days=local.weekday())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def digest_run_start(*, frequency: str, now: datetime.datetime) -> DigestRun:
    run, _ = DigestRun.objects.get_or_create(
        frequency=frequency, period_start=period_start(frequency=frequency, now=now)
    )
    return run


class _NothingClaimed(Exception):
    pass


def _claims(subscriptions) -> list[DigestItem]:
    claims = []
    for subscription in subscriptions:
        claims += [
            DigestItem(subscription=subscription, event_id=pk)
            for pk in subscription.unsent_events().values_list("pk", flat=True)
        ]
        claims += [
            DigestItem(subscription=subscription, deal_id=pk)
            for pk in subscription.unsent_new_deals().values_list("pk", flat=True)
        ]
        claims += [
            DigestItem(subscription=subscription, status_change_id=pk)
            for pk in subscription.unsent_status_changes().values_list("pk", flat=True)
        ]
    return claims


def delivery_prepare(*, run: DigestRun, subscriber_id: int) -> Delivery | None:
    """The subscriber's delivery for the run, created with its items; None if nothing is new."""
    existing = Delivery.objects.filter(run=run, subscriber_id=subscriber_id).first()
    if existing is not None:
        return existing
    subscriptions = Subscription.objects.active().filter(
        subscriber_id=subscriber_id, frequency=run.frequency
    )
    claims = _claims(subscriptions)
    if not claims:
        return None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(run=run, subscriber_id=subscriber_id)
            for claim in claims:
                claim.delivery = delivery
            # Another run may have claimed some of these since we looked: those are skipped.
            DigestItem.objects.bulk_create(claims, ignore_conflicts=True)
            if not delivery.items.exists():
                raise _NothingClaimed
    except IntegrityError:  # another worker prepared this subscriber's delivery first
        return Delivery.objects.get(run=run, subscriber_id=subscriber_id)
    except _NothingClaimed:
        return None
    return delivery


def delivery_digest(delivery: Delivery) -> Digest:
    """What a delivery says, read at sending time: public content of live subscriptions only."""
    items = delivery.items.filter(subscription__ended_at__isnull=True)
    events = (
        Event.objects.public()
        .filter(pk__in=items.filter(event__isnull=False).values("event"))
        .select_related(*EVENT_RELATED)
        .order_by("occurred_on", "pk")
    )
    new_deals = Deal.objects.published().filter(
        pk__in=items.filter(event__isnull=True, deal__isnull=False).values("deal")
    )
    changes = StatusChange.objects.filter(
        deal__is_published=True,
        pk__in=items.filter(status_change__isnull=False).values("status_change"),
    )
    return digest_build(events=events, new_deals=new_deals, status_changes=changes)


def digest_preview(*, subscriber: Subscriber, frequency: str) -> Digest:
    """What the subscriber's next digest of `frequency` would say now. Writes nothing."""
    subscriptions = list(subscriber.subscriptions.active().filter(frequency=frequency))
    event_ids: set[int] = set()
    deal_ids: set[int] = set()
    change_ids: set[int] = set()
    for subscription in subscriptions:
        event_ids.update(subscription.unsent_events().values_list("pk", flat=True))
        deal_ids.update(subscription.unsent_new_deals().values_list("pk", flat=True))
        change_ids.update(subscription.unsent_status_changes().values_list("pk", flat=True))
    events = (
        Event.objects.filter(pk__in=event_ids)
        .select_related(*EVENT_RELATED)
        .order_by("occurred_on", "pk")
    )
    return digest_build(
        events=events,
        new_deals=Deal.objects.filter(pk__in=deal_ids),
        status_changes=StatusChange.objects.filter(pk__in=change_ids),
    )


def digest_email(*, subscriber: Subscriber, digest: Digest, frequency: str):
    subscriptions = subscriber.subscriptions.active().with_targets()
    unsubscribe = unsubscribe_url(subscriber)
    return email_make(
        "digest",
        {
            "digest": digest,
            "frequency": Frequency(frequency).label,
            "subscriptions": subscriptions,
            "manage_url": manage_url(subscriber),
            "unsubscribe_url": unsubscribe,
        },
        to=subscriber.email,
        # RFC 8058 one-click unsubscribe: mail clients POST to the https URL.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def delivery_send(*, delivery_id: int) -> str:
    """Send a pending delivery once; returns 'sent', 'skipped' or 'failed'."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscriber", "run")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:  # already sent, or another worker is sending it right now
            return DeliveryStatus.SKIPPED
        subscriber = delivery.subscriber
        digest = delivery_digest(delivery)
        if subscriber.is_disabled or not digest:
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SKIPPED)
            return DeliveryStatus.SKIPPED
        message = digest_email(
            subscriber=subscriber, digest=digest, frequency=delivery.run.frequency
        )
        attempts = delivery.attempts + 1
        try:
            message.send()
        except Exception as exc:  # refused, timed out: the sweeper tries again later
            status = (
                DeliveryStatus.FAILED
                if attempts >= settings.DIGEST_MAX_ATTEMPTS
                else DeliveryStatus.PENDING
            )
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000], status=status
            )
            logger.warning("Digest delivery %s failed: %s", delivery.pk, exc)
            return DeliveryStatus.FAILED
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            attempts=attempts,
            last_error="",
            subject=digest.subject[:300],
        )
    return DeliveryStatus.SENT


@dataclass
class RunSummary:
    frequency: str
    subscribers: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    would_send: int = 0
    dry_run: bool = False

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self) -> str:
        line = (
            f"frequency={self.frequency} subscribers={self.subscribers} sent={self.sent} "
            f"skipped={self.skipped} failed={self.failed}"
        )
        return f"{line} would_send={self.would_send} dry_run=1" if self.dry_run else line


Progress = Callable[[int, int, Subscriber, str, str], None]


def digest_run(
    *,
    frequency: str,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Send the digests of `frequency` for the period `now` is in. Safe to run again, or twice
    at once: what was sent is not sent again, what was not is sent."""
    now = now or timezone.now()
    summary = RunSummary(frequency=frequency, dry_run=dry_run)
    subscribers = list(Subscriber.objects.receiving(frequency).order_by("pk"))
    summary.subscribers = len(subscribers)

    if dry_run:  # says what would be sent; sends and writes nothing
        for i, subscriber in enumerate(subscribers, 1):
            digest = digest_preview(subscriber=subscriber, frequency=frequency)
            outcome = "would_send" if digest else DeliveryStatus.SKIPPED
            summary.count(outcome)
            if progress:
                progress(i, len(subscribers), subscriber, outcome, digest.subject if digest else "")
        return summary

    run = digest_run_start(frequency=frequency, now=now)
    # First what an earlier run of this frequency left pending (its worker died).
    leftovers = (
        Delivery.objects.pending()
        .filter(run__frequency=frequency, run__period_start__lt=run.period_start)
        .values_list("pk", flat=True)
    )
    for delivery_id in list(leftovers):
        outcome = delivery_send(delivery_id=delivery_id)
        if outcome != DeliveryStatus.SKIPPED:
            summary.count(outcome)

    for i, subscriber in enumerate(subscribers, 1):
        delivery = delivery_prepare(run=run, subscriber_id=subscriber.pk)
        outcome = delivery_send(delivery_id=delivery.pk) if delivery else DeliveryStatus.SKIPPED
        summary.count(outcome)
        if progress:
            subject = ""
            if delivery is not None and outcome == DeliveryStatus.SENT:
                subject = Delivery.objects.values_list("subject", flat=True).get(pk=delivery.pk)
            progress(i, len(subscribers), subscriber, outcome, subject)

    DigestRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=timezone.now())
    return summary


def digest_run_resume(*, run_id: int) -> RunSummary | None:
    """Finish a run that never finished (its worker died before reaching every subscriber)."""
    run = DigestRun.objects.filter(pk=run_id, finished_at__isnull=True).first()
    if run is None:
        return None
    return digest_run(frequency=run.frequency, now=run.period_start)


def deliveries_to_retry() -> list[int]:
    """Pending deliveries older than DIGEST_STALE_AFTER_MINUTES: their worker died, or sending
    failed and may work now."""
    older_than = datetime.timedelta(minutes=settings.DIGEST_STALE_AFTER_MINUTES)
    return list(Delivery.objects.stale(older_than).values_list("pk", flat=True))


def digest_runs_to_resume() -> list[int]:
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.DIGEST_STALE_AFTER_MINUTES)
    return list(
        DigestRun.objects.filter(finished_at__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
