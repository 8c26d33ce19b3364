"""The domain: companies, regulators, deals, the regulators' inquiries into them, and events.

A deal's antitrust status is derived from its inquiries (the rule in DOMAIN.md) and stored on
the deal so that it can be filtered and indexed. Inquiry and Event keep it in step whenever they
are saved or deleted, whoever saves them: the admin, a service, or ingest.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.db import models
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords


def normalise_name(name: str) -> str:
    """The form company names are matched on: case, accents, punctuation and spacing folded."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded.casefold())
    return " ".join(kept.split())


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 80) -> str:
    """A slug for `text` not yet taken in `model` ("adobe-figma", then "adobe-figma-2")."""
    base = slugify(text)[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class Stage(models.TextChoices):
    INFORMAL = "informal", "Informal look"
    PRENOTIFICATION = "prenotification", "Pre-notification"
    PHASE_1 = "phase_1", "Phase 1"
    PHASE_2 = "phase_2", "Phase 2 / in-depth"
    REMEDIES = "remedies", "Remedies"
    LITIGATION = "litigation", "Litigation"
    CLOSED = "closed", "Closed"


# Stages that count as an in-depth review for the deal's overall status.
IN_DEPTH_STAGES = (Stage.PHASE_2, Stage.REMEDIES, Stage.LITIGATION)


class Outcome(models.TextChoices):
    CLEARED = "cleared", "Cleared"
    CLEARED_WITH_REMEDIES = "cleared_with_remedies", "Cleared with remedies"
    PROHIBITED = "prohibited", "Prohibited"
    ABANDONED = "abandoned", "Abandoned"
    NOT_QUALIFYING = "not_qualifying", "Not qualifying"
    REFERRED = "referred", "Referred"
    CLOSED_NO_ACTION = "closed_no_action", "Closed, no action"


class AntitrustStatus(models.TextChoices):
    BLOCKED = "blocked", "Blocked"
    ABANDONED = "abandoned", "Abandoned"
    IN_DEPTH_REVIEW = "in_depth_review", "In-depth review"
    UNDER_REVIEW = "under_review", "Under review"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions", "Cleared with conditions"
    CLEARED = "cleared", "Cleared"
    NO_KNOWN_INQUIRY = "no_known_inquiry", "No known inquiry"


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
        key = normalise_name(name)
        if not key:
            return self.none()
        by_name = list(self.filter(name_key=key).values_list("pk", flat=True))
        by_alias = CompanyAlias.objects.filter(name_key=key).values_list("company_id", flat=True)
        return self.filter(pk__in=[*by_name, *by_alias])


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

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = normalise_name(self.name)
        if not self.slug:
            self.slug = unique_slug(Company, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("deals:company_detail", args=[self.slug])


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
        self.name_key = normalise_name(self.name)
        super().save(*args, **kwargs)


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

    def with_list_data(self) -> DealQuerySet:
        """What a list of deals shows (parties, regulators) in a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch("parties", queryset=Party.objects.select_related("company")),
            models.Prefetch(
                "inquiries", queryset=Inquiry.objects.select_related("regulator").order_by("pk")
            ),
        )

    def search(self, text: str) -> DealQuerySet:
        """Deals whose title, a party's name or alternative name, or a case reference has `text`."""
        text = text.strip()
        if not text:
            return self
        # One UNION of simple lookups rather than an OR across joins: each part can use its
        # own trigram index on PostgreSQL (migration 0007), and a deal is listed once.
        parts = [
            Deal.objects.filter(title__icontains=text).values("pk"),
            Party.objects.filter(company__name__icontains=text).values("deal_id"),
            Party.objects.filter(company__aliases__name__icontains=text).values("deal_id"),
            Inquiry.objects.filter(reference__icontains=text).values("deal_id"),
        ]
        first, *rest = (part.order_by() for part in parts)
        matching = first.union(*rest)
        return self.filter(pk__in=matching)

    def reviewed_by(self, regulators) -> DealQuerySet:
        return self.filter(
            Exists(Inquiry.objects.filter(deal=OuterRef("pk"), regulator__in=regulators))
        )

    def in_jurisdiction(self, code: str) -> DealQuerySet:
        return self.filter(
            Exists(
                Inquiry.objects.filter(deal=OuterRef("pk"), regulator__jurisdiction=code.upper())
            )
        )

    def involving(self, companies) -> DealQuerySet:
        return self.filter(Exists(Party.objects.filter(deal=OuterRef("pk"), company__in=companies)))


class Deal(TimeStamped):
    OPEN_STATUSES = (AntitrustStatus.UNDER_REVIEW, AntitrustStatus.IN_DEPTH_REVIEW)

    title = models.CharField(max_length=255, help_text='Acquirer first: "Microsoft / Mistral AI".')
    slug = models.SlugField(max_length=80, unique=True)
    deal_type = models.CharField(
        "type", max_length=20, choices=DealType.choices, default=DealType.ACQUISITION, db_index=True
    )
    companies = models.ManyToManyField(Company, through="Party", related_name="deals")
    announced_on = models.DateField(null=True, blank=True, db_index=True)
    completed_on = models.DateField(null=True, blank=True)
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
    needs_review = models.BooleanField(
        default=False, db_index=True, help_text="Created by ingest; an editor has not checked it."
    )

    history = HistoricalRecords(excluded_fields=["antitrust_status", "last_activity_on"])
    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = [models.F("announced_on").desc(nulls_last=True), "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Deal, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("deals:deal_detail", args=[self.slug])

    @property
    def is_under_review(self) -> bool:
        return self.antitrust_status in self.OPEN_STATUSES

    def compute_antitrust_status(self) -> str:
        """The rule of DOMAIN.md, applied to this deal's inquiries as stored now."""
        inquiries = list(self.inquiries.values_list("stage", "outcome"))
        if not inquiries:
            return AntitrustStatus.NO_KNOWN_INQUIRY
        outcomes = {outcome for _, outcome in inquiries}
        if Outcome.PROHIBITED in outcomes:
            return AntitrustStatus.BLOCKED
        if Outcome.ABANDONED in outcomes:
            return AntitrustStatus.ABANDONED
        open_stages = {
            stage for stage, outcome in inquiries if Inquiry.is_open_state(stage, outcome)
        }
        if open_stages:
            if open_stages & set(IN_DEPTH_STAGES):
                return AntitrustStatus.IN_DEPTH_REVIEW
            return AntitrustStatus.UNDER_REVIEW
        if Outcome.CLEARED_WITH_REMEDIES in outcomes:
            return AntitrustStatus.CLEARED_WITH_CONDITIONS
        return AntitrustStatus.CLEARED

    def compute_last_activity(self) -> datetime.date | None:
        return Event.objects.filter(Q(deal=self) | Q(inquiry__deal=self)).aggregate(
            latest=Max("occurred_on")
        )["latest"]

    def refresh_derived_fields(self) -> None:
        """Recompute the stored status and latest activity from the inquiries and events."""
        self.antitrust_status = self.compute_antitrust_status()
        self.last_activity_on = self.compute_last_activity()
        # A plain UPDATE: derived values are not an editor's change and need no history row.
        Deal.objects.filter(pk=self.pk).update(
            antitrust_status=self.antitrust_status, last_activity_on=self.last_activity_on
        )

    def as_csv_row(self, url: str) -> list[str]:
        parties = "; ".join(
            f"{p.company.name} ({p.get_role_display()})" for p in self.parties.all()
        )
        regulators = "; ".join(
            dict.fromkeys(inquiry.regulator.short_name for inquiry in self.inquiries.all())
        )
        return [
            self.title,
            self.get_deal_type_display(),
            self.get_antitrust_status_display(),
            self.announced_on.isoformat() if self.announced_on else "",
            self.completed_on.isoformat() if self.completed_on else "",
            self.last_activity_on.isoformat() if self.last_activity_on else "",
            parties,
            regulators,
            str(self.value) if self.value is not None else "",
            self.currency,
            self.sector,
            url,
        ]

    def timeline(self) -> models.QuerySet[Event]:
        """Every event of the deal and of its inquiries, oldest first."""
        return (
            Event.objects.filter(Q(deal=self) | Q(inquiry__deal=self))
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


class InquiryQuerySet(models.QuerySet):
    def open(self) -> InquiryQuerySet:
        return self.filter(outcome="").exclude(stage=Stage.CLOSED)

    def public(self) -> InquiryQuerySet:
        """Inquiries an analyst may see: not attached to an unpublished deal."""
        return self.filter(Q(deal__isnull=True) | Q(deal__is_published=True))

    def with_list_data(self) -> InquiryQuerySet:
        return self.select_related("regulator", "deal")

    def with_upcoming_deadline(self, today: datetime.date | None = None) -> InquiryQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(deadline_on__gte=today).order_by("deadline_on", "pk")

    def reviewed_by(self, regulators) -> InquiryQuerySet:
        return self.filter(regulator__in=regulators)

    def in_jurisdiction(self, code: str) -> InquiryQuerySet:
        return self.filter(regulator__jurisdiction=code.upper())

    def involving(self, companies) -> InquiryQuerySet:
        """Inquiries concerning one of `companies`, directly or as a party to the deal."""
        return self.filter(
            Exists(
                Inquiry.companies.through.objects.filter(
                    inquiry=OuterRef("pk"), company__in=companies
                )
            )
            | Exists(Party.objects.filter(deal=OuterRef("deal"), company__in=companies))
        )

    def search(self, text: str) -> InquiryQuerySet:
        text = text.strip()
        if not text:
            return self
        company_match = Company.objects.filter(
            Q(name__icontains=text) | Q(aliases__name__icontains=text),
            inquiries=OuterRef("pk"),
        )
        party_match = Party.objects.filter(deal=OuterRef("deal")).filter(
            Q(company__name__icontains=text) | Q(company__aliases__name__icontains=text)
        )
        return self.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(deal__title__icontains=text)
            | Exists(company_match)
            | Exists(party_match)
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
    source_url = models.URLField("source address", max_length=500, blank=True)
    summary = models.TextField(blank=True)
    needs_review = models.BooleanField(
        default=False, db_index=True, help_text="Created by ingest; an editor has not checked it."
    )

    history = HistoricalRecords(m2m_fields=[companies])
    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = [models.F("opened_on").desc(nulls_last=True), "pk"]
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
        previous_deal_id = (
            Inquiry.objects.filter(pk=self.pk).values_list("deal_id", flat=True).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        refresh_deals(self.deal_id, previous_deal_id)

    def get_absolute_url(self) -> str:
        if self.deal_id:
            return f"{self.deal.get_absolute_url()}#inquiry-{self.pk}"
        return f"{reverse('deals:inquiry_list')}?q={self.reference}"

    @staticmethod
    def is_open_state(stage: str, outcome: str) -> bool:
        return not outcome and stage != Stage.CLOSED

    @property
    def is_open(self) -> bool:
        return self.is_open_state(self.stage, self.outcome)


# --- Timeline -----------------------------------------------------------------------------


class EventKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    COMMENT_INVITED = "comment_invited", "Comment invited"
    NOTIFIED = "notified", "Notified"
    PHASE_1_OPENED = "phase_1_opened", "Phase 1 opened"
    PHASE_2_OPENED = "phase_2_opened", "Phase 2 opened"
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
        return self.exclude(deal__is_published=False).exclude(inquiry__deal__is_published=False)

    def recorded_since(self, moment: datetime.datetime) -> EventQuerySet:
        return self.filter(recorded_at__gt=moment)

    def for_deals(self, deals) -> EventQuerySet:
        return self.filter(Q(deal__in=deals) | Q(inquiry__deal__in=deals))


class Event(models.Model):
    occurred_on = models.DateField("date", db_index=True, help_text="When it happened.")
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

    history = HistoricalRecords()
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "pk"]
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
        super().save(*args, **kwargs)
        refresh_deals(self.deal_id, *deals_of_inquiries(self.inquiry_id))

    @property
    def regulator(self) -> Regulator | None:
        return self.inquiry.regulator if self.inquiry_id else None

    @property
    def the_deal(self) -> Deal | None:
        """The deal this event belongs to, directly or through its inquiry."""
        if self.deal_id:
            return self.deal
        return self.inquiry.deal if self.inquiry_id else None


def deals_of_inquiries(*inquiry_ids: int | None) -> list[int]:
    ids = [pk for pk in inquiry_ids if pk]
    if not ids:
        return []
    return list(Inquiry.objects.filter(pk__in=ids).values_list("deal_id", flat=True))


def refresh_deals(*deal_ids: int | None) -> None:
    for deal in Deal.objects.filter(pk__in={pk for pk in deal_ids if pk}):
        deal.refresh_derived_fields()


# Deletes go through signals so that bulk deletes (the admin's "delete selected") and cascades
# keep the stored status in step too; a deal deleted with them simply is not found any more.
@receiver(post_delete, sender=Inquiry)
def inquiry_deleted(sender, instance: Inquiry, **kwargs) -> None:
    refresh_deals(instance.deal_id)


@receiver(post_delete, sender=Event)
def event_deleted(sender, instance: Event, **kwargs) -> None:
    refresh_deals(instance.deal_id, *deals_of_inquiries(instance.inquiry_id))
