"""The editors' admin: deals with their parties, inquiries and events inline; every change is kept
in the history (django-simple-history) with who made it and when."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .cache import content_changed
from .models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator


@admin.action(description="Mark as reviewed")
def mark_reviewed(modeladmin, request, queryset):
    """Editors confirm what ingest created; the flag only lists it for review."""
    updated = queryset.update(needs_review=False)
    content_changed()
    modeladmin.message_user(request, f"{updated} marked as reviewed.")


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 1


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "parent", "needs_review", "updated_at"]
    list_filter = ["needs_review", "country"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CompanyAliasInline]
    actions = [mark_reviewed]


@admin.register(Regulator)
class RegulatorAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name", "jurisdiction"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "jurisdiction"]
    prepopulated_fields = {"slug": ["short_name"]}


class PartyInline(admin.TabularInline):
    model = Party
    extra = 1
    autocomplete_fields = ["company"]


class InquiryInline(admin.StackedInline):
    model = Inquiry
    extra = 0
    show_change_link = True
    autocomplete_fields = ["regulator", "companies"]
    autocomplete_fields = ["regulator", "companies", "superseded_by"]
    fields = [
        ("regulator", "reference", "kind"),
        ("stage", "outcome"),
        "status_wording",
        ("opened_on", "deadline_on", "closed_on", "checked_on"),
        ("decision_status", "decision_status_on", "decision_status_note"),
        ("superseded_by", "supersession", "court_approval_pending"),
        "source_url",
    ]


class DealEventInline(admin.TabularInline):
    """The deal's own timeline. An event can be tied to one of this deal's inquiries only: a
    pick from another deal would move that deal's timeline."""

    model = Event
    fk_name = "deal"
    extra = 0
    fields = ["occurred_on", "kind", "title", "inquiry", "source_url"]
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
class DealAdmin(SimpleHistoryAdmin):
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


class InquiryEventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["occurred_on", "kind", "title", "text", "source_url"]


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
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
    inlines = [InquiryEventInline]
    readonly_fields = ["last_activity_on"]
    fieldsets = [
        (None, {"fields": ["regulator", "deal", "companies", "title", "reference", "kind"]}),
        (
            "Where it stands",
            {
                "fields": [
                    ("stage", "outcome"),
                    "status_wording",
                    ("opened_on", "deadline_on", "closed_on"),
                    ("checked_on", "last_activity_on"),
                ],
                "description": "Merger control and conduct cases each have their own stages "
                "and outcomes; an inquiry with an outcome is at the stage Closed.",
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

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_on", "kind", "title", "deal", "inquiry", "recorded_at"]
    list_filter = ["kind", "inquiry__regulator"]
    search_fields = ["title", "text", "deal__title", "inquiry__reference"]
    autocomplete_fields = ["deal", "inquiry"]
    list_select_related = ["deal", "inquiry__regulator"]
    date_hierarchy = "occurred_on"
