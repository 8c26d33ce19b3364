"""An inquiry's procedure (normal, simplified, super-simplified) and regulation (`legal_basis`:
139/2004, 4064/89), as the EC merger register gives them (issue 21): shown on the deal page and
/inquiries/, filterable there and on /deals/ with counts beside the boxes and chips, in the
CSVs, feeds and calendars (the same FilterSets) and the API, whose inquiries carry both; a value
the filter does not know is a form error or a 400, never a 500."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.http import QueryDict

from deals.filters import InquiryFilter, canonical_query
from deals.models import Deal, Inquiry
from deals.vocabulary import EventKind, LegalBasis, Procedure
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma

pytestmark = pytest.mark.django_db

SOON = datetime.date.today() + datetime.timedelta(days=12)


@pytest.fixture
def cases():
    """One EC case per procedure under 139/2004, one simplified case under 4064/89, and a CMA
    case whose source says neither (each on its own deal, each with a deadline ahead and an
    event, so that the feeds and calendars have something to list):

    - Normal / Deal: M.1 normal, 139/2004
    - Simple / Deal: M.2 simplified, 139/2004
    - Super / Deal: M.3 super-simplified, 139/2004
    - Old / Deal: IV/M.4 simplified, 4064/89
    - Plain / Deal: ME/5 neither
    """
    ec = RegulatorFactory()
    rows = [
        ("Normal / Deal", ec, "M.1", Procedure.NORMAL, LegalBasis.EUMR_2004),
        ("Simple / Deal", ec, "M.2", Procedure.SIMPLIFIED, LegalBasis.EUMR_2004),
        ("Super / Deal", ec, "M.3", Procedure.SUPER_SIMPLIFIED, LegalBasis.EUMR_2004),
        ("Old / Deal", ec, "IV/M.4", Procedure.SIMPLIFIED, LegalBasis.EUMR_1989),
        ("Plain / Deal", cma(), "ME/5", "", ""),
    ]
    for title, regulator, reference, procedure, legal_basis in rows:
        deal = DealFactory(title=title)
        inquiry = InquiryFactory(
            deal=deal,
            regulator=regulator,
            reference=reference,
            procedure=procedure,
            legal_basis=legal_basis,
            deadline_on=SOON,
        )
        EventFactory(deal=deal, inquiry=inquiry, kind=EventKind.OTHER, title=f"{title} notified")


EVERY_INQUIRY = {"M.1", "M.2", "M.3", "IV/M.4", "ME/5"}
EVERY_DEAL = {"Normal / Deal", "Simple / Deal", "Super / Deal", "Old / Deal", "Plain / Deal"}


def inquiries(client, query: str) -> set[str]:
    response = client.get(f"/inquiries/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {inquiry.reference for inquiry in response.context["page"].object_list}


def deals(client, query: str) -> set[str]:
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {deal.title for deal in response.context["page"].object_list}


def csv_rows(client, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Filtering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("procedure=normal", {"M.1"}),
        ("procedure=simplified", {"M.2", "IV/M.4"}),
        ("procedure=super_simplified", {"M.3"}),
        ("procedure=simplified&procedure=super_simplified", {"M.2", "M.3", "IV/M.4"}),
        ("legal_basis=139/2004", {"M.1", "M.2", "M.3"}),
        ("legal_basis=139%2F2004", {"M.1", "M.2", "M.3"}),
        ("legal_basis=4064/89", {"IV/M.4"}),
        ("procedure=simplified&legal_basis=4064/89", {"IV/M.4"}),
        ("procedure=normal&legal_basis=4064/89", set()),
    ],
)
def test_inquiries_by_procedure_and_regulation(client, cases, query, expected):
    assert inquiries(client, "") == EVERY_INQUIRY  # the positive control: every case is listed
    found = inquiries(client, query)
    assert found == expected
    # Those left out are listed without the filter, so their absence is the filter's doing.
    assert EVERY_INQUIRY - found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("procedure=normal", {"Normal / Deal"}),
        ("procedure=simplified", {"Simple / Deal", "Old / Deal"}),
        ("procedure=super_simplified", {"Super / Deal"}),
        ("legal_basis=139/2004", {"Normal / Deal", "Simple / Deal", "Super / Deal"}),
        ("legal_basis=4064/89", {"Old / Deal"}),
        ("procedure=simplified&legal_basis=139/2004", {"Simple / Deal"}),
        ("regulator=cma&procedure=simplified", set()),
    ],
)
def test_deals_with_a_review_under_a_procedure_or_regulation(client, cases, query, expected):
    assert deals(client, "") == EVERY_DEAL
    assert deals(client, query) == expected


def test_the_csv_feed_calendar_and_api_take_the_same_filters(client, cases):
    rows = csv_rows(client, "/inquiries/export.csv?procedure=simplified")
    assert {row["reference"] for row in rows} == {"M.2", "IV/M.4"}
    rows = csv_rows(client, "/deals/export.csv?legal_basis=4064/89")
    assert [row["title"] for row in rows] == ["Old / Deal"]

    api = client.get("/api/v1/inquiries/?legal_basis=139/2004&limit=100")
    assert api.status_code == 200
    assert {row["reference"] for row in api.json()["results"]} == {"M.1", "M.2", "M.3"}
    api = client.get("/api/v1/deals/?procedure=super_simplified&limit=100")
    assert [row["title"] for row in api.json()["results"]] == ["Super / Deal"]

    feed = client.get("/inquiries/feed/?procedure=normal")
    assert feed.status_code == 200
    assert "Normal / Deal notified" in feed.text and "Simple / Deal notified" not in feed.text
    calendar = client.get("/deadlines/calendar.ics?procedure=normal")
    assert calendar.status_code == 200
    text = calendar.content.decode()
    assert "M.1" in text and "M.2" not in text and "ME/5" not in text
    unfiltered = client.get("/deadlines/calendar.ics").content.decode()
    assert "M.2" in unfiltered and "ME/5" in unfiltered  # the positive control


@pytest.mark.parametrize(
    "url",
    [
        "/inquiries/export.csv?procedure=fast",
        "/inquiries/export.csv?legal_basis=1%2F2003",
        "/inquiries/feed/?procedure=fast",
        "/deadlines/calendar.ics?legal_basis=139",
        "/deals/export.csv?procedure=Simplified",
        "/api/v1/inquiries/?procedure=fast",
        "/api/v1/inquiries/?legal_basis=%00",
        "/api/v1/deals/?legal_basis=4064%2F1989",
    ],
)
def test_a_value_the_filter_does_not_know_is_a_400(client, cases, url):
    response = client.get(url)
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("path", ["/inquiries/", "/deals/"])
def test_on_the_page_a_value_it_does_not_know_is_the_forms_error_with_no_rows(client, cases, path):
    response = client.get(f"{path}?procedure=fast")
    # As every filter of the pages: the form shows what is wrong (the CSV, feed, calendar and
    # API answer 400, above).
    assert response.status_code == 200
    assert not response.context["filter"].is_valid()
    assert list(response.context["page"].object_list) == []
    assert "Select a valid choice" in unescape(response.text)
    # The positive control: a value it knows lists rows.
    assert list(client.get(f"{path}?procedure=normal").context["page"].object_list)


@pytest.mark.parametrize(
    ("url", "typed", "meant"),
    [
        ("/inquiries/?procedur=simplified", "procedur", "procedure"),
        ("/inquiries/?legal_bases=139/2004", "legal_bases", "legal_basis"),
        ("/deals/?procedures=simplified", "procedures", "procedure"),
    ],
)
def test_a_misspelt_parameter_is_a_400_that_names_the_one_meant(client, url, typed, meant):
    response = client.get(url)
    assert response.status_code == 400
    assert f"“{typed}”: did you mean “{meant}”?" in unescape(response.text)


def test_the_query_string_is_written_one_way(client, cases):
    written = canonical_query(
        QueryDict("procedure=simplified&sort=-opened&legal_basis=139/2004&procedure=normal"),
        InquiryFilter,
    )
    assert written == "legal_basis=139%2F2004&procedure=normal&procedure=simplified"
    assert QueryDict(written).getlist("legal_basis") == ["139/2004"]
    assert inquiries(client, written) == {"M.1", "M.2"}


# --- The filter form: counts and chips -----------------------------------------------------

CHECKBOX = re.compile(
    r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*>\s*([^<]*?) · (\d+)\s*</label>'
)


def shown_counts(client, path: str) -> dict[str, dict[str, int]]:
    response = client.get(path)
    assert response.status_code == 200, path
    counts: dict[str, dict[str, int]] = {}
    for name, value, _label, number in CHECKBOX.findall(unescape(response.text)):
        counts.setdefault(name, {})[value] = int(number)
    return counts


def test_the_boxes_have_counts_that_follow_the_other_filters(client, cases):
    shown = shown_counts(client, "/inquiries/")
    assert shown["procedure"] == {"normal": 1, "simplified": 2, "super_simplified": 1}
    assert shown["legal_basis"] == {"139/2004": 3, "4064/89": 1}
    # Another group narrows them; the group's own selection does not.
    shown = shown_counts(client, "/inquiries/?legal_basis=4064/89")
    assert shown["procedure"] == {"normal": 0, "simplified": 1, "super_simplified": 0}
    assert shown["legal_basis"] == {"139/2004": 3, "4064/89": 1}
    # On /deals/, deals with such a review.
    shown = shown_counts(client, "/deals/?procedure=simplified")
    assert shown["procedure"] == {"normal": 1, "simplified": 2, "super_simplified": 1}
    assert shown["legal_basis"] == {"139/2004": 1, "4064/89": 1}
    assert (shown["regulator"]["ec"], shown["regulator"]["cma"]) == (2, 0)


def test_each_active_filter_is_a_chip_that_removes_itself(client, cases):
    response = client.get("/inquiries/?procedure=simplified&legal_basis=4064/89")
    chips = {(chip.label, chip.value): chip.remove_query for chip in response.context["chips"]}
    assert chips == {
        ("Procedure", "Simplified procedure"): "legal_basis=4064%2F89",
        ("Regulation", "Council Regulation 4064/89 (the first merger regulation)"): (
            "procedure=simplified"
        ),
    }
    text = unescape(response.text)
    assert "Simplified procedure" in text and "Council Regulation 4064/89" in text


# --- Shown ----------------------------------------------------------------------------------


def test_the_deal_page_and_the_list_say_the_procedure_and_regulation(client, cases):
    page = client.get(Deal.objects.get(title="Simple / Deal").get_absolute_url())
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Merger review · Simplified procedure · " in text
    assert ">Reg. 139/2004</span>" in text
    assert 'title="Council Regulation 139/2004 (EU Merger Regulation)"' in text

    plain = client.get(Deal.objects.get(title="Plain / Deal").get_absolute_url())
    text = unescape(plain.text)
    assert "ME/5" in text  # the positive control: its row is there, without either
    assert "Reg. " not in text and "Simplified procedure" not in text

    listed = unescape(client.get("/inquiries/?regulator=ec").text)
    assert "Super-simplified procedure · " in listed and ">Reg. 4064/89</span>" in listed


def test_the_api_gives_each_inquiry_its_procedure_and_regulation(client, cases):
    rows = client.get("/api/v1/inquiries/?limit=100").json()["results"]
    by_reference = {row["reference"]: row for row in rows}
    old = by_reference["IV/M.4"]
    assert old["procedure"] == "simplified"
    assert old["procedure_label"] == "Simplified procedure"
    assert old["legal_basis"] == "4064/89"
    assert old["legal_basis_label"] == "Council Regulation 4064/89 (the first merger regulation)"
    plain = by_reference["ME/5"]
    assert (plain["procedure"], plain["legal_basis"]) == ("", "")
    assert (plain["procedure_label"], plain["legal_basis_label"]) == ("", "")
    # The deal's detail lists its inquiries with the same fields.
    detail = client.get("/api/v1/deals/").json()["results"][0]["api_url"]
    inquiries_of_deal = client.get(detail).json()["inquiries"]
    assert {"procedure", "legal_basis"} <= set(inquiries_of_deal[0])


def test_the_csv_has_a_procedure_and_a_regulation_column(client, cases):
    rows = {row["reference"]: row for row in csv_rows(client, "/inquiries/export.csv")}
    assert rows["M.3"]["procedure"] == "Super-simplified procedure"
    assert rows["M.3"]["legal_basis"] == "Council Regulation 139/2004 (EU Merger Regulation)"
    assert (rows["ME/5"]["procedure"], rows["ME/5"]["legal_basis"]) == ("", "")


# --- Admin ------------------------------------------------------------------------------------


def test_the_admin_edits_and_filters_by_procedure_and_regulation(client, editor, cases):
    inquiry = Inquiry.objects.get(reference="M.2")
    form = client.get(f"/admin/deals/inquiry/{inquiry.pk}/change/")
    assert form.status_code == 200
    fields = form.context["adminform"].form.fields
    assert {"procedure", "legal_basis", "phase_2_start_unknown"} <= set(fields)

    listed = client.get("/admin/deals/inquiry/?procedure__exact=simplified")
    assert listed.status_code == 200
    shown = {row.reference for row in listed.context["cl"].result_list}
    assert shown == {"M.2", "IV/M.4"}
    listed = client.get("/admin/deals/inquiry/?legal_basis__exact=4064%2F89")
    assert {row.reference for row in listed.context["cl"].result_list} == {"IV/M.4"}
    everything = client.get("/admin/deals/inquiry/")
    assert len(everything.context["cl"].result_list) == 5  # the positive control
