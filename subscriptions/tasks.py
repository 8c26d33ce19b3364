"""Thin tasks: load, call a service. Each is safe to run twice (see services.py)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import DigestRun

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
)
def send_confirmation(**request) -> None:
    """The double opt-in email; retried with backoff while the mail server is unreachable."""
    services.subscription_request(**request)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
)
def send_manage_link(email: str) -> None:
    """A fresh manage link, to a subscriber's own address; retried like the confirmation."""
    services.manage_link_send(email=email)


@shared_task
def send_digests(frequency: str) -> str:
    """Beat runs this every few minutes (immediately), daily and weekly. With DIGEST_WORKERS
    above 1 it starts the run and queues one task per part of the subscribers."""
    parts = settings.DIGEST_WORKERS
    if parts == 1:
        return services.digest_run(frequency=frequency).line()
    run = services.digest_run_start(frequency=frequency, now=timezone.now())
    for part in range(parts):
        send_digests_part.delay(run.pk, part, parts)
    return f"frequency={frequency} run={run.pk} parts={parts} queued"


@shared_task
def send_digests_part(run_id: int, part: int, parts: int) -> str:
    """One worker's share of a run: the subscribers whose id modulo `parts` is `part`."""
    run = DigestRun.objects.get(pk=run_id)
    summary = services.digest_run(
        frequency=run.frequency, now=run.period_start, part=part, parts=parts
    )
    return summary.line()


@shared_task
def send_delivery(delivery_id: int) -> str:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task
def resume_digest_run(run_id: int) -> str | None:
    summary = services.digest_run_resume(run_id=run_id)
    return summary.line() if summary else None


@shared_task
def sweep_digests() -> dict:
    """Re-queue what a dead worker or a failed send left behind."""
    deliveries = services.deliveries_to_retry()
    runs = services.digest_runs_to_resume()
    for delivery_id in deliveries:
        send_delivery.delay(delivery_id)
    for run_id in runs:
        resume_digest_run.delay(run_id)
    return {"deliveries": len(deliveries), "runs": len(runs)}
