"""Receivers: a run saved or deleted gives the runs a new version, which /sources/ is kept
under (ingest/views.py), so that a run that changes no content still shows there at once."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from deals.cache import version_bump

from .models import RUNS_VERSION_KEY, IngestRun


def runs_changed() -> None:
    """Now (a page rendered inside the writing transaction sees it) and again on commit (a page
    rendered from the rows before the commit is kept under the version in between)."""
    version_bump(RUNS_VERSION_KEY)
    transaction.on_commit(lambda: version_bump(RUNS_VERSION_KEY))


@receiver(post_save, sender=IngestRun, dispatch_uid="ingest-run-saved")
@receiver(post_delete, sender=IngestRun, dispatch_uid="ingest-run-deleted")
def run_changed(**kwargs) -> None:
    runs_changed()
