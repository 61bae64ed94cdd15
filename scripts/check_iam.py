#!/usr/bin/env python3
"""Checks the templates' IAM offline against AWS's IAM definitions as parliament ships them
(run by .ci/run after scripts/check_templates.py; usage: check_iam.py [--verbose]):

1. Lint (iam_check/lint.py). parliament lints every policy document of template.yaml and
   member-role.yaml (and org-events-forwarder.yaml), resolved with sample values (see Stack in
   iam_check/cfn.py) for two parameter sets: the templates' defaults, and everything on
   (organization sweep, member role, Security Hub, central endpoints, account profiles,
   organization id; in member-role.yaml external id, role pattern, event forwarding). Documents:
   - identity policies: AWS::IAM::ManagedPolicy, AWS::IAM::Role Policies, the inline policies of
     AWS::Serverless::Function Policies (its !Ref items are the managed policies, linted as such);
   - trust policies (AssumeRolePolicyDocument): parliament 1.6 needs a Resource in every
     statement and has no trust-policy mode, so they are linted with the role's own ARN as
     Resource, which checks their actions, principals, condition keys and operators;
   - resource policies (KMS KeyPolicy, EventBusPolicy Statement, bucket, queue and topic
     policies): parliament checks their Principal elements in any policy; 1.6 has no
     resource-policy switch (is_resource_policy is passed if a later version has one).
   Not checkable here, so not checked: the policies SAM adds itself (logs, dead-letter queue,
   SQS event source) and managed policies from outside the template (counted in the summary).
   Every finding of a type in FAILING fails, unless DELIBERATE lists it, with two refinements:
   RESOURCE_STAR and RESOURCE_EFFECTIVELY_STAR fail in identity policies for actions with
   resource-level permissions and are only reported otherwise (in a resource or trust policy
   the Resource is the resource the policy is attached to); RESOURCE_MISMATCH, which parliament
   judges per statement, is only reported when another Allow statement of the same policy
   covers the missing resource type (one action's resource types split over statements, to put
   a condition on one of them). A finding type this script does not know fails.

2. Sent actions (iam_check/sent.py, iam_check/allowed.py). The IAM actions the Rust code sends
   are read from the non-test sources under crates/ and must equal the keys of SENT (so SENT
   cannot drift from the code). For every (action, role, resource type) of SENT, that role's
   resolved policies must hold an Allow statement naming the action whose Resource matches a
   sample ARN of the resource (one that fits parliament's ARN format of the type) and each of
   whose condition keys the action carries for that resource type: a condition on a key the
   request does not carry never holds (except ForAllValues, ...IfExists, Null true and negated
   operators, which IAM evaluates to true for a missing key). Checked with the everything-on
   set, and with the default set for the actions the default deployment sends. --verbose prints
   the statement that allows each, and the granted actions the code never sends.

Exit 1 with one line per failure, else one summary line. The checks live in the iam_check
package (its __init__ names the modules); this script runs them and prints the result.
"""
import argparse
import collections
import pathlib
import sys

# scripts/: where the iam_check package and check_templates (which iam_check.cfn imports) are.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from iam_check.allowed import check_allowed  # noqa: E402
from iam_check.cfn import PARAMETER_SETS, TemplateError, load_templates, stacks_for  # noqa: E402
from iam_check.lint import FAILING, NARROWING, lint_templates  # noqa: E402
from iam_check.sent import (  # noqa: E402
    NO_PERMISSION_NEEDED, check_code_against_sent, check_sent_table, scan_code,
)


# ---------------------------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print what allows each action")
    args = parser.parse_args(argv)

    failures = []
    reports, linted, external, code_actions, unused = [], collections.Counter(), [], {}, set()
    checks = skipped = 0
    if args.verbose:
        print(f"check_iam: fails on {sorted(FAILING)}; {sorted(NARROWING)} fail in identity "
              f"policies for actions with resource-level permissions and are only reported "
              f"otherwise; RESOURCE_MISMATCH is only reported when another statement of the "
              f"policy allows the missing resource type")
    try:
        templates = load_templates()
        stacks_by_set = {s: stacks_for(s, templates) for s in PARAMETER_SETS}
        lint_failures, reports, linted, external = lint_templates(stacks_by_set)
        failures += [f"parliament: {line}" for line in lint_failures]
        code_actions, scan_failures = scan_code()
        failures += scan_failures
        failures += check_code_against_sent(code_actions)
        failures += check_sent_table()
        allow_failures, checks, skipped, unused = check_allowed(stacks_by_set, args.verbose)
        failures += allow_failures
    except (TemplateError, KeyError, OSError) as error:
        failures.append(f"cannot check: {error}")
    if args.verbose:
        for line in reports:
            print(f"  reported (not failing): {line}")
        for action in sorted(code_actions):
            print(f"  code sends {action}: {', '.join(code_actions[action])}")
        for role, action, set_name in sorted(unused):
            print(f"  [{set_name}] {role} is granted {action}, which the code never sends")
        for template_name, arn in external:
            print(f"  {template_name}: managed policy {arn} is not the template's own: not checked")

    for failure in failures:
        print(f"check_iam: {failure}", file=sys.stderr)
    if failures:
        return 1
    unused_pairs = {(role, action) for role, action, _ in unused}
    needing = set(code_actions) - set(NO_PERMISSION_NEEDED)
    print(
        f"check_iam: parliament: nothing failing in {sum(linted.values())} document lints over "
        f"the {len(PARAMETER_SETS)} parameter sets ({linted['identity']} identity, "
        f"{linted['trust']} trust with the role as Resource, {linted['resource']} resource; "
        f"{len(reports)} findings only reported; not checkable: SAM's own policies, "
        f"{len(external)} outside managed policies); the code sends {len(code_actions)} actions, "
        f"SENT lists the {len(needing)} that need a permission; {checks} (action, role, "
        f"resource) allowed ({skipped} skipped: role not deployed in that set); "
        f"{len(unused_pairs)} granted (role, action) pairs never sent (--verbose)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
