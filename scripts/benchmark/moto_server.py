"""The moto server both tools run against: patch_moto() (three of moto's quadratic EC2 lookups
replaced by indexed ones), run_moto_server() (moto_server with those fixes; this module's
`python -m benchmark.moto_server HOST PORT`), and Moto, which starts one in its own process
on a free loopback port and stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from lambda_runtime_emulator import free_port

from .console import BenchError
from .settings import SCRIPTS_DIR, VENV, safe_env


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

    4. DynamoDB's transact_write_items deep-copies every table a transaction touches before it
       starts (for its rollback), so each transaction costs time proportional to the table and
       an organization sweep's ledger grows quadratic; the copy also breaks under concurrent
       requests. The rollback keeps copies of the touched items only and restores those, which is
       what a cancelled DynamoDB transaction does; transactions run one at a time, as DynamoDB
       serialises conflicting ones (moto's threads lost concurrent `ADD`s). For the org sweep
       benchmark (tests/benches/org_sweep.rs).

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

    import copy as _copy
    import types as _types

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table as _Table

    in_transaction = threading.local()

    def deepcopy(obj, memo=None):  # type: ignore[no-untyped-def]
        # Inside transact_write_items only, a whole table is "copied" by reference.
        if getattr(in_transaction, "active", False) and isinstance(obj, _Table):
            return obj
        return _copy.deepcopy(obj, memo)

    # The dynamodb models module alone sees this `copy`; every other deepcopy is untouched.
    dynamodb_models.copy = _types.SimpleNamespace(deepcopy=deepcopy, copy=_copy.copy)
    original_transact = DynamoDBBackend.transact_write_items
    # DynamoDB serialises conflicting transactions; moto's threads would interleave them and lose
    # one of two concurrent `ADD`s.
    transact_lock = threading.Lock()

    def transact_write_items(self, transact_items):  # type: ignore[no-untyped-def]
        with transact_lock:
            return locked_transact_write_items(self, transact_items)

    def locked_transact_write_items(self, transact_items):  # type: ignore[no-untyped-def]
        # Copies of the touched items (None: absent), put back if the transaction is cancelled.
        snapshots = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName", ""))
            if table is None:
                continue
            if "Item" in op:
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op.get("Key", {})
            try:
                current = self.get_item(table.name, key)
            except Exception:  # noqa: BLE001 - moto answers malformed keys itself below
                current = None
            before = _copy.deepcopy(current.to_json()["Attributes"]) if current else None
            snapshots.append((table.name, key, before))
        in_transaction.active = True
        try:
            return original_transact(self, transact_items)
        except Exception:
            for table_name, key, before in snapshots:
                try:
                    if before is None:
                        self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, before)
                except Exception:  # noqa: BLE001 - best effort, as moto's own rollback
                    pass
            raise
        finally:
            in_transaction.active = False

    tag_models.TagBackend.describe_tags = describe_tags
    DynamoDBBackend.transact_write_items = transact_write_items
    DomainDispatcherApplication.__call__ = call
    Subnet.available_ip_address_count = property(available_ip_address_count)
    SecurityGroupBackend.get_security_group_from_id = get_security_group_from_id


def run_moto_server(host: str, port: int) -> None:
    """moto_server with patch_moto()'s fixes (`python -m benchmark.moto_server HOST PORT`)."""
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
        env = {**safe_env(), "PATH": f"{VENV / 'bin'}:{os.environ.get('PATH', '')}"}
        if self.stock:
            cmd = [str(exe), "-H", "127.0.0.1", "-p", str(self.port)]
        else:
            # This module's __main__ below, in the venv's Python, which finds the package on PYTHONPATH.
            cmd = [str(VENV / "bin" / "python"), "-m", "benchmark.moto_server", "127.0.0.1", str(self.port)]
            env["PYTHONPATH"] = str(SCRIPTS_DIR)
        self.proc = subprocess.Popen(cmd,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
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


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m benchmark.moto_server HOST PORT")
    run_moto_server(sys.argv[1], int(sys.argv[2]))
    sys.exit(0)
