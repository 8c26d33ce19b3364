"""The receivers that keep derived fields and the page cache in step with every write, and the
signals deals sends for the apps above it.

Receivers (connected in `DealsConfig.ready`): after a save or delete of public content, first
the derived fields (deals/derived.py: statuses and their StatusChange rows, last activity,
search documents), then the one bump of the content version (deals/cache.py), so that no page
rendered between the two can be cached as current. Inside `derived_fields_deferred` both wait
for the end of the block, refresh first.

Signals deals sends (so that deals imports nothing from the apps above it):
- `company_merge_counting`: sent as `send(sender=Company, survivor=..., other=...)` while an
  editor previews a merge; each receiver returns `{label: count}` of its rows that would move.
- `company_merging`: sent the same way inside the merge's transaction, before `other` is
  deleted; each receiver moves its rows from `other` to `survivor`.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal

from .cache import content_changed
from .derived import (
    deals_of_inquiries,
    deferred_refresh,
    fill_timeline_deal,
    refresh_deals,
    refresh_inquiries,
    refresh_search,
    refresh_search_for_companies,
    revise,
    revise_companies,
)
from .models import (
    ClockStop,
    Company,
    CompanyAlias,
    Deal,
    Event,
    Inquiry,
    Party,
    Regulator,
    StatusChange,
)

company_merge_counting = Signal()
company_merging = Signal()


# --- Before a save -----------------------------------------------------------------------


def inquiry_saving(sender, instance: Inquiry, raw: bool = False, **kwargs) -> None:
    """Note the deal the inquiry had: after the save, both deals are refreshed."""
    if not raw:
        instance.deal_id_before_save = _stored(Inquiry, instance, "deal_id")


def party_saving(sender, instance: Party, raw: bool = False, **kwargs) -> None:
    """Note the company the party named: after the save, its page lists the deal no more."""
    if not raw:
        instance.company_id_before_save = _stored(Party, instance, "company_id")


def company_saving(sender, instance: Company, raw: bool = False, **kwargs) -> None:
    """Note the group the company was in: after the save, that group's page lists it no more."""
    if not raw:
        instance.parent_id_before_save = _stored(Company, instance, "parent_id")


def _stored(model, instance, column: str):
    """The value of `column` as the row is stored, before the save (None for a new row)."""
    if instance.pk is None:
        return None
    return model.objects.filter(pk=instance.pk).values_list(column, flat=True).first()


# --- After a save -------------------------------------------------------------------------


def deal_saved(sender, instance: Deal, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw:
        # The deal's life (completed, abandoned, unwound) is part of its status. A new deal is
        # derived at once even in a deferred block: its first derivation stores the regulator
        # lines from which later changes are recorded. Its completion date is part of its
        # inquiries' phases (a review that ended before completion), refreshed first.
        if not created:
            refresh_inquiries(*Inquiry.objects.filter(deal=instance).values_list("pk", flat=True))
        refresh_deals(instance.pk, now=created)
        refresh_search(deal_ids=[instance.pk])
    content_changed()


def inquiry_saved(sender, instance: Inquiry, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw:
        previous_deal_id = getattr(instance, "deal_id_before_save", None)
        if previous_deal_id != instance.deal_id and not created:
            fill_timeline_deal(Event.objects.filter(inquiry=instance))
        refresh_inquiries(instance.pk)
        refresh_deals(instance.deal_id, previous_deal_id, inquiry=instance)
        refresh_search(deal_ids=[instance.deal_id, previous_deal_id], inquiry_ids=[instance.pk])
    content_changed()


def event_saved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh_inquiries(instance.inquiry_id)
        if deferred_refresh() is not None:  # timeline_deal is the inquiry's deal, read in save()
            refresh_deals(instance.deal_id, instance.timeline_deal_id, event=instance)
        else:
            refresh_deals(
                instance.deal_id, *deals_of_inquiries(instance.inquiry_id), event=instance
            )
    content_changed()


def clock_stop_changed(sender, instance: ClockStop, raw: bool = False, **kwargs) -> None:
    """A clock stop moves a computed deadline: the inquiry's phases, then its deal."""
    if not raw:
        refresh_inquiries(instance.inquiry_id)
        refresh_deals(*deals_of_inquiries(instance.inquiry_id))
    content_changed()


def party_changed(sender, instance: Party, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh_search(deal_ids=[instance.deal_id])
        # Revising the deal reaches the companies that are its parties now; not the one this
        # party named before (a party deleted, or moved to another company).
        revise_companies([instance.company_id, getattr(instance, "company_id_before_save", None)])
    content_changed()


def company_saved(sender, instance: Company, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw:
        if not created:
            refresh_search_for_companies([instance.pk])
        # Its page, its group's (now and before), which list it, and its subsidiaries', which
        # name it.
        revise_companies(
            [
                instance.pk,
                getattr(instance, "parent_id_before_save", None),
                *Company.objects.filter(parent=instance).values_list("pk", flat=True),
            ]
        )
    content_changed()


def alias_changed(sender, instance: CompanyAlias, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh_search_for_companies([instance.company_id])
        revise_companies([instance.company_id])
    content_changed()


def regulator_saved(
    sender, instance: Regulator, created: bool, raw: bool = False, **kwargs
) -> None:
    if not created and not raw:
        inquiries = Inquiry.objects.filter(regulator=instance)
        refresh_search(
            deal_ids=list(inquiries.values_list("deal_id", flat=True)),
            inquiry_ids=list(inquiries.values_list("pk", flat=True)),
        )
    content_changed()


def inquiry_companies_changed(
    sender, instance, action: str, reverse: bool = False, pk_set=None, **kwargs
) -> None:
    if action == "pre_clear" and not reverse:  # the companies it concerned, which lose it
        instance.companies_before_clear = list(instance.companies.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return  # nothing written yet: the post_ action that follows bumps
    if isinstance(instance, Inquiry):
        refresh_search(inquiry_ids=[instance.pk])
        revise_companies([*(pk_set or ()), *getattr(instance, "companies_before_clear", ())])
    else:  # changed from the company's side: its page lists them
        revise_companies([instance.pk])
    content_changed()


# --- After a delete -----------------------------------------------------------------------
# Deletes go through signals so that bulk deletes (the admin's "delete selected") and cascades
# keep the stored status in step too; a deal deleted with them simply is not found any more.


def inquiry_deleted(sender, instance: Inquiry, **kwargs) -> None:
    refresh_deals(instance.deal_id)
    refresh_search(deal_ids=[instance.deal_id])
    content_changed()


def event_deleted(sender, instance: Event, **kwargs) -> None:
    refresh_inquiries(instance.inquiry_id)
    refresh_deals(instance.deal_id, *deals_of_inquiries(instance.inquiry_id))
    content_changed()


def status_change_changed(sender, instance: StatusChange, raw: bool = False, **kwargs) -> None:
    """An editor's correction of a status change: its deal's page lists it."""
    if not raw:
        revise(deal_ids=[instance.deal_id])
    content_changed()


def inquiry_deleting(sender, instance: Inquiry, **kwargs) -> None:
    """The companies whose pages list it (read before its links to them go)."""
    revise_companies(inquiry_ids=[instance.pk])


def company_deleting(sender, instance: Company, **kwargs) -> None:
    """Its group's page lists it, its subsidiaries' pages name it."""
    revise_companies(
        [instance.parent_id, *Company.objects.filter(parent=instance).values_list("pk", flat=True)]
    )


def content_deleted(sender, **kwargs) -> None:
    content_changed()


RECEIVERS = (
    (pre_save, Inquiry, inquiry_saving),
    (pre_save, Party, party_saving),
    (pre_save, Company, company_saving),
    (post_save, Deal, deal_saved),
    (post_save, Inquiry, inquiry_saved),
    (post_save, Event, event_saved),
    (post_save, Party, party_changed),
    (post_save, Company, company_saved),
    (post_save, CompanyAlias, alias_changed),
    (post_save, Regulator, regulator_saved),
    (post_save, ClockStop, clock_stop_changed),
    # Shown on public pages too: a status change is listed on its deal's page.
    (post_save, StatusChange, status_change_changed),
    (post_delete, Inquiry, inquiry_deleted),
    (post_delete, Event, event_deleted),
    (post_delete, Party, party_changed),
    (post_delete, CompanyAlias, alias_changed),
    (pre_delete, Inquiry, inquiry_deleting),
    (pre_delete, Company, company_deleting),
    (post_delete, Deal, content_deleted),
    (post_delete, Company, content_deleted),
    (post_delete, Regulator, content_deleted),
    (post_delete, ClockStop, clock_stop_changed),
    (post_delete, StatusChange, status_change_changed),
    (m2m_changed, Inquiry.companies.through, inquiry_companies_changed),
)


def connect() -> None:
    """Connect the receivers above (once: `dispatch_uid`)."""
    for signal, model, receiver in RECEIVERS:
        signal.connect(receiver, sender=model, dispatch_uid=f"deals-{receiver.__name__}")
