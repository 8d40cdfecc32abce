"""Audited writes per second with several concurrent writers (``make bench``).

Each writer is its own process with its own database connection, as app nodes'
workers are. One audited write is one transaction as a service writes it: a row,
its audit entry (the real :class:`clinic.models.AuditEntry`, hashed as it is
inserted), then a second row written after the entry. The new trail is measured
with the sequencer sealing every 3 s beside the writers, as the task worker does;
the old one with the former chain head's lock around each entry
(bench/old_trail.py), held to the end of the transaction as it was.
"""

from __future__ import annotations

import multiprocessing
import time

SEAL_EVERY = 3.0


def _audited_write(content_type_id: int, n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from bench.models import FormRow
    from clinic.models import AuditEntry

    fields = {
        "first_name": "Bench",
        "last_name": "Writer",
        "email": "writer@example.com",
        "phone": "7045550100",
        "born": "1987-04-12",
        "visits": 1,
        "score": 2,
        "kind": "a",
    }
    with transaction.atomic():
        row = FormRow.objects.create(**fields)
        AuditEntry(
            content_type_id=content_type_id,
            object_pk=str(row.pk),
            object_repr=f"Form row {row.pk}",
            action=AuditEntry.Action.CREATE,
            changes={"visits": ["None", "1"]},
            timestamp=timezone.now(),
            additional_data={"patient": f"P-{n % 1_000_000:06d}"},
        ).save()
        FormRow.objects.create(**fields, note="written after the entry")


def _writer(old: bool, start, stop_at, results, content_type_id: int) -> None:
    from django.db import connection

    if old:
        from bench import old_trail

        old_trail.connect()
    start.wait()
    done = 0
    while time.monotonic() < stop_at.value:
        _audited_write(content_type_id, done)
        done += 1
    connection.close()
    results.put(done)


def _sequencer(start, stop_at, results) -> None:
    from django.db import connection

    from clinic.audit_trail import audit_trail_seal_waiting

    start.wait()
    sealed, seconds = 0, 0.0
    while True:
        began = time.perf_counter()
        batches = audit_trail_seal_waiting()
        seconds += time.perf_counter() - began
        sealed += sum(b.last_sequence - b.first_sequence + 1 for b in batches)
        if time.monotonic() >= stop_at.value:
            break
        time.sleep(SEAL_EVERY)
    connection.close()
    results.put(("sealed", sealed, seconds))


def writes_per_second(*, writers: int, seconds: float, old: bool) -> dict:
    """Run ``writers`` processes writing for ``seconds``; their total rate.

    Django must be set up; this process's connections are closed first, so the
    forked writers each open their own.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from bench.models import FormRow, OldAuditHead

    content_type_id = ContentType.objects.get_for_model(FormRow).pk
    OldAuditHead.objects.get_or_create(pk=1)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    stop_at = context.Value("d", 0.0)
    processes = [
        context.Process(
            target=_writer, args=(old, start, stop_at, results, content_type_id)
        )
        for _ in range(writers)
    ]
    if not old:
        processes.append(
            context.Process(target=_sequencer, args=(start, stop_at, results))
        )
    for process in processes:
        process.start()
    time.sleep(1)  # every process has imported Django and waits
    stop_at.value = time.monotonic() + seconds
    start.set()
    outcome = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    writes = sum(item for item in outcome if isinstance(item, int))
    sealer = next((item for item in outcome if isinstance(item, tuple)), None)
    return {
        "writers": writers,
        "old_lock": old,
        "writes": writes,
        "writes_per_s": writes / seconds,
        "sealed": sealer[1] if sealer else None,
        "sealing_seconds": sealer[2] if sealer else None,
    }
