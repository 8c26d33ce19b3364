"""What the API says about each thing. Read-only; every list serializer reads only what the
list's queryset prefetched (no query per row)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.cache import cached_each
from deals.exports import INQUIRY_STATE_FIELDS
from deals.jurisdictions import jurisdiction_name
from deals.models import Company, Deal, Event, Inquiry, Phase, Regulator, deal_api_lookups
from deals.phases import PHASE_FIELDS


class WebURL(serializers.Field):
    """The absolute address of the thing's page on the site."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return self.context["request"].build_absolute_uri(instance.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(WebURL)


class APIURL(serializers.Field):
    def __init__(self, name: str, lookup: str = "slug", **kwargs):
        self.name, self.lookup = name, lookup
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        path = reverse(f"api:{self.name}", args=[getattr(instance, self.lookup)])
        return self.context["request"].build_absolute_uri(path)


extend_schema_field({"type": "string", "format": "uri"})(APIURL)


class RegulatorSerializer(serializers.ModelSerializer):
    jurisdiction_name = serializers.SerializerMethodField()
    url = WebURL()
    api_url = APIURL("regulator-detail")

    class Meta:
        model = Regulator
        fields = [
            "slug",
            "short_name",
            "name",
            "jurisdiction",
            "jurisdiction_name",
            "website",
            "url",
            "api_url",
        ]

    def get_jurisdiction_name(self, regulator) -> str:
        return jurisdiction_name(regulator.jurisdiction)


class RegulatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regulator
        fields = ["slug", "short_name", "name", "jurisdiction"]


class CompanySerializer(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField(help_text="Other names it is known by.")
    tickers = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = WebURL()
    api_url = APIURL("company-detail")

    class Meta:
        model = Company
        fields = [
            "slug",
            "name",
            "aliases",
            "tickers",
            "country",
            "website",
            "parent",
            "url",
            "api_url",
        ]

    def get_aliases(self, company) -> list[str]:
        return [alias.name for alias in company.aliases.all()]

    def get_tickers(self, company) -> list[str]:
        return company.ticker.split()


class PartySerializer(serializers.Serializer):
    company = serializers.CharField(source="company.slug")
    name = serializers.CharField(source="company.name")
    role = serializers.CharField()


class JurisdictionLineSerializer(serializers.Serializer):
    regulator = serializers.CharField(source="regulator.slug")
    short_name = serializers.CharField(source="regulator.short_name")
    jurisdiction = serializers.CharField(source="regulator.jurisdiction")
    context_only = serializers.BooleanField(
        source="is_context_only", help_text="Only informal looks or conduct cases here."
    )
    state = serializers.SerializerMethodField(help_text="Where the lead inquiry stands.")
    reference = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    text = serializers.CharField(source="as_text", help_text="The whole line, in words.")

    def get_state(self, line) -> str:
        return line.lead.state_text() if line.lead else ""

    def get_reference(self, line) -> str:
        return line.lead.reference if line.lead else ""

    def get_flags(self, line) -> list[str]:
        return line.lead.flags() if line.lead else []


class DealRows(serializers.ListSerializer):
    """A list's deals as the pages' rows are: each one's representation from the fragment cache
    while the deal's revision is unchanged (deals/cache.py); only the others are prefetched (the
    list's queryset reads the rows alone) and serialized."""

    def to_representation(self, data):
        rows = list(data)
        # The representation holds absolute addresses: the host is part of the key.
        name = f"api-deal:{self.context['request'].build_absolute_uri('/')}"

        def render(missing: list) -> list:
            prefetch_related_objects(missing, *deal_api_lookups())
            return [self.child.to_representation(row) for row in missing]

        return cached_each(
            name,
            rows,
            key=lambda row: row.pk,
            render=render,
            revision=lambda row: row.fragment_revision,
        )


class DealSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="deal_type")
    type_label = serializers.CharField(source="get_deal_type_display")
    status = serializers.CharField(source="antitrust_status")
    status_label = serializers.CharField(source="get_antitrust_status_display")
    life = serializers.CharField()
    life_on = serializers.DateField(allow_null=True)
    next_deadline_on = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, source="parties.all")
    jurisdictions = JurisdictionLineSerializer(many=True, source="jurisdiction_lines")
    url = WebURL()
    api_url = APIURL("deal-detail")

    class Meta:
        model = Deal
        fields = [
            "slug",
            "title",
            "type",
            "type_label",
            "status",
            "status_label",
            "life",
            "life_on",
            "announced_on",
            "completed_on",
            "abandoned_on",
            "unwound_on",
            "last_activity_on",
            "next_deadline_on",
            "sector",
            "value",
            "currency",
            "parties",
            "jurisdictions",
            "url",
            "api_url",
        ]
        list_serializer_class = DealRows

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_deadline_on(self, deal):
        return deal.next_deadline()


class DealBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deal
        fields = ["slug", "title"]


class PhaseSerializer(serializers.ModelSerializer):
    """One phase of a review, as deals/phases.py derived it (the deal page and the CSV show the
    same)."""

    class Meta:
        model = Phase
        fields = PHASE_FIELDS


class InquirySerializer(serializers.ModelSerializer):
    regulator = RegulatorBriefSerializer()
    deal = DealBriefSerializer(allow_null=True)
    state = serializers.CharField(source="state_text")
    flags = serializers.ListField(child=serializers.CharField())
    is_open = serializers.BooleanField()
    regulator_wording = serializers.CharField(source="status_wording")
    procedure_label = serializers.CharField(
        source="get_procedure_display", help_text="The procedure in words; empty when not known."
    )
    legal_basis_label = serializers.CharField(
        source="get_legal_basis_display",
        help_text="The regulation in words; empty when not known.",
    )
    phases = PhaseSerializer(many=True, source="phases.all", read_only=True)
    url = WebURL()
    api_url = APIURL("inquiry-detail", lookup="pk")

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "regulator",
            "deal",
            "reference",
            "title",
            "kind",
            "stage",
            "outcome",
            "procedure",
            "procedure_label",
            "legal_basis",
            "legal_basis_label",
            "is_open",
            *INQUIRY_STATE_FIELDS,  # as the CSV names them
            "closed_on_precision",
            "next_deadline_phase",
            "superseded_by",
            "source_url",
            "url",
            "api_url",
        ]


class EventSerializer(serializers.ModelSerializer):
    deal = serializers.SerializerMethodField()
    regulator = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "occurred_on",
            "recorded_at",
            "kind",
            "title",
            "text",
            "source_url",
            "deal",
            "inquiry",
            "regulator",
        ]

    @extend_schema_field(DealBriefSerializer(allow_null=True))
    def get_deal(self, event):
        deal = event.timeline_deal
        return DealBriefSerializer(deal).data if deal else None

    def get_regulator(self, event) -> str | None:
        return event.regulator.slug if event.regulator else None


class DealDetailSerializer(DealSerializer):
    inquiries = InquirySerializer(many=True, source="inquiries.all")
    timeline = serializers.SerializerMethodField(help_text="Every event, oldest first.")

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "summary", "inquiries", "timeline"]

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, deal):
        events = deal.timeline().select_related(
            "timeline_deal", "deal", "inquiry__deal", "inquiry__regulator"
        )
        return EventSerializer(events, many=True, context=self.context).data
