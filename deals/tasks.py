"""Periodic upkeep of derived values."""

from celery import shared_task

from .models import Deal


@shared_task
def refresh_time_dependent_statuses() -> int:
    """Recompute the deals whose status depends on today's date: those with an informal look or
    market study, which turns dormant after INFORMAL_LOOK_DORMANT_AFTER_DAYS without activity."""
    return Deal.objects.with_informal_looks().refresh_statuses()
