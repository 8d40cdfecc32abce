"""The suite's migrated SQLite database, built once per run for all xdist workers.

Applying the migrations takes each worker about six seconds of CPU. Under
pytest-xdist the controller starts this module in a process of its own while the
workers start and collect the tests (tests/conftest.py, ``pytest_configure_node``);
each worker then copies the finished file into its in-memory database with SQLite's
backup API instead of migrating. The database is made the way pytest-django makes
it (Django's ``create_test_db``: every migration, then the post-migrate signals), so
the workers get the same schema and rows as if each had migrated.

    python -m tests.migrated_database PATH
"""

import os
import sqlite3
import sys
import traceback
from pathlib import Path

WAIT_SECONDS = 600


def failure_path(path: Path) -> Path:
    return path.with_name(path.name + ".failed")


def build(path: Path) -> None:
    """Migrate an in-memory test database and write it to ``path`` when complete."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    partial = path.with_name(path.name + ".partial")
    target = sqlite3.connect(partial)
    connection.connection.backup(target)
    target.close()
    os.replace(partial, path)


def copy_into(connection, path: Path) -> None:
    """Wait for the database at ``path``, then replace ``connection``'s with it."""
    import time

    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists():
        if failure_path(path).exists():
            raise RuntimeError(
                "Migrating the test database failed:\n" + failure_path(path).read_text()
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"No migrated test database at {path} after 10 min")
        time.sleep(0.05)
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    source.backup(connection.connection)
    source.close()


if __name__ == "__main__":
    built = Path(sys.argv[1])
    try:
        build(built)
    except BaseException:
        failure_path(built).write_text(traceback.format_exc())
        raise
