"""Part 1 of check_iam.py: parliament lints every policy document of the templates in both
parameter sets, and FAILING, NARROWING and DELIBERATE decide which of its findings fail."""
import collections
import inspect
import json

import parliament

from .policies import as_list, names_match, policy_documents, privilege_of, statements_of


# ---------------------------------------------------------------------------------------------
# Which parliament findings fail
# ---------------------------------------------------------------------------------------------
FAILING = {
    "EXCEPTION", "MALFORMED_JSON", "MALFORMED", "DUPLICATE_SID", "INVALID_SID",
    "NO_VERSION", "INVALID_VERSION", "OLD_VERSION",
    "UNKNOWN_ACTION", "UNKNOWN_PREFIX", "UNKNOWN_CONDITION_FOR_ACTION", "UNKNOWN_OPERATOR",
    "UNKNOWN_PRINCIPAL", "UNKNOWN_FEDERATION_SOURCE",
    "MISMATCHED_TYPE", "MISMATCHED_TYPE_BUT_USABLE", "MISMATCHED_TYPE_OPERATION_TO_NULL",
    "RESOURCE_MISMATCH", "INVALID_ARN", "BAD_PATTERN_FOR_MFA",
    "RESOURCE_POLICY_PRIVILEGE_ESCALATION",
}
# Fail in identity policies for actions with resource-level permissions, else reported only.
NARROWING = {"RESOURCE_STAR", "RESOURCE_EFFECTIVELY_STAR"}

# Accepted findings: (template, statement Sid, finding type) -> why. Only for a real gap in
# parliament's data, saying so. None so far.
DELIBERATE = {}


# ---------------------------------------------------------------------------------------------
# Linting with parliament
# ---------------------------------------------------------------------------------------------
LINT_OPTIONS = set(inspect.signature(parliament.analyze_policy_string).parameters)


def has_resource_level_permissions(action):
    """Whether the action has a required resource type (so Resource "*" could be narrowed)."""
    try:
        privilege = privilege_of(action)
    except KeyError:
        return True
    return any(entry["resource_type"].endswith("*") for entry in privilege["resource_types"])


def lint(document, role_arn=None):
    """parliament's findings on one document: [(Sid or None, finding type, detail)]. A trust
    policy is linted with role_arn as every statement's Resource."""
    policy = document.policy
    if document.kind == "trust":
        statements = [dict(statement, Resource=role_arn) for statement in statements_of(policy)]
        policy = dict(policy, Statement=statements)
    options = {"ignore_private_auditors": True, "include_community_auditors": False}
    if document.kind == "resource" and "is_resource_policy" in LINT_OPTIONS:
        options["is_resource_policy"] = True
    analysed = parliament.analyze_policy_string(json.dumps(policy), **options)
    # Policy-level findings (_findings: parliament has no public accessor for them alone),
    # then each statement's with its Sid.
    found = [(None, f.issue, f.detail) for f in analysed._findings]
    for statement in analysed.statements:
        found += [(statement.sid, f.issue, f.detail) for f in statement.findings]
    return found


def covered_elsewhere(policy, mismatch):
    """Whether another Allow statement of the policy names the action of a RESOURCE_MISMATCH
    item ({"action", "required_format"}) with a Resource of the required format: parliament
    checks each statement alone, but IAM needs each required resource type allowed by some
    statement, and splitting them (to put a condition on one type only) is a common pattern."""
    for statement in statements_of(policy):
        if statement.get("Effect") != "Allow":
            continue
        if not names_match(statement, "Action", mismatch["action"], ignore_case=True):
            continue
        for resource in as_list(statement.get("Resource", [])):
            if parliament.is_arn_match("", mismatch["required_format"], resource):
                return True
    return False


def classify(document, issue, detail):
    """"fail" or "report" for one finding on a document."""
    if issue in NARROWING:
        if document.kind != "identity":
            return "report"  # the Resource of a resource or trust policy is the resource itself
        actions = detail if isinstance(detail, list) else []
        if actions and not any(has_resource_level_permissions(a) for a in actions):
            return "report"
        return "fail"
    if issue == "RESOURCE_MISMATCH" and isinstance(detail, list):
        if all(covered_elsewhere(document.policy, item) for item in detail):
            return "report"
    return "fail"  # FAILING, and any type this script does not know yet


def lint_templates(stacks_by_set):
    """Lints every document of the templates in every parameter set.
    Returns (failures, reports, documents linted per kind, outside managed policy ARNs)."""
    findings = {}  # (template, label, sid, issue, detail) -> (outcome, note, sets)
    linted = collections.Counter()
    external = set()
    for set_name, stacks in stacks_by_set.items():
        for template_name, stack in stacks.items():
            documents, others = policy_documents(stack)
            external |= {(template_name, arn) for arn in others}
            for document in documents:
                linted[document.kind] += 1
                role_arn = stack.arn(document.owner) if document.kind == "trust" else None
                for sid, issue, detail in lint(document, role_arn):
                    detail_text = json.dumps(detail, default=str)
                    key = (template_name, document.label, sid, issue, detail_text)
                    outcome, note = classify(document, issue, detail), ""
                    if (template_name, sid, issue) in DELIBERATE:
                        outcome = "report"
                        note = f" (deliberate: {DELIBERATE[(template_name, sid, issue)]})"
                    findings.setdefault(key, (outcome, note, []))[2].append(set_name)
    failures, reports = [], []
    for (template_name, label, sid, issue, detail), (outcome, note, sets) in sorted(
        findings.items(), key=lambda item: tuple(str(part) for part in item[0])
    ):
        line = f"{template_name} {label} (Sid {sid or '-'}, {'+'.join(sets)}): {issue} {detail}"
        if outcome == "fail":
            failures.append(line)
        else:
            reports.append(line + note)
    return failures, reports, linted, sorted(external)
