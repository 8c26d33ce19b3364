"""Ingest's public page: /sources/, each source's last run."""

from django.urls import path

from . import views

app_name = "ingest"

urlpatterns = [
    path("sources/", views.sources, name="sources"),
]
