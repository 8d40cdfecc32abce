"""``make bench``: the real flows beside the bare stack, measured in one run.

Builds its own database (PostgreSQL when ``DATABASE_URL`` points at a server, a SQLite
file under /tmp otherwise), starts gunicorn on a free loopback port with
``bench.settings``, drives it with wrk and ``bench/lua/requests.lua``, stops everything
it started, prints a table and writes ``bench/results/<timestamp>.json``.

Every figure stands beside a baseline measured in the same run, as a ratio, because
the machine is shared and its speed varies from minute to minute.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import audit_writes
from bench.cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua" / "requests.lua"
RESULTS = ROOT / "bench" / "results"
BUILT_MARKER = "bench_built_intakes"
TARGET_P50_RATIO = 1.5
TARGET_QUERIES = 12
TARGET_RECORD_SEARCH_MS = 50
TARGET_SUBMIT_SHARE = 1 / 3
TARGET_DECISIONS = 20_000
# The operations reports: a figure beside the baseline, without a target of its own
# (aggregates over the period's intakes, not one page of a list).
REPORTS_PAGE = "operations reports"
# Streaming a CSV export holds memory flat: the whole referral list's peak resident
# memory within this much of a 10,000-row export's (bench/export_memory.py).
EXPORT_SMALL_ROWS = 10_000
TARGET_EXPORT_RSS_RATIO = 1.2
# Concurrent audited writers (bench/audit_writes.py), on PostgreSQL.
WRITERS = (1, 4, 16)


# Database -----------------------------------------------------------------------------


def bench_database(name: str) -> tuple[str, str]:
    """The benchmark's own database (URL, vendor), on DATABASE_URL's server if any."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), "postgresql"
    return f"sqlite:////tmp/{name}.sqlite3", "sqlite"


def recreate_database(url: str, vendor: str) -> None:
    """Drop and create the benchmark database (only ever one named clinic_bench*)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    assert name.startswith("clinic_bench"), name
    if vendor == "sqlite":
        Path(parts.path).unlink(missing_ok=True)
        return
    import psycopg

    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    server = server.replace("postgresql://", "postgres://", 1)
    server = server.replace("pgsql://", "postgres://", 1)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


# Preparation inside Django ------------------------------------------------------------


@dataclass
class Page:
    name: str
    user: str
    paths: list[str]
    queries: int | None = None
    rows_note: str = ""
    lines: Path | None = None


@dataclass
class Prepared:
    pages: list[Page] = field(default_factory=list)
    submit_lines: Path | None = None
    submit_old_lines: Path | None = None
    submit_pool: list[str] = field(default_factory=list)
    submit_queries: int | None = None
    submit_old_queries: int | None = None
    bare_lines: Path | None = None
    bare_queries: int | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    submit_path: str = ""
    submit_body: str = ""


def _login(user, csrf: str) -> str:
    """A signed-in session for ``user`` (two-factor verified), as a Cookie header."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import CSRF_SESSION_KEY
    from django.test import Client

    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = SessionStore(session_key=key)
    session[CSRF_SESSION_KEY] = csrf
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    except ImportError:
        pass
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}"


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _count_queries(cookie: str, method: str, path: str, data: str = "") -> int:
    """SQL statements one request costs, through the test client with the same cookies.

    A page is fetched once first, as wrk's requests are: the first request of a
    session also writes the session (staff idle timeout, once a minute). Transaction
    control (BEGIN, COMMIT, savepoints) is not a query and is not counted.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for part in cookie.split("; ") if cookie else []:
        name, value = part.split("=", 1)
        client.cookies[name] = value
    if method == "GET":
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(
                path, data, content_type="application/x-www-form-urlencoded"
            )
    expected = 200 if method == "GET" else 302
    if response.status_code != expected:
        raise RuntimeError(f"{method} {path} answered {response.status_code}")
    return sum(
        not query["sql"].startswith(TRANSACTION_CONTROL)
        for query in captured.captured_queries
    )


def _write_lines(workdir: Path, name: str, lines: list[str]) -> Path:
    path = workdir / f"{name}.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def make_drafts(count: int, rng: random.Random, csrf: str) -> list[str]:
    """``count`` finished online drafts (five treatment rows each), one session each.

    The rows are what the online steps store; only the last step, the one measured,
    remains. Returns one Cookie header per draft.
    """
    import uuid

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.middleware.csrf import CSRF_SESSION_KEY
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from bench import scale
    from clinic.models import Counter
    from intake import online
    from intake.models import Drug, Intake, OnlineDraft, Patient, TreatmentTrial
    from intake.services import client_hash
    from intake.views import SESSION_DRAFT

    drugs = list(Drug.objects.all())
    now = timezone.now()
    steps = [step.slug for step in online.STEPS[:-1]]
    address = client_hash("127.0.0.1", "bench")
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(
            name=scale.RECORD_COUNTER
        )
        first = counter.value + 1
        counter.value += count
        counter.save(update_fields=["value"])
        patients, intakes, rows, drafts, sessions, cookies = [], [], [], [], [], []
        store = SessionStore()
        for n in range(count):
            answers, treatments, age = scale.random_answers(rng, drugs, rows=5)
            given = rng.choice(scale.FIRST_NAMES)
            family = rng.choice(scale.LAST_NAMES)
            patient = Patient(
                id=uuid.uuid4(),
                record_number=f"P-{first + n:06d}",
                first_name=given,
                last_name=family,
                date_of_birth=datetime.date(now.year - age - 1, 12, 31),
                sex="female",
                email=f"bench.{first + n}@example.com",
            )
            patient.fill_search_fields()
            intake = Intake(
                id=uuid.uuid4(),
                patient=patient,
                source=Intake.Source.ONLINE,
                consent_signature=f"{given} {family}",
                consent_signed_at=now,
                **answers,
            )
            draft = OnlineDraft(
                id=uuid.uuid4(),
                intake=intake,
                start_key=get_random_string(32),
                client_hash=address,
                steps_done=steps,
            )
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {SESSION_DRAFT: str(draft.pk), CSRF_SESSION_KEY: csrf}
            patients.append(patient)
            intakes.append(intake)
            rows += [TreatmentTrial(intake=intake, **row) for row in treatments]
            drafts.append(draft)
            sessions.append(
                Session(
                    session_key=key,
                    session_data=store.encode(data),
                    expire_date=now + datetime.timedelta(days=1),
                )
            )
            cookies.append(
                f"{settings.SESSION_COOKIE_NAME}={key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}"
            )
        Patient.objects.bulk_create(patients, batch_size=1000)
        Intake.objects.bulk_create(intakes, batch_size=500)
        TreatmentTrial.objects.bulk_create(rows, batch_size=2000)
        OnlineDraft.objects.bulk_create(drafts, batch_size=1000)
        Session.objects.bulk_create(sessions, batch_size=1000)
    return cookies


def prepare(workdir: Path, *, pool: int, seed: int) -> Prepared:
    """Users, sessions, drafts and request files; query counts per page."""
    from django.contrib.auth.models import Permission
    from django.urls import NoReverseMatch, reverse
    from django.utils.crypto import get_random_string

    from bench import old_trail, scale
    from bench.models import OldAuditHead
    from clinic import roles
    from clinic.models import Counter
    from intake.models import Intake
    from referrals.models import Referral

    rng = random.Random(seed)
    frontdesk, physician = scale.bench_users()
    frontdesk.user_permissions.add(
        Permission.objects.get(content_type__app_label="bench", codename="view_listrow")
    )
    csrf = get_random_string(32)
    manager = scale.bench_user(scale.MANAGER_USER, roles.CLINIC_MANAGER)
    cookies = {
        "front desk": _login(frontdesk, csrf),
        "physician": _login(physician, csrf),
        "manager": _login(manager, csrf),
    }
    built = Counter.objects.get(name=BUILT_MARKER).value
    prepared = Prepared(cookies=cookies)

    numbers = [rng.randint(1, built) for _ in range(1000)]
    intake_ids = list(
        Intake.objects.filter(
            patient__record_number__in=[f"P-{n:06d}" for n in numbers[:400]],
            referrals__isnull=False,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    pending = list(
        Referral.objects.filter(status="pending_review").values_list(
            "intake_id", flat=True
        )[:200]
    )
    review_ids = list(dict.fromkeys(intake_ids + pending))
    rng.shuffle(review_ids)

    def url(name, *args, query=""):
        try:
            return reverse(name, args=args) + query
        except NoReverseMatch:
            return None

    patients = url("admin:intake_patient_changelist")
    today = datetime.date.today()
    year = f"?start={today - datetime.timedelta(weeks=52)}&end={today}"
    candidates = [
        ("intake changelist", "front desk", [url("admin:intake_intake_changelist")]),
        (
            "review queue",
            "physician",
            [url("admin:referrals_queueentry_changelist")],
        ),
        (
            "search: record number",
            "front desk",
            [f"{patients}?q=P-{n:06d}" for n in numbers],
        ),
        (
            "search: last name",
            "front desk",
            [
                f"{patients}?q={urllib.parse.quote(rng.choice(scale.LAST_NAMES))}"
                for _ in range(1000)
            ],
        ),
        (
            "referral review page",
            "physician",
            [url("admin:referrals_review", pk) for pk in review_ids],
        ),
        (
            f"{REPORTS_PAGE}, 12 weeks",
            "manager",
            [url("admin:reports_operationsreport_changelist")],
        ),
        (
            f"{REPORTS_PAGE}, 52 weeks",
            "manager",
            [url("admin:reports_operationsreport_changelist", query=year)],
        ),
        ("home: front desk", "front desk", [url("admin:index")]),
        ("home: physician", "physician", [url("admin:index")]),
        ("home: manager", "manager", [url("admin:index")]),
        (
            "baseline: stock changelist",
            "front desk",
            [url("admin:bench_listrow_changelist")],
        ),
    ]
    for name, user, paths in candidates:
        paths = [path for path in paths if path]
        if not paths:
            print(f"  (skipped {name}: its page does not exist yet)")
            continue
        page = Page(name, user, paths)
        page.queries = _count_queries(cookies[user], "GET", paths[0])
        page.lines = _write_lines(
            workdir,
            name.replace(" ", "_").replace(":", ""),
            [f"GET\t{path}\t{cookies[user]}\t" for path in paths],
        )
        prepared.pages.append(page)

    bare_bodies = [
        urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "first_name": rng.choice(scale.FIRST_NAMES),
                "last_name": rng.choice(scale.LAST_NAMES),
                "email": f"bare{n}@example.com",
                "phone": f"704555{n:04d}",
                "born": "1987-04-12",
                "visits": n % 40,
                "score": n % 100,
                "kind": "a",
                "note": "A short note.",
                "agreed": "on",
            }
        )
        for n in range(200)
    ]
    csrf_cookie = f"csrftoken={csrf}"
    from django.conf import settings

    csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={csrf}"
    prepared.bare_queries = _count_queries(
        csrf_cookie, "POST", url("bench-bare"), bare_bodies[0]
    )
    prepared.bare_lines = _write_lines(
        workdir,
        "bare",
        [f"POST\t{url('bench-bare')}\t{csrf_cookie}\t{body}" for body in bare_bodies],
    )

    submit = url("intake:step", "review")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf})
    prepared.csrf, prepared.submit_path, prepared.submit_body = csrf, submit, body
    drafts = make_drafts(pool + 2, rng, csrf)
    prepared.submit_queries = _count_queries(drafts[0], "POST", submit, body)
    OldAuditHead.objects.get_or_create(pk=1)
    old_trail.connect()
    prepared.submit_old_queries = _count_queries(drafts[1], "POST", submit, body)
    old_trail.disconnect()
    prepared.submit_pool = drafts[2:]
    # Half the drafts for the server as it is, half for the baseline server writing
    # its audit entries under the former chain head's lock (bench/old_trail.py).
    half = len(prepared.submit_pool) // 2
    for name, cookies in (
        ("submit", prepared.submit_pool[:half]),
        ("submit_old", prepared.submit_pool[half:]),
    ):
        setattr(
            prepared,
            f"{name}_lines",
            _write_lines(
                workdir,
                name,
                [f"POST\t{submit}\t{cookie}\t{body}" for cookie in cookies],
            ),
        )
    return prepared


# Server and load ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with sync workers, one per core, on a free loopback port."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:  # Django's own log lines go there too
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "clinic.wsgi:application",
                    "--worker-class=sync",
                    f"--workers={workers}",
                    f"--bind=127.0.0.1:{self.port}",
                    "--timeout=120",
                    "--log-level=warning",
                    f"--error-logfile={log}",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                urllib.request.urlopen(self.url + "/admin/login/", timeout=5)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Worker:
    """The task worker (``manage.py run_worker``): routing, e-mail, periodic tasks."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "-v", "0"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def warm(server: Server | Cluster, lines: Path, count: int = 6) -> None:
    """A few requests first, so both workers have loaded code and templates."""
    for line in lines.read_text().splitlines()[:count]:
        method, path, cookie, body = (line.split("\t") + [""] * 4)[:4]
        if method != "GET":
            continue
        request = urllib.request.Request(server.url + path, headers={"Cookie": cookie})
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=60).read()


def drain(server: Server, workers: int) -> None:
    """Wait until the workers have finished requests wrk left queued when it stopped.

    Sync workers keep serving a backlog after the load generator's clock ran out; a
    measurement started before it clears would time the previous one's tail.
    """
    for _ in range(workers * 2):
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(server.url + "/admin/login/", timeout=300).read()


def wrk(
    server: Server | Cluster, lines: Path, *, clients: int, seconds: int, expect: int
) -> dict:
    """One wrk measurement; returns its JSON summary with rps and milliseconds."""
    threads = min(clients, 2)
    command = [
        shutil.which("wrk") or "/usr/bin/wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout=30s",
        "-s",
        str(LUA),
        server.url,
        "--",
        str(lines),
        str(threads),
        str(expect),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = next(
        line for line in done.stdout.splitlines() if line.startswith("BENCHJSON ")
    )
    result = json.loads(line.removeprefix("BENCHJSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    for key in ("p50", "p90", "p99"):
        result[f"{key}_ms"] = result.pop(f"{key}_us") / 1000
    result["errors"] = (
        sum(
            result[key]
            for key in (
                "errors_connect",
                "errors_read",
                "errors_write",
                "errors_status",
                "errors_timeout",
            )
        )
        + result["unexpected_status"]
    )
    return result


# What routing does under the submit load ---------------------------------------------


def submit_pool(prepared: Prepared, workdir: Path, name: str, count: int, seed: int):
    """A new pool of ``count`` drafts to submit: (request file, draft ids)."""
    from django.db import connection

    from intake.models import OnlineDraft

    cookies = make_drafts(count, random.Random(seed), prepared.csrf)
    ids = list(
        OnlineDraft.objects.order_by("-created").values_list("pk", flat=True)[:count]
    )
    connection.close()
    lines = _write_lines(
        workdir,
        name,
        [
            f"POST\t{prepared.submit_path}\t{cookie}\t{prepared.submit_body}"
            for cookie in cookies
        ],
    )
    return lines, ids


def routing_lag(pool_ids: list, timeout: float = 300) -> dict:
    """Once the workers have routed every intake of the pool submitted so far: the
    time from each submission to its stored decision (median, 99th percentile) and
    the workers' rate (decisions, referrals and their events stored per second from
    the first decision to the last)."""
    from django.db import connection
    from django.db.models import Max, Min

    from intake.models import Intake
    from referrals.models import Referral, ReferralEvent, RoutingDecision

    submitted = Intake.objects.filter(
        online_draft__in=pool_ids, status=Intake.Status.SUBMITTED
    )
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        waiting = submitted.exclude(
            pk__in=RoutingDecision.objects.values("intake_id")
        ).count()
        if not waiting:
            break
        time.sleep(1)
    decisions = RoutingDecision.objects.filter(intake__in=submitted)
    lags = sorted(
        (made - sent).total_seconds()
        for made, sent in decisions.values_list("created", "intake__submitted_at")
    )
    span = decisions.aggregate(first=Min("created"), last=Max("created"))
    referrals = Referral.objects.filter(intake__in=submitted).count()
    events = ReferralEvent.objects.filter(referral__intake__in=submitted).count()
    connection.close()
    if not lags:
        return {"decisions": 0, "unrouted": waiting}
    seconds = max((span["last"] - span["first"]).total_seconds(), 0.001)
    return {
        "decisions": len(lags),
        "unrouted": waiting,
        "referrals": referrals,
        "events": events,
        "decisions_per_s": len(lags) / seconds,
        "rows_per_s": (len(lags) + referrals + events) / seconds,
        "lag_p50_s": lags[len(lags) // 2],
        "lag_p99_s": lags[min(int(len(lags) * 0.99), len(lags) - 1)],
    }


def database_work(prepared: Prepared, count: int, seed: int) -> dict:
    """The database's work for ``count`` submissions sent in this process, then for
    routing them (the routing service itself, without the task queue's claim and
    bookkeeping), each as ``dbwork.Work``'s summary."""
    from django.test import Client

    from bench import dbwork
    from clinic.worker import run_ready_tasks
    from intake.models import Intake
    from referrals.services import intake_route_waiting

    cookies = make_drafts(count, random.Random(seed), prepared.csrf)

    def submit(cookie: str):
        def send() -> None:
            client = Client()
            for part in cookie.split("; "):
                name, value = part.split("=", 1)
                client.cookies[name] = value
            response = client.post(
                prepared.submit_path,
                prepared.submit_body,
                content_type="application/x-www-form-urlencoded",
            )
            assert response.status_code == 302, response.status_code

        return send

    submitting = dbwork.measure_work([submit(c) for c in cookies], "submit")
    submitted = Intake.objects.filter(status=Intake.Status.SUBMITTED).order_by(
        "-submitted_at"
    )[:count]
    routing = dbwork.measure_work(
        [
            lambda intake_id=intake_id: intake_route_waiting(intake_id=intake_id)
            for intake_id in submitted.values_list("pk", flat=True)
        ],
        "routing",
    )
    run_ready_tasks()  # their jobs, which find them routed, and the matching jobs
    return {"submit": submitting.summary(), "routing": routing.summary()}


def cluster_figures(
    args, prepared: Prepared, page: Page, url: str, workdir: Path
) -> list[dict]:
    """The submit figure and ``page`` through HAProxy with 1, 2, 3... nodes.

    The nodes run ``bench.cluster_settings`` (production's settings, debug off) on
    the bench's database with the bench process's secret key, so the sessions
    prepared here are theirs too. Each submit figure has its own pool of drafts.
    """
    from django.conf import settings

    from bench.cluster import Ports, cluster_env
    from bench.dbwork import LockWatcher

    ports = Ports(args.cluster_port, args.cluster_first_port)
    env = cluster_env(
        url,
        workdir,
        ports,
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_AUDIT_KEY=settings.AUDIT_KEY,
        INTAKE_NEW_FORMS_PER_HOUR="1000000",
    )
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    results = []
    for nodes in args.nodes:
        lines, ids = submit_pool(
            prepared, workdir, f"submit_{nodes}", args.pool, args.seed + nodes
        )
        cluster = Cluster(
            nodes=nodes,
            env=env,
            workdir=workdir,
            ports=ports,
            workers=args.node_workers,
        )
        print(f"  {nodes} node(s) behind HAProxy...")
        try:
            cluster.start()
            warm(cluster, page.lines)
            staff = wrk(
                cluster,
                page.lines,
                clients=args.clients,
                seconds=args.seconds,
                expect=200,
            )
            watcher = LockWatcher(url)
            watcher.start()
            submitted = wrk(
                cluster,
                lines,
                clients=args.clients,
                seconds=args.seconds,
                expect=302,
            )
            locks = watcher.stop()
            lag = routing_lag(ids)
        finally:
            cluster.stop()
        results.append(
            {
                "nodes": nodes,
                "page": staff,
                "submit": submitted,
                "locks": locks,
                "routing": lag,
            }
        )
    return results


# The engine alone ---------------------------------------------------------------------


def export_memory(env: dict, rows: int) -> dict:
    """Rows, seconds and peak RSS of streaming ``rows`` referrals as CSV (0: all)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.export_memory", str(rows)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def export_row(small: dict, whole: dict) -> Row:
    ratio = whole["peak_rss_mb"] / small["peak_rss_mb"]
    return Row(
        f"CSV export: {whole['rows']:,} referrals",
        None,
        whole["rows"] / whole["seconds"],
        None,
        None,
        None,
        f"peak RSS, {small['rows']:,} rows",
        small["peak_rss_mb"],
        ratio,
        f"peak RSS <={TARGET_EXPORT_RSS_RATIO}x",
        ratio <= TARGET_EXPORT_RSS_RATIO,
        note=f"rows/s; peak RSS {whole['peak_rss_mb']:.0f} MB "
        f"vs {small['peak_rss_mb']:.0f} MB",
    )


def engine_rate(seconds: float, seed: int) -> dict:
    """Decisions per second of ``routing.route`` in this process, beside a yardstick.

    The yardstick is ``json.dumps`` of the same facts: plain CPU work whose speed
    moves with the machine's, so the ratio survives a noisy neighbour.
    """
    from bench import scale
    from referrals import routing

    facts = [variant.facts for variant in scale.routed_variants(300, seed)]

    def rate(work) -> float:
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for item in facts:
                work(item)
            count += len(facts)
        return count / (time.perf_counter() - start)

    decisions = rate(routing.route)
    yardstick = rate(json.dumps)
    return {"decisions_per_s": decisions, "json_dumps_per_s": yardstick}


# FHIR export --------------------------------------------------------------------------

# The export's peak memory at the full scale against one chunk's: flat means equal.
TARGET_FHIR_RSS_RATIO = 1.25
# Its rate at the full scale against one chunk's: no slowing down as the clinic grows.
TARGET_FHIR_RATE_RATIO = 0.5


def fhir_export_figures(env: dict, workdir: Path) -> dict:
    """``export_fhir`` of the whole clinic beside the export of one chunk of patients.

    Each runs in its own process (``bench/fhir_bench.py``), so each peak resident
    memory is that export's alone.
    """
    from fhir_export.selectors import CHUNK_SIZE

    figures = {}
    for name, extra in (("one_chunk", [f"--patients={CHUNK_SIZE}"]), ("all", [])):
        print(f"  export_fhir, {name.replace('_', ' ')}...")
        target = workdir / f"fhir-{name}"
        done = subprocess.run(
            [sys.executable, "-m", "bench.fhir_bench", str(target), *extra],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        figures[name] = json.loads(done.stdout.strip().splitlines()[-1])
        shutil.rmtree(target, ignore_errors=True)
    return figures


def fhir_export_rows(figures: dict) -> list[Row]:
    whole, chunk = figures["all"], figures["one_chunk"]
    rate_ratio = whole["resources_per_s"] / chunk["resources_per_s"]
    rss_ratio = whole["peak_rss_mb"] / chunk["peak_rss_mb"]
    return [
        Row(
            "export_fhir (resources/s)",
            None,
            whole["resources_per_s"],
            None,
            None,
            None,
            "one chunk's resources/s",
            chunk["resources_per_s"],
            rate_ratio,
            f">={TARGET_FHIR_RATE_RATIO}x one chunk's",
            rate_ratio >= TARGET_FHIR_RATE_RATIO,
            note=f"{whole['resources']:,} resources in {whole['seconds']:,.0f} s",
        ),
        Row(
            "export_fhir peak RSS (MB)",
            None,
            whole["peak_rss_mb"],
            None,
            None,
            None,
            "one chunk's peak RSS MB",
            chunk["peak_rss_mb"],
            rss_ratio,
            f"<={TARGET_FHIR_RSS_RATIO}x one chunk's",
            rss_ratio <= TARGET_FHIR_RSS_RATIO,
            note=f"{whole['setup_rss_mb']:,.0f} MB after Django's setup",
        ),
    ]


def outcomes_figures(env: dict) -> dict:
    """What the outcomes page computes, for all its courses and for the most recent
    tenth, in a process of its own (``bench/outcomes_bench.py``; it first gives the
    database courses for a tenth of its intakes)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.outcomes_bench"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def outcomes_row(figures: dict) -> Row:
    whole, tenth = figures["all"], figures["tenth"]
    return Row(
        f"outcomes page figures (ms), {whole['courses']:,} courses",
        None,
        None,
        whole["seconds"] * 1000,
        None,
        whole["queries"],
        f"ms for the latest {tenth['courses']:,}",
        tenth["seconds"] * 1000,
        whole["seconds"] / tenth["seconds"],
        "(figure)",
        None,
    )


# Report -------------------------------------------------------------------------------


@dataclass
class Row:
    measurement: str
    clients: int | None
    rps: float | None
    p50_ms: float | None
    p99_ms: float | None
    queries: int | None
    baseline: str
    baseline_value: float | None
    ratio: float | None
    target: str
    met: bool | None
    errors: int = 0
    note: str = ""


def table(rows: list[Row]) -> str:
    head = (
        f"{'measurement':<30} {'c':>2} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'SQL':>4} {'baseline':>9} {'ratio':>6}  {'target':<22} met"
    )
    out = [head, "-" * len(head)]

    def num(value, digits=1):
        return "-" if value is None else f"{value:,.{digits}f}"

    for row in rows:
        out.append(
            f"{row.measurement:<30} {row.clients or '':>2} {num(row.rps):>8} "
            f"{num(row.p50_ms):>8} {num(row.p99_ms):>8} "
            f"{row.queries if row.queries is not None else '-':>4} "
            f"{num(row.baseline_value):>9} {num(row.ratio, 2):>6}  {row.target:<22} "
            f"{'-' if row.met is None else ('yes' if row.met else 'NO')}"
            + (f"  errors={row.errors}" if row.errors else "")
            + (f"  {row.note}" if row.note else "")
        )
    return "\n".join(out)


def audited_write_rows(measured: dict[str, dict]) -> list[Row]:
    """Audited writes per second by writers, the new trail beside the old lock.

    The target: with the new trail, more writers write more (today's lock made one
    queue of them). Only measured on PostgreSQL: SQLite has one write lock anyway.
    """
    if f"writes|{WRITERS[0]}|new" not in measured:
        return []
    single = measured[f"writes|{WRITERS[0]}|new"]["writes_per_s"]
    rows = []
    for writers in WRITERS:
        new = measured[f"writes|{writers}|new"]
        old = measured[f"writes|{writers}|old"]
        grows = writers > WRITERS[0]
        rows.append(
            Row(
                "audited writes/s, new trail",
                writers,
                new["writes_per_s"],
                None,
                None,
                None,
                "old lock writes/s",
                old["writes_per_s"],
                new["writes_per_s"] / old["writes_per_s"],
                f"> {WRITERS[0]} writer's" if grows else "",
                new["writes_per_s"] > single if grows else None,
                note=f"sealed {new['sealed']:,} in {new['sealing_seconds']:.1f} s",
            )
        )
    for writers in WRITERS:
        old = measured[f"writes|{writers}|old"]
        rows.append(
            Row(
                "audited writes/s, old lock",
                writers,
                old["writes_per_s"],
                None,
                None,
                None,
                "",
                None,
                None,
                "(baseline)",
                None,
            )
        )
    return rows


def routing_report(lag: dict, clients: int) -> str:
    if not lag.get("decisions"):
        return "Routing under the submit load: nothing was routed."
    return (
        f"Routing in the one task worker under the submit load ({clients} clients): "
        f"{lag['decisions']} decisions, {lag['decisions_per_s']:.1f}/s "
        f"({lag['referrals']} referrals and {lag['events']} events with them: "
        f"{lag['rows_per_s']:.0f} rows/s); submission -> stored decision "
        f"p50 {lag['lag_p50_s']:.2f} s, p99 {lag['lag_p99_s']:.2f} s"
        + (f"; {lag['unrouted']} NOT ROUTED" if lag["unrouted"] else "")
    )


def work_report(work: dict) -> str:
    lines = ["Database work (in this process, one at a time):"]
    for name, each in work.items():
        lines.append(
            f"  per {name}: {each['statements_each']:.1f} statements "
            f"({each['statements_by_kind_each']}), "
            f"{each['rows_inserted_each']:.1f} rows inserted, "
            f"{each['rows_updated_each']:.1f} updated or deleted, "
            f"{each['locking_reads_each']:.1f} read FOR UPDATE, "
            f"{each['transactions_each']:.1f} transactions, "
            f"{each['wal_bytes_each']:,.0f} WAL bytes "
            f"({each['wal_records_each']:.0f} records), "
            f"{each['ms_each']:.1f} ms; {each['operations']} measured"
        )
    lines.append(f"  WAL from {next(iter(work.values()))['wal_source']}")
    return "\n".join(lines)


def nodes_report(nodes: list[dict], args) -> str:
    one = nodes[0]
    head = (
        f"{'nodes':>5} {'queue req/s':>11} {'x1':>5} {'submit req/s':>12} {'x1':>5} "
        f"{'p50 ms':>7} {'routed/s':>8} {'lag p50':>7} {'lag p99':>7} "
        f"{'lock wait':>9}"
    )
    lines = [
        f"Through HAProxy: N nodes of {args.node_workers} sync workers and a task "
        f"worker each, {args.clients} clients, {args.seconds} s per figure "
        "(x1: beside the 1-node figure; lock wait: longest seen, 50 ms sampling)",
        head,
        "-" * len(head),
    ]
    for result in nodes:
        page, submit, routing = result["page"], result["submit"], result["routing"]
        lines.append(
            f"{result['nodes']:>5} {page['rps']:>11.1f} "
            f"{page['rps'] / one['page']['rps']:>5.2f} {submit['rps']:>12.1f} "
            f"{submit['rps'] / one['submit']['rps']:>5.2f} {submit['p50_ms']:>7.1f} "
            f"{routing.get('decisions_per_s', 0):>8.1f} "
            f"{routing.get('lag_p50_s', 0):>6.2f}s "
            f"{routing.get('lag_p99_s', 0):>6.2f}s "
            f"{result['locks']['longest_lock_wait_ms']:>7.0f}ms"
            + (
                f"  errors={submit['errors'] + page['errors']}"
                if submit["errors"] + page["errors"]
                else ""
            )
        )
    longest = max(nodes, key=lambda result: result["locks"]["longest_lock_wait_ms"])
    if longest["locks"]["waiting"]:
        lines.append(
            f"longest lock wait ({longest['nodes']} nodes): "
            f"{longest['locks']['waiting']!r} waited on {longest['locks']['held_by']!r}"
        )
    return "\n".join(lines)


def page_rows(prepared: Prepared, measured: dict, clients_many: int) -> list[Row]:
    """The staff pages' rows, each beside the stock changelist of the same run."""
    rows = []
    for page in prepared.pages:
        if page.name.startswith("baseline"):
            continue
        for clients in (1, clients_many):
            result = measured[f"{page.name}|{clients}"]
            base = measured[f"baseline: stock changelist|{clients}"]
            ratio = result["p50_ms"] / base["p50_ms"]
            met = ratio <= TARGET_P50_RATIO and page.queries <= TARGET_QUERIES
            target = f"p50<={TARGET_P50_RATIO}x, <={TARGET_QUERIES} SQL"
            if page.name.startswith(REPORTS_PAGE):
                met, target = None, "(figure)"
            if page.name == "search: record number" and clients == 1:
                # The absolute target is one client's wait, not a queue's.
                met = met and result["p50_ms"] < TARGET_RECORD_SEARCH_MS
                target += f", <{TARGET_RECORD_SEARCH_MS}ms"
            rows.append(
                Row(
                    page.name,
                    clients,
                    result["rps"],
                    result["p50_ms"],
                    result["p99_ms"],
                    page.queries,
                    "stock changelist p50",
                    base["p50_ms"],
                    ratio,
                    target,
                    met,
                    result["errors"],
                )
            )
    for page in prepared.pages:
        if page.name.startswith("baseline"):
            for clients in (1, clients_many):
                result = measured[f"{page.name}|{clients}"]
                rows.append(
                    Row(
                        page.name,
                        clients,
                        result["rps"],
                        result["p50_ms"],
                        result["p99_ms"],
                        page.queries,
                        "",
                        None,
                        None,
                        "(baseline)",
                        None,
                        result["errors"],
                    )
                )
    return rows


def write_results(started, args, vendor: str, suffix: str, **figures) -> None:
    """Write a run's figures to ``bench/results/<start time><suffix>.json``, with what
    every run records: when, the scale, the database and the machine."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}{suffix}.json"
    cores = os.cpu_count() or 1
    run = {
        "date": started.isoformat(),
        "scale": args.scale,
        "database": vendor,
        "cores": cores,
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    out.write_text(json.dumps(run | figures, indent=2))
    print(f"\nWrote {out.relative_to(ROOT)}")


def pages_report(args, prepared, measured, started, load_before, workdir) -> int:
    """``--pages-only``: print and write the staff pages' table."""
    rows = page_rows(prepared, measured, args.clients)
    shutil.rmtree(workdir, ignore_errors=True)
    from django.db import connection

    vendor = connection.vendor
    load_after = os.getloadavg()
    cores = os.cpu_count() or 1
    print(
        f"\n{started.strftime('%Y-%m-%d %H:%M UTC')}: {args.scale:,} intakes, "
        f"{vendor}, {cores} cores, {cores} sync workers, {args.seconds} s per figure, "
        f"load average {load_before[0]:.1f} -> {load_after[0]:.1f}"
    )
    print(table(rows))
    write_results(
        started,
        args,
        vendor,
        "-pages",
        seconds_per_measurement=args.seconds,
        clients=args.clients,
        load_average_before=load_before,
        load_average_after=load_after,
        rows=[asdict(row) for row in rows],
        raw=measured,
    )
    return 1 if sum(row.errors for row in rows) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="intakes")
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--submit-clients", type=int, default=4)
    parser.add_argument("--pool", type=int, default=2500, help="drafts to submit")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database already built at this scale instead of rebuilding it",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--fhir-only",
        action="store_true",
        help="measure only export_fhir (no server, no wrk)",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="measure only the staff pages beside the stock changelist (no submit, "
        "no writers, no nodes, no exports); a smaller --pool is then enough",
    )
    parser.add_argument(
        "--pages",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=[],
        help="measure only the staff pages whose names start so, comma-separated "
        "('search: last name,home'), beside the stock changelist",
    )
    parser.add_argument(
        "--no-fhir",
        action="store_true",
        help="leave out export_fhir (at 1,000,000 intakes it takes most of an hour: "
        "measure it on its own with --fhir-only)",
    )
    parser.add_argument(
        "--database",
        help="the benchmark's own database (default clinic_bench_<scale>); another "
        "name starting clinic_bench keeps runs beside each other apart",
    )
    parser.add_argument(
        "--nodes",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[1, 2, 3],
        help="node counts of the figures through HAProxy (PostgreSQL only; '' skips)",
    )
    parser.add_argument("--node-workers", type=int, default=2, help="gunicorn's")
    parser.add_argument(
        "--work-sample",
        type=int,
        default=30,
        help="submissions whose database work is counted (PostgreSQL only)",
    )
    parser.add_argument("--cluster-port", type=int, default=8080)
    parser.add_argument("--cluster-first-port", type=int, default=8100)
    args = parser.parse_args()

    if (
        not args.fhir_only
        and not shutil.which("wrk")
        and not Path("/usr/bin/wrk").exists()
    ):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    cores = os.cpu_count() or 1
    url, vendor = bench_database(args.database or f"clinic_bench_{args.scale}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "true",  # bench.settings turns debug off after import
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    started = datetime.datetime.now(datetime.UTC)
    print(f"Benchmark: {args.scale:,} intakes on {vendor}, {cores} cores")

    import django

    django.setup()
    from django.db import connection

    from clinic.models import Counter

    built = None
    if args.reuse:
        try:
            built = Counter.objects.filter(name=BUILT_MARKER).first()
        except Exception:
            built = None
        connection.close()
    build_seconds = None
    if built is None or built.value != args.scale:
        print("Building the database...")
        recreate_database(url, vendor)
        manage("migrate", "--noinput", "-v", "0", env=env)
        start = time.perf_counter()
        manage("bench_data", f"--intakes={args.scale}", f"--seed={args.seed}", env=env)
        build_seconds = time.perf_counter() - start
        Counter.objects.update_or_create(
            name=BUILT_MARKER, defaults={"value": args.scale}
        )
    else:
        print("Reusing the database built earlier at this scale.")
        # Later migrations (an index, say) apply to the kept data too.
        manage("migrate", "--noinput", "-v", "0", env=env)
    # A bulk-loaded table has no statistics or visibility map until autovacuum gets
    # to it, as it would long before a clinic's history reached this size; without
    # them PostgreSQL scans where an index-only scan would do.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    connection.close()

    workdir = Path(tempfile.mkdtemp(prefix="clinic_bench_"))
    if args.fhir_only:
        fhir = fhir_export_figures(env, workdir)
        rows = fhir_export_rows(fhir)
        print(f"\n{args.scale:,} intakes, {vendor}, {cores} cores")
        print(table(rows))
        write_results(
            started,
            args,
            vendor,
            "-fhir",
            rows=[asdict(row) for row in rows],
            fhir_export=fhir,
        )
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print("Preparing sessions, drafts and request files...")
    prepared = prepare(workdir, pool=args.pool, seed=args.seed)
    if args.pages:
        prepared.pages = [
            page
            for page in prepared.pages
            if page.name.startswith(("baseline", *args.pages))
        ]
    from intake.models import OnlineDraft

    pool_ids = list(
        OnlineDraft.objects.order_by("-created").values_list("pk", flat=True)[
            : len(prepared.submit_pool)
        ]
    )
    connection.close()
    work = None
    if vendor == "postgresql" and args.work_sample:
        print("Counting the database's work per submission and per routing...")
        work = database_work(prepared, args.work_sample, args.seed + 100)

    load_before = os.getloadavg()
    server = Server(env, cores, workdir / "gunicorn.log")
    worker = Worker(env, workdir / "worker.log")  # routes what the submit figure sends
    measured: dict[str, dict] = {}
    old_server = None
    try:
        server.wait_ready()
        for page in prepared.pages:
            warm(server, page.lines)
        for page in prepared.pages:
            for clients in (1, args.clients):
                print(f"  {page.name}, {clients} client(s)...")
                measured[f"{page.name}|{clients}"] = wrk(
                    server,
                    page.lines,
                    clients=clients,
                    seconds=args.seconds,
                    expect=200,
                )
                drain(server, cores)
        if args.pages_only:
            return pages_report(args, prepared, measured, started, load_before, workdir)
        for name, lines in (
            ("bare", prepared.bare_lines),
            ("submit", prepared.submit_lines),
        ):
            print(f"  {name}, {args.submit_clients} clients...")
            measured[name] = wrk(
                server,
                lines,
                clients=args.submit_clients,
                seconds=args.seconds,
                expect=302,
            )
            drain(server, cores)
        print("  waiting for the task worker to route the submitted intakes...")
        lag = routing_lag(pool_ids)
        server.stop()
        worker.stop()
        # The baseline: server and worker writing their audit entries under the
        # former chain head's lock, as every process did (bench/old_trail.py).
        print(f"  submit, old head-row lock, {args.submit_clients} clients...")
        old_env = {**env, "BENCH_OLD_AUDIT_LOCK": "1"}
        old_server = Server(old_env, cores, workdir / "gunicorn-old.log")
        worker = Worker(old_env, workdir / "worker-old.log")
        old_server.wait_ready()
        for page in prepared.pages:
            warm(old_server, page.lines)
        measured["submit_old"] = wrk(
            old_server,
            prepared.submit_old_lines,
            clients=args.submit_clients,
            seconds=args.seconds,
            expect=302,
        )
    finally:
        server.stop()
        if old_server:
            old_server.stop()
        worker.stop()
    if vendor == "postgresql":
        for writers in WRITERS:
            for old in (False, True):
                trail = "old head-row lock" if old else "new trail"
                print(f"  audited writes, {trail}, {writers} writer(s)...")
                measured[f"writes|{writers}|{'old' if old else 'new'}"] = (
                    audit_writes.writes_per_second(
                        writers=writers, seconds=args.seconds, old=old
                    )
                )
    nodes = []
    if vendor == "postgresql" and args.nodes:
        queue = next(page for page in prepared.pages if page.name == "review queue")
        nodes = cluster_figures(args, prepared, queue, url, workdir)
    load_after = os.getloadavg()

    from intake.models import Intake

    submitted = Intake.objects.filter(
        online_draft__in=pool_ids, status=Intake.Status.SUBMITTED
    ).count()
    print("Timing the routing engine...")
    engine = engine_rate(3.0, args.seed)
    fhir = None
    if not args.no_fhir:
        print("Timing the FHIR export...")
        fhir = fhir_export_figures(env, workdir)
    print("Streaming the referral list as CSV, small and whole...")
    exports = [export_memory(env, rows) for rows in (EXPORT_SMALL_ROWS, 0)]
    print("Timing the outcomes page's figures...")
    outcomes = outcomes_figures(env)

    rows = page_rows(prepared, measured, args.clients)
    bare, submit, old = measured["bare"], measured["submit"], measured["submit_old"]
    note = f"{submitted} drafts submitted"
    if submit["wrapped"]:
        note += f"; POOL EXHAUSTED ({submit['wrapped']} repeats): raise --pool"
    rows.append(
        Row(
            "submit completed intake",
            args.submit_clients,
            submit["rps"],
            submit["p50_ms"],
            submit["p99_ms"],
            prepared.submit_queries,
            "bare view req/s",
            bare["rps"],
            submit["rps"] / bare["rps"],
            ">=0.33x bare req/s",
            submit["rps"] / bare["rps"] >= TARGET_SUBMIT_SHARE
            and not submit["wrapped"],
            submit["errors"],
            note,
        )
    )
    rows.append(
        Row(
            "submit, old head-row lock",
            args.submit_clients,
            old["rps"],
            old["p50_ms"],
            old["p99_ms"],
            prepared.submit_old_queries,
            "",
            None,
            None,
            "(baseline)",
            None,
            old["errors"],
            "POOL EXHAUSTED: raise --pool" if old["wrapped"] else "",
        )
    )
    rows.append(
        Row(
            "submit: new trail vs old lock",
            args.submit_clients,
            submit["rps"],
            submit["p50_ms"],
            submit["p99_ms"],
            prepared.submit_queries,
            "old-lock submit req/s",
            old["rps"],
            submit["rps"] / old["rps"],
            "faster than old lock",
            submit["rps"] > old["rps"],
        )
    )
    rows.append(
        Row(
            "bare view: 10-field form+insert",
            args.submit_clients,
            bare["rps"],
            bare["p50_ms"],
            bare["p99_ms"],
            prepared.bare_queries,
            "",
            None,
            None,
            "(baseline)",
            None,
            bare["errors"],
        )
    )
    rows.append(
        Row(
            "routing engine (decisions/s)",
            None,
            engine["decisions_per_s"],
            None,
            None,
            None,
            "json.dumps/s",
            engine["json_dumps_per_s"],
            engine["decisions_per_s"] / engine["json_dumps_per_s"],
            f">={TARGET_DECISIONS:,}/s",
            engine["decisions_per_s"] >= TARGET_DECISIONS,
        )
    )

    rows.append(export_row(*exports))
    rows += audited_write_rows(measured)
    if fhir:
        rows += fhir_export_rows(fhir)
    rows.append(outcomes_row(outcomes))

    when = started.strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"{when}: {args.scale:,} intakes, {vendor}, {cores} cores, "
        f"{cores} sync workers, {args.seconds} s per figure, "
        f"load average {load_before[0]:.1f} -> {load_after[0]:.1f}"
    )
    print(table(rows))
    print(routing_report(lag, args.submit_clients))
    if work:
        print(work_report(work))
    if nodes:
        print(nodes_report(nodes, args))
    write_results(
        started,
        args,
        vendor,
        "",
        workers=cores,
        seconds_per_measurement=args.seconds,
        clients=args.clients,
        submit_clients=args.submit_clients,
        load_average_before=load_before,
        load_average_after=load_after,
        data_build_seconds=build_seconds,
        submitted_in_run=submitted,
        rows=[asdict(row) for row in rows],
        raw=measured,
        engine=engine,
        fhir_export=fhir,
        outcomes=outcomes,
        exports=exports,
        routing_under_submit_load=lag,
        database_work=work,
        nodes=nodes,
        node_workers=args.node_workers,
    )
    shutil.rmtree(workdir, ignore_errors=True)
    errors = sum(row.errors for row in rows)
    return 1 if errors else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
