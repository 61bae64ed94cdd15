"""The EC2-model scenarios (`scripts/bench --scenarios ...`): vpce-guard and Cloud Custodian side by
side on one fleet, every EC2 request going through the proxy's EC2 model (ec2_model.py: answer
latency and EC2's token buckets), so throttling shows up as it would on AWS.

Per size, one moto and one fleet (seeding.seed: per VPC 2 AZs, a public and a private subnet per
AZ), used in this order by the scenarios selected:

  day-one            the fleet as seeded: no endpoint anywhere, every VPC missing all five
                     baseline endpoints (two private subnets each); both tools, report mode
  day-one-remediate  (sizes of --remediate-sizes) one vpce-guard run in GUARD_MODE=remediate on
                     that fleet through the model; its answer's actions_applied / actions_failed
  steady             the fleet made compliant (remediate_fleet, model off, not measured), then
                     drift in every 10th VPC (seeding.drift, DRIFT_KINDS_FULL); both tools,
                     report mode

Each measured run starts with full token buckets (proxy.reset()). Backend `cached` (default):
one unmeasured warm-up run per tool with the model off fills the proxy's read cache, so the
measured runs wait for the model's latency rather than for moto rendering its answers in Python,
and the guard's measured runs keep the template's API_TIMEOUT_SECONDS (30); `moto`: every
admitted request is answered by moto (its time shows when longer than the model's, counted as
answers_later_than_model), with run_sweep's 600 s per attempt. The invocation timeout (--timeout)
defaults to compliance-sweep's Lambda timeout, 900 s: a run that would outlast it on AWS fails
here too (its requests and throttled answers are still recorded). Custodian runs only the
detection policy of custodian.py.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any, Callable

from .console import BenchError, log, short
from .custodian import run_custodian
from .ec2_model import EC2Model
from .measure import guard_run_record, med, remediate_fleet, sweep_through_proxy
from .moto_server import Moto
from .processes import run_sweep
from .proxy import CountingProxy
from .seeding import create_topic, drift, seed
from .settings import DRIFT_KINDS_FULL, MISSING_ENDPOINT

SCENARIOS = ("day-one", "day-one-remediate", "steady")


def model_stats(proxy: CountingProxy) -> dict[str, Any]:
    return proxy.model.stats() if proxy.model else {"throttled": 0, "throttled_by_action": {},
                                                    "answers_later_than_model": 0}


def warm_up(proxy: CountingProxy, what: str, run: Callable[[], Any]) -> None:
    """One unmeasured run with the model off, filling the read cache (backend `cached`)."""
    model, proxy.model = proxy.model, None
    try:
        proxy.reset()
        run()
        log(f"    {what} warm-up done")
    except BenchError as e:
        log(f"    {what} warm-up FAILED: {short(e)}")
        proxy.wait_idle(3600)
    finally:
        proxy.model = model


def summarise(row: dict, runs: list[dict], wall_key: str) -> dict:
    """Medians of the runs that succeeded; when none did, the error and the last run's counts."""
    ok = [r for r in runs if "error" not in r]
    row.update({"runs": runs, "failed_runs": len(runs) - len(ok)})
    if not ok:
        last = runs[-1] if runs else {}
        row.update({"error": last.get("error", "no run"), "requests": [last.get("requests", 0)],
                    "throttled": [last.get("throttled", 0)],
                    "requests_by_action": last.get("requests_by_action", {}),
                    "throttled_by_action": last.get("throttled_by_action", {})})
        return row
    row.update({
        "wall_s": med([r[wall_key] for r in ok]),
        "max_rss_mb": med([r["max_rss_mb"] for r in ok]),
        "cpu_s": med([r["cpu_s"] for r in ok]),
        "requests": sorted({r["requests"] for r in ok}),
        "throttled": sorted({r["throttled"] for r in ok}),
        "answers_later_than_model": max(r["answers_later_than_model"] for r in ok),
    })
    return row


def guard_runs(scenario: str, n: int, mode: str, runs: int, args, binary: Path, proxy: CountingProxy,
               topic: str, fn_log: Path, expected_drifted: int) -> dict:
    if args.backend_name == "cached" and mode == "report":
        warm_up(proxy, "vpce-guard", lambda: sweep_through_proxy(binary, proxy, topic, mode, fn_log, args))
    # The measured runs pace their EC2 requests as deployed (EC2_PACING on, the defaults).
    env = {"EC2_PACING": "on"}
    if args.backend_name == "cached":
        env["API_TIMEOUT_SECONDS"] = "30"
    out = []
    for k in range(runs):
        proxy.reset()
        try:
            sw = run_sweep(binary, proxy.url, topic, mode, fn_log, args.timeout, under_time=True, extra_env=env)
        except BenchError as e:
            error = short(e, 1000)
            if "no answer to invocation" in error:  # the emulator's timeout: Lambda would have killed it
                error = f"no answer within the {args.timeout:g} s timeout (killed, as Lambda would)"
            out.append({"error": error, "requests": sum(proxy.counts().values()),
                        "requests_by_action": proxy.counts(), **model_stats(proxy)})
            log(f"    vpce-guard {mode} run {k + 1}/{runs} FAILED: {short(e)}; {out[-1]['requests']} requests, "
                f"{out[-1]['throttled']} throttled {out[-1]['throttled_by_action']}")
            proxy.wait_idle(args.timeout)
            continue
        run = guard_run_record(sw, proxy)
        run["phases"] = run["phases"][:40]
        resp = sw["response"]
        run.update({f: resp.get(f) for f in ("vpcs_checked", "actions_applied", "actions_failed",
                                             "throttled_requests")})
        run.update(model_stats(proxy))
        if run["throttled_requests"] is not None and run["throttled_requests"] != run["throttled"]:
            log(f"    WARNING: the guard counted {run['throttled_requests']} throttled requests, the model "
                f"answered {run['throttled']}")
        out.append(run)
        log(f"    vpce-guard {mode} run {k + 1}/{runs}: process {run['process_s']:.2f} s (sweep {run['sweep_s']:.2f} s), "
            f"RSS {run['max_rss_mb'] or 0:.1f} MB, requests {run['requests']} (api_calls {run['api_calls']}), "
            f"throttled {run['throttled']} {run['throttled_by_action']}, drifted {run['vpcs_drifted']}/{n}"
            + (f", actions applied {run['actions_applied']} failed {run['actions_failed']}" if mode == "remediate" else ""))
    row = summarise({"scenario": scenario, "vpcs": n, "tool": "vpce-guard", "mode": mode,
                     "expected_drifted": expected_drifted}, out, "process_s")
    ok = [r for r in out if "error" not in r]
    if ok:
        last = ok[-1]
        row.update({"sweep_s": med([r["sweep_s"] for r in ok]), "vpcs_drifted": last["vpcs_drifted"],
                    "actions_applied": last["actions_applied"], "actions_failed": last["actions_failed"],
                    "requests_by_action": last["requests_by_action"],
                    "throttled_by_action": last["throttled_by_action"]})
        if last["vpcs_drifted"] != expected_drifted:
            log(f"    WARNING: vpce-guard found {last['vpcs_drifted']} drifted VPCs, {expected_drifted} expected")
    return row


def custodian_runs(scenario: str, n: int, runs: int, args, proxy: CountingProxy, cdir: Path,
                   expected: set[str]) -> dict:
    cdir.mkdir(parents=True, exist_ok=True)
    if args.backend_name == "cached":
        warm_up(proxy, "custodian", lambda: run_custodian(proxy.url, cdir, args.timeout))
    out = []
    for k in range(runs):
        proxy.reset()
        try:
            c = run_custodian(proxy.url, cdir, args.timeout)
        except BenchError as e:
            out.append({"error": short(e, 1000), "requests": sum(proxy.counts().values()),
                        "requests_by_action": proxy.counts(), **model_stats(proxy)})
            log(f"    custodian run {k + 1}/{runs} FAILED: {short(e)}")
            proxy.wait_idle(args.timeout)
            continue
        counts = proxy.counts()
        c.update({"requests": sum(counts.values()), "requests_by_action": counts,
                  "matches_expected": set(c.pop("resource_ids")) == expected, **model_stats(proxy)})
        out.append(c)
        log(f"    custodian run {k + 1}/{runs}: {c['wall_s']:.2f} s, RSS {c['max_rss_mb'] or 0:.1f} MB, "
            f"requests {c['requests']}, throttled {c['throttled']}, {c['resources']} VPCs matched "
            f"({'as expected' if c['matches_expected'] else f'{len(expected)} expected'})")
    row = summarise({"scenario": scenario, "vpcs": n, "tool": "custodian", "expected_matches": len(expected)},
                    out, "wall_s")
    ok = [r for r in out if "error" not in r]
    if ok:
        row.update({"resources": ok[-1]["resources"], "matches_expected": ok[-1]["matches_expected"],
                    "requests_by_action": ok[-1]["requests_by_action"]})
    return row


def add_ratios(guard: dict, cust: dict | None) -> None:
    if cust and guard.get("wall_s") and cust.get("wall_s"):
        guard["time_ratio"] = guard["wall_s"] / cust["wall_s"]
        if guard.get("max_rss_mb") and cust.get("max_rss_mb"):
            guard["rss_ratio"] = guard["max_rss_mb"] / cust["max_rss_mb"]


def scenario_fleet(n: int, wanted: set[str], args, binary: Path, workdir: Path) -> list[dict]:
    """One fleet of n VPCs through the scenarios of `wanted`, in SCENARIOS order."""
    sdir = workdir / f"size-{n}"
    sdir.mkdir(parents=True, exist_ok=True)
    fn_log = sdir / "function.log"
    fn_log.write_bytes(b"")
    model = EC2Model(args.model_settings) if args.model_settings else None
    moto = Moto(sdir / "moto.log").start()
    proxy = CountingProxy(moto.port, cache_reads=args.backend_name == "cached", model=model).start()
    rows: list[dict] = []

    def both(scenario: str, expected_drifted: int, expected_ids: set[str]) -> None:
        log(f"  -- {scenario}, {n} VPCs")
        g = guard_runs(scenario, n, "report", args.runs, args, binary, proxy, topic, fn_log, expected_drifted)
        c = None
        if not args.no_custodian:
            c = custodian_runs(scenario, n, args.runs, args, proxy, sdir / f"custodian-{scenario}", expected_ids)
        add_ratios(g, c)
        rows.extend([g] + ([c] if c else []))

    try:
        log(f"{n} VPCs: moto on {moto.url}, proxy on {proxy.url}, EC2 model "
            f"{'on' if model else 'off'}, backend {args.backend_name}")
        topic = create_topic(moto.url)
        t = time.perf_counter()
        recs = seed(moto.url, n, args.workers)
        log(f"  seeded {n} VPCs in {time.perf_counter() - t:.1f} s")
        if "day-one" in wanted:
            both("day-one", n, {r["vpc_id"] for r in recs})
        if "day-one-remediate" in wanted:
            log(f"  -- day-one-remediate, {n} VPCs")
            rows.append(guard_runs("day-one-remediate", n, "remediate", 1, args, binary, proxy, topic, fn_log, n))
        if "steady" in wanted:
            proxy.model = None  # setting up the fleet is not measured, nor bound by the Lambda timeout
            setup = copy.copy(args)
            setup.timeout = max(args.timeout, 3600)
            try:
                remediate_fleet(n, binary, proxy, topic, fn_log, setup)
            finally:
                proxy.model = model
            proxy.cache_reads = args.backend_name == "cached"
            plan = drift(moto.url, recs, DRIFT_KINDS_FULL, args.workers)
            proxy.clear_cache()  # the drift went straight to moto
            log(f"  drift in {len(plan)} VPCs")
            both("steady", len(plan), {v for v, k in plan.items() if k in MISSING_ENDPOINT})
    finally:
        proxy.stop()
        moto.stop()
    for r in rows:
        r.update({"backend": args.backend_name, "ec2_model": model is not None})
    return rows


def run_scenarios(args, binary: Path, workdir: Path, sizes: list[int], remediate_sizes: list[int],
                  done: Callable[[list[dict]], None]) -> list[dict]:
    """Every selected scenario at its sizes, fleet by fleet; done(rows so far) after each fleet."""
    selected = set(args.scenario_list)
    fleets = sorted(set(sizes if selected - {"day-one-remediate"} else [])
                    | set(remediate_sizes if "day-one-remediate" in selected else []))
    rows: list[dict] = []
    for n in fleets:
        wanted = {s for s in selected if n in (remediate_sizes if s == "day-one-remediate" else sizes)}
        rows.extend(scenario_fleet(n, wanted, args, binary, workdir))
        done(rows)
    return rows
