"""Measuring one fleet size: bench_size() seeds it, makes it compliant (remediate_fleet), counts
a compliant sweep and drifts it; measure_backend() then times vpce-guard and Custodian on it with
one proxy backend, and moto_read_floor() takes moto's own serial time for the sweep's reads."""

from __future__ import annotations

import statistics
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from .console import BenchError, log, short
from .custodian import run_custodian
from .moto_server import Moto
from .processes import run_sweep
from .proxy import CountingProxy
from .seeding import create_topic, drift, seed
from .settings import DRIFT_KINDS_FULL, DRIFT_KINDS_QUICK, GUARD_READS, MISSING_ENDPOINT, NEEDS_DNS, REGION


def med(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def sweep_through_proxy(binary: Path, proxy: CountingProxy, topic: str, mode: str, fn_log: Path, args,
                        under_time: bool = False, extra_env: dict[str, str] | None = None) -> dict:
    """A sweep through the proxy. When the proxy caches reads and the function gives up before moto
    answers (the guard's SDK allows 30 s per attempt and 90 s per operation), the proxy still
    caches moto's answers: wait for it and try again (3 attempts)."""
    attempts = 3 if proxy.cache_reads else 1
    for attempt in range(1, attempts + 1):
        try:
            return run_sweep(binary, proxy.url, topic, mode, fn_log, args.timeout, under_time, extra_env)
        except BenchError as e:
            if attempt == attempts:
                raise
            log(f"    ({mode} sweep attempt {attempt} failed: {short(e, 200)}; waiting for moto to "
                "finish answering the proxy, then again)")
            if not proxy.wait_idle(args.timeout):
                raise
    raise AssertionError("unreachable")


def guard_run_record(sw: dict, proxy: CountingProxy) -> dict:
    counts = proxy.counts()
    resp = sw["response"]
    return {
        "sweep_s": sw["sweep_s"],
        "process_s": sw["process_s"],
        "cold_start_s": sw["cold_start_s"],
        "max_rss_mb": sw["max_rss_mb"],
        "cpu_s": sw["cpu_s"],
        "requests": sum(counts.values()),
        "requests_by_action": counts,
        "cache_hits": proxy.cache_hits(),
        "response_bytes": proxy.response_bytes(),
        "moto_seconds_by_action": proxy.upstream_seconds(),
        "phases": proxy.phases(sw["handed_out_at"]),
        "api_calls": resp.get("api_calls"),
        "api_calls_by_action": resp.get("api_calls_by_action"),
        "vpcs_checked": resp.get("vpcs_checked"),
        "vpcs_drifted": resp.get("vpcs_drifted"),
        "notices_published": resp.get("notices_published"),
    }


def measure_usage(n: int, binary: Path, proxy: CountingProxy, topic: str, fn_log: Path, args) -> dict:
    """One report sweep of the compliant fleet that reads usage (USAGE_CHECK=every_sweep): its
    GetMetricData requests and the metrics it asks CloudWatch for, which CloudWatch bills (about
    $0.01 per 1,000). The fleet has no NAT gateway, so only the endpoints' reads are made."""
    proxy.cache_reads = False
    proxy.clear_cache()
    proxy.reset()
    try:
        sw = run_sweep(binary, proxy.url, topic, "report", fn_log, args.timeout, under_time=False,
                       extra_env={"USAGE_CHECK": "every_sweep"})
    except BenchError as e:
        if args.quick:
            raise
        log(f"  usage sweep FAILED: {short(e)}")
        return {"error": short(e, 1000)}
    r = sw["response"]
    counts = proxy.counts()
    metrics = r.get("cloudwatch_metrics_requested") or 0
    out = {
        "usage_checked": r.get("usage_checked"),
        "endpoints_measured": r.get("endpoints_measured"),
        "metrics_requested": metrics,
        "get_metric_data": counts.get("GetMetricData", 0),
        "requests": sum(counts.values()),
        "requests_by_action": counts,
        "cloudwatch_usd_per_read": round(metrics / 1000 * 0.01, 4),
        "sweep_s": round(sw["sweep_s"], 3),
    }
    log(f"  usage sweep: {out['endpoints_measured']} endpoints, {metrics} metrics in "
        f"{out['get_metric_data']} GetMetricData (${out['cloudwatch_usd_per_read']} a read), "
        f"{out['requests']} requests in all")
    return out


def remediate_fleet(n: int, binary: Path, proxy: CountingProxy, topic: str, fn_log: Path, args) -> dict:
    """Makes the fleet of n VPCs compliant with one remediating sweep (not measured). It goes
    through the proxy with its read cache on (whatever the backend; afterwards the cache is on):
    with thousands of VPCs moto needs longer than the guard's SDK timeouts to answer its reads."""
    proxy.cache_reads = True
    proxy.clear_cache()
    t = time.perf_counter()
    rem = sweep_through_proxy(binary, proxy, topic, "remediate", fn_log, args,
                              extra_env={"REMEDIATION_CONCURRENCY": "8"})
    r = rem["response"]
    out = {k: r.get(k) for k in ("vpcs_checked", "vpcs_drifted", "actions_applied", "actions_failed", "api_calls")}
    out["total_s"] = round(time.perf_counter() - t, 1)
    log(f"  remediate sweep: {r.get('vpcs_checked')} VPCs, {r.get('actions_applied')} actions applied, "
        f"{r.get('actions_failed')} failed, {rem['sweep_s']:.1f} s")
    if r.get("vpcs_checked") != n or r.get("actions_failed"):
        raise BenchError(f"remediation did not go as expected: {r}")
    return out


def bench_size(n: int, args, binary: Path, workdir: Path) -> list[dict]:
    """Seeds one fleet of n VPCs and measures it with every backend of args.backends."""
    stock = "-stock" if args.stock_moto else ""
    sdir = workdir / f"size-{n}{stock}"
    sdir.mkdir(parents=True, exist_ok=True)
    fn_log = sdir / "function.log"
    fn_log.write_bytes(b"")
    cached = "cached" in args.backends
    common: dict[str, Any] = {"vpcs": n, "moto": "stock" if args.stock_moto else "patched"}
    moto = Moto(sdir / "moto.log", stock=args.stock_moto).start()
    proxy = CountingProxy(moto.port, cache_reads=True).start()
    try:
        log(f"{n} VPCs: moto on {moto.url}, counting proxy on {proxy.url}")
        topic = create_topic(moto.url)
        t = time.perf_counter()
        recs = seed(moto.url, n, args.workers)
        common["seed_s"] = round(time.perf_counter() - t, 1)
        log(f"  seeded {n} VPCs in {common['seed_s']} s")

        common["remediate"] = remediate_fleet(n, binary, proxy, topic, fn_log, args)

        # The compliant fleet: requests of a sweep that finds nothing to do (a count, not a time:
        # with the cached backend its reads come from the cache after a warm-up run).
        proxy.cache_reads = cached
        proxy.clear_cache()
        proxy.reset()
        try:
            if cached:  # warm the cache (not counted)
                sweep_through_proxy(binary, proxy, topic, "report", fn_log, args)
                proxy.reset()
            chk = run_sweep(binary, proxy.url, topic, "report", fn_log, args.timeout, under_time=False)
            r = chk["response"]
            compliant_counts = proxy.counts()
            common["compliant"] = {
                "vpcs_compliant": r.get("vpcs_compliant"),
                "vpcs_drifted": r.get("vpcs_drifted"),
                "requests": sum(compliant_counts.values()),
                "requests_by_action": compliant_counts,
                "api_calls": r.get("api_calls"),
                "sweep_s": round(chk["sweep_s"], 3),
                "reads_cached": cached,
            }
            log(f"  compliant check: {r.get('vpcs_compliant')}/{n} compliant, "
                f"{sum(compliant_counts.values())} requests {compliant_counts}")
            if r.get("vpcs_drifted"):
                raise BenchError(f"VPCs still drifted after remediation: {r}")
        except BenchError as e:
            if args.quick:
                raise
            common["compliant"] = {"error": short(e, 1000), "requests_by_action": proxy.counts(),
                                   "moto_seconds_by_action": proxy.upstream_seconds()}
            log(f"  compliant check FAILED: {short(e)}")
            proxy.wait_idle(args.timeout)

        common["usage"] = measure_usage(n, binary, proxy, topic, fn_log, args)

        kinds = DRIFT_KINDS_QUICK if args.quick else DRIFT_KINDS_FULL
        plan = drift(moto.url, recs, kinds, args.workers)
        proxy.clear_cache()  # the drift went straight to moto
        kinds_count = Counter(plan.values())
        missing = sum(1 for k in plan.values() if k in MISSING_ENDPOINT)
        needs_dns = sum(1 for k in plan.values() if k in NEEDS_DNS)
        common["drift"] = {"vpcs": len(plan), "by_kind": dict(kinds_count),
                           "missing_an_endpoint": missing, "needing_dns_read": needs_dns}
        log(f"  drift in {len(plan)} VPCs: {dict(kinds_count)}")

        results = []
        for backend in args.backends:
            result = dict(common, backend=backend)
            log(f"  -- {n} VPCs, {backend} backend")
            measure_backend(backend, result, args, binary, proxy, topic, fn_log, sdir / f"custodian-{backend}", plan)
            result["moto_peak_rss_mb"] = moto.rss_mb()
            results.append(result)
    finally:
        proxy.stop()
        moto.stop()
    return results


def moto_read_floor(moto_url: str, repeats: int = 3) -> dict:
    """moto's own time to answer the reads a sweep needs, one after the other, as raw HTTP (no
    client parsing), best of `repeats` per read. moto renders in Python under one GIL, so no
    client of this server can observe the fleet faster than the sum: it is the floor under any
    vpce-guard sweep on this emulator, whatever the tool does."""
    by_action: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for action, body in GUARD_READS.items():
        best = None
        for _ in range(repeats):
            req = urllib.request.Request(
                moto_url + "/", data=(body + "&Version=2016-11-15").encode(), method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                         "X-Amz-Date": "20261122T000000Z",
                         "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20261122/{REGION}/ec2/"
                                          "aws4_request, SignedHeaders=host;x-amz-date, Signature=0"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=3600) as r:
                sizes[action] = len(r.read())
            elapsed = time.perf_counter() - t
            best = elapsed if best is None else min(best, elapsed)
        by_action[action] = round(best or 0.0, 3)
    return {"sum_s": round(sum(by_action.values()), 3), "by_action_s": by_action,
            "response_mb": {k: round(v / 1e6, 2) for k, v in sizes.items()}}


def measure_backend(backend: str, result: dict, args, binary: Path, proxy: CountingProxy, topic: str,
                    fn_log: Path, cdir: Path, plan: dict[str, str]) -> None:
    """vpce-guard (report mode, under /usr/bin/time -v) and Cloud Custodian on the drifted fleet."""
    cached = backend == "cached"
    proxy.cache_reads = cached
    proxy.clear_cache()
    # vpce-guard, report mode, under /usr/bin/time -v.
    if cached:
        proxy.reset()
        try:
            sweep_through_proxy(binary, proxy, topic, "report", fn_log, args)
        except BenchError as e:
            log(f"  vpce-guard warm-up FAILED: {short(e)}")
        result["moto_seconds_warmup_guard"] = proxy.upstream_seconds()
        log(f"  vpce-guard warm-up done; moto's time per action: {result['moto_seconds_warmup_guard']}")
    runs = []
    for k in range(args.runs):
        proxy.reset()
        try:
            sw = run_sweep(binary, proxy.url, topic, "report", fn_log, args.timeout, under_time=True)
        except BenchError as e:
            if args.quick:
                raise
            runs.append({"error": short(e, 1000), "requests_by_action": proxy.counts(),
                         "moto_seconds_by_action": proxy.upstream_seconds()})
            log(f"  vpce-guard run {k + 1}/{args.runs} FAILED: {short(e)}")
            log(f"    requests {proxy.counts()}, moto time per action {proxy.upstream_seconds()}")
            proxy.wait_idle(args.timeout)
            if len(runs) >= 2 and all("error" in x for x in runs[-2:]):
                log("  vpce-guard: two runs in a row failed, giving up on this size")
                break
            continue
        run = guard_run_record(sw, proxy)
        runs.append(run)
        match = "=" if run["api_calls"] == run["requests"] else "!="
        log(f"  vpce-guard run {k + 1}/{args.runs}: sweep {run['sweep_s']:.3f} s, process "
            f"{run['process_s']:.3f} s, RSS {run['max_rss_mb'] or 0:.1f} MB, CPU {run['cpu_s'] or 0:.2f} s, "
            f"requests {run['requests']} (api_calls {run['api_calls']} {match} proxy), "
            f"drifted {run['vpcs_drifted']}")
        log(f"    moto time per action: {run['moto_seconds_by_action']}")
        log("    phases (s after the event was handed out): " + ", ".join(
            f"{p['what']} x{p['requests']} {p['start_s']:.3f}-{p['end_s']:.3f}" for p in run["phases"]))
    ok = [x for x in runs if "error" not in x]
    g: dict[str, Any] = {"runs": runs, "failed_runs": len(runs) - len(ok)}
    if ok:
        g.update({
            "sweep_s": med([x["sweep_s"] for x in ok]),
            "process_s": med([x["process_s"] for x in ok]),
            "max_rss_mb": med([x["max_rss_mb"] for x in ok]),
            "cpu_s": med([x["cpu_s"] for x in ok]),
            "requests": ok[-1]["requests"],
            "requests_by_action": ok[-1]["requests_by_action"],
            "api_calls": ok[-1]["api_calls"],
            "api_calls_match_proxy": all(x["api_calls"] == x["requests"] and
                                         x["api_calls_by_action"] == x["requests_by_action"] for x in ok),
            "requests_stable": len({x["requests"] for x in ok}) == 1,
            "vpcs_drifted": ok[-1]["vpcs_drifted"],
        })
        if g["vpcs_drifted"] != len(plan):
            log(f"  WARNING: vpce-guard found {g['vpcs_drifted']} drifted VPCs, {len(plan)} were drifted")
    else:
        g["error"] = runs[-1]["error"] if runs else "no run"
    result["vpce_guard"] = g
    if backend == "moto" and not args.quick:
        result["moto_floor"] = moto_read_floor(f"http://127.0.0.1:{proxy.upstream_port}")
        log(f"  moto floor (its serial answer time for the sweep's reads, best of 3): "
            f"{result['moto_floor']['sum_s']:.3f} s {result['moto_floor']['by_action_s']}")

    if not args.quick and not args.no_custodian:
        cdir.mkdir(exist_ok=True)
        if cached:
            proxy.reset()
            for attempt in (1, 2, 3):
                try:
                    run_custodian(proxy.url, cdir, args.timeout)
                    break
                except BenchError as e:
                    log(f"  custodian warm-up attempt {attempt} failed: {short(e, 200)}")
                    proxy.wait_idle(args.timeout)
            result["moto_seconds_warmup_custodian"] = proxy.upstream_seconds()
            log(f"  custodian warm-up done; moto's time per action: {result['moto_seconds_warmup_custodian']}")
        cruns = []
        expected = {v for v, k in plan.items() if k in MISSING_ENDPOINT}
        for k in range(args.runs):
            proxy.reset()
            try:
                c = run_custodian(proxy.url, cdir, args.timeout)
            except BenchError as e:
                cruns.append({"error": short(e, 1000), "requests_by_action": proxy.counts()})
                log(f"  custodian run {k + 1}/{args.runs} FAILED: {short(e)}")
                proxy.wait_idle(args.timeout)
                if len(cruns) >= 2 and all("error" in x for x in cruns[-2:]):
                    log("  custodian: two runs in a row failed, giving up on this size")
                    break
                continue
            counts = proxy.counts()
            c["requests"] = sum(counts.values())
            c["requests_by_action"] = counts
            c["cache_hits"] = proxy.cache_hits()
            c["moto_seconds_by_action"] = proxy.upstream_seconds()
            c["response_bytes"] = proxy.response_bytes()
            c["matches_expected"] = set(c["resource_ids"]) == expected
            cruns.append(c)
            log(f"  custodian run {k + 1}/{args.runs}: {c['wall_s']:.3f} s, RSS {c['max_rss_mb'] or 0:.1f} MB, "
                f"CPU {c['cpu_s']:.2f} s, requests {c['requests']} {counts}, {c['resources']} VPCs matched")
            log(f"    moto time per action: {c['moto_seconds_by_action']}")
        ok_c = [c for c in cruns if "error" not in c]
        cu: dict[str, Any] = {"runs": [{k: v for k, v in c.items() if k != "resource_ids"} for c in cruns],
                              "failed_runs": len(cruns) - len(ok_c),
                              "expected_missing_endpoint": len(expected)}
        if ok_c:
            if ok_c[-1]["requests"] == 0:
                raise BenchError("Custodian sent no request through the proxy: AWS_ENDPOINT_URL was not honoured")
            cu.update({
                "wall_s": med([c["wall_s"] for c in ok_c]),
                "max_rss_mb": med([c["max_rss_mb"] for c in ok_c]),
                "cpu_s": med([c["cpu_s"] for c in ok_c]),
                "requests": ok_c[-1]["requests"],
                "requests_by_action": ok_c[-1]["requests_by_action"],
                "resources": ok_c[-1]["resources"],
                "matches_expected": ok_c[-1]["matches_expected"],
            })
            log(f"  custodian matched {cu['resources']} VPCs; {len(expected)} drifted VPCs miss an endpoint "
                f"({'same set' if cu['matches_expected'] else 'DIFFERENT set'})")
        else:
            cu["error"] = cruns[-1]["error"] if cruns else "no run"
        result["custodian"] = cu
        if "error" not in g and "error" not in cu:
            result["ratio"] = {
                "process_time": g["process_s"] / cu["wall_s"],
                "sweep_time": g["sweep_s"] / cu["wall_s"],
                "cpu": g["cpu_s"] / cu["cpu_s"] if g.get("cpu_s") and cu.get("cpu_s") else None,
                "rss": (g["max_rss_mb"] / cu["max_rss_mb"]) if g["max_rss_mb"] and cu["max_rss_mb"] else None,
                "requests": g["requests"] / cu["requests"] if cu["requests"] else None,
            }
            if result.get("moto_floor"):
                result["ratio"]["moto_floor_time"] = result["moto_floor"]["sum_s"] / cu["wall_s"]
