"""Peak memory of streaming a staff list's CSV: ``python -m bench.export_memory ROWS``.

Run in a process of its own so its peak resident memory is the export's: it streams
the first ``ROWS`` referrals (0: all of them) as the clinic manager's CSV, the way
the download does, into nothing, and prints rows, bytes, seconds and peak RSS as
JSON. ``bench.run`` runs it for a small and for the whole list: flat memory means
the two peaks are alike.
"""

import json
import resource
import sys
import time


def main() -> None:
    import django

    django.setup()
    from bench import scale
    from clinic import roles
    from reports.lists import STAFF_LIST_BY_SLUG

    rows = int(sys.argv[1])
    manager = scale.bench_user(scale.MANAGER_USER, roles.CLINIC_MANAGER)
    referrals = STAFF_LIST_BY_SLUG["referrals"]
    columns = [name for name, _ in referrals.columns_for(manager)]
    queryset = referrals.queryset()
    if rows:
        queryset = queryset[:rows]
    start = time.perf_counter()
    lines = written = 0
    for line in referrals.lines(queryset, columns):
        lines += 1
        written += len(line)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": lines - 1,
                "bytes": written,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
