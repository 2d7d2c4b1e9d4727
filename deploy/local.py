"""Several `streamlit run app.py` servers behind one nginx, on this machine: for tests, benchmarks and
trying a deployment out.

    python -m deploy.local --replicas 2 --port 8080              # http://127.0.0.1:8080/
    python -m deploy.local --replicas 2 --port 8080 --base-path mmml   # http://127.0.0.1:8080/mmml/

In code, `cluster()` starts the replicas and the proxy, waits until the app answers through the
proxy, and yields its address; on leaving, everything is stopped:

    with cluster(2, "mmml") as url:          # url == "http://127.0.0.1:PORT/mmml"
        ...                                  # url.log(): the access log; url.replicas: who serves

nginx's configuration is deploy/nginx.conf.template (sticky sessions by a routing cookie: see there),
rendered here and wrapped in a complete nginx.conf whose pid file, logs and temporary files stay in
a temporary folder, so no root, no system nginx and nothing outside that folder is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX = "/usr/sbin/nginx"
COOKIE = "playground_route"  # the routing cookie the template sets (see there)
MAIN_CONF = """\
daemon off;
master_process on;
worker_processes 1;
worker_shutdown_timeout 3s;  # open websockets do not hold a stop up
{user}pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/playground.conf;
}}
"""
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an http_proxy from the environment


def nginx_path() -> str | None:
    """Debian's nginx (`apt-get install nginx`), or one on the PATH; None where there is none."""
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def normalize_base_path(base_path: str) -> str:
    """`mmml`, `/mmml/` and `/mmml` all mean the prefix `/mmml`; an empty one means the root."""
    parts = [p for p in base_path.strip().split("/") if p]
    return "/" + "/".join(parts) if parts else ""


def render(ports: list[int], listen: str, base_path: str = "", access_log: str = "off") -> str:
    """deploy/nginx.conf.template filled in: the part of nginx's configuration inside `http { }`."""
    prefix = normalize_base_path(base_path)
    values = {
        "servers": "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports),
        "listen": listen,
        "prefix_regex": re.escape(prefix),
        "prefix": prefix,
        "cookie_path": f"{prefix}/",
        "access_log": access_log,
    }
    text = TEMPLATE.read_text()
    for key in sorted(values, key=len, reverse=True):  # {{prefix_regex}} before {{prefix}}
        text = text.replace("{{" + key + "}}", values[key])
    return text


def streamlit_command(port: int, base_path: str = "", script: str = "app.py") -> list[str]:
    """`streamlit run` on loopback as tests, benchmarks and replicas start it: headless, no file watcher."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    if normalize_base_path(base_path):
        command += ["--server.baseUrlPath", normalize_base_path(base_path).strip("/")]
    return command


def healthy(url: str, timeout: float = 1.0) -> bool:
    try:
        with _DIRECT.open(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(url: str, processes: list[subprocess.Popen], deadline: float, what: str, logs: list[Path]) -> None:
    while not healthy(url):
        dead = [p for p in processes if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            tail = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in logs if log.exists()
            )
            raise RuntimeError(f"{what} did not become healthy at {url}{' (it exited)' if dead else ''}\n{tail}")
        time.sleep(0.1)


def _stop(processes: list[subprocess.Popen], sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Signal them all at once, then wait (a replica takes a second or two to shut down); kill stragglers."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Cluster(str):
    """The proxy's base URL (a str: `f"{url}/fusion"`), with what a test or benchmark needs to know."""

    replicas: list[str]  # "127.0.0.1:PORT" of each streamlit server, as nginx's log names them
    processes: list[subprocess.Popen]
    access_log: Path  # one JSON object a line: time, request, status, upstream, route, cookie
    folder: Path  # the temporary folder: nginx.conf, playground.conf, logs

    def __new__(cls, url: str, **attributes) -> Self:
        self = super().__new__(cls, url)
        self.__dict__.update(attributes)
        return self

    def log(self) -> list[dict]:
        """The access log so far. A websocket's line is written when it closes."""
        if not self.access_log.exists():
            return []
        return [json.loads(line) for line in self.access_log.read_text().splitlines() if line.strip()]

    def served_by(self) -> dict[str, set[str]]:
        """Routing key (the visitor's cookie, or the first request's id) -> the replicas that served it."""
        routes: dict[str, set[str]] = {}
        for entry in self.log():
            if entry["upstream"]:
                routes.setdefault(entry["route"], set()).update(a.strip() for a in entry["upstream"].split(","))
        return routes


@contextmanager
def cluster(
    replicas: int, base_path: str = "", port: int | None = None, env: dict | None = None, timeout: float = 90.0
):
    """Start `replicas` streamlit servers and nginx in front of them on 127.0.0.1:`port` (a free one
    if None), the app under `base_path` (e.g. "mmml"); yield the proxy's base URL (a `Cluster`: also
    `.log()`, `.served_by()`, `.replicas`); stop them all on exit."""
    if replicas < 1:
        raise ValueError("replicas must be at least 1")
    nginx = nginx_path()
    if nginx is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    prefix = normalize_base_path(base_path)
    port = port or free_port()
    deadline = time.monotonic() + timeout
    # One cookie secret for all: a cookie Streamlit signs (st.login's, its session middleware's) holds
    # on every replica. Streamlit takes it only from the environment or a config file.
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16), **(env or {})}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="playground-cluster-")))
        processes: list[subprocess.Popen] = []
        stack.callback(_stop, processes)  # all the replicas started, however far the start got
        logs: list[Path] = []
        ports = [free_port() for _ in range(replicas)]
        for index, replica_port in enumerate(ports):
            log = folder / f"replica-{index}.log"
            logs.append(log)
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    streamlit_command(replica_port, prefix), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
                )
            processes.append(process)
        for replica_port in ports:
            _wait(f"http://127.0.0.1:{replica_port}{prefix}", processes, deadline, "streamlit", logs)

        access_log = folder / "access.log"
        (folder / "playground.conf").write_text(render(ports, f"127.0.0.1:{port}", prefix, f"{access_log} routed"))
        user = f"user {_user_name()};\n" if os.geteuid() == 0 else ""  # root's workers would be nobody's
        (folder / "nginx.conf").write_text(MAIN_CONF.format(tmp=folder, user=user))
        error_log = folder / "error.log"
        logs.append(error_log)
        proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-e", str(error_log), "-c", str(folder / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        stack.callback(_stop, [proxy], signal.SIGQUIT)  # graceful: the access log gets its last lines
        url = f"http://127.0.0.1:{port}{prefix}"
        _wait(url, [*processes, proxy], deadline, "nginx", logs)
        yield Cluster(
            url, replicas=[f"127.0.0.1:{p}" for p in ports], processes=processes, access_log=access_log, folder=folder
        )


def _user_name() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="how many streamlit servers (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    parser.add_argument("--base-path", default="", help="serve the app under this sub-path, e.g. mmml")
    args = parser.parse_args(argv)
    # Ctrl-C, or a plain `kill`, stops everything (an `&` in a script would otherwise ignore Ctrl-C's signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with cluster(args.replicas, args.base_path, args.port) as url:
        print(f"{args.replicas} replicas {', '.join(url.replicas)} behind nginx: {url}/", flush=True)
        print(f"access log: {url.access_log}  (Ctrl-C stops everything)", flush=True)
        try:
            while all(p.poll() is None for p in url.processes):
                time.sleep(1)
            print("a replica exited; stopping", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
