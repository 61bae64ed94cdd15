#!/usr/bin/env python3
"""A minimal AWS Lambda Runtime API on 127.0.0.1, for measuring the function binaries.

Used by scripts/coldstart, scripts/benchmark and the integration tests (tests/it/metrics.rs runs
a function binary through `invoke`); stdlib only. It serves the part of the Runtime
API (version 2018-06-01) that the `lambda_runtime` crate 1.5 uses:

  GET  /2018-06-01/runtime/invocation/next              long poll; hands out the next event
  POST /2018-06-01/runtime/invocation/{id}/response     the function's JSON result
  POST /2018-06-01/runtime/invocation/{id}/error        a handler error (Diagnostic JSON)
  POST /2018-06-01/runtime/init/error                   the function failed before its first poll

Every /next answer carries what `lambda_runtime::Context::new` reads: Lambda-Runtime-Aws-Request-Id
and Lambda-Runtime-Deadline-Ms (both required: the crate panics without them),
Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id.

Python API:

    with RuntimeEmulator() as rt:                    # listens on 127.0.0.1:<free port>
        env = lambda_env(rt.address, function_name="compliance-sweep")
        proc = subprocess.Popen([bootstrap], env={**os.environ, **env})
        rt.wait_first_poll(timeout=10)               # cold start: time of the first GET /next
        inv = rt.invoke({"detail-type": ...}, timeout=600)
        inv.kind, inv.body, inv.duration             # "response" | "error", parsed JSON, seconds

Command line, one invocation (what the integration tests use):

    lambda_runtime_emulator.py invoke --function-name NAME --event EVENT.json --answer OUT.json \\
        -- BINARY

All times are `time.perf_counter()` values (monotonic, sub-microsecond), so they can be compared
with a `perf_counter()` taken just before spawning the process.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_PREFIX = "/2018-06-01/runtime"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class EmulatorError(Exception):
    """The function did not poll, answer or behave as expected in time."""


@dataclass
class Invocation:
    """One event handed to the function and what came back."""

    request_id: str
    event: Any
    queued_at: float
    handed_out_at: float | None = None  # /next answer written
    completed_at: float | None = None  # /response or /error body fully read
    kind: str | None = None  # "response" | "error"
    raw: bytes = b""
    body: Any = None  # parsed JSON (or the raw text when it is not JSON)
    error_type: str | None = None  # Lambda-Runtime-Function-Error-Type header on /error
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def duration(self) -> float | None:
        """Seconds from handing out the event to receiving the answer."""
        if self.handed_out_at is None or self.completed_at is None:
            return None
        return self.completed_at - self.handed_out_at


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lambda_env(
    runtime_api: str,
    function_name: str = "compliance-sweep",
    memory_mb: int = 128,
    region: str = DEFAULT_REGION,
) -> dict[str, str]:
    """The variables the Lambda service sets for a custom runtime (provided.al2023)."""
    return {
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_STREAM_NAME": "2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
    }


def release_dir(root: Path) -> Path:
    """Where the release build lives: $RELEASE_TARGET_DIR, else /work/.cache/target-release when
    it holds Lambda artifacts, else <root>/target."""
    env = os.environ.get("RELEASE_TARGET_DIR")
    if env:
        return Path(env)
    cache = Path("/work/.cache/target-release")
    return cache if (cache / "lambda").is_dir() else root / "target"


def resolve_release_bootstrap(function: str, root: Path, tmp: Path) -> Path:
    """lambda/<fn>/bootstrap of the release build, else the `bootstrap` inside
    lambda/<fn>/bootstrap.zip extracted under `tmp` (exactly what would be deployed)."""
    base = release_dir(root) / "lambda" / function
    if (base / "bootstrap").is_file():
        return base / "bootstrap"
    z = base / "bootstrap.zip"
    if z.is_file():
        out = tmp / function
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(z) as zf:
            zf.extract("bootstrap", out)
        path = out / "bootstrap"
        path.chmod(0o755)
        return path
    raise EmulatorError(
        f"no release bootstrap for {function} in {base} "
        "(build it with `cargo lambda build --release --x86-64`)"
    )


def bootstrap_sizes(function: str, root: Path) -> dict[str, Any]:
    """Bytes of lambda/<fn>/bootstrap (or of the bootstrap inside the zip) and of bootstrap.zip."""
    base = release_dir(root) / "lambda" / function
    out: dict[str, Any] = {"function": function, "bootstrap_bytes": None, "zip_bytes": None}
    z = base / "bootstrap.zip"
    if (base / "bootstrap").is_file():
        out["bootstrap_bytes"] = (base / "bootstrap").stat().st_size
    if z.is_file():
        out["zip_bytes"] = z.stat().st_size
        if out["bootstrap_bytes"] is None:
            with zipfile.ZipFile(z) as zf:
                out["bootstrap_bytes"] = zf.getinfo("bootstrap").file_size
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real Runtime API (hyper pools connections)
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    # -- helpers

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            for _ in range(1_000_000):  # bounded
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until the empty line
                    for _ in range(1000):
                        line = self.rfile.readline(65537)
                        if line in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.wfile.flush()

    # -- routes

    def do_GET(self) -> None:  # noqa: N802
        if self.path == f"{API_PREFIX}/invocation/next":
            self.server.emulator._next(self)
        else:
            self._reply(404, b'{"errorMessage":"unknown path"}')

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        now = time.perf_counter()
        path = self.path
        em = self.server.emulator
        if path == f"{API_PREFIX}/init/error":
            em._init_error(body, now)
            self._reply(202, b'{"status":"OK"}')
            return
        prefix = f"{API_PREFIX}/invocation/"
        if path.startswith(prefix):
            rest = path[len(prefix):]
            request_id, _, what = rest.partition("/")
            if what in ("response", "error"):
                ok = em._complete(request_id, what, body, now, self.headers.get("Lambda-Runtime-Function-Error-Type"))
                if ok:
                    self._reply(202, b'{"status":"OK"}')
                else:
                    self._reply(400, b'{"errorMessage":"unknown request id"}')
                return
        self._reply(404, b'{"errorMessage":"unknown path"}')


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: "RuntimeEmulator"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The function is killed while it holds a connection (it keeps polling): not an error.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class RuntimeEmulator:
    """A Runtime API for one function instance at a time (sequential invocations)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        function_name: str = "compliance-sweep",
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
        timeout_s: int = 900,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator only listens on loopback")
        self.function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.timeout_s = timeout_s
        self._server = _Server((host, port), _Handler)
        self._server.emulator = self
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending: "queue.Queue[Invocation]" = queue.Queue()
        self._invocations: dict[str, Invocation] = {}
        self._stopping = threading.Event()
        self._first_poll = threading.Event()
        self.first_poll_at: float | None = None
        self.polls = 0
        self.init_error: Any = None
        self.init_error_at: float | None = None

    # -- lifecycle

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "RuntimeEmulator":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="lambda-runtime-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "RuntimeEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset_cold_start(self) -> None:
        """Forget the first poll (before spawning the next process on the same emulator)."""
        with self._lock:
            self._first_poll.clear()
            self.first_poll_at = None
            self.init_error = None
            self.init_error_at = None

    # -- cold start

    def wait_first_poll(self, timeout: float) -> float | None:
        """perf_counter() of the first GET /next since start/reset, or None after `timeout` s
        (or as soon as the function reports an init error)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self._first_poll.wait(timeout=0.05):
                return self.first_poll_at
            if self.init_error_at is not None:
                return None
        return None

    # -- invocations

    def submit(self, event: Any) -> Invocation:
        inv = Invocation(request_id=str(uuid.uuid4()), event=event, queued_at=time.perf_counter())
        with self._lock:
            self._invocations[inv.request_id] = inv
        self._pending.put(inv)
        return inv

    def wait(self, inv: Invocation, timeout: float, alive: Any = None) -> Invocation:
        """Waits for `inv` to complete. `alive` (optional callable) is polled: when it returns
        False (the process died) the wait fails at once instead of running into the timeout."""
        deadline = time.perf_counter() + timeout
        while not inv.done.wait(timeout=0.1):
            if self.init_error_at is not None:
                raise EmulatorError(f"the function failed to initialise: {self.init_error}")
            if alive is not None and not alive():
                raise EmulatorError("the function process exited before answering")
            if time.perf_counter() >= deadline:
                raise EmulatorError(f"no answer to invocation {inv.request_id} within {timeout:.0f}s")
        return inv

    def invoke(self, event: Any, timeout: float = 900, alive: Any = None) -> Invocation:
        return self.wait(self.submit(event), timeout, alive)

    def invoke_many(self, events: list[Any], timeout: float = 900, alive: Any = None) -> list[Invocation]:
        """Hands out the events one by one (each after the previous answer)."""
        return [self.invoke(e, timeout, alive) for e in events]

    # -- called by the handler threads

    def _next(self, handler: _Handler) -> None:
        now = time.perf_counter()
        with self._lock:
            self.polls += 1
            if self.first_poll_at is None:
                self.first_poll_at = now
                self._first_poll.set()
        inv = None
        while not self._stopping.is_set():  # long poll, woken every 100 ms to notice stop()
            try:
                inv = self._pending.get(timeout=0.1)
                break
            except queue.Empty:
                continue
        if inv is None:
            # Shutting down: drop the connection; the process is killed by its owner anyway.
            handler.close_connection = True
            return
        body = json.dumps(inv.event).encode()
        deadline_ms = int(time.time() * 1000) + self.timeout_s * 1000
        headers = {
            "Lambda-Runtime-Aws-Request-Id": inv.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
            "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
        }
        inv.handed_out_at = time.perf_counter()
        try:
            handler._reply(200, body, headers)
        except OSError:
            inv.handed_out_at = None
            self._pending.put(inv)  # the poller went away; hand it to the next one
            return

    def _complete(self, request_id: str, kind: str, raw: bytes, now: float, error_type: str | None) -> bool:
        with self._lock:
            inv = self._invocations.get(request_id)
        if inv is None:
            return False
        inv.completed_at = now
        inv.kind = kind
        inv.raw = raw
        inv.error_type = error_type
        try:
            inv.body = json.loads(raw) if raw else None
        except ValueError:
            inv.body = raw.decode("utf-8", "replace")
        inv.done.set()
        return True

    def _init_error(self, raw: bytes, now: float) -> None:
        try:
            self.init_error = json.loads(raw)
        except ValueError:
            self.init_error = raw.decode("utf-8", "replace")
        self.init_error_at = now


def _invoke_main(argv: list[str]) -> int:
    """`invoke`: one invocation of a function binary, as Lambda would run it. The binary gets this
    process's environment with the Lambda variables added (the caller's own values of
    AWS_REGION and the like win), its stdout and stderr go straight to ours, and the answer is
    written to --answer as {"kind": "response" | "error", "body": ...}. Exit 0 when the function
    answered (either kind), 1 when it did not (init error, exit, timeout)."""
    import argparse
    import subprocess

    ap = argparse.ArgumentParser(prog="lambda_runtime_emulator.py invoke")
    ap.add_argument("--function-name", default="compliance-sweep")
    ap.add_argument("--event", required=True, type=Path, help="the event JSON file")
    ap.add_argument("--answer", required=True, type=Path, help="where the answer JSON goes")
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for the answer")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- BINARY [ARGS]")
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("name the function binary after --")
    event = json.loads(args.event.read_text())
    region = os.environ.get("AWS_REGION", DEFAULT_REGION)
    with RuntimeEmulator(function_name=args.function_name, region=region) as rt:
        env = {**lambda_env(rt.address, function_name=args.function_name, region=region), **os.environ}
        env["AWS_LAMBDA_RUNTIME_API"] = rt.address
        proc = subprocess.Popen(command, env=env)
        try:
            inv = rt.invoke(event, timeout=args.timeout, alive=lambda: proc.poll() is None)
        except EmulatorError as e:
            print(f"lambda_runtime_emulator: {e}", file=sys.stderr)
            return 1
        finally:
            proc.kill()
            proc.wait(timeout=10)
        args.answer.write_text(json.dumps({"kind": inv.kind, "body": inv.body}))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["invoke"]:
        sys.exit(_invoke_main(sys.argv[2:]))
    # Manual use: serve until Ctrl-C and print the address for AWS_LAMBDA_RUNTIME_API.
    with RuntimeEmulator(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as rt:
        print(f"AWS_LAMBDA_RUNTIME_API={rt.address}", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
