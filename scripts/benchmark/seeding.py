"""The fleet in moto: N VPCs seeded straight against moto (2 AZs, a public and a private subnet
per AZ), the SNS topic, and the drift put into every DRIFT_EVERY-th VPC."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from typing import Any, Callable

from .console import BenchError, log
from .settings import DRIFT_EVERY, REGION, TOPIC_NAME


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
