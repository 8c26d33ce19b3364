"""The domain: companies, regulators, deals, the regulators' inquiries into them, and events.

A deal's antitrust status is derived from its inquiries (the rule in DOMAIN.md) and stored on
the deal so that it can be filtered and indexed. Inquiry and Event keep it in step whenever they
are saved or deleted, whoever saves them: the admin, a service, or ingest (which saves inside
`derived_fields_deferred`, so that each deal is refreshed once per batch, not on every save).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from simple_history import signals as history_signals
from simple_history import utils as history_utils
from simple_history.models import HistoricalRecords

from . import clocks, names
from . import search as search_rule
from . import status as status_rule
from .cache import content_changed, content_changes_deferred


def dormant_after() -> datetime.timedelta:
    """How long an informal look may go without activity before it reads as dormant."""
    return datetime.timedelta(days=settings.INFORMAL_LOOK_DORMANT_AFTER_DAYS)


def slug_base(text: str, *, max_length: int = 80) -> str:
    """The slug `text` gets when it is free."""
    return slugify(text)[:max_length].strip("-") or "item"


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 80) -> str:
    """A slug for `text` not yet taken in `model` ("adobe-figma", then "adobe-figma-2")."""
    base = slug_base(text, max_length=max_length)
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class Stage(models.TextChoices):
    """Where an inquiry is. Merger control and conduct cases each have their own steps."""

    # Merger control (and informal looks, market studies)
    INFORMAL = "informal", "Informal look"
    PRENOTIFICATION = "prenotification", "Pre-notification"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2 / in-depth"
    REMEDIES = "remedies", "Remedies"
    # Conduct cases (Art. 101/102, CA98, monopolisation)
    INVESTIGATION = "investigation", "Investigation"
    OBJECTIONS = "objections", "Statement of objections"
    COMMITMENTS = "commitments", "Commitments offered"
    # Both
    LITIGATION = "litigation", "Litigation"
    CLOSED = "closed", "Closed"
    NOT_PUBLISHED = "not_published", "State not published"


class Outcome(models.TextChoices):
    """How an inquiry ended; empty while it is open."""

    # Merger control
    CLEARED = "cleared", "Cleared"
    CLEARED_WITH_REMEDIES = "cleared_with_remedies", "Cleared with remedies"
    PROHIBITED = "prohibited", "Prohibited"
    ABANDONED = "abandoned", "Abandoned"
    NOT_QUALIFYING = "not_qualifying", "Not qualifying"
    REFERRED = "referred", "Referred"
    # Conduct cases
    INFRINGEMENT = "infringement", "Infringement found"
    COMMITMENTS = "commitments", "Commitments accepted"
    SETTLED = "settled", "Settled"
    # Both
    CLOSED_NO_ACTION = "closed_no_action", "Closed, no action"


MERGER_STAGES = frozenset(
    {
        Stage.INFORMAL,
        Stage.PRENOTIFICATION,
        Stage.PHASE_1,
        Stage.PHASE_2,
        Stage.REMEDIES,
        Stage.LITIGATION,
        Stage.CLOSED,
        Stage.NOT_PUBLISHED,
    }
)
CONDUCT_STAGES = frozenset(
    {
        Stage.INVESTIGATION,
        Stage.OBJECTIONS,
        Stage.COMMITMENTS,
        Stage.LITIGATION,
        Stage.CLOSED,
        Stage.NOT_PUBLISHED,
    }
)
MERGER_OUTCOMES = frozenset(
    {
        Outcome.CLEARED,
        Outcome.CLEARED_WITH_REMEDIES,
        Outcome.PROHIBITED,
        Outcome.ABANDONED,
        Outcome.NOT_QUALIFYING,
        Outcome.REFERRED,
        Outcome.CLOSED_NO_ACTION,
    }
)
CONDUCT_OUTCOMES = frozenset(
    {Outcome.INFRINGEMENT, Outcome.COMMITMENTS, Outcome.CLOSED_NO_ACTION, Outcome.SETTLED}
)

# Stages that count as an in-depth review for the deal's overall status.
IN_DEPTH_STAGES = (Stage.PHASE_2, Stage.REMEDIES, Stage.LITIGATION)


class DecisionStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    ANNULLED = "annulled", "Annulled"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Supersession(models.TextChoices):
    RESTRUCTURED = "restructured", "The deal was restructured and reviewed again"
    REFERRED = "referred", "Referred to another authority, whose case decides"


class AntitrustStatus(models.TextChoices):
    """A deal's overall status, in the order the rule tries them (docs/statuses.md)."""

    ABANDONED = "abandoned", "Abandoned"
    UNWOUND = "unwound", "Unwound"
    BLOCKED = "blocked", "Blocked"
    IN_DEPTH_REVIEW = "in_depth_review", "In-depth review"
    UNDER_REVIEW = "under_review", "Under review"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions", "Cleared with conditions"
    CLEARED = "cleared", "Cleared"
    NOT_REVIEWABLE = "not_reviewable", "Not reviewable"
    INFORMAL_SCRUTINY = "informal_scrutiny", "Informal scrutiny"
    NO_FORMAL_REVIEW = "no_formal_review", "No formal review"
    NO_KNOWN_INQUIRY = "no_known_inquiry", "No known inquiry"


class DealLife(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"
    UNWOUND = "unwound", "Unwound"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- Companies and regulators -------------------------------------------------------------


class CompanyQuerySet(models.QuerySet):
    def matching_name(self, name: str) -> CompanyQuerySet:
        """Companies whose name or one of whose alternative names is `name`, loosely compared.

        Two indexed lookups rather than one OR across the aliases join, which scans every
        company: ingest calls this for each party of each record.
        """
        key = names.name_key(name)
        if not key:
            return self.none()
        by_name = list(self.filter(name_key=key).values_list("pk", flat=True))
        by_alias = CompanyAlias.objects.filter(name_key=key).values_list("company_id", flat=True)
        return self.filter(pk__in=[*by_name, *by_alias])

    def search(self, text: str) -> CompanyQuerySet:
        """Companies whose name, alternative name or ticker has every word of `text`; those
        whose name starts with it first (for suggestions as someone types)."""
        terms = search_rule.parse_query(text)
        if not terms:  # nothing searchable ("...", "%"): every company, as the lists do
            return self.annotate(name_starts=Value(0)).order_by("name")
        matches = Q()
        for term in terms:
            alias = CompanyAlias.objects.filter(
                company=OuterRef("pk"), name_key__contains=term.text
            )
            matches &= (
                Q(name_key__contains=term.text) | Q(ticker__icontains=term.text) | Exists(alias)
            )
        first = terms[0].text
        starts = Case(When(name_key__startswith=first, then=Value(1)), default=Value(0))
        return self.filter(matches).annotate(name_starts=starts).order_by("-name_starts", "name")

    def on_record(self) -> CompanyQuerySet:
        """Companies an analyst can find something about: a party to a published deal, or named
        in an inquiry that is public (a conduct case with no deal). Ingest also keeps names it
        met only in passing (a group parent, a review queue suggestion)."""
        in_deal = Party.objects.filter(company=OuterRef("pk"), deal__is_published=True)
        named = Inquiry.companies.through.objects.filter(
            company=OuterRef("pk"), inquiry__in=Inquiry.objects.public()
        )
        return self.filter(Exists(in_deal) | Exists(named))

    def with_deal_counts(self) -> CompanyQuerySet:
        """`deal_count`: each company's published deals, counted per row shown (a page of the
        company list counts the deals of its hundred companies, not of every company)."""
        deals = (
            Party.objects.filter(company=OuterRef("pk"), deal__is_published=True)
            .order_by()
            .values("company")
            .annotate(n=Count("deal", distinct=True))
            .values("n")
        )
        return self.annotate(deal_count=Coalesce(Subquery(deals), 0))


class Company(TimeStamped):
    name = models.CharField(max_length=200)
    name_key = models.CharField(
        max_length=200, db_index=True, editable=False, help_text="The name as matched on."
    )
    slug = models.SlugField(max_length=80, unique=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code of the headquarters (US, FR…)."
    )
    website = models.URLField(blank=True)
    ticker = models.CharField(
        max_length=60,
        blank=True,
        help_text="Stock ticker symbols, separated by spaces (MSFT; GOOGL GOOG). Searchable.",
    )
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
        help_text="The group this company belongs to (Google LLC → Alphabet).",
    )
    needs_review = models.BooleanField(
        default=False, db_index=True, help_text="Created by ingest; an editor has not checked it."
    )

    history = HistoricalRecords()
    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        # The company list's order.
        indexes = [models.Index(fields=["name", "id"], name="company_name_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = names.name_key(self.name)
        if not self.slug:
            self.slug = unique_slug(Company, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("deals:company_detail", args=[self.slug])

    def group_member_ids(self, *, max_depth: int = 5) -> list[int]:
        """Ids of the companies in this company's group below it (subsidiaries, theirs...).

        One query per level; a loop an editor made by mistake (A under B under A) ends.
        """
        found: list[int] = []
        level = [self.pk]
        for _ in range(max_depth):
            level = [
                pk
                for pk in Company.objects.filter(parent__in=level).values_list("pk", flat=True)
                if pk != self.pk and pk not in found
            ]
            if not level:
                break
            found.extend(level)
        return found


class CompanyAlias(models.Model):
    """Another name a company is known by ("Google", "Google LLC" for Alphabet)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = "alternative name"
        constraints = [
            models.UniqueConstraint(fields=["company", "name_key"], name="unique_alias_per_company")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = names.name_key(self.name)
        super().save(*args, **kwargs)


class CompanyRedirect(models.Model):
    """The address of a company merged into another: /companies/<old_slug>/ redirects there."""

    old_slug = models.SlugField(max_length=80, unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.company_id}"


class Regulator(models.Model):
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=20, help_text="EC, CMA, FTC, DOJ, BKartA…")
    slug = models.SlugField(max_length=40, unique=True)
    jurisdiction = models.CharField(
        max_length=8,
        db_index=True,
        help_text="ISO 3166-1 code, or EU for the European Union (EU, GB, US, DE…).",
    )
    website = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args, **kwargs):
        self.jurisdiction = self.jurisdiction.upper()
        if not self.slug:
            self.slug = unique_slug(Regulator, self.short_name, max_length=40)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("deals:regulator_detail", args=[self.slug])


# --- Deals --------------------------------------------------------------------------------


class DealType(models.TextChoices):
    ACQUISITION = "acquisition", "Acquisition"
    MERGER = "merger", "Merger"
    MINORITY_STAKE = "minority_stake", "Minority stake"
    PARTNERSHIP = "partnership", "Partnership"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    ASSET_PURCHASE = "asset_purchase", "Asset purchase"
    ACQUI_HIRE = "acqui_hire", "Acqui-hire / licensing"


class DealQuerySet(models.QuerySet):
    def published(self) -> DealQuerySet:
        return self.filter(is_published=True)

    def under_review(self) -> DealQuerySet:
        return self.filter(antitrust_status__in=Deal.OPEN_STATUSES)

    def in_life(self, lives) -> DealQuerySet:
        """Deals whose life (announced, completed, abandoned, unwound) is one of `lives`."""
        by_life = {
            DealLife.UNWOUND: Q(unwound_on__isnull=False),
            DealLife.ABANDONED: Q(unwound_on__isnull=True, abandoned_on__isnull=False),
            DealLife.COMPLETED: Q(
                unwound_on__isnull=True, abandoned_on__isnull=True, completed_on__isnull=False
            ),
            DealLife.ANNOUNCED: Q(
                unwound_on__isnull=True, abandoned_on__isnull=True, completed_on__isnull=True
            ),
        }
        wanted = Q(pk__in=[])
        for life in lives:
            wanted |= by_life[life]
        return self.filter(wanted)

    def with_list_data(self) -> DealQuerySet:
        """What a list of deals shows (parties, regulators) in a fixed number of queries."""
        return self.prefetch_related(*deal_list_lookups())

    def with_detail_data(self) -> DealQuerySet:
        """What a deal page shows of its parties and inquiries, in a fixed number of queries.
        Not their events and clock stops: `Deal.inquiries_with_clock_data()` reads those."""
        return self.prefetch_related(
            models.Prefetch("parties", queryset=Party.objects.select_related("company")),
            models.Prefetch("inquiries", queryset=Inquiry.objects.for_deal_page()),
        )

    def search(self, text: str) -> DealQuerySet:
        """Deals matching every word of `text` in their title, parties (names, alternative names,
        tickers), case references or regulators; annotated with `search_rank` (deals/search.py)."""
        return search_documents(self, text, title_field="title")

    def reviewed_by(self, regulators) -> DealQuerySet:
        return self.filter(
            Exists(Inquiry.objects.filter(deal=OuterRef("pk"), regulator__in=regulators))
        )

    def in_jurisdiction(self, code: str) -> DealQuerySet:
        return self.in_jurisdictions([code])

    def in_jurisdictions(self, codes) -> DealQuerySet:
        codes = [code.upper() for code in codes]
        return self.filter(
            Exists(Inquiry.objects.filter(deal=OuterRef("pk"), regulator__jurisdiction__in=codes))
        )

    def with_next_deadline(self, today: datetime.date) -> DealQuerySet:
        """Annotate `next_deadline_on`: the soonest statutory deadline, on or after `today`, of
        the deal's open inquiries (None when there is none)."""
        upcoming = (
            Inquiry.objects.filter(deal=OuterRef("pk"))
            .with_upcoming_deadline(today)
            .values("deadline_on")[:1]
        )
        return self.annotate(next_deadline_on=models.Subquery(upcoming))

    def involving(self, companies) -> DealQuerySet:
        return self.filter(Exists(Party.objects.filter(deal=OuterRef("pk"), company__in=companies)))

    def with_informal_looks(self) -> DealQuerySet:
        return self.filter(
            Exists(
                Inquiry.objects.filter(
                    deal=OuterRef("pk"), kind__in=status_rule.CONTEXT_KINDS, outcome=""
                )
            )
        )

    def refresh_statuses(self) -> int:
        """Recompute the stored status of these deals; returns how many changed."""
        changed = 0
        for deal in self.prefetch_related("inquiries__regulator"):
            status = deal.compute_antitrust_status()
            if status != deal.antitrust_status:
                Deal.objects.filter(pk=deal.pk).update(antitrust_status=status)
                changed += 1
        if changed:
            content_changed()
        return changed


def deal_list_lookups() -> tuple[models.Prefetch, ...]:
    """The prefetches of `with_list_data`, for deals read without them (rows not cached)."""
    return (
        models.Prefetch("parties", queryset=Party.objects.select_related("company")),
        models.Prefetch(
            "inquiries",
            queryset=Inquiry.objects.select_related("regulator").order_by(
                "regulator__jurisdiction", "regulator__short_name", "opened_on", "pk"
            ),
        ),
    )


class Deal(TimeStamped):
    OPEN_STATUSES = (AntitrustStatus.UNDER_REVIEW, AntitrustStatus.IN_DEPTH_REVIEW)

    title = models.CharField(max_length=255, help_text='Acquirer first: "Microsoft / Mistral AI".')
    slug = models.SlugField(max_length=80, unique=True)
    deal_type = models.CharField(
        "type", max_length=20, choices=DealType.choices, default=DealType.ACQUISITION, db_index=True
    )
    companies = models.ManyToManyField(Company, through="Party", related_name="deals")
    announced_on = models.DateField(null=True, blank=True, db_index=True)
    completed_on = models.DateField(
        null=True, blank=True, help_text="When the deal closed (completed), if it did."
    )
    abandoned_on = models.DateField(
        null=True, blank=True, help_text="When the parties terminated the deal, if they did."
    )
    unwound_on = models.DateField(
        null=True,
        blank=True,
        help_text="When a completed deal was divested or dissolved by order (Illumina / GRAIL).",
    )
    value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Headline deal value."
    )
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217 code: USD, EUR…")
    sector = models.CharField(max_length=100, blank=True, db_index=True)
    summary = models.TextField(blank=True)
    is_published = models.BooleanField(
        "published", default=True, db_index=True, help_text="Unpublished deals are hidden."
    )
    antitrust_status = models.CharField(
        max_length=32,
        choices=AntitrustStatus.choices,
        default=AntitrustStatus.NO_KNOWN_INQUIRY,
        db_index=True,
        editable=False,
        help_text="Derived from the deal's inquiries; never edited by hand.",
    )
    last_activity_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Date of the newest event of the deal or its inquiries.",
    )
    first_known_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The announcement date, else the date of the deal's first event: what "
        "'Newest announced' sorts on, so an imported deal without an announcement date does "
        "not sort last.",
    )
    stored_states = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Each regulator's state as last derived, to tell when it changes; empty "
        "until first derived (rows older than status changes), when no change is recorded.",
    )
    needs_review = models.BooleanField(
        default=False, db_index=True, help_text="Created by ingest; an editor has not checked it."
    )
    search_document = models.TextField(
        blank=True, editable=False, help_text="What free text is matched on (deals/search.py)."
    )
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "antitrust_status",
            "last_activity_on",
            "first_known_on",
            "stored_states",
            "search_document",
            "search_vector",
        ]
    )
    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = [models.F("first_known_on").desc(nulls_last=True), "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Deal, self.title)
        created = self._state.adding
        super().save(*args, **kwargs)
        # The deal's life (completed, abandoned, unwound) is part of its status. A new deal is
        # derived at once even in a deferred block: its first derivation stores the regulator
        # lines from which later changes are recorded.
        refresh_deals(self.pk, now=created)
        refresh_search(deal_ids=[self.pk])

    def get_absolute_url(self) -> str:
        return reverse("deals:deal_detail", args=[self.slug])

    @property
    def is_under_review(self) -> bool:
        return self.antitrust_status in self.OPEN_STATUSES

    @property
    def life(self) -> str:
        """announced -> completed | abandoned | unwound, from the dates an editor entered."""
        if self.unwound_on:
            return DealLife.UNWOUND
        if self.abandoned_on:
            return DealLife.ABANDONED
        if self.completed_on:
            return DealLife.COMPLETED
        return DealLife.ANNOUNCED

    def get_life_display(self) -> str:
        return DealLife(self.life).label

    @property
    def life_on(self) -> datetime.date | None:
        return {
            DealLife.UNWOUND: self.unwound_on,
            DealLife.ABANDONED: self.abandoned_on,
            DealLife.COMPLETED: self.completed_on,
        }.get(self.life)

    def status_facts(self) -> status_rule.DealFacts:
        return status_rule.DealFacts(
            completed_on=self.completed_on,
            abandoned_on=self.abandoned_on,
            unwound_on=self.unwound_on,
        )

    def compute_antitrust_status(self, today: datetime.date | None = None) -> str:
        """The rule of docs/statuses.md, applied to this deal's inquiries as stored now."""
        inquiries = self.inquiries.all()
        return status_rule.overall_status(
            self.status_facts(),
            [inquiry.status_facts() for inquiry in inquiries],
            today=today or timezone.localdate(),
            dormant_after=dormant_after(),
        )

    def abandoned_after(self) -> str:
        """The reviews the deal was abandoned in ("the CMA's Phase 2 and the EC's Phase 2").

        Reads `self.inquiries.all()` (prefetch them with their regulator) and their events, in
        one query unless they are prefetched too."""
        inquiries = list(self.inquiries.all())
        models.prefetch_related_objects(inquiries, "events")
        return status_rule.abandoned_after(
            inquiry.status_facts(with_reached=True) for inquiry in inquiries
        )

    def jurisdiction_lines(self) -> list[JurisdictionLine]:
        """One line per regulator: its current inquiries, the newest first, with their flags.

        Reads `self.inquiries.all()`, so a prefetch (`with_list_data`) serves a whole list."""
        lines: dict[int, JurisdictionLine] = {}
        for inquiry in self.inquiries.all():
            line = lines.setdefault(
                inquiry.regulator_id, JurisdictionLine(regulator=inquiry.regulator)
            )
            if inquiry.superseded_by_id:
                line.superseded.append(inquiry)
            elif inquiry.is_context or inquiry.is_conduct:
                line.context.append(inquiry)
            else:
                line.current.append(inquiry)
        return sorted(lines.values(), key=lambda line: line.sort_key)

    def next_deadline(self, today: datetime.date | None = None) -> datetime.date | None:
        """The soonest upcoming statutory deadline of an open inquiry, as `with_next_deadline`
        annotates it; reads `self.inquiries.all()` (prefetched by `with_list_data`)."""
        today = today or timezone.localdate()
        upcoming = [
            inquiry.deadline_on
            for inquiry in self.inquiries.all()
            if inquiry.is_open and inquiry.deadline_on and inquiry.deadline_on >= today
        ]
        return min(upcoming, default=None)

    def compute_last_activity(self) -> datetime.date | None:
        return self._event_dates()["latest"]

    def _event_dates(self) -> dict:
        return Event.objects.filter(timeline_deal=self).aggregate(
            latest=Max("occurred_on"), first=Min("occurred_on")
        )

    def jurisdiction_states(self) -> dict[str, str]:
        """Each regulator's state as a code (an outcome, else a stage), keyed by regulator id."""
        states = {}
        for line in self.jurisdiction_lines():
            lead = line.lead
            states[str(line.regulator.pk)] = lead.outcome or lead.stage
        return states

    def refresh_derived_fields(
        self, *, inquiry: Inquiry | None = None, event: Event | None = None
    ) -> None:
        """Recompute the stored status and latest activity from the inquiries and events, and
        record each change of the overall status or of a regulator's line as a StatusChange,
        caused by `inquiry` or `event` when the caller knows."""
        previous_status, previous_states = self.antitrust_status, self.stored_states
        self.antitrust_status = self.compute_antitrust_status()
        dates = self._event_dates()
        self.last_activity_on = dates["latest"]
        self.first_known_on = self.announced_on or dates["first"]
        self.stored_states = self.jurisdiction_states()
        # A plain UPDATE: derived values are not an editor's change and need no history row.
        Deal.objects.filter(pk=self.pk).update(
            antitrust_status=self.antitrust_status,
            last_activity_on=self.last_activity_on,
            first_known_on=self.first_known_on,
            stored_states=self.stored_states,
        )
        changes = [(None, previous_status, self.antitrust_status)]
        if previous_states is not None:
            changes += [
                (int(key), previous_states.get(key, ""), self.stored_states.get(key, ""))
                for key in sorted({*previous_states, *self.stored_states}, key=int)
            ]
        if not RECORDING_STATUS_CHANGES.get():
            return
        changed_by = editor_making_this_request()
        StatusChange.objects.bulk_create(
            StatusChange(
                deal=self,
                regulator_id=regulator_id,
                old_value=old,
                new_value=new,
                inquiry=inquiry,
                event=event,
                changed_by=changed_by,
            )
            for regulator_id, old, new in changes
            if old != new
        )

    def inquiries_with_clock_data(self) -> InquiryQuerySet:
        """The deal's inquiries with what their clocks read (a queryset, not read yet)."""
        return Inquiry.objects.filter(deal=self).for_deal_page().with_clock_data()

    def timeline(self) -> models.QuerySet[Event]:
        """Every event of the deal and of its inquiries, oldest first."""
        return (
            Event.objects.filter(timeline_deal=self)
            .select_related("inquiry__regulator")
            .order_by("occurred_on", "pk")
        )


class PartyRole(models.TextChoices):
    ACQUIRER = "acquirer", "Acquirer"
    TARGET = "target", "Target"
    INVESTOR = "investor", "Investor"
    PARTNER = "partner", "Partner"
    SELLER = "seller", "Seller"


class Party(models.Model):
    """A company's role in a deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="parties")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "company", "role"], name="unique_party_role_per_deal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_role_display()})"


# --- Inquiries ----------------------------------------------------------------------------


class InquiryKind(models.TextChoices):
    MERGER_REVIEW = "merger_review", "Merger review"
    INFORMAL_REVIEW = "informal_review", "Informal review"
    MARKET_STUDY = "market_study", "Market study"
    CONDUCT = "conduct", "Conduct investigation"
    REFERRAL = "referral", "Referral"


def status_errors(*, kind: str, stage: str, outcome: str) -> dict[str, str]:
    """What is wrong with an inquiry's kind, stage and outcome together ({} when nothing is).

    The one statement of the two vocabularies' rules: conduct cases take the conduct stages and
    outcomes, every other kind those of merger control, and an inquiry with an outcome is
    closed. The admin (Inquiry.clean) shows these errors; ingest refuses a record that has any.
    """
    if kind not in InquiryKind.values:
        return {"kind": "Not a kind of inquiry."}
    conduct = kind == InquiryKind.CONDUCT
    stages, outcomes = (
        (CONDUCT_STAGES, CONDUCT_OUTCOMES) if conduct else (MERGER_STAGES, MERGER_OUTCOMES)
    )
    family = "a conduct case" if conduct else "merger control"
    errors = {}
    if stage not in Stage.values:
        errors["stage"] = "Not a stage."
    elif stage not in stages:
        errors["stage"] = f"{Stage(stage).label} is not a stage of {family}."
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = "Not an outcome."
    elif outcome and outcome not in outcomes:
        errors["outcome"] = f"{Outcome(outcome).label} is not an outcome of {family}."
    if outcome and stage != Stage.CLOSED and "stage" not in errors:
        errors["stage"] = "An inquiry with an outcome is closed: choose the stage Closed."
    return errors


# The one definition of an open inquiry: no outcome, a stage that is a step of a review (not
# "closed", not "state not published"), and not superseded by another inquiry.
OPEN_INQUIRY = Q(outcome="", superseded_by__isnull=True) & ~Q(
    stage__in=[Stage.CLOSED, Stage.NOT_PUBLISHED]
)


class InquiryQuerySet(models.QuerySet):
    def open(self) -> InquiryQuerySet:
        return self.filter(OPEN_INQUIRY)

    def public(self) -> InquiryQuerySet:
        """Inquiries an analyst may see: not attached to an unpublished deal."""
        return self.filter(Q(deal__isnull=True) | Q(deal__is_published=True))

    def with_list_data(self) -> InquiryQuerySet:
        return self.select_related("regulator", "deal", "superseded_by__regulator")

    def for_deal_page(self) -> InquiryQuerySet:
        """As a deal's page lists them: with their regulators, oldest first."""
        return self.select_related("regulator", "superseded_by__regulator").order_by(
            "opened_on", "pk"
        )

    def with_upcoming_deadline(self, today: datetime.date | None = None) -> InquiryQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(deadline_on__gte=today).order_by("deadline_on", "pk")

    def with_clock_data(self) -> InquiryQuerySet:
        """What the statutory clocks read (events, clock stops), in a fixed number of queries."""
        return self.with_list_data().prefetch_related(
            models.Prefetch("events", queryset=Event.objects.order_by("occurred_on", "pk")),
            "clock_stops",
        )

    def reviewed_by(self, regulators) -> InquiryQuerySet:
        return self.filter(regulator__in=regulators)

    def in_jurisdiction(self, code: str) -> InquiryQuerySet:
        return self.in_jurisdictions([code])

    def in_jurisdictions(self, codes) -> InquiryQuerySet:
        return self.filter(regulator__jurisdiction__in=[code.upper() for code in codes])

    def counts_by_regulator(self) -> dict[int, tuple[int, int]]:
        """regulator id -> (inquiries, open inquiries): one pass over the table (cache it)."""
        rows = (
            self.order_by()
            .values("regulator")
            .annotate(total=Count("pk"), open=Count("pk", filter=OPEN_INQUIRY))
        )
        return {row["regulator"]: (row["total"], row["open"]) for row in rows}

    def involving(self, companies) -> InquiryQuerySet:
        """Inquiries concerning one of `companies`, directly or as a party to the deal."""
        # Two uncorrelated IN lists (PostgreSQL hashes each once), not two correlated EXISTS
        # run for every inquiry: the newest inquiries of Microsoft's 1,800 deals are read from
        # the opened-on index until the page is full.
        deals = Party.objects.filter(company__in=companies).values("deal_id")
        direct = Inquiry.companies.through.objects.filter(company__in=companies)
        return self.filter(Q(deal__in=deals) | Q(pk__in=direct.values("inquiry_id")))

    def search(self, text: str) -> InquiryQuerySet:
        """Inquiries matching every word of `text` in their reference, title, deal, companies or
        regulator; annotated with `search_rank` (deals/search.py)."""
        return search_documents(self, text, title_field="reference")


class M2MHistoricalRecords(HistoricalRecords):
    """django-simple-history's history, without two queries per history row it does not need
    (ingest writes an inquiry's history row twice per new inquiry: created, companies added).

    Upstream finds the through model from `history_instance.instance`, which reads the model's
    excluded fields back from the database; the saved `instance` has the same through model.
    And a row just created ("+") has no m2m rows yet to copy. The rows and signals are the same.
    """

    def create_historical_record_m2ms(self, history_instance, instance):
        for m2m in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[m2m]
            through_model = getattr(instance, m2m.name).through
            through_fields = through_model._meta.fields
            names = [f.name for f in through_fields]
            fk_names = [f.name for f in through_fields if isinstance(f, models.ForeignKey)]
            rows = []
            if history_instance.history_type != "+":
                rows = through_model.objects.filter(
                    **{history_utils.get_m2m_field_name(m2m): instance}
                ).select_related(*fk_names)
            insert_rows = [
                m2m_history_model(history=history_instance, **{n: getattr(row, n) for n in names})
                for row in rows
            ]
            history_signals.pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            history_signals.post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=m2m,
            )


class Inquiry(TimeStamped):
    regulator = models.ForeignKey(Regulator, on_delete=models.PROTECT, related_name="inquiries")
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        help_text="Empty for a conduct case or an inquiry not yet linked to a deal.",
    )
    companies = models.ManyToManyField(
        Company, blank=True, related_name="inquiries", help_text="The companies concerned."
    )
    title = models.CharField(
        max_length=255, blank=True, help_text="The regulator's case name, when it has one."
    )
    reference = models.CharField(
        max_length=60,
        blank=True,
        db_index=True,
        help_text="The regulator's case number (M.11357, ME/7108/24); empty for an informal look.",
    )
    kind = models.CharField(
        max_length=20, choices=InquiryKind.choices, default=InquiryKind.MERGER_REVIEW
    )
    stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.INFORMAL, db_index=True
    )
    outcome = models.CharField(
        max_length=30,
        choices=Outcome.choices,
        blank=True,
        db_index=True,
        help_text="Empty while the inquiry is open.",
    )
    status_wording = models.CharField(
        "regulator's wording",
        max_length=500,
        blank=True,
        help_text="The regulator's own words for where the case stands.",
    )
    opened_on = models.DateField(null=True, blank=True)
    deadline_on = models.DateField("statutory deadline", null=True, blank=True, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    decision_status = models.CharField(
        max_length=20,
        choices=DecisionStatus.choices,
        default=DecisionStatus.IN_FORCE,
        help_text="Whether the decision still has force. An annulled or withdrawn decision is "
        "still shown, but no longer counts toward the deal's status.",
    )
    decision_status_on = models.DateField(
        "decision status since",
        null=True,
        blank=True,
        help_text="Date of the appeal, annulment or withdrawal.",
    )
    decision_status_note = models.CharField(
        "decision status note",
        max_length=300,
        blank=True,
        help_text='In words, e.g. "after the Court of Justice\'s judgment" or "Case T-15/25".',
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        help_text="The inquiry that decides instead: the restructured deal's review, or the "
        "receiving authority's case after a referral. A superseded inquiry no longer counts.",
    )
    supersession = models.CharField(
        "superseded because",
        max_length=20,
        choices=Supersession.choices,
        blank=True,
    )
    extended_by = models.PositiveSmallIntegerField(
        "clock extended by",
        default=0,
        blank=True,
        help_text="Time the regulator added to the current phase on request, in its rule's unit: "
        "EC working days (Phase I +10 for a referral request, Phase II up to +20), CMA Phase 2 "
        "weeks (up to +8). Commitments extend the clock by themselves (a 'remedies offered' "
        "event). Counts in the computed deadline only.",
    )
    cash_tender_offer = models.BooleanField(
        default=False,
        help_text="US HSR: a cash tender offer or bankruptcy sale (15-day waiting period, 10 days "
        "after a second request).",
    )
    court_approval_pending = models.BooleanField(
        default=False,
        help_text="A settlement or consent decree awaits a court's approval (US Tunney Act).",
    )
    checked_on = models.DateField(
        "last checked",
        null=True,
        blank=True,
        help_text="When an editor last checked the regulator's page for news.",
    )
    last_activity_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Date of the newest event, or the opening date: the last known activity.",
    )
    source_url = models.URLField("source address", max_length=500, blank=True)
    summary = models.TextField(blank=True)
    needs_review = models.BooleanField(
        default=False, db_index=True, help_text="Created by ingest; an editor has not checked it."
    )
    search_document = models.TextField(
        blank=True, editable=False, help_text="What free text is matched on (deals/search.py)."
    )
    search_vector = SearchVectorField(null=True, editable=False)

    history = M2MHistoricalRecords(
        m2m_fields=[companies],
        excluded_fields=["last_activity_on", "search_document", "search_vector"],
    )
    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = [models.F("opened_on").desc(nulls_last=True), "pk"]
        # Newest-first orders (NULLS LAST) are indexed by migration 0012 on PostgreSQL.
        indexes = [
            models.Index(fields=["opened_on", "id"], name="inquiry_opened_asc_idx"),
            # Ingest finds a case without a number by its address (ingest/services.py).
            models.Index(fields=["source_url"], name="inquiry_source_url_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["regulator", "reference"],
                condition=~Q(reference=""),
                name="unique_reference_per_regulator",
                violation_error_message="This regulator already has an inquiry with this case "
                "reference.",
            )
        ]

    def __str__(self) -> str:
        label = self.reference or self.title or (self.deal.title if self.deal_id else "inquiry")
        return f"{self.regulator.short_name} {label}" if self.regulator_id else label

    def save(self, *args, **kwargs):
        self.extended_by = self.extended_by or 0  # an admin form left empty means none
        created = self.pk is None
        previous_deal_id = (
            None
            if created
            else Inquiry.objects.filter(pk=self.pk).values_list("deal_id", flat=True).first()
        )
        super().save(*args, **kwargs)
        if previous_deal_id != self.deal_id and not created:
            fill_timeline_deal(Event.objects.filter(inquiry=self))
        refresh_inquiries(self.pk)
        refresh_deals(self.deal_id, previous_deal_id, inquiry=self)
        refresh_search(deal_ids=[self.deal_id, previous_deal_id], inquiry_ids=[self.pk])

    def get_absolute_url(self) -> str:
        if self.deal_id:
            return f"{self.deal.get_absolute_url()}#inquiry-{self.pk}"
        return f"{reverse('deals:inquiry_list')}?q={self.reference}"

    def clean(self):
        errors = status_errors(kind=self.kind, stage=self.stage, outcome=self.outcome)
        if self.decision_status != DecisionStatus.IN_FORCE and not self.outcome:
            errors["decision_status"] = (
                "Only a decision (an inquiry with an outcome) can be "
                "under appeal, annulled or withdrawn."
            )
        if self.superseded_by_id:
            errors.update(self._supersession_errors())
        elif self.supersession:
            errors["supersession"] = "Say which inquiry supersedes this one, or leave this empty."
        if errors:
            raise ValidationError(errors)

    def _supersession_errors(self) -> dict[str, str]:
        other = self.superseded_by
        if other.pk == self.pk:
            return {"superseded_by": "An inquiry cannot supersede itself."}
        if not self.supersession:
            return {"supersession": "Say why it is superseded: restructured deal or referral."}
        if other.deal_id != self.deal_id and self.supersession != Supersession.REFERRED:
            return {
                "superseded_by": "An inquiry of another deal can only supersede this one as the "
                "receiving authority's case after a referral."
            }
        if other.superseded_by_id == self.pk:
            return {"superseded_by": "These two inquiries would supersede each other."}
        return {}

    @property
    def is_conduct(self) -> bool:
        return self.kind == InquiryKind.CONDUCT

    @property
    def is_context(self) -> bool:
        """Informal looks and market studies: shown beside a deal, not counted as a review."""
        return self.kind in status_rule.CONTEXT_KINDS

    @property
    def is_open(self) -> bool:
        # Only what openness depends on: no query, whatever the outcome (lists call this).
        facts = status_rule.InquiryFacts(kind=self.kind, stage=self.stage, outcome=self.outcome)
        return facts.is_open and not self.superseded_by_id

    @property
    def state_not_published(self) -> bool:
        return self.stage == Stage.NOT_PUBLISHED

    @property
    def is_dormant(self) -> bool:
        if not self.is_context:  # only informal looks and market studies turn dormant
            return False
        return status_rule.is_dormant(
            self.status_facts(), today=timezone.localdate(), dormant_after=dormant_after()
        )

    @property
    def decision_lost_force(self) -> bool:
        return self.decision_status in status_rule.LOST_FORCE

    @property
    def deadline_passed(self) -> bool:
        """An open review whose published deadline is past with no decision recorded since."""
        return bool(self.is_open and self.deadline_on and self.deadline_on < timezone.localdate())

    def clock_facts(self) -> clocks.ClockFacts:
        """What the statutory clocks need; reads `events` and `clock_stops` (prefetch them)."""
        return clocks.ClockFacts(
            regulator=self.regulator.slug if self.regulator_id else "",
            opened_on=self.opened_on,
            closed_on=self.closed_on,
            events=tuple((event.kind, event.occurred_on) for event in self.events.all()),
            stops=tuple((stop.stopped_on, stop.restarted_on) for stop in self.clock_stops.all()),
            extended_by=self.extended_by,
            cash_tender_offer=self.cash_tender_offer,
        )

    @cached_property
    def phase_clocks(self) -> list[clocks.PhaseClock]:
        """Each phase's statutory clock (merger reviews only), in order."""
        if self.kind != InquiryKind.MERGER_REVIEW:
            return []
        return clocks.phase_clocks(self.clock_facts())

    @cached_property
    def deadline(self) -> clocks.Deadline | None:
        """The deadline to show: the published one wins over the computed one."""
        if self.kind != InquiryKind.MERGER_REVIEW and not self.deadline_on:
            return None
        return clocks.current_deadline(
            self.clock_facts(), published=self.deadline_on, is_open=self.is_open
        )

    def reached(self) -> str:
        """The furthest step the review is known to have reached, in words, from its stage and
        timeline; "review" when nothing shows which."""
        us = self.regulator.jurisdiction == "US"
        kinds = {event.kind for event in self.events.all()}
        if EventKind.LAWSUIT in kinds or self.stage == Stage.LITIGATION:
            return "suit" if us else "litigation"
        if EventKind.PHASE_2_OPENED in kinds or self.stage in IN_DEPTH_STAGES:
            return "second request" if us else "Phase 2"
        if EventKind.PHASE_1_OPENED in kinds or self.stage == Stage.PHASE_1:
            return "review" if us else "Phase 1"
        if self.stage == Stage.INFORMAL:
            return "informal look"
        return "review"

    @property
    def short_state(self) -> str:
        """The state in two or three words, for lists: "Cleared", "Phase 2 / in-depth"."""
        if self.outcome:
            label = self.get_outcome_display()
            if self.decision_lost_force:  # an appeal is shown as its flag beside it
                return f"{label} ({self.get_decision_status_display().lower()})"
            return label
        if self.superseded_by_id:
            return "Superseded"
        if self.is_dormant:
            return f"{self.get_stage_display()} (dormant)"
        return self.get_stage_display()

    def status_facts(self, *, with_reached: bool = False) -> status_rule.InquiryFacts:
        """What the status rule needs; `with_reached` reads the events (prefetch them)."""
        return status_rule.InquiryFacts(
            kind=self.kind,
            stage=self.stage,
            outcome=self.outcome,
            decision_status=self.decision_status,
            superseded=bool(self.superseded_by_id),
            last_activity_on=self.last_activity_on or self.opened_on,
            closed_on=self.closed_on,
            regulator=self.regulator.short_name if self.regulator_id else "",
            reached=self.reached() if with_reached else "",
        )

    def state_text(self) -> str:
        """Where the inquiry stands, in one phrase: "Cleared with remedies 13 Oct 2023"."""
        if self.outcome:
            text = _dated(self.get_outcome_display(), self.closed_on)
            if self.decision_lost_force:
                verb = self.get_decision_status_display().lower()
                text += "; " + _dated(verb, self.decision_status_on)
                if self.decision_status_note:
                    text += f" {self.decision_status_note}"
            return text
        if self.state_not_published:
            return _dated("State not published; last activity", self.last_activity_on)
        if self.superseded_by_id:
            return _dated(f"{self.get_stage_display()}, superseded", None)
        if self.stage == Stage.CLOSED:
            return _dated("Closed", self.closed_on)
        if self.is_dormant and self.last_activity_on:
            return _dated(f"{self.get_stage_display()}, no activity since", self.last_activity_on)
        if self.is_dormant:
            return f"{self.get_stage_display()}, dormant"
        if not self.opened_on:  # known to be open, not since when ("notified in June 2026")
            return f"{self.get_stage_display()}, open"
        return _dated(f"{self.get_stage_display()}, open since", self.opened_on)

    def flags(self) -> list[str]:
        """What a reader must not miss beside the state: appeals, pending approvals, silence."""
        flags = []
        if self.decision_status == DecisionStatus.UNDER_APPEAL:
            note = f" ({self.decision_status_note})" if self.decision_status_note else ""
            flags.append(f"under appeal{note}")
        if self.court_approval_pending:
            flags.append("court approval pending")
        if self.is_dormant:
            flags.append("dormant")
        if self.superseded_by_id:
            flags.append("superseded")
        if self.deadline_passed:
            checked = f" (last checked {_day(self.checked_on)})" if self.checked_on else ""
            due = _day(self.deadline_on)
            flags.append(f"decision due {due}; no decision recorded since{checked}")
        return flags

    def compute_last_activity(self) -> datetime.date | None:
        latest = self.events.aggregate(latest=Max("occurred_on"))["latest"]
        return self.last_activity_given(latest)

    def last_activity_given(self, latest_event_on: datetime.date | None) -> datetime.date | None:
        """The last known activity, given the date of the inquiry's newest event."""
        dates = [day for day in (latest_event_on, self.opened_on) if day]
        return max(dates) if dates else None


class ClockStop(models.Model):
    """A stopped statutory clock (EC Art. 10(4), CMA s. 39(8), ACCC information requests; in
    the US the second request, restarted on substantial compliance). The computed deadline moves
    back by the time the clock stood still; without a restart date it is not computed."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="clock_stops")
    stopped_on = models.DateField(help_text="The first day the clock stood still.")
    restarted_on = models.DateField(
        null=True, blank=True, help_text="The day it ran again; empty while it is stopped."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why, in the regulator's words.")
    source_url = models.URLField("source address", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stopped_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(restarted_on__isnull=True) | Q(restarted_on__gte=F("stopped_on")),
                name="clock_restarts_after_it_stops",
                violation_error_message="The clock cannot restart before it stopped.",
            )
        ]

    def __str__(self) -> str:
        return f"Clock stopped {self.stopped_on}" + (
            f" to {self.restarted_on}" if self.restarted_on else ""
        )


# --- Timeline -----------------------------------------------------------------------------


class EventKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMMENT_INVITED = "comment_invited", "Comment invited"
    NOTIFIED = "notified", "Notified"
    PHASE_1_OPENED = "phase_1_opened", "Phase 1 opened"
    PHASE_2_OPENED = "phase_2_opened", "Phase 2 opened"
    PROCEEDINGS_OPENED = "proceedings_opened", "Proceedings opened"
    OBJECTIONS = "objections", "Objections"
    REMEDIES_OFFERED = "remedies_offered", "Remedies offered"
    LAWSUIT = "lawsuit", "Suit to block"
    DECISION = "decision", "Decision"
    APPEAL = "appeal", "Appeal"
    ABANDONED = "abandoned", "Abandoned"
    PRESS = "press", "Press"
    OTHER = "other", "Other"


class EventQuerySet(models.QuerySet):
    def public(self) -> EventQuerySet:
        return self.exclude(timeline_deal__is_published=False)

    def recorded_since(self, moment: datetime.datetime) -> EventQuerySet:
        return self.filter(recorded_at__gt=moment)

    def for_deals(self, deals) -> EventQuerySet:
        return self.filter(timeline_deal__in=deals)

    def involving(self, companies) -> EventQuerySet:
        """Events of the deals `companies` are party to, and of inquiries concerning them."""
        deals = Party.objects.filter(company__in=companies).values("deal_id")
        inquiries = Inquiry.objects.involving(companies).values("pk")
        return self.filter(
            Q(deal__in=deals) | Q(inquiry__deal__in=deals) | Q(inquiry__in=inquiries)
        )


class Event(models.Model):
    occurred_on = models.DateField("date", help_text="When it happened.")
    recorded_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="When we recorded it."
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.OTHER)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    source_url = models.URLField("source address", max_length=500, blank=True)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    inquiry = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # Denormalised so that a deal's timeline is one indexed lookup, not an OR across a join that
    # reads every event. save() and Inquiry.save() keep it; bulk writes call fill_timeline_deal.
    timeline_deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # the index below, with the timeline's order, serves the lookups
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The deal whose timeline shows the event: its deal, or its inquiry's deal.",
    )

    history = HistoricalRecords(excluded_fields=["timeline_deal"])
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "pk"]
        indexes = [
            models.Index(fields=["timeline_deal", "occurred_on", "id"], name="event_timeline_idx"),
            # Newest first with the id as tie-break (a regulator's recent events): an index in
            # that order stops after the rows shown, even when thousands share a date.
            models.Index(fields=["occurred_on", "id"], name="event_occurred_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deal__isnull=False) | Q(inquiry__isnull=False),
                name="event_has_deal_or_inquiry",
                violation_error_message="An event belongs to a deal, an inquiry, or both.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.title}"

    def save(self, *args, **kwargs):
        self.timeline_deal_id = self.deal_id or self._inquiry_deal_id()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "timeline_deal"}
        super().save(*args, **kwargs)
        refresh_inquiries(self.inquiry_id)
        if deferred_refresh() is not None:  # timeline_deal is the inquiry's deal, read above
            refresh_deals(self.deal_id, self.timeline_deal_id, event=self)
        else:
            refresh_deals(self.deal_id, *deals_of_inquiries(self.inquiry_id), event=self)

    def _inquiry_deal_id(self) -> int | None:
        if not self.inquiry_id:
            return None
        if Event.inquiry.is_cached(self) and self.inquiry.pk == self.inquiry_id:
            return self.inquiry.deal_id
        return Inquiry.objects.filter(pk=self.inquiry_id).values_list("deal_id", flat=True).first()

    def clean(self):
        if self.deal_id and self.inquiry_id and self.inquiry.deal_id != self.deal_id:
            raise ValidationError(
                {
                    "inquiry": "This inquiry belongs to another deal: pick one of this deal's "
                    "inquiries, or leave it empty."
                }
            )

    @property
    def regulator(self) -> Regulator | None:
        return self.inquiry.regulator if self.inquiry_id else None

    @property
    def the_deal(self) -> Deal | None:
        """The deal this event belongs to, directly or through its inquiry."""
        if self.deal_id:
            return self.deal
        return self.inquiry.deal if self.inquiry_id else None


class StatusChangeQuerySet(models.QuerySet):
    def overall(self) -> StatusChangeQuerySet:
        return self.filter(regulator__isnull=True)

    def with_display_data(self) -> StatusChangeQuerySet:
        return self.select_related("regulator", "inquiry__regulator", "event")


class StatusChange(models.Model):
    """A change of a deal's overall status, or of one regulator's line on it: a fact of its own,
    recorded when the derived status is recomputed, with what caused it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="status_changes")
    regulator = models.ForeignKey(
        Regulator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for the deal's overall status.",
    )
    old_value = models.CharField(max_length=40, blank=True)
    new_value = models.CharField(max_length=40, blank=True)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    inquiry = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The editor whose correction changed it.",
    )

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.deal}: {self.describe()}"

    @staticmethod
    def label(value: str, *, overall: bool) -> str:
        if not value:
            return "none" if overall else "no inquiry"
        if overall:
            return AntitrustStatus(value).label if value in AntitrustStatus.values else value
        if value in Outcome.values:
            return Outcome(value).label
        return Stage(value).label if value in Stage.values else value

    @property
    def is_overall(self) -> bool:
        return self.regulator_id is None

    @property
    def old_label(self) -> str:
        return self.label(self.old_value, overall=self.is_overall)

    @property
    def new_label(self) -> str:
        return self.label(self.new_value, overall=self.is_overall)

    def describe(self) -> str:
        """ "Under review -> In-depth review", or "EC: Phase 1 -> Phase 2 / in-depth"."""
        prefix = "" if self.is_overall else f"{self.regulator.short_name}: "
        return f"{prefix}{self.old_label} → {self.new_label}"

    @property
    def cause(self) -> str:
        if self.event_id:
            return self.event.title
        if self.changed_by_id:
            return "an editor's correction"
        if self.inquiry_id:
            return f"{self.inquiry} updated"
        return ""


def fill_timeline_deal(events: models.QuerySet[Event]) -> int:
    """Set Event.timeline_deal on `events` in one UPDATE: for writes that bypass Event.save()
    (bulk_create, a migration, an inquiry moved to another deal)."""
    inquiry_deal = Inquiry.objects.filter(pk=OuterRef("inquiry_id")).values("deal_id")
    updated = events.update(timeline_deal=Coalesce(F("deal_id"), Subquery(inquiry_deal)))
    content_changed()
    return updated


def deals_of_inquiries(*inquiry_ids: int | None) -> list[int]:
    ids = [pk for pk in inquiry_ids if pk]
    if not ids:
        return []
    return list(Inquiry.objects.filter(pk__in=ids).values_list("deal_id", flat=True))


def refresh_deals(
    *deal_ids: int | None,
    inquiry: Inquiry | None = None,
    event: Event | None = None,
    now: bool = False,
) -> None:
    """Refresh the derived fields of these deals, at once or (inside `derived_fields_deferred`,
    unless `now`) when the block ends."""
    ids = {pk for pk in deal_ids if pk}
    pending = deferred_refresh()
    if pending is not None and not now:
        pending.ask_deals(ids, inquiry=inquiry, event=event)
        return
    deals = Deal.objects.filter(pk__in=ids).prefetch_related(
        models.Prefetch("inquiries", queryset=Inquiry.objects.select_related("regulator"))
    )
    for deal in deals:
        deal.refresh_derived_fields(inquiry=inquiry, event=event)


@dataclass
class PendingRefresh:
    """What the saves inside one `derived_fields_deferred` block asked to refresh."""

    # deal id -> (the last inquiry, the last event saved for it): the cause of a status change.
    deals: dict[int, tuple[Inquiry | None, Event | None]] = field(default_factory=dict)
    inquiries: set[int] = field(default_factory=set)
    search_deals: set[int] = field(default_factory=set)
    search_inquiries: set[int] = field(default_factory=set)

    def ask_deals(self, ids, *, inquiry: Inquiry | None, event: Event | None) -> None:
        for pk in ids:
            last_inquiry, last_event = self.deals.get(pk, (None, None))
            self.deals[pk] = (inquiry or last_inquiry, event or last_event)

    def join(self, other: PendingRefresh) -> None:
        for pk, (inquiry, event) in other.deals.items():
            self.ask_deals([pk], inquiry=inquiry, event=event)
        self.inquiries |= other.inquiries
        self.search_deals |= other.search_deals
        self.search_inquiries |= other.search_inquiries

    def run(self) -> None:
        # Inquiries first: an inquiry's last activity is part of its deal's status (dormancy).
        refresh_inquiries(*self.inquiries)
        by_cause: dict[tuple, list[int]] = {}
        for pk, (inquiry, event) in self.deals.items():
            # An inquiry's change is what moves a status; an event only when no inquiry changed.
            cause = (inquiry, None) if inquiry is not None else (None, event)
            by_cause.setdefault(cause, []).append(pk)
        for (inquiry, event), ids in by_cause.items():
            refresh_deals(*ids, inquiry=inquiry, event=event)
        refresh_search(deal_ids=self.search_deals, inquiry_ids=self.search_inquiries)


_PENDING: contextvars.ContextVar[PendingRefresh | None] = contextvars.ContextVar(
    "pending_refresh", default=None
)


def deferred_refresh() -> PendingRefresh | None:
    """The refresh collecting requests now, inside `derived_fields_deferred`; else None."""
    return _PENDING.get()


@contextlib.contextmanager
def derived_fields_deferred():
    """Refresh derived fields (statuses, last activity, search documents) and bump the content
    version once per deal or inquiry when the block ends, instead of on every save in it: ingest
    saves a deal's inquiries and events many times in one run. Run it inside the block's
    transaction. Nested, the inner block's requests join the outer one only when it ends
    without an error: a record rolled back to its savepoint asks for nothing."""
    parent = _PENDING.get()
    pending = PendingRefresh()
    token = _PENDING.set(pending)
    with content_changes_deferred():
        try:
            yield pending
        finally:
            _PENDING.reset(token)
        if parent is not None:
            parent.join(pending)
        else:
            pending.run()


# Loading history (the demo data) derives statuses without recording each step as news.
RECORDING_STATUS_CHANGES: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "recording_status_changes", default=True
)


@contextlib.contextmanager
def status_changes_unrecorded():
    """Derive statuses as usual but record no StatusChange: what is written is history, not
    news (the demo data, where each intermediate step would read as a change made today)."""
    token = RECORDING_STATUS_CHANGES.set(False)
    try:
        yield
    finally:
        RECORDING_STATUS_CHANGES.reset(token)


def editor_making_this_request():
    """The signed-in user whose request is saving, if any (an editor's correction in the admin):
    django-simple-history's middleware keeps the request for its own history rows."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def refresh_inquiries(*inquiry_ids: int | None) -> None:
    """Store each inquiry's last known activity (a plain UPDATE: no history row); inside
    `derived_fields_deferred`, when the block ends."""
    ids = sorted({pk for pk in inquiry_ids if pk})
    pending = deferred_refresh()
    if pending is not None:
        pending.inquiries.update(ids)
        return
    for start in range(0, len(ids), SEARCH_CHUNK):
        rows = Inquiry.objects.filter(pk__in=ids[start : start + SEARCH_CHUNK]).annotate(
            latest_event_on=Max("events__occurred_on")
        )
        changed = []
        for inquiry in rows.only("pk", "opened_on", "last_activity_on"):
            latest = inquiry.last_activity_given(inquiry.latest_event_on)
            if latest != inquiry.last_activity_on:
                inquiry.last_activity_on = latest
                changed.append(inquiry)
        Inquiry.objects.bulk_update(changed, ["last_activity_on"], batch_size=500)


def search_documents(queryset: models.QuerySet, text: str, *, title_field: str):
    """`queryset` narrowed to rows whose search document matches every term of `text`, with a
    `search_rank` (higher is better). The rules are in deals/search.py."""
    terms = search_rule.parse_query(text)
    # Unranked: an expression, as ORDER BY takes no bare constant when the pks are read alone.
    unranked = Cast(Value(0.0), models.FloatField())
    if not terms:  # nothing searchable ("...", "%"): every row, unranked
        return queryset.annotate(search_rank=unranked)
    if connections[queryset.db].vendor == "postgresql":
        # A case reference is matched from its start only, as words: as a fragment, "m 1" would
        # match most documents. Its matches are not ranked (search.is_reference).
        reference = search_rule.is_reference(text)
        matches = Q()
        for term in terms:
            one = Q(search_vector=SearchQuery(term.tsquery, search_type="raw", config="simple"))
            if not reference and len(term.text) >= search_rule.MIN_FRAGMENT:
                one |= Q(search_document__contains=term.text)
            if not reference and len(term.text) >= search_rule.MIN_FUZZY:
                one |= Q(search_rule.WordSimilar(Value(term.text), F("search_document")))
            matches &= one
        query = SearchQuery(search_rule.tsquery(terms), search_type="raw", config="simple")
        # As double precision: a float4 would not come back equal from the API's cursor.
        rank = Cast(SearchRank(F("search_vector"), query), models.FloatField())
        if reference:
            rank = unranked
    else:
        # SQLite: each term at the start of a word of the document; a title match ranks first.
        matches = Q()
        in_title = Q()
        for term in terms:
            matches &= Q(search_document__contains=f" {term.text}")
            in_title &= Q(**{f"{title_field}__icontains": term.text})
        rank = Case(When(in_title, then=Value(1.0)), default=Value(0.0))
    return queryset.filter(matches).annotate(search_rank=rank)


SEARCH_CHUNK = 1000


def refresh_search(*, deal_ids=(), inquiry_ids=()) -> None:
    """Rebuild the search documents of these deals and inquiries, and of the inquiries of these
    deals (an inquiry's document holds its deal's title and parties).

    Saves, deletes and signals call this; whatever writes in bulk (bulk_create, update())
    calls it too, or runs `manage.py refresh_search`."""
    deal_ids = sorted({pk for pk in deal_ids if pk})
    inquiry_ids = {pk for pk in inquiry_ids if pk}
    pending = deferred_refresh()
    if pending is not None:
        pending.search_deals.update(deal_ids)
        pending.search_inquiries.update(inquiry_ids)
        return
    for start in range(0, len(deal_ids), SEARCH_CHUNK):
        chunk = deal_ids[start : start + SEARCH_CHUNK]
        inquiry_ids |= set(Inquiry.objects.filter(deal__in=chunk).values_list("pk", flat=True))
        search_rule.store_documents(Deal, search_rule.deal_documents(apps, chunk))
    inquiry_ids = sorted(inquiry_ids)
    for start in range(0, len(inquiry_ids), SEARCH_CHUNK):
        chunk = inquiry_ids[start : start + SEARCH_CHUNK]
        search_rule.store_documents(Inquiry, search_rule.inquiry_documents(apps, chunk))


def refresh_search_for_companies(company_ids) -> None:
    """A company's name, ticker or alternative names changed: its deals and inquiries too."""
    deal_ids = Party.objects.filter(company__in=company_ids).values_list("deal_id", flat=True)
    inquiry_ids = Inquiry.companies.through.objects.filter(company__in=company_ids).values_list(
        "inquiry_id", flat=True
    )
    refresh_search(deal_ids=list(deal_ids), inquiry_ids=list(inquiry_ids))


@receiver(post_save, sender=Party)
@receiver(post_delete, sender=Party)
def party_changed(sender, instance: Party, **kwargs) -> None:
    refresh_search(deal_ids=[instance.deal_id])


@receiver(post_save, sender=Company)
def company_saved(sender, instance: Company, created: bool, **kwargs) -> None:
    if not created:
        refresh_search_for_companies([instance.pk])


@receiver(post_save, sender=CompanyAlias)
@receiver(post_delete, sender=CompanyAlias)
def alias_changed(sender, instance: CompanyAlias, **kwargs) -> None:
    refresh_search_for_companies([instance.company_id])


@receiver(post_save, sender=Regulator)
def regulator_saved(sender, instance: Regulator, created: bool, **kwargs) -> None:
    if not created:
        inquiries = Inquiry.objects.filter(regulator=instance)
        refresh_search(
            deal_ids=list(inquiries.values_list("deal_id", flat=True)),
            inquiry_ids=list(inquiries.values_list("pk", flat=True)),
        )


@receiver(m2m_changed, sender=Inquiry.companies.through)
def inquiry_companies_changed(sender, instance, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Inquiry):
        refresh_search(inquiry_ids=[instance.pk])


def inquiries_companies_add(links: list[tuple[Inquiry, list[Company]]]) -> None:
    """What `inquiry.companies.add(*companies)` does for each of these inquiries, none of which
    has companies yet (ingest made them), in three inserts for all: the links, a history row
    each ("~", as the m2m_changed signal writes) with its links, and what the signals ask for
    (search documents, the content version)."""
    links = [
        (inquiry, list(dict.fromkeys(c.pk for c in companies))) for inquiry, companies in links
    ]
    links = [(inquiry, ids) for inquiry, ids in links if ids]
    if not links:
        return
    through = Inquiry.companies.through
    rows = through.objects.bulk_create(
        [through(inquiry_id=inquiry.pk, company_id=pk) for inquiry, ids in links for pk in ids]
    )
    history = Inquiry.history.bulk_history_create(
        [inquiry for inquiry, _ in links], update=True, default_change_reason=None
    )
    rows_of: dict[int, list] = {}
    for row in rows:
        rows_of.setdefault(row.inquiry_id, []).append(row)
    m2m_history = apps.get_model("deals", "HistoricalInquiry_companies")
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history=entry, id=row.id, inquiry_id=row.inquiry_id, company_id=row.company_id
            )
            for entry in history
            for row in rows_of[entry.id]
        ]
    )
    refresh_search(inquiry_ids=[inquiry.pk for inquiry, _ in links])
    content_changed()


# Deletes go through signals so that bulk deletes (the admin's "delete selected") and cascades
# keep the stored status in step too; a deal deleted with them simply is not found any more.
@receiver(post_delete, sender=Inquiry)
def inquiry_deleted(sender, instance: Inquiry, **kwargs) -> None:
    refresh_deals(instance.deal_id)
    refresh_search(deal_ids=[instance.deal_id])


@receiver(post_delete, sender=Event)
def event_deleted(sender, instance: Event, **kwargs) -> None:
    refresh_inquiries(instance.inquiry_id)
    refresh_deals(instance.deal_id, *deals_of_inquiries(instance.inquiry_id))


# --- Per-jurisdiction lines ---------------------------------------------------------------


def _day(day: datetime.date | None) -> str:
    return dateformat.format(day, "j M Y") if day else ""


def _dated(text: str, day: datetime.date | None) -> str:
    return f"{text} {_day(day)}" if day else text


@dataclass
class JurisdictionLine:
    """One regulator's say on a deal: its current reviews, then context and superseded ones."""

    regulator: Regulator
    current: list[Inquiry] = field(default_factory=list)
    context: list[Inquiry] = field(default_factory=list)
    superseded: list[Inquiry] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.regulator.jurisdiction, self.regulator.short_name)

    @property
    def lead(self) -> Inquiry | None:
        """The inquiry the line speaks for: an open review, else the latest decided one."""
        ranked = self.current or self.context or self.superseded
        if not ranked:
            return None
        open_ones = [inquiry for inquiry in ranked if inquiry.is_open]
        return max(open_ones or ranked, key=lambda i: (i.closed_on or i.opened_on or _EPOCH, i.pk))

    @property
    def is_context_only(self) -> bool:
        return not self.current

    def as_text(self) -> str:
        lead = self.lead
        if lead is None:
            return self.regulator.short_name
        reference = f" ({lead.reference})" if lead.reference else ""
        flags = "".join(f"; {flag}" for flag in lead.flags())
        kind = f" ({lead.get_kind_display().lower()})" if self.is_context_only else ""
        return f"{self.regulator.short_name}{kind}: {lead.state_text()}{reference}{flags}"


_EPOCH = datetime.date(1900, 1, 1)
