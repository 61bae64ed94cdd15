"""A model of the EC2 API for the benchmark's proxy (EC2Model): how long EC2 takes to answer, and
its request throttling. moto answers in microseconds and never throttles; EC2 answers in tens of
milliseconds and throttles every account per Region with token buckets.

Latency: an answer leaves the proxy `latency_ms + latency_ms_per_10kb * bytes / 10,000` after the
request arrived (defaults 50 ms + 1 ms per 10 KB; 0 disables either part), or as soon as moto
answered when moto took longer (counted as `answers_later_than_model`). Only the answer is
delayed, each on its own connection, so requests in flight together overlap as on AWS.

Throttling, as "Request throttling for the Amazon EC2 API" documents it
(https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html, table "Request token
bucket sizes and refill rates"): every API action has its own bucket per account and Region, of
its category's size; a request takes one token; refill tokens arrive every second up to the
maximum. The figures (bucket maximum capacity / refill rate per second):

  non-mutating (Describe*, Get*, List*, Search* not in another category)      100 / 20
  unfiltered and unpaginated non-mutating: DescribeInstances,                   50 / 10
    DescribeInstanceStatus, DescribeNetworkInterfaces, DescribeSecurityGroups,
    DescribeSnapshots, DescribeSpotInstanceRequests, DescribeVolumes, when sent
    with neither a filter nor pagination (a bucket apart from the action's other one)
  mutating (all others not listed below)                                       50 / 5
  resource-intensive (AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress, ...)  50 / 5
  uncategorized: own figures, e.g. CreateVpcEndpoint, ModifyVpcEndpoint,
    DeleteVpcEndpoints 4 / 0.3; CreateTags, DeleteTags 100 / 10 (UNCATEGORIZED below)

Console non-mutating actions (100 / 10) and the resource token buckets of RunInstances & co. do
not concern these tools. Refill is continuous here (rate x elapsed time, capped at the maximum),
which the fractional rates (0.3 per second) need. A request finding its bucket empty is answered
HTTP 503 RequestLimitExceeded without reaching moto, after the base latency, and takes no token.

Only requests signed for the `ec2` service are modelled (SigV4 credential scope); the account is
the access key id, the Region the scope's. Buckets start full; reset() fills them again.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

DOC_URL = "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"

DEFAULT_LATENCY_MS = 50.0
DEFAULT_LATENCY_MS_PER_10KB = 1.0

# (bucket maximum capacity, refill tokens per second) per category.
CATEGORY_BUCKETS: dict[str, tuple[float, float]] = {
    "non-mutating": (100.0, 20.0),
    "unfiltered-unpaginated": (50.0, 10.0),
    "mutating": (50.0, 5.0),
    "resource-intensive": (50.0, 5.0),
}
NON_MUTATING_PREFIXES = ("Describe", "Get", "List", "Search")
UNFILTERED_UNPAGINATED = frozenset({
    "DescribeInstances", "DescribeInstanceStatus", "DescribeNetworkInterfaces", "DescribeSecurityGroups",
    "DescribeSnapshots", "DescribeSpotInstanceRequests", "DescribeVolumes"})
RESOURCE_INTENSIVE = frozenset({
    "AcceptVpcPeeringConnection", "AuthorizeSecurityGroupIngress", "CancelSpotInstanceRequests", "CreateKeyPair",
    "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
    "RevokeSecurityGroupIngress", "RequestSpotInstances"})
# The doc's uncategorized actions of the VPC endpoint, network interface, security group and tag
# family (its other uncategorized actions, about instances, images, IPAM and the like, fall back
# to their category here; --ec2-bucket ACTION=CAPACITY/REFILL sets any action's figures).
UNCATEGORIZED: dict[str, tuple[float, float]] = {
    "AcceptVpcEndpointConnections": (10, 1), "CreateNetworkInterface": (100, 5), "CreateTags": (100, 10),
    "CreateVpcEndpoint": (4, 0.3), "CreateVpcEndpointServiceConfiguration": (10, 1),
    "DeleteNetworkInterface": (100, 5), "DeleteTags": (100, 10), "DeleteVpcEndpoints": (4, 0.3),
    "DeleteVpcEndpointServiceConfigurations": (10, 1), "DescribeSecurityGroupReferences": (20, 5),
    "DescribeStaleSecurityGroups": (20, 5), "ModifyNetworkInterfaceAttribute": (100, 5),
    "ModifyVpcEndpoint": (4, 0.3), "ModifyVpcEndpointServiceConfiguration": (10, 1),
    "RejectVpcEndpointConnections": (10, 1),
}

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


def parse_bucket(text: str) -> tuple[str, tuple[float, float]]:
    """`NAME=CAPACITY/REFILL` (an --ec2-bucket value): NAME a category of CATEGORY_BUCKETS or an
    action, CAPACITY >= 1 tokens, REFILL > 0 tokens per second."""
    name, sep, figures = text.partition("=")
    cap, sep2, rate = figures.partition("/")
    try:
        capacity, refill = float(cap), float(rate)
    except ValueError:
        capacity = refill = -1.0
    if not sep or not sep2 or not name or capacity < 1 or refill <= 0:
        raise ValueError(f"{text!r}: expected NAME=CAPACITY/REFILL, e.g. non-mutating=100/20 or "
                         "CreateVpcEndpoint=4/0.3 (capacity >= 1, refill > 0 per second)")
    return name, (capacity, refill)


@dataclass
class ModelSettings:
    latency_ms: float = DEFAULT_LATENCY_MS
    latency_ms_per_10kb: float = DEFAULT_LATENCY_MS_PER_10KB
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # overrides by category or action

    def describe(self) -> dict[str, Any]:
        return {"latency_ms": self.latency_ms, "latency_ms_per_10kb": self.latency_ms_per_10kb,
                "categories": {**CATEGORY_BUCKETS, **{k: v for k, v in self.buckets.items()
                                                      if k in CATEGORY_BUCKETS}},
                "actions": {**UNCATEGORIZED, **{k: v for k, v in self.buckets.items()
                                                if k not in CATEGORY_BUCKETS}},
                "source": DOC_URL}


def is_filtered_or_paginated(params: list[tuple[str, str]]) -> bool:
    return any(k.startswith("Filter.") or k in ("MaxResults", "NextToken") for k, _ in params)


class EC2Model:
    """Token buckets and answer latency of EC2 (see the module docstring). Thread-safe."""

    def __init__(self, settings: ModelSettings, clock: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple, tuple[float, float]] = {}  # key -> (tokens, at)
        self._throttled: Counter[str] = Counter()
        self._requests = 0
        self._late = 0

    @staticmethod
    def scope(headers: Any) -> tuple[str, str] | None:
        """(account, Region) of a request signed for EC2, else None (not modelled)."""
        m = _SCOPE.search(headers.get("Authorization") or "")
        return (m.group(1), m.group(2)) if m and m.group(3) == "ec2" else None

    def bucket_of(self, action: str, params: list[tuple[str, str]]) -> tuple[str, float, float]:
        """(bucket name, capacity, refill per second) of one request."""
        over = self.settings.buckets
        if action in over:
            return (action, *over[action])
        if action in UNCATEGORIZED:
            return (action, *UNCATEGORIZED[action])
        if action in RESOURCE_INTENSIVE:
            category = "resource-intensive"
        elif action.startswith(NON_MUTATING_PREFIXES):
            unfiltered = action in UNFILTERED_UNPAGINATED and not is_filtered_or_paginated(params)
            category = "unfiltered-unpaginated" if unfiltered else "non-mutating"
        else:
            category = "mutating"
        capacity, refill = over.get(category, CATEGORY_BUCKETS[category])
        name = f"{action} (unfiltered)" if category == "unfiltered-unpaginated" else action
        return name, capacity, refill

    def admit(self, action: str, scope: tuple[str, str], body: bytes, path: str) -> bool:
        """Takes a token from the request's bucket; False (throttled) when it is empty."""
        params: list[tuple[str, str]] = []
        if action in UNFILTERED_UNPAGINATED:  # the only ones whose bucket depends on parameters
            params = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            params += urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True)
        name, capacity, refill = self.bucket_of(action, params)
        key = (*scope, name)
        now = self._clock()
        with self._lock:
            self._requests += 1
            tokens, at = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * refill)
            ok = tokens >= 1
            self._buckets[key] = (tokens - 1 if ok else tokens, now)
            if not ok:
                self._throttled[action] += 1
            return ok

    def delay_s(self, nbytes: int) -> float:
        s = self.settings
        return max(0.0, s.latency_ms + s.latency_ms_per_10kb * nbytes / 10_000) / 1000

    def hold(self, received: float, nbytes: int) -> None:
        """Sleeps until the modelled answer time of a request that arrived at `received`
        (a clock() value); counts the answers moto could not give that early."""
        delay = self.delay_s(nbytes)
        if delay <= 0:
            return
        wait = received + delay - self._clock()
        if wait > 0:
            time.sleep(wait)
        else:
            with self._lock:
                self._late += 1

    @staticmethod
    def throttled_answer() -> tuple[int, list[tuple[str, str]], bytes]:
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded"
                "</Code><Message>Request limit exceeded.</Message></Error></Errors>"
                f"<RequestID>{uuid.uuid4()}</RequestID></Response>").encode()
        return 503, [("Content-Type", "text/xml;charset=UTF-8")], body

    def reset(self) -> None:
        """Full buckets (an account-Region that has been quiet), counters at zero."""
        with self._lock:
            self._buckets.clear()
            self._throttled.clear()
            self._requests = 0
            self._late = 0

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"ec2_requests": self._requests, "throttled": sum(self._throttled.values()),
                    "throttled_by_action": dict(sorted(self._throttled.items())),
                    "answers_later_than_model": self._late}
