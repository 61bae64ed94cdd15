"""Cloud Custodian: the aws.vpc policy that finds VPCs missing a baseline endpoint, and one
`custodian run` of it under /usr/bin/time -v."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from .console import BenchError
from .processes import parse_time_v
from .settings import BASELINE, C7N_VENV, REGION, TIME_BIN, safe_env


def custodian_policy() -> str:
    # moto keeps deleted endpoints in DescribeVpcEndpoints with State "deleted" (real EC2 drops
    # them after a while), so an endpoint only counts when it is not deleted: the key joins the
    # service name and the state, and `value` is the live combination.
    lines = [
        "policies:",
        "  - name: vpc-missing-baseline-endpoint",
        "    resource: aws.vpc",
        "    filters:",
        "      - or:",
    ]
    for svc in BASELINE:
        lines += [
            "          - not:",
            "              - type: vpc-endpoint",
            "                key: \"join('|', [ServiceName, State])\"",
            f"                value: \"com.amazonaws.{REGION}.{svc}|available\"",
        ]
    return "\n".join(lines) + "\n"


def run_custodian(proxy_url: str, workdir: Path, timeout: float) -> dict:
    exe = C7N_VENV / "bin" / "custodian"
    policy = workdir / "policy.yml"
    policy.write_text(custodian_policy())
    out = workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    home = workdir / "home"  # Custodian's cache file lives under $HOME/.cache; keep it fresh
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    tv = workdir / "time.txt"
    env = safe_env()
    env.update({"AWS_ENDPOINT_URL": proxy_url, "HOME": str(home),
                "PATH": f"{C7N_VENV / 'bin'}:{os.environ.get('PATH', '')}"})
    cmd = [TIME_BIN, "-v", "-o", str(tv), str(exe), "run", "-s", str(out), str(policy),
           "--region", REGION, "--cache-period", "0"]
    t0 = time.perf_counter()
    try:
        cp = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"custodian did not finish within {timeout}s") from None
    wall = time.perf_counter() - t0
    text = cp.stdout.decode("utf-8", "replace")
    (workdir / "custodian.log").write_text(text)
    if cp.returncode != 0:
        raise BenchError(f"custodian failed ({cp.returncode}):\n{text[-3000:]}")
    res = out / "vpc-missing-baseline-endpoint" / "resources.json"
    meta = out / "vpc-missing-baseline-endpoint" / "metadata.json"
    resources = json.loads(res.read_text()) if res.exists() else []
    api_stats = json.loads(meta.read_text()).get("api-stats", {}) if meta.exists() else {}
    tstats = parse_time_v(tv)
    return {
        "wall_s": wall,
        "max_rss_mb": tstats["max_rss_kb"] / 1024 if "max_rss_kb" in tstats else None,
        "cpu_s": tstats.get("user_s", 0) + tstats.get("sys_s", 0),
        "resources": len(resources),
        "resource_ids": sorted(r["VpcId"] for r in resources),
        "api_stats": api_stats,
    }
