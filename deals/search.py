"""Free text as analysts type it: several words, names, tickers, case references, "UK".

Helpers with no models of their own: `DealQuerySet.search` and `InquiryQuerySet.search` call
`search_documents`, and the derived-field refresh (deals/derived.py) stores the documents.

Each deal and inquiry stores a *search document* (`search_document`): its own words and those
of its parties, their alternative names and tickers, its case references, its regulators and
their jurisdictions ("gb uk united kingdom"), folded to lower-case ASCII. The document has four
parts separated by "|", most telling first (a deal: title | parties | references | regulators);
on PostgreSQL the database turns it into a weighted `tsvector` (`search_vector`, GIN index) so
that results are ranked, a title match first.

Matching, every word of the query must match (AND):
- PostgreSQL: the full-text index as a word prefix ("mistr" finds Mistral; a reference typed
  with its punctuation, "ME/7108", is a phrase), or else the trigram index on the document: a
  fragment of a name or reference (3 characters or more), or, for a word (4 characters or
  more) that no document has a word starting with, a misspelling of it ("microsfot").
- SQLite (`make run`): the document contains the word at the start of one of its words.

What a search costs (issue 22): what its candidates cost, not what the table holds.
- A misspelling is looked for only when the word itself is nowhere (`has_word`, one look in the
  full-text index, cached per content version): the trigram similarity scan reads every
  document sharing a trigram with the word, so ran for "microsoft" it cost more with each
  deal added, to find what the word already found.
- A case reference on the inquiries (`/inquiries/?q=M.1`) is the start of the inquiry's own
  reference, a range of a B-tree index on the start of its document (migration 0026), so that
  counting its matches stops after the thousand the list counts; "m <-> 1:*" in the full-text
  index read every word starting with 1 in every document first.
- Results are ranked among a bounded set of candidates (`ranked_among`): the matches that come
  first in the list's own order after relevance (the newest), as many as the pages can show
  plus one, read once for the count and every page. PostgreSQL finds all the matches from
  the search indexes and sorts them (a cost that follows their number): the order is given
  to it as an expression no index holds (`_not_from_an_index`), since walking the order's
  index and testing each row against the terms, which it chose at 300,000 deals, misjudged
  that test's cost ten-fold. With fewer matches than the bound every match is ranked, as before;
  with more, the list says "more than 1,000" and a better match older than the candidates is
  not shown (sort by another order, or add words, to reach it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models
from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast, Coalesce, Left
from django.db.models.lookups import StartsWith

from . import row_writes
from .cache import cached
from .jurisdictions import jurisdiction_words
from .names import normalise_name

MAX_TERMS = 8
# Below these lengths a word is matched as a word only: "ai" or "uk" must not match "Blizzard"
# or "Duke".
MIN_FRAGMENT = 3
MIN_FUZZY = 4
# The characters of a document's first part that the reference index keeps (migration 0026).
REFERENCE_WIDTH = 120


def search_document(*parts: Iterable[str]) -> str:
    """The stored document: each part's texts folded, parts joined by "|", every word preceded
    by a space (so that " word" matches the start of a word)."""
    folded = []
    for part in parts:
        words = " ".join(dict.fromkeys(normalise_name(text) for text in part if text))
        folded.append(f" {words} " if words else " ")
    return "|".join(folded)


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: a word, or a phrase ("ME/7108/24", "\"mistral ai\"")."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def tsquery(self) -> str:
        """The term for to_tsquery: words in sequence, the last one as a prefix. Safe to pass
        raw: folded words hold only [a-z0-9]."""
        return " <-> ".join(self.words) + ":*"


_TOKENS = re.compile(r'"([^"]*)"|(\S+)')
# "M.1", "ME/7108/24", "AT.40220", "m 10234": letters, then digits (with separators).
_REFERENCE = re.compile(r"[A-Za-z]{1,6}[./\- ]?\d[\d./\-]*")


def is_reference(text: str) -> bool:
    """A case reference, or its start: its matches differ only by their number, so they are
    not ranked (ranking thousands of "M.1…" cases would read them all) but listed newest
    first, read in that order from an index until the page is full."""
    return bool(_REFERENCE.fullmatch((text or "").strip()))


def parse_query(text: str) -> list[Term]:
    """The terms of a query: quoted phrases, then words; at most MAX_TERMS, each once."""
    terms: dict[tuple[str, ...], Term] = {}
    for quoted, word in _TOKENS.findall(text or ""):
        words = tuple(normalise_name(quoted or word).split())
        if words:
            terms.setdefault(words, Term(words))
    return list(terms.values())[:MAX_TERMS]


def tsquery(terms: list[Term]) -> str:
    return " & ".join(f"({term.tsquery})" for term in terms)


class WordSimilar(Func):
    """`term <% document`: PostgreSQL's trigram word similarity, served by a trigram index."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def search_documents(queryset: models.QuerySet, text: str, *, title_field: str):
    """`queryset` narrowed to rows whose search document matches every term of `text`, with a
    `search_rank` (higher is better). The rules are in deals/search.py."""
    terms = parse_query(text)
    # Unranked: an expression, as ORDER BY takes no bare constant when the pks are read alone.
    unranked = Cast(Value(0.0), models.FloatField())
    if not terms:  # nothing searchable ("...", "%"): every row, unranked
        return queryset.annotate(search_rank=unranked)
    if connections[queryset.db].vendor == "postgresql":
        # A case reference is matched from its start only, as words: as a fragment, "m 1" would
        # match most documents. Its matches are not ranked (search.is_reference).
        reference = is_reference(text)
        if reference and title_field == "reference":
            # An inquiry's document starts with its own reference (its title field): the start
            # of the reference, from the B-tree index on the start of the document.
            start = " " + " ".join(normalise_name(text).split())
            matches = Q(StartsWith(document_start(), start[:REFERENCE_WIDTH]))
            return queryset.filter(matches).annotate(search_rank=unranked)
        matches = Q()
        for term in terms:
            one = Q(search_vector=term_query(term))
            if not reference and len(term.text) >= MIN_FRAGMENT:
                one |= Q(search_document__contains=term.text)
            if not reference and len(term.text) >= MIN_FUZZY and not has_word(queryset.model, term):
                one |= Q(WordSimilar(Value(term.text), F("search_document")))
            matches &= one
        query = SearchQuery(tsquery(terms), search_type="raw", config="simple")
        # As double precision: a float4 would not come back equal from the API's cursor.
        rank = Cast(SearchRank(F("search_vector"), query), models.FloatField())
        if reference:
            rank = unranked
    else:
        # SQLite: each term at the start of a word of the document; a title match ranks first.
        matches = Q()
        in_title = Q()
        for term in terms:
            matches &= Q(search_document__contains=f" {term.text}")
            in_title &= Q(**{f"{title_field}__icontains": term.text})
        rank = Case(When(in_title, then=Value(1.0)), default=Value(0.0))
    return queryset.filter(matches).annotate(search_rank=rank)


def term_query(term: Term) -> SearchQuery:
    return SearchQuery(term.tsquery, search_type="raw", config="simple")


def has_word(model: type[models.Model], term: Term) -> bool:
    """Whether a document of `model` has the term as a word prefix (PostgreSQL, from the
    full-text index), once per content version: a misspelling is looked for only when none has
    (the similarity scan reads every document sharing a trigram with the word)."""
    digest = hashlib.sha256(term.text.encode()).hexdigest()[:32]
    return cached(
        f"search-word:{model._meta.label_lower}:{digest}",
        lambda: model._base_manager.filter(search_vector=term_query(term)).exists(),
    )


def document_start():
    """The start of a document's first part (an inquiry's reference, then its title), as the
    B-tree index of migration 0026 holds it (PostgreSQL)."""
    first_part = Func(
        F("search_document"),
        Value("|"),
        Value(1, output_field=models.IntegerField()),
        function="split_part",
        output_field=models.TextField(),
    )
    return Left(first_part, REFERENCE_WIDTH)


def _is_rank(item) -> bool:
    if isinstance(item, str):
        return item == "-search_rank"
    return (
        isinstance(item, OrderBy)
        and item.descending
        and isinstance(item.expression, F)
        and item.expression.name == "search_rank"
    )


def _ranks(expression) -> bool:
    """Whether a `search_rank` annotation ranks (is not the constant of an unranked search)."""
    if isinstance(expression, SearchRank | Case):
        return True
    return any(_ranks(source) for source in expression.get_source_expressions() if source)


def is_ranked(queryset: models.QuerySet) -> bool:
    """A search ordered by relevance: `search_rank` first, and ranking (not a reference search,
    whose matches are in the list's own order)."""
    order = queryset.query.order_by
    rank = queryset.query.annotations.get("search_rank")
    return bool(order) and rank is not None and _is_rank(order[0]) and _ranks(rank)


def ranked_among(queryset: models.QuerySet, limit: int) -> models.QuerySet:
    """A search ordered by relevance, ranked among its first `limit` matches in the order that
    follows the rank (the list's own, newest first): only those are read (in that order from
    its index, or the matches sorted when they are few) and ranked. Any other queryset is
    returned as it is.

    With at most `limit` matches every match is ranked, as without the bound; with more, the
    best ranked of the `limit` newest come first and older matches are not reached."""
    if not is_ranked(queryset):
        return queryset
    first, *rest = queryset.query.order_by[1:] or ["pk"]
    candidates = queryset.order_by(_not_from_an_index(first), *rest).values("pk")[:limit]
    return rows_of(queryset, candidates)


def _not_from_an_index(item):
    """The list's first order, as an expression no index holds: COALESCE(x, x), the same values
    (NULL included) in the same order. PostgreSQL then finds the matches from the search
    indexes and sorts them, a cost that follows the matches; led by an index on the order (the
    newest deals first) it read at 300,000 deals some 57,000 rows to test each against the
    terms (274 ms against 30 for a bitmap of the 5,300 matches), misjudging that test's cost."""
    if isinstance(item, OrderBy) and isinstance(item.expression, F):
        name = item.expression.name
        return OrderBy(
            Coalesce(F(name), F(name)),
            descending=item.descending,
            nulls_first=item.nulls_first,
            nulls_last=item.nulls_last,
        )
    return item


def rows_of(queryset: models.QuerySet, pks) -> models.QuerySet:
    """The rows of `queryset` with these pks (a list, or a query of them), read by their pks
    without matching them again (kept, the match made PostgreSQL read every match twice), with
    what `queryset` selects and prefetches with them, its annotations (the rank) and its
    order."""
    rows = queryset.model._default_manager.using(queryset.db).filter(pk__in=pks)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    rows._prefetch_related_lookups = queryset._prefetch_related_lookups
    return rows.annotate(**queryset.query.annotations).order_by(*queryset.query.order_by)


def company_search(queryset: models.QuerySet, text: str, *, aliases: models.QuerySet):
    """Companies of `queryset` whose name, alternative name (in `aliases`) or ticker has every
    word of `text`, annotated with `name_starts`: those whose name starts with it first."""
    terms = parse_query(text)
    if not terms:  # nothing searchable ("...", "%"): every company, as the lists do
        return queryset.annotate(name_starts=Value(0)).order_by("name")
    matches = Q()
    for term in terms:
        alias = aliases.filter(company=OuterRef("pk"), name_key__contains=term.text)
        matches &= Q(name_key__contains=term.text) | Q(ticker__icontains=term.text) | Exists(alias)
    first = terms[0].text
    starts = Case(When(name_key__startswith=first, then=Value(1)), default=Value(0))
    return queryset.filter(matches).annotate(name_starts=starts).order_by("-name_starts", "name")


# --- Keeping the documents --------------------------------------------------------------------
# These read through an app registry (`django.apps.apps`, or a migration's `apps`) so that the
# data migration that fills the documents and the running site share one definition.


def _company_words(apps, company_ids: set[int]) -> dict[int, list[str]]:
    """Each company's name, ticker and alternative names."""
    Company = apps.get_model("deals", "Company")
    CompanyAlias = apps.get_model("deals", "CompanyAlias")
    words: dict[int, list[str]] = {}
    for pk, name, ticker in Company.objects.filter(pk__in=company_ids).values_list(
        "pk", "name", "ticker"
    ):
        words[pk] = [name, *ticker.split()]
    aliases = CompanyAlias.objects.filter(company__in=company_ids).order_by("pk")
    for company_id, name in aliases.values_list("company_id", "name"):
        words[company_id].append(name)
    return words


def _regulator_words(short_name: str, name: str, jurisdiction: str) -> list[str]:
    return [short_name, name, *jurisdiction_words(jurisdiction)]


def deal_documents(apps, deal_ids: Iterable[int]) -> dict[int, str]:
    """title | parties (names, tickers, alternative names) | case references | regulators."""
    Deal = apps.get_model("deals", "Deal")
    Party = apps.get_model("deals", "Party")
    Inquiry = apps.get_model("deals", "Inquiry")
    titles = dict(Deal.objects.filter(pk__in=list(deal_ids)).values_list("pk", "title"))
    ids = list(titles)
    parties: dict[int, list[int]] = {pk: [] for pk in ids}
    for deal_id, company_id in Party.objects.filter(deal__in=ids).values_list(
        "deal_id", "company_id"
    ):
        parties[deal_id].append(company_id)
    company_words = _company_words(apps, {c for companies in parties.values() for c in companies})
    references: dict[int, list[str]] = {pk: [] for pk in ids}
    regulators: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = Inquiry.objects.filter(deal__in=ids).order_by("pk")
    for deal_id, reference, short_name, name, jurisdiction in rows.values_list(
        "deal_id",
        "reference",
        "regulator__short_name",
        "regulator__name",
        "regulator__jurisdiction",
    ):
        references[deal_id].append(reference)
        regulators[deal_id] += _regulator_words(short_name, name, jurisdiction)
    return {
        pk: search_document(
            [title],
            [word for company in parties[pk] for word in company_words.get(company, [])],
            references[pk],
            regulators[pk],
        )
        for pk, title in titles.items()
    }


def inquiry_documents(apps, inquiry_ids: Iterable[int]) -> dict[int, str]:
    """reference, title | deal title | companies concerned and the deal's parties | regulator."""
    Inquiry = apps.get_model("deals", "Inquiry")
    Party = apps.get_model("deals", "Party")
    rows = list(
        Inquiry.objects.filter(pk__in=list(inquiry_ids)).values_list(
            "pk",
            "reference",
            "title",
            "deal_id",
            "deal__title",
            "regulator__short_name",
            "regulator__name",
            "regulator__jurisdiction",
        )
    )
    ids = [row[0] for row in rows]
    companies: dict[int, list[int]] = {pk: [] for pk in ids}
    through = Inquiry.companies.through.objects.filter(inquiry__in=ids)
    for inquiry_id, company_id in through.values_list("inquiry_id", "company_id"):
        companies[inquiry_id].append(company_id)
    parties: dict[int, list[int]] = {}
    deal_ids = {row[3] for row in rows if row[3]}
    for deal_id, company_id in Party.objects.filter(deal__in=deal_ids).values_list(
        "deal_id", "company_id"
    ):
        parties.setdefault(deal_id, []).append(company_id)
    every_company = {c for cs in (*companies.values(), *parties.values()) for c in cs}
    company_words = _company_words(apps, every_company)
    documents = {}
    for pk, reference, title, deal_id, deal_title, short_name, name, jurisdiction in rows:
        concerned = dict.fromkeys([*companies[pk], *parties.get(deal_id, [])])
        documents[pk] = search_document(
            [reference, title],
            [deal_title or ""],
            [word for company in concerned for word in company_words.get(company, [])],
            _regulator_words(short_name, name, jurisdiction),
        )
    return documents


def store_documents(model, documents: dict[int, str]) -> None:
    """Write the documents; on PostgreSQL also the weighted vector the database derives from
    each, in the same statement (deals/row_writes.py)."""
    if not documents:
        return
    row_writes.rows_write(
        model, {pk: {"search_document": document} for pk, document in documents.items()}
    )


def weighted_vector(document=None):
    """The document's four parts as one tsvector weighted A to D (PostgreSQL); `document`, an
    expression, is the row's `search_document` unless told."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F, IntegerField, TextField, Value

    document = F("search_document") if document is None else document

    def part(n: int):
        return Func(
            document,
            Value("|"),
            Value(n, output_field=IntegerField()),
            function="split_part",
            output_field=TextField(),
        )

    return sum(
        (
            SearchVector(part(n), config="simple", weight=weight)
            for n, weight in ((2, "B"), (3, "C"), (4, "D"))
        ),
        SearchVector(part(1), config="simple", weight="A"),
    )


# Where a search document is written, its vector is derived from it in the same statement.
row_writes.DERIVED["search_vector"] = ("search_document", weighted_vector)
