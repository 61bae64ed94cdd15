#!/usr/bin/env python3
"""Helper for scripts/demo: drives the local moto server with boto3.

Every subcommand talks to the endpoint in AWS_ENDPOINT_URL (the demo points it at moto) and
keeps what it created in a small JSON state file (--state, default .demo/state.json), so later
steps can find the topic, the queue and the VPC ids.

Subcommands:
  free-port                 print a free TCP port on 127.0.0.1
  wait-http URL             wait until URL answers (any HTTP status)
  wait-port PORT            wait until something listens on 127.0.0.1:PORT
  setup                     SNS topic + SQS queue subscribed to it (raw message delivery)
  seed                      a drifted VPC and an exempt VPC (and no default VPC)
  add-subnet                a private subnet in a third AZ of the drifted VPC
  rewrite-event SRC DST     copy a sample event, replacing placeholder ids with the real ones
  summary FILE              pretty-print a function's JSON response (and check it)
  notices                   drain the queue and pretty-print the notices (and check them)
  endpoints [--member]      show the drifted VPC's (or the vended account's VPC's) endpoints
  vend-account              an AWS Organization, a new member account with a bare VPC in it
  log FILE OFFSET           the function's log lines of one invocation, condensed

Checks (--expect ...) make the demo fail loudly when the functions do not behave as expected.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REGION = "us-east-1"
TOPIC_NAME = "vpce-guard-notices"
QUEUE_NAME = "vpce-guard-notices-inbox"
EXEMPT_TAG_KEY = "vpce-guard:exempt"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "docs" / "notice.schema.json"

MEMBER_ROLE = "vpce-guard-member"
# The member account the account-vending samples name.
PLACEHOLDER_ACCOUNT = "210987654321"
# Placeholders of events/README.md ("Placeholder IDs").
PLACEHOLDER_VPC = "vpc-0a1b2c3d4e5f67890"
PLACEHOLDER_SUBNET = "subnet-0a1b2c3d4e5f67890"

BOLD = "\033[1m" if sys.stdout.isatty() else ""
DIM = "\033[2m" if sys.stdout.isatty() else ""
RESET = "\033[0m" if sys.stdout.isatty() else ""


class DemoError(Exception):
    """A check failed or the emulator answered unexpectedly."""


# --------------------------------------------------------------------------- helpers


def client(service: str):
    import boto3  # imported late: free-port and wait-* run before the venv is complete

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise DemoError("AWS_ENDPOINT_URL is not set; refusing to talk to real AWS")
    return boto3.client(service, region_name=os.environ.get("AWS_REGION", REGION), endpoint_url=endpoint)


def member_client(service: str, account: str):
    """A client acting in `account` through the member role (moto switches account on AssumeRole)."""
    import boto3

    creds = client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{MEMBER_ROLE}", RoleSessionName="vpce-guard-demo"
    )["Credentials"]
    return boto3.client(
        service,
        region_name=os.environ.get("AWS_REGION", REGION),
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def load_state(path: Path) -> dict:
    if not path.exists():
        raise DemoError(f"{path} does not exist; run `setup` and `seed` first")
    return json.loads(path.read_text())


def save_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2) + "\n")


def tags(resource_type: str, pairs: dict[str, str]) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in pairs.items()]}]


def say(text: str) -> None:
    print(f"  {text}")


# --------------------------------------------------------------------------- waiting


def cmd_free_port(_args) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def cmd_wait_http(args) -> None:
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(args.url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, which is all we need
        except (urllib.error.URLError, OSError) as e:
            last = e
        time.sleep(0.25)
    raise DemoError(f"{args.url} did not answer within {args.timeout}s ({last})")


def cmd_wait_port(args) -> None:
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", args.port)) == 0:
                return
        time.sleep(0.25)
    raise DemoError(f"nothing listens on 127.0.0.1:{args.port} after {args.timeout}s")


# --------------------------------------------------------------------------- setup and seed


def cmd_setup(args) -> None:
    sns, sqs = client("sns"), client("sqs")
    topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )
    state = {"topic_arn": topic_arn, "queue_url": queue_url}
    save_state(args.state, state)
    say(f"SNS topic   {topic_arn}")
    say(f"SQS queue   {queue_url}  (subscribed, RawMessageDelivery=true)")
    if args.print_topic_arn:
        # Last line, for the shell to capture.
        print(topic_arn)


def delete_default_vpcs(ec2) -> list[str]:
    """moto starts with a default VPC per Region; remove it so the account holds only the demo VPCs."""
    removed = []
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        vpc_id = vpc["VpcId"]
        for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        for igw in ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
        )["InternetGateways"]:
            ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
            ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
        ec2.delete_vpc(VpcId=vpc_id)
        removed.append(vpc_id)
    return removed


def subnet(ec2, vpc_id: str, cidr: str, az: str, name: str) -> str:
    return ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock=cidr,
        AvailabilityZone=az,
        TagSpecifications=tags("subnet", {"Name": name}),
    )["Subnet"]["SubnetId"]


def route_table(ec2, vpc_id: str, name: str, subnet_ids: list[str]) -> str:
    rtb = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=tags("route-table", {"Name": name}))[
        "RouteTable"
    ]["RouteTableId"]
    for sid in subnet_ids:
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=sid)
    return rtb


def cmd_seed(args) -> None:
    state = load_state(args.state)
    ec2 = client("ec2")
    for vpc_id in delete_default_vpcs(ec2):
        say(f"removed moto's default VPC {vpc_id}, so the account holds only the demo VPCs")

    # The drifted VPC: two AZs, a public and a private subnet in each.
    vpc_id = ec2.create_vpc(
        CidrBlock="10.0.0.0/16", TagSpecifications=tags("vpc", {"Name": "payments-prod"})
    )["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)

    public_a = subnet(ec2, vpc_id, "10.0.0.0/24", "us-east-1a", "payments-prod-public-a")
    public_b = subnet(ec2, vpc_id, "10.0.1.0/24", "us-east-1b", "payments-prod-public-b")
    private_a = subnet(ec2, vpc_id, "10.0.10.0/24", "us-east-1a", "payments-prod-private-a")
    private_b = subnet(ec2, vpc_id, "10.0.11.0/24", "us-east-1b", "payments-prod-private-b")

    public_rtb = route_table(ec2, vpc_id, "payments-prod-public", [public_a, public_b])
    ec2.create_route(RouteTableId=public_rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private_rtb_a = route_table(ec2, vpc_id, "payments-prod-private-a", [private_a])
    private_rtb_b = route_table(ec2, vpc_id, "payments-prod-private-b", [private_b])

    # Somebody created the S3 gateway by hand and forgot the second private route table.
    s3 = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        VpcEndpointType="Gateway",
        ServiceName=f"com.amazonaws.{REGION}.s3",
        RouteTableIds=[private_rtb_a],
    )["VpcEndpoint"]["VpcEndpointId"]
    main_rtb = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]

    # The exempt VPC: a private subnet and no endpoints at all, but tagged so the guard skips it.
    exempt_vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16",
        TagSpecifications=tags("vpc", {"Name": "sandbox", EXEMPT_TAG_KEY: "true"}),
    )["Vpc"]["VpcId"]
    exempt_subnet = subnet(ec2, exempt_vpc, "10.1.10.0/24", "us-east-1a", "sandbox-private-a")

    state.update(
        {
            "vpc_id": vpc_id,
            "igw_id": igw,
            "public_subnets": [public_a, public_b],
            "private_subnets": [private_a, private_b],
            "public_route_table": public_rtb,
            "private_route_tables": [private_rtb_a, private_rtb_b],
            "main_route_table": main_rtb,
            "s3_endpoint": s3,
            "exempt_vpc_id": exempt_vpc,
            "exempt_subnet": exempt_subnet,
        }
    )
    save_state(args.state, state)
    say(f"{BOLD}drifted VPC {vpc_id}{RESET} (payments-prod, 10.0.0.0/16)")
    say(f"  us-east-1a  public {public_a}   private {private_a} -> {private_rtb_a}")
    say(f"  us-east-1b  public {public_b}   private {private_b} -> {private_rtb_b}")
    say(f"  public route table {public_rtb}: 0.0.0.0/0 -> {igw}")
    say(f"  main route table {main_rtb} (no default route: private, no subnets yet)")
    say(f"  S3 gateway {s3} on {private_rtb_a} only; no DynamoDB, ECR or Logs endpoints")
    say(f"{BOLD}exempt VPC {exempt_vpc}{RESET} (sandbox, 10.1.0.0/16, tag {EXEMPT_TAG_KEY}=true)")
    say(f"  private subnet {exempt_subnet}, no endpoints at all")


def cmd_add_subnet(args) -> None:
    state = load_state(args.state)
    ec2 = client("ec2")
    new = subnet(ec2, state["vpc_id"], "10.0.12.0/24", "us-east-1c", "payments-prod-private-c")
    state["new_subnet"] = new
    save_state(args.state, state)
    say(
        f"created private subnet {new} (10.0.12.0/24, us-east-1c) in {state['vpc_id']}; "
        f"it uses the main route table {state['main_route_table']}"
    )


def cmd_vend_account(args) -> None:
    state = load_state(args.state)
    org = client("organizations")
    try:
        org.create_organization(FeatureSet="ALL")
    except org.exceptions.AlreadyInOrganizationException:
        pass
    status = org.create_account(Email="payments-prod@example.com", AccountName="payments-prod")
    account = status["CreateAccountStatus"]["AccountId"]
    say(f"AWS Organizations created account {account} (payments-prod)")
    ec2 = member_client("ec2", account)
    for vpc_id in delete_default_vpcs(ec2):
        say(f"removed moto's default VPC {vpc_id} of the new account")
    vpc_id = ec2.create_vpc(
        CidrBlock="10.50.0.0/16", TagSpecifications=tags("vpc", {"Name": "payments-prod-landing"})
    )["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    private_a = subnet(ec2, vpc_id, "10.50.10.0/24", "us-east-1a", "landing-private-a")
    private_b = subnet(ec2, vpc_id, "10.50.11.0/24", "us-east-1b", "landing-private-b")
    route_table(ec2, vpc_id, "landing-private", [private_a, private_b])
    say(f"account {account}: VPC {vpc_id} with private subnets in us-east-1a and us-east-1b, no endpoints")
    state.update(member_account=account, member_vpc=vpc_id)
    save_state(args.state, state)


def cmd_rewrite_event(args) -> None:
    state = load_state(args.state)
    text = Path(args.src).read_text()
    candidates = {PLACEHOLDER_VPC: state.get("vpc_id"), PLACEHOLDER_SUBNET: state.get("new_subnet"),
                  PLACEHOLDER_ACCOUNT: state.get("member_account")}
    replacements = {old: new for old, new in candidates.items() if new and old in text}
    if not replacements:
        raise DemoError(f"{args.src} holds no placeholder the demo has a real id for")
    for old, new in replacements.items():
        text = text.replace(old, new)
    # Keep the sample self-consistent with the subnet that really exists.
    text = text.replace('"us-east-1a"', '"us-east-1c"').replace('"10.0.1.0/24"', '"10.0.12.0/24"')
    text = text.replace("payments-prod-private-a", "payments-prod-private-c")
    json.loads(text)  # still valid JSON
    Path(args.dst).write_text(text)
    src, dst = (os.path.relpath(p, ROOT) for p in (args.src, args.dst))
    say(f"{src} -> {dst}: {', '.join(f'{o} -> {n}' for o, n in replacements.items())}")


# --------------------------------------------------------------------------- output


def parse_expectations(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise DemoError(f"--expect takes KEY=VALUE, got {pair!r}")
        out[key] = value
    return out


def cmd_summary(args) -> None:
    raw = Path(args.file).read_text().strip()
    try:
        summary = json.loads(raw)
    except json.JSONDecodeError:
        raise DemoError(f"the function did not return JSON:\n{raw}") from None
    if isinstance(summary, dict) and summary.get("ignored"):
        raise DemoError(f"the function ignored the event: {summary.get('reason')}")
    print(json.dumps(summary, indent=2))
    counters = summary
    if isinstance(summary, dict) and isinstance(summary.get("regions"), list):
        # compliance-sweep answers per region; the demo guards one.
        regions = summary["regions"]
        if len(regions) != 1 or regions[0].get("status") != "succeeded":
            raise DemoError(f"expected one succeeded region, got {regions}")
        counters = regions[0].get("summary") or {}
    problems = []
    for key, want in parse_expectations(args.expect).items():
        got = counters.get(key)
        if str(got) != want:
            problems.append(f"{key} = {got!r}, expected {want}")
    if problems:
        raise DemoError("unexpected summary: " + "; ".join(problems))


def load_validator():
    try:
        import jsonschema
    except ImportError:
        return None
    if not SCHEMA_PATH.exists():
        return None
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


def drain(sqs, queue_url: str) -> list[dict]:
    messages = []
    empty_polls = 0
    while empty_polls < 2:
        resp = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        )
        batch = resp.get("Messages", [])
        if not batch:
            empty_polls += 1
            continue
        empty_polls = 0
        for m in batch:
            messages.append(m)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return messages


def cmd_notices(args) -> None:
    state = load_state(args.state)
    sqs = client("sqs")
    messages = drain(sqs, state["queue_url"])
    validator = load_validator()
    notices = []
    problems = []
    for m in messages:
        try:
            notice = json.loads(m["Body"])
        except json.JSONDecodeError:
            problems.append(f"a message is not JSON: {m['Body'][:200]!r}")
            continue
        if validator is not None:
            for err in validator.iter_errors(notice):
                where = "/".join(str(p) for p in err.absolute_path) or "(root)"
                problems.append(f"notice does not match docs/notice.schema.json at {where}: {err.message}")
        notices.append(notice)
    # VPC notices first (by VPC), the sweep summary last.
    notices.sort(key=lambda n: (n.get("event_type") == "sweep_summary", n.get("vpc_id") or ""))

    checked = " (each validated against docs/notice.schema.json)" if validator and notices else ""
    print(f"{len(notices)} notice(s) received on the queue{checked}")
    for n in notices:
        vpc = n.get("vpc_id") or "-"
        label = {state.get("vpc_id"): "drifted VPC", state.get("exempt_vpc_id"): "exempt VPC"}.get(vpc, "")
        print()
        print(f"  {BOLD}{n.get('event_type')}{RESET}  vpc_id={vpc}{f' ({label})' if label else ''}  "
              f"trigger={n.get('trigger')}  mode={n.get('mode')}")
        print(f"  {DIM}{n.get('summary')}{RESET}")
        for f in n.get("findings", []):
            service = f.get("service") or "(VPC-wide)"
            print(f"    - {f.get('drift'):<28} {service:<34} {f.get('outcome')}")
            print(f"      {DIM}{f.get('action')}{RESET}")
            if f.get("error"):
                print(f"      error: {f['error']}")
        if n.get("totals"):
            t = n["totals"]
            print(
                f"    totals: checked={t['vpcs_checked']} compliant={t['vpcs_compliant']} "
                f"drifted={t['vpcs_drifted']} exempt={t['vpcs_exempt']} "
                f"applied={t['actions_applied']} failed={t['actions_failed']} "
                f"notices={t['notices_published']}"
            )
    if args.raw and notices:
        print()
        print(f"  {DIM}the first notice exactly as the queue received it (the SNS message body):{RESET}")
        print(json.dumps(notices[0], indent=2))

    if args.expect is not None:
        got = sorted(n.get("event_type") for n in notices)
        want = sorted(args.expect)
        if got != want:
            problems.append(f"expected notices {want}, got {got}")
    if args.expect_drift:
        drifts = {f.get("drift") for n in notices for f in n.get("findings", [])}
        missing = set(args.expect_drift) - drifts
        if missing:
            problems.append(f"expected drift {sorted(missing)} in the notices, got {sorted(drifts)}")
    exempt = state.get("exempt_vpc_id")
    if any(n.get("vpc_id") == exempt for n in notices):
        problems.append(f"the exempt VPC {exempt} got a notice")
    if problems:
        raise DemoError("\n  ".join(["unexpected notices:"] + problems))


def cmd_endpoints(args) -> None:
    state = load_state(args.state)
    if args.member:
        ec2 = member_client("ec2", state["member_account"])
        vpc_id = state["member_vpc"]
    else:
        ec2 = client("ec2")
        vpc_id = state["vpc_id"]
    subnet_az = {
        s["SubnetId"]: s["AvailabilityZone"]
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    }
    eps = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    print(f"endpoints in {vpc_id}:")
    for e in sorted(eps, key=lambda e: e["ServiceName"]):
        name = e["ServiceName"].rsplit(f"{REGION}.", 1)[-1]
        managed = any(t["Key"] == "vpce-guard:managed" for t in e.get("Tags", []))
        if e["VpcEndpointType"] == "Gateway":
            where = "route tables " + ",".join(sorted(e.get("RouteTableIds", [])))
        else:
            where = "AZs " + ",".join(sorted(subnet_az.get(s, s) for s in e.get("SubnetIds", [])))
        owner = "vpce-guard" if managed else "pre-existing"
        print(f"  {name:<9} {e['VpcEndpointType']:<9} {e['VpcEndpointId']:<24} {owner:<12} {where}")


LOG_NOISE = (
    "spawning function instance",
    "starting lambda function instance",
    "AWS_LAMBDA_MAX_CONCURRENCY",
)


def cmd_log(args) -> None:
    """Prints what the function logged since OFFSET: its own lines without the runtime's span
    prefix, and a count of the per-finding lines (the notices below show them in full)."""
    import re

    with open(args.file, "rb") as f:
        f.seek(args.offset)
        text = f.read().decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # colours, if any
    findings = 0
    for line in text.splitlines():
        if any(n in line for n in LOG_NOISE):
            continue
        m = re.match(r"^\s*\S*\s*(INFO|WARN|ERROR)\s+(.*)$", line)
        if m:
            level, message = m.groups()
        elif re.match(r"^(Error: |thread '.*' panicked)", line):
            level, message = "ERROR", line  # the function's own fatal error on stderr
        else:
            continue
        message = re.sub(r"^Lambda runtime invoke\{[^}]*\}: ", "", message)
        if message.startswith("finding ") and level == "INFO":
            findings += 1
            continue
        if len(message) > 200:
            message = message[:197] + "..."
        print(f"    {level:<5} {message}")
    if findings:
        print(f"    INFO  ... and {findings} `finding` line(s), one per finding "
              f"(full log: {os.path.relpath(args.file, ROOT)})")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, default=ROOT / ".demo" / "state.json")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("free-port").set_defaults(func=cmd_free_port)
    p = sub.add_parser("wait-http")
    p.add_argument("url")
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=cmd_wait_http)
    p = sub.add_parser("wait-port")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(func=cmd_wait_port)
    p = sub.add_parser("setup")
    p.add_argument("--print-topic-arn", action="store_true")
    p.set_defaults(func=cmd_setup)
    sub.add_parser("seed").set_defaults(func=cmd_seed)
    sub.add_parser("add-subnet").set_defaults(func=cmd_add_subnet)
    p = sub.add_parser("rewrite-event")
    p.add_argument("src")
    p.add_argument("dst")
    p.set_defaults(func=cmd_rewrite_event)
    p = sub.add_parser("summary")
    p.add_argument("file")
    p.add_argument("--expect", action="append", metavar="KEY=VALUE")
    p.set_defaults(func=cmd_summary)
    p = sub.add_parser("notices")
    p.add_argument("--expect", nargs="*", metavar="EVENT_TYPE",
                   help="exactly these notice event types (repeat a type for several VPCs)")
    p.add_argument("--expect-drift", nargs="*", metavar="DRIFT")
    p.add_argument("--raw", action="store_true", help="also print the first notice as JSON")
    p.set_defaults(func=cmd_notices)
    p = sub.add_parser("endpoints")
    p.add_argument("--member", action="store_true", help="the vended account's VPC")
    p.set_defaults(func=cmd_endpoints)
    sub.add_parser("vend-account").set_defaults(func=cmd_vend_account)
    p = sub.add_parser("log")
    p.add_argument("file")
    p.add_argument("offset", type=int)
    p.set_defaults(func=cmd_log)

    args = parser.parse_args()
    try:
        args.func(args)
    except DemoError as e:
        print(f"\nERROR: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # botocore errors: say which call failed, without a traceback
        module = type(e).__module__ or ""
        if not module.startswith(("botocore", "boto3", "urllib3")):
            raise
        print(f"\nERROR: AWS call to {os.environ.get('AWS_ENDPOINT_URL')} failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
