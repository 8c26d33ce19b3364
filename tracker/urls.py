from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Dealwatch editors"
admin.site.site_title = "Dealwatch admin"
admin.site.index_title = "Deals, inquiries and what ingest brought in"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("subscriptions/", include("subscriptions.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("ingest.urls")),
    path("", include("deals.urls")),
]
