"""Imports no editor has checked are marked as such on the public pages."""

import io

import pytest
from django.core.management import call_command

from deals.models import Deal
from tests import FIXTURE_DIR, REPO_ROOT

pytestmark = pytest.mark.django_db

HSR = FIXTURE_DIR / "ftc" / "hsr-early-termination-notices_snapshot1.xml"


def test_an_imported_deal_says_where_it_comes_from_and_that_no_editor_checked_it(client):
    call_command("ingest", "ftc-hsr", "--from-file", str(HSR), stdout=io.StringIO())
    deal = Deal.objects.filter(needs_review=True, is_published=True).first()
    page = client.get(deal.get_absolute_url()).text
    assert (
        "Imported from the FTC HSR early-termination notices, not yet checked by an editor" in page
    )
    assert "imported, not yet checked by an editor" in client.get("/deals/").text


def test_a_checked_deal_carries_no_mark(client):
    call_command("ingest", "ftc-hsr", "--from-file", str(HSR), stdout=io.StringIO())
    Deal.objects.update(needs_review=False)
    deal = Deal.objects.first()
    assert "not yet checked" not in client.get(deal.get_absolute_url()).text


def test_a_setting_keeps_imports_unpublished(client, settings):
    settings.INGEST_PUBLISH_NEW_DEALS = False
    call_command("ingest", "ftc-hsr", "--from-file", str(HSR), stdout=io.StringIO())
    assert Deal.objects.exists() and not Deal.objects.filter(is_published=True).exists()


def test_a_deal_without_an_announced_date_sorts_by_its_first_event(client):
    import datetime

    from tests.factories import DealFactory, EventFactory

    old = DealFactory(title="Announced long ago", announced_on=datetime.date(2020, 1, 1))
    undated = DealFactory(title="Imported undated", announced_on=None)
    EventFactory(deal=undated, occurred_on=datetime.date(2025, 6, 1))
    undated.refresh_from_db()
    assert undated.first_known_on == datetime.date(2025, 6, 1)
    page = client.get("/deals/?sort=-announced").text
    assert page.index("Imported undated") < page.index("Announced long ago")
    assert list(Deal.objects.values_list("title", flat=True)[:2]) == [undated.title, old.title]


def test_where_a_deal_was_imported_from_is_ingest_s_answer_to_the_deals_hook(monkeypatch):
    from deals import hooks
    from ingest.hooks import deal_imported_from

    call_command("ingest", "ftc-hsr", "--from-file", str(HSR), stdout=io.StringIO())
    deal = Deal.objects.filter(needs_review=True).first()
    assert deal_imported_from in hooks._imported_from  # registered by IngestConfig.ready
    assert hooks.imported_from(deal) == ["FTC HSR early-termination notices"]
    monkeypatch.setattr(hooks, "_imported_from", [])  # without ingest, deals says nothing
    assert hooks.imported_from(deal) == []


def test_deals_imports_no_module_of_ingest():
    import ast

    root = REPO_ROOT / "deals"
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            found += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "ingest"]
        if '"ingest"' in path.read_text() and "get_model" in path.read_text():
            found.append(f"{path.name}: get_model of ingest")
    assert found == []
    assert any(path.name == "hooks.py" for path in root.rglob("*.py"))  # the walk reads deals
