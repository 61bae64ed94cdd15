"""The counting reverse proxy between the tools and moto (CountingProxy): requests counted per AWS
action, optionally a read cache, optionally the EC2 model (latency and throttling, ec2_model.py),
and each run's phases; is_read / is_write classify actions."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .ec2_model import EC2Model
from .settings import GUARD_READS


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
    Every request a client sends is counted, cached or not.

    With `model` set (an EC2Model), requests signed for EC2 go through it first: a request whose
    token bucket is empty is answered 503 RequestLimitExceeded (counted, never forwarded), and
    every EC2 answer, throttled or not, is held back until its modelled answer time. reset()
    also resets the model (full buckets: each measured run starts as after a quiet time)."""

    HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
           "upgrade", "expect", "content-length", "proxy-authorization", "proxy-authenticate"}
    VOLATILE = {"X-Amz-Date", "Authorization", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"}

    def __init__(self, upstream_port: int, cache_reads: bool = False, model: EC2Model | None = None) -> None:
        self.upstream_port = upstream_port
        self.cache_reads = cache_reads
        self.model = model
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
                model = proxy.model
                scope = model.scope(self.headers) if model else None
                if model and scope and not model.admit(action, scope, body, self.path):
                    status, headers, data = model.throttled_answer()
                elif proxy.cache_reads and is_read(action):
                    status, headers, data = proxy._cached(action, self.path, body,
                                                          lambda: self._upstream(action, body))
                else:
                    if is_write(action):
                        proxy.clear_cache()
                    status, headers, data = self._upstream(action, body)
                    if is_write(action):
                        proxy.clear_cache()
                if model and scope:
                    model.hold(received, len(data))
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
        if self.model:
            self.model.reset()
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
