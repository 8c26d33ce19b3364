"""Public pages. Thin: a FilterSet validates the query string, a QuerySet method reads, a template
renders. Bad input (a wrong date, an unknown slug, a page past the end) is a form error or an
empty page, never an exception."""

import csv

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .cache import cached, public_page
from .filters import DealFilter, InquiryFilter
from .models import (
    CONDUCT_OUTCOMES,
    CONDUCT_STAGES,
    MERGER_OUTCOMES,
    MERGER_STAGES,
    AntitrustStatus,
    Company,
    Deal,
    Event,
    Inquiry,
    Outcome,
    Regulator,
    Stage,
)
from .pagination import first_rows, paginate

# How many of a company's deals and inquiries its page lists; the filtered lists have the rest.
COMPANY_PAGE_ROWS = 25


def home(request):
    return redirect("deals:deal_list")


@public_page
def deal_list(request):
    filterset = DealFilter(request.GET, queryset=Deal.objects.published())
    page = paginate(request, filterset.results().with_list_data())
    return render(request, "deals/deal_list.html", {"filter": filterset, "page": page})


def deal_export(request):
    """The filtered deal list as CSV, for spreadsheets; same filters as the page."""
    filterset = DealFilter(request.GET, queryset=Deal.objects.published())
    if not filterset.is_valid():
        return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dealwatch-deals.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "title",
            "type",
            "status",
            "life",
            "life_on",
            "jurisdictions",
            "announced_on",
            "completed_on",
            "latest_activity",
            "parties",
            "regulators",
            "value",
            "currency",
            "sector",
            "url",
        ]
    )
    for deal in filterset.qs.with_list_data().iterator(chunk_size=500):
        row = deal.as_csv_row(request.build_absolute_uri(deal.get_absolute_url()))
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


def spreadsheet_safe(cell: str) -> str:
    """Ingested titles could start with a formula; spreadsheets must show it as text."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@public_page
def deal_detail(request, slug):
    deal = get_object_or_404(Deal.objects.published().with_detail_data(), slug=slug)
    return render(
        request,
        "deals/deal_detail.html",
        {
            "deal": deal,
            "inquiries": deal.inquiries.all(),
            # Only an abandoned deal's page says after what (it reads the inquiries' events).
            "abandoned_after": (
                deal.abandoned_after() if deal.antitrust_status == AntitrustStatus.ABANDONED else ""
            ),
            "timeline": deal.timeline(),
        },
    )


@public_page
def inquiry_list(request):
    filterset = InquiryFilter(request.GET, queryset=Inquiry.objects.public())
    page = paginate(request, filterset.results().with_list_data())
    return render(request, "deals/inquiry_list.html", {"filter": filterset, "page": page})


@public_page
def company_list(request):
    companies = Company.objects.order_by("name", "pk").with_deal_counts()
    return render(request, "deals/company_list.html", {"page": paginate(request, companies, 100)})


@public_page
def company_detail(request, slug):
    """The company's newest deals and inquiries; the deal and inquiry lists, filtered by the
    company, page through all of them."""
    company = get_object_or_404(
        Company.objects.select_related("parent").prefetch_related("aliases", "subsidiaries"),
        slug=slug,
    )
    deals = Deal.objects.published().involving([company]).with_list_data()
    inquiries = Inquiry.objects.public().involving([company]).with_list_data()
    deals, more_deals = first_rows(deals, COMPANY_PAGE_ROWS)
    inquiries, more_inquiries = first_rows(inquiries, COMPANY_PAGE_ROWS)
    return render(
        request,
        "deals/company_detail.html",
        {
            "company": company,
            "deals": deals,
            "more_deals": more_deals,
            "inquiries": inquiries,
            "more_inquiries": more_inquiries,
        },
    )


@public_page
def regulator_list(request):
    regulators = list(Regulator.objects.order_by("jurisdiction", "short_name"))
    counts = cached("inquiries-by-regulator", Inquiry.objects.counts_by_regulator)
    for regulator in regulators:
        regulator.inquiry_count, regulator.open_count = counts.get(regulator.pk, (0, 0))
    return render(request, "deals/regulator_list.html", {"regulators": regulators})


@public_page
def regulator_detail(request, slug):
    regulator = get_object_or_404(Regulator, slug=slug)
    inquiries = Inquiry.objects.public().filter(regulator=regulator).with_list_data()
    recent_events = (
        Event.objects.public()
        .filter(inquiry__regulator=regulator)
        .select_related("inquiry__deal", "inquiry__regulator")
        .order_by("-occurred_on", "-pk")[:20]
    )
    return render(
        request,
        "deals/regulator_detail.html",
        {
            "regulator": regulator,
            "page": paginate(request, inquiries),
            "recent_events": recent_events,
        },
    )


@public_page
def statuses(request):
    """The public explanation of every status and flag; each status badge links here."""

    def vocabulary(choices, values):
        return [(value, label) for value, label in choices if value in values]

    return render(
        request,
        "deals/statuses.html",
        {
            "dormant_days": settings.INFORMAL_LOOK_DORMANT_AFTER_DAYS,
            "merger_stages": vocabulary(Stage.choices, MERGER_STAGES),
            "merger_outcomes": vocabulary(Outcome.choices, MERGER_OUTCOMES),
            "conduct_stages": vocabulary(Stage.choices, CONDUCT_STAGES),
            "conduct_outcomes": vocabulary(Outcome.choices, CONDUCT_OUTCOMES),
        },
    )


@public_page
def deadlines(request):
    today = timezone.localdate()
    inquiries = Inquiry.objects.public().with_upcoming_deadline(today).with_list_data()
    return render(
        request,
        "deals/deadlines.html",
        {"page": paginate(request, inquiries, 50), "today": today},
    )
