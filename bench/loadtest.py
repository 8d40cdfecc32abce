"""``make loadtest``: 200 online intakes from 20 concurrent clients, then a count.

On a fresh PostgreSQL database (``clinic_bench_loadtest`` on ``DATABASE_URL``'s
server) behind gunicorn and the task worker, each client walks the public intake page
by page as a patient would (reading each step's form, posting its answers) and sends
the last step twice at once, as a double click does. Once the worker has drained, the
database must hold exactly 200 submitted intakes, one patient each, one current
routing decision each, and exactly the referrals those decisions call for, none
twice; and no request may have been answered with an error.

With ``--faults`` (``make loadtest FAULTS=1``) every connection to the database is
killed (``pg_terminate_backend``) every 0.7 s while the clients work. A request that
fails is sent again, as a patient would press the button again; the faults are
counted, and every check above must still hold.
"""

from __future__ import annotations

import argparse
import collections
import html
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.run import (
    ROOT,
    Server,
    Worker,
    bench_database,
    manage,
    recreate_database,
)

FAULT_INTERVAL = 0.7  # seconds between two rounds of killed connections
RETRIES = 20  # a patient presses again this many times at most
DRAIN_TIMEOUT = 600  # seconds the worker gets to route everything afterwards

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
        self.log.append((method, path, status, time.perf_counter() - start))
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
        page = self.request("GET", "/intake/review/")
        token = html.unescape(CSRF_INPUT.search(page).group(1))
        submit = {"csrfmiddlewaretoken": token}
        second = threading.Thread(
            target=self.request, args=("POST", "/intake/review/", submit, (302,))
        )
        second.start()
        self.request("POST", "/intake/review/", submit, expect=(302,))
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


def check_database() -> dict:
    """What the run left behind, and every way it could be wrong."""
    from django.db.models import Count

    from intake.models import Intake, Patient
    from referrals import routing
    from referrals.models import Referral, RoutingDecision
    from referrals.routing import outcome_under_hold

    problems = []
    intakes = Intake.objects.count()
    submitted = Intake.objects.filter(status=Intake.Status.SUBMITTED).count()
    patients = Patient.objects.count()
    twice = (
        Patient.objects.values("email").annotate(n=Count("id")).filter(n__gt=1).count()
    )
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
        "current_decisions": decisions,
        "failed_routings": failed,
        "referrals": referrals,
        "referrals_expected": expected_referrals,
        "referrals_duplicated": duplicated,
        "problems": problems,
    }


def last_line(run: subprocess.CompletedProcess) -> str:
    return " ".join((run.stdout or run.stderr).strip().splitlines()[-1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--faults",
        action="store_true",
        help="kill every database connection every 0.7 s during the load",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        print("The load test runs on PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    url, _ = bench_database("clinic_bench_loadtest")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "true",  # bench.settings turns debug off after import
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    recreate_database(url, "postgresql")
    manage("migrate", "--noinput", "-v", "0", env=env)

    cores = os.cpu_count() or 1
    workdir = Path(tempfile.mkdtemp(prefix="clinic_loadtest_"))
    server = Server(env, cores, workdir / "gunicorn.log")
    worker = Worker(env, workdir / "worker.log")
    log: list = []
    failures: list[str] = []
    killed: list[int] = []
    per_client = args.intakes // args.clients
    started = time.perf_counter()
    stop_faults = threading.Event()
    faults = threading.Thread(
        target=kill_connections, args=(url, stop_faults, killed), daemon=True
    )
    import django

    django.setup()
    try:
        server.wait_ready()
        if args.faults:
            faults.start()

        def client(number: int) -> None:
            for n in range(per_client):
                try:
                    Patient(server.url, number, n, log, retry=args.faults).walk()
                except Exception as error:  # noqa: BLE001 - every failure is counted
                    failures.append(f"client {number} intake {n}: {error}")

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
        drained = wait_for_routing(DRAIN_TIMEOUT)
    finally:
        stop_faults.set()
        server.stop()
        worker.stop()

    found = check_database()
    statuses = collections.Counter(status for _, _, status, _ in log)
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
        and (errors == 0 or args.faults)
        and found["intakes"] == args.intakes
        and found["submitted"] == args.intakes
        and found["patients"] == args.intakes
        and found["patients_twice"] == 0
        and found["current_decisions"] == args.intakes
        and found["failed_routings"] == 0
        and found["referrals"] == found["referrals_expected"]
        and found["referrals_duplicated"] == 0
        and chain.returncode == 0
        and queue.returncode == 0
    )
    latencies = sorted(took for *_, took in log)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"{len(log)} requests from {args.clients} clients in {seconds:.1f} s "
        f"({len(log) / seconds:.1f} req/s; p50 {p50:.0f} ms, p99 {p99:.0f} ms), "
        f"{cores} gunicorn workers"
    )
    print(f"answers: {dict(sorted(statuses.items()))}; errors answered: {errors}")
    if args.faults:
        print(
            f"faults: {sum(killed)} database connections killed in {len(killed)} "
            f"rounds, one every {FAULT_INTERVAL} s; every failed request sent again"
        )
    print(f"routing drained {drained:.1f} s after the last client finished")
    for key, value in found.items():
        if key != "problems":
            print(f"  {key}: {value}")
    # Twenty clients writing at once must leave the audit trail's hash chain whole.
    print(f"  audit chain: {last_line(chain)}")
    # ... and the review queue in step with the decisions and referrals.
    print(f"  review queue: {last_line(queue)}")
    for failure in failures[:10]:
        print(f"  FAILED {failure}")
    print("PASS" if ok else "FAIL")
    if ok:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs: {workdir / 'gunicorn.log'}, {workdir / 'worker.log'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
