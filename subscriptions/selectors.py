"""Reads across models for the digests: what each subscription has not had in any digest yet.

`unsent_content` is the one public read. It works for many subscriptions at once, in named
steps, each a fixed number of queries whatever the number of subscriptions (plus one per
distinct saved search, for its deals):

1. `news_targets`: which followed targets each published deal (and each conduct inquiry) is
   news for;
2. `recent_events`, `recent_status_changes`, `recent_new_deals`: the news of those deals,
   inquiries and regulators since the oldest subscription started, one `News` row per target
   it is news for;
3. `already_claimed`: which of those a digest of each subscription already had;
4. `unsent_by_subscription`: each row given to the subscriptions of its target that want it.

The news window (DIGEST_MAX_EVENT_AGE_DAYS, `oldest_news`) is applied in SQL; what differs
between subscriptions of one target (started_at, event_kinds, what each already had) in Python.
A backfill is history, not news: a change caused by an event that happened long ago, or by
ingest recording a review closed long ago. An editor's correction is always news.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from deals.models import Deal, Event, Inquiry, Party, StatusChange

from .models import DigestItem, Subscription, SubscriptionKind, TargetKey


@dataclass
class Unsent:
    """What one subscription has not had in any digest yet (ids, in no particular order)."""

    events: list[int] = field(default_factory=list)
    new_deals: list[int] = field(default_factory=list)
    status_changes: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.new_deals or self.status_changes)


class News(NamedTuple):
    """One piece of news for one target: an event, a new deal or a status change."""

    target: TargetKey
    pk: int
    event_kind: str | None  # the event's kind; for a status change, its cause's; None else
    moment: datetime.datetime  # when it was recorded, created or changed


class Claim(NamedTuple):
    """That a digest of `subscription` had the `what` ("events", ...) with id `pk`."""

    what: str
    subscription: int
    pk: int


@dataclass
class NewsTargets:
    """Which targets the news of each deal, each conduct inquiry and each regulator is for."""

    by_deal: dict[int, set[TargetKey]] = field(default_factory=dict)
    by_inquiry: dict[int, set[TargetKey]] = field(default_factory=dict)
    regulators: set[int] = field(default_factory=set)

    def add_deal(self, deal: int, target: TargetKey) -> None:
        self.by_deal.setdefault(deal, set()).add(target)

    def add_inquiry(self, inquiry: int, target: TargetKey) -> None:
        self.by_inquiry.setdefault(inquiry, set()).add(target)


def oldest_news() -> datetime.date:
    """What happened before this is history, not news (a backfill is recorded, not emailed)."""
    return timezone.localdate() - datetime.timedelta(days=settings.DIGEST_MAX_EVENT_AGE_DAYS)


def unsent_content(subscriptions: list[Subscription]) -> dict[int, Unsent]:
    """Per subscription, the recent events, new deals and status changes recorded since it
    started that no digest of it has had, as its matching_deals() and
    matching_status_changes() define them (a company's also the conduct inquiries about it;
    a regulator's the events of its inquiries), keyed by subscription id."""
    if not subscriptions:
        return {}
    oldest = oldest_news()
    since = min(s.started_at for s in subscriptions)
    targets = news_targets(subscriptions)
    events = recent_events(targets, since=since, oldest=oldest)
    changes = recent_status_changes(targets, subscriptions, since=since, oldest=oldest)
    new_deals = recent_new_deals(targets, since=since, oldest=oldest)
    already = already_claimed(
        subscriptions,
        events={row.pk for row in events},
        new_deals={row.pk for row in new_deals},
        status_changes={row.pk for row in changes},
    )
    return unsent_by_subscription(
        subscriptions,
        events=events,
        new_deals=new_deals,
        status_changes=changes,
        already=already,
    )


def news_targets(subscriptions: list[Subscription]) -> NewsTargets:
    """Deal, company and search subscriptions are each a set of deals (a company's also the
    conduct inquiries about it): which targets each deal and inquiry is news for. One query for
    the followed deals, two for the companies, one per distinct saved search."""
    by_target: dict[TargetKey, Subscription] = {s.target_key: s for s in subscriptions}
    targets = NewsTargets()
    followed = [s.deal_id for s in by_target.values() if s.kind == SubscriptionKind.DEAL]
    for deal in Deal.objects.published().filter(pk__in=followed).values_list("pk", flat=True):
        targets.add_deal(deal, TargetKey.of_deal(deal))
    companies = {s.company_id for s in by_target.values() if s.kind == SubscriptionKind.COMPANY}
    if companies:
        parties = Party.objects.filter(company__in=companies, deal__is_published=True)
        for deal, company in parties.values_list("deal", "company"):
            targets.add_deal(deal, TargetKey.of_company(company))
        # Conduct cases: inquiries about the company that are not about one of its deals.
        links = Inquiry.companies.through.objects.filter(company__in=companies).filter(
            Q(inquiry__deal__isnull=True) | Q(inquiry__deal__is_published=True)
        )
        for inquiry, company in links.values_list("inquiry", "company"):
            targets.add_inquiry(inquiry, TargetKey.of_company(company))
    for search in [s for s in by_target.values() if s.kind == SubscriptionKind.SEARCH]:
        for deal in search.matching_deals().values_list("pk", flat=True):
            targets.add_deal(deal, search.target_key)
    targets.regulators = {
        s.regulator_id for s in subscriptions if s.kind == SubscriptionKind.REGULATOR
    }
    return targets


def recent_events(
    targets: NewsTargets, *, since: datetime.datetime, oldest: datetime.date
) -> list[News]:
    """Public events recorded since `since` that happened on or after `oldest`: one query for
    the deals' and inquiries' (of their timeline deal or their inquiry), one for regulators'."""
    rows: list[News] = []
    recent = Event.objects.public().recorded_since(since).filter(occurred_on__gte=oldest)
    fields = ("pk", "kind", "recorded_at")
    if targets.by_deal or targets.by_inquiry:
        about = recent.filter(
            Q(timeline_deal__in=targets.by_deal) | Q(inquiry__in=targets.by_inquiry)
        )
        rows += [
            News(target, *row)
            for deal, inquiry, *row in about.values_list("timeline_deal", "inquiry", *fields)
            for target in targets.by_deal.get(deal, set()) | targets.by_inquiry.get(inquiry, set())
        ]
    if targets.regulators:
        about = recent.filter(inquiry__regulator__in=targets.regulators)
        rows += [
            News(TargetKey.of_regulator(regulator), *row)
            for regulator, *row in about.values_list("inquiry__regulator", *fields)
        ]
    return rows


def recent_status_changes(
    targets: NewsTargets,
    subscriptions: list[Subscription],
    *,
    since: datetime.datetime,
    oldest: datetime.date,
) -> list[News]:
    """Changes of published deals since `since` that are news (not a backfill): one query for
    the deals', one per followed regulator (its own lines, and the overall status of deals it
    reviews, as Subscription.matching_status_changes says)."""
    rows: list[News] = []
    recent = (
        StatusChange.objects.filter(deal__is_published=True, changed_at__gt=since)
        .filter(Q(event__isnull=True) | Q(event__occurred_on__gte=oldest))
        .exclude(event__isnull=True, changed_by__isnull=True, inquiry__closed_on__lt=oldest)
    )
    fields = ("pk", "event__kind", "changed_at")
    if targets.by_deal:
        about = recent.filter(deal__in=targets.by_deal).values_list("deal", *fields)
        rows += [News(target, *row) for deal, *row in about for target in targets.by_deal[deal]]
    by_target = {s.target_key: s for s in subscriptions}
    for regulator in targets.regulators:
        target = TargetKey.of_regulator(regulator)
        about = recent.filter(
            pk__in=by_target[target].matching_status_changes().values("pk")
        ).values_list(*fields)
        rows += [News(target, *row) for row in about]
    return rows


def recent_new_deals(
    targets: NewsTargets, *, since: datetime.datetime, oldest: datetime.date
) -> list[News]:
    """Deals created since `since` among the targets' deals, unless announced before `oldest`:
    one query. (Only company and search subscriptions want them: `Subscription.wants_new_deal`.)"""
    if not targets.by_deal:
        return []
    about = (
        Deal.objects.filter(pk__in=targets.by_deal, created_at__gt=since)
        .filter(Q(announced_on__isnull=True) | Q(announced_on__gte=oldest))
        .values_list("pk", "created_at")
    )
    return [
        News(target, pk, None, created) for pk, created in about for target in targets.by_deal[pk]
    ]


def already_claimed(
    subscriptions: list[Subscription], *, events: set, new_deals: set, status_changes: set
) -> set[Claim]:
    """Which of these events, new deals and status changes a digest of each subscription
    already had: one query."""
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
            already.add(Claim("events", subscription, event))
        elif change:
            already.add(Claim("status_changes", subscription, change))
        else:
            already.add(Claim("new_deals", subscription, deal))
    return already


def unsent_by_subscription(
    subscriptions: list[Subscription],
    *,
    events: list[News],
    new_deals: list[News],
    status_changes: list[News],
    already: set[Claim],
) -> dict[int, Unsent]:
    """Each piece of news to each subscription of its target that started before it, wants
    its kind and has not had it. No queries."""
    unsent = {s.pk: Unsent() for s in subscriptions}
    by_target: dict[TargetKey, list[Subscription]] = {}
    for subscription in subscriptions:
        by_target.setdefault(subscription.target_key, []).append(subscription)
    wanted_by: Iterable[tuple[str, list[News], Callable[[Subscription, str | None], bool]]] = (
        ("events", events, Subscription.wants_event),
        ("new_deals", new_deals, Subscription.wants_new_deal),
        ("status_changes", status_changes, Subscription.wants_status_change),
    )
    for what, rows, wanted in wanted_by:
        for row in rows:
            for subscription in by_target[row.target]:
                if (
                    row.moment > subscription.started_at
                    and wanted(subscription, row.event_kind)
                    and Claim(what, subscription.pk, row.pk) not in already
                ):
                    getattr(unsent[subscription.pk], what).append(row.pk)
    return unsent
