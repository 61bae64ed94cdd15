"""Tests of scripts/check_iam.py's checks (the iam_check package) on hand-made policies, templates
and Rust text (run by .ci/run: .venv/bin/python -m unittest scripts/test_check_iam.py). Each would
fail if the checker lost the behaviour it names."""
import pathlib
import sys
import unittest

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from check_templates import CfnLoader  # noqa: E402
from iam_check.allowed import allowing_statement  # noqa: E402
from iam_check.cfn import Stack, TemplateError  # noqa: E402
from iam_check.lint import classify, lint  # noqa: E402
from iam_check.policies import Document  # noqa: E402
from iam_check.sent import actions_in, check_sent_table, production_text, snake_case  # noqa: E402

ENDPOINT = "arn:aws:ec2:eu-west-1:111111111111:vpc-endpoint/vpce-0a1b2c3d4e5f67890"
ENDPOINTS = "arn:aws:ec2:*:111111111111:vpc-endpoint/*"


def modify_endpoint_statement(condition):
    return {
        "Sid": "Repair",
        "Effect": "Allow",
        "Action": "ec2:ModifyVpcEndpoint",
        "Resource": ENDPOINTS,
        "Condition": condition,
    }


def allowed(statements, action="ec2:ModifyVpcEndpoint", resource_type="vpc-endpoint", resource=ENDPOINT):
    labelled = [(f"policy {s.get('Sid')}", s) for s in statements]
    return allowing_statement(labelled, action, resource_type, resource)


class AllowingStatement(unittest.TestCase):
    def test_a_condition_on_a_key_the_action_does_not_carry_never_allows(self):
        # ModifyVpcEndpoint carries no ec2:VpceServiceName: the key is missing, StringLike fails.
        statement = modify_endpoint_statement(
            {"StringLike": {"ec2:VpceServiceName": ["com.amazonaws.*.s3"]}}
        )
        self.assertIsNone(allowed([statement]))

    def test_a_condition_on_the_managed_tag_allows(self):
        statement = modify_endpoint_statement(
            {"StringEquals": {"aws:ResourceTag/vpce-guard:managed": "true"}}
        )
        self.assertEqual(allowed([statement]), "policy Repair")

    def test_for_all_values_holds_on_a_missing_key(self):
        # IAM: ForAllValues is true when the request has no such key (the DeleteTags hazard).
        statement = modify_endpoint_statement(
            {"ForAllValues:StringLike": {"ec2:VpceServiceName": ["com.amazonaws.*.s3"]}}
        )
        self.assertEqual(allowed([statement]), "policy Repair")

    def test_tag_keys_are_not_global(self):
        # aws:TagKeys is carried by CreateTags, not by ModifyVpcEndpoint.
        statement = modify_endpoint_statement({"StringEquals": {"aws:TagKeys": "x"}})
        self.assertIsNone(allowed([statement]))
        tagging = {
            "Sid": "Tag", "Effect": "Allow", "Action": "ec2:CreateTags",
            "Resource": "arn:aws:ec2:*:111111111111:vpc/*",
            "Condition": {"StringEquals": {"aws:TagKeys": "x"}, "Null": {"aws:TagKeys": "false"}},
        }
        vpc = "arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-1"
        self.assertEqual(allowed([tagging], "ec2:CreateTags", "vpc", vpc), "policy Tag")

    def test_another_account_or_action_does_not_match(self):
        statement = {"Sid": "Other", "Effect": "Allow", "Action": "ec2:ModifyVpcEndpoint",
                     "Resource": "arn:aws:ec2:*:999999999999:vpc-endpoint/*"}
        self.assertIsNone(allowed([statement]))
        statement = {"Sid": "Wild", "Effect": "Allow", "Action": "ec2:Modify*", "Resource": ENDPOINTS}
        self.assertEqual(allowed([statement]), "policy Wild")
        self.assertIsNone(allowed([statement], "ec2:DeleteVpcEndpoints"))

    def test_an_action_without_resource_level_permissions_needs_resource_star(self):
        narrowed = {"Sid": "Narrow", "Effect": "Allow", "Action": "ec2:DescribeVpcs",
                    "Resource": "arn:aws:ec2:*:111111111111:*"}
        self.assertIsNone(allowed([narrowed], "ec2:DescribeVpcs", "*", "*"))
        everything = dict(narrowed, Sid="Star", Resource="*")
        self.assertEqual(allowed([everything], "ec2:DescribeVpcs", "*", "*"), "policy Star")

    def test_an_unconditional_deny_wins(self):
        allow = modify_endpoint_statement({"StringEquals": {"aws:ResourceTag/vpce-guard:managed": "true"}})
        deny = {"Sid": "No", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"}
        self.assertIsNone(allowed([allow, deny]))


class Lint(unittest.TestCase):
    def lint(self, statements, kind="identity"):
        document = Document(kind, "X", "X", {"Version": "2012-10-17", "Statement": statements})
        return [(issue, classify(document, issue, detail))
                for _, issue, detail in lint(document)]

    def test_an_unknown_condition_key_fails(self):
        statement = modify_endpoint_statement({"StringEquals": {"ec2:VpceServiceOwner": "amazon"}})
        self.assertIn(("UNKNOWN_CONDITION_FOR_ACTION", "fail"), self.lint([statement]))

    def test_resource_types_split_over_statements_are_only_reported(self):
        # CreateVpcEndpoint requires both a vpc and a vpc-endpoint: each statement lacks one.
        vpc = {"Sid": "A", "Effect": "Allow", "Action": "ec2:CreateVpcEndpoint",
               "Resource": "arn:aws:ec2:*:111111111111:vpc/*"}
        endpoint = {"Sid": "B", "Effect": "Allow", "Action": "ec2:CreateVpcEndpoint",
                    "Resource": "arn:aws:ec2:*:111111111111:vpc-endpoint/*"}
        self.assertEqual(self.lint([vpc, endpoint]), [("RESOURCE_MISMATCH", "report")] * 2)
        self.assertEqual(self.lint([vpc]), [("RESOURCE_MISMATCH", "fail")])

    def test_trust_policies_are_linted_with_the_role_as_resource(self):
        trust = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                 "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}
        role = "arn:aws:iam::111111111111:role/r"
        document = Document("trust", "R", "R trust policy",
                            {"Version": "2012-10-17", "Statement": [trust]})
        self.assertEqual(lint(document, role), [])
        bad = dict(trust, Principal={"AWS": "someone"}, Condition={"StringEquals": {"sts:Nope": "x"}})
        document = document._replace(policy={"Version": "2012-10-17", "Statement": [bad]})
        issues = {issue for _, issue, _ in lint(document, role)}
        self.assertEqual(issues, {"UNKNOWN_PRINCIPAL", "UNKNOWN_CONDITION_FOR_ACTION"})

    def test_resource_star_fails_only_where_it_could_be_narrowed(self):
        star = {"Sid": "S", "Effect": "Allow", "Action": "ec2:DeleteVpcEndpoints", "Resource": "*"}
        self.assertEqual(self.lint([star]), [("RESOURCE_STAR", "fail")])
        self.assertEqual(self.lint([dict(star, Principal={"AWS": "111111111111"})], "resource"),
                         [("RESOURCE_STAR", "report")])
        describe = dict(star, Action="ec2:DescribeVpcs")
        self.assertEqual(self.lint([describe]), [])


TEMPLATE = """
Parameters:
  Names: {Type: CommaDelimitedList, Default: "s3,logs"}
  Feature: {Type: String, Default: "false"}
  Size: {Type: Number, Default: 0}
Conditions:
  Enabled: !Equals [!Ref Feature, "true"]
  Disabled: !Not [!Condition Enabled]
  SizeZero: !Equals [!Ref Size, 0]
Resources:
  Queue: {Type: AWS::SQS::Queue, Condition: Enabled}
  Topic: {Type: AWS::SNS::Topic}
Value:
  - !Sub "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:x"
  - !Split [",", !Sub ["com.amazonaws.*.${N}", {N: !Join [",com.amazonaws.*.", !Ref Names]}]]
  - !If [Enabled, !GetAtt Queue.Arn, !Ref AWS::NoValue]
  - !Ref Topic
  - !Select [1, !Ref Names]
  - !If [SizeZero, zero, other]
"""


class Resolver(unittest.TestCase):
    def stack(self, parameters):
        template = yaml.load(TEMPLATE, Loader=CfnLoader)
        return Stack("t.yaml", template, parameters), template["Value"]

    def test_defaults(self):
        stack, value = self.stack({})
        self.assertEqual(stack.resolve(value), [
            "arn:aws:sns:eu-west-1:111111111111:x",
            ["com.amazonaws.*.s3", "com.amazonaws.*.logs"],
            "arn:aws:sns:eu-west-1:111111111111:vpce-guard-Topic-1A2B3C4D5E6F",
            "logs",
            "zero",
        ])
        self.assertTrue(stack.condition("Disabled"))

    def test_conditions_pick_the_branch_and_resources(self):
        stack, value = self.stack({"Feature": "true"})
        self.assertEqual(stack.resolve(value)[2], "arn:aws:sqs:eu-west-1:111111111111:vpce-guard-Queue-1A2B3C4D5E6F")
        stack, _ = self.stack({})
        with self.assertRaises(TemplateError):
            stack.resolve({"GetAtt": "Queue.Arn"})  # not created without Feature

    def test_unknown_sample_parameters_are_refused(self):
        with self.assertRaises(TemplateError):
            self.stack({"Renamed": "true"})


RUST = """
use aws_sdk_ec2::types::Filter;
use aws_sdk_sns::Client;
use aws_sdk_dynamodb::types::TransactWriteItem;

async fn run(client: &aws_sdk_ec2::Client, sns: &Client) {
    // client.delete_vpc() in a comment is not a call
    let _ = client.describe_vpcs().into_paginator().send();
    let _ = read_scope!(self, scope, SubnetsAnswer, describe_subnets).await;
    sns.publish_batch().topic_arn("t").send().await;
    db.transact_write_items().transact_items(TransactWriteItem::builder().put(p).build()).send();
}

#[cfg(test)]
mod tests;

fn more(client: &aws_sdk_ec2::Client) {
    client.modify_vpc_attribute().send();
}

#[cfg(test)]
mod inline_tests {
    fn t(client: &aws_sdk_ec2::Client) { client.delete_vpc_endpoints().send(); }
}
"""


class CodeScan(unittest.TestCase):
    def test_snake_case_of_operations(self):
        self.assertEqual(snake_case("ListHostedZonesByVPC"), "list_hosted_zones_by_vpc")
        self.assertEqual(snake_case("GetMetricData"), "get_metric_data")
        self.assertEqual(snake_case("DescribeVpcEndpoints"), "describe_vpc_endpoints")

    def test_actions_of_a_file(self):
        found = actions_in(production_text(RUST))
        self.assertEqual(found, {
            "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:ModifyVpcAttribute",
            "sns:Publish", "dynamodb:PutItem",
        })

    def test_sent_names_only_known_actions_and_resource_types(self):
        self.assertEqual(check_sent_table(), [])


if __name__ == "__main__":
    unittest.main()
