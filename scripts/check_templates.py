#!/usr/bin/env python3
"""Keeps the deployment templates honest (run by .ci/run):

1. the member role of member-role.yaml has exactly the EC2 statements of template.yaml's
   GuardEc2Policy (the guard needs the same permissions in a member account as at home);
2. every environment variable the code reads (crates/lambda/src/config/) is set in template.yaml and
   documented in docs/configuration.md (its table of environment variables);
3. every function has an Errors alarm and every dead-letter queue a depth alarm (each with the
   Condition of what it watches), the ActionsFailed and sweep-not-run alarms exist, and every alarm
   notifies;
4. the default AllowedServices of both templates (the IAM condition on endpoint creation) covers
   every service of every shipped preset (crates/core/src/baseline/presets.rs);
5. no name a long stack name can break: no fixed function, rule, schedule or log group name, the
   functions' roles under the IAM path /vpce-guard/ that member-role.yaml's trust names;
6. org-events-forwarder.yaml forwards every event the account-baseline function's rules match.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Sub, !Ref, ...) as plain {tag: value} maps."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


CfnLoader.add_multi_constructor("!", _tag)


def load(name):
    return yaml.load((ROOT / name).read_text(), Loader=CfnLoader)


def _condition(resource):
    return resource.get("Condition")


def _dimension_values(alarm):
    return [d.get("Value") for d in alarm["Properties"].get("Dimensions", [])]


def _is_getatt(value, logical_id, attribute):
    """!GetAtt X.Attr loads as {"GetAtt": "X.Attr"}; the long form as {"Fn::GetAtt": [X, Attr]}."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key, target), = value.items()
    if key not in ("GetAtt", "Fn::GetAtt"):
        return False
    if isinstance(target, str):
        target = target.split(".", 1)
    return list(target) == [logical_id, attribute]


def check_alarms(resources):
    """Every function and dead-letter queue has its alarm; returns (failures, summary)."""
    failures = []
    alarms = {lid: r for lid, r in resources.items() if r.get("Type") == "AWS::CloudWatch::Alarm"}
    functions = [lid for lid, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"]
    queues = [
        lid for lid, r in resources.items()
        if r.get("Type") == "AWS::SQS::Queue" and lid.endswith("DeadLetterQueue")
    ]

    def matching(namespace, metric, predicate):
        return [
            lid for lid, a in alarms.items()
            if a["Properties"].get("Namespace") == namespace
            and a["Properties"].get("MetricName") == metric
            and predicate(a)
        ]

    for fn in functions:
        found = matching("AWS/Lambda", "Errors", lambda a: {"Ref": fn} in _dimension_values(a))
        if not found:
            failures.append(f"function {fn} has no AWS/Lambda Errors alarm (FunctionName !Ref {fn})")
        for lid in found:
            if _condition(alarms[lid]) != _condition(resources[fn]):
                failures.append(
                    f"alarm {lid} has Condition {_condition(alarms[lid])}, its function {fn} has "
                    f"{_condition(resources[fn])}"
                )
    for queue in queues:
        found = matching(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            lambda a: any(_is_getatt(v, queue, "QueueName") for v in _dimension_values(a)),
        )
        if not found:
            failures.append(
                f"dead-letter queue {queue} has no ApproximateNumberOfMessagesVisible alarm "
                f"(QueueName !GetAtt {queue}.QueueName)"
            )
        for lid in found:
            if _condition(alarms[lid]) != _condition(resources[queue]):
                failures.append(
                    f"alarm {lid} has Condition {_condition(alarms[lid])}, its queue {queue} has "
                    f"{_condition(resources[queue])}"
                )
    if not matching("VpceGuard", "ActionsFailed", lambda a: not a["Properties"].get("Dimensions")):
        failures.append("no alarm on VpceGuard ActionsFailed without dimensions (all accounts and Regions)")
    sweep = alarms.get("SweepNotRunAlarm", {}).get("Properties", {})
    if not (
        sweep.get("MetricName") == "Invocations"
        and {"Ref": "ComplianceSweepFunction"} in _dimension_values(alarms["SweepNotRunAlarm"])
        and sweep.get("TreatMissingData") == "breaching"
    ):
        failures.append(
            "SweepNotRunAlarm is missing or does not watch ComplianceSweepFunction's Invocations "
            "with missing data breaching"
        )
    for lid, alarm in sorted(alarms.items()):
        for actions in ("AlarmActions", "OKActions"):
            if not alarm["Properties"].get(actions):
                failures.append(f"alarm {lid} has no {actions}")
    summary = (
        f"{len(alarms)} alarms: Errors of {len(functions)} functions, depth of {len(queues)} "
        f"dead-letter queues, ActionsFailed, SweepNotRun"
    )
    return failures, summary


def preset_services():
    """Short names of every service of every shipped preset, read from presets.rs."""
    text = (ROOT / "crates" / "core" / "src" / "baseline" / "presets.rs").read_text()
    return set(re.findall(r'\("([a-z0-9.-]+)",\s*(?:Gateway|Interface)\)', text))


def check_allowed_services(templates):
    failures = []
    wanted = preset_services()
    if len(wanted) < 10:
        failures.append(f"found only {len(wanted)} preset services in presets.rs: {sorted(wanted)}")
    for name, parameters in templates:
        default = parameters.get("AllowedServices", {}).get("Default", "")
        allowed = {s.strip() for s in default.split(",") if s.strip()}
        missing = sorted(wanted - allowed)
        if missing:
            failures.append(f"{name} AllowedServices default lacks preset services {missing}")
    return failures, len(wanted)


def check_names(central_template, member_template):
    """Nothing a stack name of any length (128 characters) can push past a limit."""
    failures = []
    resources = central_template["Resources"]
    for lid, resource in resources.items():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function":
            if "FunctionName" in props:
                failures.append(f"{lid} has a fixed FunctionName (Lambda allows 64 characters)")
            for event_id, event in props.get("Events", {}).items():
                event_props = event.get("Properties", {})
                for key in ("RuleName", "Name"):
                    if key in event_props:
                        failures.append(f"{lid} event {event_id} has a fixed {key} (64 characters)")
        if resource.get("Type") == "AWS::Logs::LogGroup" and "LogGroupName" in props:
            failures.append(f"{lid} has a fixed LogGroupName; the function names its log group")
    if central_template.get("Globals", {}).get("Function", {}).get("RolePath") != "/vpce-guard/":
        failures.append("Globals.Function.RolePath is not /vpce-guard/ (member roles trust that path)")
    trust = member_template["Resources"]["MemberRole"]["Properties"]["AssumeRolePolicyDocument"]
    if "role/vpce-guard/*" not in str(trust):
        failures.append("member-role.yaml's trust policy does not default to role/vpce-guard/*")
    return failures


def check_forwarder(central, forwarder):
    """The forwarder's rule matches every source, detail-type and event name of the
    account-baseline function's EventBridge rules."""
    failures = []
    pattern = forwarder["Resources"]["ForwardVendingEventsRule"]["Properties"]["EventPattern"]
    events = central["AccountBaselineFunction"]["Properties"]["Events"]
    for event_id, event in events.items():
        if event.get("Type") != "EventBridgeRule":
            continue
        wanted = event["Properties"]["Pattern"]
        for source in wanted.get("source", []):
            if source not in pattern.get("source", []):
                failures.append(f"org-events-forwarder.yaml does not forward source {source} ({event_id})")
        for kind in wanted.get("detail-type", []):
            if kind not in pattern.get("detail-type", []):
                failures.append(f"org-events-forwarder.yaml does not forward detail-type {kind} ({event_id})")
        for name in wanted.get("detail", {}).get("eventName", []):
            if name not in pattern.get("detail", {}).get("eventName", []):
                failures.append(f"org-events-forwarder.yaml does not forward {name} ({event_id})")
    return failures


def main():
    failures = []
    central = load("template.yaml")["Resources"]
    member = load("member-role.yaml")["Resources"]
    home = central["GuardEc2Policy"]["Properties"]["PolicyDocument"]["Statement"]
    role_policies = member["MemberRole"]["Properties"]["Policies"]
    away = role_policies[0]["PolicyDocument"]["Statement"]
    if home != away:
        home_ids = [s.get("Sid") for s in home]
        away_ids = [s.get("Sid") for s in away]
        failures.append(
            f"member-role.yaml's statements differ from GuardEc2Policy: {home_ids} vs {away_ids}"
        )

    config = "\n".join(
        path.read_text()
        for path in sorted((ROOT / "crates" / "lambda" / "src" / "config").glob("*.rs"))
        if path.name != "tests.rs"
    )
    read = set(re.findall(r'get\("([A-Z][A-Z0-9_]+)"\)', config))
    read |= set(re.findall(r'checked\(\s*"([A-Z][A-Z0-9_]+)"', config))
    read |= set(re.findall(r'(?:whole_number|boolean|checked_list|decimal)\(\s*&?get,\s*"([A-Z][A-Z0-9_]+)"', config))
    template_text = (ROOT / "template.yaml").read_text()
    configuration_doc = (ROOT / "docs" / "configuration.md").read_text()
    for name in sorted(read):
        if not re.search(rf"^\s+{name}:", template_text, re.M):
            failures.append(f"{name} is read by crates/lambda/src/config/ but not set in template.yaml")
        if f"`{name}`" not in configuration_doc:
            failures.append(f"{name} is read by crates/lambda/src/config/ but not documented in docs/configuration.md")
    if len(read) < 10:
        failures.append(f"found only {len(read)} variables in crates/lambda/src/config/: {sorted(read)}")

    alarm_failures, alarm_summary = check_alarms(central)
    failures += alarm_failures
    allowed_failures, preset_count = check_allowed_services([
        ("template.yaml", load("template.yaml")["Parameters"]),
        ("member-role.yaml", load("member-role.yaml")["Parameters"]),
    ])
    failures += allowed_failures
    failures += check_names(load("template.yaml"), load("member-role.yaml"))
    failures += check_forwarder(central, load("org-events-forwarder.yaml"))

    for failure in failures:
        print(f"check_templates: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"check_templates: member role matches GuardEc2Policy ({len(home)} statements); "
          f"{len(read)} environment variables set and documented; {alarm_summary}; "
          f"AllowedServices covers the {preset_count} preset services; no fixed names; "
          f"the vending-event forwarder matches account-baseline's rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
