"""The domain's models and their querysets: companies, regulators, deals, the regulators'
inquiries into them, events and status changes.

Where the rest lives: the choices in deals/vocabulary.py; the derived fields (a deal's status,
last activity, search documents), how they are computed (the mixins DealDerived and
InquiryDerived) and their refresh in deals/derived.py, run after each save or delete by the
receivers in deals/signals.py; display wording, also mixed in, in deals/wording.py; the status
rule in deals/status.py.
"""

from __future__ import annotations

import datetime
import functools
import string

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import DEFERRED, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from simple_history.models import HistoricalRecords

from . import names
from . import search as search_rule
from . import status as status_rule
from .derived import (
    GROUP_DEPTH,
    DealDerived,
    InquiryDerived,
    deals_refresh_statuses,
)
from .history import M2MHistoricalRecords
from .names import unique_slug
from .vocabulary import (
    AntitrustStatus,
    ChangeCause,
    DatePrecision,
    DeadlineSource,
    DealLife,
    DealType,
    DecisionStatus,
    EventKind,
    InquiryKind,
    LegalBasis,
    Outcome,
    PartyRole,
    PhaseEnd,
    PhaseKind,
    Procedure,
    Stage,
    Supersession,
    as_precise,
    inquiry_errors,
)
from .wording import DealWording, InquiryWording, StatusChangeWording


def precision_field(verbose_name: str) -> models.CharField:
    """How much of a date an editor knows: the day, or the month only (stored as its last day)."""
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        blank=True,
        help_text="Month only: enter any day of the month; it is stored as the month's last day "
        'and shown as "May 2026".',
    )


# What a slug is made of (the <slug:...> converter's): characters reverse() leaves as they are.
SLUG_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_")
_STAND_IN = "slugStandIn"


@functools.lru_cache(maxsize=64)
def _around_slug(name: str, urlconf: str, prefix: str) -> tuple[str, str]:
    # `prefix` is only part of the key: reverse() reads the script prefix in force itself.
    before, _, after = reverse(name, args=[_STAND_IN], urlconf=urlconf).partition(_STAND_IN)
    return before, after


def path_of(name: str, slug: str) -> str:
    """`reverse(name, args=[slug])`: the path reversed once per URL configuration and script
    prefix around a stand-in slug, this one put in its place (reverse() itself for a slug it
    would quote or refuse). A list page links its 25 deals and about 80 regulators, a digest
    run thousands of deals, a CSV a hundred thousand, and reverse() was a fifteenth of a list
    page's time."""
    if not slug or not SLUG_CHARACTERS.issuperset(slug):
        return reverse(name, args=[slug])
    before, after = _around_slug(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{slug}{after}"


@functools.cache
def _labels(field: models.Field) -> dict:
    return dict(make_hashable(field.flatchoices))


class Labelled(models.Model):
    """`get_FOO_display()` from each field's table of labels, built once: Django's flattens and
    hashes the field's choices again on every call, which was a twelfth of a CSV row's time.
    Labels stay lazy (translated when shown); the choices here are fixed (no callable)."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)

    @classmethod
    def from_db(cls, db, field_names, values):
        """A row read with deferred columns (the lists and CSVs leave out the search columns),
        its values laid out per field with the read names looked up in a set: Django scans the
        list of read names for each field, a seventh of a CSV's time. The same list comes with
        every row of a query: its set is made once. The rest is Django's own from_db."""
        fields = cls._meta.concrete_fields
        if len(values) != len(fields):
            names, read = cls.__dict__.get("_read_names", (None, None))
            if names is not field_names:
                read = frozenset(field_names)
                cls._read_names = (field_names, read)
            values_iter = iter(values)
            values = [next(values_iter) if f.attname in read else DEFERRED for f in fields]
        return super().from_db(db, field_names, values)


class TimeStamped(Labelled):
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
        return search_rule.company_search(self, text, aliases=CompanyAlias.objects)

    def on_record(self) -> CompanyQuerySet:
        """Companies an analyst can find something about: a party to a published deal, or named
        in an inquiry that is public (a conduct case with no deal). Ingest also keeps names it
        met only in passing (a group parent, a review queue suggestion)."""
        in_deal = Party.objects.filter(company=OuterRef("pk"), deal__is_published=True)
        named = Inquiry.companies.through.objects.filter(
            company=OuterRef("pk"), inquiry__in=Inquiry.objects.public()
        )
        # "The first such row is not null", not EXISTS: PostgreSQL runs two EXISTS joined by OR
        # as hashed subplans, reading every party of every deal before the first company of a
        # page (0.35 s at 100,000 deals); a first-row subquery is looked up per company, in the
        # index, and a page of the list in name order reads a hundred of them (1 ms). Unordered,
        # so that the lookup stops at the first such row instead of sorting all of them.
        return self.alias(
            first_party=Subquery(in_deal.order_by().values("pk")[:1]),
            first_case=Subquery(named.order_by().values("pk")[:1]),
        ).filter(Q(first_party__isnull=False) | Q(first_case__isnull=False))

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
    cik = models.CharField(
        "SEC CIK",
        max_length=10,
        blank=True,
        db_index=True,
        help_text="The company's Central Index Key at the US SEC (digits only), for its EDGAR "
        "filings (completions and terminations of its deals).",
    )
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
    revision = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Changed by every write to what the company's page shows (its own fields and "
        "names, its group, its deals and inquiries and theirs): the page is kept under it "
        "(deals/derived.py revise_companies).",
    )

    history = HistoricalRecords(excluded_fields=["revision"])
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
        return path_of("deals:company_detail", self.slug)

    def group_member_ids(self, *, max_depth: int = GROUP_DEPTH) -> list[int]:
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
        return path_of("deals:regulator_detail", self.slug)


# --- Deals --------------------------------------------------------------------------------


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
        """What a list of deals shows (their reviews and regulators) in a fixed number of
        queries."""
        return self.prefetch_related(*deal_list_lookups())

    def with_detail_data(self) -> DealQuerySet:
        """What a deal page shows of its parties and inquiries, in a fixed number of queries.
        Not their events and phases: `Deal.inquiries_with_clock_data()` reads those."""
        return self.prefetch_related(
            models.Prefetch("parties", queryset=Party.objects.select_related("company")),
            models.Prefetch("inquiries", queryset=Inquiry.objects.for_deal_page()),
        )

    def search(self, text: str) -> DealQuerySet:
        """Deals matching every word of `text` in their title, parties (names, alternative names,
        tickers), case references or regulators; annotated with `search_rank` (deals/search.py)."""
        return search_rule.search_documents(self, text, title_field="title")

    def reviewed_by(self, regulators) -> DealQuerySet:
        return self.filter(
            Exists(Inquiry.objects.filter(deal=OuterRef("pk"), regulator__in=regulators))
        )

    def in_jurisdiction(self, code: str) -> DealQuerySet:
        return self.in_jurisdictions([code])

    def in_jurisdictions(self, codes) -> DealQuerySet:
        """Deals reviewed in any of these jurisdictions. Their regulators are looked up first
        (a score of rows), so that the inquiries are found by regulator and deal in one index
        (inquiry_regulator_deal_idx) instead of every inquiry being joined to its regulator."""
        codes = [code.upper() for code in codes]
        regulators = list(
            Regulator.objects.filter(jurisdiction__in=codes).order_by().values_list("pk", flat=True)
        )
        return self.reviewed_by(regulators) if regulators else self.none()

    def with_next_deadline(self, today: datetime.date) -> DealQuerySet:
        """Annotate `next_deadline_on`: the soonest statutory deadline, on or after `today`, of
        the deal's open inquiries (None when there is none)."""
        upcoming = (
            Inquiry.objects.filter(deal=OuterRef("pk"))
            .with_upcoming_deadline(today)
            .values("next_deadline_on")[:1]
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
        return deals_refresh_statuses(self)


# What only search reads (deals/search.py), two thirds of a deal's or an inquiry's stored row:
# what reads many rows for something else defers them (the CSVs).
SEARCH_COLUMNS = ("search_document", "search_vector")

# A deal's inquiries as its row lists them (jurisdiction_lines): by regulator, oldest first.
DEAL_ROW_INQUIRY_ORDER = ("regulator__jurisdiction", "regulator__short_name", "opened_on", "pk")


def deal_list_lookups() -> tuple[models.Prefetch, ...]:
    """The prefetches of `with_list_data`, for deals read without them (rows not cached): what a
    list's row shows, the deal's inquiries with their regulators (`jurisdiction_lines`), without
    their search columns and summaries (most of a stored inquiry, which no row shows)."""
    return (
        models.Prefetch(
            "inquiries",
            queryset=Inquiry.objects.select_related("regulator")
            .defer(*SEARCH_COLUMNS, "summary")
            .order_by(*DEAL_ROW_INQUIRY_ORDER),
        ),
    )


def deal_api_lookups() -> tuple[models.Prefetch, ...]:
    """The prefetches of a deal's row in the API: its parties with their companies too."""
    return (
        models.Prefetch("parties", queryset=Party.objects.select_related("company")),
        *deal_list_lookups(),
    )


class Deal(DealDerived, DealWording, TimeStamped):
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
    revision = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Changed by every write to what the deal's row, chart or timeline shows (its "
        "inquiries, events, parties, companies): their cached fragments are keyed by it "
        "(deals/derived.py revise).",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "antitrust_status",
            "last_activity_on",
            "first_known_on",
            "stored_states",
            "search_document",
            "search_vector",
            "revision",
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
        super().save(*args, **kwargs)  # deals/signals.py refreshes the derived fields

    def get_absolute_url(self) -> str:
        return path_of("deals:deal_detail", self.slug)

    # What a list of deals is keyed by (cache.revisions_key): each one's revision.
    ROW_REVISIONS = ("revision",)

    @property
    def fragment_revision(self) -> str:
        """What the deal's cached fragments (its row, chart, timeline) are keyed by."""
        return str(self.revision)

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


class Party(Labelled):
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


# status.inquiry_is_open, the one definition of an open inquiry, as SQL.
OPEN_INQUIRY = Q(outcome="", superseded_by__isnull=True, ended_before_completion=False) & ~Q(
    stage__in=sorted(status_rule.NOT_OPEN_STAGES)
)


class InquiryQuerySet(models.QuerySet):
    def open(self) -> InquiryQuerySet:
        return self.filter(OPEN_INQUIRY)

    def public(self) -> InquiryQuerySet:
        """Inquiries an analyst may see: not attached to an unpublished deal."""
        return self.filter(Q(deal__isnull=True) | Q(deal__is_published=True))

    def with_list_data(self) -> InquiryQuerySet:
        return self.select_related("regulator", "deal", "superseded_by__regulator")

    def with_phases(self) -> InquiryQuerySet:
        """With their stored phases (deals/phases.py): what the CSV and the API write."""
        return self.with_list_data().prefetch_related("phases")

    def for_deal_page(self) -> InquiryQuerySet:
        """As a deal's page lists them: with their regulators, oldest first."""
        return self.select_related("regulator", "superseded_by__regulator").order_by(
            "opened_on", "pk"
        )

    def with_upcoming_deadline(self, today: datetime.date | None = None) -> InquiryQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(next_deadline_on__gte=today).order_by("next_deadline_on", "pk")

    def with_deadline_from(self, day: datetime.date) -> InquiryQuerySet:
        """Open inquiries whose deadline is `day` or later (passed ones too), soonest first."""
        return self.open().filter(next_deadline_on__gte=day).order_by("next_deadline_on", "pk")

    def with_clock_data(self) -> InquiryQuerySet:
        """What a deal page's rows and chart and a digest read (the stored phases, the
        events), in a fixed number of queries."""
        return self.with_phases().prefetch_related(
            models.Prefetch("events", queryset=Event.objects.order_by("occurred_on", "pk")),
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
        return search_rule.search_documents(self, text, title_field="reference")


class Inquiry(InquiryDerived, InquiryWording, TimeStamped):
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
    deadline_on = models.DateField(
        "published deadline",
        null=True,
        blank=True,
        db_index=True,
        help_text="The deadline the regulator published for the phase it falls in (a phase's "
        "deadline can also come with its event). It wins over the computed one.",
    )
    closed_on = models.DateField(null=True, blank=True)
    closed_on_precision = precision_field("closed date known to the")
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
    procedure = models.CharField(
        max_length=20,
        choices=Procedure.choices,
        blank=True,
        db_index=True,
        help_text="The regulator's procedure (EC: normal, simplified, super-simplified).",
    )
    legal_basis = models.CharField(
        "regulation",
        max_length=20,
        choices=LegalBasis.choices,
        blank=True,
        db_index=True,
        help_text="The merger regulation the review runs under (EC: 139/2004 or 4064/89).",
    )
    phase_2_start_unknown = models.BooleanField(
        "Phase 2 start not known",
        default=False,
        help_text="The source shows a decision only an in-depth phase gives (EC Art. 8) but not "
        "when that phase began (no Art. 6(1)(c) decision): Phase 2 is shown, start not known.",
    )
    checked_on = models.DateField(
        "last checked",
        null=True,
        blank=True,
        help_text="When the data was last checked: by an editor on the regulator's page, or "
        "by the last import that read this inquiry's record from its source.",
    )
    last_activity_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Date of the newest event, or the opening date: the last known activity.",
    )
    # Derived from the phases (deals/phases.py), stored so that lists filter, sort and count.
    next_deadline_on = models.DateField(
        "deadline",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="The running phase's deadline, published or computed (passed or not); empty "
        "when the review is not open or no deadline is known.",
    )
    next_deadline_source = models.CharField(
        max_length=10, choices=DeadlineSource.choices, blank=True, editable=False
    )
    next_deadline_phase = models.CharField(max_length=40, blank=True, editable=False)
    ended_before_completion = models.BooleanField(
        default=False,
        editable=False,
        help_text="Under a suspensory regime the deal completed while our data still shows this "
        "review open: it ended before completion, its outcome not published in our data.",
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
    revision = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Changed by every write to what the inquiry's row shows: its cached fragments "
        "are keyed by it and its deal's (deals/derived.py revise).",
    )

    history = M2MHistoricalRecords(
        m2m_fields=[companies],
        excluded_fields=[
            "last_activity_on",
            "search_document",
            "search_vector",
            "revision",
            "next_deadline_on",
            "next_deadline_source",
            "next_deadline_phase",
            "ended_before_completion",
        ],
    )
    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = [models.F("opened_on").desc(nulls_last=True), "pk"]
        # Newest-first orders (NULLS LAST) are indexed by migration 0012 on PostgreSQL.
        indexes = [
            models.Index(fields=["opened_on", "id"], name="inquiry_opened_asc_idx"),
            # Ingest finds a case without a number by its address (ingest/pipeline/cases.py).
            models.Index(fields=["source_url"], name="inquiry_source_url_idx"),
            # A regulator's reviews by deal: the deal lists filtered by regulator or
            # jurisdiction (DealQuerySet.reviewed_by) find them in deal order.
            models.Index(fields=["regulator", "deal"], name="inquiry_regulator_deal_idx"),
            # The deadlines ahead and passed of open reviews (deals/deadlines.py), read in date
            # order from this index, which holds only them, and stopped at a page's worth.
            models.Index(
                fields=["next_deadline_on", "id"],
                condition=OPEN_INQUIRY & Q(next_deadline_on__isnull=False),
                name="inquiry_open_deadline_idx",
            ),
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
        self.closed_on_precision = self.closed_on_precision or DatePrecision.DAY
        self.closed_on = as_precise(self.closed_on, self.closed_on_precision)
        super().save(*args, **kwargs)  # deals/signals.py refreshes the derived fields

    def get_absolute_url(self) -> str:
        if self.deal_id:
            return self.url_on_deal_page(self.deal.get_absolute_url())
        return f"{reverse('deals:inquiry_list')}?q={self.reference}"

    def url_on_deal_page(self, deal_url: str) -> str:
        """Its row on its deal's page, at `deal_url` (deals/exports.py has it made once)."""
        return f"{deal_url}#inquiry-{self.pk}"

    def clean(self):
        if errors := inquiry_errors(self):
            raise ValidationError(errors)

    # What a list of inquiries is keyed by (cache.revisions_key), as fragment_revision.
    ROW_REVISIONS = ("revision", "deal__revision")

    @property
    def fragment_revision(self) -> str:
        """What the inquiry's cached row is keyed by: its own revision and its deal's (the row
        shows the deal's title and status)."""
        return f"{self.revision}.{self.deal.revision if self.deal_id else 0}"


class ClockStop(Labelled):
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


class Phase(Labelled):
    """One phase of a merger review: derived from the inquiry's events, clock stops and
    published deadlines by deals/phases.py and stored (never edited: editors correct the
    inputs), so that every surface reads the same phases."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=PhaseKind.choices)
    label = models.CharField(max_length=40, help_text="The regulator's own name: Phase I, ...")
    started_on = models.DateField(null=True, blank=True)
    started_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    deadline_on = models.DateField(null=True, blank=True)
    deadline_source = models.CharField(max_length=10, choices=DeadlineSource.choices, blank=True)
    deadline_source_url = models.URLField(max_length=500, blank=True)
    computed_deadline_on = models.DateField(
        null=True, blank=True, help_text="What the statutory rule gives, published or not."
    )
    stopped_since = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    ended_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    ended_how = models.CharField(max_length=20, choices=PhaseEnd.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    statutory_length = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["inquiry", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "position"], name="phase_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} of {self.inquiry_id}"

    @property
    def is_running(self) -> bool:
        return not self.ended_how

    @property
    def days_taken(self) -> int | None:
        if self.started_on and self.ended_on:
            return (self.ended_on - self.started_on).days
        return None

    @property
    def statutory_days(self) -> int | None:
        if self.started_on and self.deadline_on:
            return (self.deadline_on - self.started_on).days
        return None


# --- Timeline -----------------------------------------------------------------------------


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


class Event(Labelled):
    occurred_on = models.DateField("date", help_text="When it happened.")
    precision = precision_field("date known to the")
    recorded_at = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="When we recorded it."
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.OTHER)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    source_url = models.URLField("source address", max_length=500, blank=True)
    deadline_on = models.DateField(
        "deadline it published",
        null=True,
        blank=True,
        help_text='A phase deadline the regulator gave with this event ("phase 1 deadline '
        '1 Sep 2022"): the deadline of the phase the event falls in, with this source.',
    )
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

    # What a list of events is keyed by (cache.revisions_key): a write to an event revises its
    # inquiry and its deals (deals/signals.py), whose titles its line shows too.
    ROW_REVISIONS = (
        "deal__revision",
        "inquiry__revision",
        "inquiry__deal__revision",
        "timeline_deal__revision",
    )

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
        self.precision = self.precision or DatePrecision.DAY
        self.occurred_on = as_precise(self.occurred_on, self.precision)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "timeline_deal"}
        super().save(*args, **kwargs)  # deals/signals.py refreshes the derived fields

    def _inquiry_deal_id(self) -> int | None:
        if not self.inquiry_id:
            return None
        if Event.inquiry.is_cached(self) and self.inquiry.pk == self.inquiry_id:
            return self.inquiry.deal_id
        return Inquiry.objects.filter(pk=self.inquiry_id).values_list("deal_id", flat=True).first()

    def clean(self):
        if self.deadline_on and self.occurred_on and self.deadline_on < self.occurred_on:
            raise ValidationError(
                {
                    "deadline_on": f"The deadline it published ({self.deadline_on:%-d %b %Y}) is "
                    f"before the event's date ({self.occurred_on:%-d %b %Y}): a deadline cannot "
                    "fall before its phase starts."
                }
            )
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
    def when(self) -> str:
        """The date as precisely as it is known: "13 Oct 2023", or "May 2026"."""
        if self.precision == DatePrecision.MONTH:
            return f"{self.occurred_on:%B %Y}"
        return f"{self.occurred_on:%-d %b %Y}"

    @property
    def when_iso(self) -> str:
        """For `<time datetime>`: "2023-10-13", or "2026-05" for a month-precise date."""
        if self.precision == DatePrecision.MONTH:
            return f"{self.occurred_on:%Y-%m}"
        return self.occurred_on.isoformat()


class StatusChangeQuerySet(models.QuerySet):
    def overall(self) -> StatusChangeQuerySet:
        return self.filter(regulator__isnull=True)

    def with_display_data(self) -> StatusChangeQuerySet:
        return self.select_related("regulator", "inquiry__regulator", "event")


class StatusChange(StatusChangeWording, Labelled):
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
    cause = models.CharField(
        max_length=20,
        choices=ChangeCause.choices,
        blank=True,
        help_text="What caused it; empty on changes recorded before causes were kept.",
    )

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["deal", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.deal}: {self.describe()}"


# --- Stored figures -------------------------------------------------------------------------


class ReviewYearAggregateQuerySet(models.QuerySet):
    def filtered(
        self, *, jurisdiction: str = "", sector: str = "", from_year=None, to_year=None
    ) -> ReviewYearAggregateQuerySet:
        """The rows a /stats/ filter sums: its jurisdiction, its sector's rows (without one, the
        rows of every sector summed), and, with a period, the years in it and the reviews not
        dated (which the page counts as left out)."""
        rows = self.filter(sector=sector, all_sectors=False) if sector else self.every_sector()
        if jurisdiction:
            rows = rows.filter(regulator__jurisdiction=jurisdiction)
        return rows.in_period(from_year, to_year)

    def every_sector(self) -> ReviewYearAggregateQuerySet:
        return self.filter(all_sectors=True)

    def per_sector(self) -> ReviewYearAggregateQuerySet:
        return self.filter(all_sectors=False)

    def in_period(self, from_year=None, to_year=None) -> ReviewYearAggregateQuerySet:
        rows = self
        if from_year or to_year:
            dated = Q(year__gte=from_year or 0, year__lte=to_year or 9999)
            rows = rows.filter(dated | Q(year__isnull=True))
        return rows

    def built(self) -> tuple[datetime.datetime, int | None] | None:
        """When the stored rows were built and from which content version (every row of a build
        has the same); None while none are stored."""
        return self.order_by().values_list("built_at", "content_version").first()


class ReviewYearAggregate(models.Model):
    """The merger reviews of one regulator, year and sector, summed: what /stats/ adds up for
    any period and filter instead of counting every review per request (deals/stats.py,
    `aggregates_rebuild`). Rebuilt as a whole after content changes; never edited."""

    regulator = models.ForeignKey(Regulator, on_delete=models.CASCADE, related_name="+")
    year = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="The year of the review's first phase's start, else of its opening, else of its "
        "first event; empty: not dated.",
    )
    sector = models.CharField(
        max_length=100, blank=True, help_text="The deal's sector; empty: no deal, or no sector."
    )
    all_sectors = models.BooleanField(
        default=False,
        help_text="The sum of the regulator's and year's rows of every sector (sector empty): "
        "what a page without a sector filter reads, some 30 times fewer rows.",
    )
    reviews = models.PositiveIntegerField(default=0)
    in_depth = models.PositiveIntegerField(
        default=0, help_text="With a stored Phase 2, remedies or litigation phase."
    )
    interventions = models.PositiveIntegerField(
        default=0, help_text="In-depth, or ended in remedies, a prohibition or an abandonment."
    )
    cleared = models.PositiveIntegerField(default=0)
    remedies = models.PositiveIntegerField(default=0)
    prohibited = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    other = models.PositiveIntegerField(
        default=0, help_text="Any other outcome: not qualifying, referred, no action."
    )
    open = models.PositiveIntegerField(default=0)
    not_published = models.PositiveIntegerField(default=0)
    before_completion = models.PositiveIntegerField(default=0)
    phases = models.JSONField(
        default=dict,
        help_text="Per Phase 1 and Phase 2: the phases counted and left out (by reason), and a "
        "histogram of their durations and statutory lengths in days (deals/stats.py).",
    )
    phases_without_clock = models.PositiveIntegerField(
        default=0, help_text="Litigation, remedies and pre-notification phases."
    )
    built_at = models.DateTimeField()
    content_version = models.BigIntegerField(
        null=True, blank=True, help_text="The content version the build read (deals/cache.py)."
    )

    objects = ReviewYearAggregateQuerySet.as_manager()

    class Meta:
        constraints = [
            # Two builds at once: the second's rows clash with the first's and roll back.
            models.UniqueConstraint(
                fields=["regulator", "year", "sector", "all_sectors"],
                condition=Q(year__isnull=False),
                name="review_year_aggregate_unique",
            ),
            models.UniqueConstraint(
                fields=["regulator", "sector", "all_sectors"],
                condition=Q(year__isnull=True),
                name="review_year_aggregate_undated_unique",
            ),
        ]
        indexes = [models.Index(fields=["all_sectors", "sector", "year"])]

    def __str__(self) -> str:
        return f"{self.regulator_id} {self.year or 'not dated'} {self.sector}: {self.reviews}"
