"""The Celery app: every CELERY_* setting configures it, and beat's schedule is the settings'
entries plus one entry per scheduled ingest source, from the source registry."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")


@app.on_after_configure.connect
def schedule_ingest_sources(sender: Celery, **kwargs) -> None:
    """Each source runs `ingest.tasks.ingest_source(name)` every INGEST_<NAME>_EVERY minutes
    (its module's default otherwise; 0 leaves it off the schedule)."""
    from ingest.sources import beat_schedule  # touches no model: safe before Django is set up

    sender.conf.beat_schedule = {**beat_schedule(), **sender.conf.beat_schedule}


# Every CELERY_* setting in tracker/settings.py configures the app.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
