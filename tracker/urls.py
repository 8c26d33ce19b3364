from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

admin.site.site_header = "Dealwatch editors"
admin.site.site_title = "Dealwatch admin"
admin.site.index_title = "Deals, inquiries and what ingest brought in"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("subscriptions/", include("subscriptions.urls")),
    path("", include("ingest.urls")),
    path("", include("deals.urls")),
]

if settings.BENCH_EMPTY_VIEW:
    # The benchmark's yardstick (bench/run.py): "ok" through the same middleware as every page.
    urlpatterns.insert(0, path("bench/ok/", lambda request: HttpResponse("ok")))
