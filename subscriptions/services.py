"""Writes: subscribing, managing subscriptions, and sending digests.

How a digest run stays safe to repeat, modelled on GOV.UK's email-alert-api:

1. `digest_run_start` gets or creates the DigestRun of (frequency, period). Unique, so a second
   start of the same period, by hand or by beat, joins the first.
2. `deliveries_prepare`, for a batch of DIGEST_BATCH_SIZE subscribers, creates each one's
   Delivery for the run together with DigestItems claiming every event, new deal and status
   change not yet in any digest of each subscription, in one transaction. The unique
   constraints on Delivery (subscriber, run) and DigestItem (subscription, event) decide every
   race: the loser finds the winner's rows and adds nothing.
3. `deliveries_send` builds the batch's digests together, locks its deliveries (an advisory
   lock each, taken in one query: `deliveries_locked`), then sends them over one SMTP
   connection, marking each sent in one statement committed as soon as the server accepted it.
   A worker that stops half-way has recorded what it sent; the rest stay pending, and the next
   run of the frequency, or the sweeper, sends them. Another worker never waits for a lock: it
   skips the deliveries, which are being sent.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import string
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from deals.models import Company, Deal, Event, Regulator, StatusChange

from .addresses import NotAMailbox, stored_form
from .digest import (
    EVENT_DEFERRED,
    EVENT_RELATED,
    Digest,
    DigestShared,
    absolute,
    deals_for_digest,
    digest_build,
    without_search_columns,
)
from .emails import BatchConnection, digest_cards, dropped, email_make
from .models import (
    Delivery,
    DeliveryStatus,
    DigestItem,
    DigestRun,
    Frequency,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from .selectors import unsent_content
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
    return absolute(token_path("subscriptions:manage", manage_token_make(subscriber.uuid)))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(
        token_path("subscriptions:unsubscribe", unsubscribe_token_make(subscriber.uuid))
    )


# What a signed token is made of (base64url and colons): characters that reverse() leaves as
# they are in a path.
TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_:")


def token_path(name: str, token: str) -> str:
    """reverse(name, args=[token]) for a URL whose one argument is a token, reversed once per
    name and script prefix (reverse() is most of what making a link costs, and each digest
    has two): the path around a stand-in token, the token put in its place."""
    if not TOKEN_CHARACTERS.issuperset(token):
        return reverse(name, args=[token])
    before, after = _around_token(name, get_script_prefix())
    return f"{before}{token}{after}"


@functools.cache
def _around_token(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_STAND_IN]).partition(_STAND_IN)
    return before, after


_STAND_IN = "tokenStandIn"


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
    try:
        email = stored_form(email)
    except NotAMailbox:  # an address literal, queued before the form refused them
        return False
    subscriber = Subscriber.objects.filter(email=email).first()
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

    The link and the email carry the address as it is sent (addresses.stored_form); an address
    literal raises AddressLiteral (the forms refuse it before it gets here).

    Runs in a Celery task (tasks.send_confirmation), which retries when the mail server
    refuses, so that the page answers at once and the same whatever happens here.
    """
    email = stored_form(email)
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
    try:
        # A link sent before addresses were parsed as they are sent carries the old spelling.
        request["e"] = stored_form(request["e"])
    except NotAMailbox as exc:
        raise InvalidToken(f"The address in the link is not taken any more: {exc}") from exc
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


def deliveries_prepare(*, run: DigestRun, subscriber_ids: list[int]) -> dict[int, Delivery]:
    """Each subscriber's delivery for the run, keyed by subscriber id, created together with
    DigestItems claiming what is new for each of their subscriptions, in one transaction and a
    fixed number of queries. A subscriber with nothing new gets none."""
    deliveries = {
        d.subscriber_id: d for d in Delivery.objects.filter(run=run, subscriber__in=subscriber_ids)
    }
    subscriptions = list(
        Subscription.objects.active().filter(
            subscriber__in=[pk for pk in subscriber_ids if pk not in deliveries],
            frequency=run.frequency,
        )
    )
    claims: dict[int, list[DigestItem]] = {}
    unsent = unsent_content(subscriptions)
    for subscription in subscriptions:
        content = unsent[subscription.pk]
        if not content:
            continue
        claims.setdefault(subscription.subscriber_id, []).extend(
            [DigestItem(subscription=subscription, event_id=pk) for pk in content.events]
            + [DigestItem(subscription=subscription, deal_id=pk) for pk in content.new_deals]
            + [
                DigestItem(subscription=subscription, status_change_id=pk)
                for pk in content.status_changes
            ]
        )
    if not claims:
        return deliveries
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(
                Delivery(run=run, subscriber_id=pk) for pk in claims
            )
            for delivery in created:
                for claim in claims[delivery.subscriber_id]:
                    claim.delivery = delivery
            # Another run may have claimed some of these since we looked: those are skipped,
            # and a delivery left with nothing to say is not kept.
            DigestItem.objects.bulk_create(
                [claim for items in claims.values() for claim in items], ignore_conflicts=True
            )
            empty = Delivery.objects.filter(pk__in=[d.pk for d in created]).exclude(
                Exists(DigestItem.objects.filter(delivery=OuterRef("pk")))
            )
            empty_ids = set(empty.values_list("pk", flat=True))
            if empty_ids:
                Delivery.objects.filter(pk__in=empty_ids).delete()
    except IntegrityError:  # another worker prepared some of these subscribers first
        if len(subscriber_ids) == 1:
            return {subscriber_ids[0]: Delivery.objects.get(run=run, subscriber=subscriber_ids[0])}
        for pk in subscriber_ids:  # rare: one at a time, each finding the other's delivery
            deliveries.update(deliveries_prepare(run=run, subscriber_ids=[pk]))
        return deliveries
    deliveries.update({d.subscriber_id: d for d in created if d.pk not in empty_ids})
    return deliveries


def deliveries_digests(
    deliveries: list[Delivery], *, shared: DigestShared | None = None
) -> dict[int, Digest]:
    """What each delivery says, read at sending time: public content of live subscriptions
    only. A fixed number of queries for the whole batch; keyed by delivery id.

    `shared`: what earlier batches of the run worked out (the deals with their jurisdiction
    lines, each deal's title and link), kept by the caller and added to here: a deal many
    subscribers follow is read once a run."""
    shared = DigestShared() if shared is None else shared
    claimed: dict[int, tuple[set, set, set]] = {d.pk: (set(), set(), set()) for d in deliveries}
    items = DigestItem.objects.filter(delivery__in=claimed, subscription__ended_at__isnull=True)
    for delivery, event, deal, change in items.values_list(
        "delivery", "event", "deal", "status_change"
    ):
        events, new_deals, changes = claimed[delivery]
        if event:
            events.add(event)
        elif change:
            changes.add(change)
        else:
            new_deals.add(deal)
    event_ids, deal_ids, change_ids = (
        {pk for ids in claimed.values() for pk in ids[n]} for n in range(3)
    )
    events = list(
        Event.objects.public()
        .filter(pk__in=event_ids)
        .select_related(*EVENT_RELATED)
        .defer(*EVENT_DEFERRED)
        .order_by("occurred_on", "pk")
    )
    new_deals = list(
        Deal.objects.published().filter(pk__in=deal_ids).defer(*without_search_columns(""))
    )
    changes = list(
        StatusChange.objects.filter(deal__is_published=True, pk__in=change_ids)
        .select_related("regulator", "event", "inquiry__regulator", "inquiry__deal")
        .defer(*without_search_columns("inquiry", "inquiry__deal"))
    )
    shown = {d.pk for d in new_deals} | {c.deal_id for c in changes}
    shown |= {e.timeline_deal_id for e in events if e.timeline_deal_id is not None}
    deals = shared.deals
    if shown - deals.keys():
        deals.update(deals_for_digest(shown - deals.keys()))
    order = {(type(obj), obj.pk): n for n, obj in enumerate([*events, *new_deals, *changes])}
    by_id = {(type(obj), obj.pk): obj for obj in [*events, *new_deals, *changes]}

    def mine(model, ids: set) -> list:  # in the order read, which the digest keeps
        found = [(model, pk) for pk in ids if (model, pk) in by_id]
        return [by_id[key] for key in sorted(found, key=order.__getitem__)]

    digests = {
        pk: digest_build(
            events=mine(Event, ids[0]),
            new_deals=mine(Deal, ids[1]),
            status_changes=mine(StatusChange, ids[2]),
            deals=deals,
            heads=shared.heads,
        )
        for pk, ids in claimed.items()
    }
    for deal in deals.values():  # their lines are worked out: the inquiries they read can go
        if hasattr(deal, "_digest_states"):
            deal._prefetched_objects_cache = {}
    return digests


def digest_preview(*, subscriber: Subscriber, frequency: str) -> Digest:
    """What the subscriber's next digest of `frequency` would say now. Writes nothing."""
    subscriptions = list(subscriber.subscriptions.active().filter(frequency=frequency))
    unsent = unsent_content(subscriptions).values()
    events = (
        Event.objects.filter(pk__in=[pk for content in unsent for pk in content.events])
        .select_related(*EVENT_RELATED)
        .order_by("occurred_on", "pk")
    )
    return digest_build(
        events=events,
        new_deals=Deal.objects.filter(pk__in=[pk for c in unsent for pk in c.new_deals]),
        status_changes=StatusChange.objects.filter(
            pk__in=[pk for content in unsent for pk in content.status_changes]
        ),
    )


def digest_email(
    *,
    subscriber: Subscriber,
    digest: Digest,
    frequency: str,
    subscriptions: list[Subscription | Followed] | None = None,
    cards: dict[str, tuple[str, str]] | None = None,
):
    """`subscriptions`: the subscriber's live ones (or their labels: Followed), when already read.
    `cards`: the deals' cards the run rendered so far (DigestShared.cards), added to here."""
    if subscriptions is None:
        subscriptions = subscriber.subscriptions.active().with_targets()
    unsubscribe = unsubscribe_url(subscriber)
    cards_html, cards_text = digest_cards(digest.groups, kept=cards)
    return email_make(
        "digest",
        {
            "digest": digest,
            "cards_text": cards_text,
            "frequency": Frequency(frequency).label,
            "subscriptions": subscriptions,
            "manage_url": manage_url(subscriber),
            "unsubscribe_url": unsubscribe,
        },
        to=subscriber.email,
        inlined=("cards_html", cards_html),  # each card inlined once a run
        # RFC 8058 one-click unsubscribe: mail clients POST to the https URL.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


class Followed(NamedTuple):
    """A subscription as a digest's footer shows it (digest_email's `subscriptions`)."""

    label: str


@dataclass
class SendOutcome:
    """What became of one delivery in deliveries_send: its status, and the subject if sent."""

    status: str
    subject: str = ""


def deliveries_send(
    *, delivery_ids: list[int], shared: DigestShared | None = None
) -> dict[int, SendOutcome]:
    """Send the pending deliveries among `delivery_ids` over one SMTP connection, and record
    each outcome; returns them by delivery id ('sent', 'skipped' or 'failed').

    `shared`: what the run's earlier batches worked out (DigestShared), added to here.

    The batch's digests are built together (a fixed number of queries) and its deliveries
    locked together (deliveries_locked): a second worker skips a delivery being sent instead
    of waiting or sending it again. Each email's outcome is then one conditional UPDATE,
    committed as it is sent, so that a hard kill (SIGKILL, power loss) can send at most the one
    message in flight twice, as before batching. A refused message is recorded as a failed
    attempt and the rest of the batch still goes. When the server has closed the connection
    the batch kept open (emails.dropped), the email is tried again at once over a fresh one, as
    a further attempt within DIGEST_MAX_ATTEMPTS: what the sweeper would otherwise do half an
    hour later.

    The emails go one at a time, each recorded before the next is handed to the server, but the
    next one is rendered while the server takes the last (`EmailSending`): the worker's CPU and
    the SMTP exchange overlap, the order of sending and recording does not change.
    """
    outcomes = {pk: SendOutcome(DeliveryStatus.SKIPPED) for pk in delivery_ids}
    deliveries = list(
        Delivery.objects.select_related("subscriber", "run")
        .filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING)
        .order_by("pk")
    )
    if not deliveries:  # already sent
        return outcomes
    shared = DigestShared() if shared is None else shared
    digests = deliveries_digests(deliveries, shared=shared)
    # The footer names each live subscription (Subscription.label): their labels are read, as
    # values, not the subscriptions and their targets.
    live = Subscription.objects.active().filter(
        subscriber__in=[d.subscriber_id for d in deliveries]
    )
    following: dict[int, list[Followed]] = {}
    for subscriber_id, *values in live.values_list("subscriber", *Subscription.LABEL_VALUES):
        following.setdefault(subscriber_id, []).append(Followed(Subscription.labelled(*values)))
    with deliveries_locked([d.pk for d in deliveries]) as attempts:
        # Those sent meanwhile, or that another worker is sending, are not ours.
        mine = [d for d in deliveries if d.pk in attempts]
        # Nothing left to say, or the address bounces: skipped, in one statement.
        quiet = [d.pk for d in mine if d.subscriber.is_disabled or not digests[d.pk]]
        if quiet:
            Delivery.objects.pending().filter(pk__in=quiet).update(status=DeliveryStatus.SKIPPED)
        with BatchConnection() as smtp, EmailSending(smtp) as sending:
            for delivery in mine:
                if delivery.pk in quiet:
                    continue
                digest = digests[delivery.pk]
                message = digest_email(
                    subscriber=delivery.subscriber,
                    digest=digest,
                    frequency=delivery.run.frequency,
                    subscriptions=following.get(delivery.subscriber_id, []),
                    cards=shared.cards,
                )
                # The previous email's outcome first (recorded, committed), then this one goes.
                outcomes.update(sending.finish())
                sending.start(delivery, attempts[delivery.pk], message, digest.subject)
            outcomes.update(sending.finish())
    return outcomes


class EmailSending:
    """A batch's emails handed to the SMTP server one at a time by a thread of their own, so
    that the worker renders the next email while the server takes this one (the exchange is
    mostly waiting for the server's replies).

    `start` hands an email over; `finish` waits for the server's answer and records it (one
    statement, committed) before anything else is sent, so that, as without the thread, at most
    the one email in flight can be sent again after a hard kill. Only the thread talks to the
    SMTP server; only the caller's thread uses the database."""

    def __init__(self, smtp: BatchConnection):
        self.smtp = smtp
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-smtp")
        self.sending: tuple | None = None  # (delivery, attempts, message, subject, reused, future)

    def start(self, delivery: Delivery, attempts: int, message, subject: str) -> None:
        assert self.sending is None, "one email at a time"
        reused = self.smtp.reused  # nothing is being sent: the connection's state is settled
        future = self.pool.submit(self.smtp.send, message)
        self.sending = (delivery, attempts + 1, message, subject, reused, future)

    def finish(self) -> dict[int, SendOutcome]:
        """The outcome of the email being sent, if any, recorded; raises what killed it (a
        BaseException: the worker is stopping)."""
        if self.sending is None:
            return {}
        delivery, attempts, message, subject, reused, future = self.sending
        self.sending = None
        while True:
            try:
                future.result()
                break
            except Exception as exc:  # refused, timed out: the sweeper tries again later
                if reused and dropped(exc) and attempts < settings.DIGEST_MAX_ATTEMPTS:
                    # The server closed the connection it kept for the batch's earlier emails:
                    # this email again at once, over a fresh connection, as a further attempt.
                    logger.info("Digest delivery %s: connection dropped, reopening", delivery.pk)
                    attempts += 1
                    reused = self.smtp.reused
                    future = self.pool.submit(self.smtp.send, message)
                    continue
                return {delivery.pk: _delivery_failed(delivery, attempts, exc)}
        _delivery_sent(delivery, attempts, subject)
        return {delivery.pk: SendOutcome(DeliveryStatus.SENT, subject[:300])}

    def __enter__(self) -> EmailSending:
        return self

    def __exit__(self, *exc_info) -> None:
        # Whatever stopped the batch (rendering the next email failed, the task is being
        # stopped), the email in flight is let finish and its outcome recorded first.
        try:
            self.finish()
        finally:
            self.pool.shutdown(wait=True)


# An email the server accepted, recorded in one statement that commits on its own (autocommit),
# written once: the ORM would build and compile the same UPDATE for every email.
_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, attempts = %s,"
    " last_error = '', subject = %s WHERE id = %s AND status = %s"
)


def _delivery_sent(delivery: Delivery, attempts: int, subject: str) -> None:
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [DeliveryStatus.SENT.value, sent_at, attempts, subject[:300], delivery.pk]
    with connection.cursor() as cursor:
        cursor.execute(_SENT, [*params, DeliveryStatus.PENDING.value])


def _delivery_failed(delivery: Delivery, attempts: int, exc: Exception) -> SendOutcome:
    """A refused or failed send: a further attempt, failed for good after the last."""
    failed = attempts >= settings.DIGEST_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
    )
    logger.warning("Digest delivery %s failed: %s", delivery.pk, exc)
    return SendOutcome(DeliveryStatus.FAILED)


@contextlib.contextmanager
def deliveries_locked(delivery_ids: list[int]) -> Iterator[dict[int, int]]:
    """Lock the deliveries for this worker until the block ends; yields the attempts made so
    far of those still pending that it locked (another worker holds the rest, or sent them).

    The lock is a PostgreSQL advisory lock of the session, keyed by the table and the id, one
    query for the batch: like SELECT ... FOR UPDATE SKIP LOCKED it never waits and it ends with
    the worker's connection (a killed worker's deliveries are free at once), but it outlives a
    transaction, so that each email's outcome is a statement committed on its own while the
    rest of the batch stays locked. The pending ones are read after locking: one sent by
    another worker before it let go is not sent again. SQLite lets one writer in at a time:
    no lock there."""
    ids = sorted(delivery_ids)
    locked = ids
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            lock = _LOCK.format("try_advisory_lock")
            cursor.execute(f"SELECT id FROM unnest(%s::bigint[]) AS t(id) WHERE {lock}", [ids])
            locked = [row[0] for row in cursor.fetchall()]
    try:
        yield dict(Delivery.objects.pending().filter(pk__in=locked).values_list("pk", "attempts"))
    finally:
        # A connection that is gone took its locks with it: nothing to let go, and nothing to
        # reconnect for.
        if connection.vendor == "postgresql" and locked and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {_LOCK.format('advisory_unlock')} FROM unnest(%s::bigint[]) AS t(id)",
                    [locked],
                )


# A delivery's advisory lock: the table's oid and the id (the convention PostgreSQL's manual
# suggests; this two-key space is apart from the one-key locks of ingest).
_LOCK = "pg_{}('subscriptions_delivery'::regclass::oid::int, (id & 2147483647)::int)"


def delivery_send(*, delivery_id: int) -> str:
    """Send a pending delivery once; returns 'sent', 'skipped' or 'failed'."""
    return deliveries_send(delivery_ids=[delivery_id])[delivery_id].status


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


# Told of each subscriber as a run goes: (number, total, subscriber, status, subject).
DigestRunProgress = Callable[[int, int, Subscriber, str, str], None]


def digest_run(
    *,
    frequency: str,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    progress: DigestRunProgress | None = None,
    part: int = 0,
    parts: int = 1,
) -> RunSummary:
    """Send the digests of `frequency` for the period `now` is in, in batches of
    DIGEST_BATCH_SIZE subscribers (a fixed number of queries and one SMTP connection each).
    Safe to run again, or twice at once: what was sent is not sent again, what was not is sent.

    `part` of `parts`: only the subscribers whose id modulo `parts` is `part`, so that several
    workers can share a run (tasks.send_digests); the run is finished when every part is."""
    now = now or timezone.now()
    summary = RunSummary(frequency=frequency, dry_run=dry_run)
    subscribers = list(Subscriber.objects.receiving(frequency).in_part(part, parts).order_by("pk"))
    summary.subscribers = total = len(subscribers)

    if dry_run:  # says what would be sent; sends and writes nothing
        for i, subscriber in enumerate(subscribers, 1):
            digest = digest_preview(subscriber=subscriber, frequency=frequency)
            outcome = "would_send" if digest else DeliveryStatus.SKIPPED
            summary.count(outcome)
            if progress:
                progress(i, total, subscriber, outcome, digest.subject if digest else "")
        return summary

    run = digest_run_start(frequency=frequency, now=now)
    # First what an earlier run of this frequency left pending (its worker died).
    leftovers = list(
        Delivery.objects.pending()
        .filter(run__frequency=frequency, run__period_start__lt=run.period_start)
        .in_part(part, parts)
        .values_list("pk", flat=True)
    )
    size = settings.DIGEST_BATCH_SIZE
    # What the run's digests share (deals, their titles and links, rendered cards), worked out
    # at their first digest of the run.
    shared = DigestShared()
    for start in range(0, len(leftovers), size):
        batch = leftovers[start : start + size]
        for outcome in deliveries_send(delivery_ids=batch, shared=shared).values():
            if outcome.status != DeliveryStatus.SKIPPED:
                summary.count(outcome.status)

    for start in range(0, total, size):
        batch = subscribers[start : start + size]
        deliveries = deliveries_prepare(run=run, subscriber_ids=[s.pk for s in batch])
        outcomes = deliveries_send(delivery_ids=[d.pk for d in deliveries.values()], shared=shared)
        for i, subscriber in enumerate(batch, start + 1):
            delivery = deliveries.get(subscriber.pk)
            outcome = outcomes[delivery.pk] if delivery else SendOutcome(DeliveryStatus.SKIPPED)
            summary.count(outcome.status)
            if progress:
                progress(i, total, subscriber, outcome.status, outcome.subject)

    digest_run_part_finish(run=run, part=part, parts=parts)
    return summary


def digest_run_part_finish(*, run: DigestRun, part: int, parts: int) -> None:
    """Record that `part` of the run is done; the run is finished once all its parts are. A bit
    per part, so that a part run twice counts once."""
    done = (1 << parts) - 1
    if parts > 1:
        DigestRun.objects.filter(pk=run.pk).update(parts_done=F("parts_done").bitor(1 << part))
    else:
        DigestRun.objects.filter(pk=run.pk).update(parts_done=done)
    DigestRun.objects.filter(pk=run.pk, finished_at__isnull=True, parts_done=done).update(
        finished_at=timezone.now()
    )


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
