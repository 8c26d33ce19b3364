"""Merging duplicate companies (an editor's decision, from the admin).

Everything that points at a duplicate moves to the survivor: deal parties, inquiries,
subsidiaries, alternative names and the edit history; the duplicate's name becomes an alternative
name of the survivor and its address redirects to the survivor's page. Where the survivor already
has the same thing (a party with the same role on the same deal) the duplicate's copy is dropped
rather than doubled. All in one transaction.

Rows of the apps above deals (a subscriber's subscription to the company) move through two
signals of deals/signals.py, which those apps receive: `company_merge_counting` for the preview,
`company_merging` inside the merge's transaction, before the duplicate is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .derived import refresh_search, revise_companies
from .models import Company, CompanyAlias, CompanyRedirect, Inquiry, Party
from .names import name_key
from .signals import company_merge_counting, company_merging


@dataclass(frozen=True)
class MergePreview:
    company: Company
    parties: int
    inquiries: int
    aliases: list[str]
    subsidiaries: int
    # What other apps would move, summed over the receivers of `company_merge_counting`:
    # {"subscriptions": 2}.
    moved_elsewhere: dict[str, int]


def company_merge_preview(*, survivor: Company, others: list[Company]) -> list[MergePreview]:
    """What would move from each duplicate to the survivor."""
    return [
        MergePreview(
            company=other,
            parties=Party.objects.filter(company=other).count(),
            inquiries=Inquiry.companies.through.objects.filter(company=other).count(),
            aliases=[other.name, *other.aliases.values_list("name", flat=True)],
            subsidiaries=other.subsidiaries.exclude(pk=survivor.pk).count(),
            moved_elsewhere=_moved_elsewhere(survivor, other),
        )
        for other in others
        if other.pk != survivor.pk
    ]


def _moved_elsewhere(survivor: Company, other: Company) -> dict[str, int]:
    moved: dict[str, int] = {}
    for _, counts in company_merge_counting.send(sender=Company, survivor=survivor, other=other):
        for label, count in (counts or {}).items():
            moved[label] = moved.get(label, 0) + count
    return moved


def moved_elsewhere_columns(preview: list[MergePreview]) -> tuple[list[str], list[list[int]]]:
    """The labels of what other apps move (sorted), and each preview row's counts under them."""
    labels = sorted({label for row in preview for label in row.moved_elsewhere})
    return labels, [[row.moved_elsewhere.get(label, 0) for label in labels] for row in preview]


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
        company_merging.send(sender=Company, survivor=survivor, other=other)
        other.history.all().update(id=survivor.pk)
        CompanyRedirect.objects.filter(company=other).update(company=survivor)
        CompanyRedirect.objects.create(old_slug=other.slug, company=survivor)
        other.delete()
    # The moves above were update()s no signal sees: the survivor's page lists its new
    # subsidiaries.
    revise_companies([survivor.pk])
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
    moved = list(links.filter(company=other).values_list("inquiry_id", flat=True))
    links.filter(company=other, inquiry_id__in=have).delete()
    links.filter(company=other).update(company=survivor)
    # An update() no signal sees: their search documents and rows name the survivor now.
    refresh_search(inquiry_ids=moved)


def _move_aliases(other: Company, survivor: Company) -> None:
    have = {survivor.name_key, *survivor.aliases.values_list("name_key", flat=True)}
    names = [other.name, *other.aliases.values_list("name", flat=True)]
    other.aliases.all().delete()
    for name in names:
        key = name_key(name)
        if key and key not in have:
            CompanyAlias.objects.create(company=survivor, name=name)
            have.add(key)
