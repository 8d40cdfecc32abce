"""Fixtures shared by the whole suite."""

import gc
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from hypothesis import settings as hypothesis_settings

from clinic import roles
from tests import migrated_database
from tests.factories import UserFactory

MIGRATED_DATABASE = "clinic_migrated_database"
_builder = pytest.StashKey[subprocess.Popen]()

# Hypothesis's search, ten times deeper than every run's, for before a release or
# after a form or a routing rule changes: pytest --hypothesis-profile=thorough.
hypothesis_settings.register_profile("thorough", max_examples=1_000)


def pytest_configure_node(node):
    """(xdist controller) Migrate the workers' SQLite database once, as they start.

    The first worker's setup starts ``tests.migrated_database`` in its own process,
    which runs while the workers collect the tests; each worker is told where the
    file will be. On PostgreSQL each worker migrates its own database as before.
    """
    config = node.config
    if _builder not in config.stash:
        if list(settings.DATABASES) != ["default"] or (
            settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
        ):
            return
        path = Path(tempfile.mkdtemp(prefix="clinic-tests-")) / "migrated.sqlite3"
        config.stash[_builder] = subprocess.Popen(
            [sys.executable, "-m", "tests.migrated_database", str(path)],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    node.workerinput[MIGRATED_DATABASE] = config.stash[_builder].args[-1]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """(xdist worker on SQLite) Run the tests that need no database first.

    pytest-django runs them last; first, they keep the workers busy while the
    migrated database is still being built, instead of waiting for it.
    """
    if _migrated_database(config):
        items.sort(
            key=lambda item: bool(
                item.get_closest_marker("django_db")
                or "django_db_setup" in item.fixturenames
            )
        )


# Allocations between two collections of the cyclic GC's youngest generation, and
# collections of each generation before the next is collected (Python's defaults:
# 700, 10, 10). A test allocates far more than 700 objects, nearly all freed by
# reference counting; with the defaults the GC ran about 3,300 times in 500 tests and
# took a tenth of their CPU, with these 40 times and 6%.
GC_THRESHOLDS = (50_000, 50, 1_000)


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session):
    """Keep the collected tests and the imported modules out of the cyclic GC's way.

    They live for the whole run; frozen, each full collection skips them instead of
    walking them again (about a quarter of the time the GC took).
    """
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config):
    builder = config.stash.get(_builder, None)
    if builder is not None:
        builder.kill()
        builder.wait()
        shutil.rmtree(Path(builder.args[-1]).parent, ignore_errors=True)


def _migrated_database(config) -> Path | None:
    path = getattr(config, "workerinput", {}).get(MIGRATED_DATABASE)
    return Path(path) if path else None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, request):
    """(xdist worker on SQLite) Make only the tables: the migrated rows are copied."""
    if _migrated_database(request.config):
        settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """(xdist worker on SQLite) Copy in the database the controller migrated."""
    path = _migrated_database(request.config)
    if path:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        with django_db_blocker.unblock():
            migrated_database.copy_into(connection, path)
        # Cached while the tables were made, with ids the copy does not share.
        ContentType.objects.clear_cache()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Say loudly, after the summary, that browser tests were skipped (no Chromium).

    Here, not in tests/browser/conftest.py, so that pytest-xdist's controller, which
    collects nothing, loads it too.
    """
    yield
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "browser" in report.keywords
    ]
    if skipped:
        _, _, reason = skipped[0].longrepr
        terminalreporter.write_sep(
            "!", f"{len(skipped)} BROWSER TESTS DID NOT RUN", red=True, bold=True
        )
        terminalreporter.write_line(
            f"{reason.removeprefix('Skipped: ')} `make test` run as root installs "
            "Debian's chromium-headless-shell.",
            red=True,
            bold=True,
        )


@contextmanager
def rolled_back_after(django_db_blocker):
    """Write rows once for many tests, as Django's ``TestCase.setUpTestData`` does.

    For a module- or class-scoped fixture: the rows are written in a transaction
    that is rolled back when the fixture ends. Each test of the scope runs inside it
    (pytest-django's transaction becomes a savepoint), so what a test writes is
    undone after it and the shared rows never outlive the scope. Only for tests
    that use ``db``, not ``transactional_db``: those empty the tables instead.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def letters_not_typeset(monkeypatch):
    """Letters come as a one-line PDF instead of WeasyPrint's (about half a second
    each here): for tests of who may download a letter and how that is audited. The
    letter tests and the review workflow still typeset real ones."""
    from referrals import letters

    monkeypatch.setattr(letters, "pdf", lambda html: b"%PDF-1.7\n")


@pytest.fixture
def front_desk_user(db):
    return UserFactory(username="desk", role=roles.FRONT_DESK)


@pytest.fixture
def physician_user(db):
    return UserFactory(username="doctor", role=roles.PHYSICIAN)


@pytest.fixture
def manager_user(db):
    return UserFactory(username="boss", role=roles.CLINIC_MANAGER)


@pytest.fixture
def desk_client(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def physician_client(client, physician_user):
    client.force_login(physician_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def answer_every_step(client):
    """Post every step of the online intake as a patient's browser does."""
    from tests.factories import ONLINE_STEP_ANSWERS

    for slug, answers in ONLINE_STEP_ANSWERS.items():
        response = client.post(f"/intake/{slug}/", {**answers, "action": "next"})
        assert response.status_code == 302, (slug, response.content.decode())
    return client


def cookies_of(browser) -> dict[str, str]:
    """A test browser's cookies (its session), for other browsers to carry."""
    return {name: cookie.value for name, cookie in browser.cookies.items()}


def carrying(cookies: dict[str, str], browser=None):
    """``browser`` (a new one by default) carrying ``cookies``: the same session."""
    browser = browser or Client()
    for name, value in cookies.items():
        browser.cookies[name] = value
    return browser


@pytest.fixture(scope="class")
def answered_session(django_db_setup, django_db_blocker):
    """The cookies of a browser that answered every step of the online intake.

    Made once for a test class (each test's writes are rolled back, so every test
    starts from the same answers); a test outside a class gets its own.
    """
    with rolled_back_after(django_db_blocker):
        browser = answer_every_step(Client())
        yield cookies_of(browser)


@pytest.fixture
def online_patient_client(db, client, answered_session):
    """A browser session that has answered every step of the online intake."""
    return carrying(answered_session, client)


@pytest.fixture
def client_class():
    """Make fresh browsers (test clients), each with its own session."""
    return Client


@pytest.fixture
def migrated_data(transactional_db):
    """The catalogue, services and roles the data migrations load, loaded again.

    A transactional test's flush empties them. Serialized rollback is meant to put
    them back, but once Playwright's sync API has run in the process, later
    transactional tests find them still gone (the restore is skipped, without an
    error), so transactional tests load them with the migrations' own idempotent
    functions instead.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from clinic.roles import sync_roles

    apps = MigrationLoader(connection).project_state().apps
    import_module("intake.migrations.0002_drug_catalogue").load_catalogue(apps, None)
    import_module("intake.migrations.0010_drug_other_names").load_other_names(
        apps, None
    )
    import_module("referrals.migrations.0002_services").create_services(apps, None)
    sync_roles(apps, None)


@pytest.fixture
def run_tasks(db):
    """Run the queued background tasks (routing, ...) as the worker would."""
    from clinic.worker import run_ready_tasks

    return run_ready_tasks
