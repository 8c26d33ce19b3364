"""deploy/nginx.conf on this machine: the lines marked CHANGE rewritten into a temporary
directory, and Debian's nginx run with it (by `make bench` proxy mode, by
tests/site/test_nginx_proxy.py, and checked with `nginx -t` by .ci/run).

    python bench/proxy.py conf DIR > DIR/nginx.conf     # the copy .ci/run checks (nginx -t)

Pure standard library: it neither imports Django nor needs the settings.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"  # Debian's


def conf_for(
    *,
    directory: Path,
    listen: str,
    upstream: str,
    static_root: Path,
    downloads: str | None = None,
    access_log: bool = True,
    conf: Path = CONF,
) -> str:
    """deploy/nginx.conf with every line marked CHANGE pointed into `directory` (pid, logs,
    cache), at `listen`, the pages' `upstream` and the CSVs' `downloads` (host:port; the same
    gunicorn as the pages when not given) and `static_root`; nginx's temporary directories are
    put there too, so that nothing outside it is written. `access_log=False` logs no request
    (the benchmark: a page and a static file pay the same). Fails when a marked line is not
    where it is expected: the file and this function must not drift apart."""
    text = conf.read_text()
    # Root's workers run as root here (a temporary directory of root's is not readable by
    # nobody); anyone else's nginx cannot switch users at all.
    user = "user root;" if os.geteuid() == 0 else "# user: unchanged user"
    replacements = [
        (r"^user \S+;", user),
        (r"^pid \S+;", f"pid {directory}/nginx.pid;"),
        (r"^error_log \S+", f"error_log {directory}/error.log"),
        (
            r"^(\s+)access_log /\S+;",
            rf"\g<1>access_log {directory / 'access.log' if access_log else 'off'};",
        ),
        (r"^(\s+)proxy_cache_path \S+", rf"\g<1>proxy_cache_path {directory}/cache"),
        (r"^(\s+)server web:\S+;", rf"\g<1>server {upstream};"),
        (r"^(\s+)server downloads:\S+;", rf"\g<1>server {downloads or upstream};"),
        (r"^(\s+)listen \S+", rf"\g<1>listen {listen}"),
        (r"^(\s+)alias \S+;", rf"\g<1>alias {static_root}/;"),
        (r"^(\s+)set \$dealwatch_scheme \S+;", r"\g<0>"),  # present, unchanged: plain HTTP
    ]
    for pattern, replacement in replacements:
        matching = [line for line in text.splitlines() if re.match(pattern, line)]
        if len(matching) != 1 or "# CHANGE" not in matching[0]:
            raise ValueError(f"{conf}: expected one line marked CHANGE matching {pattern!r}")
        text = re.sub(pattern, replacement, text, count=1, flags=re.M)
    temporary = "\n".join(
        f"    {kind}_temp_path {directory}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return text.replace("http {\n", f"http {{\n{temporary}\n", 1)


def nginx_command(directory: Path, *arguments: str) -> list[str]:
    """nginx with its prefix, configuration and first error log all in `directory`."""
    return [
        NGINX,
        "-p",
        str(directory),
        "-e",
        str(directory / "error.log"),
        "-c",
        str(directory / "nginx.conf"),
        *arguments,
    ]


def write_conf(directory: Path, **kwargs) -> Path:
    path = directory / "nginx.conf"
    path.write_text(conf_for(directory=directory, **kwargs))
    return path


def start(directory: Path, port: int, timeout: float = 15) -> subprocess.Popen:
    """Start nginx (in the foreground, its own session) with directory/nginx.conf and wait until
    it accepts connections on 127.0.0.1:port."""
    server = subprocess.Popen(
        nginx_command(directory, "-g", "daemon off;"),
        stdout=subprocess.DEVNULL,
        stderr=(directory / "stderr.log").open("w"),
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"nginx exited: {errors(directory)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"nginx did not listen on {port} within {timeout:g} s: {errors(directory)}")


def stop(server: subprocess.Popen) -> None:
    """Stop the nginx `start` started (SIGTERM to its master, which stops its workers)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def errors(directory: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")[-3000:]
        for path in (directory / "stderr.log", directory / "error.log")
        if path.exists()
    )


def main(arguments: list[str]) -> None:
    """`conf DIRECTORY`: print the copy of deploy/nginx.conf that .ci/run checks with nginx -t
    (pid, logs, cache and temporary files in DIRECTORY, static files from DIRECTORY/static)."""
    if len(arguments) != 2 or arguments[0] != "conf":
        raise SystemExit(__doc__)
    directory = Path(arguments[1]).resolve()
    print(
        conf_for(
            directory=directory,
            listen="127.0.0.1:8080",
            upstream="127.0.0.1:8000",
            downloads="127.0.0.1:8001",
            static_root=directory / "static",
        ),
        end="",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
