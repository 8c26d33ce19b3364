"""Receivers: what subscriptions do when something they point at changes in another app.

A company merge (deals.company_merge) asks, through the two signals of `deals.signals`, what
each app holds for the duplicate and, inside the merge's transaction, has each app move it:
subscriptions to the duplicate company move to the survivor. `deals` imports nothing from here;
`connect_company_merge`, called from SubscriptionsConfig.ready, connects the receivers.
"""

from __future__ import annotations

from deals.models import Company

from .models import Subscription


def company_subscriptions_count(
    sender: type[Company], *, survivor: Company, other: Company, **kwargs
) -> dict[str, int]:
    """deals.signals.company_merge_counting: how many subscriptions to `other` would move."""
    return {"subscriptions": Subscription.objects.filter(company=other).count()}


def company_subscriptions_move(
    sender: type[Company], *, survivor: Company, other: Company, **kwargs
) -> None:
    """deals.signals.company_merging, in the merge's transaction before `other` is deleted:
    its subscriptions follow `survivor`, except where the subscriber already follows the
    survivor (then the duplicate's copy is dropped rather than doubled)."""
    have = set(
        Subscription.objects.filter(company=survivor).values_list("subscriber_id", flat=True)
    )
    Subscription.objects.filter(company=other, subscriber_id__in=have).delete()
    Subscription.objects.filter(company=other).update(company=survivor)


def connect_company_merge() -> None:
    from deals.signals import company_merge_counting, company_merging

    company_merge_counting.connect(
        company_subscriptions_count, sender=Company, dispatch_uid="subscriptions.count"
    )
    company_merging.connect(
        company_subscriptions_move, sender=Company, dispatch_uid="subscriptions.move"
    )
