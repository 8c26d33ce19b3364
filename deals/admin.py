"""The editors' admin: deals with their parties, inquiries and events inline; every change is kept
in the history (django-simple-history) with who made it and when.

Every text box of every form here, inlines included, refuses characters that are not text
(`TextOnly`, deals/text.py), with a message naming the field: what an editor saves can be
written into every feed and calendar."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .cache import content_changed
from .company_merge import company_merge, company_merge_preview, moved_elsewhere_columns
from .derived import derived_fields_deferred, revise
from .links import validate_http_url
from .models import (
    ClockStop,
    Company,
    CompanyAlias,
    Deal,
    Event,
    Inquiry,
    Party,
    Phase,
    Regulator,
)
from .text import TextValidator
from .vocabulary import EventKind, phase_order_errors

# Every address an editor types must be http or https (the form's default also takes ftp).
ONLY_HTTP_LINKS = {models.URLField: {"validators": [validate_http_url]}}


MERGE_LIMIT = 10


class TextOnly:
    """For a ModelAdmin or an inline: each text box (a CharField's or TextField's, URLs and
    slugs included) refuses what is not text, naming its field ("Title holds characters that
    are not text (U+0002)…"). Refused rather than removed: the editor sees what was wrong."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.CharField):
            formfield.validators.append(TextValidator(str(formfield.label)))
        return formfield


@admin.action(description="Mark as reviewed")
def mark_reviewed(modeladmin, request, queryset):
    """Editors confirm what ingest created; the flag only lists it for review."""
    ids = list(queryset.values_list("pk", flat=True))
    updated = queryset.model.objects.filter(pk__in=ids).update(needs_review=False)
    # Deal and inquiry rows say "imported, not yet checked": rendered again.
    if queryset.model is Deal:
        revise(deal_ids=ids)
    elif queryset.model is Inquiry:
        revise(inquiry_ids=ids)
    content_changed()
    modeladmin.message_user(request, f"{updated} marked as reviewed.")


class CompanyAliasInline(TextOnly, admin.TabularInline):
    model = CompanyAlias
    extra = 1


@admin.register(Company)
class CompanyAdmin(TextOnly, SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["name", "country", "parent", "needs_review", "updated_at"]
    list_filter = ["needs_review", "country"]
    search_fields = ["name", "aliases__name", "slug", "cik"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CompanyAliasInline]
    actions = [mark_reviewed, "merge_companies"]

    def get_search_results(self, request, queryset, search_term):
        """Also find a company under any spelling of its legal form or an alternative name."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()[:200]
        if term:
            found = found | queryset.filter(pk__in=Company.objects.matching_name(term))
        return found, duplicates

    @admin.action(description="Merge the selected companies…", permissions=["change", "delete"])
    def merge_companies(self, request: HttpRequest, queryset):
        """Step 1 shows what would move and asks for the survivor; step 2 merges."""
        companies = list(queryset.order_by("pk")[: MERGE_LIMIT + 1])
        if not 2 <= len(companies) <= MERGE_LIMIT:
            self.message_user(
                request, f"Pick between 2 and {MERGE_LIMIT} companies to merge.", messages.ERROR
            )
            return None
        by_pk = {company.pk: company for company in companies}
        survivor = None
        if request.POST.get("survivor"):
            try:
                survivor = by_pk.get(int(request.POST["survivor"]))
            except ValueError:
                survivor = None
        if survivor is not None and request.POST.get("confirm") == "yes":
            others = [c for c in companies if c.pk != survivor.pk]
            company_merge(survivor=survivor, others=others)
            self.message_user(
                request,
                f"Merged {len(others)} compan{'y' if len(others) == 1 else 'ies'} "
                f"into {survivor.name}; their addresses now redirect to it.",
                messages.SUCCESS,
            )
            return None
        survivor = survivor or companies[0]
        others = [c for c in companies if c.pk != survivor.pk]
        preview = company_merge_preview(survivor=survivor, others=others)
        moved_labels, moved_counts = moved_elsewhere_columns(preview)
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge companies",
            "opts": self.model._meta,
            "companies": companies,
            "survivor": survivor,
            "preview": list(zip(preview, moved_counts, strict=True)),
            "moved_labels": moved_labels,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/deals/company/merge.html", context)


@admin.register(Regulator)
class RegulatorAdmin(TextOnly, SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["short_name", "name", "jurisdiction"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "jurisdiction"]
    prepopulated_fields = {"slug": ["short_name"]}


class DerivedOnceOnSave:
    """For a ModelAdmin whose page saves a row and its inline rows: one refresh of the derived
    fields for the whole save, when it ends (`derived_fields_deferred`), so that a status change
    knows everything the save did: an inquiry moved to Phase 2 with its "Phase 2 opened" event
    added inline reads as that event, not as an editor's correction. The refresh runs inside
    the request's one transaction (tracker/db_resilience.py opens it around an admin POST); a
    transaction of its own here would commit inside the view, where a connection lost at that
    COMMIT could not be told apart from one lost before it."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with derived_fields_deferred():
            return super().changeform_view(request, object_id, form_url, extra_context)


PUBLISHED_NEEDS_A_PARTY = (
    "“Published”: a deal is published only once it has at least one party. Add its parties "
    "below, or untick “Published”."
)


class PartyFormSet(forms.BaseInlineFormSet):
    """A deal's parties; the deal (as the form above was filled in) is `self.instance`.

    A deal is published only with a party: one made from a press item in the review queue
    starts unpublished, and an editor publishes it once its parties are in."""

    def clean(self):
        super().clean()
        deal = self.instance
        publishing = (
            deal.is_published
            and deal.pk
            and Deal.objects.filter(pk=deal.pk, is_published=False).exists()
        )
        if not publishing:
            # Refused when an unpublished deal (one made from the review queue, or ingest's
            # when it does not publish what it makes) is published; not on later edits of a
            # published deal, nor on a deal an editor adds.
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("company") and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(PUBLISHED_NEEDS_A_PARTY, code="published_without_parties")


class PartyInline(TextOnly, admin.TabularInline):
    model = Party
    formset = PartyFormSet
    extra = 1
    autocomplete_fields = ["company"]


class InquiryInline(TextOnly, admin.StackedInline):
    formfield_overrides = ONLY_HTTP_LINKS
    model = Inquiry
    extra = 0
    show_change_link = True
    autocomplete_fields = ["regulator", "companies"]
    autocomplete_fields = ["regulator", "companies", "superseded_by"]
    fields = [
        ("regulator", "reference", "kind"),
        ("stage", "outcome"),
        "status_wording",
        ("opened_on", "deadline_on", "closed_on", "closed_on_precision", "checked_on"),
        ("decision_status", "decision_status_on", "decision_status_note"),
        ("superseded_by", "supersession", "court_approval_pending"),
        "source_url",
    ]


class DealEventInline(TextOnly, admin.TabularInline):
    """The deal's own timeline. An event can be tied to one of this deal's inquiries only: a
    pick from another deal would move that deal's timeline."""

    formfield_overrides = ONLY_HTTP_LINKS
    model = Event
    fk_name = "deal"
    extra = 0
    fields = ["occurred_on", "precision", "kind", "title", "inquiry", "source_url"]
    verbose_name = "timeline event"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "inquiry":
            deal_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                Inquiry.objects.filter(deal_id=deal_id).select_related("regulator")
                if deal_id
                else Inquiry.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Deal)
class DealAdmin(DerivedOnceOnSave, TextOnly, SimpleHistoryAdmin):
    list_display = [
        "title",
        "deal_type",
        "antitrust_status",
        "announced_on",
        "last_activity_on",
        "is_published",
        "needs_review",
    ]
    list_filter = [
        "antitrust_status",
        "deal_type",
        ("inquiries__regulator", admin.RelatedOnlyFieldListFilter),
        "inquiries__regulator__jurisdiction",
        "is_published",
        "needs_review",
    ]
    search_fields = [
        "title",
        "parties__company__name",
        "parties__company__aliases__name",
        "inquiries__reference",
    ]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["antitrust_status", "last_activity_on", "created_at", "updated_at"]
    date_hierarchy = "announced_on"
    inlines = [PartyInline, InquiryInline, DealEventInline]
    actions = [mark_reviewed]
    fieldsets = [
        (None, {"fields": ["title", "slug", "deal_type", "sector", "summary", "is_published"]}),
        ("Dates and value", {"fields": ["announced_on", ("value", "currency")]}),
        (
            "Life",
            {
                "fields": [("completed_on", "abandoned_on", "unwound_on")],
                "description": "Announced, then completed, abandoned (the parties terminated "
                "it) or unwound (completed, then divested or dissolved by order). The "
                "antitrust status follows: see /statuses/.",
            },
        ),
        (
            "Derived",
            {
                "fields": [
                    "antitrust_status",
                    "last_activity_on",
                    "needs_review",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


PHASE_START_KINDS = (EventKind.NOTIFIED, EventKind.PHASE_1_OPENED, EventKind.PHASE_2_OPENED)


class PhaseOrderFormSet(BaseInlineFormSet):
    """An inquiry's events, checked together: the phases they open come in order, and the
    inquiry's published deadline does not fall before the first phase starts."""

    def clean(self):
        super().clean()
        events = [
            (form.cleaned_data["kind"], form.cleaned_data["occurred_on"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("occurred_on")
        ]
        errors = phase_order_errors(events)
        starts = [on for kind, on in events if kind in PHASE_START_KINDS]
        deadline = self.instance.deadline_on
        if deadline and starts and deadline < min(starts):
            errors.append(
                f"The inquiry's published deadline ({deadline:%-d %b %Y}) is before its first "
                f"phase starts ({min(starts):%-d %b %Y}): correct the deadline or the event."
            )
        if errors:
            raise ValidationError(errors)


class InquiryEventInline(TextOnly, admin.TabularInline):
    formfield_overrides = ONLY_HTTP_LINKS
    model = Event
    formset = PhaseOrderFormSet
    extra = 0
    fields = ["occurred_on", "precision", "kind", "title", "text", "deadline_on", "source_url"]


PHASE_COLUMNS = [
    ("label", "Phase"),
    ("started_on", "Start"),
    ("deadline_on", "Deadline"),
    ("deadline_source", "Which"),
    ("computed_deadline_on", "By the rule"),
    ("stopped_since", "Clock stopped since"),
    ("ended_on", "End"),
    ("ended_how", "How it ended"),
    ("outcome", "Outcome"),
    ("statutory_length", "Statutory length"),
]


def phases_table(inquiry: Inquiry) -> str:
    """The derived phases as a read-only table (deals/phases.py): shown, never edited; an editor
    corrects the events, clock stops and deadlines they come from."""
    phases = list(inquiry.phases.all()) if inquiry.pk else []
    if not phases:
        return "No phase: not a merger review, or nothing dated to start one from."
    head = format_html_join("", "<th>{}</th>", ((label,) for _, label in PHASE_COLUMNS))
    rows = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "",
                    "<td>{}</td>",
                    ((_phase_cell(phase, name),) for name, _ in PHASE_COLUMNS),
                ),
            )
            for phase in phases
        ),
    )
    return format_html('<table class="derived-phases"><tr>{}</tr>{}</table>', head, rows)


def _phase_cell(phase: Phase, name: str) -> str:
    value = getattr(phase, name)
    if name == "started_on" and value and phase.started_precision == "month":
        return f"{value:%B %Y} (month only)"
    if name == "ended_on" and value and phase.ended_precision == "month":
        return f"{value:%B %Y} (month only)"
    if name == "ended_how":
        return phase.get_ended_how_display() if value else "running"
    return str(value) if value not in (None, "") else "—"


class ClockStopInline(TextOnly, admin.TabularInline):
    model = ClockStop
    extra = 0
    fields = ["stopped_on", "restarted_on", "note", "source_url"]
    verbose_name = "clock stop"


@admin.register(Inquiry)
class InquiryAdmin(DerivedOnceOnSave, TextOnly, SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = [
        "__str__",
        "deal",
        "regulator",
        "stage",
        "outcome",
        "opened_on",
        "deadline_on",
        "needs_review",
    ]
    list_filter = [
        "regulator",
        "regulator__jurisdiction",
        "stage",
        "outcome",
        "kind",
        "procedure",
        "legal_basis",
        "needs_review",
    ]
    search_fields = [
        "reference",
        "title",
        "deal__title",
        "companies__name",
        "regulator__short_name",
    ]
    autocomplete_fields = ["regulator", "deal", "companies", "superseded_by"]
    list_select_related = ["regulator", "deal"]
    date_hierarchy = "opened_on"
    inlines = [InquiryEventInline, ClockStopInline]
    readonly_fields = [
        "derived_phases",
        "last_activity_on",
        "next_deadline_on",
        "next_deadline_source",
        "next_deadline_phase",
        "ended_before_completion",
    ]
    fieldsets = [
        (None, {"fields": ["regulator", "deal", "companies", "title", "reference", "kind"]}),
        (
            "Procedure",
            {
                "fields": [("procedure", "legal_basis")],
                "description": "How the regulator handles the review and the regulation it "
                "runs under, where the source says (the EC merger register does); both are "
                "shown on the public pages and filter the lists.",
            },
        ),
        (
            "Where it stands",
            {
                "fields": [
                    ("stage", "outcome"),
                    "status_wording",
                    ("opened_on", "deadline_on"),
                    ("closed_on", "closed_on_precision"),
                    ("checked_on", "last_activity_on"),
                ],
                "description": "Merger control and conduct cases each have their own stages "
                "and outcomes; an inquiry with an outcome is at the stage Closed.",
            },
        ),
        (
            "Statutory clock",
            {
                "fields": [
                    ("extended_by", "cash_tender_offer"),
                    "phase_2_start_unknown",
                    ("next_deadline_on", "next_deadline_source", "next_deadline_phase"),
                    "ended_before_completion",
                    "derived_phases",
                ],
                "description": "The phases are derived from the events, the clock "
                "stops and the deadlines on save (deals/phases.py): each phase's deadline is "
                "computed from its start by the regulator's rule (deals/clocks.py), unless the "
                "regulator published one (with an event, or the published deadline above, for "
                "the phase it falls in), which wins. Every public page shows the derived next "
                "deadline and says which it is.",
            },
        ),
        (
            "Force of the decision",
            {"fields": [("decision_status", "decision_status_on"), "decision_status_note"]},
        ),
        (
            "Superseded",
            {
                "fields": [("superseded_by", "supersession"), "court_approval_pending"],
                "description": "A restructured deal reviewed again, or a referral whose "
                "receiving authority's case decides: the superseded inquiry stays on the page "
                "and no longer counts.",
            },
        ),
        (None, {"fields": ["source_url", "summary", "needs_review"]}),
    ]
    actions = [mark_reviewed]

    @admin.display(description="phases, derived from the events, clock stops and deadlines")
    def derived_phases(self, inquiry: Inquiry) -> str:
        return phases_table(inquiry)

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Event)
class EventAdmin(TextOnly, SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["occurred_on", "kind", "title", "deal", "inquiry", "recorded_at"]
    list_filter = ["kind", "inquiry__regulator"]
    search_fields = ["title", "text", "deal__title", "inquiry__reference"]
    autocomplete_fields = ["deal", "inquiry"]
    list_select_related = ["deal", "inquiry__regulator"]
    date_hierarchy = "occurred_on"
