"""A Redis of a test's own, for fault tests: started on 127.0.0.1 on a free port with nothing
saved to disk, then killed, hung or resumed by its PID. The suite's shared Redis (REDIS_URL) is
never touched.

    with redis_server() as server:
        settings.CACHES = caches_at(server.url)
        server.hang()  # SIGSTOP: connections are accepted, nothing is answered
        server.resume()  # SIGCONT
        server.kill()  # SIGKILL
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis

from tests import REPO_ROOT

# A key like one made with secrets.token_urlsafe(50), so that production settings load.
PRODUCTION_KEY = "kq3Xr9-Vw2pZ8mT1bN6yH4cJ7fL0sD5gA-uE2iO9rW3tY6xB8nM1vC4zQ7hK0jP"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def keys(self, pattern: str = "*") -> list[str]:
        return [key.decode() for key in self.client().scan_iter(match=pattern)]

    def hang(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, stopped by its PID at the end whatever state it is in."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = RedisServer(process, port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                server.client().ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)  # a stopped process ignores SIGTERM
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def production_cache_settings(redis_url: str) -> dict:
    """CACHES, PAGE_CACHE and FRAGMENT_CACHE as tracker/settings.py makes them for production
    (DEBUG=0) with the cache's Redis at `redis_url`: read in a child process, so that what is
    tested is what the settings module reads from the environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CACHE", "PAGE_CACHE", "FRAGMENT_CACHE", "REDIS"))
    }
    environment.update(
        DEBUG="0", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="testserver", REDIS_URL=redis_url
    )
    names = ["CACHES", "PAGE_CACHE", "FRAGMENT_CACHE"]
    code = (
        "import json; from tracker import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)
