"""The real samples the project ships, ingested after the demo deals so that a first visit shows
every source: `samples_load`, which `manage.py load_samples` (and so `make run`) runs.

Which samples: the full list the fixture directories declare, `tests/fixtures/*/samples.txt`
("source file [full|small]"; `small` lines are excerpts of a `full` file, left out here). Those
manifests are read at run time, although they sit in the tests' folder, because they are the one
place where a source declares its real samples: a new source adds its fixture and its manifest
and nothing else, and a test (tests/ingest/test_ingest_new_source.py) fails when a source's name
appears in any other code, a list of paths here included. The files ship in the repository and
in the Docker image. tests/ingest_samples.py reads the same manifests for the tests; this module
has its own few lines rather than importing the tests package into the app, and
tests/demo/test_load_samples.py holds the two to the same list.

Left out: any file marked SYNTHETIC (today the DOJ sample, invented companies, has no manifest
line anyway): the demo shows real data only. The SEC EDGAR sample is real and loaded, though it is
the filings of Murphy Oil, no demo company: its 8-Ks never apply on their own, so it changes no
public page and shows editors what that source brings to the review queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from ingest.pipeline import ingest_run

FIXTURES = Path("tests") / "fixtures"


def samples_shipped(*, base_dir: Path | None = None) -> list[tuple[str, Path]]:
    """(source, path) of every real sample in the full list, directory by directory, in each
    manifest's order; paths under `base_dir` (the project directory)."""
    base_dir = base_dir or Path(settings.BASE_DIR)
    found = []
    for manifest in sorted((base_dir / FIXTURES).glob("*/samples.txt")):
        for line in manifest.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            source, name, *tags = line.split()
            if "small" in tags or "SYNTHETIC" in name:
                continue
            found.append((source, manifest.parent / name))
    return found


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
    samples: list[tuple[str, Path]] | None = None,
    on_source: Callable[[SourceSummary], None] | None = None,
) -> list[SourceSummary]:
    """Ingest each sample (`samples_shipped()` unless given) through the pipeline, one run
    per file, trigger "file", as `manage.py ingest SOURCE --from-file PATH` would; safe to run
    again, since a re-run finds every record's stored hash unchanged and applies nothing.

    One file, one run: several snapshots of one feed share records, which one run of both would
    see twice. `on_source` is called with each source's summary once its last file is done.
    An IngestError (a refused document) is raised to the caller, its run recorded as failed.
    """
    samples = samples_shipped() if samples is None else samples
    summaries: dict[str, SourceSummary] = {}
    for index, (source, path) in enumerate(samples):
        summary = summaries.setdefault(source, SourceSummary(source=source))
        run = ingest_run(source=source, documents=[path.read_bytes()], trigger="file")
        summary.files += 1
        for name in COUNTS:
            summary.counts[name] += getattr(run, name)
        last_of_source = all(other != source for other, _ in samples[index + 1 :])
        if on_source and last_of_source:
            on_source(summary)
    return list(summaries.values())
