"""What every part of the benchmark agrees on: paths, the Region and baseline services of the
fleet, the drift kinds, the reads of one vpce-guard sweep (GUARD_READS) and the environment every
child process starts from (safe_env)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPTS_DIR = ROOT / "scripts"  # holds this package and lambda_runtime_emulator

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
