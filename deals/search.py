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
  fragment of a name or reference (3 characters or more) or a misspelt word (4 or more,
  "mircosoft").
- SQLite (`make run`): the document contains the word at the start of one of its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models
from django.db.models import BooleanField, Case, Exists, F, Func, OuterRef, Q, Value, When
from django.db.models.functions import Cast

from .jurisdictions import jurisdiction_words
from .names import normalise_name

MAX_TERMS = 8
# Below these lengths a word is matched as a word only: "ai" or "uk" must not match "Blizzard"
# or "Duke".
MIN_FRAGMENT = 3
MIN_FUZZY = 4


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
        matches = Q()
        for term in terms:
            one = Q(search_vector=SearchQuery(term.tsquery, search_type="raw", config="simple"))
            if not reference and len(term.text) >= MIN_FRAGMENT:
                one |= Q(search_document__contains=term.text)
            if not reference and len(term.text) >= MIN_FUZZY:
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
    """Write the documents; on PostgreSQL also the weighted vector the database derives."""
    if not documents:
        return
    rows = [model(pk=pk, search_document=document) for pk, document in documents.items()]
    model.objects.bulk_update(rows, ["search_document"], batch_size=500)
    if _is_postgresql(model):
        model.objects.filter(pk__in=list(documents)).update(search_vector=weighted_vector())


def _is_postgresql(model) -> bool:
    from django.db import connections

    return connections[model.objects.db].vendor == "postgresql"


def weighted_vector():
    """The document's four parts as one tsvector weighted A to D (PostgreSQL)."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F, IntegerField, TextField, Value

    def part(n: int):
        return Func(
            F("search_document"),
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
