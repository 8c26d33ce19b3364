"""A parameter a page does not read is a 400 (deals.querystring.takes) that says which parameter
was probably meant: "regulatr": did you mean "regulator"? The HTML pages link to the address
with it; the plain-text answers of feeds, CSVs and calendars also list every parameter read.
None of them answers 200 with every row."""

import datetime
from html import unescape

import pytest

from deals.vocabulary import EventKind
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma

pytestmark = pytest.mark.django_db

SOON = datetime.date.today() + datetime.timedelta(days=12)


@pytest.fixture
def two_deals():
    """A deal the CMA reviews and one the EC does, each with an event and a deadline ahead."""
    at_cma = DealFactory(title="Cma / Reviewed", slug="cma-reviewed")
    at_ec = DealFactory(title="Ec / Reviewed", slug="ec-reviewed")
    InquiryFactory(deal=at_cma, regulator=cma(), reference="ME/1/26", deadline_on=SOON)
    InquiryFactory(deal=at_ec, regulator=RegulatorFactory(), reference="M.1", deadline_on=SOON)
    for deal in (at_cma, at_ec):
        EventFactory(deal=deal, kind=EventKind.ANNOUNCED, title=f"{deal.title} announced")
    return at_cma, at_ec


@pytest.mark.parametrize(
    ("url", "typed", "meant"),
    [
        ("/deals/?regulatr=cma", "regulatr", "regulator"),
        ("/deals/?Status=cleared", "Status", "status"),
        ("/deals/?annouced_after=2024-01-01", "annouced_after", "announced_after"),
        ("/deals/?decided_afer=2024-01-01", "decided_afer", "decided_after"),
        ("/inquiries/?stat=open", "stat", "state"),
        ("/inquiries/?outcom=cleared", "outcom", "outcome"),
        ("/deadlines/?regulatr=cma", "regulatr", "regulator"),
        ("/companies/?pag=2", "pag", "page"),
        ("/stats/?jurisdicton=GB", "jurisdicton", "jurisdiction"),
        ("/search/?qq=figma", "qq", "q"),
    ],
)
def test_the_400_page_names_the_parameter_probably_meant(client, url, typed, meant):
    response = client.get(url)
    assert response.status_code == 400
    assert '<header class="site-header">' in response.text  # the site's layout
    text = unescape(response.text)
    assert f"the parameter “{typed}”, which this page does not read" in text
    assert f"“{typed}”: did you mean “{meant}”?" in text


def test_the_400_page_links_to_the_address_with_the_parameter_meant(client, two_deals):
    response = client.get("/deals/?regulatr=cma&sort=name")
    assert response.status_code == 400
    assert 'href="/deals/?regulator=cma&amp;sort=name">This page with “regulator”</a>' in (
        response.text
    )
    followed = client.get("/deals/?regulator=cma&sort=name")
    assert followed.status_code == 200
    assert [deal.title for deal in followed.context["page"].object_list] == ["Cma / Reviewed"]


def test_no_suggestion_when_nothing_is_close(client):
    response = client.get("/deals/?colour=red")
    assert response.status_code == 400
    assert "did you mean" not in response.text
    assert "This page with “" not in response.text  # no address to offer: it would be refused
    assert 'href="/deals/">This page without them</a>' in response.text
    # The positive control: a close name gets both.
    close = client.get("/deals/?colour=red&regulatr=cma")
    assert "did you mean “regulator”?" in unescape(close.text)
    assert "This page with “" not in close.text  # “colour” has no suggestion: still refused


def test_several_unknown_parameters_each_get_their_suggestion(client):
    text = unescape(client.get("/inquiries/?regulatr=cma&stag=phase_1").text)
    assert "“regulatr”: did you mean “regulator”?" in text
    assert "“stag”: did you mean “stage”?" in text
    assert "This page with the parameters suggested" in text


@pytest.mark.parametrize(
    ("path", "row"),
    [
        ("/deals/export.csv", "Cma / Reviewed"),
        ("/deals/feed/", "Cma / Reviewed announced"),
        ("/deadlines/calendar.ics", "ME/1/26"),
    ],
)
def test_feeds_csv_and_calendars_refuse_a_misspelt_filter_in_plain_text(
    client, two_deals, path, row
):
    refused = client.get(f"{path}?regulatr=cma")
    assert refused.status_code == 400  # not 200 with every row
    assert refused["Content-Type"].startswith("text/plain")
    assert "“regulatr”: did you mean “regulator”?" in refused.text
    allowed = next(line for line in refused.text.splitlines() if "reads the parameters" in line)
    assert "regulator" in allowed and "jurisdiction" in allowed and "colour" not in allowed
    assert "Ec / Reviewed" not in refused.text and "M.1" not in refused.text
    # The positive control: the parameter meant answers 200 with the CMA's rows only.
    body = client.get(f"{path}?regulator=cma").getvalue().decode()  # the CSV streams
    assert row in body
    assert "Ec / Reviewed" not in body and "M.1\r" not in body and "M.1\n" not in body
    # ...and unfiltered, the EC's row is there: its absence above was the filter's doing.
    everything = client.get(path).getvalue().decode()
    assert "Ec / Reviewed" in everything or "M.1" in everything


def test_a_plain_text_refusal_of_a_page_that_reads_nothing_says_so(client, two_deals):
    response = client.get("/deals/cma-reviewed/feed/?regulatr=cma")
    assert response.status_code == 400
    assert "This address reads no parameters." in response.text
    assert "did you mean" not in response.text


def test_inquiry_lists_suggest_their_own_new_filters(client):
    text = client.get("/inquiries/export.csv?decided_befor=2024-01-01").text
    assert "“decided_befor”: did you mean “decided_before”?" in text
    assert "state" in text.splitlines()[-1]  # the parameters read include the new ones


@pytest.mark.parametrize("query", ["%00=1", "x" * 300 + "=1", "=1", "regulatr%00=cma"])
def test_hostile_names_still_give_a_printable_400(client, query):
    for path in ["/deals/", "/deals/export.csv"]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "\x00" not in response.text and "x" * 41 not in response.text
