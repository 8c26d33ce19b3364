"""Whole public pages and the few aggregates they share, cached under one content version.

Every write to what the public pages show (a deal, party, inquiry, event, company, alternative
name, regulator, clock stop or status change), by the admin, ingest, a task or a test, bumps the
content version: the receivers in deals/signals.py catch saves, deletes and m2m changes and bump
once, after the derived fields the write changes (a deal's status, its StatusChange rows) are
written; code that writes with QuerySet.update() or bulk_create() calls content_changed() itself,
after its writes. A cached page or aggregate
keeps the version it was made from and is used only while that is the current version (both
read in one round trip), so after a write nothing cached before it is served again: an editor who
saves a status sees it on the next page load, whoever else loaded the page in between.

The fragments of one deal or inquiry (its list row, chart, timeline, API row) are keyed instead
by that object's own `revision`, a database column that every write to what they show changes
in the writing transaction (deals/derived.py `revise`): a write renders again what it changed and
leaves every other row cached, and a row read before the write committed is stored under the old
revision, which no one reads after it. Fragments that list rows or show figures (the front page's
sections, the deadline tables, a regulator's recent events, the filter and subscribe forms, the
/stats/ figures) are keyed the same way by a digest of what they show (`revisions_key`: the rows'
pks and revisions; a form's choices and counts; the build of the stored figures), so that after a
write they are rendered again only if it changed something they show. A deal's whole page and
feed are also kept under the deal's revision (`public_page(revision=...)`): after a write to
another deal they cost one small query, not a render.

The version is bumped at once (a page rendered inside the writing transaction, as in a test,
sees the change) and again when the transaction commits (a page another process rendered from
the old rows while the write was uncommitted keeps the in-between version, which nothing reads
any more).

Public pages carry no per-visitor token and set no cookie (the subscribe form needs no CSRF
token: docs/security.md), so any HTTP cache may keep them: they answer `Cache-Control: public,
max-age=0, s-maxage=PAGE_SHARED_MAX_AGE, stale-while-revalidate=PAGE_STALE_SECONDS` with an ETag
made from the content version and the page's key, so a revalidation is answered 304 from one
cache read, without the page being read or rendered. A browser asks again each time; a shared
cache in front (deploy/nginx.conf) serves the page for a minute, and a little longer while it
asks again. An editor (the signed `dealwatch_editor` cookie, `is_editor`) and a visitor with a
flash message waiting get their own page, rendered, `private, no-cache`, never stored; a page that
does carry a CSRF token is stored with a placeholder for it and served `private`.

Redis down or hung never fails a page: the cache backend (`FailSafeRedisCache`, set in
settings.CACHES) answers a miss for a read and does nothing for a write when Redis errs or does
not answer within CACHE_REDIS_TIMEOUT, so every page, fragment and figure is computed from the
database; it then leaves Redis alone for CACHE_RETRY_SECONDS (one request in that time pays the
timeout, not each) and logs once when an outage starts and once when it ends. The rate limits ask
for the error instead (`cache_errors_raised`): a limit that cannot be counted is no limit.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "dealwatch:content-version"
CSRF_PLACEHOLDER = "__dealwatch_csrf_token__"
# What a fragment keyed by its object's own revision is stored with in place of a content
# version: its key alone says whether it is current.
OWN_REVISION = "own"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
T = TypeVar("T")


# --- The content version ------------------------------------------------------------------


def content_version() -> int | None:
    """The current content version (one cache read); None while the cache cannot be reached:
    nothing is then read from it or stored in it."""
    return version_of(VERSION_KEY)


def version_of(key: str) -> int | None:
    """A version kept in the cache under `key` (the content version's, or another that a page
    is also keyed by: /sources/ by the ingest runs'); None while the cache cannot be reached."""
    version = cache.get(key)
    if version is None:
        # First use, or the key was evicted: start above any number used before, so that no
        # page cached under an old version can be read again.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        version = cache.get(key)
    return version


def version_bump(key: str) -> None:
    """A new version under `key`; a cache that cannot be reached is left alone (logged)."""
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or evicted): starting one is a change too
        version_of(key)
    except CacheUnavailable:  # logged once per outage; bumped when Redis answers again
        pass
    except Exception:  # another backend down: writes go on, pages expire by PAGE_CACHE_SECONDS
        logger.exception("Could not bump the version %s", key)


def _bump() -> None:
    version_bump(VERSION_KEY)


# Set inside `content_changes_deferred`: whether a write asked for a bump meanwhile. A ContextVar,
# not an argument: content_changed() is called from the signal receivers (deals/signals.py),
# which Django calls with no argument of ours to carry the batch through.
_DEFERRED: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "content_changes_deferred", default=None
)


def content_changed() -> None:
    """Call after writing public content in a way no signal sees (update(), bulk_create())."""
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred[0] = True
        return
    bumped_now_and_on_commit(_bump)


def bumped_now_and_on_commit(bump: Callable[[], None]) -> None:
    """`bump()` now (a page rendered inside the writing transaction sees the change) and once
    more when the transaction commits (see the module's docstring), however many writes in the
    transaction ask: the content version's, or another version a page is kept under."""
    bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        func is bump for _, func, _ in connection.run_on_commit
    ):
        transaction.on_commit(bump)


@contextlib.contextmanager
def content_changes_deferred() -> Iterator[None]:
    """Bump the version once when the block ends instead of on every write in it (an ingest
    batch saves thousands of rows, each a cache round trip otherwise). Run it inside the
    block's transaction, so that the bump on commit still follows."""
    if _DEFERRED.get() is not None:  # nested: the outer block bumps
        yield
        return
    changed = [False]
    token = _DEFERRED.set(changed)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        if changed[0]:  # also after an error: a bump too many is harmless, one too few is not
            content_changed()


def _read(key: str) -> tuple[int | None, tuple | None]:
    """The content version and the entry `key` holds, whatever version it was made under, in
    one round trip; no entry when the version itself had to be started again (evicted)."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return content_version(), None
    return version, found.get(key)


def current(key: str) -> tuple[int | None, object | None]:
    """The content version, and what `key` holds if it was stored under that version: one
    round trip to the cache (an entry keeps the version it was made from). The version is None
    while the cache cannot be reached."""
    version, entry = _read(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def store(key: str, version: int | None, value: object) -> None:
    if version is not None:  # None: the cache could not be reached when `value` was computed
        cache.set(key, (version, value), settings.PAGE_CACHE_SECONDS)


# --- Aggregates ---------------------------------------------------------------------------


def cached(name: str, compute: Callable[[], T], *, stale_ok: bool = False) -> T:
    """`compute()` once per content version: facet values and counts over whole tables.

    With `stale_ok` (counts and choices over whole tables: facets, the front page's figures),
    the value computed before the last write is still served until it is
    AGGREGATE_STALE_SECONDS old: while writes come every few seconds (an ingest run, editors at
    work), one request in that time counts the table again, not every request after every
    write. The rows a list shows are never taken from before a write, only these counts. A
    page or fragment rendered with such a value is not stored (`stale_watch`), so it cannot
    outlive the value's time; an editor's page gets every value fresh."""
    key = f"dealwatch:fragment:{name}"
    version, entry = _read(key)
    if entry is not None:
        if entry[0] == version:
            return entry[1]
        if stale_ok and _young(entry):
            for watch in _STALE_WATCHES.get():
                watch.used = True
            return entry[1]
    value = compute()
    if version is not None:
        cache.set(key, (version, value, time.time()), settings.PAGE_CACHE_SECONDS)
    return value


def _young(entry: tuple) -> bool:
    return (
        not _FRESH.get()
        and len(entry) > 2
        and time.time() - entry[2] < settings.AGGREGATE_STALE_SECONDS
    )


# Set while an editor's page is rendered: no aggregate from before a write.
_FRESH: contextvars.ContextVar[bool] = contextvars.ContextVar("aggregates_fresh", default=False)


@contextlib.contextmanager
def aggregates_fresh() -> Iterator[None]:
    token = _FRESH.set(True)
    try:
        yield
    finally:
        _FRESH.reset(token)


class StaleWatch:
    used = False


# The renders in progress (a page, the fragments inside it): each learns whether it used an
# aggregate from before the last write.
_STALE_WATCHES: contextvars.ContextVar[tuple[StaleWatch, ...]] = contextvars.ContextVar(
    "stale_watches", default=()
)


@contextlib.contextmanager
def stale_watch() -> Iterator[StaleWatch]:
    """Whether what is rendered inside the block used an aggregate from before the last write
    (`cached(stale_ok=True)`): then it is not stored under the current version."""
    watch = StaleWatch()
    token = _STALE_WATCHES.set((*_STALE_WATCHES.get(), watch))
    try:
        yield watch
    finally:
        _STALE_WATCHES.reset(token)


def cached_query(queryset, compute: Callable[[], T], *, name: str) -> T:
    """`compute()` (a count, a page's pks) once per content version for this SQL, with the
    fragments (FRAGMENT_CACHE): a search ranks every match and a count reads up to a thousand
    rows, again only after a write. A query that can match nothing is computed (no SQL)."""
    if not settings.FRAGMENT_CACHE:
        return compute()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return compute()
    digest = hashlib.sha256(f"{queryset.db}|{sql}|{params!r}".encode()).hexdigest()
    return cached(f"{name}:{digest}", compute)


# --- Fragments ----------------------------------------------------------------------------


def revisions_key(queryset, *fields: str, also: object = ()) -> str:
    """What a fragment listing `queryset`'s rows shows, as its key ({% cachedblock "name" by
    key %}): the rows' pks in the queryset's order with the revisions `fields` name (a row's
    own, its deal's), which every write to what a row shows changes (deals/derived.py
    `revise`), and `also` (a count the fragment shows). One read of a few columns instead of
    the rows and their relations; a write to anything else leaves the key, and the fragment,
    as they were."""
    rows = list(queryset.values_list("pk", *fields))
    return hashlib.sha256(repr((rows, also)).encode()).hexdigest()


def cached_each(
    name: str,
    items: list,
    *,
    key: Callable[[object], object],
    render: Callable[[list], list],
    revision: Callable[[object], object] | None = None,
) -> list:
    """One rendered fragment per item (a deal's row, a deal's timeline): those cached today
    from the cache, the others from `render(missing_items)`, then stored. One round trip to
    read them all, one to store what was missing.

    With `revision` (an object's own: Deal.fragment_revision), a fragment is keyed by it and
    stays good through writes to anything else: after an editor's save of one deal, a list of
    fifty is rendered again from forty-nine cached rows. Without it, a fragment is good while
    the content version is the one it was made under.

    Off with FRAGMENT_CACHE (as under `make run` and in tests): everything is rendered."""
    if not settings.FRAGMENT_CACHE or not items:
        return render(items)
    day = f"{timezone.localdate():%Y%m%d}"
    keys = [f"dealwatch:fragment:{name}:{day}:{key(item)}" for item in items]
    if revision is not None:
        keys = [f"{item_key}@{revision(item)}" for item_key, item in zip(keys, items, strict=True)]
    try:
        found = cache.get_many(keys if revision is not None else [VERSION_KEY, *keys])
    except Exception:
        logger.exception("Fragment cache unavailable")
        return render(items)
    if revision is not None:
        version = OWN_REVISION
    else:
        version = found.get(VERSION_KEY) or content_version()
        if version is None:  # the cache cannot be reached
            return render(items)
    out: list = [None] * len(items)
    missing = []
    for index, item_key in enumerate(keys):
        entry = found.get(item_key)
        if entry is not None and entry[0] == version:
            out[index] = entry[1]
        else:
            missing.append(index)
    if missing:
        with stale_watch() as watch:
            rendered = render([items[index] for index in missing])
        for index, fragment in zip(missing, rendered, strict=True):
            out[index] = fragment
        if revision is None and (watch.used or any(w.used for w in _STALE_WATCHES.get())):
            # Counts from before the last write, here or in what the page read before (a
            # form's choices): a fragment of the content version is rendered again next time.
            return out
        try:
            cache.set_many(
                {keys[index]: (version, out[index]) for index in missing},
                settings.PAGE_CACHE_SECONDS,
            )
        except Exception:
            logger.exception("Fragment cache unavailable")
    return out


# --- Whole pages --------------------------------------------------------------------------


# A signed-in editor's browser carries this cookie (set and removed by EditorCookieMiddleware
# as the editor uses the admin): its requests skip every cache, the application's and a shared
# one in front (deploy/nginx.conf passes them through), so an editor sees an edit at once. It
# says nothing the session does not: it only tells caches, cheaply and without a database or
# session read, which requests are an editor's. A session cookie alone does not: a visitor who
# subscribed has one, and a made-up one must not make every request an uncached one.
EDITOR_COOKIE = "dealwatch_editor"
_EDITOR_SALT = "deals.cache.editor-cookie"


def is_editor(request: HttpRequest) -> bool:
    """Whether the request carries a valid editor cookie (a signature check, no query)."""
    value = request.COOKIES.get(EDITOR_COOKIE)
    if not value:
        return False
    try:
        signing.loads(value, salt=_EDITOR_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return False
    return True


@functools.cache
def _admin_path() -> str:
    """Where the admin is: looked up once, not on every request the middleware sees."""
    return reverse("admin:index")


class EditorCookieMiddleware:
    """Sets the editor cookie on the admin's responses to a signed-in staff member, and removes
    it from anyone else's (after signing out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(_admin_path()):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            if not is_editor(request):
                response.set_cookie(
                    EDITOR_COOKIE,
                    signing.dumps(user.pk, salt=_EDITOR_SALT),
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        elif EDITOR_COOKIE in request.COOKIES:
            response.delete_cookie(EDITOR_COOKIE, samesite="Lax")
        return response


def _personal(request: HttpRequest) -> bool:
    """A request whose page may differ from everyone else's: an editor's, or one with a flash
    message waiting."""
    return is_editor(request) or CookieStorage.cookie_name in request.COOKIES


def _etag(version: int, key: str) -> str:
    """A page's ETag, from the content version and the page's key alone: a revalidation is
    answered 304 without the page being read or rendered."""
    return f'W/"{version}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"'


def _page_key(request: HttpRequest) -> str:
    """The page's key, from the canonical request: the host as ALLOWED_HOSTS let it in, in
    lower case and without the scheme's default port; the path; and the query string the page
    reads, keys in one order (deals.querystring.takes puts it on the request; a view without
    `takes`, as the API's, is keyed by all its parameters in that order)."""
    from urllib.parse import urlencode  # here: nothing else in this module needs it

    host = request.get_host().lower().rstrip(".")
    default_port = ":443" if request.scheme == "https" else ":80"
    host = host.removesuffix(default_port)
    query = getattr(request, "canonical_query", None)  # querystring.CANONICAL_ATTRIBUTE
    if query is None:  # each key's values keep their order: the last of them may be the one read
        query = urlencode([(key, request.GET.getlist(key)) for key in sorted(request.GET)], True)
    address = f"{request.scheme}://{host}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    # The day is in the key: "in 3 days" and dormant inquiries change at midnight.
    return f"dealwatch:page:{timezone.localdate():%Y%m%d}:{digest}"


def _stored(response: HttpResponse) -> dict:
    content = response.content
    tokens = set(CSRF_INPUT.findall(content.decode(response.charset, "replace")))
    for token in tokens:
        content = content.replace(token.encode(), CSRF_PLACEHOLDER.encode())
    return {"content": content, "content_type": response["Content-Type"], "csrf": bool(tokens)}


def _served(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if entry["csrf"]:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return HttpResponse(content, content_type=entry["content_type"])


def shared(response: HttpResponse) -> HttpResponse:
    """Headers that let any HTTP cache keep a public page: browsers revalidate every time
    (max-age PAGE_CACHE_MAX_AGE, 0), a shared cache (nginx, a CDN) keeps it PAGE_SHARED_MAX_AGE
    seconds and may serve it PAGE_STALE_SECONDS longer while it revalidates."""
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_CACHE_MAX_AGE,
        s_maxage=settings.PAGE_SHARED_MAX_AGE,
        stale_while_revalidate=settings.PAGE_STALE_SECONDS,
    )
    return response


def _with_headers(request: HttpRequest, response: HttpResponse, etag: str, entry: dict):
    response["ETag"] = etag
    if entry["csrf"]:  # the page carries this client's CSRF token: no shared cache keeps it
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    else:
        shared(response)
    return get_conditional_response(request, etag=etag, response=response) or response


def _not_modified(request: HttpRequest, key: str) -> HttpResponse | None:
    """304 for a revalidation whose ETag is the current one, from the version alone."""
    if not request.META.get("HTTP_IF_NONE_MATCH"):
        return None
    version = content_version()
    if version is None:
        return None
    etag = _etag(version, key)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        return None
    response["ETag"] = etag
    return shared(response)


def _rendered(view, request: HttpRequest, *args, **kwargs) -> tuple[HttpResponse, bool]:
    """The view's response, rendered (a TemplateResponse, the API's too), and whether it used
    counts from before the last write (then no fragment of the content version is stored)."""
    with stale_watch() as watch:
        response = view(request, *args, **kwargs)
        if not getattr(response, "is_rendered", True):
            response.render()
    return response, watch.used


def public_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    revision: Callable[..., str | None] | None = None,
) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache while the content version is unchanged, with the
    headers that let a shared cache keep it; an editor's page is rendered, for them only.

    `@public_page(revision=f)`: a page that shows one object and what belongs to it (a deal's
    page) is also kept under `f(request, *args, **kwargs)`, that object's own revision, which
    every write to what the page shows changes (deals/derived.py `revise`). After a write to
    anything else the page is not rendered again: one small query reads the revision, and the
    page kept under it is served and stored under the new content version (the next request
    reads no query). None (no such object) means no such entry."""
    if view is None:
        return functools.partial(public_page, revision=revision)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if _personal(request):
            with aggregates_fresh():  # rendered inside: a TemplateResponse reads them then
                response, _ = _rendered(view, request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if not settings.PAGE_CACHE:
            return _rendered(view, request, *args, **kwargs)[0]
        key = _page_key(request)
        own_key = None
        try:
            response = _not_modified(request, key)
            if response is not None:
                return response
            version, entry = current(key)
        except Exception:  # another backend than ours down: render from the database
            logger.exception("Page cache unavailable")
            return view(request, *args, **kwargs)
        if version is None:  # the cache cannot be reached: render from the database
            return view(request, *args, **kwargs)
        if entry is None and revision is not None:
            own = revision(request, *args, **kwargs)
            own_key = None if own is None else f"{key}@{own}"
            entry = cache.get(own_key) if own_key else None
            if entry is not None:  # unchanged since it was rendered: current again
                store(key, version, entry)
        if entry is not None:
            return _with_headers(request, _served(request, entry), _etag(version, key), entry)
        response, used_stale = _rendered(view, request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        if used_stale:  # counts from before the last write: neither stored nor kept by proxies
            patch_cache_control(response, public=True, max_age=0, s_maxage=0)
            return response
        entry = _stored(response)
        try:
            store(key, version, entry)
            if own_key is not None:
                cache.set(own_key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.exception("Page cache unavailable")
        return _with_headers(request, response, _etag(version, key), entry)

    return wrapped


# --- When Redis is down or hung -----------------------------------------------------------


class CacheUnavailable(Exception):
    """The cache cannot be reached (raised by incr(), and by everything inside
    `cache_errors_raised`)."""


# Set inside `cache_errors_raised`. A ContextVar: the rate limits reach the backend through
# Django's cache API, which has no argument of ours to say "raise instead".
_RAISING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cache_errors_raised", default=False
)


@contextlib.contextmanager
def cache_errors_raised() -> Iterator[None]:
    """Inside the block the fail-safe cache raises CacheUnavailable instead of answering a miss
    (at once while it is known to be down): for counters that must not silently read zero."""
    token = _RAISING.set(True)
    try:
        yield
    finally:
        _RAISING.reset(token)


class _Outage:
    """What one process knows of one Redis: whether it is down, and when to try it again.

    Shared by the process's threads (Django makes one cache backend per thread). After a
    failure every operation is skipped until the retry time; the first one after it is let
    through (the others keep skipping) and either ends the outage or sets the next retry time.
    Logged once when an outage starts and once when it ends, not once per request."""

    def __init__(self, where: str):
        self.where = where
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.skipped = 0

    def skip(self) -> bool:
        if self.down_since is None:
            return False
        with self.lock:
            now = time.monotonic()
            if self.down_since is None or now >= self.retry_at:
                self.retry_at = now + settings.CACHE_RETRY_SECONDS  # this caller tries it
                return False
            self.skipped += 1
            return True

    def failed(self, exc: Exception) -> None:
        with self.lock:
            started = self.down_since is None
            if started:
                self.down_since, self.skipped = time.monotonic(), 0
            self.retry_at = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if started:
            logger.error(
                "Cache %s unavailable (%s: %s): serving from the database, trying again every %s s",
                self.where,
                type(exc).__name__,
                exc,
                settings.CACHE_RETRY_SECONDS,
            )

    def recovered(self) -> bool:
        """After a successful operation: True if it ended an outage."""
        if self.down_since is None:
            return False
        with self.lock:
            if self.down_since is None:
                return False
            seconds, skipped = time.monotonic() - self.down_since, self.skipped
            self.down_since = None
        logger.warning(
            "Cache %s answers again after %.1f s (%d operations skipped)",
            self.where,
            seconds,
            skipped,
        )
        return True


_OUTAGES: dict[str, _Outage] = {}
_OUTAGES_LOCK = threading.Lock()


def _outage_of(servers: list[str]) -> _Outage:
    # The servers without user name or password: this names the cache in the logs.
    where = ",".join(f"{u.netloc.rpartition('@')[2]}{u.path}" for u in map(urlsplit, servers))
    with _OUTAGES_LOCK:
        return _OUTAGES.setdefault(where, _Outage(where))


class FailSafeRedisCache(RedisCache):
    """Django's Redis cache that fails to the database instead of failing the request.

    A Redis error, or no answer within the client's socket timeouts (OPTIONS
    `socket_connect_timeout` and `socket_timeout`: CACHE_REDIS_TIMEOUT), makes a read a miss and
    a write a no-op; incr() raises CacheUnavailable (it has no "nothing" answer). Then Redis is
    skipped for CACHE_RETRY_SECONDS. When it answers again the content version is bumped (a
    write during the outage could not bump it, and pages cached before the write must not come
    back) and that first answer is read as a miss. Errors that are not the server's (a value
    that cannot be pickled, incr() of a missing key) are raised as usual."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._outage = _outage_of(self._servers)

    def _call(self, operation: Callable[[], T], miss: T, *, read: bool = True) -> T:
        if self._outage.skip():
            if _RAISING.get():
                raise CacheUnavailable(f"cache {self._outage.where} is down")
            return miss
        try:
            result = operation()
        except (RedisError, OSError) as exc:
            self._outage.failed(exc)
            if _RAISING.get():
                raise CacheUnavailable(f"cache {self._outage.where}: {exc}") from exc
            return miss
        if self._outage.recovered():
            with contextlib.suppress(ValueError, RedisError, OSError):
                super().incr(VERSION_KEY)
            if read:
                return miss
        return result

    def get(self, key, default=None, version=None):
        call = super().get
        return self._call(lambda: call(key, default, version), default)

    def get_many(self, keys, version=None):
        call = super().get_many
        return self._call(lambda: call(keys, version), {})

    def has_key(self, key, version=None):
        call = super().has_key
        return self._call(lambda: call(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        call = super().add
        return self._call(lambda: call(key, value, timeout, version), False, read=False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        call = super().set
        return self._call(lambda: call(key, value, timeout, version), None, read=False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        call = super().set_many
        return self._call(lambda: call(data, timeout, version), list(data), read=False)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        call = super().touch
        return self._call(lambda: call(key, timeout, version), False, read=False)

    def delete(self, key, version=None):
        call = super().delete
        return self._call(lambda: call(key, version), False, read=False)

    def delete_many(self, keys, version=None):
        call = super().delete_many
        return self._call(lambda: call(keys, version), None, read=False)

    def clear(self):
        return self._call(super().clear, False, read=False)

    def incr(self, key, delta=1, version=None):
        call = super().incr
        with cache_errors_raised():
            return self._call(lambda: call(key, delta, version), 0, read=False)
