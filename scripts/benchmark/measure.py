#!/usr/bin/env python3
"""vpce-guard vs Cloud Custodian on a moto server: requests, wall time and peak RSS per sweep.

Run it through scripts/bench (which prepares the virtualenvs); see docs/performance.md.

    scripts/bench                      # full: 300, 1000, 3000 VPCs, 5 runs each, release binary
    scripts/bench --sizes 300,1000     # other sizes
    scripts/bench --quick              # CI: 1, 20, 100 VPCs, 1 run, debug binary, no Custodian;
                                       # asserts the sweep's request count is flat

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
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from lambda_runtime_emulator import (  # noqa: E402
    EmulatorError,
    RuntimeEmulator,
    free_port,
    lambda_env,
    resolve_release_bootstrap,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"
BASELINE = ("s3", "dynamodb", "ecr.api", "ecr.dkr", "logs")
TOPIC_NAME = "vpce-guard-notices"
SCHEDULED_EVENT = ROOT / "events" / "scheduled-event.json"
TIME_BIN = "/usr/bin/time"
VENV = ROOT / ".venv"
C7N_VENV = VENV / "c7n"  # Custodian pins its own boto3/botocore: kept apart from moto's venv
BENCH_DIR = ROOT / ".bench"
DEBUG_TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or (ROOT / "target")) / "debug"
DRIFT_EVERY = 10  # every 10th VPC drifts (index % 10 == 0)

# Drift kinds. `needs_dns`: the remedy creates an interface endpoint with private DNS, so the
# report-mode sweep reads that VPC's DNS attributes (+2 DescribeVpcAttribute).
# `missing`: leaves the VPC without a live endpoint of a baseline service (what Custodian finds).
DRIFT_KINDS_FULL = (
    "logs_endpoint_deleted",  # missing_endpoint (interface), needs DNS
    "private_route_table_added",  # route_table_not_associated x2 (s3, dynamodb)
    "s3_gateway_deleted",  # missing_endpoint (gateway)
    "az_added",  # az_not_covered x3 (a private subnet in a third AZ, main route table)
    "dynamodb_route_table_removed",  # route_table_not_associated (dynamodb)
)
# Quick mode: route-table and AZ drift only, so the only per-VPC read (DescribeVpcAttribute) is
# never needed and the Describe count must be exactly flat.
DRIFT_KINDS_QUICK = ("private_route_table_added", "az_added", "dynamodb_route_table_removed")
NEEDS_DNS = {"logs_endpoint_deleted"}
MISSING_ENDPOINT = {"logs_endpoint_deleted", "s3_gateway_deleted"}

QUICK_MAX_REQUESTS = 12


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def safe_env() -> dict[str, str]:
    """Dummy credentials, no config files, no IMDS; non-loopback HTTP goes to a dead proxy."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }


# --------------------------------------------------------------------------- counting proxy


WRITE_PREFIXES = ("Create", "Delete", "Modify", "Associate", "Disassociate", "Authorize", "Revoke",
                  "Attach", "Detach", "Replace", "Accept", "Reject", "Enable", "Disable", "Reset",
                  "Assign", "Unassign", "Allocate", "Release", "Run", "Terminate", "Start", "Stop")


def is_read(action: str) -> bool:
    return action.startswith("Describe") or action == "GetCallerIdentity"


def is_write(action: str) -> bool:
    return action.startswith(WRITE_PREFIXES)


class CountingProxy:
    """Reverse proxy on 127.0.0.1 forwarding everything to moto, counting requests per AWS action
    (form body `Action=` of the query protocol, else the X-Amz-Target header).

    Python API: reset(), counts(), upstream_seconds(), response_bytes(); over HTTP:
    GET /__bench__/counts and POST /__bench__/reset (both answer the counts as JSON).

    With `cache_reads` on, read-only actions (Describe*, GetCallerIdentity) are answered from a
    cache of moto's earlier answer to the same request (same action and parameters), fetched once
    even when several identical requests arrive together (single flight). Any write passing
    through (Create*, Modify*, Delete*, ...) and clear_cache() empty it, so an answer never
    predates a change made through the proxy; changes made straight to moto need clear_cache().
    Every request a client sends is counted, cached or not."""

    HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
           "upgrade", "expect", "content-length", "proxy-authorization", "proxy-authenticate"}
    VOLATILE = {"X-Amz-Date", "Authorization", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"}

    def __init__(self, upstream_port: int, cache_reads: bool = False) -> None:
        self.upstream_port = upstream_port
        self.cache_reads = cache_reads
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._hits: Counter[str] = Counter()
        self._bytes = 0
        self._seconds: Counter[str] = Counter()
        self._timeline: list[tuple[str, float, float]] = []  # (action, received, answered), perf_counter
        self._cache: dict[tuple, tuple[int, list, bytes]] = {}
        self._inflight: dict[tuple, threading.Event] = {}
        self._generation = 0
        self._busy = 0  # upstream requests in flight
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts = []
                    for _ in range(1_000_000):
                        size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            for _ in range(1000):
                                if self.rfile.readline(65537) in (b"\r\n", b"\n", b""):
                                    break
                            break
                        parts.append(self.rfile.read(size))
                        self.rfile.readline(3)
                    return b"".join(parts)
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _upstream(self, action: str, body: bytes) -> tuple[int, list, bytes]:
                conn = getattr(self, "_conn", None)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in proxy.HOP}
                started = time.perf_counter()
                with proxy._lock:
                    proxy._busy += 1
                try:
                    for attempt in (1, 2):
                        if conn is None:
                            conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=3600)
                            self._conn = conn
                        try:
                            conn.request(self.command, self.path, body=body, headers=headers)
                            resp = conn.getresponse()
                            data = resp.read()
                            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in proxy.HOP]
                            return resp.status, out, data
                        except (http.client.HTTPException, OSError):
                            conn.close()
                            conn = self._conn = None
                            if attempt == 2:
                                return 502, [("Content-Type", "text/plain")], b"upstream failed"
                    raise AssertionError("unreachable")
                finally:
                    with proxy._lock:
                        proxy._busy -= 1
                        proxy._seconds[action] += time.perf_counter() - started

            def _handle(self) -> None:
                received = time.perf_counter()
                body = self._body()
                if self.path.startswith("/__bench__/"):
                    if self.path == "/__bench__/reset":
                        proxy.reset()
                    data = json.dumps(proxy.counts()).encode()
                    self._send(200, data, [("Content-Type", "application/json")])
                    return
                action = proxy._count(self.command, self.path, self.headers, body)
                if proxy.cache_reads and is_read(action):
                    status, headers, data = proxy._cached(action, self.path, body,
                                                          lambda: self._upstream(action, body))
                else:
                    if is_write(action):
                        proxy.clear_cache()
                    status, headers, data = self._upstream(action, body)
                    if is_write(action):
                        proxy.clear_cache()
                self._send(status, data, headers)
                with proxy._lock:
                    proxy._bytes += len(data)
                    proxy._timeline.append((action, received, time.perf_counter()))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                    return  # a client went away (a killed function, an attempt timeout)
                super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True, name="counting-proxy")

    def start(self) -> "CountingProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def action_of(method: str, path: str, headers: Any, body: bytes) -> str:
        target = headers.get("X-Amz-Target")
        if target:
            return target.rsplit(".", 1)[-1]
        for text in (body[:4096].decode("utf-8", "replace") if body else "", urllib.parse.urlsplit(path).query):
            if "Action=" in text:
                for k, v in urllib.parse.parse_qsl(text):
                    if k == "Action" and v:
                        return v
        return f"{method} {urllib.parse.urlsplit(path).path}"

    def _count(self, method: str, path: str, headers: Any, body: bytes) -> str:
        action = self.action_of(method, path, headers, body)
        with self._lock:
            self._counts[action] += 1
        return action

    def _cached(self, action: str, path: str, body: bytes, fetch: Callable[[], tuple]) -> tuple:
        text = body.decode("utf-8", "replace")
        params = tuple(sorted(urllib.parse.parse_qsl(text, keep_blank_values=True))) if "=" in text else (text,)
        key = (action, urllib.parse.urlsplit(path).path, params)
        for _ in range(3):
            with self._lock:
                if key in self._cache:
                    self._hits[action] += 1
                    return self._cache[key]
                event = self._inflight.get(key)
                if event is None:
                    event = self._inflight[key] = threading.Event()
                    generation = self._generation
                    break
            event.wait(timeout=3600)
        else:
            return fetch()
        try:
            result = fetch()
            with self._lock:
                if result[0] == 200 and generation == self._generation:
                    self._cache[key] = result
            return result
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            event.set()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._generation += 1

    def wait_idle(self, timeout: float) -> bool:
        """Waits until no request is waiting for moto (e.g. after a client gave up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._busy == 0 and not self._inflight:
                    return True
            time.sleep(0.2)
        return False

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._hits.clear()
            self._seconds.clear()
            self._timeline.clear()
            self._bytes = 0

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def cache_hits(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._hits.items()))

    def upstream_seconds(self) -> dict[str, float]:
        """Seconds spent waiting for moto, summed per action (requests may overlap)."""
        with self._lock:
            return {k: round(v, 3) for k, v in sorted(self._seconds.items())}

    def phases(self, since: float) -> list[dict]:
        """Where a run's time went: consecutive requests of one action grouped, each group with the
        seconds (from `since`, a perf_counter) at which its first request arrived and its last was
        answered, e.g. the concurrent reads, then DescribeVpcAttribute, then PublishBatch."""
        with self._lock:
            timeline = sorted(self._timeline, key=lambda x: x[1])
        groups: list[dict] = []
        for action, start, end in timeline:
            name = "observe reads" if action in GUARD_READS else action
            if groups and groups[-1]["what"] == name:
                g = groups[-1]
                g["requests"] += 1
                g["end_s"] = max(g["end_s"], round(end - since, 3))
            else:
                groups.append({"what": name, "requests": 1, "start_s": round(start - since, 3),
                               "end_s": round(end - since, 3)})
        return groups

    def response_bytes(self) -> int:
        with self._lock:
            return self._bytes


# --------------------------------------------------------------------------- moto


def patch_moto() -> None:
    """Replaces three of moto's quadratic EC2 lookups by indexed ones that give the same answers.
    They are emulator bugs, not work a Describe costs on EC2, and without the fixes moto's time
    grows with the square of the fleet: a 3,000-VPC DescribeSubnets took minutes.

    1. TagBackend.describe_tags scans every tag of the account with a regex per tag, and every
       resource's `get_tags()` calls it with `resource-id` = its own id: exact `resource-id`
       lookups are answered from the tag dict (same entries, same order within a resource).
    2. Subnet.available_ip_address_count scans every network interface of the Region for every
       subnet rendered: the interfaces are counted per subnet once per HTTP request (a snapshot
       for the request, as EC2 gives) and each subnet reads its count.
    3. get_security_group_from_id copies every VPC's group dict on every lookup (one per security
       group of every interface endpoint rendered): the groups are looked up by id, falling back
       to the original scan when the id is not a key.

    Both tools of the benchmark run against the same patched server; `--stock-moto` runs moto
    unpatched. tests/ never use these patches: they start a stock moto_server."""
    from collections import Counter as _Counter

    from moto.ec2.models import tags as tag_models
    from moto.ec2.models.security_groups import SecurityGroupBackend
    from moto.ec2.models.subnets import Subnet
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original_describe_tags = tag_models.TagBackend.describe_tags

    def describe_tags(self, filters=None):  # type: ignore[no-untyped-def]
        if filters and set(filters) == {"resource-id"}:
            ids = filters["resource-id"]
            if all(isinstance(i, str) and not any(c in i for c in "*?[]\\") for i in ids):
                out = []
                for rid in dict.fromkeys(ids):
                    for key, value in dict.get(self.tags, rid, {}).items():
                        out.append({"resource_id": rid, "key": key, "value": value,
                                    "resource_type": EC2_PREFIX_TO_RESOURCE.get(get_prefix(rid), "")})
                return out
        return original_describe_tags(self, filters)

    request = threading.local()
    original_call = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        request.taken_ips = None  # a new request sees the interfaces as they are now
        return original_call(self, environ, start_response)

    def available_ip_address_count(self) -> int:  # type: ignore[no-untyped-def]
        taken = getattr(request, "taken_ips", None)
        if taken is None or taken[0] is not self.ec2_backend:
            counts: _Counter[str] = _Counter()
            for eni in self.ec2_backend.get_all_network_interfaces():
                if eni.private_ip_addresses:
                    counts[eni.subnet.id] += len(eni.private_ip_addresses)
            taken = request.taken_ips = (self.ec2_backend, counts)
        return self._available_ip_addresses - taken[1][self.id]

    original_group_from_id = SecurityGroupBackend.get_security_group_from_id

    def get_security_group_from_id(self, group_id):  # type: ignore[no-untyped-def]
        for groups in self.groups.values():
            group = groups.get(group_id)
            if group is not None and group.id == group_id:
                return group
        return original_group_from_id(self, group_id)

    tag_models.TagBackend.describe_tags = describe_tags
    DomainDispatcherApplication.__call__ = call
    Subnet.available_ip_address_count = property(available_ip_address_count)
    SecurityGroupBackend.get_security_group_from_id = get_security_group_from_id


def run_moto_server(host: str, port: int) -> None:
    """moto_server with patch_moto()'s fixes (`python bench.py --_moto-server HOST PORT`)."""
    from moto import server

    patch_moto()
    server.main(["-H", host, "-p", str(port)])


class Moto:
    def __init__(self, log_path: Path, stock: bool = False) -> None:
        self.stock = stock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Moto":
        exe = VENV / "bin" / "moto_server"
        if not exe.exists():
            raise BenchError(f"{exe} is missing: run scripts/bench (it installs moto[server] into .venv)")
        self._log = open(self.log_path, "wb")
        if self.stock:
            cmd = [str(exe), "-H", "127.0.0.1", "-p", str(self.port)]
        else:
            cmd = [str(VENV / "bin" / "python"), str(Path(__file__).resolve()), "--_moto-server",
                   "127.0.0.1", str(self.port)]
        self.proc = subprocess.Popen(cmd,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env={**safe_env(), "PATH": f"{VENV / 'bin'}:{os.environ.get('PATH', '')}"},
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"moto_server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"moto_server did not answer on {self.url} within {timeout}s")

    def rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except (OSError, AttributeError):
            pass
        return None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


# --------------------------------------------------------------------------- seeding


_tls = threading.local()


def ec2_client(endpoint: str):
    import boto3
    from botocore.config import Config

    key = ("ec2", endpoint)
    cache = getattr(_tls, "clients", None)
    if cache is None:
        cache = _tls.clients = {}
    if key not in cache:
        cache[key] = boto3.session.Session().client(
            "ec2", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 8, "mode": "standard"}, read_timeout=600,
                          max_pool_connections=4))
    return cache[key]


def delete_default_vpcs(ec2) -> None:
    """moto starts with a default VPC (public subnets in every AZ); the benchmark has exactly N VPCs."""
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        vpc_id = vpc["VpcId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
            ec2.delete_subnet(SubnetId=s["SubnetId"])
        for igw in ec2.describe_internet_gateways(
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]:
            ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
            ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
        ec2.delete_vpc(VpcId=vpc_id)


def seed_vpc(endpoint: str, i: int) -> dict:
    """One VPC like the demo's: 2 AZs, public subnet + IGW route, private subnet + own table each."""
    ec2 = ec2_client(endpoint)
    name = f"bench-{i:05d}"
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    rec: dict[str, Any] = {"index": i, "vpc_id": vpc_id, "igw": igw, "public": [], "private": [], "private_rtbs": []}
    public_rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    rec["public_rtb"] = public_rtb
    for n, az in enumerate(("a", "b")):
        pub = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{n}.0/24",
                                AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=public_rtb, SubnetId=pub)
        priv = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{10 + n}.0/24",
                                 AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=priv)
        rec["public"].append(pub)
        rec["private"].append(priv)
        rec["private_rtbs"].append(rtb)
    return rec


def parallel(fn: Callable[[Any], Any], items: list, workers: int, what: str) -> list:
    out: list = [None] * len(items)
    t0 = time.perf_counter()
    last = t0
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        futs = {pool.submit(fn, item): k for k, item in enumerate(items)}
        done = 0
        for fut in cf.as_completed(futs):
            out[futs[fut]] = fut.result()
            done += 1
            if time.perf_counter() - last > 15:
                last = time.perf_counter()
                log(f"  {what}: {done}/{len(items)}")
    return out


def seed(moto_url: str, n: int, workers: int) -> list[dict]:
    ec2 = ec2_client(moto_url)
    delete_default_vpcs(ec2)
    return parallel(lambda i: seed_vpc(moto_url, i), list(range(n)), workers, "VPCs seeded")


def create_topic(moto_url: str) -> str:
    import boto3

    sns = boto3.client("sns", region_name=REGION, endpoint_url=moto_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    return sns.create_topic(Name=TOPIC_NAME)["TopicArn"]


def endpoint_index(moto_url: str) -> dict[tuple[str, str], dict]:
    """(vpc_id, short service) -> live endpoint (one Describe)."""
    ec2 = ec2_client(moto_url)
    out: dict[tuple[str, str], dict] = {}
    for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        if e.get("State", "available").lower() in ("deleted", "deleting"):
            continue
        out[(e["VpcId"], e["ServiceName"].split(f"{REGION}.", 1)[-1])] = e
    return out


def apply_drift(moto_url: str, rec: dict, kind: str, endpoints: dict) -> None:
    ec2 = ec2_client(moto_url)
    vpc = rec["vpc_id"]
    if kind == "logs_endpoint_deleted":
        ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoints[(vpc, "logs")]["VpcEndpointId"]])
    elif kind == "s3_gateway_deleted":
        ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoints[(vpc, "s3")]["VpcEndpointId"]])
    elif kind == "private_route_table_added":
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.20.0/24",
                                AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=sub)
    elif kind == "az_added":
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.12.0/24", AvailabilityZone=f"{REGION}c")
    elif kind == "dynamodb_route_table_removed":
        ec2.modify_vpc_endpoint(VpcEndpointId=endpoints[(vpc, "dynamodb")]["VpcEndpointId"],
                                RemoveRouteTableIds=[rec["private_rtbs"][1]])
    else:
        raise BenchError(f"unknown drift kind {kind}")


def drift(moto_url: str, recs: list[dict], kinds: tuple[str, ...], workers: int) -> dict[str, str]:
    endpoints = endpoint_index(moto_url)
    plan = {}
    for rec in recs:
        if rec["index"] % DRIFT_EVERY == 0:
            plan[rec["vpc_id"]] = kinds[(rec["index"] // DRIFT_EVERY) % len(kinds)]
    parallel(lambda r: apply_drift(moto_url, r, plan[r["vpc_id"]], endpoints),
             [r for r in recs if r["vpc_id"] in plan], workers, "VPCs drifted")
    return plan


# --------------------------------------------------------------------------- processes


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


# --------------------------------------------------------------------------- Custodian


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


# --------------------------------------------------------------------------- benchmark


def med(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def describe_counts(by_action: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in by_action.items() if k.startswith("Describe") and k != "DescribeVpcAttribute"}


def short(e: Exception, n: int = 300) -> str:
    text = str(e).replace("\n", " ")
    return text if len(text) <= n else text[:n] + "..."


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

        # Remediation goes through the proxy with its read cache on (whatever the backend): with
        # thousands of VPCs moto needs longer than the guard's SDK timeouts to answer its reads.
        proxy.cache_reads = True
        proxy.clear_cache()
        t = time.perf_counter()
        rem = sweep_through_proxy(binary, proxy, topic, "remediate", fn_log, args,
                                  extra_env={"REMEDIATION_CONCURRENCY": "8"})
        r = rem["response"]
        common["remediate"] = {k: r.get(k) for k in ("vpcs_checked", "vpcs_drifted", "actions_applied",
                                                     "actions_failed", "api_calls")}
        common["remediate"]["total_s"] = round(time.perf_counter() - t, 1)
        log(f"  remediate sweep: {r.get('vpcs_checked')} VPCs, {r.get('actions_applied')} actions applied, "
            f"{r.get('actions_failed')} failed, {rem['sweep_s']:.1f} s")
        if r.get("vpcs_checked") != n or r.get("actions_failed"):
            raise BenchError(f"remediation did not go as expected: {r}")

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


GUARD_READS = {
    # The reads of one vpce-guard sweep, as the function sends them (one page each at these sizes).
    "DescribeVpcs": "Action=DescribeVpcs",
    "DescribeSubnets": "Action=DescribeSubnets",
    "DescribeRouteTables": "Action=DescribeRouteTables",
    "DescribeVpcEndpoints": "Action=DescribeVpcEndpoints",
    "DescribeSecurityGroups": "Action=DescribeSecurityGroups&Filter.1.Name=group-name"
                              "&Filter.1.Value.1=vpce-guard-endpoints",
    "DescribeVpcEndpointServices": "Action=DescribeVpcEndpointServices" + "".join(
        f"&ServiceName.{i + 1}=com.amazonaws.{REGION}.{s}"
        for i, s in enumerate(["dynamodb", "ecr.api", "ecr.dkr", "logs", "s3"])),
}


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
        if g["vpcs_drifted"] != r["drift"]["vpcs"]:
            problems.append(f"{r['vpcs']} VPCs: the sweep found {g['vpcs_drifted']} drifted VPCs, "
                            f"{r['drift']['vpcs']} were drifted")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per invocation / custodian run")
    ap.add_argument("--out", type=Path, help="results JSON (default .bench/results.json, "
                                              "quick: .bench/results-quick.json)")
    args = ap.parse_args()

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
        if args.binary:
            binary = args.binary.resolve()
        elif args.quick:
            binary = DEBUG_TARGET / "compliance-sweep"
        else:
            binary = resolve_release_bootstrap("compliance-sweep", ROOT, Path(tmp.name))
        if not os.access(binary, os.X_OK):
            print(f"{binary} is not an executable (build it first)", file=sys.stderr)
            return 1
        if not args.quick and not args.no_custodian and not (C7N_VENV / "bin" / "custodian").exists():
            print(f"{C7N_VENV}/bin/custodian is missing: run scripts/bench, which installs c7n", file=sys.stderr)
            return 1
        busy = subprocess.run(["pgrep", "-x", "-c", "rustc"], capture_output=True, text=True).stdout.strip()
        if busy and busy != "0":
            log(f"WARNING: {busy} rustc process(es) running: timings will be noisy")
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


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--_moto-server":
        run_moto_server(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
