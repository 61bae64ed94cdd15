#!/usr/bin/env python3
"""moto's own rendering time for each read a vpce-guard sweep needs (docs/performance.md).

    .venv/bin/python scripts/moto_floor.py [VPCS]      (default 300; run scripts/bench once first)

Seeds a (patched, like scripts/bench) moto server with VPCS VPCs shaped like the benchmark's,
makes them compliant by hand (guard security group + the five endpoints), then POSTs each Describe
serially as raw HTTP (no client parsing) and prints the best of 3 per action. moto answers one
request at a time, so the sum is a floor under any sweep that needs these reads.
"""
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
m = bench.Moto(Path(tempfile.gettempdir()) / "vpce-guard-moto-floor.log").start()
try:
    t0 = time.time()
    recs = bench.seed(m.url, n, 1)
    print(f"seeded {n} in {time.time()-t0:.0f}s", flush=True)
    ec2 = bench.ec2_client(m.url)
    def comply(rec):
        c = bench.ec2_client(m.url)
        sg = c.create_security_group(GroupName="vpce-guard-endpoints", Description="x", VpcId=rec["vpc_id"])["GroupId"]
        c.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"10.0.0.0/16"}]}])
        for svc in ("s3","dynamodb"):
            c.create_vpc_endpoint(VpcId=rec["vpc_id"], VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.us-east-1.{svc}", RouteTableIds=rec["private_rtbs"])
        for svc in ("ecr.api","ecr.dkr","logs"):
            c.create_vpc_endpoint(VpcId=rec["vpc_id"], VpcEndpointType="Interface", ServiceName=f"com.amazonaws.us-east-1.{svc}", SubnetIds=rec["private"], SecurityGroupIds=[sg], PrivateDnsEnabled=True)
    bench.parallel(comply, recs, 1, "comply")
    print(f"compliant after {time.time()-t0:.0f}s", flush=True)
    def call(body):
        req = urllib.request.Request(m.url + "/", data=body.encode(), method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "X-Amz-Date": "20261122T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261122/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            data = r.read()
        return time.perf_counter() - t, len(data)
    V = "&Version=2016-11-15"
    names = "".join(f"&ServiceName.{i+1}=com.amazonaws.us-east-1.{s}"
                    for i, s in enumerate(["dynamodb", "ecr.api", "ecr.dkr", "logs", "s3"]))
    actions = {
        "DescribeVpcs": "Action=DescribeVpcs",
        "DescribeSubnets": "Action=DescribeSubnets",
        "DescribeRouteTables": "Action=DescribeRouteTables",
        "DescribeVpcEndpoints": "Action=DescribeVpcEndpoints",
        "DescribeSecurityGroups(guard)": "Action=DescribeSecurityGroups&Filter.1.Name=group-name&Filter.1.Value.1=vpce-guard-endpoints",
        "DescribeVpcEndpointServices(baseline)": "Action=DescribeVpcEndpointServices" + names,
    }
    total = 0.0
    for name, body in actions.items():
        times = []
        for _ in range(3):
            dt, size = call(body + V)
            times.append(dt)
        total += min(times)
        print(f"{name:40s} {min(times):7.3f}s  {size/1e6:6.2f} MB", flush=True)
    print(f"{'sum (a floor under one sweep on moto)':40s} {total:7.3f}s", flush=True)
finally:
    m.stop()
