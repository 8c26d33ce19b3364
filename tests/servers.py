"""What the tests that start a server of their own (gunicorn, an SMTP sink) share."""

import os
import socket


def free_port(first: int, last: int) -> int:
    """The first port from `first` to `last` that nothing on 127.0.0.1 listens on: a range of
    the test's own, out of the ephemeral range that client sockets are given."""
    # Each of make test's processes (pytest-xdist) starts from its own place in the range, so
    # that two looking at once do not both pick the first free port.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    offset = (int(worker[2:]) * 10 if worker[2:].isdigit() else 0) % (last - first + 1)
    for port in [*range(first + offset, last + 1), *range(first, first + offset)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")
