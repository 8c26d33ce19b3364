"""The read-only public API, /api/v1/. Lists filter with the pages' FilterSets and page by
cursor (api.pagination); the OpenAPI schema is at /api/v1/schema/, its docs at /api/v1/docs/."""

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from deals.cache import public_page
from deals.filters import (
    CompanyListFilter,
    DealFilter,
    EventFilter,
    InquiryFilter,
    RegulatorListFilter,
)
from deals.models import Company, Deal, Event, Inquiry, Regulator

from . import serializers as api


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


BAD_REQUEST = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A filter or parameter could not be used: each one, with what was wrong.",
)
NOT_FOUND = OpenApiResponse(response=NotFoundSerializer, description="No such thing.")


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail, served from the page cache as the site's pages are."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return public_page(super().as_view(*args, **kwargs))


def read_only(name: str, serializer, detail_serializer=None):
    """Document the errors beside the rows: a list's 400, a detail's 404."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {name}", responses={200: serializer, 400: BAD_REQUEST}),
        retrieve=extend_schema(
            summary=f"One of the {name}",
            responses={200: detail_serializer or serializer, 404: NOT_FOUND},
        ),
    )


@read_only("deals", api.DealSerializer, api.DealDetailSerializer)
class DealViewSet(PublicViewSet):
    """Deals, filtered as /deals/ is: the same query string gives the same rows in the same
    order."""

    filterset_class = DealFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"

    def get_queryset(self):
        deals = Deal.objects.published()
        if self.action == "retrieve":
            return deals.with_detail_data().prefetch_related("inquiries__phases")
        return deals  # the rows not in the fragment cache are prefetched (serializers.DealRows)

    def get_serializer_class(self):
        return api.DealDetailSerializer if self.action == "retrieve" else api.DealSerializer


@read_only("inquiries", api.InquirySerializer)
class InquiryViewSet(PublicViewSet):
    """Regulators' inquiries, filtered as /inquiries/ is."""

    filterset_class = InquiryFilter
    serializer_class = api.InquirySerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return Inquiry.objects.public().with_phases()


@read_only("events", api.EventSerializer)
class EventViewSet(PublicViewSet):
    """Timeline events, newest first, dated by when they happened."""

    filterset_class = EventFilter
    serializer_class = api.EventSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return Event.objects.public().select_related(
            "timeline_deal", "deal", "inquiry__deal", "inquiry__regulator"
        )


@read_only("companies", api.CompanySerializer)
class CompanyViewSet(PublicViewSet):
    """Companies; `?q=` finds them by name, alternative name or ticker (names that start with
    it first), as the company box's suggestions do."""

    filterset_class = CompanyListFilter
    serializer_class = api.CompanySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"

    def get_queryset(self):
        return Company.objects.select_related("parent").prefetch_related("aliases")


@read_only("regulators", api.RegulatorSerializer)
class RegulatorViewSet(PublicViewSet):
    filterset_class = RegulatorListFilter
    serializer_class = api.RegulatorSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,40}"

    def get_queryset(self):
        return Regulator.objects.all()


def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)
