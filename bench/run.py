"""`make bench`: BKB measured at kabupaten scale, on PostgreSQL, loopback only.

Creates the bench database if missing, migrates, fills it once with
`seed_scale` (reused on later runs), then measures and writes
bench/results.md (and results.json), comparing with the previous run.

    python bench/run.py [--groups 1000 --months 24 --reps 30 --steps 100,200 --skip-load --skip-batch]

Everything runs on 127.0.0.1 and is bounded in time.
"""

import argparse
import os
import sys
import time
from pathlib import Path

# Run as a script (bench/ is then on the path, not the project): the project goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bkb_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bkb.settings")
os.environ.setdefault("DEBUG", "false")
# Production-like but on loopback HTTP: a throwaway key, no HTTPS redirect.
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("BKB_HTTPS", "false")

from bench import measure, prepare, table  # noqa: E402  (needs the project on sys.path, set above)
from bench.common import ROOT, log  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=int(os.environ.get("BENCH_GROUPS", 1000)))
    parser.add_argument("--months", type=int, default=int(os.environ.get("BENCH_MONTHS", 24)))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--budget", type=float, default=12.0, help="seconds per figure, at least 5 repetitions")
    parser.add_argument("--steps", default="100,200,400,800,1600", help="cadres in each step of the load test")
    parser.add_argument("--step-seconds", type=float, default=60.0)
    parser.add_argument(
        "--small-groups", type=int, default=250, help="groups of the second, smaller database (0: none)"
    )
    parser.add_argument("--batch-timeout", type=int, default=600)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument(
        "--only", default="", help="comma list of phases: pages,queries,bytes,pdf,kept,batch,import,load"
    )
    return parser.parse_args()


def chosen_phases(args) -> set[str]:
    phases = set(filter(None, args.only.split(","))) or set(measure.PHASES)
    if args.skip_batch:
        phases.discard("batch")
    if args.skip_load:
        phases.discard("load")
    return phases


def main():
    args = parse_args()
    os.chdir(ROOT)
    prepare.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    t = time.perf_counter()
    info = prepare.migrate_and_seed(args)
    elapsed = {"prepare (migrate, seed, kept rows)": time.perf_counter() - t}
    ctx = prepare.context()
    ctx["search_plans"] = info["search_plans"] = prepare.search_plans(
        [ctx["name_query"], ctx["full_name_query"], ctx["nik_query"]]
    )
    info["data"] = prepare.data_summary(ctx, info)
    log(info["data"])
    res, phase_seconds = measure.measure(chosen_phases(args), ctx, args)
    table.write_results(res, table.machine(), info, elapsed | phase_seconds, args)


if __name__ == "__main__":
    main()
