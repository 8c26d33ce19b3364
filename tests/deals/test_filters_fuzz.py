"""Hypothesis sends /deals/ and /inquiries/, their CSVs, feeds and calendars query strings made of
the case-state and decision-date filters (`state`, `decided_after`, `decided_before`) among
others, with good values, malformed ones and junk. Never a 500; never an unfiltered answer:

- a query the list's FilterSet cannot use is the form's error and no rows on the page, a 400
  in the CSV, feed and calendar;
- otherwise every row listed keeps to each of the new filters, as checked here from the
  models (Inquiry.objects.open() and the closing dates), and with no other filter the rows
  are exactly those.

Marked `fuzz`: `make test` runs it in one process first, `make fuzz` harder (FUZZ_EXAMPLES)."""

import csv
import datetime
import io
import os
import string
from urllib.parse import urlencode

import pytest
from django import forms
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deals.filters import DealFilter, InquiryFilter
from deals.models import Deal, Inquiry
from deals.vocabulary import Outcome, Stage
from tests.factories import DealFactory, InquiryFactory, RegulatorFactory, cma

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NEW = ("state", "decided_after", "decided_before")


@pytest.fixture
def cases(db):
    """Deals with open, closed, superseded and stateless cases, decided over several years."""
    ec = RegulatorFactory()
    for year in range(2019, 2026):
        deal = DealFactory(title=f"Decided {year} / Deal")
        InquiryFactory(
            deal=deal,
            regulator=ec if year % 2 else cma(),
            reference=f"D-{year}",
            stage=Stage.CLOSED,
            outcome=Outcome.CLEARED,
            closed_on=datetime.date(year, 1 + year % 12, 1 + year % 28),
        )
        if year % 3 == 0:
            InquiryFactory(deal=deal, regulator=cma(), reference=f"O-{year}")
    stateless = DealFactory(title="Stateless / Deal")
    InquiryFactory(deal=stateless, regulator=ec, reference="S-1", stage=Stage.NOT_PUBLISHED)
    referred = DealFactory(title="Referred / Deal")
    now = InquiryFactory(deal=referred, regulator=cma(), reference="R-NOW")
    before = InquiryFactory(
        deal=referred,
        regulator=ec,
        reference="R-BEFORE",
        stage=Stage.CLOSED,
        outcome=Outcome.REFERRED,
        closed_on=datetime.date(2021, 6, 1),
    )
    Inquiry.objects.filter(pk=before.pk).update(superseded_by=now)
    DealFactory(title="Unreviewed / Deal")


DATES = st.dates(datetime.date(2018, 1, 1), datetime.date(2027, 1, 1)).map(str)
MALFORMED_DATES = st.sampled_from(
    ["2024-13-45", "yesterday", "2024-02-30", "0000-00-00", "99999-01-01", "2024/01/01", "\x00"]
)
JUNK = st.text(alphabet=string.printable + "é€\x00", max_size=12)
VALUES = {
    "state": st.one_of(
        st.sampled_from(["open", "closed"]),
        st.sampled_from(["", "OPEN", "opened", "open ", "closed\x00", "all"]),
        JUNK,
    ),
    "decided_after": st.one_of(DATES, DATES, MALFORMED_DATES, JUNK),
    "decided_before": st.one_of(DATES, DATES, MALFORMED_DATES, JUNK),
    "regulator": st.sampled_from(["cma", "ec", "nobody"]),
    "q": st.sampled_from(["decided", "deal", "zzz"]),
}


@st.composite
def queries(draw, others: tuple[str, ...]):
    """Pairs of the new filters, sometimes repeated, sometimes with another filter."""
    keys = draw(st.lists(st.sampled_from(NEW), min_size=1, max_size=4))
    keys += draw(st.lists(st.sampled_from(others), max_size=1))
    return [(key, draw(VALUES[key])) for key in keys]


def effective(pairs) -> QueryDict:
    """What the page reads: every value of `state`, the last of the others (querystring.takes)."""
    query = QueryDict(urlencode(pairs), mutable=True)
    for key in query:
        if key != "state":
            query.setlist(key, query.getlist(key)[-1:])
    return query


def bounds(query: QueryDict) -> tuple[datetime.date | None, datetime.date | None]:
    """The two dates as a form reads them (any of Django's input formats)."""
    read = forms.DateField(required=False).clean
    return read(query.get("decided_after")), read(query.get("decided_before"))


def inquiries_kept(query: QueryDict):
    """The public inquiries the new filters in `query` allow, from the models."""
    kept = Inquiry.objects.public()
    states = set(query.getlist("state"))
    if states:
        open_pks = set(Inquiry.objects.open().values_list("pk", flat=True))
        closed_pks = set(
            Inquiry.objects.exclude(pk__in=open_pks)
            .exclude(stage=Stage.NOT_PUBLISHED)
            .values_list("pk", flat=True)
        )
        wanted = (open_pks if "open" in states else set()) | (
            closed_pks if "closed" in states else set()
        )
        kept = kept.filter(pk__in=wanted)
    after, before = bounds(query)
    if after:
        kept = kept.filter(closed_on__gte=after)
    if before:
        kept = kept.filter(closed_on__lte=before)
    return set(kept.values_list("reference", flat=True))


def deals_kept(query: QueryDict):
    """The published deals the new filters in `query` allow: a current (not superseded) review
    in the state asked, and one review decided within both bounds."""
    kept = set(Deal.objects.published().values_list("title", flat=True))
    states = set(query.getlist("state"))
    if states:
        current = Inquiry.objects.filter(superseded_by__isnull=True)
        in_state = set()
        if "open" in states:
            in_state |= set(current.open().values_list("deal__title", flat=True))
        if "closed" in states:
            closed = current.exclude(pk__in=Inquiry.objects.open().values("pk")).exclude(
                stage=Stage.NOT_PUBLISHED
            )
            in_state |= set(closed.values_list("deal__title", flat=True))
        kept &= in_state
    after, before = bounds(query)
    if after or before:
        decided = Inquiry.objects.filter(closed_on__isnull=False)
        if after:
            decided = decided.filter(closed_on__gte=after)
        if before:
            decided = decided.filter(closed_on__lte=before)
        kept &= set(decided.values_list("deal__title", flat=True))
    return kept


LISTS = {
    "/deals/": (DealFilter, Deal.objects.published, deals_kept, "title", 0),
    "/inquiries/": (InquiryFilter, Inquiry.objects.public, inquiries_kept, "reference", 2),
}
ELSEWHERE = {
    "/deals/": ["/deals/export.csv", "/deals/feed/", "/deals/calendar.ics"],
    "/inquiries/": ["/inquiries/export.csv", "/inquiries/feed/", "/deadlines/calendar.ics"],
}


def check(client, path: str, pairs) -> None:
    filterset_class, rows_of, kept_of, field, csv_column = LISTS[path]
    encoded = urlencode(pairs)
    query = effective(pairs)
    valid = filterset_class(query, queryset=rows_of()).is_valid()
    page = client.get(f"{path}?{encoded}")
    assert page.status_code == 200, encoded
    listed = {getattr(row, field) for row in page.context["page"].object_list}
    assert page.context["filter"].is_valid() == valid, encoded
    if not valid:
        assert listed == set(), encoded  # the form's error, not every row
        assert "Some filters could not be used" in page.text
    else:
        kept = kept_of(query)
        assert listed <= kept, encoded
        if set(query) <= set(NEW):
            assert page.context["page"].paginator.count == len(kept), encoded
    for elsewhere in ELSEWHERE[path]:
        response = client.get(f"{elsewhere}?{encoded}")
        assert response.status_code == (200 if valid else 400), (elsewhere, encoded)
        if valid and elsewhere.endswith(".csv"):
            content = b"".join(response.streaming_content)  # the CSV streams
            body = list(csv.reader(io.StringIO(content.decode())))[1:]
            assert {line[csv_column] for line in body} <= kept_of(query), encoded


@FUZZ
@given(pairs=queries(others=("regulator", "q")))
def test_the_deal_list_and_its_alternates_never_fail_nor_answer_unfiltered(client, cases, pairs):
    check(client, "/deals/", pairs)


@FUZZ
@given(pairs=queries(others=("regulator", "q")))
def test_the_inquiry_list_and_its_alternates_never_fail_nor_answer_unfiltered(client, cases, pairs):
    check(client, "/inquiries/", pairs)


def test_the_oracle_sees_filtered_answers(client, cases):
    """The positive control of the checks above: the filters narrow the rows, so a page that
    ignored them would fail `listed <= kept`."""
    every = deals_kept(QueryDict(""))
    assert deals_kept(QueryDict("state=open")) < every
    assert deals_kept(QueryDict("decided_after=2023-01-01")) < every
    check(client, "/deals/", [("state", "closed"), ("decided_before", "2022-12-31")])
    check(client, "/inquiries/", [("state", "open"), ("state", "closed")])
    check(client, "/inquiries/", [("decided_after", "2024-13-45")])
