"""The ingest tasks: `ingest_source(name)` for every source, scheduled by beat (one entry per
source from the registry, `ingest.sources.beat_schedule`), and `ingest_from_files` for backfills.

Tasks are thin: they call `ingest_run`. A network failure is retried with exponential backoff;
a refused document or a 404 is not (retrying cannot fix it) and shows on /sources/ instead. Two
runs of a source at once are harmless: records and inquiries are protected by unique
constraints and row locks (see ingest.pipeline).
"""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from .pipeline import ingest_run
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


@shared_task(name="ingest.tasks.ingest_source", **TASK_OPTIONS)
def ingest_source(name: str) -> str:
    """One scheduled run of source `name` (the beat entries of `ingest.sources.beat_schedule`)."""
    return ingest_run(source=name, trigger="schedule").summary_line()


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
