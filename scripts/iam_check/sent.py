"""Part 2 of check_iam.py, what the code sends: SENT, the table of the IAM actions the Rust code
sends (by which roles, on which resource types, in which parameter sets), the roles' places in
the templates (ROLES), and the scan of the code's SDK calls that SENT must equal."""
import collections
import pathlib
import re

from .cfn import TemplateError
from .policies import iam_service, privilege_of

# The repository root (this file is scripts/iam_check/sent.py).
ROOT = pathlib.Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# The actions the code sends
# ---------------------------------------------------------------------------------------------
# The SDK crate of a file (aws_sdk_<crate>) -> the service's IAM prefix.
SDK_PREFIX = {
    "ec2": "ec2", "sns": "sns", "sqs": "sqs", "sts": "sts", "dynamodb": "dynamodb",
    "organizations": "organizations", "cloudwatch": "cloudwatch", "route53": "route53",
    "securityhub": "securityhub", "servicequotas": "servicequotas", "cloudtrail": "cloudtrail",
    "s3": "s3", "costexplorer": "ce",
}

# Operations that IAM authorizes as another action (no privilege of their own name):
# - SNS PublishBatch: "sns:Publish grants permission to both publish and publish batch"
#   (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html);
# - SQS batch actions: "setting permissions for SendMessage, DeleteMessage, or
#   ChangeMessageVisibility sets permissions for the corresponding batch versions"
#   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html).
AUTHORIZED_AS = {
    "sns:publish_batch": "sns:Publish",
    "sqs:send_message_batch": "sqs:SendMessage",
    "sqs:delete_message_batch": "sqs:DeleteMessage",
    "sqs:change_message_visibility_batch": "sqs:ChangeMessageVisibility",
}
# DynamoDB TransactWriteItems is authorized per item: "Permissions for Put, Update, Delete, and
# Get actions are governed by the permissions used for the underlying PutItem, UpdateItem,
# DeleteItem, and GetItem operations. For the ConditionCheck action, you can use the
# dynamodb:ConditionCheckItem permission"
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
# The kinds are read from the file's TransactWriteItem::builder().<kind>(...) calls.
TRANSACT_ITEM_ACTIONS = {
    "put": "dynamodb:PutItem",
    "update": "dynamodb:UpdateItem",
    "delete": "dynamodb:DeleteItem",
    "condition_check": "dynamodb:ConditionCheckItem",
}
# Sent by the code, but no policy can allow or deny them.
NO_PERMISSION_NEEDED = {
    "sts:GetCallerIdentity": (
        "no permissions are required, and an explicit Deny cannot block it "
        "(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)"
    ),
}

# Who sends what: IAM action -> the roles that send it, the resource types it touches
# (parliament's names, "*" for an action without resource-level permissions) and the parameter
# sets it is checked in (the default set only for what the default deployment sends).
Sent = collections.namedtuple("Sent", "roles resources sets")
FUNCTIONS = (
    "NetworkEventsFunction", "ComplianceSweepFunction", "SweepWorkerFunction",
    "AccountBaselineFunction",
)
# A guard run acts in its target account: with the function's own role at home, through the
# member role elsewhere (crates/lambda/src/session.rs sdk_for; clients.rs: EC2, CloudWatch,
# Route 53 and Security Hub use the target, SNS the home account).
GUARD = FUNCTIONS + ("MemberRole",)
# The functions that assume the member role (Session::guard of another account): compliance-sweep
# only ever sweeps its own account or fans out.
ASSUMERS = ("NetworkEventsFunction", "SweepWorkerFunction", "AccountBaselineFunction")
# The organization sweep's coordinator (fan_out.rs, org_summary.rs) and worker
# (sweep_worker.rs, org_summary.rs) write the ledger.
LEDGER = ("ComplianceSweepFunction", "SweepWorkerFunction")
# The daily checks (service guard/event_path.rs, wired by session.rs guard_with_checks on the
# day's first scheduled run and for a new account): compliance-sweep at home, sweep-worker and
# account-baseline at home or through the member role; not network-events.
DAILY_CHECKS = (
    "ComplianceSweepFunction", "SweepWorkerFunction", "AccountBaselineFunction", "MemberRole",
)
BOTH, ON, DEFAULT = ("default", "on"), ("on",), ("default",)
SENT = {
    # ec2/observe.rs (the sweep's reads), resolve.rs (an event's resources), release.rs,
    # nat_gateways.rs: no resource-level permissions.
    "ec2:DescribeVpcs": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeSubnets": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeRouteTables": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeVpcEndpoints": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeSecurityGroups": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeVpcEndpointServices": Sent(GUARD, ("*",), BOTH),
    "ec2:DescribeNatGateways": Sent(GUARD, ("*",), BOTH),
    # ec2/apply.rs: Gateway endpoints name route tables, Interface endpoints subnets and the
    # guard's security group; the new endpoint is tagged in the call.
    "ec2:CreateVpcEndpoint": Sent(
        GUARD, ("vpc", "vpc-endpoint", "subnet", "route-table", "security-group"), BOTH
    ),
    # ec2/apply.rs modify_endpoint: add/remove route tables, subnets, security groups.
    "ec2:ModifyVpcEndpoint": Sent(
        GUARD, ("vpc-endpoint", "route-table", "subnet", "security-group"), BOTH
    ),
    # ec2/apply.rs delete_endpoints: duplicates, teardown and (PRUNE_UNUSED) idle endpoints.
    "ec2:DeleteVpcEndpoints": Sent(GUARD, ("vpc-endpoint",), BOTH),
    # ec2/observe.rs and apply.rs: enableDnsSupport, enableDnsHostnames of one VPC (read, set).
    "ec2:DescribeVpcAttribute": Sent(GUARD, ("vpc",), BOTH),
    "ec2:ModifyVpcAttribute": Sent(GUARD, ("vpc",), BOTH),
    # ec2/security_group.rs: the guard's group, created (tagged) in a VPC, its HTTPS rules,
    # deleted at teardown.
    "ec2:CreateSecurityGroup": Sent(GUARD, ("vpc", "security-group"), BOTH),
    "ec2:AuthorizeSecurityGroupIngress": Sent(GUARD, ("security-group",), BOTH),
    "ec2:RevokeSecurityGroupIngress": Sent(GUARD, ("security-group",), BOTH),
    "ec2:DeleteSecurityGroup": Sent(GUARD, ("security-group",), BOTH),
    # Tags: the endpoint's and group's at create (TagSpecifications), the outbox tag on a VPC
    # (ec2/outbox.rs), the release tag on a VPC or subnet (ec2/release.rs), the prune hold on a
    # VPC (ec2/apply.rs tag_vpc, PRUNE_UNUSED).
    "ec2:CreateTags": Sent(GUARD, ("vpc-endpoint", "security-group", "vpc", "subnet"), BOTH),
    # ec2/outbox.rs: the outbox tag removed from VPCs.
    "ec2:DeleteTags": Sent(GUARD, ("vpc",), BOTH),
    # cloudwatch_metrics.rs: NAT gateway bytes (baseline nat_traffic.cloudwatch, usage check)
    # and interface endpoints' BytesProcessed (usage check).
    "cloudwatch:GetMetricData": Sent(GUARD, ("*",), BOTH),
    # cloudtrail.rs: the event path's daily check (DescribeTrails, then each trail's status
    # and selectors in its home Region; an organization trail is the management account's).
    "cloudtrail:DescribeTrails": Sent(DAILY_CHECKS, ("*",), BOTH),
    "cloudtrail:GetTrailStatus": Sent(DAILY_CHECKS, ("trail",), BOTH),
    "cloudtrail:GetEventSelectors": Sent(DAILY_CHECKS, ("trail",), BOTH),
    # route53.rs: CentralEndpoints=detect.
    "route53:ListHostedZonesByVPC": Sent(GUARD, ("*",), ON),
    # security_hub.rs: SecurityHubFindings=true, in the target account's default product.
    "securityhub:BatchImportFindings": Sent(GUARD, ("product",), ON),
    "securityhub:GetFindings": Sent(GUARD, ("hub",), ON),
    # sns.rs publish_batch, always to the home account's NoticeTopic (context.rs notices).
    "sns:Publish": Sent(FUNCTIONS, ("topic",), BOTH),
    # sts.rs assume_role, from session.rs member_credentials.
    "sts:AssumeRole": Sent(ASSUMERS, ("role",), ON),
    # organizations.rs, home account: the org id for ${org_id} when ORG_ID is unset
    # (context.rs, every function), the OUs above an account for AccountProfiles (session.rs).
    "organizations:DescribeOrganization": Sent(FUNCTIONS, ("*",), DEFAULT),
    "organizations:ListParents": Sent(FUNCTIONS, ("account", "organizationalunit"), ON),
    # organizations.rs accounts, from fan_out.rs sweep_accounts (GUARD_ACCOUNTS empty).
    "organizations:ListAccounts": Sent(("ComplianceSweepFunction",), ("*",), ON),
    "organizations:ListAccountsForParent": Sent(
        ("ComplianceSweepFunction",), ("organizationalunit", "root"), ON
    ),
    "organizations:ListOrganizationalUnitsForParent": Sent(
        ("ComplianceSweepFunction",), ("organizationalunit", "root"), ON
    ),
    # ledger/: the compliance sweep's lease in every deployment (lease.rs: a conditional put
    # and delete); with the organization sweep, start (a transaction of puts), record (put +
    # update), claim/release (update), get/progress (get), items/late/open sweeps (query),
    # close (delete).
    "dynamodb:PutItem": Sent(LEDGER, ("table",), BOTH),
    "dynamodb:DeleteItem": Sent(LEDGER, ("table",), BOTH),
    "dynamodb:UpdateItem": Sent(LEDGER, ("table",), ON),
    "dynamodb:GetItem": Sent(LEDGER, ("table",), ON),
    "dynamodb:Query": Sent(LEDGER, ("table",), ON),
    # work_queue.rs send_message_batch, from fan_out.rs.
    "sqs:SendMessage": Sent(("ComplianceSweepFunction",), ("queue",), ON),
}

# Where each role's policies are: (template, logical id of the function or role).
ROLES = {name: ("template.yaml", name) for name in FUNCTIONS}
ROLES["MemberRole"] = ("member-role.yaml", "MemberRole")


# ---------------------------------------------------------------------------------------------
# Scanning the code
# ---------------------------------------------------------------------------------------------
def snake_case(name):
    """The SDK's method name of an operation: ListHostedZonesByVPC -> list_hosted_zones_by_vpc,
    GetMetricData -> get_metric_data."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def code_files():
    """The deployed Rust sources: crates/**/*.rs without tests (tests.rs, *_tests.rs, tests/),
    fakes (fakes/) and benchmarks (benches/)."""
    for path in sorted((ROOT / "crates").rglob("*.rs")):
        folders = set(path.relative_to(ROOT).parts[:-1])
        if path.name == "tests.rs" or path.name.endswith("_tests.rs"):
            continue
        if folders & {"tests", "fakes", "benches"}:
            continue
        yield path


def production_text(text):
    """A file's text without comment lines and without its test code: a `#[cfg(test)] mod x;`
    declaration is dropped (x's file is a test file), and at any other #[cfg(test)] the rest of
    the file (the test module that ends it) is cut off."""
    lines = []
    source = text.splitlines()
    index = 0
    while index < len(source):
        line = source[index]
        if line.strip() == "#[cfg(test)]":
            following = source[index + 1] if index + 1 < len(source) else ""
            if re.fullmatch(r"\s*(pub(\(\w+\))? )?mod \w+;\s*", following):
                index += 2
                continue
            break
        if not line.strip().startswith("//"):
            lines.append(line)
        index += 1
    return "\n".join(lines)


def calls(text, method):
    """Whether text calls the client method: `.method(`, or the method passed bare as a macro
    argument (`read_scope!(self, scope, Answer, describe_subnets)` in ec2/observe.rs)."""
    pattern = rf"\.{method}\s*\(|[(,]\s*{method}\s*\)"
    return re.search(pattern, text) is not None


def actions_in(text):
    """The IAM actions of the SDK calls in one file's production text, from the services its
    aws_sdk_* imports and paths name."""
    found = set()
    for crate in sorted(set(re.findall(r"\baws_sdk_([a-z0-9]+)", text))):
        if crate not in SDK_PREFIX:
            raise TemplateError(f"unknown SDK crate aws_sdk_{crate}: add it to SDK_PREFIX")
        prefix = SDK_PREFIX[crate]
        for privilege in iam_service(prefix)["privileges"]:
            if calls(text, snake_case(privilege["privilege"])):
                found.add(f"{prefix}:{privilege['privilege']}")
        for operation, action in AUTHORIZED_AS.items():
            if operation.startswith(prefix + ":") and calls(text, operation.split(":", 1)[1]):
                found.add(action)
        if prefix == "dynamodb" and calls(text, "transact_write_items"):
            kinds = set(re.findall(r"TransactWriteItem::builder\(\)\s*\.(\w+)\(", text))
            if not kinds or kinds - set(TRANSACT_ITEM_ACTIONS):
                raise TemplateError(f"cannot tell TransactWriteItems' item kinds ({sorted(kinds)})")
            found |= {TRANSACT_ITEM_ACTIONS[kind] for kind in kinds}
    return found


def scan_code():
    """{IAM action: [files sending it]} for the deployed code, and failures (a file with SDK
    requests in which no action was recognised)."""
    actions, failures = collections.defaultdict(list), []
    for path in code_files():
        text = production_text(path.read_text())
        relative = str(path.relative_to(ROOT))
        found = actions_in(text)
        for action in found:
            actions[action].append(relative)
        sends = re.search(r"\.(send|into_paginator)\(\)", text)
        if sends and "aws_sdk_" in text and not found:
            failures.append(f"{relative} sends SDK requests, but no IAM action was recognised")
    return dict(actions), failures


def check_code_against_sent(code_actions):
    """SENT names exactly the actions the code sends."""
    failures = []
    for action in sorted(set(code_actions) - set(SENT) - set(NO_PERMISSION_NEEDED)):
        files = ", ".join(code_actions[action])
        failures.append(f"the code sends {action} ({files}), which SENT does not list")
    for action in sorted(set(SENT) - set(code_actions)):
        failures.append(f"SENT lists {action}, which the code no longer sends")
    return failures


def check_sent_table():
    """Every SENT entry names a known action, known roles and resource types of that action
    ("*" only for an action without resource-level permissions)."""
    failures = []
    for action, sent in SENT.items():
        try:
            privilege = privilege_of(action)
        except KeyError as error:
            failures.append(f"SENT: {error}")
            continue
        types = {entry["resource_type"].rstrip("*") for entry in privilege["resource_types"]} - {""}
        for resource_type in sent.resources:
            if resource_type == "*" and types:
                failures.append(f"SENT: {action} has resource types {sorted(types)}, not *")
            elif resource_type != "*" and resource_type not in types:
                failures.append(f"SENT: {action} has no resource type {resource_type} {sorted(types)}")
        for role in sent.roles:
            if role not in ROLES:
                failures.append(f"SENT: {action} names an unknown role {role}")
    return failures
