"""The editors' admin: deals with their parties, inquiries and events inline; every change is kept
in the history (django-simple-history) with who made it and when."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .links import validate_http_url
from .models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator

# Every address an editor types must be http or https (the form's default also takes ftp).
ONLY_HTTP_LINKS = {models.URLField: {"validators": [validate_http_url]}}


@admin.action(description="Mark as reviewed")
def mark_reviewed(modeladmin, request, queryset):
    """Editors confirm what ingest created; the flag only lists it for review."""
    updated = queryset.update(needs_review=False)
    modeladmin.message_user(request, f"{updated} marked as reviewed.")


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 1


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["name", "country", "parent", "needs_review", "updated_at"]
    list_filter = ["needs_review", "country"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CompanyAliasInline]
    actions = [mark_reviewed]


@admin.register(Regulator)
class RegulatorAdmin(SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["short_name", "name", "jurisdiction"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "short_name", "jurisdiction"]
    prepopulated_fields = {"slug": ["short_name"]}


class PartyInline(admin.TabularInline):
    model = Party
    extra = 1
    autocomplete_fields = ["company"]


class InquiryInline(admin.StackedInline):
    formfield_overrides = ONLY_HTTP_LINKS
    model = Inquiry
    extra = 0
    show_change_link = True
    autocomplete_fields = ["regulator", "companies"]
    fields = [
        ("regulator", "reference", "kind"),
        ("stage", "outcome"),
        "status_wording",
        ("opened_on", "deadline_on", "closed_on"),
        "source_url",
    ]


class DealEventInline(admin.TabularInline):
    formfield_overrides = ONLY_HTTP_LINKS
    model = Event
    extra = 0
    fields = ["occurred_on", "kind", "title", "inquiry", "source_url"]
    autocomplete_fields = ["inquiry"]
    verbose_name = "timeline event"


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
        ("Dates and value", {"fields": [("announced_on", "completed_on"), ("value", "currency")]}),
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
    formfield_overrides = ONLY_HTTP_LINKS
    model = Event
    extra = 0
    fields = ["occurred_on", "kind", "title", "text", "source_url"]


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
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
        "needs_review",
    ]
    search_fields = [
        "reference",
        "title",
        "deal__title",
        "companies__name",
        "regulator__short_name",
    ]
    autocomplete_fields = ["regulator", "deal", "companies"]
    list_select_related = ["regulator", "deal"]
    date_hierarchy = "opened_on"
    inlines = [InquiryEventInline]
    actions = [mark_reviewed]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    formfield_overrides = ONLY_HTTP_LINKS
    list_display = ["occurred_on", "kind", "title", "deal", "inquiry", "recorded_at"]
    list_filter = ["kind", "inquiry__regulator"]
    search_fields = ["title", "text", "deal__title", "inquiry__reference"]
    autocomplete_fields = ["deal", "inquiry"]
    list_select_related = ["deal", "inquiry__regulator"]
    date_hierarchy = "occurred_on"
