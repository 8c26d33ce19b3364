"""/sources/: where each source stands (last success, last error, counts)."""

import functools

from django.conf import settings
from django.shortcuts import render

from deals.cache import public_page, version_of
from deals.querystring import CANONICAL_ATTRIBUTE

from .models import RUNS_VERSION_KEY, IngestRun


def keyed_by_runs(view):
    """The page shows the ingest runs, which change without a new content version: its cache
    key and ETag (public_page's) name the runs' own version, which every save or delete of a
    run changes (ingest/signals.py); the query string is not read, so it is not in the key."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, CANONICAL_ATTRIBUTE, f"#runs={version_of(RUNS_VERSION_KEY)}")
        return view(request, *args, **kwargs)

    return wrapped


@keyed_by_runs
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
