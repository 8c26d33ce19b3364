from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("subscriptions/", include("subscriptions.urls")),
    path("", include("ingest.urls")),
    path("", include("deals.urls")),
]
