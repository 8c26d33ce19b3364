"""What the tests that start a server of their own (gunicorn, an SMTP sink) share."""

import socket


def free_port(first: int, last: int) -> int:
    """The first port from `first` to `last` that nothing on 127.0.0.1 listens on: a range of
    the test's own, out of the ephemeral range that client sockets are given."""
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")
