"""Ingest's answers to the hooks deals offers (`deals.hooks`), registered by `IngestConfig`."""

from __future__ import annotations

import datetime

from django.db.models import Max, Q
from django.utils import timezone

from deals import hooks
from deals.models import Deal, Inquiry

from .models import IngestRun, RawRecord
from .sources import source_label


def deal_imported_from(deal: Deal) -> list[str]:
    """Where an unchecked deal was imported from ("FTC HSR early-termination notices")."""
    if not deal.needs_review:
        return []
    sources = RawRecord.objects.filter(Q(deal=deal) | Q(inquiry__deal=deal)).values_list(
        "source", flat=True
    )
    return sorted({source_label(source) for source in sources})


def inquiry_last_checked_on(inquiry: Inquiry) -> datetime.date | None:
    """The day the latest successful run of the source that produced the inquiry's stored
    record finished (in the site's time zone); None for an inquiry no source produced or whose
    source never ran successfully. A run from a saved file (`--from-file`) read no source."""
    sources = RawRecord.objects.filter(inquiry=inquiry).values("source")
    finished = (
        IngestRun.objects.succeeded()
        .filter(source__in=sources)
        .exclude(trigger="file")
        .aggregate(latest=Max("finished_at"))["latest"]
    )
    return timezone.localdate(finished) if finished else None


def connect() -> None:
    hooks.register_imported_from(deal_imported_from)
    hooks.register_last_checked_on(inquiry_last_checked_on)
