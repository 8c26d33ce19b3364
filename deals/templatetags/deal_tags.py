import hashlib

from django import template
from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.template import engines
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from .. import markup, wording
from ..cache import CSRF_PLACEHOLDER, cached_each
from ..links import http_url

register = template.Library()


@register.filter
def as_known(day, precision: str = "day") -> str:
    """A date as precisely as it is known: "13 Oct 2023", or "May 2026" (wording.day_as_known)."""
    return wording.day_as_known(day, precision)


@register.filter
def safe_href(url) -> str:
    """The address when it is http(s), else "": write `{% with href=x|safe_href %}` and link
    only `{% if href %}`, so a stored `javascript:` address is never a link."""
    return http_url(url)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.simple_tag(takes_context=True)
def status_badge(context, deal) -> str:
    """The status badge, linking to what the status means (deals/markup.py), with the link
    reversed once per template: a list shows one a row."""
    return markup.status_badge(deal, _statuses_url(context))


def _statuses_url(context) -> str:
    """/statuses/, reversed once per template render (every row's badge links to it)."""
    url = context.render_context.get("statuses_url")
    if url is None:
        url = context.render_context["statuses_url"] = reverse("deals:statuses")
    return url


def _jinja2(name: str):
    """The Jinja2 template `name` (deals/jinja2/, deals/rows.py), as jinja2 renders it."""
    return engines["jinja2"].get_template(name).template


@register.simple_tag
def deadline(inquiry) -> str:
    """An inquiry's next deadline, published or computed, and the working days left
    (deals/markup.py: the rows' Jinja2 templates show it too)."""
    return markup.deadline(inquiry)


@register.simple_tag
def filtered_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


# Columns whose first click sorts newest first; the others start A to Z or soonest first.
NEWEST_FIRST = {"announced", "activity", "opened"}


@register.simple_tag(takes_context=True)
def sort_header(context, column: str, label: str) -> str:
    """A column heading that sorts the list by it (and back), keeping the filters; a plain
    heading where the table is not a filtered list."""
    filterset = context.get("filter")
    sorts = getattr(filterset, "SORTS", {})
    if column not in sorts and f"-{column}" not in sorts:
        return format_html('<th scope="col">{}</th>', label)
    current = filterset.sort_key
    first = f"-{column}" if column in NEWEST_FIRST else column
    if current == column:
        state, arrow, target = "ascending", "▲", f"-{column}"
    elif current == f"-{column}":
        state, arrow, target = "descending", "▼", column
    else:
        state, arrow, target = "none", "↕", first
    params = context["request"].GET.copy()
    for key in ("page", "cursor"):
        params.pop(key, None)
    params["sort"] = target
    hint = "sorted " + state if state != "none" else "sort by this column"
    return format_html(
        '<th scope="col" aria-sort="{}"><a class="sort" href="?{}">{}<span class="sort-arrow" '
        'aria-hidden="true">{}</span><span class="visually-hidden"> ({})</span></a></th>',
        state,
        params.urlencode(),
        label,
        arrow,
        hint,
    )


# --- Fragments from the cache (deals/cache.py: cached_each) ------------------------------


class CachedForNode(template.Node):
    def __init__(self, variable, sequence, key_parts, nodelist, empty, using=None):
        self.variable, self.sequence, self.key_parts = variable, sequence, key_parts
        self.nodelist, self.empty, self.using = nodelist, empty, using

    def render(self, context) -> str:
        items, lookups = _without_prefetch(self.sequence.resolve(context, ignore_failures=True))
        if not items:
            return self.empty.render(context)
        values = [part.resolve(context) for part in self.key_parts]
        name = ":".join(str(value) for value in values)

        def render_missing(missing: list) -> list[str]:
            # Only the rows rendered now need what the queryset would have prefetched.
            prefetch_related_objects(missing, *lookups)
            if self.using is not None:
                return self._rendered_using(context, missing, values)
            rendered = []
            with context.push():
                for item in missing:
                    context[self.variable] = item
                    rendered.append(self.nodelist.render(context))
            return rendered

        fragments = cached_each(
            name, items, key=lambda item: item.pk, render=render_missing, revision=_revision(items)
        )
        return mark_safe("".join(fragments))

    def _rendered_using(self, context, items: list, values: list) -> list[str]:
        """Each item's row from its Jinja2 template (deals/rows.py), given the item, the key's
        values by their names and the link to /statuses/ (reversed once)."""
        row = _jinja2(self.using)
        given = {
            part.token: value
            for part, value in zip(self.key_parts, values, strict=True)
            if part.token.isidentifier()
        }
        given["statuses_url"] = _statuses_url(context)
        return [row.render({**given, self.variable: item}) for item in items]


def _revision(items: list):
    """Items that know their own revision (deals, inquiries) are cached by it: a write to
    anything else leaves their fragments good."""
    if all(hasattr(item, "fragment_revision") for item in items):
        return lambda item: item.fragment_revision
    return None


def _without_prefetch(sequence) -> tuple[list, tuple]:
    """A queryset not read yet as its rows without its prefetches, and those lookups. The rows
    stay the queryset's own: whatever reads it afterwards (a deal's chart) prefetches only for
    the rows that still lack them."""
    if isinstance(sequence, QuerySet) and sequence._result_cache is None:
        lookups = sequence._prefetch_related_lookups
        sequence._prefetch_related_lookups = ()
        try:
            items = list(sequence)
        finally:
            sequence._prefetch_related_lookups = lookups
        return items, lookups
    return list(sequence or []), ()


@register.tag
def cachedfor(parser, token):
    """{% cachedfor deal in deals "deal-row" %}...{% empty %}...{% endcachedfor %}

    A for loop whose body, rendered for each item, comes from the fragment cache while the
    content is unchanged (all items in one round trip), or, for items with a
    `fragment_revision` (deals, inquiries), while that is unchanged. The quoted name and any
    further values after it key the fragment: everything the body reads besides the item must
    be among them.

    {% cachedfor deal in deals "deal-row" using "deals/deal_row.html" %}{% empty %}...: the
    body is that Jinja2 template (deals/jinja2/, deals/rows.py), given the item, the key's values
    named as here (`show_deal`) and `statuses_url`; the tag's own body stays empty."""
    bits = token.split_contents()
    using = _using(bits)
    if using is not None:
        bits = bits[:-2]
    if len(bits) < 5 or bits[2] != "in":
        raise template.TemplateSyntaxError(
            'usage: {% cachedfor item in items "name" [more key values] [using "template"] %}'
        )
    nodelist = parser.parse(("empty", "endcachedfor"))
    if parser.next_token().contents == "empty":
        empty = parser.parse(("endcachedfor",))
        parser.delete_first_token()
    else:
        empty = template.NodeList()
    _no_body_with(using, nodelist)
    key_parts = [parser.compile_filter(bit) for bit in bits[4:]]
    return CachedForNode(bits[1], parser.compile_filter(bits[3]), key_parts, nodelist, empty, using)


class CachedBlockNode(template.Node):
    def __init__(self, key_parts, nodelist, of=None, by=None, using=None):
        self.key_parts, self.nodelist, self.of, self.by = key_parts, nodelist, of, by
        self.using = using

    def render(self, context) -> str:
        name, *values = (str(part.resolve(context)) for part in self.key_parts)
        of = self.of.resolve(context) if self.of is not None else None
        by = ""
        if self.by is not None and settings.FRAGMENT_CACHE:  # a key that may cost a query
            by = str(self.by.resolve(context) or "")
        if by:  # may be long (a form's initial values): hashed for the key
            by = hashlib.sha256(by.encode()).hexdigest()[:32]
        if of is not None:  # keyed by the object and its own revision
            values = [str(of.pk), *values]
        # Hashed: a value may be a whole query string.
        rest = hashlib.sha256("\x00".join(values).encode()).hexdigest()[:32]
        token = context.get("csrf_token")

        def render_missing(missing: list) -> list[str]:
            # A {% csrf_token %} inside is each visitor's own: stored as a placeholder.
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                if self.using is not None:  # its Jinja2 template, given the page's context
                    return [_jinja2(self.using).render(context.flatten())]
                return [self.nodelist.render(context)]

        if of is not None:
            revision = lambda _: of.fragment_revision  # noqa: E731
        elif by:
            revision = lambda _: by  # noqa: E731
        else:
            revision = None
        (fragment,) = cached_each(name, [rest], key=str, render=render_missing, revision=revision)
        if CSRF_PLACEHOLDER in fragment:
            fragment = mark_safe(fragment.replace(CSRF_PLACEHOLDER, str(token or "")))
        return fragment


@register.tag
def cachedblock(parser, token):
    """{% cachedblock "home" today %}...{% endcachedblock %}: the body from the fragment
    cache while the content is unchanged; {% cachedblock "timeline" for deal %}: while the
    object's own revision (`fragment_revision`) is unchanged; {% cachedblock "stats" by key %}:
    while `key`, a digest of what the body shows, is unchanged, whatever else is written (the
    build of stored figures, the rows' revisions: cache.revisions_key, a form's choices and
    counts); an empty key falls back to the content version. The values key it: everything the
    body reads must be determined by them (a lazy queryset in the body is not even evaluated
    on a hit), except a {% csrf_token %}, which is each request's own.

    {% cachedblock "stats" by key using "deals/stats_figures.html" %}{% endcachedblock %}: the
    body is that Jinja2 template (deals/jinja2/, deals/rows.py), given the page's context."""
    bits = token.split_contents()
    using = _using(bits)
    if using is not None:
        bits = bits[:-2]
    of = by = None
    if len(bits) >= 4 and bits[2] == "for":  # {% cachedblock "chart" for deal [more] %}
        of = parser.compile_filter(bits[3])
        bits = bits[:2] + bits[4:]
    elif len(bits) >= 4 and bits[2] == "by":  # {% cachedblock "stats" by stamp [more] %}
        by = parser.compile_filter(bits[3])
        bits = bits[:2] + bits[4:]
    elif len(bits) < 3:
        raise template.TemplateSyntaxError(
            'usage: {% cachedblock "name" key [more] %}, {% cachedblock "name" for object %} '
            'or {% cachedblock "name" by revision [more] %}'
        )
    nodelist = parser.parse(("endcachedblock",))
    parser.delete_first_token()
    _no_body_with(using, nodelist)
    return CachedBlockNode(
        [parser.compile_filter(bit) for bit in bits[1:]], nodelist, of, by, using
    )


def _using(bits: list[str]) -> str | None:
    """The Jinja2 template named by a tag's last two bits, `using "name"`, if they are."""
    if len(bits) >= 4 and bits[-2] == "using":
        return template.Variable(bits[-1]).resolve({})
    return None


def _no_body_with(using: str | None, nodelist) -> None:
    """A tag that renders a Jinja2 template has no body of its own (whitespace aside)."""
    if using is not None and any(
        not isinstance(node, template.base.TextNode) or node.s.strip() for node in nodelist
    ):
        raise template.TemplateSyntaxError(f"{using!r} is the body: the tag takes none of its own")
