"""The real samples the project ships, ingested after the demo deals so that a first visit shows
every source: `samples_load`, which `manage.py load_samples` (and so `make run`) runs.

The list is written out here rather than read from `tests/fixtures/*/samples.txt` at run time:
those manifests are the tests' (their `small` and `full` tags, their format), and the app should
not depend on how the tests pick their inputs. The files themselves ship in the repository
(and in the Docker image), so the app points at them where they are instead of keeping copies.
A test (tests/demo/test_load_samples.py) holds this list to the manifests' full list, so a new
source's sample cannot be forgotten here unnoticed.

Left out on purpose:
- doj: its only sample is SYNTHETIC (invented companies); the demo shows real data only.
- sec-edgar: real, but the 8-K filings of Murphy Oil, no demo company. Its records never apply on
  their own (they wait in the review queue for an editor to attach them to a deal), so they would
  add nothing to the pages, only a queue of filings about deals the demo does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from ingest.pipeline import ingest_run

FIXTURES = Path("tests") / "fixtures"

# (source, file under the project directory), in the order they are ingested: the EC merger
# register before the DMA notifications and the other regulators, so that a case of a demo deal
# finds the demo deal and later sources find the deals the earlier ones made.
SAMPLES: tuple[tuple[str, Path], ...] = (
    ("ec-mergers", FIXTURES / "ec_mergers" / "case-data-M.json"),
    ("ec-dma", FIXTURES / "ec_dma" / "case-data-DMA.json"),
    ("ec", FIXTURES / "ec" / "case-data-AT.json"),
    ("cma", FIXTURES / "cma" / "publishing-api_cma-cases-with-change-history.json"),
    ("cma", FIXTURES / "cma" / "publishing-api_cma-cases.json"),
    ("ftc-hsr", FIXTURES / "ftc" / "hsr-early-termination-notices_snapshot1.xml"),
    ("ftc-hsr", FIXTURES / "ftc" / "hsr-early-termination-notices_snapshot2.xml"),
    ("ftc-press", FIXTURES / "ftc" / "press-release-competition.xml"),
    ("accc", FIXTURES / "accc" / "acquisitions-register_2026-01-20.html"),
    ("accc", FIXTURES / "accc" / "matter_MN-75002_2026-01-20.html"),
    ("accc", FIXTURES / "accc" / "matter_MN-01016.html"),
)

COUNTS = ("records", "new", "changed", "unchanged", "skipped", "errors")


@dataclass
class SourceSummary:
    """What the runs of one source's samples found, summed over its files."""

    source: str
    files: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def __str__(self) -> str:
        counts = " ".join(f"{name}={value}" for name, value in self.counts.items())
        return f"source={self.source} files={self.files} {counts}"


def samples_load(
    *,
    samples: tuple[tuple[str, Path], ...] | None = None,
    base_dir: Path | None = None,
    on_source: Callable[[SourceSummary], None] | None = None,
) -> list[SourceSummary]:
    """Ingest each sample (SAMPLES unless `samples` are given) through the pipeline, one run
    per file, trigger "file", as `manage.py ingest SOURCE --from-file PATH` would; safe to run
    again, since a re-run finds every record's stored hash unchanged and applies nothing.

    One file, one run: several snapshots of one feed share records, which one run of both would
    see twice. `on_source` is called with each source's summary once its last file is done.
    An IngestError (a refused document) is raised to the caller, its run recorded as failed.
    """
    samples = SAMPLES if samples is None else samples
    base_dir = base_dir or Path(settings.BASE_DIR)
    summaries: dict[str, SourceSummary] = {}
    for index, (source, path) in enumerate(samples):
        summary = summaries.setdefault(source, SourceSummary(source=source))
        run = ingest_run(source=source, documents=[(base_dir / path).read_bytes()], trigger="file")
        summary.files += 1
        for name in COUNTS:
            summary.counts[name] += getattr(run, name)
        last_of_source = all(other != source for other, _ in samples[index + 1 :])
        if on_source and last_of_source:
            on_source(summary)
    return list(summaries.values())
