"""``make cluster NODES=3``: the clinic deployed on this one machine, as on several.

HAProxy on 127.0.0.1:8080 checks every node's ``/healthz/`` each second and spreads
requests over the nodes that answer. Each node is a gunicorn (sync workers) on its own
port with its own task worker (``manage.py run_worker``), all on one PostgreSQL
database, ``clinic_cluster`` on ``DATABASE_URL``'s server (made afresh and migrated).
The settings are production's (debug off) with throwaway secrets generated for the
run; static files are collected into the run's folder and served by whitenoise; mail
goes to a local SMTP sink (aiosmtpd) that keeps every message it receives in a
Maildir, so the messages can be counted. Everything started stops on Ctrl-C.

The load test (``bench/loadtest.py``) and the bench's node figures (``bench/run.py``)
start the same cluster through :class:`Cluster`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import mailbox
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.cluster_settings"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
HEALTH_PATH = "/healthz/"


@dataclass(frozen=True)
class Ports:
    """The load balancer's port, and a block of 100 for the rest: the mail sink on
    its first port, node n on first + n, HAProxy's stats page on first + 99."""

    balancer: int = 8080
    first: int = 8100

    @property
    def mail(self) -> int:
        return self.first

    @property
    def stats(self) -> int:
        return self.first + 99

    def node(self, number: int) -> int:
        return self.first + number


def database_url(name: str) -> str:
    """Database ``name`` on ``DATABASE_URL``'s PostgreSQL server (default: local)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        url = DEFAULT_SERVER
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))


def recreate_database(url: str) -> None:
    """Drop and create the cluster's database (only ever one named clinic_cluster*)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    assert name.startswith("clinic_cluster"), name
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cluster_env(url: str, workdir: Path, ports: Ports, **extra: str) -> dict:
    """Production's variables for this run: every secret new, every address local."""
    site = f"http://127.0.0.1:{ports.balancer}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_AUDIT_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"{site},http://localhost:{ports.balancer}",
        "DJANGO_SITE_URL": site,
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://127.0.0.1:{ports.mail}",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start ``command`` in a session of its own (so it and its children can be
    signalled together, and Ctrl-C reaches only this script), logging to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def signal_group(process: subprocess.Popen | None, signum: int) -> None:
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def stop_process(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM to the process's group; SIGKILL if it has not gone in ``timeout``."""
    if process is None or process.poll() is not None:
        return
    signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        signal_group(process, signal.SIGKILL)
        process.wait()


def answers(url: str, timeout: float = 2) -> bool:
    """Whether ``url`` answers 200 (HTTPError is an OSError)."""
    try:
        urllib.request.urlopen(url, timeout=timeout).read()
    except OSError:
        return False
    return True


class Node:
    """One application node: gunicorn on its own port and its own task worker."""

    def __init__(
        self, number: int, port: int, env: dict, workdir: Path, workers: int
    ) -> None:
        self.number = number
        self.port = port
        self.env = env
        self.workers = workers
        self.gunicorn_log = workdir / f"node{number}-gunicorn.log"
        self.worker_log = workdir / f"node{number}-worker.log"
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return f"node{self.number}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.gunicorn = spawn(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--worker-class=sync",
                f"--workers={self.workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=120",
                "--log-level=warning",
            ],
            self.env,
            self.gunicorn_log,
        )
        self.worker = spawn(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "-v",
                "0",
                f"--worker-id={self.name}-{secrets.token_hex(4)}",
            ],
            self.env,
            self.worker_log,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"{self.name} stopped; see {self.gunicorn_log}")
            if answers(self.url + HEALTH_PATH):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer in {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL to gunicorn (master and workers) and to the task worker, as when
        the node's host dies: nothing is finished, nothing is cleaned up."""
        for process in (self.gunicorn, self.worker):
            signal_group(process, signal.SIGKILL)
            if process is not None:
                process.wait()

    def stop(self) -> None:
        for process in (self.gunicorn, self.worker):
            stop_process(process)


class MailSink:
    """A local SMTP server that keeps every message in a Maildir (aiosmtpd)."""

    def __init__(self, port: int, workdir: Path, env: dict) -> None:
        self.port = port
        self.maildir = workdir / "mail"
        self.log = workdir / "mail-sink.log"
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = spawn(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "--nosetuid",
                f"--listen=127.0.0.1:{self.port}",
                "--class",
                "aiosmtpd.handlers.Mailbox",
                str(self.maildir),
            ],
            self.env,
            self.log,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"the mail sink did not start: {self.log}")

    def messages(self) -> list:
        """Every message received so far."""
        if not self.maildir.exists():
            return []
        return list(mailbox.Maildir(self.maildir, create=False))

    def stop(self) -> None:
        stop_process(self.process)


def haproxy_config(nodes: list[Node], ports: Ports, socket_path: Path) -> str:
    """HAProxy in front of the nodes.

    Round robin over the nodes whose ``/healthz/`` answered 200 twice; a node that
    fails three checks a second apart leaves the rotation. A check may wait 5 s for
    its answer: a node's sync workers answer it after the requests queued before
    it, and a busy node is not a dead one (a dead one refuses the connection at
    once). A request whose connection
    to a node fails is sent to another node (``redispatch``); a GET that gets no
    answer at all is retried too. Other methods are retried only when the node never
    received them: a POST that a node may have processed is answered 502 and the
    patient presses again (every service is idempotent for that).
    """
    servers = "\n".join(
        f"    server {node.name} 127.0.0.1:{node.port} check" for node in nodes
    )
    return f"""\
global
    maxconn 2000
    stats socket {socket_path} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout queue 60s
    timeout check 5s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend clinic
    bind 127.0.0.1:{ports.balancer}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    http-request disable-l7-retry if !METH_GET
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri {HEALTH_PATH} ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fall 3 rise 2
{servers}

listen stats
    bind 127.0.0.1:{ports.stats}
    stats enable
    stats uri /
    stats refresh 2s
"""


def haproxy_stats(socket_path: Path) -> list[dict]:
    """HAProxy's statistics, one dict per frontend, backend and server ("show stat")."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(socket_path))
        sock.sendall(b"show stat\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    text = b"".join(chunks).decode().removeprefix("# ")
    return list(csv.DictReader(io.StringIO(text)))


class Cluster:
    """The mail sink, N nodes and HAProxy in front, started and stopped together."""

    def __init__(
        self,
        *,
        nodes: int,
        env: dict,
        workdir: Path,
        ports: Ports,
        workers: int = 2,
    ) -> None:
        self.env = env
        self.workdir = workdir
        self.ports = ports
        self.url = f"http://127.0.0.1:{ports.balancer}"
        self.sink = MailSink(ports.mail, workdir, env)
        self.nodes = [
            Node(n, ports.node(n), env, workdir, workers) for n in range(1, nodes + 1)
        ]
        self.config = workdir / "haproxy.cfg"
        self.socket = workdir / "haproxy.sock"
        self.haproxy_log = workdir / "haproxy.log"
        self.haproxy: subprocess.Popen | None = None

    def start(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.sink.start()
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_ready()
        self.config.write_text(haproxy_config(self.nodes, self.ports, self.socket))
        self.haproxy = spawn(
            [haproxy, "-db", "-f", str(self.config)], self.env, self.haproxy_log
        )
        self.wait_for_servers_up(len(self.nodes))

    def servers(self) -> dict[str, dict]:
        """The nodes' rows of HAProxy's statistics, by node name."""
        return {
            row["svname"]: row
            for row in haproxy_stats(self.socket)
            if row["pxname"] == "nodes" and row["svname"] != "BACKEND"
        }

    def backend(self) -> dict:
        return next(
            row
            for row in haproxy_stats(self.socket)
            if row["pxname"] == "nodes" and row["svname"] == "BACKEND"
        )

    def wait_for_servers_up(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.haproxy.poll() is not None:
                raise RuntimeError(f"HAProxy exited: {self.haproxy_log}")
            try:
                up = [
                    name
                    for name, row in self.servers().items()
                    if row["status"].startswith("UP")
                ]
            except OSError:
                up = []
            if len(up) >= count:
                return
            time.sleep(0.3)
        raise RuntimeError(f"HAProxy did not see {count} nodes up: {self.haproxy_log}")

    def stop(self) -> None:
        stop_process(self.haproxy)
        for node in self.nodes:
            node.stop()
        self.sink.stop()

    def describe(self) -> str:
        lines = [
            f"The clinic, {len(self.nodes)} node(s) behind HAProxy:",
            f"  site           {self.url}/   (staff: {self.url}/admin/)",
            f"  HAProxy        stats http://127.0.0.1:{self.ports.stats}/, "
            f"socket {self.socket}, config {self.config}",
        ]
        for node in self.nodes:
            lines.append(
                f"  {node.name:<14} gunicorn {node.url} (pid {node.gunicorn.pid}, "
                f"{node.workers} workers), task worker pid {node.worker.pid}; "
                f"logs {node.gunicorn_log.name}, {node.worker_log.name}"
            )
        lines += [
            f"  database       {self.env['DATABASE_URL']}",
            f"  mail sink      smtp://127.0.0.1:{self.ports.mail} -> "
            f"{self.sink.maildir} (one file per message)",
            f"  static files   {self.env['DJANGO_STATIC_ROOT']} (whitenoise)",
            f"  settings       {SETTINGS}, debug off, secrets made for this run",
            f"  logs           {self.workdir}",
        ]
        return "\n".join(lines)


def prepare(url: str, workdir: Path, ports: Ports, **extra: str) -> dict:
    """A fresh database migrated, static files collected; the run's environment."""
    env = cluster_env(url, workdir, ports, **extra)
    recreate_database(url)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    return env


def write_env_file(env: dict, path: Path) -> None:
    """The run's variables, for ``manage.py`` commands from another shell."""
    names = [name for name in env if name.startswith("DJANGO_")]
    names += ["DATABASE_URL", "EMAIL_URL", "PYTHONPATH"]
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}='{env[name]}'\n" for name in sorted(names)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's, per node")
    parser.add_argument("--port", type=int, default=8080, help="HAProxy's")
    parser.add_argument(
        "--first-port",
        type=int,
        default=8100,
        help="mail sink here, node n at this + n, HAProxy's stats page at this + 99",
    )
    args = parser.parse_args()
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        print("HAProxy is missing: apt-get install -y haproxy", file=sys.stderr)
        return 2
    ports = Ports(args.port, args.first_port)
    workdir = Path(tempfile.mkdtemp(prefix="clinic_cluster_"))
    url = database_url("clinic_cluster")
    print(f"Preparing {url} (fresh, migrated) and the static files...")
    env = prepare(url, workdir, ports)
    env_file = workdir / "cluster.env"
    write_env_file(env, env_file)
    cluster = Cluster(
        nodes=args.nodes, env=env, workdir=workdir, ports=ports, workers=args.workers
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C stops the cluster even when a shell started this with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        cluster.start()
        print(cluster.describe())
        print(
            "A first staff account, from another shell in the project folder:\n"
            f"  set -a; . {env_file}; set +a; "
            ".venv/bin/python manage.py createsuperuser\n"
            "Ctrl-C stops everything."
        )
        while True:
            time.sleep(1)
            if cluster.haproxy.poll() is not None:
                print(f"HAProxy exited; see {cluster.haproxy_log}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        cluster.stop()
        print(f"Stopped. Logs and mail kept in {workdir}")


if __name__ == "__main__":
    sys.exit(main())
