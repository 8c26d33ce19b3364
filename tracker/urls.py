"""The site's addresses: each app's urls, the admin, robots.txt and the favicon."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView

admin.site.site_header = "Dealwatch editors"
admin.site.site_title = "Dealwatch admin"
admin.site.index_title = "Deals, inquiries and what ingest brought in"

urlpatterns = [
    # Asked for by browsers and crawlers whatever the page says.
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.ico"))),
    path("admin/", admin.site.urls),
    path("subscriptions/", include("subscriptions.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("ingest.urls")),
    path("", include("deals.urls")),
]

if settings.BENCH_EMPTY_VIEW:
    # The benchmark's yardstick (bench/run.py): "ok" through the same middleware as every page.
    urlpatterns.insert(0, path("bench/ok/", lambda request: HttpResponse("ok")))
