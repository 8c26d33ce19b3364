"""The site's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from tracker.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("a bug: the database said something internal")


urlpatterns = [path("broken/", broken), *site]
