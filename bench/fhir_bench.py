"""One FHIR bulk export, timed, in a process of its own: ``make bench`` runs it.

``python -m bench.fhir_bench DIR [--patients N]`` writes the export of the first N
patients (all by default) into DIR and prints one JSON line: resources written,
seconds, and this process's peak resident memory (``resource.getrusage``) after
Django's setup and at the end. Run in its own process so the peak is the export's
alone.
"""

import argparse
import json
import resource
import sys
import time
from itertools import islice


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--patients", type=int, help="only the first N patients")
    args = parser.parse_args()

    import django

    django.setup()
    from fhir_export import export, selectors

    setup_rss = peak_rss_mb()
    patients = selectors.all_patients_with_records()
    if args.patients is not None:
        patients = islice(patients, args.patients)
    started = time.perf_counter()
    counts = export.write_ndjson(args.directory, patients=patients)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "resources": sum(counts.values()),
                "by_type": dict(counts),
                "seconds": seconds,
                "resources_per_s": sum(counts.values()) / seconds,
                "setup_rss_mb": setup_rss,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
