"""Subscribers, subscriptions and digest runs in the admin, with a digest's preview. The one
text an editor types here (why a subscriber is disabled) refuses what is not text, as in
deals' admin (`TextOnly`)."""

from csp.constants import UNSAFE_INLINE
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from deals.admin import TextOnly

from .models import Delivery, DigestItem, DigestRun, Frequency, Subscriber, Subscription
from .services import digest_email, digest_preview, subscriber_disable, subscriber_enable


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = False
    fields = ["kind", "label", "frequency", "event_kinds", "started_at", "ended_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # only the subscriber adds, by confirming a link

    @admin.display(description="follows")
    def label(self, obj):
        return obj.label


@admin.register(Subscriber)
class SubscriberAdmin(TextOnly, admin.ModelAdmin):
    list_display = ["email", "confirmed_at", "live_subscriptions", "disabled_at", "preview_link"]
    list_filter = [("disabled_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = [
        "email",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "disabled_at",
        "preview_link",
    ]
    fields = [
        "email",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "disabled_at",
        "disabled_reason",
    ]
    inlines = [SubscriptionInline]
    actions = ["disable_bouncing", "enable"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(live=Count("subscriptions", filter=Q(subscriptions__ended_at__isnull=True)))
        )

    def get_fields(self, request, obj=None):
        return [*self.fields, "preview_link"] if obj else self.fields

    def has_add_permission(self, request):
        return False  # double opt-in: subscribers exist only once they confirm

    @admin.display(description="live subscriptions", ordering="live")
    def live_subscriptions(self, obj):
        return obj.live

    @admin.display(description="next digest")
    def preview_link(self, obj):
        url = reverse("admin:subscriptions_subscriber_preview", args=[obj.pk])
        return format_html('<a href="{}">Preview</a>', url)

    @admin.action(description="Disable: the address bounces (stop all email)")
    def disable_bouncing(self, request, queryset):
        done = sum(subscriber_disable(subscriber=s, reason="Bounced") for s in queryset)
        self.message_user(request, f"Disabled {done} subscriber(s).", messages.SUCCESS)

    @admin.action(description="Enable again")
    def enable(self, request, queryset):
        done = sum(subscriber_enable(subscriber=s) for s in queryset)
        self.message_user(request, f"Enabled {done} subscriber(s).", messages.SUCCESS)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="subscriptions_subscriber_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int):
        """The digests this subscriber would get if each frequency ran now. Writes nothing."""
        subscriber = get_object_or_404(Subscriber, pk=pk)
        if not self.has_view_permission(request, subscriber):
            raise PermissionDenied
        frequencies = (
            subscriber.subscriptions.active().values_list("frequency", flat=True).distinct()
        )
        previews = []
        for frequency in Frequency:
            if frequency not in set(frequencies):
                continue
            digest = digest_preview(subscriber=subscriber, frequency=frequency)
            message = (
                digest_email(subscriber=subscriber, digest=digest, frequency=frequency)
                if digest
                else None
            )
            previews.append(
                {
                    "frequency": frequency.label,
                    "message": message,
                    "html": message.alternatives[0][0] if message else "",
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": subscriber,
            "title": f"Next digest for {subscriber.email}",
            "subscriber": subscriber,
            "previews": previews,
        }
        response = TemplateResponse(request, "admin/subscriptions/subscriber/preview.html", context)
        # The iframe shows the email as sent, and emails carry inline styles; its document
        # inherits this page's policy. Styles only: scripts stay 'self', and the iframe is
        # sandboxed besides.
        response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return response


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["subscriber", "kind", "label", "frequency", "started_at", "ended_at"]
    list_filter = ["kind", "frequency", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["subscriber__email", "deal__title", "company__name", "search_query"]
    list_select_related = ["subscriber", "deal", "company", "regulator"]
    readonly_fields = [
        "subscriber",
        "kind",
        "deal",
        "company",
        "regulator",
        "search_query",
        "started_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="follows")
    def label(self, obj):
        return obj.label


class DigestItemInline(admin.TabularInline):
    model = DigestItem
    extra = 0
    can_delete = False
    fields = ["subscription", "event", "deal", "status_change"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("event", "deal", "status_change__deal", "status_change__regulator")
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what went to whom, and what is still pending or failed."""

    list_display = ["subscriber", "run", "status", "subject", "created_at", "sent_at", "attempts"]
    list_filter = ["status", "run__frequency"]
    search_fields = ["subscriber__email", "subject"]
    list_select_related = ["subscriber", "run"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "subscriber",
        "run",
        "status",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    inlines = [DigestItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "frequency", "period_start", "created_at", "finished_at", "sent"]
    list_filter = ["frequency"]
    readonly_fields = ["frequency", "period_start", "created_at", "finished_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sent_count=Count("deliveries", filter=Q(deliveries__status="sent")))
        )

    @admin.display(description="emails sent", ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
