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

app_name = "deals"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/export.csv", views.deal_export, name="deal_export"),
    path("deals/feed/", public_page(FilteredListFeed(views.DEALS)), name="deal_list_feed"),
    path("deals/calendar.ics", views.deal_calendar, name="deal_calendar"),
    path("deals/<slug:slug>/", views.deal_detail, name="deal_detail"),
    path("deals/<slug:slug>/feed/", public_page(DealEventsFeed()), name="deal_feed"),
    path("feed/", public_page(LatestEventsFeed()), name="feed"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/export.csv", views.inquiry_export, name="inquiry_export"),
    path(
        "inquiries/feed/", public_page(FilteredListFeed(views.INQUIRIES)), name="inquiry_list_feed"
    ),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("companies/<slug:slug>/feed/", public_page(CompanyEventsFeed()), name="company_feed"),
    path("regulators/", views.regulator_list, name="regulator_list"),
    path("regulators/<slug:slug>/", views.regulator_detail, name="regulator_detail"),
    path("regulators/<slug:slug>/feed/", public_page(RegulatorEventsFeed()), name="regulator_feed"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/calendar.ics", views.deadline_calendar, name="deadline_calendar"),
    path("statuses/", views.statuses, name="statuses"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:table>.csv", views.stats_csv, name="stats_csv"),
]
