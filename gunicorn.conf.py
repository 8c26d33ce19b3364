"""gunicorn's settings for the web app. gunicorn reads this file from the directory it starts in
(the checkout, the image's /app), so the Dockerfile, docker-compose.yml, the benchmarks and the
production-shape test all serve the site the same way; their command lines add only the address
and the log.

Threaded workers (gthread), not gunicorn's default sync ones. A sync worker serves one request
at a time, and its timeout is a limit on each request: a CSV that streams for longer than
`timeout` (an export of 100,000 deals before its prebuilt file exists) was cut off and its worker
killed, and six downloads at once held all three workers, so that /deals/ waited a minute. A
threaded worker serves `threads` requests at once, and its timeout only catches a worker that
stopped answering gunicorn at all (a request may take as long as it takes). Each thread keeps a
database connection of its own: at most `workers` x `threads` per web container (12; PostgreSQL
allows 100 by default). docs/benchmarks.md ("Sync against threaded workers") has the figures.

WEB_CONCURRENCY (processes) and GUNICORN_THREADS change the counts without editing this file.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
# The control socket (gunicorn 25) is one path per working directory: two gunicorns started in
# the same checkout (the benchmarks, the tests) would share it.
control_socket_disable = True
