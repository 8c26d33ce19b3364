"""Ingest's answers to the hooks deals offers (`deals.hooks`), registered by `IngestConfig`."""

from __future__ import annotations

from django.db.models import Q

from deals import hooks
from deals.models import Deal

from .models import RawRecord
from .sources import source_label


def deal_imported_from(deal: Deal) -> list[str]:
    """Where an unchecked deal was imported from ("FTC HSR early-termination notices")."""
    if not deal.needs_review:
        return []
    sources = RawRecord.objects.filter(Q(deal=deal) | Q(inquiry__deal=deal)).values_list(
        "source", flat=True
    )
    return sorted({source_label(source) for source in sources})


def connect() -> None:
    hooks.register_imported_from(deal_imported_from)
