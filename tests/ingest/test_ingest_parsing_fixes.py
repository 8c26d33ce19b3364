"""Parties told right from the real samples: a three-way CMA title, an ACCC vendor."""

import json

from ingest.sources import accc, cma
from tests import FIXTURE_DIR

FIXTURES = FIXTURE_DIR
RICHEMONT = FIXTURES / "cma" / "publishing-api_cma-cases.json"
ACCC_LISTING = FIXTURES / "accc" / "acquisitions-register_2026-01-20.html"


def test_richemont_yoox_net_a_porter_is_a_merger_of_three_not_two_targets():
    [record] = cma.parse(RICHEMONT.read_bytes())
    assert record.deal.deal_type == "merger"
    assert [(p.name, p.role) for p in record.deal.parties] == [
        ("Richemont", "partner"),
        ("Yoox", "partner"),
        ("Net-A-Porter", "partner"),
    ]
    assert "check who acquires whom" in record.review_note


def test_a_three_name_title_whose_description_names_the_buyer_keeps_acquirer_and_targets():
    deal, note = cma.merger_deal(
        "A / B / C merger inquiry", "The CMA is investigating the acquisition by A of B and C."
    )
    assert [p.role for p in deal.parties] == ["acquirer", "target", "target"] and not note


def test_an_accc_vendor_listed_among_the_targets_is_the_seller():
    records = {r.inquiry.reference: r for r in accc.parse(ACCC_LISTING.read_bytes())}
    parties = {p.name: p.role for p in records["WA-70002"].deal.parties}
    assert parties == {
        "Ethos Bidco, Ltd": "acquirer",
        "EMIS Group Limited": "target",
        "UnitedHealth Group Incorporated (UHG)": "seller",
    }


def test_every_accc_matter_in_the_sample_keeps_at_least_one_target():
    for record in accc.parse(ACCC_LISTING.read_bytes()):
        if record.deal:
            assert any(p.role == "target" for p in record.deal.parties), record.inquiry.reference


def test_json_sample_is_the_richemont_case():
    assert json.loads(RICHEMONT.read_bytes())["title"].startswith("Richemont / Yoox")
