"""Ingest in the admin: the review queue, every ingested record, and each source's runs.

The review queue is built for two clicks: open an item from the queue, press "Attach" beside the
suggested deal. Searching for another deal or inquiry, creating a deal from the item and
dismissing it are on the same page.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from deals.models import Deal, Inquiry

from .models import IngestRun, RawRecord, ReviewItem
from .pipeline import record_attach, record_create_deal, record_dismiss
from .pipeline.press import match_reasons_many
from .pipeline.review import filing_deals, suggestions_explained
from .sources import sec_edgar
from .sources.base import sanitise_html


def admin_change_url(obj) -> str:
    """The admin page of `obj`, or its public page when its model is not in the admin."""
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return obj.get_absolute_url()


def source_html(record: RawRecord) -> str:
    """The markup the source sent with the record, sanitised by nh3 before it is shown."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    markup = payload.get("description") or payload.get("body") or ""
    if isinstance(payload.get("details"), dict):
        markup = payload["details"].get("body") or markup
    return sanitise_html(markup) if isinstance(markup, str) else ""


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RawRecord)
class RawRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["external_id", "source", "title", "review_status", "changed_at", "conflict"]
    list_filter = ["source", "review_status", "changed_at"]
    search_fields = ["external_id", "title"]
    date_hierarchy = "changed_at"
    list_select_related = ["deal", "inquiry"]
    fields = [
        "source",
        "external_id",
        "title",
        "url",
        "published_on",
        "linked",
        "review_status",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "conflicts_display",
        "first_seen_at",
        "changed_at",
        "last_seen_at",
        "content_hash",
        "payload_display",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing only: what ingest stored is the source's, not ours to edit.
        return False

    @admin.display(boolean=True, description="conflict")
    def conflict(self, record: RawRecord) -> bool:
        return bool(record.conflicts)

    @admin.display(description="linked to")
    def linked(self, record: RawRecord) -> str:
        links = [
            format_html('<a href="{}">{}</a>', admin_change_url(obj), obj)
            for obj in (record.deal, record.inquiry)
            if obj is not None
        ]
        return mark_safe(" · ".join(links)) if links else "—"

    @admin.display(description="where the source disagrees with an editor")
    def conflicts_display(self, record: RawRecord) -> str:
        if not record.conflicts:
            return "—"
        rows = [
            format_html(
                "<li>{}: here “{}”, source “{}”</li>", name, values["here"], values["source"]
            )
            for name, values in record.conflicts.items()
        ]
        return format_html("<ul>{}</ul>", mark_safe("".join(rows)))

    @admin.display(description="as served")
    def payload_display(self, record: RawRecord) -> str:
        text = json.dumps(record.payload, indent=2, ensure_ascii=False)
        if len(text) > 20000:
            text = text[:20000] + "\n…"
        return format_html('<pre class="payload">{}</pre>', text)


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title_link", "source", "published_on", "review_note", "suggestion"]
    list_filter = ["source"]
    search_fields = ["title", "external_id", "summary"]
    actions = ["dismiss_selected", "create_deals"]
    list_per_page = 50
    change_form_template = "admin/ingest/reviewitem/review.html"

    @admin.display(description="record", ordering="title")
    def title_link(self, item: ReviewItem) -> str:
        url = reverse("admin:ingest_reviewitem_change", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, item.title or item.external_id)

    @admin.display(description="suggested deal", ordering="-suggestion_score")
    def suggestion(self, item: ReviewItem) -> str:
        # Stored at ingest: the page reads one deal title per row, it scans no company names
        # but those of the suggested deals' parties (three queries for the page).
        title = getattr(item, "suggested_title", "")
        reason = getattr(item, "suggested_reason", "")
        if title and reason:
            return format_html('{}<br><span class="help">{}</span>', title, reason)
        return title or "—"

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        items = list(changelist.result_list)  # evaluated once; the page renders these rows
        firsts = {item.suggested_ids[0] for item in items if item.suggested_ids}
        titles = dict(Deal.objects.filter(pk__in=firsts).values_list("pk", "title"))
        firsts_of = [item.suggested_ids[:1] for item in items]
        wanted = [(i.title, i.summary, first) for i, first in zip(items, firsts_of, strict=True)]
        reasons = match_reasons_many(wanted)
        for item, first, why in zip(items, firsts_of, reasons, strict=True):
            # On this request's rows, not on the admin shared by all requests.
            item.suggested_title = titles.get(first[0], "") if first else ""
            item.suggested_reason = why.get(first[0], "") if first else ""
            if item.source == sec_edgar.NAME:
                # An SEC filing is suggested on its company's open deals, found by CIK.
                deals = filing_deals(record=item)
                item.suggested_title = deals[0].title if deals else ""
                item.suggested_reason = "an open deal of the filing company" if deals else ""
        return changelist

    @admin.action(description="Dismiss the selected records", permissions=["change"])
    def dismiss_selected(self, request: HttpRequest, queryset) -> None:
        for item in queryset:
            record_dismiss(record=item, user=request.user)
        self.message_user(request, f"Dismissed {queryset.count()} record(s).", messages.SUCCESS)

    @admin.action(description="Create a deal from each selected record", permissions=["change"])
    def create_deals(self, request: HttpRequest, queryset) -> None:
        made = [record_create_deal(record=item, user=request.user) for item in queryset]
        self.message_user(
            request,
            f"Created {len(made)} deal(s), marked for review and unpublished: add their parties, "
            "then publish them.",
            messages.SUCCESS,
        )

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        item = get_object_or_404(RawRecord, pk=object_id)
        if not self.has_view_or_change_permission(request, item):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, item):
                raise PermissionDenied
            return self.review_decision(request, item)
        query = request.GET.get("q", "").strip()[:100]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review: {item.title or item.external_id}",
            "opts": self.model._meta,
            "item": item,
            "source_html": source_html(item),
            "suggested": suggestions_explained(record=item),
            "query": query,
            "found_deals": Deal.objects.search(query)[:10] if query else [],
            "found_inquiries": (
                Inquiry.objects.search(query).select_related("regulator")[:10] if query else []
            ),
            "can_change": self.has_change_permission(request, item),
            "is_pending": item.review_status == "pending",
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def review_decision(self, request: HttpRequest, item: RawRecord) -> HttpResponseRedirect:
        decision = request.POST.get("decision")
        queue = reverse("admin:ingest_reviewitem_changelist")
        if decision == "attach_deal":
            deal = get_object_or_404(Deal, pk=request.POST.get("deal"))
            record_attach(record=item, user=request.user, deal=deal)
            self.message_user(request, f"Attached “{item.title}” to {deal}.", messages.SUCCESS)
        elif decision == "attach_inquiry":
            inquiry = get_object_or_404(Inquiry, pk=request.POST.get("inquiry"))
            record_attach(record=item, user=request.user, inquiry=inquiry)
            self.message_user(request, f"Attached “{item.title}” to {inquiry}.", messages.SUCCESS)
        elif decision == "create_deal":
            deal = record_create_deal(record=item, user=request.user)
            self.message_user(
                request,
                f"Created the deal “{deal}”, unpublished: add its parties, then publish it.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(admin_change_url(deal))
        elif decision == "dismiss":
            record_dismiss(record=item, user=request.user)
            self.message_user(request, f"Dismissed “{item.title}”.", messages.SUCCESS)
        else:
            self.message_user(request, "Choose what to do with the record.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(queue)


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "source",
        "started_at",
        "finished_at",
        "trigger",
        "records",
        "new",
        "changed",
        "unchanged",
        "skipped",
        "errors",
        "failed",
    ]
    list_filter = ["source", "trigger"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in IngestRun._meta.fields]
    change_list_template = "admin/ingest/ingestrun/change_list.html"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(boolean=True, description="failed")
    def failed(self, run: IngestRun) -> bool:
        return bool(run.error)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "health": IngestRun.objects.health()}
        return super().changelist_view(request, extra_context=extra_context)
