"""The tasks through a real Celery worker and the Redis broker, as production runs them.

Needs Redis (REDIS_URL, as .ci/run sets it); elsewhere the suite runs tasks eagerly.
"""

import fcntl
import os
import tempfile
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from subscriptions import tasks
from tests.factories import EventFactory, SubscriptionFactory
from tracker.celery import app

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL"),
    # The worker's thread reads what the test committed; serialized_rollback puts the seeded
    # regulators back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# One worker on the broker at a time, across make test's processes (pytest-xdist): a worker
# started by another test process would take this test's task and run it on that process's
# test database. A lock file serialises them.
BROKER_LOCK = Path(tempfile.gettempdir()) / "dealwatch-tests-celery-broker.lock"


@pytest.fixture
def worker():
    # With REDIS_URL the settings already make Redis the broker and the result backend.
    assert app.conf.broker_url == REDIS_URL and app.conf.result_backend == REDIS_URL
    with BROKER_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        app.conf.task_always_eager = False
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                yield
        finally:
            app.conf.task_always_eager = True
            fcntl.flock(lock, fcntl.LOCK_UN)


def test_a_digest_run_queued_on_the_broker_is_sent_by_the_worker(worker):
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, title="Phase 2 opened")

    line = tasks.send_digests.delay("daily").get(timeout=60)

    assert line.startswith("frequency=daily subscribers=1 sent=1")
    assert len(mail.outbox) == 1 and "Phase 2 opened" in mail.outbox[0].body
    assert tasks.send_digests.delay("daily").get(timeout=60).endswith("sent=0 skipped=1 failed=0")
    assert len(mail.outbox) == 1


def test_the_sweeper_runs_on_the_worker(worker):
    assert tasks.sweep_digests.delay().get(timeout=60) == {"deliveries": 0, "runs": 0}
