"""One Celery task per source, scheduled by beat (INGEST_BEAT_SCHEDULE in settings).

Tasks are thin: they call `ingest_run`. A network failure is retried with exponential backoff;
a refused document or a 404 is not (retrying cannot fix it) and shows on /sources/ instead. Two
runs of a source at once are harmless: records and inquiries are protected by unique
constraints and row locks (see ingest.services).
"""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from .services import ingest_run
from .sources.base import RefusedDocument, TransientFetchError

TASK_OPTIONS = {
    "autoretry_for": (TransientFetchError,),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": settings.INGEST_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.INGEST_TASK_TIME_LIMIT,
    "acks_late": True,
}


def run_source(source: str) -> str:
    return ingest_run(source=source, trigger="schedule").summary_line()


@shared_task(name="ingest.tasks.ingest_ec", **TASK_OPTIONS)
def ingest_ec() -> str:
    return run_source("ec")


@shared_task(name="ingest.tasks.ingest_cma", **TASK_OPTIONS)
def ingest_cma() -> str:
    return run_source("cma")


@shared_task(name="ingest.tasks.ingest_ftc_hsr", **TASK_OPTIONS)
def ingest_ftc_hsr() -> str:
    return run_source("ftc-hsr")


@shared_task(name="ingest.tasks.ingest_ftc_press", **TASK_OPTIONS)
def ingest_ftc_press() -> str:
    return run_source("ftc-press")


@shared_task(name="ingest.tasks.ingest_doj", **TASK_OPTIONS)
def ingest_doj() -> str:
    return run_source("doj")


@shared_task(name="ingest.tasks.ingest_accc", **TASK_OPTIONS)
def ingest_accc() -> str:
    return run_source("accc")


@shared_task(
    name="ingest.tasks.ingest_from_files",
    soft_time_limit=settings.INGEST_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.INGEST_TASK_TIME_LIMIT,
    acks_late=True,
)
def ingest_from_files(source: str, paths: list[str]) -> str:
    """A backfill on the worker from stored responses on its disk, as `ingest --from-file`
    reads them: the same pipeline, never the network."""
    documents = []
    for path in map(Path, paths):
        if not path.is_file() or path.stat().st_size > settings.INGEST_MAX_RESPONSE_BYTES:
            raise RefusedDocument(f"{path}: no such file, or larger than the size cap")
        documents.append(path.read_bytes())
    return ingest_run(source=source, documents=documents, trigger="file").summary_line()
