#!/usr/bin/env python3
"""Keeps the deployment templates honest (run by .ci/run):

1. the member role of member-role.yaml has exactly the EC2 statements of template.yaml's
   GuardEc2Policy (the guard needs the same permissions in a member account as at home);
2. every environment variable the code reads (crates/lambda/src/config.rs) is set in template.yaml and
   documented in the README's configuration table.
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

    config = (ROOT / "crates" / "lambda" / "src" / "config.rs").read_text()
    read = set(re.findall(r'get\("([A-Z][A-Z0-9_]+)"\)', config))
    read |= set(re.findall(r'checked\(\s*"([A-Z][A-Z0-9_]+)"', config))
    read |= set(re.findall(r'whole_number\(\s*&get,\s*"([A-Z][A-Z0-9_]+)"', config))
    template_text = (ROOT / "template.yaml").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in sorted(read):
        if not re.search(rf"^\s+{name}:", template_text, re.M):
            failures.append(f"{name} is read by crates/lambda/src/config.rs but not set in template.yaml")
        if f"`{name}`" not in readme:
            failures.append(f"{name} is read by crates/lambda/src/config.rs but not documented in README.md")
    if len(read) < 10:
        failures.append(f"found only {len(read)} variables in crates/lambda/src/config.rs: {sorted(read)}")

    for failure in failures:
        print(f"check_templates: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"check_templates: member role matches GuardEc2Policy ({len(home)} statements); "
          f"{len(read)} environment variables set and documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
