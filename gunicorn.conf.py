"""gunicorn's settings for the web app, for each of its two pools. gunicorn reads this file from
the directory it starts in (the checkout, the image's /app), so the Dockerfile,
docker-compose.yml, the benchmarks and the production-shape test all serve the site the same
way; their command lines add only the address and the log.

GUNICORN_POOL says which pool this gunicorn is; nginx (deploy/nginx.conf) sends each request to
one of them by its path:

- `pages` (the default): every page, feed, calendar and API answer. Sync workers, one request
  at a time each: a page is CPU work of a few to a few hundred milliseconds, and two cores render
  at most two at once, so more requests in flight per process only share the cores out worse
  (threads cost the lists a third or more of their uncached throughput under eight connections;
  docs/benchmarks.md, "Sync against threaded workers"). nginx buffers each answer, so a slow
  client never holds a worker. A sync worker's timeout is a limit on each request: 30 s.
- `downloads`: the CSV exports (`/deals/export.csv`, `/inquiries/export.csv`). Threaded workers
  (gthread): a CSV streamed from the database may take longer than 30 s under load and must not
  be cut off, and six downloads at once must not hold the pages' workers (before the two pools,
  they held all of them while /deals/ waited a minute). A threaded worker's timeout only
  catches a worker that stopped answering gunicorn at all. Each thread keeps a database
  connection of its own: at most `workers` x `threads` (12).

Without nginx in front (one gunicorn for everything), run the `downloads` pool: it serves every
path, and a long CSV is not cut off.

WEB_CONCURRENCY (processes) and GUNICORN_THREADS (the downloads' threads) change the counts
without editing this file.
"""

import os

POOLS = ("pages", "downloads")
pool = os.environ.get("GUNICORN_POOL", "pages")
if pool not in POOLS:
    raise SystemExit(f"GUNICORN_POOL={pool!r}: expected one of {', '.join(POOLS)}")

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
if pool == "downloads":
    worker_class = "gthread"
    threads = int(os.environ.get("GUNICORN_THREADS", "4"))
else:
    worker_class = "sync"
timeout = 30
graceful_timeout = 30
proc_name = f"dealwatch-{pool}"
# The control socket (gunicorn 25) is one path per working directory: two gunicorns started in
# the same checkout (the benchmarks, the tests, the two pools) would share it.
control_socket_disable = True
