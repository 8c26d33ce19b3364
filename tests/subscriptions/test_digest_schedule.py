"""Celery beat runs the digests and the sweeper; the times come from settings."""

from celery.schedules import crontab
from django.conf import settings

from tracker.celery import app


def test_beat_runs_immediate_daily_and_weekly_digests_and_the_sweeper():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {name: entry["task"] for name, entry in schedule.items() if "digest" in name}
    assert tasks == {
        "digests-immediately": "subscriptions.tasks.send_digests",
        "digests-daily": "subscriptions.tasks.send_digests",
        "digests-weekly": "subscriptions.tasks.send_digests",
        "digests-sweep": "subscriptions.tasks.sweep_digests",
    }
    assert schedule["digests-daily"]["args"] == ("daily",)
    assert schedule["digests-weekly"]["args"] == ("weekly",)
    assert schedule["digests-immediately"]["args"] == ("immediately",)
    assert schedule["digests-immediately"]["schedule"] == crontab(
        minute=f"*/{settings.DIGEST_IMMEDIATE_EVERY_MINUTES}"
    )
    hour, minute = settings.DIGEST_DAILY_AT.split(":")
    assert schedule["digests-daily"]["schedule"] == crontab(hour=int(hour), minute=int(minute))


def test_the_scheduled_tasks_exist():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith("subscriptions."):
            assert entry["task"] in app.tasks
