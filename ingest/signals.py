"""Receivers: a run saved or deleted gives the runs a new version, which /sources/ is kept
under (ingest/views.py), so that a run that changes no content still shows there at once."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from deals.cache import bumped_now_and_on_commit, version_bump

from .models import RUNS_VERSION_KEY, IngestRun


def _runs_bump() -> None:
    version_bump(RUNS_VERSION_KEY)


@receiver(post_save, sender=IngestRun, dispatch_uid="ingest-run-saved")
@receiver(post_delete, sender=IngestRun, dispatch_uid="ingest-run-deleted")
def run_changed(**kwargs) -> None:
    """Now and when the run's transaction commits, as the content version is bumped."""
    bumped_now_and_on_commit(_runs_bump)
