"""The compliance-sweep process: one invocation under the Runtime API emulator (run_sweep),
optionally under /usr/bin/time -v (parse_time_v reads its report), and how it is stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from lambda_runtime_emulator import EmulatorError, RuntimeEmulator, lambda_env

from .console import BenchError
from .settings import SCHEDULED_EVENT, TIME_BIN, safe_env


def parse_time_v(path: Path) -> dict:
    out: dict[str, Any] = {}
    try:
        text = path.read_text()
    except OSError:
        return out
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size (kbytes):"):
            out["max_rss_kb"] = int(line.rsplit(":", 1)[1])
        elif line.startswith("User time (seconds):"):
            out["user_s"] = float(line.rsplit(":", 1)[1])
        elif line.startswith("System time (seconds):"):
            out["sys_s"] = float(line.rsplit(":", 1)[1])
        elif line.startswith("Elapsed (wall clock) time"):
            v = line.split("):", 1)[1].strip()
            parts = [float(p) for p in v.split(":")]
            secs = 0.0
            for p in parts:
                secs = secs * 60 + p
            out["elapsed_s"] = secs
        elif line.startswith("Exit status:"):
            out["exit_status"] = int(line.rsplit(":", 1)[1])
    return out


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def stop_process(proc: subprocess.Popen, under_time: bool) -> None:
    """Kills the function (it keeps polling /next). Under /usr/bin/time only the child is killed,
    so that time still writes its report."""
    if proc.poll() is None and under_time:
        for child in children_of(proc.pid):
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=15)


def run_sweep(binary: Path, endpoint: str, topic_arn: str, mode: str, log_path: Path,
              timeout: float, under_time: bool, extra_env: dict[str, str] | None = None) -> dict:
    """One compliance-sweep invocation with the scheduled event; returns timings and the response."""
    event = json.loads(SCHEDULED_EVENT.read_text())
    with RuntimeEmulator(function_name="compliance-sweep", timeout_s=int(timeout)) as rt, \
            tempfile.TemporaryDirectory(prefix="vpce-bench-") as tmp:
        env = safe_env()
        env.update({
            "AWS_ENDPOINT_URL": endpoint,
            "GUARD_MODE": mode,
            "NOTICE_TOPIC_ARN": topic_arn,
            "RUST_LOG": "info",
            # moto renders the Describe answers of thousands of VPCs for tens of seconds; the
            # default 30 s per attempt (right for real EC2) would time out and retry at 3,000 VPCs.
            "API_TIMEOUT_SECONDS": "600",
            # moto is not EC2: unpaced unless a scenario measures the pacing against the model.
            "EC2_PACING": "off",
        })
        env.update(lambda_env(rt.address, function_name="compliance-sweep"))
        env.update(extra_env or {})
        tv = Path(tmp) / "time.txt"
        cmd = [TIME_BIN, "-v", "-o", str(tv), str(binary)] if under_time else [str(binary)]
        with open(log_path, "ab") as logf:
            logf.write(f"\n===== {mode} sweep via {endpoint} {time.ctime()} =====\n".encode())
            logf.flush()
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                first = rt.wait_first_poll(timeout=60)
                if first is None:
                    raise BenchError(f"{binary} never polled for an event; see {log_path}")
                inv = rt.invoke(event, timeout=timeout, alive=lambda: proc.poll() is None)
            except EmulatorError as e:
                raise BenchError(f"{binary}: {e}; see {log_path}") from None
            finally:
                stop_process(proc, under_time)
        if inv.kind != "response":
            raise BenchError(f"the sweep failed: {inv.error_type} {inv.body}; see {log_path}")
        tstats = parse_time_v(tv) if under_time else {}
    return {
        "cold_start_s": first - t0,
        "sweep_s": inv.duration,
        "handed_out_at": inv.handed_out_at,
        "process_s": inv.completed_at - t0,
        "max_rss_mb": tstats["max_rss_kb"] / 1024 if "max_rss_kb" in tstats else None,
        "cpu_s": (tstats.get("user_s", 0) + tstats.get("sys_s", 0)) if tstats else None,
        "response": region_summary(inv.body),
    }


def region_summary(body: Any) -> Any:
    """compliance-sweep answers {"account_id", "regions": [{"region", "status", "summary"}]}; the
    benchmark guards one Region, whose run summary is what it measures."""
    if isinstance(body, dict) and isinstance(body.get("regions"), list):
        regions = body["regions"]
        if len(regions) != 1 or not regions[0].get("summary"):
            raise BenchError(f"expected one guarded Region with a summary, got {body}")
        return regions[0]["summary"]
    return body
