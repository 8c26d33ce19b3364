"""The API's addresses: the router's lists and details, the schema and its browsable docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("deals", views.DealViewSet, basename="deal")
router.register("inquiries", views.InquiryViewSet, basename="inquiry")
router.register("events", views.EventViewSet, basename="event")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("regulators", views.RegulatorViewSet, basename="regulator")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    # Anything else under /api/v1/ (an id that is not one, a typo) is a JSON 404, not a page.
    re_path(r"", views.not_found),
]
