"""Part 2 of check_iam.py, whether each sent action is allowed: for every (action, role, resource
type) of SENT, the role's resolved policies must hold an Allow statement naming the action whose
Resource matches the sample ARN of the resource and whose conditions use only keys the action
carries (or hold on a missing key)."""
import re

import parliament
from parliament.statement import is_condition_key_match

from .cfn import SAMPLE_RESOURCE, TemplateError, text_of
from .policies import as_list, iam_service, names_match, privilege_of, role_statements
from .sent import ROLES, SENT


def condition_keys(action, resource_type):
    """The condition keys the action carries for the resource type ("*": none of a type), plus
    those of the action itself (parliament's resource type "")."""
    keys = []
    for entry in privilege_of(action)["resource_types"]:
        if entry["resource_type"].rstrip("*") in ("", resource_type):
            keys += entry["condition_keys"]
    return keys


TAG_KEYS = ("aws:resourcetag/", "aws:requesttag/", "aws:tagkeys")


def carries(key, documented):
    """Whether a request carries the condition key: documented for the action and resource
    type, or a global aws: key (except the tag keys, which only some actions carry)."""
    if any(is_condition_key_match(known, key) for known in documented):
        return True
    lowered = key.lower()
    return lowered.startswith("aws:") and not lowered.startswith(TAG_KEYS)


def holds_without_key(operator, values):
    """Whether a condition holds on a key missing from the request (IAM policy evaluation):
    ForAllValues and ...IfExists do, Null does when it asks for null, negated operators do
    (a missing key does not equal anything), all others do not."""
    operator = operator.lower()
    if operator.startswith("forallvalues:") or operator.endswith("ifexists"):
        return True
    if operator.startswith("foranyvalue:"):
        return False
    if operator == "null":
        return all(text_of(v).lower() == "true" for v in as_list(values))
    return "not" in operator


def condition_can_hold(condition, documented):
    """Whether a statement's Condition can hold for the action: every key it uses the request
    carries (its value is not judged), or its operator holds on a missing key."""
    for operator, block in (condition or {}).items():
        for key, values in block.items():
            if not carries(key, documented) and not holds_without_key(operator, values):
                return False
    return True


def allowing_statement(statements, action, resource_type, resource):
    """The label of the first Allow statement of [(label, statement)] that grants the action on
    the resource (an ARN of resource_type, or "*"), or None; None too when an unconditional Deny
    covers it (a conditional Deny is not evaluated)."""
    documented = condition_keys(action, resource_type)
    relevant = [
        (label, statement)
        for label, statement in statements
        if names_match(statement, "Action", action, ignore_case=True)
        and names_match(statement, "Resource", resource, ignore_case=False)
    ]
    for label, statement in relevant:
        if statement.get("Effect") == "Deny" and not statement.get("Condition"):
            return None
    for label, statement in relevant:
        if statement.get("Effect") != "Allow":
            continue
        if condition_can_hold(statement.get("Condition"), documented):
            return label
    return None


def sample_resource(stack, action, resource_type):
    """The sample ARN of resource_type in the stack, checked against parliament's format."""
    if resource_type == "*":
        return "*"
    arn = stack.resolve(SAMPLE_RESOURCE[resource_type])
    prefix = action.split(":", 1)[0]
    for resource in iam_service(prefix)["resources"]:
        if resource["resource"] == resource_type:
            arn_format = re.sub(r"\$\{.*?\}", "*", resource["arn"])
            if not parliament.is_arn_match(resource_type, arn_format, arn):
                raise TemplateError(f"sample {arn} does not fit {resource_type} {resource['arn']}")
            return arn
    raise TemplateError(f"parliament knows no resource type {resource_type} of {prefix}")


def granted_actions(statements):
    """The actions the Allow statements name (wildcards expanded with parliament's list)."""
    granted = set()
    for _, statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        for pattern in as_list(statement.get("Action", [])):
            for expanded in parliament.expand_action(pattern, raise_exceptions=False):
                granted.add(f"{expanded['service']}:{expanded['action']}")
    return granted


def check_allowed(stacks_by_set, verbose):
    """Every (action, role, resource type) of SENT is allowed by the role's policies, in the
    parameter sets of the action. Returns (failures, checks, skipped, unused)."""
    failures, checks, skipped, unused = [], 0, 0, set()
    for set_name, stacks in stacks_by_set.items():
        statements_of_role = {}
        for role, (template_name, logical_id) in ROLES.items():
            stack = stacks[template_name]
            if stack.exists(logical_id):
                statements_of_role[role] = role_statements(stack, logical_id)
        for action, sent in SENT.items():
            if set_name not in sent.sets:
                continue
            for role in sent.roles:
                if role not in statements_of_role:
                    skipped += 1  # not deployed with these parameters
                    continue
                stack = stacks[ROLES[role][0]]
                for resource_type in sent.resources:
                    resource = sample_resource(stack, action, resource_type)
                    statements = statements_of_role[role]
                    label = allowing_statement(statements, action, resource_type, resource)
                    checks += 1
                    if label is None:
                        failures.append(
                            f"[{set_name}] {role} may not {action} on {resource_type} ({resource}): "
                            f"no Allow statement names it with that resource and with conditions on "
                            f"keys the action carries"
                        )
                    elif verbose:
                        print(f"  [{set_name}] {role} {action} {resource_type}: {label}")
        for role, statements in statements_of_role.items():
            sent_by_role = {action for action, sent in SENT.items() if role in sent.roles}
            for action in granted_actions(statements) - sent_by_role:
                unused.add((role, action, set_name))
    return failures, checks, skipped, unused
