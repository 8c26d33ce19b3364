"""A database connection lost in the middle of a request: retried once, else a clear 503.

Owns `RetryOnLostConnectionMiddleware` and what it answers. The start of each request is covered
by `CONN_HEALTH_CHECKS` (settings): a kept connection the server dropped while idle is replaced
before the first query. This module covers a connection lost *during* a request (the server
restarted, a fail-over, an idle-session timeout, `pg_terminate_backend`): an `OperationalError` or
`InterfaceError` with PostgreSQL's SQLSTATE for a gone connection, or the driver's own error
(no SQLSTATE), or after which the driver reports the connection broken or closed. A query's own
error on a live connection (a lock or statement timeout, "database is locked" on SQLite) is not
a lost connection and keeps its usual answer.

- GET and HEAD read; they are run again once on a fresh connection.
- A POST under the admin (an editor's save, an action, a delete) runs inside one transaction
  opened here, around the whole request, so nothing it writes is committed before the response is
  ready: the admin's own `atomic` blocks become savepoints inside it, and writes outside them
  (custom actions, django-simple-history's rows, the session) join it too. When the connection is
  lost anywhere inside, the server aborts that uncommitted transaction with the connection:
  nothing of the first attempt exists, so running the request once more on a fresh connection
  cannot save twice (one deal, one history entry). The single moment where that does not hold is
  the COMMIT itself: the server may have committed and the acknowledgement been lost. That case
  is never retried; the editor gets a 503 that says the save may or may not have been kept.
- When the retry meets a lost connection again (or the request is of another kind), the answer
  is a 503 with `Retry-After`, never a bare 500. For an admin POST the 503 page says the save did
  not happen and shows every submitted field in a form that posts the same values back to the
  same address (re-rendering the admin's own change form outside the admin's view would need the
  database that just failed). Uploaded files cannot be kept; the page says so.

Not covered: a streamed response (the CSV export) whose connection is lost while it streams has
already sent its status line; Celery tasks and management commands retry on their own terms.
Side effects outside the database that the first attempt performed before the loss (a cache
version bump, a log line) may happen twice; work queued with `transaction.on_commit` (Celery
tasks) runs once, after the one COMMIT that succeeded.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
_MARK = "_dealwatch_lost_connection"


# PostgreSQL's codes for a connection that is gone: class 08 (connection exception), the server
# shutting down or terminating the session (57P01-57P03).
LOST_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def connection_lost(exc: BaseException | None) -> bool:
    """True when `exc` is a database error that came with a lost connection, not a query's own
    error on a live connection (a lock or statement timeout, SQLite's "database is locked")."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    cause = exc.__cause__
    if hasattr(cause, "sqlstate") or hasattr(cause, "pgcode"):  # psycopg 3 or 2
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        # No code: the driver's own error (the socket closed, "the connection is lost").
        if code is None or code.startswith(LOST_CONNECTION_SQLSTATES):
            return True
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None and conn.errors_occurred:
            return True  # Django closed it after the failed rollback
        if raw is not None and (getattr(raw, "broken", False) or getattr(raw, "closed", False)):
            return True
    return False


def _drop_broken_connections() -> None:
    """Close every connection of this thread so the next query opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue  # a transaction held open outside this request (a test's); ours has ended
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


def _note_lost_connection(sender, request=None, **kwargs) -> None:
    """A lost connection that surfaced outside a view (in a middleware): marked all the same."""
    exc = sys.exc_info()[1]
    if request is not None and connection_lost(exc):
        setattr(request, _MARK, exc)


got_request_exception.connect(_note_lost_connection, dispatch_uid="dealwatch-lost-connection")


class _CommitLost(Exception):
    """The COMMIT of an admin POST met a lost connection: whether it was kept is unknown."""


class _RunAgain(Exception):
    """Raised inside the admin POST's transaction to roll it back before the retry."""


def _admin_prefix() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return "/admin/"


class RetryOnLostConnectionMiddleware:
    """Runs a GET, HEAD or admin POST again once when the database connection is lost during
    it; answers 503 (never 500) when that happens twice. See the module docstring for why a
    retried admin save cannot be saved twice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_read = request.method in ("GET", "HEAD")
        is_admin_post = request.method == "POST" and request.path.startswith(_admin_prefix())
        attempts = 2 if is_read or is_admin_post else 1
        for attempt in range(1, attempts + 1):
            try:
                response = (
                    self._in_one_transaction(request) if is_admin_post else self._attempt(request)
                )
            except _CommitLost:
                logger.error(
                    "database connection lost at the COMMIT of %s %s: outcome unknown",
                    request.method,
                    request.path,
                )
                _drop_broken_connections()
                return unavailable(request, outcome_known=False)
            if response is not None:
                return response
            _drop_broken_connections()
            if attempt < attempts:
                logger.warning(
                    "database connection lost during %s %s; running it again on a fresh one",
                    request.method,
                    request.path,
                )
                self._rewind_uploads(request)
        logger.error(
            "database connection lost during %s %s; answered 503", request.method, request.path
        )
        return unavailable(request, outcome_known=is_read or is_admin_post)

    def _attempt(self, request: HttpRequest) -> HttpResponse | None:
        """The inner response, or None when the connection was lost on the way."""
        if hasattr(request, _MARK):
            delattr(request, _MARK)
        response = self.get_response(request)
        return None if hasattr(request, _MARK) else response

    def _in_one_transaction(self, request: HttpRequest) -> HttpResponse | None:
        """`_attempt` inside one transaction, rolled back when the connection was lost."""
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS):
                response = self._attempt(request)
                if response is None:
                    raise _RunAgain
        except _RunAgain:
            return None
        except (OperationalError, InterfaceError) as exc:
            # Nothing inside raises (the handler turns exceptions into responses): this came
            # from the COMMIT on leaving the block.
            if connection_lost(exc):
                raise _CommitLost from exc
            raise
        return response

    @staticmethod
    def _rewind_uploads(request: HttpRequest) -> None:
        for upload in request.FILES.values() if request.method == "POST" else ():
            upload.seek(0)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A lost connection raised by a view: marked on the request for `__call__`, answered
        with a placeholder that never reaches the client (no 500 logged for it)."""
        if connection_lost(exception):
            setattr(request, _MARK, exception)
            return HttpResponse(status=503)
        return None


def unavailable(request: HttpRequest, *, outcome_known: bool) -> HttpResponse:
    """The 503 for a lost database connection; for an admin POST, a form with what was sent."""
    is_admin_post = request.method == "POST" and request.path.startswith(_admin_prefix())
    if not is_admin_post:
        body = mark_safe(
            "<h1>Briefly unavailable</h1><p>The database connection was lost while answering "
            "this request. Please try again in a few seconds.</p>"
        )
    else:
        if outcome_known:
            lead = "Your save did not happen: the database connection was lost, twice."
        else:
            lead = (
                "The database connection was lost while your save was being committed, so we "
                "cannot tell whether it was kept. Open the object in another tab and check before "
                "sending this again."
            )
        fields = format_html_join(
            "",
            '<p><label>{}<br><textarea name="{}" rows="{}" cols="80">{}</textarea></label></p>',
            (
                (name, name, min(max(value.count("\n") + 1, 1), 12), value)
                for name, values in request.POST.lists()
                if name != "csrfmiddlewaretoken"
                for value in values
            ),
        )
        files = (
            mark_safe(
                "<p><strong>Attached files could not be kept: attach them again in the "
                "admin.</strong></p>"
            )
            if request.FILES
            else ""
        )
        body = format_html(
            '<h1>Not saved</h1><p id="lost-save">{}</p><p>Everything you sent is below. Send it '
            "again when the database is back, or copy what you need.</p>{}"
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
            'value="{}">{}<p><button type="submit">Send again</button></p></form>',
            lead,
            files,
            request.get_full_path(),
            get_token(request),
            fields,
        )
    page = format_html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Briefly unavailable'
        "</title></head><body>{}</body></html>",
        body,
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
