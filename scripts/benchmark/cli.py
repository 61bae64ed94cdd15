"""vpce-guard vs Cloud Custodian on a moto server: requests, wall time and peak RSS per sweep.

Run it through scripts/bench (which prepares the virtualenvs); see docs/performance.md.

    scripts/bench                      # full: 300, 1000, 3000 VPCs, 5 runs each, release binary
    scripts/bench --sizes 300,1000     # other sizes
    scripts/bench --quick              # CI: 1, 20, 100 VPCs, 1 run, debug binary, no Custodian;
                                       # asserts the sweep's request count is flat
    scripts/bench --scenarios all      # the EC2 model (scenarios.py): day one and steady state at
                                       # 300 and 1,000 VPCs, a remediating day one at 300, both
                                       # tools through modelled EC2 latency and throttling

Per size:
  1. a fresh moto_server on a free loopback port, and a counting reverse proxy in front of it
     (counts requests per AWS action: `Action=` of the query protocol, else X-Amz-Target);
  2. N VPCs seeded directly against moto: 2 AZs, per AZ a public subnet (route table with
     0.0.0.0/0 -> IGW) and a private subnet (own route table); moto's default VPC removed;
  3. made compliant by one compliance-sweep run in GUARD_MODE=remediate (straight to moto), then
     checked by one report-mode sweep through the proxy (the compliant request count);
  4. drift in every 10th VPC, of rotating kinds (see DRIFT_KINDS);
  5. vpce-guard: the compliance-sweep binary in report mode under /usr/bin/time -v, driven by the
     Runtime API emulator with events/scheduled-event.json, AWS_ENDPOINT_URL = the proxy;
  6. Cloud Custodian (full mode): `custodian run` of an aws.vpc policy that finds VPCs missing any
     baseline endpoint, AWS_ENDPOINT_URL = the proxy, under /usr/bin/time -v.
Results: a table on stdout and JSON in .bench/results.json (.bench/results-quick.json in quick mode).

With --scenarios, instead: the scenarios of scenarios.py (day-one, day-one-remediate, steady), each
request to EC2 answered through the EC2 model of ec2_model.py; one table (scenario, VPCs, tool,
requests, throttled answers, wall time, peak RSS, ratios to Custodian), JSON in
.bench/results-model.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lambda_runtime_emulator import resolve_release_bootstrap

from .console import BenchError, log
from .ec2_model import DEFAULT_LATENCY_MS, DEFAULT_LATENCY_MS_PER_10KB, ModelSettings, parse_bucket
from .measure import bench_size
from .report import machine, print_model_table, print_table, print_usage, quick_checks, versions
from .scenarios import SCENARIOS, run_scenarios
from .settings import BENCH_DIR, C7N_VENV, DEBUG_TARGET, QUICK_MAX_REQUESTS, ROOT, TIME_BIN


def prepare(args, tmp: Path) -> Path | None:
    """The compliance-sweep binary to measure, once checked (with Custodian's) to be there."""
    if args.binary:
        binary = args.binary.resolve()
    elif args.quick:
        binary = DEBUG_TARGET / "compliance-sweep"
    else:
        binary = resolve_release_bootstrap("compliance-sweep", ROOT, tmp)
    if not os.access(binary, os.X_OK):
        print(f"{binary} is not an executable (build it first)", file=sys.stderr)
        return None
    if not args.quick and not args.no_custodian and not (C7N_VENV / "bin" / "custodian").exists():
        print(f"{C7N_VENV}/bin/custodian is missing: run scripts/bench, which installs c7n", file=sys.stderr)
        return None
    busy = subprocess.run(["pgrep", "-x", "-c", "rustc"], capture_output=True, text=True).stdout.strip()
    if busy and busy != "0":
        log(f"WARNING: {busy} rustc process(es) running: timings will be noisy")
    return binary


def parse_sizes(ap: argparse.ArgumentParser, text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s]
    except ValueError:
        sizes = []
    if not sizes or any(s < 1 or s > 20000 for s in sizes):
        ap.error("sizes must be 1..20000")
    return sizes


def scenarios_main(ap: argparse.ArgumentParser, args) -> int:
    """--scenarios: the EC2-model scenarios (scenarios.py) and their table."""
    if args.quick:
        ap.error("--quick does not run the EC2-model scenarios (its token buckets run on real time, "
                 "so their throttling is not deterministic)")
    names = [x for x in args.scenarios.split(",") if x]
    args.scenario_list = list(SCENARIOS) if names == ["all"] else names
    if not args.scenario_list or any(x not in SCENARIOS for x in args.scenario_list):
        ap.error("--scenarios takes all or a comma-separated list of " + ", ".join(SCENARIOS))
    sizes = parse_sizes(ap, args.sizes or "300,1000")
    remediate_sizes = parse_sizes(ap, args.remediate_sizes)
    args.runs = args.runs or 3
    if not 1 <= args.runs <= 100:
        ap.error("--runs must be 1..100")
    args.timeout = args.timeout or 900
    backends = [b for b in (args.backend or "cached").split(",") if b]
    if len(backends) != 1 or backends[0] not in ("moto", "cached"):
        ap.error("with --scenarios, --backend takes one of moto, cached")
    args.backend_name = backends[0]
    if args.latency_ms < 0 or args.latency_ms_per_10kb < 0:
        ap.error("--latency-ms and --latency-ms-per-10kb must be >= 0")
    buckets: dict[str, tuple[float, float]] = {}
    for text in args.ec2_bucket:
        try:
            name, figures = parse_bucket(text)
        except ValueError as e:
            ap.error(f"--ec2-bucket {e}")
        buckets[name] = figures
    args.model_settings = (ModelSettings(args.latency_ms, args.latency_ms_per_10kb, buckets)
                           if args.ec2_model == "on" else None)
    model = args.model_settings.describe() if args.model_settings else None
    out_path = args.out or BENCH_DIR / "results-model.json"
    if not Path(TIME_BIN).exists():
        print(f"{TIME_BIN} is needed for peak RSS (apt-get install time)", file=sys.stderr)
        return 1
    workdir = BENCH_DIR / "model"
    workdir.mkdir(parents=True, exist_ok=True)

    def key(x: dict) -> tuple:
        return x["scenario"], x["vpcs"], x["tool"], x["backend"], x["ec2_model"]

    # Rows of earlier invocations are kept unless this one measures the same key.
    kept: list[dict] = []
    if out_path.exists():
        try:
            kept = json.loads(out_path.read_text()).get("rows", [])
        except (ValueError, AttributeError):
            kept = []

    def save(rows: list[dict]) -> None:
        keys = {key(x) for x in rows}
        merged = [x for x in kept if key(x) not in keys] + rows
        merged.sort(key=lambda x: (x["backend"], not x["ec2_model"], x["scenario"], x["vpcs"], x["tool"]))
        doc = {"mode": "model", "machine": machine(), "versions": versions(), "ec2_model": model, "rows": merged}
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(doc, indent=2, default=str) + "\n")

    with tempfile.TemporaryDirectory(prefix="vpce-bench-bin-") as tmp:
        try:
            binary = prepare(args, Path(tmp))
            if binary is None:
                return 1
            shown = (f"{model['latency_ms']:g} ms + {model['latency_ms_per_10kb']:g} ms/10 KB, bucket overrides "
                     f"{buckets or 'none'}") if model else "off"
            log(f"EC2-model scenarios {args.scenario_list}: sizes {sizes if set(args.scenario_list) - {'day-one-remediate'} else '-'}"
                f" (remediating: {remediate_sizes if 'day-one-remediate' in args.scenario_list else '-'}), "
                f"{args.runs} run(s), backend {args.backend_name}, EC2 model {shown}, timeout {args.timeout:g} s, "
                f"binary {binary}")
            rows = run_scenarios(args, binary, workdir, sizes, remediate_sizes, save)
        except BenchError as e:
            print(f"\nBENCH FAILED: {e}", file=sys.stderr)
            return 1
    print_model_table(rows, model)
    print(f"\nresults: {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}")
    return 0


def main() -> int:
    # prog: the name the usage and error lines have always shown (under -m, argparse would say __main__.py)
    ap = argparse.ArgumentParser(prog="bench.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="CI mode: sizes 1,20,100, 1 run, debug binary, no Custodian, flatness assertions")
    ap.add_argument("--sizes", help="comma-separated VPC counts (default 300,1000,3000; quick 1,20,100)")
    ap.add_argument("--runs", type=int, help="measured runs per size and tool (default 5; quick 1)")
    ap.add_argument("--binary", type=Path, help="compliance-sweep binary (default: release bootstrap; "
                                                 "quick: $CARGO_TARGET_DIR/debug/compliance-sweep)")
    ap.add_argument("--no-custodian", action="store_true", help="skip Cloud Custodian")
    ap.add_argument("--stock-moto", action="store_true",
                    help="run moto_server unpatched (by default its quadratic EC2 tag lookup is "
                         "replaced by a dict lookup; see run_moto_server)")
    ap.add_argument("--backend", default=None,
                    help="comma-separated, each fleet is measured with each: moto (every request of the "
                         "measured runs answered by moto) and/or cached (the proxy answers repeated reads "
                         "from a cache of moto's answers, after one unmeasured warm-up run per tool, so the "
                         "times measure the tools rather than moto). Default: moto,cached; quick: moto")
    ap.add_argument("--workers", type=int, default=1,
                    help="threads seeding moto (default 1: moto's EC2 backend is not thread-safe, "
                         "concurrent creates fail with 'dictionary changed size during iteration')")
    ap.add_argument("--timeout", type=float, help="seconds per invocation / custodian run (default 1800; "
                                                   "--scenarios: 900, compliance-sweep's Lambda timeout)")
    ap.add_argument("--out", type=Path, help="results JSON (default .bench/results.json, "
                                              "quick: .bench/results-quick.json)")
    model = ap.add_argument_group("EC2 model scenarios (scenarios.py, ec2_model.py)")
    model.add_argument("--scenarios", help="comma-separated, or all: " + ", ".join(SCENARIOS) + ". Runs these "
                       "instead of the benchmark above; defaults then: --sizes 300,1000, --runs 3, --backend "
                       "cached (one backend)")
    model.add_argument("--remediate-sizes", default="300",
                       help="VPC counts of the day-one-remediate scenario (default 300)")
    model.add_argument("--ec2-model", choices=("on", "off"), default="on",
                       help="answer EC2 requests through the model (default on); off: as fast as moto or the cache")
    model.add_argument("--latency-ms", type=float, default=DEFAULT_LATENCY_MS,
                       help=f"modelled answer time of every EC2 request (default {DEFAULT_LATENCY_MS:g}; 0: none)")
    model.add_argument("--latency-ms-per-10kb", type=float, default=DEFAULT_LATENCY_MS_PER_10KB,
                       help=f"added per 10 KB of answer (default {DEFAULT_LATENCY_MS_PER_10KB:g}; 0: none)")
    model.add_argument("--ec2-bucket", action="append", default=[], metavar="NAME=CAPACITY/REFILL",
                       help="token bucket of a category (non-mutating, unfiltered-unpaginated, mutating, "
                            "resource-intensive) or of one action, e.g. CreateVpcEndpoint=4/0.3; repeatable")
    args = ap.parse_args()

    if args.scenarios is not None:
        return scenarios_main(ap, args)
    args.timeout = args.timeout or 1800
    if any(a == "--ec2-model" or a.startswith(("--ec2-model=", "--ec2-bucket", "--latency-ms", "--remediate-sizes"))
           for a in sys.argv[1:]):
        ap.error("--ec2-model, --ec2-bucket, --latency-ms* and --remediate-sizes apply to --scenarios runs")

    args.backends = [b for b in (args.backend or ("moto" if args.quick else "moto,cached")).split(",") if b]
    if not args.backends or any(b not in ("moto", "cached") for b in args.backends):
        ap.error("--backend takes moto and/or cached")
    if args.quick and args.backends != ["moto"]:
        ap.error("--quick always uses the moto backend")
    sizes = [int(s) for s in (args.sizes or ("1,20,100" if args.quick else "300,1000,3000")).split(",") if s]
    if not sizes or any(s < 1 or s > 20000 for s in sizes):
        ap.error("sizes must be 1..20000")
    args.runs = args.runs or (1 if args.quick else 5)
    if not 1 <= args.runs <= 100:
        ap.error("--runs must be 1..100")
    out_path = args.out or BENCH_DIR / ("results-quick.json" if args.quick else "results.json")
    if not Path(TIME_BIN).exists():
        print(f"{TIME_BIN} is needed for peak RSS (apt-get install time)", file=sys.stderr)
        return 1

    BENCH_DIR.mkdir(exist_ok=True)
    workdir = BENCH_DIR / ("quick" if args.quick else "full")
    workdir.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(prefix="vpce-bench-bin-")
    try:
        binary = prepare(args, Path(tmp.name))
        if binary is None:
            return 1
        log(f"{'quick' if args.quick else 'full'} benchmark: sizes {sizes}, {args.runs} run(s), binary {binary}")
        # Full mode merges into an existing results file: a result replaces the one of the same
        # size and backend, others are kept (so separate invocations add up to one file).
        kept: list[dict] = []
        if not args.quick and out_path.exists():
            try:
                kept = json.loads(out_path.read_text()).get("results", [])
            except (ValueError, AttributeError):
                kept = []
        results = []
        for n in sizes:
            for r in bench_size(n, args, binary, workdir):
                r.update({"runs": args.runs, "binary": str(binary), "measured_at": machine()["date"]})
                results.append(r)
            def key(x: dict) -> tuple:
                return x["vpcs"], x.get("backend", "moto"), x.get("moto", "patched")

            keys = {key(x) for x in results}
            merged = [x for x in kept if key(x) not in keys] + results
            merged.sort(key=lambda x: (x.get("moto", "patched"), x.get("backend", "moto"), x["vpcs"]))
            doc = {"mode": "quick" if args.quick else "full", "machine": machine(), "versions": versions(),
                   "results": merged}
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    except BenchError as e:
        print(f"\nBENCH FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        tmp.cleanup()

    print_table(results)
    print_usage(results)
    print(f"\nresults: {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}")
    if args.quick:
        problems = quick_checks(results)
        by_size = ", ".join(f"{r['vpcs']} VPCs: compliant {r['compliant']['requests']}, drifted "
                            f"{r['vpce_guard']['requests']}" for r in results)
        if problems:
            print("\nQUICK CHECK FAILED: the sweep's request count is not flat:\n  " + "\n  ".join(problems),
                  file=sys.stderr)
            return 2
        print(f"\nquick check passed: request counts flat and <= {QUICK_MAX_REQUESTS} ({by_size}); "
              "Describe* reads identical across sizes; api_calls = proxy count")
    return 0
