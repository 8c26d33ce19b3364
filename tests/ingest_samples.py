"""Every source's real samples, in one place: the tests that ingest all of them read this list.

Each fixture directory names its own samples in `samples.txt` ("source file [full|small]"), so
a new source adds its samples with its fixture and touches nothing here. A line tagged `full`
is only in the full list, `small` only in the quick one (a five-case excerpt standing in for a
748-case dump); an untagged line is in both.
"""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def samples(*, small: bool = False) -> list[tuple[str, Path]]:
    """(source, path) of every real sample, directory by directory, in each file's order."""
    found = []
    for manifest in sorted(FIXTURES.glob("*/samples.txt")):
        for line in manifest.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            source, name, *tags = line.split()
            if ("small" if small else "full") in tags or not tags:
                found.append((source, manifest.parent / name))
    return found
