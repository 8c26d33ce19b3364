"""The query strings of the public pages: which parameters each page reads, and one way to write
them.

- `canonical_query`: the canonical query string of a filtered list, the one definition behind
  the links to the same rows elsewhere (feeds, calendars, CSV), the keys of cached list
  fragments, and the saved searches subscribers follow (subscriptions store it and compare it
  as stored). Canonical means: only the keys the list's FilterSet reads, minus those that change
  how the rows are shown rather than which rows they are; each value stripped, empty values
  dropped; the pairs sorted. So one search is written one way, however its query string was
  typed or ordered.
- `takes`: what a public page, feed, CSV or calendar reads from its query string (a FilterSet's
  filters, its sort and page, a form's fields, or nothing). A request with any other parameter
  is a 400 naming it; one with the tracking parameters of shared links (`utm_*`, `fbclid`,
  `gclid`, `mc_cid`, `ref`) is redirected (301) to the same address without them; a parameter
  given twice where one value is read is a 400. The 400 names the closest parameter the page
  does read ("regulatr": did you mean "regulator"?), and in plain text (feeds, CSV, calendars)
  lists all of them. What passes reaches the view as `request.GET`
  with its keys in one order, and the page cache keys it by that (deals.cache._page_key), so
  junk query strings make no cache entries and one page has one entry however it was asked.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.template import engines
from django.utils.http import urlencode

from .pagination import MAX_ROWS

# Parameters that change how a list is shown, not which rows it has.
PRESENTATION_KEYS = frozenset({"sort", "page", "cursor", "limit"})

# Added by mail, social and ad platforms to shared links; they never change a page.
TRACKING_KEYS = frozenset({"fbclid", "gclid", "mc_cid", "ref"})
TRACKING_PREFIX = "utm_"

# The request attribute the page cache keys by (deals.cache._page_key reads it by this name:
# deals.cache imports nothing of this module, which imports it through deals.pagination).
CANONICAL_ATTRIBUTE = "canonical_query"


def canonical_query(data: QueryDict | str | None, filterset_class) -> str:
    """`data` reduced to the filters of `filterset_class` it sets, sorted, as a query string.

    Saved searches were stored in exactly this form: keep it stable, or stored subscriptions
    stop matching the searches people ask to follow again.
    """
    if not isinstance(data, QueryDict):
        data = QueryDict(data or "")
    pairs = sorted(
        (key, value.strip())
        for key in data
        if key in filterset_class.base_filters and key not in PRESENTATION_KEYS
        for value in data.getlist(key)
        if value.strip()
    )
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query.urlencode()


# --- What each page reads ---------------------------------------------------------------------


def is_tracking(key: str) -> bool:
    return key in TRACKING_KEYS or key.startswith(TRACKING_PREFIX)


@dataclass(frozen=True)
class Parameters:
    """The parameters a page reads: those read once (a date, a sort), those that may repeat
    (checkboxes), and those it accepts but does not read (a feed given its page's `page`)."""

    single: frozenset[str] = frozenset()
    repeated: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()

    def __contains__(self, key: str) -> bool:
        return key in self.single or key in self.repeated or key in self.ignored

    @property
    def names(self) -> list[str]:
        """Every parameter the page accepts, sorted."""
        return sorted(self.single | self.repeated | self.ignored)


def _takes_many(field_class: type[forms.Field]) -> bool:
    return issubclass(field_class, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def parameters_of(
    *, filterset=None, form=None, names: Iterable[str] = (), ignored: Iterable[str] = ()
) -> Parameters:
    """A FilterSet's filters, a form's fields, `names` (read once each, as `page`), and the
    parameters accepted but `ignored`."""
    single, repeated = set(names), set()
    if filterset is not None:
        for key, filter_ in filterset.base_filters.items():
            (repeated if _takes_many(filter_.field_class) else single).add(key)
    if form is not None:
        for key, field in form.base_fields.items():
            (repeated if _takes_many(type(field)) else single).add(key)
    return Parameters(frozenset(single), frozenset(repeated), frozenset(ignored) - single)


@dataclass(frozen=True)
class Refusal:
    """Why a query string is refused: the message a 400 shows, the closest parameter the page
    reads for each unknown one that is close to one (`suggestions`: unknown -> known), the
    parameters the page reads (`allowed`), and the query string with each unknown parameter
    renamed to its suggestion when every unknown one has one (`corrected`, else None)."""

    message: str
    suggestions: tuple[tuple[str, str], ...] = ()
    allowed: tuple[str, ...] = ()
    corrected: str | None = None

    @property
    def did_you_mean(self) -> list[str]:
        """One sentence per suggestion: “regulatr”: did you mean “regulator”?"""
        return [
            f"“{printable(unknown)}”: did you mean “{known}”?"
            for unknown, known in self.suggestions
        ]

    @property
    def corrected_label(self) -> str:
        if len(self.suggestions) == 1:
            return f"This page with “{self.suggestions[0][1]}”"
        return "This page with the parameters suggested"

    def as_text(self) -> str:
        """The refusal in plain text: the message, the suggestions, the parameters read."""
        lines = [self.message, *self.did_you_mean]
        if self.allowed:
            lines.append("This address reads the parameters: " + ", ".join(self.allowed) + ".")
        else:
            lines.append("This address reads no parameters.")
        return "\n".join(lines) + "\n"


# A name longer than this is matched by its start only (difflib is quadratic in the length).
SUGGEST_LENGTH = 60


def closest(key: str, names: Iterable[str]) -> str | None:
    """The parameter of `names` that `key` was most likely meant to be (difflib's closest match,
    ignoring case), or None when none is close."""
    by_lower = {name.lower(): name for name in names}
    match = difflib.get_close_matches(key[:SUGGEST_LENGTH].strip().lower(), by_lower, n=1)
    return by_lower[match[0]] if match else None


def check_query(data: QueryDict, known: Parameters) -> Refusal | QueryDict:
    """What the view reads of the query string, or why it is refused (the first unknown
    parameters, by name, with the closest known name to each).

    What it reads: the known parameters in the order given, without the tracking ones and those
    it ignores; of a parameter read once, the last value given (the one a form reads), so that a
    repeated one is no error and makes no page of its own; `page` as `page_number` writes it."""
    unknown = [key for key in data if key not in known and not is_tracking(key)]
    if unknown:
        names = ", ".join(f"“{printable(key)}”" for key in unknown[:5])
        more = f" (and {len(unknown) - 5} more)" if len(unknown) > 5 else ""
        plural = "s" if len(unknown) > 1 else ""
        suggestions = {key: closest(key, known.names) for key in unknown[:5]}
        return Refusal(
            f"This address has the parameter{plural} {names}{more}, which this page does not "
            "read. Remove it from the address, or start again from the page itself.",
            suggestions=tuple((key, name) for key, name in suggestions.items() if name),
            allowed=tuple(known.names),
            corrected=corrected_query(data, suggestions) if len(unknown) <= 5 else None,
        )
    query = QueryDict(mutable=True)
    for key in data:
        if key in known.repeated:
            query.setlist(key, data.getlist(key))
        elif key in known.single:
            query[key] = data.getlist(key)[-1]
    if "page" in query:
        page = page_number(query["page"])
        if page is None:
            del query["page"]
        else:
            query["page"] = page
    query._mutable = False
    return query


def corrected_query(data: QueryDict, suggestions: dict[str, str | None]) -> str | None:
    """`data` with each unknown parameter renamed to its suggestion, without tracking ones; None
    when an unknown parameter has no suggestion (the address would be refused again)."""
    if not all(suggestions.values()):
        return None
    query = QueryDict(mutable=True)
    for key in data:
        if not is_tracking(key):
            for value in data.getlist(key):
                query.appendlist(suggestions.get(key) or key, value)
    return query.urlencode()


def canonical_request_query(query: QueryDict) -> str:
    """`check_query`'s result written one way: keys sorted, each key's values in their order."""
    return urlencode([(key, query.getlist(key)) for key in sorted(query)], doseq=True)


def page_number(value: str) -> str | None:
    """?page= written one way for the page it gives (pagination.paginate: not a number is the
    first page, below 1 or past the end the last): "007" is "7", "-3" is "0", "1e9" none, and
    every number past any list's last page one number (no list has more pages than MAX_ROWS).
    So a crawler's page numbers make no more cache entries than there are pages."""
    try:
        number = int(value)
    except ValueError:
        return None
    return str(min(max(number, 0), MAX_ROWS + 1))


def printable(text: str) -> str:
    """`text` as a message may show it: printable characters only, at most 40."""
    shown = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text[:40])
    return shown + ("…" if len(text) > 40 else "")


# An HTML refusal in the site's layout (the 400 page's words, and the reason).
REFUSED_PAGE = """{% extends "base.html" %}
{% block title %}Bad request{% endblock %}
{% block content %}
<h1>Bad request</h1>
<p class="notice">{{ refusal.message }}</p>
{% for sentence in refusal.did_you_mean %}<p class="did-you-mean">{{ sentence }}</p>{% endfor %}
<p>{% if refusal.corrected is not None %}
<a href="{{ request.path }}?{{ refusal.corrected }}">{{ refusal.corrected_label }}</a> ·
{% endif %}<a href="{{ request.path }}">This page without them</a> ·
<a href="{% url 'deals:deal_list' %}">the deal list</a></p>
{% endblock %}"""


@functools.cache
def refused_page():
    return engines["django"].from_string(REFUSED_PAGE)


def refused(request: HttpRequest, refusal: Refusal, *, plain: bool) -> HttpResponse:
    if plain:
        return HttpResponse(refusal.as_text(), status=400, content_type="text/plain; charset=utf-8")
    body = refused_page().render({"refusal": refusal}, request)
    return HttpResponse(body, status=400)


def without_tracking(request: HttpRequest) -> str:
    """The request's address without its tracking parameters (the others as given)."""
    query = QueryDict(mutable=True)
    for key in request.GET:
        if not is_tracking(key):
            query.setlist(key, request.GET.getlist(key))
    encoded = query.urlencode()
    path = "/" + request.path.lstrip("/")  # never "//host/…", which a browser reads as a host
    return f"{path}?{encoded}" if encoded else path


def takes(
    *names: str, filterset=None, form=None, ignored: Iterable[str] = (), plain: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view reads these parameters and no others (see the module's docstring).

    Put it outside `public_page`: the view and the page cache then see the canonical request.
    `ignored` parameters are accepted and dropped (a feed, CSV or calendar takes its page's
    query string, `page` included). `plain` refusals are text (feeds, CSV, calendars); the
    others a page in the site's layout.
    """
    known = parameters_of(filterset=filterset, form=form, names=names, ignored=ignored)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            checked = check_query(request.GET, known)
            if isinstance(checked, Refusal):
                return refused(request, checked, plain=plain)
            if any(is_tracking(key) for key in request.GET):
                return HttpResponsePermanentRedirect(without_tracking(request))
            request.GET = checked
            setattr(request, CANONICAL_ATTRIBUTE, canonical_request_query(checked))
            return view(request, *args, **kwargs)

        wrapped.parameters = known
        return wrapped

    return decorator


def keyed_also_by(
    name: str, stamp: Callable[[], object]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For a page that shows what changes without a new content version (the stored /stats/
    rows, the ingest runs): its cache key and ETag (public_page's, from the canonical request)
    also name `stamp()`, read once per request and kept as `request.keyed_by[name]`, so that a
    change is served at once, not after the next write. Between `takes` (if any) and
    `public_page`; without `takes`, the query string is not in the key."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            value = stamp()
            request.keyed_by = {**getattr(request, "keyed_by", {}), name: value}
            query = getattr(request, CANONICAL_ATTRIBUTE, None) or ""
            setattr(request, CANONICAL_ATTRIBUTE, f"{query}#{name}={value}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
