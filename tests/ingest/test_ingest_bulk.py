"""Ingest in bulk: a batch costs a fixed number of queries per record, and refreshing each deal
once per batch leaves what refreshing it on every save left."""

import contextlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalRecords

from deals.history import M2MHistoricalRecords
from deals.models import Company, CompanyAlias, Deal, Event, Inquiry, Party, Regulator, StatusChange
from ingest.models import AppliedValues, RawRecord
from ingest.pipeline import batch as batch_module
from ingest.pipeline import cases, companies, ingest_run, records
from ingest.pipeline.batch import BATCH_SIZE, Batch
from tests import FIXTURE_DIR
from tests.ingest_samples import samples

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR
EC_DUMP = json.loads((FIXTURES / "ec" / "case-data-AT.json").read_bytes())
# Every source's quick samples, the EC's first (its companies are made in bulk) and again later
# (a re-run changes nothing).
RUNS = sorted(samples(small=True), key=lambda sample: sample[0] != "ec")
RUNS.append(RUNS[0])


def ec_cases(
    numbers: range, companies=lambda n: [f"Maker {n} Corporation", f"Buyers {n} Association"]
) -> bytes:
    """A dump of one real case (two companies, two decisions) under other numbers, each with
    companies of its own: records that cost the same to apply."""
    case = json.dumps(EC_DUMP["AT.39294"])
    cases = {}
    for n in numbers:
        copy = json.loads(case.replace("39294", str(90000 + n)))
        copy["metadata"]["caseCompanies"] = companies(n)
        copy["metadata"]["caseTitle"] = [f"Maker {n} (complaint)"]
        cases[f"AT.{90000 + n}"] = copy
    return json.dumps(cases).encode()


TWO_BATCHES = range(100, 100 + BATCH_SIZE + 50)


def queries_per_record(document: bytes) -> float:
    with CaptureQueriesContext(connection) as queries:
        run = ingest_run(source="ec", documents=[document], trigger="file")
    assert run.errors == 0 and run.new == run.records
    return len(queries) / run.records


def test_a_batch_costs_the_same_queries_per_record_however_many_records_it_has():
    few = queries_per_record(ec_cases(range(0, 5)))
    many = queries_per_record(ec_cases(TWO_BATCHES))

    # What a batch shares is read, created (its companies and the rows of its new cases, with
    # their history) and refreshed once, so more cost no more. The refresh reads each inquiry's
    # events, clock stops and stored phases and writes its phases (deals/phases.py), once per
    # batch: 9.4 a record in a batch of five on PostgreSQL before the rows went in bulk.
    assert many <= few <= 10


def test_the_rows_of_new_cases_cost_statements_per_batch_not_per_record():
    many = queries_per_record(ec_cases(TWO_BATCHES))

    # Records, inquiries, companies and their history rows: one insert per kind and batch (0.6
    # a record on SQLite; saving each record one by one made six or more).
    assert many < 1
    assert RawRecord.objects.count() == Inquiry.objects.count() == len(TWO_BATCHES)  # a control
    assert Inquiry.history.filter(history_type="+").count() == len(TWO_BATCHES)


def test_a_batch_writes_each_new_inquiry_once_after_inserting_it():
    with CaptureQueriesContext(connection) as queries:
        run = ingest_run(source="ec", documents=[ec_cases(range(0, 50))], trigger="file")

    # Its derived fields, search document (and on PostgreSQL its vector) and revision in one
    # UPDATE for the batch (deals/row_writes.py); there were four.
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len([sql for sql in updates if sql.startswith('UPDATE "deals_inquiry"')]) == 1
    assert run.new == 50  # a positive control: what the one write gave each of them
    rows = Inquiry.objects.filter(reference__startswith="AT.900")
    assert rows.count() == 50
    assert not rows.filter(search_document="").exists()
    assert not rows.filter(revision=0).exists()
    assert not rows.filter(last_activity_on=None).exists()
    assert Inquiry.objects.search("complaint").count() == 50


def test_an_unchanged_rerun_decides_in_a_fixed_number_of_queries():
    document = ec_cases(range(0, 60))
    ingest_run(source="ec", documents=[document], trigger="file")

    with CaptureQueriesContext(connection) as queries:
        run = ingest_run(source="ec", documents=[document], trigger="file")

    assert (run.unchanged, run.new, run.changed) == (60, 0, 0)
    assert len(queries) <= 4  # the run row twice, the stored digests, "seen" for all


def words(rows):
    """Rows whose last value is a search document, with its words sorted: the two passes give
    companies other ids, and Django adds an inquiry's companies in an order that follows them."""
    return sorted(((*row[:-1], sorted(row[-1].split())) for row in rows), key=repr)


def everything() -> dict:
    """What the runs made, by natural keys (the two passes number rows differently)."""
    deal_title = dict(Deal.objects.values_list("pk", "title"))
    return {
        "deals": words(
            Deal.objects.values_list(
                "title",
                "antitrust_status",
                "stored_states",
                "last_activity_on",
                "first_known_on",
                "needs_review",
                "search_document",
            )
        ),
        "inquiries": words(
            Inquiry.objects.values_list(
                "regulator__slug",
                "reference",
                "title",
                "stage",
                "outcome",
                "deal__title",
                "last_activity_on",
                "search_document",
            )
        ),
        "status changes": sorted(
            (
                (deal_title[deal], regulator or 0, old, new)
                for deal, regulator, old, new in StatusChange.objects.values_list(
                    "deal", "regulator", "old_value", "new_value"
                )
            ),
        ),
        "events": sorted(
            Event.objects.values_list("title", "occurred_on", "timeline_deal__title"), key=repr
        ),
        "companies": sorted(
            Company.objects.values_list("name", "slug", "parent__name", "needs_review"), key=repr
        ),
        "company history": sorted(
            Company.history.values_list("name", "slug", "history_type", "needs_review"), key=repr
        ),
        "inquiry history": sorted(
            Inquiry.history.values_list("reference", "history_type", "stage"), key=repr
        ),
        "inquiry company history": sorted(
            apps.get_model("deals", "HistoricalInquiry_companies").objects.values_list(
                "history__reference", "history__history_type", "company__name"
            ),
            key=repr,
        ),
        "aliases": sorted(CompanyAlias.objects.values_list("company__name", "name")),
        "records": sorted(
            RawRecord.objects.values_list(
                "source", "external_id", "review_status", "review_note", "suggestion_score"
            )
        ),
    }


class Undo(Exception):
    pass


# Names that come back in one batch: a group and its regional arm, a former name, a product.
GROUPED = ec_cases(
    range(0, 12),
    lambda n: [
        f"Maker {n % 3}",
        f"Maker {n % 3} Europe",
        f"Maker {n % 3} (ex: Old Maker {n % 3})",
        f"Old Maker {n % 3}",
        f"Maker {n % 3}'s Widget",
        f"Buyers {n} Association",
    ],
)


def ingest_all(documents=(), *, read=everything) -> dict:
    """Apply `documents`, then every sample, `read()` what they made, and undo it all."""
    try:
        with transaction.atomic():
            runs = [(source, path.read_bytes()) for source, path in RUNS]
            for source, document in [*documents, *runs]:
                run = ingest_run(source=source, documents=[document], trigger="file")
                assert run.errors == 0, run.problems
            found = read()
            raise Undo
    except Undo:
        return found


@pytest.mark.slow
def test_refreshing_each_deal_once_per_batch_leaves_what_refreshing_on_every_save_left(
    monkeypatch,
):
    deferred = ingest_all([("ec", GROUPED)])
    with monkeypatch.context() as patched:  # every save refreshes its deal, as before batches
        patched.setattr(records, "derived_fields_deferred", contextlib.nullcontext)
        patched.setattr(records, "companies_bulk_create", lambda **kwargs: 0)
        patched.setattr(
            cases,
            "_companies_add",
            lambda inquiry, companies, **kwargs: inquiry.companies.add(*companies),
        )
        patched.setattr(  # django-simple-history's own m2m history rows
            M2MHistoricalRecords,
            "create_historical_record_m2ms",
            HistoricalRecords.create_historical_record_m2ms,
        )
        per_save = ingest_all([("ec", GROUPED)])

    assert deferred["status changes"]  # a positive control: the runs do change statuses
    assert ("", "~", "Richemont") in deferred["inquiry company history"]
    assert ("Maker 1 Europe", "Maker 1") in [c[::2][:2] for c in deferred["companies"]]
    assert deferred == per_save


def test_companies_of_a_batch_are_created_in_bulk_as_one_by_one(monkeypatch):
    calls = []
    insert = companies.rows_insert
    monkeypatch.setattr(
        companies,
        "rows_insert",
        lambda model, objs: calls.append(len(objs)) or insert(model, objs),
    )
    run = ingest_run(source="ec", documents=[GROUPED], trigger="file")

    assert run.new == 12 and run.errors == 0
    assert sum(calls) == Company.objects.count() == 12 + 3 * 2  # groups first, then the rest
    assert Company.objects.get(name="Maker 2 Europe").parent.name == "Maker 2"
    assert Company.objects.get(name="Maker 2").aliases.get().name == "Old Maker 2"
    assert Company.history.filter(history_type="+").count() == Company.objects.count()


def test_a_record_failing_after_its_companies_were_made_in_bulk_leaves_none_of_them(monkeypatch):
    merge = cases._inquiry_merge

    def fail_one(inquiry, record, **kwargs):
        merge(inquiry, record, **kwargs)  # its inquiry made, its companies to be linked
        if record.external_id.endswith("90003"):
            raise RuntimeError("boom")

    monkeypatch.setattr(cases, "_inquiry_merge", fail_one)
    run = ingest_run(source="ec", documents=[ec_cases(range(0, 6))], trigger="file")

    assert (run.new, run.errors) == (5, 1)
    assert "boom" in run.problems[0]["reason"]
    names = set(Company.objects.values_list("name", flat=True))
    assert "Maker 4 Corporation" in names and "Maker 3 Corporation" not in names
    assert not Company.history.filter(name="Maker 3 Corporation").exists()
    assert Inquiry.companies.through.objects.count() == 5 * 2
    assert not Inquiry.history.filter(reference="AT.90003").exists()


# --- Inserting in bulk: the same rows as saving one by one ---------------------------------


def keys_of() -> dict:
    """Each object's natural key, by model and id (two runs number their rows differently)."""
    deal = dict(Deal.objects.values_list("pk", "title"))
    inquiry = {
        pk: (slug, reference, title, url)
        for pk, slug, reference, title, url in Inquiry.objects.values_list(
            "pk", "regulator__slug", "reference", "title", "source_url"
        )
    }
    return {
        "deal": deal,
        "inquiry": inquiry,
        "company": dict(Company.objects.values_list("pk", "name")),
        "event": {
            pk: (title, day, inquiry.get(inq), deal.get(dl))
            for pk, title, day, inq, dl in Event.objects.values_list(
                "pk", "title", "occurred_on", "inquiry", "deal"
            )
        },
        "party": {
            pk: (deal[dl], name, role)
            for pk, dl, name, role in Party.objects.values_list(
                "pk", "deal", "company__name", "role"
            )
        },
        "regulator": dict(Regulator.objects.values_list("pk", "slug")),
        "statuschange": {},
    }


UNCOMPARED = {"history_id", "history_date", "created_at", "updated_at", "recorded_at"}


def history_rows() -> dict:
    """Every history row the runs wrote, with ids as natural keys, in each object's order."""
    keys = keys_of()
    found = {}
    for model in (Deal, Party, Company, Inquiry, Event):
        history = model.history.model
        name = model._meta.model_name
        fields = [f for f in history._meta.concrete_fields if f.name not in UNCOMPARED]
        rows = {}
        for row in history.objects.order_by("history_id"):
            values = []
            for field in fields:
                value = getattr(row, field.attname)
                target = getattr(field.related_model, "_meta", None)
                if field.attname == "id":
                    value = keys[name].get(value, value)
                elif target is not None and target.model_name in keys:
                    value = keys[target.model_name].get(value, value)
                values.append((field.name, value))
            rows.setdefault(keys[name].get(row.id), []).append(values)
        found[name] = sorted(rows.items(), key=repr)
    found["inquiry companies"] = sorted(
        apps.get_model("deals", "HistoricalInquiry_companies").objects.values_list(
            "history__reference", "history__history_type", "company__name"
        ),
        key=repr,
    )
    found["status changes"] = sorted(
        (
            (keys["deal"][deal], keys["regulator"].get(reg), old, new, cause)
            + (keys["inquiry"].get(inq), keys["event"].get(event))
            for deal, reg, old, new, cause, inq, event in StatusChange.objects.values_list(
                "deal", "regulator", "old_value", "new_value", "cause", "inquiry", "event"
            )
        ),
        key=repr,
    )
    found["records"] = sorted(
        (
            (raw.source, raw.external_id, raw.title, raw.summary, raw.review_status)
            + (keys["inquiry"].get(raw.inquiry_id), keys["deal"].get(raw.deal_id))
            + (
                keys["inquiry"].get(raw.mapped.get("inquiry")),
                keys["deal"].get(raw.mapped.get("deal")),
                sorted((k, keys["event"][v]) for k, v in raw.mapped.get("events", {}).items()),
                raw.conflicts,
            )
            for raw in RawRecord.objects.all()
        ),
        key=repr,
    )
    found["applied"] = sorted(
        (model, keys[model.split(".")[1]].get(pk), ids_as_keys(values, keys))
        for model, pk, values in AppliedValues.objects.values_list("model", "object_id", "values")
    )
    return found


def ids_as_keys(values: dict, keys: dict) -> dict:
    """AppliedValues with the ids it holds ("deal_id") as natural keys: on PostgreSQL a run
    rolled back leaves its sequences where they were, and the next numbers its rows on."""
    return {
        name: keys[name[:-3]].get(value, value) if name.endswith("_id") else value
        for name, value in values.items()
    }


def ec_mixed() -> bytes:
    """A dump that mixes, in one batch, new cases, cases of the first dump changed, and one
    case number twice (the second record finds the inquiry the first made)."""
    first = json.loads(ec_cases(range(0, 4)))
    later = json.loads(ec_cases(range(3, 8)))
    mixed = {}
    for n, key in enumerate(later):
        mixed[key] = later[key]
        if n < 3:
            changed = f"AT.{90000 + n}"
            mixed[changed] = first[changed]
            mixed[changed]["metadata"]["caseTitle"] = [f"Maker {n} (changed)"]
    twice = json.loads(json.dumps(later["AT.90005"]))
    twice["metadata"]["caseCompanies"] = ["Maker 5 Corporation", "Other 5 Corporation"]
    mixed["AT-90005-again"] = twice
    return json.dumps(mixed).encode()


def merger_copies() -> bytes:
    """The merger excerpt with each case followed by a copy under another number: the copy's
    parties are the deal the case before it made in the same batch."""
    excerpt = json.loads((FIXTURES / "ec_mergers" / "case-data-M_excerpt6.json").read_bytes())
    dump = {}
    for n, (key, case) in enumerate(excerpt.items()):
        dump[key] = case
        copy = json.loads(json.dumps(case).replace(key, f"M.{99000 + n}"))
        dump[f"M.{99000 + n}"] = copy
    return json.dumps(dump).encode()


def ingest_rows(documents) -> dict:
    """Apply every document, then every sample: the rows they wrote and their history rows."""
    return ingest_all(documents, read=lambda: {**everything(), **history_rows()})


@pytest.mark.slow
def test_a_batch_inserted_in_bulk_writes_the_rows_and_history_of_saving_one_by_one(monkeypatch):
    documents = [
        ("ec", GROUPED),
        ("ec", ec_cases(range(0, 4))),
        ("ec", ec_mixed()),
        ("ec-mergers", merger_copies()),
    ]
    inserts = []
    insert = batch_module.rows_insert
    monkeypatch.setattr(
        batch_module,
        "rows_insert",
        lambda model, objs: (model is Event and inserts.append(len(objs))) or insert(model, objs),
    )
    in_bulk = ingest_rows(documents)
    with monkeypatch.context() as patched:  # every batch applied the careful way, one by one
        apply = records._batch_apply
        patched.setattr(
            records,
            "_batch_apply",
            lambda source, batch, tally, *, bulk: apply(source, batch, tally, bulk=False),
        )
        one_by_one = ingest_rows(documents)

    assert max(inserts) > 1  # a positive control: events were inserted in bulk
    assert len(inserts) < sum(inserts)
    changed = [dict(values) for _, rows in in_bulk["inquiry"] for values in rows]
    assert ("~", "Maker 0 (changed)") in [(row["history_type"], row["title"]) for row in changed]
    for kind in ("deal", "party", "event", "inquiry", "company"):
        assert in_bulk[kind], kind  # the runs wrote history rows of every kind
    assert in_bulk["status changes"]
    deals = [dict(rows[0])["title"] for _, rows in in_bulk["deal"]]
    assert deals.count("Microsoft / Activision Blizzard") == 1  # the copy found the case's deal
    for kind in in_bulk:
        assert in_bulk[kind] == one_by_one[kind], kind


def test_rows_another_run_inserted_meanwhile_make_the_batch_apply_again_one_by_one(monkeypatch):
    write = Batch._write_pending
    failures = []

    def fail_first(batch):
        if not failures:  # as if another run had inserted one of the case numbers first
            failures.append(1)
            raise IntegrityError("duplicate key value violates unique constraint")
        write(batch)

    monkeypatch.setattr(Batch, "_write_pending", fail_first)
    run = ingest_run(source="ec", documents=[ec_cases(range(0, 6))], trigger="file")

    assert failures  # the bulk insert failed once
    assert (run.new, run.errors) == (6, 0)
    assert Inquiry.objects.count() == RawRecord.objects.count() == 6
    assert Inquiry.history.count() == 6 + 6  # created, then its companies added: none twice
    assert Company.objects.count() == Company.history.count() == 6 * 2
    again = ingest_run(source="ec", documents=[ec_cases(range(0, 6))], trigger="file")
    assert (again.unchanged, again.new, again.changed) == (6, 0, 0)
