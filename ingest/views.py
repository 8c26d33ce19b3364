"""/sources/: where each source stands (last success, last error, counts)."""

from django.conf import settings
from django.shortcuts import render

from deals.cache import public_page, version_of
from deals.querystring import keyed_also_by

from .models import RUNS_VERSION_KEY, IngestRun


# The page shows the ingest runs, which change without a new content version: its key and ETag
# also name the runs' own version, which every save or delete of a run changes (ingest/signals.py).
@keyed_also_by("runs", lambda: version_of(RUNS_VERSION_KEY))
@public_page
def sources(request):
    """Each source's health and the latest runs: public, so that readers can judge freshness."""
    return render(
        request,
        "ingest/sources.html",
        {
            "health": IngestRun.objects.health(),
            "runs": IngestRun.objects.all()[:30],
            "flag_after": settings.INGEST_FAILURES_FLAGGED_AFTER,
        },
    )
