"""Registers that close without a decision: an ACCC matter or a CMA merger case the source shows
closed with no determination published is a merger review that ended without a decision
(closed, no action, in the register's own words), never an informal look or "no formal
review"; a matter with a determination keeps its outcome."""

import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from deals.models import Inquiry
from deals.vocabulary import AntitrustStatus, InquiryKind, Outcome, Stage, status_errors
from ingest.sources import accc, cma
from tests import FIXTURE_DIR

ACCC_FIXTURES = FIXTURE_DIR / "accc"
ASAHI = ACCC_FIXTURES / "matter_MN-01016.html"
RICHEMONT = FIXTURE_DIR / "cma" / "publishing-api_cma-cases.json"


def accc_matter_pages() -> list:
    """Every ACCC matter page among the fixtures (listing pages and other sources left out)."""
    pages = []
    for path in sorted(FIXTURE_DIR.rglob("*.htm*")):
        try:
            soup = accc.soup_of(path.read_bytes())
        except Exception:  # noqa: BLE001 - not a page this parser reads
            continue
        if accc.is_matter(soup):
            pages.append(path)
    return pages


def test_every_accc_matter_page_in_the_fixtures_maps_to_a_closed_review_with_an_outcome_or_open():
    pages = accc_matter_pages()
    assert len(pages) == 2  # matter_MN-01016.html, matter_MN-75002_2026-01-20.html

    seen = {}
    for path in pages:
        [record] = accc.parse(path.read_bytes())
        inquiry, raw = record.inquiry, record.raw
        seen[inquiry.reference] = (inquiry.stage, inquiry.outcome)
        assert inquiry.kind == InquiryKind.MERGER_REVIEW, path.name
        assert status_errors(kind=inquiry.kind, stage=inquiry.stage, outcome=inquiry.outcome) == {}
        assert inquiry.status_wording.startswith(raw["status"]), path.name  # the ACCC's words
        if inquiry.stage == Stage.CLOSED:
            assert inquiry.outcome, f"{path.name}: closed with no outcome"
            if not raw["determination"]:
                assert inquiry.outcome == Outcome.CLOSED_NO_ACTION, path.name
        else:
            assert inquiry.outcome == "", path.name
    # Positive control: the matter with a determination keeps its outcome.
    assert seen == {"MN-01016": (Stage.CLOSED, Outcome.CLEARED), "MN-75002": (Stage.PHASE_1, "")}


def asahi_without_its_determination() -> bytes:
    """The real Asahi matter page with its "ACCC determination" field taken out."""
    soup = BeautifulSoup(ASAHI.read_bytes(), "html.parser")
    soup.select_one(".field--name-field-acccgov-acquisition-deter").decompose()
    return str(soup).encode()


def test_an_accc_matter_completed_with_no_determination_ended_without_a_decision():
    [record] = accc.parse(asahi_without_its_determination())
    inquiry = record.inquiry
    assert record.raw["determination"] == ""
    assert (inquiry.kind, inquiry.stage, inquiry.outcome) == (
        InquiryKind.MERGER_REVIEW,
        Stage.CLOSED,
        Outcome.CLOSED_NO_ACTION,
    )
    assert inquiry.status_wording == "Assessment completed (Phase 1 - initial assessment)"
    # Positive control: the page as served keeps its determination.
    [served] = accc.parse(ASAHI.read_bytes())
    assert served.inquiry.outcome == Outcome.CLEARED


def test_a_listing_row_still_cannot_speak_for_the_outcome():
    listing = ACCC_FIXTURES / "acquisitions-register_2026-01-20.html"
    records = {r.inquiry.reference: r.inquiry for r in accc.parse(listing.read_bytes())}
    assert (records["MN-01016"].stage, records["MN-01016"].outcome) == (Stage.CLOSED, "")
    assert "outcome" in records["MN-01016"].unknown


@pytest.mark.django_db
def test_the_deal_of_a_matter_closed_without_a_determination_is_not_reviewable(tmp_path):
    page = tmp_path / "matter.html"
    page.write_bytes(asahi_without_its_determination())
    call_command("ingest", "accc", "--from-file", str(page), stdout=io.StringIO())

    inquiry = Inquiry.objects.get(regulator__slug="accc", reference="MN-01016")
    assert (inquiry.stage, inquiry.outcome) == (Stage.CLOSED, Outcome.CLOSED_NO_ACTION)
    assert inquiry.deal.antitrust_status == AntitrustStatus.NOT_REVIEWABLE
    assert inquiry.deal.antitrust_status != AntitrustStatus.NO_FORMAL_REVIEW
    assert inquiry.state_text().startswith("Closed, no action")


def cma_case(**metadata) -> dict:
    """A CMA case as the Content API serves it (the real Richemont sample), changed so."""
    item = json.loads(RICHEMONT.read_bytes())
    item["details"]["metadata"].update(metadata)
    return item


def test_a_cma_merger_case_closed_with_no_outcome_ended_without_a_decision():
    item = cma_case(case_type="mergers", case_state="closed")
    item["details"]["metadata"].pop("outcome_type", None)

    case = cma.parse_item(item).inquiry

    assert (case.kind, case.stage, case.outcome) == (
        InquiryKind.MERGER_REVIEW,
        Stage.CLOSED,
        Outcome.CLOSED_NO_ACTION,
    )
    assert case.status_wording == "Closed"  # the CMA says no more
    # Positive controls: a cleared merger keeps its outcome; a closed conduct case is not
    # turned into a merger review's end.
    cleared = cma_case(
        case_type="mergers", case_state="closed", outcome_type="mergers-phase-1-clearance"
    )
    assert cma.parse_item(cleared).inquiry.outcome == Outcome.CLEARED
    conduct = cma_case(case_type="ca98-and-civil-cartels", case_state="closed")
    conduct["details"]["metadata"].pop("outcome_type", None)
    assert cma.parse_item(conduct).inquiry.outcome == ""
