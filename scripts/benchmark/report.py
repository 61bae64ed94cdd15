"""What a run reports: the machine and tool versions recorded in the results file, the table on
stdout (print_table; print_model_table for the EC2-model scenarios), and the flatness checks of
quick (CI) mode."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

from .console import short
from .settings import C7N_VENV, QUICK_MAX_REQUESTS


def describe_counts(by_action: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in by_action.items() if k.startswith("Describe") and k != "DescribeVpcAttribute"}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True, timeout=10).stdout.splitlines()[1]
    except (OSError, IndexError, subprocess.SubprocessError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": " ".join(mem.split()),
            "kernel": platform.release(), "python": platform.python_version(),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def versions() -> dict:
    out = {}
    try:
        import boto3
        import moto

        out["moto"] = moto.__version__
        out["boto3"] = boto3.__version__
    except ImportError:
        pass
    exe = C7N_VENV / "bin" / "custodian"
    if exe.exists():
        try:
            out["c7n"] = subprocess.run([str(exe), "version"], capture_output=True, text=True,
                                        timeout=60).stdout.strip()
        except subprocess.SubprocessError:
            pass
    return out


def fmt(x: float | None, spec: str = ".3f") -> str:
    return "-" if x is None else format(x, spec)


def print_table(results: list[dict]) -> None:
    print()
    hdr = (f"{'size':>5} | {'backend':<10} | {'tool':<10} | {'requests':>8} | {'median wall s':>13} | "
           f"{'process s':>9} | {'CPU s':>6} | {'peak RSS MB':>11} | {'time ratio':>10} | {'RSS ratio':>9}")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        g = r["vpce_guard"]
        ratio = r.get("ratio") or {}
        b = r.get("backend", "moto") + ("/stock" if r.get("moto") == "stock" else "")
        if "error" in g:
            print(f"{r['vpcs']:>5} | {b:<10} | {'vpce-guard':<10} | FAILED: {short(Exception(g['error']), 90)}")
        else:
            print(f"{r['vpcs']:>5} | {b:<10} | {'vpce-guard':<10} | {g['requests']:>8} | {fmt(g['sweep_s']):>13} | "
                  f"{fmt(g['process_s']):>9} | {fmt(g['cpu_s'], '.2f'):>6} | {fmt(g['max_rss_mb'], '.1f'):>11} | "
                  f"{fmt(ratio.get('process_time'), '.3f'):>10} | {fmt(ratio.get('rss'), '.3f'):>9}")
        c = r.get("custodian")
        if c and "error" in c:
            print(f"{'':>5} | {b:<10} | {'custodian':<10} | FAILED: {short(Exception(c['error']), 90)}")
        elif c:
            print(f"{'':>5} | {b:<10} | {'custodian':<10} | {c['requests']:>8} | {fmt(c['wall_s']):>13} | "
                  f"{fmt(c['wall_s']):>9} | {fmt(c['cpu_s'], '.2f'):>6} | {fmt(c['max_rss_mb'], '.1f'):>11} | "
                  f"{'':>10} | {'':>9}")
    floors = [r for r in results if r.get("moto_floor")]
    if floors:
        print()
        for r in floors:
            fr = (r.get("ratio") or {}).get("moto_floor_time")
            print(f"{r['vpcs']:>5} VPCs: moto floor {r['moto_floor']['sum_s']:.3f} s = moto's own serial "
                  f"answer time for the sweep's reads" + (f", {fr:.3f} of Custodian's time" if fr else ""))
    print()
    print("median wall s: vpce-guard = event handed out -> response (the sweep); custodian = the whole "
          "`custodian run`.\nprocess s: spawn -> response (vpce-guard incl. cold start). CPU s: user+sys of the "
          "process (time -v).\ntime ratio = vpce-guard process s / custodian wall s; RSS ratio = vpce-guard / "
          "custodian peak RSS.\nbackend moto: every request answered by moto; cached: reads answered from the "
          "proxy's cache of moto's answer (warmed by one unmeasured run).")


def span(xs: list[int] | None) -> str:
    """The values of the runs: one figure, or min-max when the runs differ."""
    if not xs:
        return "-"
    return str(xs[0]) if len(xs) == 1 else f"{xs[0]}-{xs[-1]}"


def model_notes(r: dict) -> str:
    if r["tool"] == "custodian":
        note = f"matched {r.get('resources')}/{r.get('expected_matches')}"
    elif r.get("mode") == "remediate":
        note = f"actions applied {r.get('actions_applied')}, failed {r.get('actions_failed')}"
    else:
        note = f"drifted {r.get('vpcs_drifted')}/{r.get('expected_drifted')}"
    if r.get("failed_runs"):
        note += f"; {r['failed_runs']} run(s) failed"
    if r.get("answers_later_than_model"):
        note += f"; {r['answers_later_than_model']} answers later than the model (moto)"
    return note


def print_model_table(rows: list[dict], model: dict | None) -> None:
    print()
    hdr = (f"{'scenario':<17} | {'VPCs':>5} | {'tool':<10} | {'requests':>9} | {'throttled':>9} | {'wall s':>8} | "
           f"{'peak RSS MB':>11} | {'time ratio':>10} | {'RSS ratio':>9} | notes")
    print(hdr)
    print("-" * (len(hdr) + 30))
    for r in rows:
        lead = f"{r['scenario']:<17} | {r['vpcs']:>5} | {r['tool']:<10} | "
        if "error" in r:
            print(lead + f"{span(r.get('requests')):>9} | {span(r.get('throttled')):>9} | {'FAILED':>8} | {'-':>11} | "
                  f"{'-':>10} | {'-':>9} | {short(Exception(r['error']), 100)}")
            continue
        print(lead + f"{span(r['requests']):>9} | {span(r['throttled']):>9} | {fmt(r['wall_s'], '.2f'):>8} | "
              f"{fmt(r['max_rss_mb'], '.1f'):>11} | {fmt(r.get('time_ratio')):>10} | "
              f"{fmt(r.get('rss_ratio')):>9} | {model_notes(r)}")
    print()
    print("requests: all requests through the proxy (EC2, STS, SNS), throttled answers and retries included; "
          "throttled: HTTP 503\nRequestLimitExceeded answers of the EC2 model. wall s: median; vpce-guard = spawn -> "
          "response (process, cold start included),\ncustodian = the whole `custodian run`. time ratio = "
          "vpce-guard wall s / custodian wall s of the same scenario; RSS ratio likewise. a-b: the runs differ.")
    if model:
        cats = ", ".join(f"{k} {v[0]:g}/{v[1]:g}" for k, v in model["categories"].items())
        print(f"EC2 model: answer {model['latency_ms']:g} ms + {model['latency_ms_per_10kb']:g} ms per 10 KB after "
              f"the request; token buckets per action (capacity/refill per s): {cats}; "
              f"CreateVpcEndpoint {model['actions']['CreateVpcEndpoint'][0]:g}/"
              f"{model['actions']['CreateVpcEndpoint'][1]:g} ... ({model['source']})")
    else:
        print("EC2 model: off (answers as fast as moto or the cache give them, no throttling)")


def print_usage(results: list[dict]) -> None:
    """The usage check's cost per size: requests and metrics billed by CloudWatch."""
    # One usage sweep per size: the rows of each backend carry the same figures.
    by_size = {r["vpcs"]: r.get("usage") or {} for r in results}
    rows = [(n, u) for n, u in sorted(by_size.items()) if "metrics_requested" in u]
    if not rows:
        return
    print("\nusage check (USAGE_CHECK=every_sweep, report mode, compliant fleet, no NAT gateways):")
    print(f"{'VPCs':>6} {'endpoints':>9} {'metrics':>8} {'GetMetricData':>13} {'requests':>8} {'$ a read':>9} "
          f"{'$ a month daily':>15} {'$ a month hourly':>16}")
    for n, u in rows:
        per_read = u["cloudwatch_usd_per_read"]
        print(f"{n:>6} {u['endpoints_measured']:>9} {u['metrics_requested']:>8} {u['get_metric_data']:>13} "
              f"{u['requests']:>8} {per_read:>9.4f} {per_read * 30:>15.2f} {per_read * 730:>16.2f}")


def quick_checks(results: list[dict]) -> list[str]:
    problems = []
    compliant = {r["vpcs"]: r["compliant"]["requests"] for r in results}
    if len(set(compliant.values())) != 1:
        problems.append(f"compliant sweep request count differs by size: {compliant}")
    describes = {r["vpcs"]: describe_counts(r["vpce_guard"]["requests_by_action"]) for r in results}
    if len({json.dumps(d, sort_keys=True) for d in describes.values()}) != 1:
        problems.append(f"drifted sweep Describe* counts (without DescribeVpcAttribute) differ by size: {describes}")
    for r in results:
        g = r["vpce_guard"]
        if r["compliant"]["requests"] > QUICK_MAX_REQUESTS:
            problems.append(f"{r['vpcs']} VPCs: compliant sweep sent {r['compliant']['requests']} requests "
                            f"(> {QUICK_MAX_REQUESTS}): {r['compliant']['requests_by_action']}")
        if g["requests"] > QUICK_MAX_REQUESTS:
            problems.append(f"{r['vpcs']} VPCs: drifted sweep sent {g['requests']} requests "
                            f"(> {QUICK_MAX_REQUESTS}): {g['requests_by_action']}")
        if g["requests_by_action"].get("DescribeVpcAttribute"):
            problems.append(f"{r['vpcs']} VPCs: DescribeVpcAttribute was called although no drift needs DNS")
        if not g["api_calls_match_proxy"]:
            problems.append(f"{r['vpcs']} VPCs: the function's api_calls ({g['api_calls']}) differ from the "
                            f"proxy's count ({g['requests']})")
        usage = r.get("usage") or {}
        metrics = usage.get("metrics_requested") or 0
        if usage.get("usage_checked") != 1 or usage.get("endpoints_measured") != 3 * r["vpcs"]:
            problems.append(f"{r['vpcs']} VPCs: the usage sweep did not measure the 3 interface endpoints "
                            f"of every VPC: {usage}")
        elif usage.get("get_metric_data") != -(-metrics // 500):
            problems.append(f"{r['vpcs']} VPCs: the usage sweep sent {usage.get('get_metric_data')} "
                            f"GetMetricData for {metrics} metrics (expected one per 500)")
        if g["vpcs_drifted"] != r["drift"]["vpcs"]:
            problems.append(f"{r['vpcs']} VPCs: the sweep found {g['vpcs_drifted']} drifted VPCs, "
                            f"{r['drift']['vpcs']} were drifted")
    return problems
