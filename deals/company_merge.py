"""Merging duplicate companies (an editor's decision, from the admin).

Everything that points at a duplicate moves to the survivor: deal parties, inquiries,
subsidiaries, subscriptions, alternative names and the edit history; the duplicate's name becomes
an alternative name of the survivor and its address redirects to the survivor's page. Where the
survivor already has the same thing (a party with the same role on the same deal, a subscriber's
subscription) the duplicate's copy is dropped rather than doubled. All in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from subscriptions.models import Subscription

from .models import Company, CompanyAlias, CompanyRedirect, Inquiry, Party
from .names import name_key


@dataclass(frozen=True)
class MergePreview:
    company: Company
    parties: int
    inquiries: int
    aliases: list[str]
    subsidiaries: int
    subscriptions: int


def company_merge_preview(*, survivor: Company, others: list[Company]) -> list[MergePreview]:
    """What would move from each duplicate to the survivor."""
    return [
        MergePreview(
            company=other,
            parties=Party.objects.filter(company=other).count(),
            inquiries=Inquiry.companies.through.objects.filter(company=other).count(),
            aliases=[other.name, *other.aliases.values_list("name", flat=True)],
            subsidiaries=other.subsidiaries.exclude(pk=survivor.pk).count(),
            subscriptions=Subscription.objects.filter(company=other).count(),
        )
        for other in others
        if other.pk != survivor.pk
    ]


@transaction.atomic
def company_merge(*, survivor: Company, others: list[Company]) -> Company:
    """Merge `others` into `survivor` and delete them; returns the survivor."""
    survivor = Company.objects.select_for_update().get(pk=survivor.pk)
    for other in Company.objects.select_for_update().filter(
        pk__in=[o.pk for o in others if o.pk != survivor.pk]
    ):
        _move_parties(other, survivor)
        _move_inquiries(other, survivor)
        _move_aliases(other, survivor)
        other.subsidiaries.exclude(pk=survivor.pk).update(parent=survivor)
        if survivor.parent_id == other.pk:
            survivor.parent = other.parent if other.parent_id != survivor.pk else None
            survivor.save()
        _move_subscriptions(other, survivor)
        other.history.all().update(id=survivor.pk)
        CompanyRedirect.objects.filter(company=other).update(company=survivor)
        CompanyRedirect.objects.create(old_slug=other.slug, company=survivor)
        other.delete()
    return survivor


def _move_parties(other: Company, survivor: Company) -> None:
    for party in Party.objects.filter(company=other):
        if Party.objects.filter(deal=party.deal_id, company=survivor, role=party.role).exists():
            party.delete()
        else:
            party.company = survivor
            party.save()


def _move_inquiries(other: Company, survivor: Company) -> None:
    links = Inquiry.companies.through.objects
    have = set(links.filter(company=survivor).values_list("inquiry_id", flat=True))
    links.filter(company=other, inquiry_id__in=have).delete()
    links.filter(company=other).update(company=survivor)


def _move_aliases(other: Company, survivor: Company) -> None:
    have = {survivor.name_key, *survivor.aliases.values_list("name_key", flat=True)}
    names = [other.name, *other.aliases.values_list("name", flat=True)]
    other.aliases.all().delete()
    for name in names:
        key = name_key(name)
        if key and key not in have:
            CompanyAlias.objects.create(company=survivor, name=name)
            have.add(key)


def _move_subscriptions(other: Company, survivor: Company) -> None:
    have = set(
        Subscription.objects.filter(company=survivor).values_list("subscriber_id", flat=True)
    )
    Subscription.objects.filter(company=other, subscriber_id__in=have).delete()
    Subscription.objects.filter(company=other).update(company=survivor)
