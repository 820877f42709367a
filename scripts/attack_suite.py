#!/usr/bin/env python3
"""The long attack suite against a live `kg serve` on loopback; prints the figures.

    .venv/bin/python scripts/attack_suite.py [--quick] [--verbose]

Cases: outbound (SERVICE in every form, FROM, LOAD, JSON-LD contexts, RDF/XML entities),
exhaustion, nesting (depths 10 to 20,000 of 15 kinds), every W3C SPARQL 1.1 syntax test
file mutated four ways, as a query or update and as a Turtle upload, and the web surface
(stored script links on every page, cross-site writes, spoofed Host, malformed parameters,
the security headers); plus a flood of 40 parallel queries from one client; then the serving
attacks (tests/attacks/serving.py: connections held by one address, a trickled header, both
framing headers, 25 runaway + 25 cheap clients, a result at the byte cap, 8 parallel first
downloads of a dump). Exit status 0 only if every figure that must be 0 is and every serving
goal is met.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the harness lives there

from attacks.runner import run_suite  # noqa: E402
from attacks.suite import ci_cases, long_cases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the CI subset")
    parser.add_argument("--verbose", action="store_true", help="print every case's status")
    parser.add_argument("--serving-only", action="store_true",
                        help="only the serving attacks (connections, crowd, byte cap, dumps)")
    args = parser.parse_args()
    builder = ci_cases if args.quick else long_cases
    started = time.monotonic()
    if args.serving_only:
        serving = serving_attacks(crowd_seconds=15 if args.quick else 60)
        print_serving(serving)
        print(f"time: {time.monotonic() - started:.0f} s")
        return 0 if serving_goals_met(serving) else 1

    def progress(number, total, case, status):
        if args.verbose:
            print(f"[{number}/{total}] {status} {case.category}: {case.name}", flush=True)
        elif number % 100 == 0:
            print(f"... {number}/{total}", file=sys.stderr, flush=True)

    figures, flood = run_suite(builder, progress=progress)
    print(figures.report())
    limited = sum(1 for status, retry in flood if status == 429 and retry)
    print(f"flood: {len(flood)} parallel heavy queries from one client: {limited} answered 429 "
          f"with Retry-After")
    serving = serving_attacks(crowd_seconds=15 if args.quick else 60)
    print_serving(serving)
    print(f"time: {time.monotonic() - started:.0f} s")
    must_be_zero = (figures.crashes, figures.outbound, figures.marker_leaks, figures.detail_leaks,
                    figures.store_changes, figures.bad_5xx, figures.no_answer, figures.web_failures)
    return 0 if not any(must_be_zero) and figures.p99() < 1.0 and serving_goals_met(serving) else 1


def print_serving(serving: dict) -> None:
    for name, values in serving.items():
        print(f"{name}: " + ", ".join(f"{key} {value}" for key, value in values.items()))


def serving_goals_met(serving: dict) -> bool:
    return (serving["connections"]["other_client_status"] == 200
            and serving["framing"] == {"status": "400", "closed": True}
            and serving["byte_cap"]["truncated"] == "bytes"
            and serving["dumps"]["generations"] == 1
            and (serving["crowd"]["probe_p99_s"] or 99) < 1.0)


def serving_attacks(crowd_seconds: float) -> dict:
    """The serving attacks (tests/attacks/serving.py) on a fresh `kg serve` with open updates."""
    import tempfile
    from pathlib import Path

    from attacks.runner import kg_server, write_dataset
    from attacks.serving import serving_figures

    with tempfile.TemporaryDirectory(prefix="kg-attacks-") as workdir:
        dataset = write_dataset(Path(workdir) / "attack.nq")
        # a deadline long enough for a result to reach the byte cap on a busy machine
        with kg_server(dataset, timeout=10.0) as (base, process):
            return serving_figures(base, process.pid, crowd_seconds)


if __name__ == "__main__":
    sys.exit(main())
