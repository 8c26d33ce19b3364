"""The benchmarks and their data: `manage.py seed_bench` seeds the benchmark database (this app's
only part Django loads), and the scripts `run.py` (pages), `ingest.py` and `digests.py` measure
against it (`make bench`, `make bench-ingest`, `make bench-digests`; README, Benchmarks)."""
