from django.urls import path

from . import views
from .cache import public_page
from .feeds import DealEventsFeed, LatestEventsFeed

app_name = "deals"

urlpatterns = [
    path("", views.home, name="home"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/export.csv", views.deal_export, name="deal_export"),
    path("deals/<slug:slug>/", views.deal_detail, name="deal_detail"),
    path("deals/<slug:slug>/feed/", public_page(DealEventsFeed()), name="deal_feed"),
    path("feed/", public_page(LatestEventsFeed()), name="feed"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("regulators/", views.regulator_list, name="regulator_list"),
    path("regulators/<slug:slug>/", views.regulator_detail, name="regulator_detail"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("statuses/", views.statuses, name="statuses"),
]
