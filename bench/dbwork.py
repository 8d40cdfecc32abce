"""What the database does for a submission, and how long anyone waits on a lock.

For ``make bench`` (``bench/run.py``), on PostgreSQL only:

- :func:`measure_work` runs a few submissions (or routing jobs) in the bench's own
  process and counts their statements by kind, the rows they wrote and locked
  (``pg_stat_database``, this database only) and the WAL they wrote. The server is
  shared with other databases, so the WAL is read record by record with
  ``pg_walinspect`` and only the records of this database's transactions are
  counted; without that extension the server-wide ``pg_current_wal_lsn()``
  difference is given instead, and says so. ``pg_stat_statements`` is not
  needed: the statements are captured in the process that sends them.
- :class:`LockWatcher` samples ``pg_stat_activity`` every 50 ms while the load
  runs and keeps the longest wait for a lock, with what waited and what held it.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field

SAMPLE_SECONDS = 0.05
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statement_kind(sql: str) -> str:
    words = sql.lstrip().split(None, 1)
    kind = words[0].upper() if words else "?"
    if kind == "SELECT" and " FOR UPDATE" in sql.upper():
        return "SELECT FOR UPDATE"
    return kind


def _database_rows(cursor) -> dict:
    """This database's running totals of transactions and rows written."""
    cursor.execute("SELECT pg_stat_force_next_flush()")
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted "
        "FROM pg_stat_database WHERE datname = current_database()"
    )
    names = ("transactions", "rows inserted", "rows updated", "rows deleted")
    return dict(zip(names, cursor.fetchone(), strict=True))


def _walinspect(cursor) -> bool:
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    except Exception:  # noqa: BLE001 - missing extension or privilege: fall back
        return False
    return True


def _wal_of_this_database(cursor, start: str, end: str) -> tuple[int, int]:
    """Bytes and records of WAL between two positions written for this database:
    the records of transactions that touched its relations, and those without a
    transaction (pruning, hint bits) that name one of them."""
    cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
    relation = f"/{cursor.fetchone()[0]}/"
    cursor.execute(
        """
        WITH records AS (
            SELECT xid, record_length, coalesce(block_ref, '') AS block_ref
            FROM pg_get_wal_records_info(%s::pg_lsn, %s::pg_lsn)
        ), ours AS (
            SELECT DISTINCT xid FROM records
            WHERE xid <> '0' AND strpos(block_ref, %s) > 0
        )
        SELECT coalesce(sum(record_length), 0), count(*) FROM records
        WHERE xid IN (SELECT xid FROM ours)
           OR (xid = '0' AND strpos(block_ref, %s) > 0)
        """,
        [start, end, relation, relation],
    )
    wal_bytes, records = cursor.fetchone()
    return int(wal_bytes), int(records)


@dataclass
class Work:
    """The database's work for ``count`` operations, totals and per operation."""

    count: int
    seconds: float
    statements: collections.Counter = field(default_factory=collections.Counter)
    rows: dict = field(default_factory=dict)
    wal_bytes: int = 0
    wal_records: int = 0
    wal_source: str = ""

    def per(self, value: float) -> float:
        return value / self.count if self.count else 0.0

    def summary(self) -> dict:
        kinds = ", ".join(
            f"{kind} {self.per(n):.1f}" for kind, n in self.statements.most_common()
        )
        return {
            "operations": self.count,
            "ms_each": 1000 * self.per(self.seconds),
            "statements_each": self.per(sum(self.statements.values())),
            "statements_by_kind_each": kinds,
            "rows_inserted_each": self.per(self.rows.get("rows inserted", 0)),
            # Rows locked until commit: those updated or deleted, and those read FOR
            # UPDATE (often the same row, read then updated).
            "rows_updated_each": self.per(
                self.rows.get("rows updated", 0) + self.rows.get("rows deleted", 0)
            ),
            "locking_reads_each": self.per(self.statements.get("SELECT FOR UPDATE", 0)),
            "transactions_each": self.per(self.rows.get("transactions", 0)),
            "wal_bytes_each": self.per(self.wal_bytes),
            "wal_records_each": self.per(self.wal_records),
            "wal_source": self.wal_source,
        }


def measure_work(operations: list, name: str, count: int | None = None) -> Work:
    """Run each callable of ``operations`` in turn, measuring the database's work
    (for ``count`` operations, by default one per callable).

    Statements are captured as they are sent (transaction control not counted);
    rows from ``pg_stat_database`` before and after; WAL as the module says.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        inspect = _walinspect(cursor)
        rows_before = _database_rows(cursor)
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        start = cursor.fetchone()[0]
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        for operation in operations:
            operation()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Flushed: every commit above is (synchronous_commit), and pg_walinspect reads
        # no further.
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        end = cursor.fetchone()[0]
        rows_after = _database_rows(cursor)
        if inspect:
            wal_bytes, wal_records = _wal_of_this_database(cursor, start, end)
            source = "pg_walinspect, this database's transactions only"
        else:
            cursor.execute("SELECT %s::pg_lsn - %s::pg_lsn", [end, start])
            wal_bytes, wal_records = int(cursor.fetchone()[0]), 0
            source = "pg_current_wal_lsn difference, whole server (an upper bound)"
    statements = collections.Counter(
        statement_kind(query["sql"])
        for query in captured.captured_queries
        if not query["sql"].startswith(TRANSACTION_CONTROL)
    )
    work = Work(
        count=count or len(operations),
        seconds=seconds,
        statements=statements,
        rows={key: rows_after[key] - rows_before[key] for key in rows_before},
        wal_bytes=wal_bytes,
        wal_records=wal_records,
        wal_source=source,
    )
    print(f"  {name}: {work.count} in-process, {work.summary()['ms_each']:.1f} ms each")
    return work


class LockWatcher(threading.Thread):
    """The longest lock wait seen in this database while it runs, what waited on
    what, and the age of the oldest transaction seen holding a lock another waited
    for (it held the lock at most that long). Sampled every 50 ms: shorter waits are
    mostly missed."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stopping = threading.Event()
        self.longest_ms = 0.0
        self.waiter = ""
        self.holder = ""
        self.longest_holder_ms = 0.0
        self.samples = 0
        self.samples_waiting = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(SAMPLE_SECONDS):
                rows = conn.execute(
                    """
                    SELECT extract(epoch FROM now() - w.query_start) * 1000,
                           left(w.query, 120), left(h.query, 120),
                           extract(epoch FROM now() - h.xact_start) * 1000
                    FROM pg_stat_activity w
                    LEFT JOIN pg_stat_activity h
                      ON h.pid = (pg_blocking_pids(w.pid))[1]
                    WHERE w.datname = current_database()
                      AND w.wait_event_type = 'Lock'
                    """
                ).fetchall()
                self.samples += 1
                self.samples_waiting += bool(rows)
                for waited, waiter, holder, held in rows:
                    if waited and waited > self.longest_ms:
                        self.longest_ms = float(waited)
                        self.waiter, self.holder = waiter or "", holder or ""
                    self.longest_holder_ms = max(self.longest_holder_ms, held or 0)

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        return {
            "longest_lock_wait_ms": self.longest_ms,
            "waiting": self.waiter,
            "held_by": self.holder,
            "oldest_blocking_transaction_ms": float(self.longest_holder_ms),
            "samples": self.samples,
            "samples_with_a_wait": self.samples_waiting,
        }
