"""Periodic upkeep of derived values and of the prebuilt CSV files."""

from celery import shared_task

from . import exports
from . import stats as figures
from .models import Deal


@shared_task
def refresh_time_dependent_statuses() -> int:
    """Recompute the deals whose status depends on today's date: those with an informal look or
    market study, which turns dormant after INFORMAL_LOOK_DORMANT_AFTER_DAYS without activity."""
    return Deal.objects.with_informal_looks().refresh_statuses()


@shared_task
def refresh_full_exports() -> list[str]:
    """Every minute (beat): rebuild the unfiltered CSV files whose content changed, at most every
    EXPORTS_EVERY_MINUTES (deals/exports.py). Safe to overlap: a second run finds the lock
    taken and does nothing."""
    return exports.full_exports_refresh()


@shared_task
def refresh_stats_figures() -> bool:
    """Every STATS_EVERY_MINUTES (beat): rebuild the stored /stats/ rows if the content changed
    since they were built (deals/stats.py). Safe to overlap: a second build rolls back."""
    return figures.aggregates_refresh()
