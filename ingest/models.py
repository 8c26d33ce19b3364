"""What ingest remembers: every record a source served, what ingest wrote, and every run.

The deals app knows nothing of ingest. Ingest keeps its own bookkeeping here so that a re-run is
harmless (one RawRecord per source and external id, compared by content hash) and so that an
editor's correction survives the next run (AppliedValues holds what ingest last wrote on each
object; a field is only overwritten while it still holds that value).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .sources import source_choices


class ReviewStatus(models.TextChoices):
    NONE = "", "Nothing to review"
    PENDING = "pending", "Waiting for an editor"
    FILED = "filed", "Filed: about no deal or case"
    ATTACHED = "attached", "Attached by an editor"
    DEAL_CREATED = "deal_created", "Deal created by an editor"
    DISMISSED = "dismissed", "Dismissed"


class RawRecord(models.Model):
    """One record exactly as a source served it, and what ingest made of it."""

    source = models.CharField(max_length=20, choices=source_choices, db_index=True)
    external_id = models.CharField(
        max_length=200, help_text="The source's own id: case number, guid, GOV.UK path…"
    )
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the record's content; a new hash means it changed."
    )
    payload = models.JSONField(help_text="The record as the source served it.")
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField("source address", max_length=500, blank=True)
    published_on = models.DateField(null=True, blank=True)
    summary = models.TextField(
        blank=True, help_text="Plain text of the record (markup removed), for the review queue."
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(
        default=timezone.now, help_text="When the content was first seen as it is now."
    )

    deal = models.ForeignKey(
        "deals.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inquiry = models.ForeignKey(
        "deals.Inquiry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Ids of what ingest created or linked for this record ({'inquiry': 7, 'events': "
            "{key: id}}); an object an editor deleted is not created again."
        ),
    )
    conflicts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Fields where the source now says something else than an editor set.",
    )

    review_status = models.CharField(
        max_length=20, choices=ReviewStatus, blank=True, default="", db_index=True
    )
    review_note = models.CharField(
        max_length=300, blank=True, help_text="Why the record needs an editor."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    suggested = models.JSONField(
        default=list,
        blank=True,
        help_text="Ids of the deals an editor is offered, best first, computed once at ingest.",
    )
    suggestion_score = models.PositiveSmallIntegerField(
        default=0,
        help_text="How many known parties of the best suggested deal the record names.",
    )

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = "ingested record"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="unique_raw_record_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.external_id}"

    @property
    def suggested_ids(self) -> list[int]:
        """The stored suggestions, ids only whatever the column holds."""
        values = self.suggested if isinstance(self.suggested, list) else []
        return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


class ReviewItemManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(review_status=ReviewStatus.PENDING)


class ReviewItem(RawRecord):
    """The review queue: records ingest could not place with confidence, waiting for an editor.

    What editors decided stays on the record (its review status) and shows under ingested
    records.
    """

    objects = ReviewItemManager()

    class Meta:
        proxy = True
        ordering = ["-suggestion_score", "-published_on", "-pk"]
        verbose_name = "review queue item"
        verbose_name_plural = "review queue"


class AppliedValues(models.Model):
    """The values ingest last wrote on one object, field by field (JSON-encoded).

    A field whose current value differs from what ingest wrote was corrected by an editor, and
    ingest leaves it alone from then on.
    """

    model = models.CharField(max_length=60, help_text='"deals.inquiry", "deals.deal"…')
    object_id = models.PositiveBigIntegerField()
    values = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "applied values"
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="unique_applied_values")
        ]

    def __str__(self) -> str:
        return f"{self.model} #{self.object_id}"


@dataclass
class SourceHealth:
    """How one source has been doing, as /sources/ and the admin show it."""

    source: str
    label: str
    last_run: IngestRun | None
    last_success: IngestRun | None
    last_failure: IngestRun | None
    failures_in_a_row: int
    flag_after: int

    @property
    def flagged(self) -> bool:
        return self.failures_in_a_row >= self.flag_after

    @property
    def running(self) -> bool:
        return self.last_run is not None and self.last_run.finished_at is None


# The cache key of the runs' version: /sources/ is kept under it (ingest/views.py), and every save
# or delete of a run changes it (ingest/signals.py).
RUNS_VERSION_KEY = "dealwatch:ingest-runs-version"


class IngestRunQuerySet(models.QuerySet):
    def finished(self) -> IngestRunQuerySet:
        return self.exclude(finished_at=None)

    def failed(self) -> IngestRunQuerySet:
        return self.finished().exclude(error="")

    def succeeded(self) -> IngestRunQuerySet:
        return self.finished().filter(error="")

    def for_source(self, source: str) -> IngestRunQuerySet:
        return self.filter(source=source)

    def health(self) -> list[SourceHealth]:
        """Each source's last run, last success, last failure and current run of failures."""
        flag_after = settings.INGEST_FAILURES_FLAGGED_AFTER
        report = []
        for source, label in source_choices():
            runs = self.for_source(source)
            last_success = runs.succeeded().first()
            failing = runs.failed()
            if last_success is not None:
                failing = failing.filter(started_at__gt=last_success.started_at)
            report.append(
                SourceHealth(
                    source=source,
                    label=label,
                    last_run=runs.first(),
                    last_success=last_success,
                    last_failure=runs.failed().first(),
                    failures_in_a_row=failing.count(),
                    flag_after=flag_after,
                )
            )
        return report


class IngestRun(models.Model):
    """One run of one source, by hand or by the scheduler."""

    source = models.CharField(max_length=20, choices=source_choices, db_index=True)
    trigger = models.CharField(
        max_length=20, default="schedule", help_text='"schedule", "command" or "file".'
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error = models.TextField(
        blank=True, help_text="Why the run failed as a whole (network, refused file)."
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="Records skipped or failed: [{id, reason}]."
    )

    objects = IngestRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("started_at")),
                name="ingest_run_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} run {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("ingest:sources") + f"#source-{self.source}"

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and not self.error

    @property
    def duration(self) -> datetime.timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None

    def summary_line(self) -> str:
        """The line the command prints, in exactly this form."""
        return (
            f"source={self.source} records={self.records} new={self.new} "
            f"changed={self.changed} unchanged={self.unchanged} skipped={self.skipped} "
            f"errors={self.errors}"
        )
