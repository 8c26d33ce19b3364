"""The ingest pipeline: fetch a source, store its records raw, apply them to the tracker's models.

One module per step, in the order a run goes through them:

    run.py        a run: fetch or take documents, parse, skip what is unchanged, record the run
    records.py    each record stored raw and applied, batch by batch (one transaction each)
    batch.py      the Batch object a transaction reads once and holds (passed to every step)
    cases.py      a case record -> inquiry, deal and parties, timeline events
    companies.py  the company a name means, found or created (in one insert where it can)
    press.py      a press release -> an event where it belongs, filed, or queued
    applied.py    what ingest wrote (AppliedValues), so that an editor's value is never overwritten
    review.py     the review queue: an editor attaches, makes a deal of, or dismisses a record

Rules the pipeline keeps, whoever runs it (the command, a Celery task, a test):

- One RawRecord per source and external id (a unique constraint). A record whose content hash
  is unchanged is not applied again: a re-run creates nothing and changes nothing. The hash
  covers the record and its source's MAPPING_VERSION, so a changed status table is applied to
  every stored record once, on the next run.
- A case whose kind, stage or outcome is not one of ours, or not of its kind's vocabulary
  (conduct or merger control), is a bad record: skipped with the reason, never stored.
- Records are applied in batches, one transaction each; a bad record is skipped and reported
  with its id, the rest goes in (a batch where one fails is applied again with every record in
  a savepoint of its own). A document that is unreadable or hostile is refused before anything
  is applied.
- A batch does its shared work once: every lock it needs taken up front in one order, stored
  records and companies read in one go, the companies it will create made in one insert when
  that can be told in advance (`companies_bulk_create`), derived fields refreshed once per
  deal when it ends (`derived_fields_deferred`), the companies of the inquiries it made linked
  and what ingest wrote (AppliedValues) stored in one insert each. The new inquiries, events,
  parties and raw records of new cases are inserted in bulk with their history rows (the rows
  saving one by one writes), before any record that could read them (`Batch.write_pending`).
  The Batch object that holds all this is passed to every step explicitly.
- Companies are matched by name and alternative names before one is created; what ingest
  creates is marked `needs_review`.
- An editor's correction is never overwritten: AppliedValues holds what ingest last wrote on each
  object, and a field is only written again while it still holds that value. Where the source
  now says something else than an editor, the record lists it in `conflicts`.
- Two runs at once are harmless: a batch locks its records, case numbers and company names
  before it reads them; the unique constraints on records and on (regulator, reference) make a
  loser retry all the same.
"""

from .companies import companies_matching, company_for, company_matching
from .press import PressMatch, press_match
from .records import Tally, record_apply, record_hash, record_ingest
from .review import record_attach, record_create_deal, record_dismiss, suggested_deals
from .run import ProgressBar, ingest_run, source_fetch, source_parse

__all__ = [
    "PressMatch",
    "ProgressBar",
    "Tally",
    "companies_matching",
    "company_for",
    "company_matching",
    "ingest_run",
    "press_match",
    "record_apply",
    "record_attach",
    "record_create_deal",
    "record_dismiss",
    "record_hash",
    "record_ingest",
    "source_fetch",
    "source_parse",
    "suggested_deals",
]
