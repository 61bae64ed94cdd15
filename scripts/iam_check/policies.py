"""The IAM policies of a Stack and what their statements name: the policy documents it creates
and each role's statements, IAM's wildcard match of Action and Resource, and parliament's
definitions of services and actions (shared by lint, sent and allowed)."""
import collections
import re

import parliament

from .cfn import TemplateError


# ---------------------------------------------------------------------------------------------
# Policy documents
# ---------------------------------------------------------------------------------------------
# kind: identity, trust or resource; owner: the logical id of the resource holding it.
Document = collections.namedtuple("Document", "kind owner label policy")
RESOURCE_POLICY_PROPERTY = {
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::Events::EventBusPolicy": "Statement",
}


def statements_of(policy):
    """A policy document's Statement as a list."""
    statement = policy.get("Statement", [])
    return statement if isinstance(statement, list) else [statement]


def role_policies(stack, logical_id):
    """The policies of a role (AWS::IAM::Role) or of a SAM function's role: [(label, document,
    inline)], and the attached managed policy ARNs that are not the template's own (which
    cannot be checked). A string item (!Ref, ManagedPolicyArns) names a managed policy; a map
    with a Statement is a SAM inline document, one with a PolicyDocument a role's."""
    documents, external = [], []
    own_policies = {
        stack.arn(lid): lid
        for lid, resource in stack.resources.items()
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and stack.exists(lid)
    }
    properties = stack.resources[logical_id].get("Properties", {})
    items = stack.resolve(properties.get("Policies", []))
    items += stack.resolve(properties.get("ManagedPolicyArns", []))
    for index, item in enumerate(items):
        if isinstance(item, str) and item in own_policies:
            policy_id = own_policies[item]
            document = stack.resolve(stack.resources[policy_id]["Properties"]["PolicyDocument"])
            documents.append((policy_id, document, False))
        elif isinstance(item, str):
            external.append(item)
        elif isinstance(item, dict) and "Statement" in item:
            documents.append((f"{logical_id}.Policies[{index}]", item, True))
        elif isinstance(item, dict) and "PolicyDocument" in item:
            label = f"{logical_id} {item.get('PolicyName')}"
            documents.append((label, item["PolicyDocument"], True))
        else:
            raise TemplateError(
                f"{stack.name}: {logical_id} has a policy item this check cannot read "
                f"(a SAM policy template?): {item}"
            )
    return documents, external


def policy_documents(stack):
    """Every policy document the stack creates, resolved, and the managed policy ARNs from
    outside the template that its roles attach. Managed policies are linted as themselves,
    not again for each role that attaches them."""
    documents, external = [], []
    for logical_id, resource in stack.resources.items():
        if not stack.exists(logical_id):
            continue
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            policy = stack.resolve(properties["PolicyDocument"])
            documents.append(Document("identity", logical_id, logical_id, policy))
        if kind == "AWS::IAM::Role" and "AssumeRolePolicyDocument" in properties:
            trust = stack.resolve(properties["AssumeRolePolicyDocument"])
            documents.append(Document("trust", logical_id, f"{logical_id} trust policy", trust))
        if kind in ("AWS::IAM::Role", "AWS::Serverless::Function"):
            policies, others = role_policies(stack, logical_id)
            documents += [
                Document("identity", logical_id, label, document)
                for label, document, inline in policies
                if inline
            ]
            external += others
        if kind in RESOURCE_POLICY_PROPERTY:
            policy = stack.resolve(properties[RESOURCE_POLICY_PROPERTY[kind]])
            if kind == "AWS::Events::EventBusPolicy":
                statements = statements_of({"Statement": policy})
                policy = {"Version": "2012-10-17", "Statement": statements}
            label = f"{logical_id} {RESOURCE_POLICY_PROPERTY[kind]}"
            documents.append(Document("resource", logical_id, label, policy))
    return documents, external


def role_statements(stack, logical_id):
    """(label, statement) of every statement of the role's policies (label: "<policy> <Sid>")."""
    policies, _ = role_policies(stack, logical_id)
    return [
        (f"{label} {statement.get('Sid', '(no Sid)')}", statement)
        for label, document, _ in policies
        for statement in statements_of(document)
    ]


# ---------------------------------------------------------------------------------------------
# Matching a statement's Action and Resource
# ---------------------------------------------------------------------------------------------
def glob_matches(pattern, value, ignore_case=False):
    """IAM's wildcard match: * any run of characters, ? one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def as_list(value):
    return value if isinstance(value, list) else [value]


def names_match(statement, element, value, ignore_case):
    """Whether the statement's Action/Resource (or NotAction/NotResource) covers value."""
    if element in statement:
        return any(glob_matches(p, value, ignore_case) for p in as_list(statement[element]))
    negated = "Not" + element
    if negated in statement:
        return not any(glob_matches(p, value, ignore_case) for p in as_list(statement[negated]))
    return False


# ---------------------------------------------------------------------------------------------
# parliament's IAM definitions
# ---------------------------------------------------------------------------------------------
def iam_service(prefix):
    for service in parliament.iam_definition:
        if service["prefix"] == prefix:
            return service
    raise KeyError(f"parliament knows no service {prefix}")


def privilege_of(action):
    """parliament's entry of an IAM action ("ec2:CreateTags")."""
    prefix, name = action.split(":", 1)
    for privilege in iam_service(prefix)["privileges"]:
        if privilege["privilege"] == name:
            return privilege
    raise KeyError(f"parliament knows no action {action}")
