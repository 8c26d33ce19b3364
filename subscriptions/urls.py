"""Subscribe, confirm, manage and unsubscribe addresses (signed links, no login)."""

from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/", views.manage_link, name="manage_link"),
    path("manage/link-sent/", views.manage_link_sent, name="manage_link_sent"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
