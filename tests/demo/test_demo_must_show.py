"""DEMO_FACTS, "What the pages must show after these rows" (2026-12-06): on the deal pages, in
the API and in the CSV (issue 20)."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(demo_world):
    return demo_world


def phases_in_api(client, slug: str, regulator: str, reference: str = "") -> list[list]:
    """Each inquiry of the regulator on the deal (its API detail): [(label, start, end, how,
    outcome)] per phase, and whether it is superseded."""
    deal = client.get(f"/api/v1/deals/{slug}/").json()
    found = []
    for inquiry in deal["inquiries"]:
        if inquiry["regulator"]["short_name"] != regulator:
            continue
        if reference and inquiry["reference"] != reference:
            continue
        phases = [
            (p["label"], p["started_on"], p["ended_on"], p["ended_how"], p["outcome"])
            for p in inquiry["phases"]
        ]
        found.append((phases, inquiry["superseded_by"] is not None, inquiry))
    return found


def csv_rows(client, **query) -> list[dict]:
    text = b"".join(client.get("/inquiries/export.csv", query).streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_activisions_first_cma_inquiry_has_both_phases_prohibited_and_superseded(client):
    inquiries = phases_in_api(client, "microsoft-activision-blizzard", "CMA")
    [(phases, superseded, inquiry)] = [found for found in inquiries if found[1]]
    assert phases == [
        ("Phase 1", "2022-07-06", "2022-09-01", "next_phase", ""),
        ("Phase 2", "2022-09-15", "2023-04-26", "decision", "prohibited"),
    ]
    assert inquiry["outcome"] == "prohibited" and superseded
    page = client.get("/deals/microsoft-activision-blizzard/").text
    row = page[page.index(f'<tr id="inquiry-{inquiry["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>Phase 1</strong> 6 Jul 2022 – 1 Sep 2022" in row
    assert "<strong>Phase 2</strong> 15 Sep 2022 – 26 Apr 2023" in row
    # The CSV's phases column says the same.
    [csv_row] = [r for r in csv_rows(client, regulator="cma") if r["url"].endswith(inquiry["url"])]
    assert csv_row["phases"].startswith("phase_1 2022-07-06..2022-09-01")
    assert "phase_2 2022-09-15..2023-04-26" in csv_row["phases"]


def test_activisions_ec_review_has_phase_i_from_its_notification(client):
    [(phases, superseded, inquiry)] = phases_in_api(
        client, "microsoft-activision-blizzard", "EC", "M.10646"
    )
    assert [phase[:3] for phase in phases] == [
        ("Phase I", "2022-09-30", "2022-11-08"),
        ("Phase II", "2022-11-08", "2023-05-15"),
    ]
    page = client.get("/deals/microsoft-activision-blizzard/").text
    assert "<strong>Phase I</strong> 30 Sep 2022 – 8 Nov 2022" in page


def test_broadcom_vmwares_ftc_review_is_cleared_by_the_waiting_periods_expiry(client):
    [(phases, _, inquiry)] = phases_in_api(client, "broadcom-vmware", "FTC")
    assert inquiry["outcome"] == "cleared" and inquiry["closed_on"] == "2023-08-21"
    assert inquiry["state"] == "Cleared 21 Aug 2023"
    page = client.get("/deals/broadcom-vmware/").text
    assert "FTC" in page and "Cleared 21 Aug 2023" in page
    assert "State not published" not in page


def test_getty_shutterstock_is_abandoned_and_its_cma_review_closed_in_may_2026(client):
    deal = client.get("/api/v1/deals/getty-images-shutterstock/").json()
    assert deal["status"] == "abandoned"
    [(phases, _, inquiry)] = phases_in_api(client, "getty-images-shutterstock", "CMA")
    assert inquiry["outcome"] == "cleared_with_remedies" and not inquiry["is_open"]
    assert (inquiry["closed_on"], inquiry["closed_on_precision"]) == ("2026-05-31", "month")
    assert inquiry["state"] == "Cleared with remedies May 2026"
    assert phases[-1][3:] == ("decision", "cleared_with_remedies")
    page = client.get("/deals/getty-images-shutterstock/").text
    assert "Cleared with remedies May 2026" in page
    assert "31 May 2026" not in page  # never a made-up day
    [row] = [r for r in csv_rows(client, regulator="cma") if r["url"].endswith(inquiry["url"])]
    assert row["closed_on"] == "2026-05"


def test_paramount_is_under_review_and_its_ec_deadline_passed_with_no_decision(client):
    deal = client.get("/api/v1/deals/paramount-warner-bros-discovery/").json()
    assert deal["status"] == "under_review"
    [(phases, _, inquiry)] = phases_in_api(client, "paramount-warner-bros-discovery", "EC")
    assert inquiry["is_open"] and inquiry["next_deadline_on"] == "2026-07-07"
    assert inquiry["next_deadline_source"] == "published"
    stale = "decision due 7 Jul 2026; no decision recorded; last checked 6 Dec 2026"
    assert stale in inquiry["flags"]
    assert client.get("/deals/paramount-warner-bros-discovery/").text.count(stale) >= 1
    # Phase I from a notification known to the month only: shown as June 2026, no day made up.
    assert phases[0][1] == "2026-06-30"
    assert "June 2026" in client.get("/deals/paramount-warner-bros-discovery/").text
    [row] = [r for r in csv_rows(client, regulator="ec") if r["url"].endswith(inquiry["url"])]
    assert row["next_deadline_on"] == "2026-07-07" and stale in row["flags"]
    assert row["phases"].startswith("phase_1 2026-06..")
