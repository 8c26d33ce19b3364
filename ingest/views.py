"""/sources/: where each source stands (last success, last error, counts)."""

from django.conf import settings
from django.shortcuts import render

from .models import IngestRun


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
