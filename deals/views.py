"""Public pages. Thin: a FilterSet validates the query string, a QuerySet method reads, a template
renders. Bad input (a wrong date, an unknown slug, a page past the end) is a form error or an
empty page, never an exception.

The two filtered lists, /deals/ and /inquiries/, are each described once (`FilteredList`: filters,
rows, template, where the same rows are elsewhere, CSV); their pages and CSVs read it."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_filters import FilterSet

from . import calendars, clocks, exports, hooks
from . import stats as figures
from .cache import cached, is_editor, public_page, revisions_key
from .charts import deal_timeline
from .deadlines import PASSED_WINDOW, inquiries_in_order
from .deadlines import rows_key as deadline_rows_key
from .deadlines import upcoming as upcoming_deadlines
from .filters import MAX_QUERY_LENGTH, DeadlineFilter, DealFilter, InquiryFilter, canonical_query
from .models import Company, CompanyRedirect, Deal, Event, Inquiry, Regulator
from .pagination import CappedPaginator, first_rows, paginate
from .querystring import keyed_also_by, takes
from .vocabulary import (
    CONDUCT_OUTCOMES,
    CONDUCT_STAGES,
    MERGER_OUTCOMES,
    MERGER_STAGES,
    AntitrustStatus,
    InquiryKind,
    Outcome,
    Stage,
)

SEARCH_SHOWN = 10
# How many of a company's deals and inquiries its page lists; the filtered lists have the rest.
COMPANY_PAGE_ROWS = 25
# A page of the company list.
COMPANIES_PER_PAGE = 100
# This week's deadlines on the front page; /deadlines/ has them all.
HOME_DEADLINES = 20
# The front page's latest events and deals under in-depth review; a regulator's recent events.
HOME_LATEST = 8
HOME_IN_DEPTH = 8
REGULATOR_EVENTS = 20


class SearchForm(forms.Form):
    q = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False, strip=True)


@takes()
@public_page
def home(request):
    """What Dealwatch is, what happened lately, what is due this week, what is in-depth.

    The sections are one fragment (home.html), keyed by what they show: the rows' pks and
    revisions (revisions_key), read on their own; the rows themselves are read only to render
    it, after a write that changed one of them."""
    today = timezone.localdate()
    deadlines = SimpleLazyObject(lambda: home_deadlines(today))
    latest = (
        Event.objects.public()
        .filter(occurred_on__lte=today)
        .order_by("-occurred_on", "-pk")[:HOME_LATEST]
    )
    in_depth = (
        Deal.objects.published()
        .filter(antitrust_status=AntitrustStatus.IN_DEPTH_REVIEW)
        .order_by(F("last_activity_on").desc(nulls_last=True), "pk")[:HOME_IN_DEPTH]
    )
    key = SimpleLazyObject(
        lambda: "|".join(
            (
                str(deadlines["key"]),
                revisions_key(in_depth, *Deal.ROW_REVISIONS),
                revisions_key(latest, *Event.ROW_REVISIONS),
            )
        )
    )
    return render(
        request,
        "home.html",
        {
            "today": today,
            "this_week": SimpleLazyObject(lambda: deadlines["this_week"]),
            "more_this_week": SimpleLazyObject(lambda: deadlines["more_this_week"]),
            "next_deadline": SimpleLazyObject(lambda: deadlines["next_deadline"]),
            "latest": latest.select_related(
                "timeline_deal", "deal", "inquiry__regulator", "inquiry__deal"
            ),
            "in_depth": in_depth.with_list_data(),
            "sections_key": key,
            "counts": cached("home-counts", home_counts, stale_ok=True),
        },
    )


def home_deadlines(today) -> dict:
    """This week's first deadlines and how many more; or, when none falls this week, the next
    (deals/deadlines.py: bounded reads of the stored next deadline's index). The inquiries are
    read when the section is rendered; `key` says what it shows."""
    week = upcoming_deadlines(Inquiry.objects.public(), today=today, within=7)
    later = [] if week.ahead else upcoming_deadlines(Inquiry.objects.public(), today=today).ahead
    pks = week.ahead[:HOME_DEADLINES] or later[:1]
    shown = SimpleLazyObject(lambda: inquiries_in_order(pks)[0])
    more = max(0, week.ahead_count - HOME_DEADLINES)
    return {
        "this_week": shown if week.ahead else [],
        "more_this_week": more,
        "next_deadline": shown[0] if pks and not week.ahead else None,
        "key": SimpleLazyObject(lambda: deadline_rows_key(pks, also=(more, bool(week.ahead)))),
    }


def home_counts() -> dict[str, int]:
    return {
        "deals": Deal.objects.published().count(),
        "open": Inquiry.objects.public().open().filter(kind=InquiryKind.MERGER_REVIEW).count(),
    }


def alternates(
    *, query: str = "", feed="", csv="", api="", calendar="", unfiltered=()
) -> list[dict]:
    """The same rows elsewhere: an Atom feed, a CSV, the API, a calendar of their deadlines.

    Each page lists them as <link rel="alternate"> in its head and as links above its rows."""
    suffix = f"?{query}" if query else ""
    links = [
        ("feed", feed, "application/atom+xml", "Atom feed of their events", "Atom feed", False),
        (
            "calendar",
            calendar,
            "text/calendar",
            "Calendar of their deadlines",
            "Deadlines calendar",
            False,
        ),
        ("csv", csv, "text/csv", "These rows as CSV", "Download (CSV)", True),
        ("api", api, "application/json", "These rows in the JSON API", "JSON API", False),
    ]
    return [
        {
            "href": path if name in unfiltered else f"{path}{suffix}",
            "type": kind,
            "title": title,
            "label": label,
            "download": dl,
        }
        for name, path, kind, title, label, dl in links
        if path
    ]


@dataclass(frozen=True)
class FilteredList:
    """A list page filtered by its query string (/deals/, /inquiries/) and the same rows
    elsewhere: the FilterSet over its rows, its template, the URL names of its feed, calendar
    and CSV and its API path (its alternates), its download (deals/exports.py), its deadlines
    calendar's name, file and inquiries, and its feed's wording and events
    (feeds.FilteredListFeed)."""

    things: str  # "deals", as its feed's title says: "all deals", "deals matching a search"
    filterset_class: type[FilterSet]
    rows: Callable  # what the filters choose from: Deal.objects.published, ...
    url_name: str  # its own
    template: str
    feed: str
    calendar: str
    csv: str
    api: str
    download: exports.Download
    # The deadlines calendar: its name, its file and the inquiries of the chosen rows' pks.
    calendar_name: str
    calendar_file: str
    inquiries_of: Callable
    # The feed (deals/feeds.py): its subtitle's start and the public events of the chosen pks.
    feed_about: str
    events_of: Callable

    def filterset(self, request) -> FilterSet:
        return self.filterset_class(request.GET, queryset=self.rows())

    def page(self, request) -> HttpResponse:
        """Filters with counts and chips, one page of rows, and its alternates."""
        filterset = self.filterset(request)
        filterset.show_counts()
        page = paginate(request, filterset.results().with_list_data())
        valid = filterset.is_valid()
        links = {
            "feed": reverse(self.feed),
            "calendar": reverse(self.calendar),
            "csv": reverse(self.csv),
            "api": self.api,
        }
        return render(
            request,
            self.template,
            {
                "filter": filterset,
                "page": page,
                "chips": filterset.active_filters(),
                "alternates": (
                    alternates(query=canonical_query(request.GET, self.filterset_class), **links)
                    if valid
                    else []
                ),
            },
        )

    def csv_download(self, request) -> HttpResponse:
        """The filtered rows as CSV, streamed (a 400 naming a filter that cannot be used);
        unfiltered, the prebuilt file when there is one (deals/exports.py)."""
        if exports.unfiltered(request.GET):
            prebuilt = exports.full_export_response(request, self.download)
            if prebuilt is not None:
                return prebuilt
        return exports.filtered_csv(request, self.filterset(request), self.download)

    def deadlines_calendar(self, request) -> HttpResponse:
        """The deadlines of the filtered rows' open inquiries, upcoming and passed within a year
        with no decision recorded (as /deadlines/ shows them), as a calendar (a 400 naming a
        filter that cannot be used)."""
        filterset = self.filterset(request)
        if not filterset.is_valid():
            return HttpResponse(filterset.errors.as_text(), status=400, content_type="text/plain")
        inquiries = (
            self.inquiries_of(filterset.results().values("pk"))
            .with_deadline_from(timezone.localdate() - PASSED_WINDOW)
            .with_list_data()
        )
        name = self.calendar_name
        if canonical_query(request.GET, self.filterset_class):
            name += " (filtered)"
        absolute = request.build_absolute_uri
        body = calendars.deadlines_calendar(inquiries, name=name, absolute=absolute)
        return ics_response(body, self.calendar_file)


DEALS = FilteredList(
    things="deals",
    filterset_class=DealFilter,
    rows=Deal.objects.published,
    url_name="deals:deal_list",
    template="deals/deal_list.html",
    feed="deals:deal_list_feed",
    calendar="deals:deal_calendar",
    csv="deals:deal_export",
    api="/api/v1/deals/",
    download=exports.DEALS,
    calendar_name="Dealwatch: deal deadlines",
    calendar_file="dealwatch-deal-deadlines.ics",
    inquiries_of=lambda pks: Inquiry.objects.filter(deal__in=pks),
    feed_about="Antitrust events in",
    events_of=lambda pks: Event.objects.public().for_deals(pks),
)
INQUIRIES = FilteredList(
    things="inquiries",
    filterset_class=InquiryFilter,
    rows=Inquiry.objects.public,
    url_name="deals:inquiry_list",
    template="deals/inquiry_list.html",
    feed="deals:inquiry_list_feed",
    calendar="deals:deadline_calendar",
    csv="deals:inquiry_export",
    api="/api/v1/inquiries/",
    download=exports.INQUIRIES,
    calendar_name="Dealwatch: deadlines",
    calendar_file="dealwatch-deadlines.ics",
    inquiries_of=lambda pks: Inquiry.objects.filter(pk__in=pks),
    feed_about="Events in",
    events_of=lambda pks: Event.objects.public().filter(inquiry__in=pks),
)


@takes("page", filterset=DealFilter)
@public_page
def deal_list(request):
    return DEALS.page(request)


@takes(filterset=DealFilter, ignored=["page"], plain=True)
def deal_export(request):
    """The filtered deal list as CSV, for spreadsheets; same filters as the page."""
    return DEALS.csv_download(request)


def imported_from(deal: Deal) -> list[str]:
    """Where an unchecked deal was imported from ("FTC HSR early-termination notices"), as the
    apps that import deals tell (`deals.hooks`)."""
    if not deal.needs_review:
        return []
    return hooks.imported_from(deal)


def deal_revision(request, slug) -> str | None:
    """What a deal's page and feed are cached by (public_page): the deal's own revision, which
    every write to what they show changes (its parties, inquiries, events, status changes:
    deals/derived.py `revise`), so that a write to another deal leaves them cached; None when
    no published deal has that slug (the page answers 404)."""
    return _revision_of(Deal.objects.published().filter(slug=slug))


def _revision_of(rows) -> str | None:
    """The revision of the one row of `rows`, None if there is none."""
    found = rows.order_by().values_list("revision", flat=True)[:1]
    return next((str(revision) for revision in found), None)


@takes()
@public_page(revision=deal_revision)
def deal_detail(request, slug):
    deal = get_object_or_404(Deal.objects.published().with_detail_data(), slug=slug)
    today = timezone.localdate()

    # Not read yet: the rows from the fragment cache need no events (deal_tags), nor does the
    # chart when its fragment is cached.
    inquiries = deal.inquiries_with_clock_data()
    chart = SimpleLazyObject(lambda: deal_timeline(deal, today=today, inquiries=list(inquiries)))
    return render(
        request,
        "deals/deal_detail.html",
        {
            "deal": deal,
            "imported_from": imported_from(deal),
            "inquiries": inquiries,
            # Only an abandoned deal's page says after what (it reads the inquiries' events).
            "abandoned_after": (
                deal.abandoned_after() if deal.antitrust_status == AntitrustStatus.ABANDONED else ""
            ),
            "timeline": deal.timeline(),
            "status_changes": deal.status_changes.with_display_data().order_by(
                "-changed_at", "-pk"
            ),
            "chart": chart,
            "chart_svg": SimpleLazyObject(
                lambda: chart.svg(title=f"{deal.title}: the reviews side by side") if chart else ""
            ),
            "alternates": alternates(
                feed=reverse("deals:deal_feed", args=[slug]), api=f"/api/v1/deals/{slug}/"
            ),
        },
    )


@takes("page", filterset=InquiryFilter)
@public_page
def inquiry_list(request):
    return INQUIRIES.page(request)


@takes(filterset=InquiryFilter, ignored=["page"], plain=True)
def inquiry_export(request):
    """The filtered inquiry list as CSV; same filters as the page."""
    return INQUIRIES.csv_download(request)


def company_list_revision(request) -> str:
    """What a page of the company list is cached by (public_page): its companies' pks and
    revisions (a company's name or deals changed), and how many companies there are."""
    page = paginate(request, _companies_listed(), COMPANIES_PER_PAGE)
    return revisions_key(page.object_list, "revision", also=page.paginator.count)


def _companies_listed():
    return Company.objects.on_record().order_by("name", "pk")


@takes("page")
@public_page(revision=company_list_revision)
def company_list(request):
    page = paginate(request, _companies_listed(), COMPANIES_PER_PAGE)
    # Deals counted for the hundred companies shown, not inside the count of all of them.
    page.object_list = page.object_list.with_deal_counts()
    return render(
        request,
        "deals/company_list.html",
        {
            "page": page,
            "alternates": alternates(api="/api/v1/companies/"),
        },
    )


def company_revision(request, slug) -> str | None:
    """What a company's page is cached by (public_page): the company's own revision, which every
    write to what the page shows changes (deals/derived.py revise_companies); None for an old
    slug (its page redirects)."""
    return _revision_of(Company.objects.filter(slug=slug))


@takes()
@public_page(revision=company_revision)
def company_detail(request, slug):
    """The company's newest deals and inquiries; the deal and inquiry lists, filtered by the
    company, page through all of them."""
    company = (
        Company.objects.select_related("parent")
        .prefetch_related("aliases", "subsidiaries")
        .filter(slug=slug)
        .first()
    )
    if company is None:  # merged into another company: its old address leads there
        moved = get_object_or_404(CompanyRedirect.objects.select_related("company"), old_slug=slug)
        return redirect(moved.company, permanent=True)
    deals = Deal.objects.published().involving([company]).with_list_data()
    inquiries = Inquiry.objects.public().involving([company]).with_list_data()
    links = alternates(
        query=urlencode({"company": company.slug}),
        feed=reverse("deals:company_feed", args=[company.slug]),
        unfiltered=("feed",),
        calendar=reverse("deals:deadline_calendar"),
        csv=reverse("deals:deal_export"),
        api="/api/v1/deals/",
    )
    # The group's: deals and cases of its subsidiaries (Microsoft Europe under Microsoft) that
    # do not already name the company itself.
    members = company.group_member_ids()
    group_deals = group_inquiries = None
    more_group_deals = more_group_inquiries = False
    if members:
        group_deals, more_group_deals = first_rows(
            Deal.objects.published()
            .involving(members)
            .exclude(pk__in=deals.values("pk"))
            .with_list_data(),
            COMPANY_PAGE_ROWS,
        )
        group_inquiries, more_group_inquiries = first_rows(
            Inquiry.objects.public()
            .involving(members)
            .exclude(pk__in=inquiries.values("pk"))
            .with_list_data(),
            COMPANY_PAGE_ROWS,
        )
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
            "group_deals": group_deals,
            "group_inquiries": group_inquiries,
            "more_group_deals": more_group_deals,
            "more_group_inquiries": more_group_inquiries,
            "alternates": links,
        },
    )


@takes()
@public_page
def regulator_list(request):
    regulators = list(Regulator.objects.order_by("jurisdiction", "short_name"))
    counts = cached("inquiries-by-regulator", Inquiry.objects.counts_by_regulator, stale_ok=True)
    for regulator in regulators:
        regulator.inquiry_count, regulator.open_count = counts.get(regulator.pk, (0, 0))
    return render(
        request,
        "deals/regulator_list.html",
        {"regulators": regulators, "alternates": alternates(api="/api/v1/regulators/")},
    )


@takes("page")
@public_page
def regulator_detail(request, slug):
    regulator = get_object_or_404(Regulator, slug=slug)
    inquiries = Inquiry.objects.public().filter(regulator=regulator).with_list_data()
    recent_events = (
        Event.objects.public()
        .filter(inquiry__regulator=regulator)
        .order_by("-occurred_on", "-pk")[:REGULATOR_EVENTS]
    )
    return render(
        request,
        "deals/regulator_detail.html",
        {
            "regulator": regulator,
            "page": paginate(request, inquiries),
            "recent_events": recent_events.select_related("inquiry__deal", "inquiry__regulator"),
            # The events' fragment: read and rendered again only when one of them changed.
            "events_key": SimpleLazyObject(
                lambda: revisions_key(recent_events, *Event.ROW_REVISIONS)
            ),
            "alternates": alternates(
                query=urlencode({"regulator": regulator.slug}),
                feed=reverse("deals:regulator_feed", args=[regulator.slug]),
                unfiltered=("feed",),
                calendar=reverse("deals:deadline_calendar"),
                csv=reverse("deals:inquiry_export"),
                api="/api/v1/inquiries/",
            ),
        },
    )


@takes()
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
            "clock_rules": clock_rules(),
        },
    )


def clock_rules() -> list[tuple[str, clocks.RegulatorClock]]:
    """Each regulator's clock, once: ("FTC, DOJ", the HSR rule)."""
    names: dict[int, list[str]] = {}
    rules: dict[int, clocks.RegulatorClock] = {}
    for slug, rule in clocks.RULES.items():
        names.setdefault(id(rule), []).append(slug.upper())
        rules[id(rule)] = rule
    return [(", ".join(names[key]), rules[key]) for key in rules]


@takes("page", filterset=DeadlineFilter)
@public_page
def deadlines(request):
    """Deadlines ahead, published and computed, with the working days left; and the deadlines
    of the past year that passed with no decision recorded."""
    today = timezone.localdate()
    filterset = DeadlineFilter(request.GET, queryset=Inquiry.objects.public())
    options = filterset.form.cleaned_data if filterset.is_valid() else {}
    found = upcoming_deadlines(
        filterset.results(),
        today=today,
        # The filters that choose the inquiries; `within` and `source` are arguments of their own.
        key=canonical_query(request.GET, DeadlineFilter) if filterset.is_valid() else "invalid",
        within=int(options["within"]) if options.get("within") else None,
        source=options.get("source") or "",
    )
    page = paginate(request, found.ahead, 50)
    # Read only when a table's fragment is not cached (deadlines.html); each is keyed by what
    # it shows, the pks in order and their revisions.
    rows = SimpleLazyObject(lambda: inquiries_in_order(list(shown), found.passed))
    shown, page.object_list = page.object_list, SimpleLazyObject(lambda: rows[0])
    passed = SimpleLazyObject(lambda: rows[1])
    ahead_key, passed_key = (
        SimpleLazyObject(lambda pks=pks: deadline_rows_key(pks))
        for pks in (list(shown), found.passed)
    )
    return render(
        request,
        "deals/deadlines.html",
        {
            "filter": filterset,
            "page": page,
            "passed": passed,
            "ahead_key": ahead_key,
            "passed_key": passed_key,
            "today": today,
            "alternates": alternates(calendar=reverse("deals:deadline_calendar")),
        },
    )


# The page shows the stored /stats/ rows, rebuilt after content changes without a new content
# version: its key and ETag also name the build it reads.
keyed_by_stored_figures = keyed_also_by("figures", figures.aggregates_stamp)


@takes(form=figures.StatsForm)
@keyed_by_stored_figures
@public_page
def stats(request):
    """Reviews, in-depth rates, outcomes, durations and interventions per regulator and year."""
    form = figures.StatsForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "deals/stats.html", {"form": form, "stats": None})
    if not request.GET:
        form = figures.StatsForm({})
        form.is_valid()
    # An editor's figures are never older than the content (deals/stats.py).
    editor = is_editor(request)
    built = figures.aggregates_built()
    # Read only when the figures' fragment is not cached (deals/stats.html).
    result = SimpleLazyObject(lambda: figures.stats_for(form, editor=editor))
    return render(
        request,
        "deals/stats.html",
        {
            "form": form,
            "stats": result,
            "charts": SimpleLazyObject(lambda: figures.charts(result)),
            "outcome_labels": figures.OUTCOME_LABELS,
            "query": request.GET.urlencode(),
            # The figures' fragment is keyed by the build it shows, whatever is written after
            # it (the rows are rebuilt after a change); an editor's, or figures computed per
            # request while no rows are stored, by the content version too.
            "figures_key": f"{request.keyed_by['figures']}{'-editor' if editor else ''}",
            "figures_build": "" if editor or built is None else built.stamp,
            "stats_every_minutes": settings.STATS_EVERY_MINUTES,
        },
    )


@takes(form=figures.StatsForm, plain=True)
def stats_csv(request, table):
    """One table of /stats/ as CSV, with the same filters."""
    form = figures.StatsForm(request.GET)
    if table not in figures.CSV_TABLES:
        return HttpResponse("No such table.", status=404, content_type="text/plain")
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    rows = figures.csv_rows(figures.stats_for(form), table)
    return exports.csv_response(f"dealwatch-{table}.csv", None, rows)


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@takes(filterset=InquiryFilter, ignored=["page"], plain=True)
def deadline_calendar(request):
    """/deadlines/calendar.ics?<inquiry filters>: upcoming deadlines of those inquiries."""
    return INQUIRIES.deadlines_calendar(request)


@takes(filterset=DealFilter, ignored=["page"], plain=True)
def deal_calendar(request):
    """/deals/calendar.ics?<deal filters>: upcoming deadlines of the deals that list shows."""
    return DEALS.deadlines_calendar(request)


@takes(form=SearchForm)
@public_page
def search(request):
    """The header's search box: deals, inquiries and companies at once, best matches first."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"form": form, "q": text}
    if text:
        # As the lists rank and count them: among the newest matches up to their cap, so that a
        # common word costs what its first thousand matches cost, not every match.
        deals = CappedPaginator(
            Deal.objects.published()
            .search(text)
            .order_by("-search_rank", F("announced_on").desc(nulls_last=True), "pk"),
            SEARCH_SHOWN,
        )
        inquiries = CappedPaginator(
            Inquiry.objects.public()
            .search(text)
            .with_list_data()
            .order_by("-search_rank", F("opened_on").desc(nulls_last=True), "pk"),
            SEARCH_SHOWN,
        )
        context.update(
            deals=deals.page(1).object_list if deals.count else [],
            deals_found=deals,
            inquiries=inquiries.page(1).object_list if inquiries.count else [],
            inquiries_found=inquiries,
            companies=Company.objects.search(text)[:SEARCH_SHOWN],
            query=urlencode({"q": text}),
        )
    return render(request, "deals/search.html", context)
