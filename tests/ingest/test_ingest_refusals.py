"""Unreadable or hostile files are refused with a clear message, and change nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from deals.models import Company, Deal, Event, Inquiry
from ingest.models import IngestRun, RawRecord
from ingest.sources import ftc_hsr, ftc_press
from ingest.sources.base import RefusedDocument
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR
BOMB = FIXTURES / "hostile" / "billion_laughs.xml"
EXTERNAL = FIXTURES / "hostile" / "external_entity.xml"


def everything() -> tuple[int, ...]:
    models = (RawRecord, Inquiry, Deal, Company, Event)
    return tuple(model.objects.count() for model in models)


@pytest.fixture
def some_data():
    call_command(
        "ingest",
        "ftc-hsr",
        "--from-file",
        str(FIXTURES / "ftc" / "hsr-early-termination-notices_snapshot1.xml"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return everything()


@pytest.mark.parametrize(
    ("source", "path"), [("ftc-hsr", BOMB), ("ftc-press", BOMB), ("ftc-press", EXTERNAL)]
)
def test_a_hostile_xml_file_is_refused_and_nothing_changes(some_data, source, path):
    with pytest.raises(CommandError) as refused:
        call_command("ingest", source, "--from-file", str(path), stdout=io.StringIO())

    assert "refused a hostile XML document" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert everything() == some_data
    run = IngestRun.objects.filter(source=source).latest("started_at")
    assert run.error.startswith("refused a hostile XML document") and run.records == 0


def test_the_parsers_never_expand_or_fetch_entities():
    for parse in (ftc_hsr.parse, ftc_press.parse):
        for path in (BOMB, EXTERNAL):
            with pytest.raises(RefusedDocument):
                parse(path.read_bytes())


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ("ec", b"<html>Not found</html>", "not a JSON document"),
        ("ec", b'{"items": [1, 2]}', "not an EC case dump"),
        ("cma", b"\xff\xfe garbage", "not a JSON document"),
        ("cma", b'{"results": []}', "not a GOV.UK Content API item"),
        ("ftc-hsr", b'{"json": "not xml"}', "not an XML document"),
        ("ftc-press", b"<html><body>maintenance</body></html>", "not an RSS feed"),
        ("doj", b"[]", "not a DOJ press-release API response"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_with_a_clear_message(
    tmp_path, some_data, source, content, message
):
    path = tmp_path / "response"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("ingest", source, "--from-file", str(path), stdout=io.StringIO())

    assert everything() == some_data


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("ingest", "ec", "--from-file", str(tmp_path / "nope.json"))
