"""The public API: the same rows as the pages for the same query string, a cursor that walks
them all, its OpenAPI schema valid, and hostile input a 4xx."""

import datetime
import json

import pytest
from openapi_spec_validator import validate

from tests.factories import (
    DealFactory,
    InquiryFactory,
    PartyFactory,
    cma,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
TODAY = datetime.date.today()


def page_titles(client, query: str) -> list[str]:
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 200
    return [deal.title for deal in response.context["page"].object_list]


def api_titles(client, query: str, limit: int = 2) -> list[str]:
    """Every row the API gives, following `next` (small pages, to exercise the cursor)."""
    url = f"/api/v1/deals/?{query}&limit={limit}" if query else f"/api/v1/deals/?limit={limit}"
    titles = []
    for _ in range(50):
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        titles += [row["title"] for row in body["results"]]
        if not body["next"]:
            return titles
        url = body["next"]
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=microsoft",
        "q=fitbit+google",
        "q=uk",
        "q=ME%2F7108",
        "regulator=cma",
        "regulator=ec&regulator=ftc",
        "jurisdiction=GB",
        "jurisdiction=UK",
        "jurisdiction=EU&jurisdiction=US",
        "status=abandoned",
        "status=in_depth_review&status=not_reviewable",
        "type=partnership",
        "type=acquisition&type=merger",
        "life=announced",
        "sector=Software",
        "company=microsoft",
        "company=Microsoft",
        "company=google",
        "company=MSFT",
        "announced_after=2022-01-01",
        "announced_before=2022-12-31",
        "sort=name",
        "sort=-name",
        "sort=status",
        "sort=-status",
        "sort=announced",
        "sort=-announced",
        "sort=activity",
        "sort=-activity",
        "sort=deadline",
        "sort=-deadline",
        "q=microsoft&sort=name",
        "regulator=cma&status=in_depth_review&type=acquisition",
    ],
)
def test_the_api_gives_the_same_rows_as_the_page_for_the_same_query(client, query):
    page = page_titles(client, query)
    assert api_titles(client, query) == page
    assert "Hidden / Deal" not in page


def test_the_inquiry_api_gives_the_same_rows_as_the_inquiry_page(client):
    for query in ["", "regulator=cma", "q=microsoft", "stage=phase_2", "jurisdiction=UK",
                  "sort=deadline", "sort=-regulator", "company=google"]:  # fmt: skip
        page = client.get(f"/inquiries/?{query}").context["page"].object_list
        rows = client.get(f"/api/v1/inquiries/?{query}&limit=100").json()["results"]
        assert [row["id"] for row in rows] == [inquiry.pk for inquiry in page], query


def test_a_deal_in_the_api_has_its_parties_jurisdictions_and_next_deadline(client):
    row = client.get("/api/v1/deals/?q=activision").json()["results"][0]
    assert row["title"] == "Microsoft / Activision Blizzard"
    assert row["status"] == "in_depth_review" and row["status_label"] == "In-depth review"
    assert row["parties"][0] == {"company": "microsoft", "name": "Microsoft", "role": "acquirer"}
    assert [line["short_name"] for line in row["jurisdictions"]] == ["EC", "CMA", "FTC"]
    assert row["next_deadline_on"] == (TODAY + datetime.timedelta(days=10)).isoformat()
    assert row["url"].endswith("/deals/microsoft-activision-blizzard/")
    detail = client.get(row["api_url"]).json()
    assert [event["title"] for event in detail["timeline"]] == ["Announced", "Phase 2 opened"]
    assert {inquiry["reference"] for inquiry in detail["inquiries"]} == {
        "ME/6999/22",
        "M.10646",
        "D-9412",
    }


def test_companies_regulators_and_events_are_listed(client):
    companies = client.get("/api/v1/companies/?q=micro").json()["results"]
    assert companies[0]["name"] == "Microsoft" and companies[0]["tickers"] == ["MSFT"]
    assert "Microsoft Corporation" in companies[0]["aliases"]
    assert client.get("/api/v1/companies/?q=goog").json()["results"][0]["slug"] == "alphabet"
    regulators = client.get("/api/v1/regulators/?jurisdiction=UK").json()["results"]
    assert [r["slug"] for r in regulators] == ["cma"]
    assert regulators[0]["jurisdiction_name"] == "United Kingdom"
    events = client.get("/api/v1/events/?company=microsoft").json()["results"]
    assert [event["title"] for event in events] == [  # Microsoft's two deals, newest first
        "Does not qualify for investigation",
        "The Commission will analyse the agreement",
        "Partnership announced",
        "Phase 2 opened",
        "Announced",
    ]
    phase_2 = events[3]
    assert phase_2["deal"]["slug"] == "microsoft-activision-blizzard"
    assert phase_2["regulator"] == "cma"
    assert client.get("/api/v1/events/?company=alphabet").json()["results"] == []  # none
    assert client.get("/api/v1/events/?regulator=cma&kind=phase_2_opened").json()["results"]


def test_a_cursor_walks_every_row_once_in_order_whatever_the_sort(client):
    for n in range(12):
        DealFactory(title=f"Same Day {n:02}", announced_on=datetime.date(2021, 6, 1))
    for sort in ["-announced", "name", "status", "deadline", "-activity"]:
        walked = api_titles(client, f"sort={sort}", limit=3)
        assert len(walked) == len(set(walked)) == 17, sort
        assert walked == page_titles(client, f"sort={sort}")


def test_the_schema_is_a_valid_openapi_document_with_docs_beside_it(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert {"/api/v1/deals/", "/api/v1/inquiries/", "/api/v1/events/", "/api/v1/companies/",
            "/api/v1/regulators/"} <= set(schema["paths"])  # fmt: skip
    parameters = {p["name"] for p in schema["paths"]["/api/v1/deals/"]["get"]["parameters"]}
    assert {"q", "company", "regulator", "jurisdiction", "status", "type", "sort", "cursor"} <= (
        parameters
    )
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "<script>" not in docs.text and "<style>" not in docs.text  # CSP: files only
    script = client.get("/api/v1/docs/?script")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/deals/?statuss=cleared", 400),
        ("/api/v1/deals/?status=exploded", 400),
        ("/api/v1/deals/?company=no-such-company", 400),
        ("/api/v1/deals/?regulator=%00", 400),
        ("/api/v1/deals/?q=%00", 400),
        ("/api/v1/deals/?company=%00", 400),
        ("/api/v1/deals/?jurisdiction=%00", 400),
        ("/api/v1/deals/?sector=%00", 400),
        ("/api/v1/deals/?announced_after=99999-01-01", 400),
        ("/api/v1/deals/?limit=0", 400),
        ("/api/v1/deals/?limit=101", 400),
        ("/api/v1/deals/?limit=99999999999999999999", 400),
        ("/api/v1/deals/?limit=", 400),
        ("/api/v1/deals/?cursor=garbage", 400),
        ("/api/v1/deals/?cursor=" + "x" * 5000, 400),
        ("/api/v1/deals/?q=" + "x" * 300, 400),
        ("/api/v1/inquiries/99999999999999999999/", 404),
        ("/api/v1/inquiries/abc/", 404),
        ("/api/v1/inquiries/999999/", 404),
        ("/api/v1/deals/%00/", 404),
        ("/api/v1/deals/no-such-deal/", 404),
        ("/api/v1/nothing-here/", 404),
        ("/api/v1/events/?deal=%00", 400),
    ],
)
def test_hostile_input_is_a_4xx_with_json_never_a_500(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")


def test_a_cursor_from_another_sort_or_a_forged_one_is_refused(client):
    next_url = client.get("/api/v1/deals/?limit=1").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    assert client.get(f"/api/v1/deals/?limit=1&cursor={cursor}").status_code == 200
    assert client.get(f"/api/v1/deals/?limit=1&sort=name&cursor={cursor}").status_code == 400
    assert client.get(f"/api/v1/deals/?limit=1&cursor={cursor[:-2]}xx").status_code == 400


def test_unpublished_deals_and_their_inquiries_stay_out_of_the_api(client):
    assert client.get("/api/v1/deals/hidden-deal/").status_code == 404
    hidden = DealFactory(title="Secret / Deal", is_published=False)
    inquiry = InquiryFactory(deal=hidden, regulator=cma(), reference="SECRET")
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert client.get("/api/v1/inquiries/?q=secret").json()["results"] == []


def test_a_page_of_the_api_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(30):
        deal = DealFactory(title=f"Deal {n}")
        PartyFactory(deal=deal)
        InquiryFactory(deal=deal, regulator=cma(), deadline_on=TODAY)
    for url in ["/api/v1/deals/?limit=100", "/api/v1/deals/?q=deal&sort=deadline&limit=100",
                "/api/v1/inquiries/?limit=100", "/api/v1/events/?limit=100",
                "/api/v1/companies/?limit=100", "/api/v1/regulators/"]:  # fmt: skip
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_what_the_tests_above_wrote_is_gone_and_the_world_is_intact():
    """Last in the module: the world is built once, each test's own rows are rolled back."""
    from deals.models import Deal

    assert sorted(Deal.objects.values_list("title", flat=True)) == [
        "Adobe / Figma",
        "Google / Fitbit",
        "Hidden / Deal",
        "Microsoft / Activision Blizzard",
        "Microsoft / Mistral AI",
        "Undated / Deal",
    ]  # not the "Same Day", "Deal n" or "Secret / Deal" rows the tests above added
