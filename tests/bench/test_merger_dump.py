"""bench/merger_dump.py: the generated EC merger dump that `make bench-ingest` applies (issue 21)
is deterministic, in the Commission's encoding, and read by the ec-mergers source without a bad
record."""

import io
import json

from bench.merger_dump import dump_write
from ingest.sources import get_source
from ingest.sources.base import Skipped


def dump(cases=50, seed=21) -> bytes:
    out = io.BytesIO()
    dump_write(out, cases=cases, seed=seed)
    return out.getvalue()


def parsed(source: str, document: bytes) -> list:
    """What the pipeline gets from the source (ingest.pipeline.run.source_records, no database)."""
    module = get_source(source)
    if hasattr(module, "split"):
        return [module.parse_unparsed(item) for item in module.split(document)]
    return module.parse(document)


def test_the_same_seed_writes_the_same_bytes():
    assert dump(seed=21) == dump(seed=21)
    assert dump(seed=21) != dump(seed=22)


def test_it_writes_the_commissions_encoding():
    document = dump()
    assert document.startswith(b'{\n"M.1" :{\n  "metadata" : {\n    "caseLastDecisionDate" : [')
    data = json.loads(document)
    assert list(data) == [f"M.{n}" for n in range(1, 51)]
    metadata = [case["metadata"] for case in data.values()]
    metadata += [d["metadata"] for case in data.values() for d in case["decisions"]]
    metadata += [
        a["metadata"]
        for case in data.values()
        for d in case["decisions"]
        for a in d["decisionAttachments"]
    ]
    for fields in metadata:
        for value in fields.values():
            assert isinstance(value, list) and all(isinstance(item, str) for item in value)
    decisions = [d["metadata"] for case in data.values() for d in case["decisions"]]
    typed = [json.loads(t) for d in decisions for t in d["decisionTypes"]]
    assert {"code", "label"} == set(typed[0]) and typed[0]["code"].startswith("DecisionType")
    # Most cases: the notification (no date, no type), then the decision itself.
    notices = [d for d in decisions if not d["decisionAdoptionDate"]]
    assert all(not d["decisionTypes"] for d in notices) and len(notices) > 40


def test_about_3_8_kb_a_case_as_the_real_dump():
    assert 3_400 < len(dump(cases=500)) / 500 < 4_200


def test_the_ec_mergers_source_reads_every_case_without_a_bad_record():
    records = parsed("ec-mergers", dump())
    assert [r for r in records if isinstance(r, Skipped)] == []
    assert [r.inquiry.reference for r in records] == [f"M.{n}" for n in range(1, 51)]
    assert all(r.deal is not None for r in records)  # every title names two parties or more
    # The only warnings: the notification entries, left off the timeline.
    warnings = [warning for r in records for warning in r.warnings]
    assert len(warnings) > 40 and all("has no adoption date" in w for w in warnings)
