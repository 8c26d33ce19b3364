"""The public pages' addresses: lists, a deal, companies, regulators, deadlines, feeds."""

from django.urls import path

from . import views
from .cache import public_page
from .feeds import (
    CompanyEventsFeed,
    DealEventsFeed,
    FilteredListFeed,
    LatestEventsFeed,
    RegulatorEventsFeed,
)
from .querystring import takes


def feed(view, filtered: views.FilteredList | None = None, revision=None):
    """A cached feed that reads its list's filters (and accepts its list's `page`), or no
    parameter: any other is a plain-text 400 (deals.querystring.takes). It is cached by the
    revisions of the events it lists (`EventsFeed.revision`), a deal's or a company's feed by
    that object's own revision, as its page (`revision`: views.deal_revision,
    views.company_revision)."""
    cached = public_page(view, revision=revision or view.revision)
    if filtered is None:
        return takes(plain=True)(cached)
    return takes(filterset=filtered.filterset_class, ignored=["page"], plain=True)(cached)


app_name = "deals"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/export.csv", views.deal_export, name="deal_export"),
    path("deals/feed/", feed(FilteredListFeed(views.DEALS), views.DEALS), name="deal_list_feed"),
    path("deals/calendar.ics", views.deal_calendar, name="deal_calendar"),
    path("deals/<slug:slug>/", views.deal_detail, name="deal_detail"),
    path(
        "deals/<slug:slug>/feed/",
        feed(DealEventsFeed(), revision=views.deal_revision),
        name="deal_feed",
    ),
    path("feed/", feed(LatestEventsFeed()), name="feed"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/export.csv", views.inquiry_export, name="inquiry_export"),
    path(
        "inquiries/feed/",
        feed(FilteredListFeed(views.INQUIRIES), views.INQUIRIES),
        name="inquiry_list_feed",
    ),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path(
        "companies/<slug:slug>/feed/",
        feed(CompanyEventsFeed(), revision=views.company_revision),
        name="company_feed",
    ),
    path("regulators/", views.regulator_list, name="regulator_list"),
    path("regulators/<slug:slug>/", views.regulator_detail, name="regulator_detail"),
    path("regulators/<slug:slug>/feed/", feed(RegulatorEventsFeed()), name="regulator_feed"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/calendar.ics", views.deadline_calendar, name="deadline_calendar"),
    path("statuses/", views.statuses, name="statuses"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:table>.csv", views.stats_csv, name="stats_csv"),
]
