"""The test suite, one folder per app (tests/deals/, tests/ingest/, tests/subscriptions/, ...);
the helpers every folder shares (factories, worlds, the browser, fixtures) sit here."""

from pathlib import Path

# The stored real samples and hostile inputs (tests/fixtures/README.md says where each is from).
FIXTURE_DIR = Path(__file__).parent / "fixtures"
# The checkout, for tests that read its files (settings, the layering of the apps).
REPO_ROOT = Path(__file__).resolve().parent.parent
