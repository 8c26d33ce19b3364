"""Subscribe, confirm, manage, unsubscribe. No login: signed links stand in for it."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import kombu.exceptions
import redis.exceptions
from celery.exceptions import Retry
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import addresses, ratelimit, tasks
from .forms import ManageLinkForm, SubscribeForm, SubscriptionChangeForm
from .models import Frequency
from .services import (
    subscriber_managing,
    subscriber_unsubscribe,
    subscriber_unsubscribing,
    subscription_change,
    subscription_confirm,
    subscription_end,
    subscription_requested,
)
from .tokens import CONFIRM_MAX_AGE, InvalidToken, manage_link_max_age, manage_token_make

logger = logging.getLogger(__name__)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/link_invalid.html",
        {"form": ManageLinkForm(auto_id="link-%s")},
        status=400,
    )


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else reverse("deals:deal_list")


UNAVAILABLE_RETRY_AFTER = 300  # seconds


def _unavailable(request: HttpRequest) -> HttpResponse:
    response = render(request, "subscriptions/unavailable.html", status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


def _client_allowed(request: HttpRequest, form_name: str) -> bool:
    ip = ratelimit.hashed(ratelimit.client_ip(request))
    return ratelimit.allow(
        f"{form_name}:ip:{ip}",
        limit=settings.SUBSCRIBE_LIMIT_PER_IP,
        window=settings.SUBSCRIBE_LIMIT_WINDOW,
    )


def _mailbox_allowed(email: str, form_name: str) -> bool:
    """Per mailbox, not per spelling: victim+1@, "v\\ictim"@ and v.ictim@gmail count as victim@
    (subscriptions/addresses.py)."""
    mailbox = ratelimit.hashed(addresses.mailbox(email))
    return ratelimit.allow(
        f"{form_name}:address:{mailbox}",
        limit=settings.SUBSCRIBE_LIMIT_PER_ADDRESS,
        window=settings.SUBSCRIBE_LIMIT_WINDOW,
    )


def _same_site(request: HttpRequest) -> bool:
    """Whether a form post comes from our own pages: its Origin (every current browser sends
    one with a POST), else its Referer, names this host or a trusted origin. A client that sends
    neither is no browser another site could drive."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if f"{parts.scheme}://{parts.netloc}" in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return parts.netloc.lower() == request.get_host().lower() and (parts.scheme == request.scheme)


# The subscribe form carries no CSRF token, so that every public page showing it can be kept by
# a shared cache (docs/security.md): a forged post could only ask for a confirmation email to an
# address the forger names, which they can ask for themselves; the double opt-in, the limits per
# client and per mailbox, and this Origin check stand instead.
@csrf_exempt
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    if not _same_site(request):
        return render(request, "subscriptions/cross_site.html", status=403)
    try:
        return _subscribe(request)
    except (ratelimit.Unavailable, QueueUnavailable):
        return _unavailable(request)


def _subscribe(request: HttpRequest) -> HttpResponse:
    if not _client_allowed(request, "subscribe"):
        return render(request, "subscriptions/rate_limited.html", status=429)

    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "subscriptions/subscribe.html", {"form": form}, status=400)

    # Past the per-address limit we quietly send nothing: the answer must not change, and
    # nobody can use the form to flood someone's inbox.
    if not form.cleaned_data["website"] and _mailbox_allowed(
        form.cleaned_data["email"], "subscribe"
    ):
        _queue(tasks.send_confirmation, **form.request_kwargs())
    request.session["subscribe_next"] = _safe_next(request, form.cleaned_data["next"])
    return redirect("subscriptions:check_email")


class QueueUnavailable(Exception):
    """The broker cannot take the email: signing up is paused, as when the limits are."""


# The broker (Redis, like the rate limits) or the result store cannot be reached.
BROKER_DOWN = (kombu.exceptions.OperationalError, redis.exceptions.ConnectionError)


def _queue(task, **kwargs) -> None:
    """Queue an email. Nothing is stored first, so there is no transaction to wait for.

    A mail server that refuses does not change the answer: the task retries it later (run in
    this process, CELERY_TASK_ALWAYS_EAGER, the retry is raised here). A broker that cannot be
    reached raises QueueUnavailable: the page says to try again, as with the limits down.
    Anything else is a bug, and raises."""
    try:
        task.delay(**kwargs)
    except Retry as exc:
        logger.warning("Sending %s failed; it is retried: %s", task.name, exc)
    except BROKER_DOWN as exc:
        logger.error("Could not queue %s: %s: %s", task.name, type(exc).__name__, exc)
        raise QueueUnavailable(str(exc)) from exc


def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/check_email.html",
        {
            "next": request.session.get("subscribe_next") or reverse("deals:deal_list"),
            "expires_days": CONFIRM_MAX_AGE.days,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is being confirmed with a button (link scanners that fetch every link
    confirm nothing); POST confirms."""
    try:
        email, draft = subscription_requested(token=token)
    except InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        subscription, created = subscription_confirm(token=token)
        if created:
            messages.success(
                request,
                f"Subscribed: {subscription.get_frequency_display().lower()} email updates "
                f"about {subscription.label}.",
            )
        else:
            messages.info(request, f"You already get email updates about {subscription.label}.")
        return redirect(
            "subscriptions:manage", token=manage_token_make(subscription.subscriber.uuid)
        )
    return render(request, "subscriptions/confirm.html", {"subscription": draft, "email": email})


@never_cache
@require_http_methods(["GET", "POST"])
def manage_link(request: HttpRequest) -> HttpResponse:
    """Ask for a fresh manage link by email (an old one expired, or the email is gone).

    The answer is the same whoever asks; only a subscriber's own address is written to."""
    if request.method == "GET":
        form = ManageLinkForm()
        return render(request, "subscriptions/manage_link.html", {"form": form})
    try:
        if not _client_allowed(request, "manage-link"):
            return render(request, "subscriptions/rate_limited.html", status=429)
        form = ManageLinkForm(request.POST)
        if not form.is_valid():
            return render(request, "subscriptions/manage_link.html", {"form": form}, status=400)
        email = form.cleaned_data["email"]
        if not form.cleaned_data["website"] and _mailbox_allowed(email, "manage-link"):
            _queue(tasks.send_manage_link, email=email)
    except (ratelimit.Unavailable, QueueUnavailable):
        return _unavailable(request)
    return redirect("subscriptions:manage_link_sent")


def manage_link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/manage_link_sent.html",
        {"expires_days": manage_link_max_age().days},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = subscriber_managing(token=token)
    if subscriber is None:
        return _invalid_link(request)
    subscriptions = subscriber.subscriptions.active().with_targets()

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe_all":
            # This link, like every manage link sent before, stops working now.
            subscriber_unsubscribe(subscriber=subscriber)
            return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber})
        subscription = subscriptions.filter(pk=_int(request.POST.get("subscription"))).first()
        if subscription is None:
            messages.info(request, "That subscription had already been removed.")
        elif action == "remove":
            subscription_end(subscription=subscription)
            messages.success(request, f"Removed: {subscription.label}.")
        elif action == "change":
            form = SubscriptionChangeForm(request.POST, prefix=f"s{subscription.pk}")
            if form.is_valid():
                subscription_change(subscription=subscription, **form.cleaned_data)
                messages.success(request, f"Saved: {subscription.label}.")
            else:
                messages.error(request, "Choose how often you want emails.")
        return redirect("subscriptions:manage", token=token)

    rows = [
        (
            subscription,
            SubscriptionChangeForm(
                prefix=f"s{subscription.pk}",
                initial={
                    "frequency": subscription.frequency,
                    "event_kinds": subscription.event_kinds,
                },
            ),
        )
        for subscription in subscriptions
    ]
    return render(
        request,
        "subscriptions/manage.html",
        {"subscriber": subscriber, "rows": rows, "frequencies": Frequency},
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe. GET only asks (link scanners fetch links); POST unsubscribes."""
    subscriber = subscriber_unsubscribing(token=token)
    if subscriber is None:
        return _invalid_link(request)
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "subscriptions/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "subscriptions/unsubscribe.html", {"subscriber": subscriber})
