"""``make loadtest``: 200 online intakes from 20 concurrent clients, then a count.

On a fresh PostgreSQL database (``clinic_cluster_loadtest`` on ``DATABASE_URL``'s
server, default the local one) behind ``make cluster``'s deployment (HAProxy on
127.0.0.1:8080, three gunicorn nodes each with its task worker, production settings,
an SMTP sink), each client walks the public intake page by page as a patient would
(reading each step's form, posting its answers) and sends the last step twice at
once, as a double click does. Once the workers have routed everything and sent the
mail, the database must hold exactly 200 submitted intakes, one patient each, one
current routing decision each, and exactly the referrals those decisions call for,
none twice; every patient told their intake was sent must have it stored once and
routed; every queued e-mail must have reached the sink exactly once; the audit trail
and the review queue must verify; and no request may have been answered with an
error.

With ``--faults`` (``make loadtest FAULTS=1``) every connection to the database is
killed (``pg_terminate_backend``) every 0.7 s while the clients work. With
``--kill-node N`` (``KILL_NODE=N``) node N's gunicorn and task worker are SIGKILLed
when a third of the intakes are done and started again at two thirds; HAProxy's
retries and failures meanwhile are read from its statistics socket. In both cases a
request that fails is sent again, as a patient would press the button again, and
every check above must still hold.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import html
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.cluster import ROOT, Cluster, Ports, database_url, prepare

FAULT_INTERVAL = 0.7  # seconds between two rounds of killed connections
# A patient presses again this many times at most. The longest step (treatments)
# runs long enough on a loaded machine that a kill every 0.7 s often meets it.
RETRIES = 40
DRAIN_TIMEOUT = 600  # seconds the worker gets to route everything afterwards
# A message claimed by a worker that was killed waits out its claim (CLAIM_LEASE).
MAIL_TIMEOUT = 420

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVIEW = "/intake/review/"  # the last step: sending it is submitting


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Patient:
    """One simulated patient's browser: a cookie jar and the answers it types."""

    def __init__(
        self, base: str, client: int, number: int, log: list, retry: bool = False
    ):
        self.base = base
        self.log = log
        self.retry = retry
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )
        self.first = f"Load{client:02d}"
        self.last = f"Tester{number:03d}"
        self.email = f"load.{client:02d}.{number:03d}@example.com"
        self.told_sent = False  # the page after sending said it was sent

    def request(self, method: str, path: str, data=None, expect=(200,)) -> str:
        """Send a request; with ``retry``, send it again after an error page.

        Under injected faults a killed connection can also answer 400: Django reports
        a session it could not save as interrupted. A person presses again after any
        error page, and so does this patient.
        """
        for attempt in range(RETRIES if self.retry else 1):
            status, text = self.send(method, path, data)
            if status in expect or status < 400 or not self.retry:
                break
            time.sleep(0.2 * (attempt + 1))
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}")
        if method == "POST" and path == REVIEW:
            self.told_sent = True
        return text

    def send(self, method: str, path: str, data=None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method=method)
        start = time.perf_counter()
        try:
            response = self.opener.open(request, timeout=120)
            status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 599, ""  # the connection itself failed
        self.log.append((method, path, status, time.perf_counter() - start, start))
        return status, text

    def step(self, slug: str, answers: dict) -> None:
        page = self.request("GET", f"/intake/{slug}/")
        token = html.unescape(CSRF_INPUT.search(page).group(1))
        self.request(
            "POST",
            f"/intake/{slug}/",
            {"csrfmiddlewaretoken": token, **answers},
            expect=(302,),
        )

    def walk(self) -> None:
        """Every step of the online intake, then the last one twice at once."""
        self.request("GET", "/")
        for slug, answers in steps(self.first, self.last, self.email):
            self.step(slug, answers)
        page = self.request("GET", REVIEW)
        token = html.unescape(CSRF_INPUT.search(page).group(1))
        submit = {"csrfmiddlewaretoken": token}
        second = threading.Thread(
            target=self.request, args=("POST", REVIEW, submit, (302,))
        )
        second.start()
        self.request("POST", REVIEW, submit, expect=(302,))
        second.join()
        self.request("GET", "/intake/done/")


# The health steps' "any of these?" groups, each answered "None of these".
HEALTH_GROUPS = ["mental_health", "heart_blood", "organs", "eyes_nerves", "recent"]
WARNING_GROUPS = ["headache_signs", "general_signs", "allergies", "medications"]
WARNING_GROUPS += ["needles"]


def steps(first: str, last: str, email: str) -> list[tuple[str, dict]]:
    """The answers of each step, as the public form posts them."""
    treatments = [
        ("propranolol", "ineffective", 12),
        ("topiramate", "intolerable", 6),
        ("amitriptyline", "ineffective", 10),
        ("sumatriptan", "ineffective", ""),
        ("rizatriptan", "intolerable", ""),
    ]
    rows = {
        "treatments-TOTAL_FORMS": len(treatments),
        "treatments-INITIAL_FORMS": 0,
        "treatments-MIN_NUM_FORMS": 0,
        "treatments-MAX_NUM_FORMS": 40,
    }
    for n, (name, outcome, weeks) in enumerate(treatments):
        rows |= {
            f"treatments-{n}-name": name,
            f"treatments-{n}-treatment_class": "",
            f"treatments-{n}-intent": "",
            f"treatments-{n}-weeks": weeks,
            f"treatments-{n}-outcome": outcome,
        }
    return [
        (
            "about-you",
            {
                "first_name": first,
                "last_name": last,
                "date_of_birth": "04/12/1987",
                "sex": "female",
                "email": email,
                "mobile_phone": "704 555 0100",
                "preferred_language": "en",
                "website": "",
            },
        ),
        (
            "headaches",
            {
                "diagnosis": "migraine_without_aura",
                "onset_age": 16,
                "lifetime_attacks": 200,
                "headache_days_per_month": 18,
                "migraine_days_per_month": 10,
                "months_at_this_frequency": 7,
                "debilitating_days_per_month": 11,
                "debilitating_months": 7,
                "attack_length": "4_to_24h",
                "worst_pain": 8,
                "features": ["one_sided", "pulsing"],
                "new_or_changed_pattern": "False",
            },
        ),
        ("symptoms", {"symptoms": ["nausea"], "triggers": ["stress", "sleep"]}),
        ("treatments", rows),
        (
            "medicines",
            {
                "other_medications": "",
                "acute_days_triptan": 6,
                "acute_days_simple_analgesic": 4,
                "acute_use_months": 2,
            },
        ),
        (
            "health",
            {
                "pregnant": "False",
                "breastfeeding": "False",
                **{group: ["none"] for group in HEALTH_GROUPS},
            },
        ),
        (
            "warning-signs",
            {"other_allergies": "", **{group: ["none"] for group in WARNING_GROUPS}},
        ),
        ("mood", {f"phq9_{n}": 1 if n < 3 else 0 for n in range(1, 10)}),
        (
            "daily-life",
            {
                **{f"midas_{n}": 3 for n in range(1, 6)},
                "midas_a": 20,
                "midas_b": 7,
            },
        ),
        (
            "services",
            {"interests": ["ketamine", "acupuncture"], "heard_from": "doctor"},
        ),
        ("consent", {"consent_signature": f"{first} {last}", "agree": "on"}),
    ]


def kill_connections(url: str, stop: threading.Event, killed: list) -> None:
    """Terminate every connection to the load test's database, every 0.7 s."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(
        server.replace("postgresql://", "postgres://"), autocommit=True
    ) as conn:
        while not stop.wait(FAULT_INTERVAL):
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
            killed.append(len(rows))


def wait_for_routing(timeout: float) -> float:
    """Wait until no intake awaits routing; return the seconds it took."""
    from django.db import connection

    from referrals.models import QueueEntry

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        waiting = QueueEntry.objects.filter(
            section=QueueEntry.Section.AWAITING
        ).exists()
        connection.close()
        if not waiting:
            break
        time.sleep(1)
    return time.perf_counter() - started


def wait_for_mail(timeout: float) -> float:
    """Wait until no e-mail waits to be sent; return the seconds it took."""
    from django.db import connection
    from post_office.models import Email

    from clinic.mail import WAITING

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        waiting = Email.objects.filter(status__in=WAITING).exists()
        connection.close()
        if not waiting:
            break
        time.sleep(1)
    return time.perf_counter() - started


def check_database(told: list[str]) -> dict:
    """What the run left behind, and every way it could be wrong.

    ``told`` are the e-mail addresses of the patients whose page said their intake
    was sent: each must have exactly one patient, one submitted intake, routed.
    """
    from django.db.models import Count

    from intake.models import Intake, Patient
    from referrals import routing
    from referrals.models import Referral, RoutingDecision
    from referrals.routing import outcome_under_hold

    intakes = Intake.objects.count()
    submitted = Intake.objects.filter(status=Intake.Status.SUBMITTED).count()
    patients = Patient.objects.count()
    twice = (
        Patient.objects.values("email").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    routed_emails = collections.Counter(
        RoutingDecision.objects.current()
        .filter(intake__status=Intake.Status.SUBMITTED)
        .values_list("intake__patient__email", flat=True)
    )
    told_not_routed_once = sum(routed_emails[email] != 1 for email in told)
    decisions = RoutingDecision.objects.current().count()
    failed = RoutingDecision.objects.failed().count()
    expected_referrals = 0
    for decision in RoutingDecision.objects.current():
        if decision.status == RoutingDecision.Status.HELD:
            continue
        expected_referrals += sum(
            outcome_under_hold(result) in routing.REFERRAL_OUTCOMES
            for result in decision.decision["services"].values()
        )
    referrals = Referral.objects.count()
    duplicated = (
        Referral.objects.values("intake", "service")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "intakes": intakes,
        "submitted": submitted,
        "patients": patients,
        "patients_twice": twice,
        "told_sent": len(told),
        "told_sent_not_routed_once": told_not_routed_once,
        "current_decisions": decisions,
        "failed_routings": failed,
        "referrals": referrals,
        "referrals_expected": expected_referrals,
        "referrals_duplicated": duplicated,
    }


def check_mail(received: list, told: list[str]) -> dict:
    """The messages the SMTP sink received against the ones the clinic queued.

    Every queued message must be marked sent and have arrived exactly once (same
    recipients, same subject); every patient told their intake was sent must have
    exactly one confirmation.
    """
    from email.header import decode_header, make_header

    from post_office.models import STATUS, Email

    def key(to, subject) -> tuple:
        return (tuple(sorted(address.strip().lower() for address in to)), subject)

    queued = collections.Counter(
        key(email.to, email.subject) for email in Email.objects.all()
    )
    arrived = collections.Counter(
        key(
            str(message["To"]).split(","),
            str(make_header(decode_header(message["Subject"]))),
        )
        for message in received
    )
    per_address = collections.Counter(
        address for (addresses, _), n in arrived.items() for address in addresses
    )
    return {
        "mail_queued": sum(queued.values()),
        "mail_marked_sent": Email.objects.filter(status=STATUS.sent).count(),
        "mail_received": sum(arrived.values()),
        "mail_received_twice": sum(n - 1 for n in arrived.values() if n > 1),
        "mail_never_received": sum((queued - arrived).values()),
        "mail_received_not_queued": sum((arrived - queued).values()),
        "told_sent_without_one_confirmation": sum(
            per_address[email] != 1 for email in told
        ),
    }


def balancer_counts(cluster: Cluster) -> dict:
    """HAProxy's running totals for the nodes' backend: retries, redispatches to
    another node, requests whose connection failed, answers that never came, and
    5xx answers (the nodes' own and HAProxy's 502/503)."""
    backend = cluster.backend()
    return {
        "retried": int(backend["wretr"] or 0),
        "redispatched": int(backend["wredis"] or 0),
        "connection_failed": int(backend["econ"] or 0),
        "response_failed": int(backend["eresp"] or 0),
        "answered_5xx": int(backend["hrsp_5xx"] or 0),
    }


class NodeKiller(threading.Thread):
    """SIGKILLs a node when a third of the intakes are done, restarts it at two
    thirds, and notes HAProxy's totals at each moment."""

    def __init__(self, cluster: Cluster, number: int, total: int, done) -> None:
        super().__init__(daemon=True)
        self.cluster = cluster
        self.node = cluster.nodes[number - 1]
        self.total = total
        self.done = done  # a callable: intakes finished so far
        self.moments: dict[str, tuple[float, dict]] = {}
        self.stopping = threading.Event()

    def note(self, moment: str) -> None:
        self.moments[moment] = (time.perf_counter(), balancer_counts(self.cluster))

    def wait_for(self, share: float) -> bool:
        while self.done() < self.total * share:
            if self.stopping.wait(0.2):
                return False
        return True

    def run(self) -> None:
        if not self.wait_for(1 / 3):
            return
        self.note("killed")
        self.node.kill()
        if not self.wait_for(2 / 3):
            return
        self.note("restarting")
        self.node.start()
        self.node.wait_ready()
        self.cluster.wait_for_servers_up(len(self.cluster.nodes))
        self.note("back")

    def window(self, log: list) -> tuple[dict, collections.Counter]:
        """HAProxy's counts, and the error answers the clients received, from the
        kill until the node was back in rotation."""
        start, before = self.moments["killed"]
        end, after = self.moments.get("back", self.moments["restarting"])
        counts = {name: after[name] - before[name] for name in before}
        errors = collections.Counter(
            status
            for *_, status, took, sent in log
            if start <= sent + took <= end and status >= 500
        )
        return counts, errors


def last_line(run: subprocess.CompletedProcess) -> str:
    return " ".join((run.stdout or run.stderr).strip().splitlines()[-1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's, per node")
    parser.add_argument(
        "--faults",
        action="store_true",
        help="kill every database connection every 0.7 s during the load",
    )
    parser.add_argument(
        "--kill-node",
        type=int,
        help="SIGKILL this node (gunicorn and task worker) a third of the way "
        "through, start it again at two thirds",
    )
    parser.add_argument("--port", type=int, default=8080, help="HAProxy's")
    parser.add_argument("--first-port", type=int, default=8100)
    args = parser.parse_args()
    if args.kill_node is not None and not 1 <= args.kill_node <= args.nodes:
        parser.error(f"--kill-node must be a node from 1 to {args.nodes}")
    ports = Ports(args.port, args.first_port)
    url = database_url("clinic_cluster_loadtest")
    workdir = Path(tempfile.mkdtemp(prefix="clinic_loadtest_"))
    # Every simulated patient comes from 127.0.0.1.
    env = prepare(url, workdir, ports, INTAKE_NEW_FORMS_PER_HOUR="1000000")
    os.environ.update(env)
    import django

    django.setup()

    cluster = Cluster(
        nodes=args.nodes, env=env, workdir=workdir, ports=ports, workers=args.workers
    )
    retry = args.faults or args.kill_node is not None
    log: list = []
    failures: list[str] = []
    killed: list[int] = []
    told: list[str] = []
    finished = [0]
    per_client = args.intakes // args.clients
    stop_faults = threading.Event()
    faults = threading.Thread(
        target=kill_connections, args=(url, stop_faults, killed), daemon=True
    )
    killer = None
    if args.kill_node is not None:
        killer = NodeKiller(cluster, args.kill_node, args.intakes, lambda: finished[0])
    try:
        cluster.start()
        started = time.perf_counter()
        if args.faults:
            faults.start()
        if killer:
            killer.start()

        def client(number: int) -> None:
            for n in range(per_client):
                patient = Patient(cluster.url, number, n, log, retry=retry)
                try:
                    patient.walk()
                except Exception as error:  # noqa: BLE001 - every failure is counted
                    failures.append(f"client {number} intake {n}: {error}")
                if patient.told_sent:
                    told.append(patient.email)
                finished[0] += 1

        threads = [
            threading.Thread(target=client, args=(number,))
            for number in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        stop_faults.set()
        if args.faults:
            faults.join()
        if killer:
            killer.join()
        drained = wait_for_routing(DRAIN_TIMEOUT)
        mailed = wait_for_mail(MAIL_TIMEOUT)
        totals = balancer_counts(cluster)
        received = cluster.sink.messages()
    finally:
        stop_faults.set()
        if killer:
            killer.stopping.set()
        cluster.stop()

    found = check_database(told) | check_mail(received, told)
    statuses = collections.Counter(entry[2] for entry in log)
    errors = sum(count for status, count in statuses.items() if status >= 400)
    # Seal what the worker had not sealed yet, so every entry is checked.
    subprocess.run(
        [sys.executable, "manage.py", "seal_audit_trail"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
    )
    chain, queue = (
        subprocess.run(
            [sys.executable, "manage.py", command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        for command in ("verify_audit_chain", "verify_review_queue")
    )
    ok = (
        not failures
        and (errors == 0 or retry)
        and found["intakes"] == args.intakes
        and found["submitted"] == args.intakes
        and found["patients"] == args.intakes
        and found["patients_twice"] == 0
        and found["told_sent"] == args.intakes
        and found["told_sent_not_routed_once"] == 0
        and found["current_decisions"] == args.intakes
        and found["failed_routings"] == 0
        and found["referrals"] == found["referrals_expected"]
        and found["referrals_duplicated"] == 0
        and found["mail_marked_sent"] == found["mail_queued"]
        and found["mail_received"] == found["mail_queued"]
        and found["mail_received_twice"] == 0
        and found["mail_never_received"] == 0
        and found["mail_received_not_queued"] == 0
        and found["told_sent_without_one_confirmation"] == 0
        and chain.returncode == 0
        and queue.returncode == 0
    )
    latencies = sorted(entry[3] for entry in log)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"{when}, {os.cpu_count()} cores (load average "
        f"{os.getloadavg()[0]:.1f}): {args.nodes} node(s) behind HAProxy, "
        f"{args.workers} gunicorn workers and a task worker each"
    )
    print(
        f"{len(log)} requests from {args.clients} clients in {seconds:.1f} s "
        f"({len(log) / seconds:.1f} req/s; p50 {p50:.0f} ms, p99 {p99:.0f} ms)"
    )
    print(f"answers: {dict(sorted(statuses.items()))}; errors answered: {errors}")
    if args.faults:
        print(
            f"faults: {sum(killed)} database connections killed in {len(killed)} "
            f"rounds, one every {FAULT_INTERVAL} s; every failed request sent again"
        )
    if killer and "killed" in killer.moments:
        counts, window_errors = killer.window(log)
        down = killer.moments.get("back", killer.moments["restarting"])[0]
        print(
            f"node {args.kill_node} (gunicorn and task worker) SIGKILLed after "
            f"{killer.moments['killed'][0] - started:.1f} s, back in rotation after "
            f"{down - started:.1f} s; every failed request sent again"
        )
        print(
            "  HAProxy while it was down: "
            + ", ".join(f"{name} {value}" for name, value in counts.items())
        )
        print(f"  error answers the clients got meanwhile: {dict(window_errors)}")
    print(
        "  HAProxy over the whole run: "
        + ", ".join(f"{name} {value}" for name, value in totals.items())
    )
    print(
        f"routing drained {drained:.1f} s after the last client finished, "
        f"mail {mailed:.1f} s after that"
    )
    for key, value in found.items():
        print(f"  {key}: {value}")
    # Twenty clients writing at once must leave the audit trail's hash chain whole.
    print(f"  audit chain: {last_line(chain)}")
    # ... and the review queue in step with the decisions and referrals.
    print(f"  review queue: {last_line(queue)}")
    for failure in failures[:10]:
        print(f"  FAILED {failure}")
    print("PASS" if ok else "FAIL")
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs and mail: {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
