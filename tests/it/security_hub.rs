//! Security Hub findings (issue #13 part 1) through the compliance-sweep entry point against
//! moto: drift imported as FAILED with every required ASFF field, re-imported (not duplicated)
//! while it lasts, and PASSED + ARCHIVED once fixed; nothing imported or read when off.
//!
//! moto quirk: GetFindings ignores `Filters`, so the test (like the adapter) reads every
//! finding and picks by id. moto does not require EnableSecurityHub before an import; the
//! test enables it anyway, as a real account needs.

use crate::common::*;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, ComplianceStatus, RecordState, SeverityLabel,
};
use vpce_guard_lambda::functions::compliance_sweep;

const ON: (&str, &str) = ("SECURITY_HUB_FINDINGS", "true");
const REPORT: (&str, &str) = ("GUARD_MODE", "report");

async fn findings(hub: &aws_sdk_securityhub::Client) -> Vec<AwsSecurityFinding> {
    hub.get_findings()
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|f| f.expect("get findings"))
        .collect()
}

fn by_id<'a>(all: &'a [AwsSecurityFinding], id: &str) -> &'a AwsSecurityFinding {
    all.iter().find(|f| f.id() == Some(id)).unwrap_or_else(|| {
        panic!(
            "no finding {id} in {:?}",
            all.iter().map(|f| f.id()).collect::<Vec<_>>()
        )
    })
}

async fn sweep(env: &Env, overrides: &[(&str, &str)]) -> serde_json::Value {
    compliance_sweep(&env.function(overrides), event("scheduled-event.json", &[]))
        .await
        .expect("sweep")
}

#[tokio::test]
async fn drift_becomes_a_failed_finding_and_the_fix_archives_it() {
    let env = Env::new().await;
    let hub = aws_sdk_securityhub::Client::new(&env.sdk);
    hub.enable_security_hub()
        .send()
        .await
        .expect("enable Security Hub");
    exempt_default_vpc(&env).await;
    let seeded = env.converged(1).await;
    // Drift of two severities: a missing endpoint, and a rule nobody asked for on the group.
    env.delete_endpoint_of(&seeded.vpc_id, "logs").await;
    let group = env.guard_group(&seeded.vpc_id).await.expect("guard group");
    env.open_ssh(group.group_id().expect("group id")).await;

    // Off (the default): no Security Hub request at all.
    let answer = sweep(&env, &[REPORT]).await;
    let calls = &run_summary(&answer)["api_calls_by_action"];
    assert!(calls.get("GetFindings").is_none(), "{calls}");
    assert!(findings(&hub).await.is_empty());

    // Report mode, on: FAILED findings with the fields Security Hub requires.
    let answer = sweep(&env, &[REPORT, ON]).await;
    let summary = run_summary(&answer);
    assert_eq!(summary["security_hub_active"], 2, "{summary}");
    assert_eq!(summary["security_hub_failed"], 0, "{summary}");
    let calls = &summary["api_calls_by_action"];
    assert_eq!(calls["GetFindings"], 1, "{calls}");
    assert_eq!(calls["BatchImportFindings"], 1, "{calls}");
    let all = findings(&hub).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let prefix = format!("vpce-guard/{ACCOUNT}/{REGION}/{}", seeded.vpc_id);
    let missing = by_id(&all, &format!("{prefix}/missing_endpoint/logs"));
    let rule = by_id(
        &all,
        &format!("{prefix}/security_group_rule_unexpected/vpc"),
    );
    for finding in [missing, rule] {
        assert_eq!(finding.schema_version(), Some("2018-10-08"));
        assert_eq!(
            finding.product_arn(),
            Some(
                format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default")
                    .as_str()
            )
        );
        assert_eq!(finding.aws_account_id(), Some(ACCOUNT));
        assert_eq!(
            finding.types(),
            ["Software and Configuration Checks/AWS Security Best Practices"]
        );
        assert!(finding.created_at().is_some() && finding.updated_at().is_some());
        assert!(finding.title().is_some_and(|t| t.contains(&seeded.vpc_id)));
        assert!(finding
            .description()
            .is_some_and(|d| d.contains("remediate mode")));
        assert_eq!(
            finding.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::Failed)
        );
        assert_eq!(finding.record_state(), Some(&RecordState::Active));
        assert!(finding
            .remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.text())
            .is_some_and(|t| !t.is_empty()));
        let vpc_arn = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{}", seeded.vpc_id);
        assert!(finding
            .resources()
            .iter()
            .any(|r| r.r#type() == Some("AwsEc2Vpc") && r.id() == Some(vpc_arn.as_str())));
        assert_eq!(
            finding
                .product_fields()
                .and_then(|p| p.get("vpce-guard/WillFix"))
                .map(String::as_str),
            Some("true")
        );
    }
    assert_eq!(missing.generator_id(), Some("vpce-guard/missing_endpoint"));
    let severity = |f: &AwsSecurityFinding| f.severity().and_then(|s| s.label()).cloned();
    assert_eq!(severity(missing), Some(SeverityLabel::Low));
    assert_eq!(severity(rule), Some(SeverityLabel::High));
    assert!(rule
        .resources()
        .iter()
        .any(|r| r.r#type() == Some("AwsEc2SecurityGroup")));
    let first_created = missing.created_at().map(str::to_string);

    // Still drifted: the same findings are refreshed, not duplicated; first-seen time kept.
    let answer = sweep(&env, &[REPORT, ON]).await;
    assert_eq!(run_summary(&answer)["security_hub_active"], 2);
    let all = findings(&hub).await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        by_id(&all, &format!("{prefix}/missing_endpoint/logs"))
            .created_at()
            .map(str::to_string),
        first_created
    );

    // Remediate: fixed, so both are re-imported PASSED and ARCHIVED.
    let answer = sweep(&env, &[ON]).await;
    let summary = run_summary(&answer);
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    assert_eq!(summary["security_hub_archived"], 2, "{summary}");
    assert_eq!(summary["security_hub_active"], 0, "{summary}");
    let all = findings(&hub).await;
    assert_eq!(all.len(), 2);
    for finding in &all {
        assert_eq!(
            finding.compliance().and_then(|c| c.status()),
            Some(&ComplianceStatus::Passed),
            "{finding:?}"
        );
        assert_eq!(finding.record_state(), Some(&RecordState::Archived));
    }

    // Compliant and nothing active: one read, no import.
    let answer = sweep(&env, &[ON]).await;
    let calls = &run_summary(&answer)["api_calls_by_action"];
    assert_eq!(calls["GetFindings"], 1, "{calls}");
    assert!(calls.get("BatchImportFindings").is_none(), "{calls}");
}

#[tokio::test]
async fn a_deleted_vpcs_findings_are_archived_by_the_next_sweep() {
    let env = Env::new().await;
    let hub = aws_sdk_securityhub::Client::new(&env.sdk);
    exempt_default_vpc(&env).await;
    let seeded = env.two_az_vpc(2).await;
    sweep(&env, &[REPORT, ON]).await;
    let active = findings(&hub).await;
    assert!(
        active
            .iter()
            .filter(|f| f.id().is_some_and(|id| id.contains(&seeded.vpc_id)))
            .count()
            >= 5,
        "the five missing endpoints: {active:?}"
    );
    // The VPC goes away (its route tables' associations, tables, subnets and gateway first, as
    // EC2 requires).
    let tables = env
        .ec2
        .describe_route_tables()
        .filters(filter("vpc-id", &seeded.vpc_id))
        .send()
        .await
        .expect("describe route tables");
    for table in tables.route_tables() {
        let is_main = table.associations().iter().any(|a| a.main() == Some(true));
        for association in table
            .associations()
            .iter()
            .filter(|a| a.main() != Some(true))
        {
            env.ec2
                .disassociate_route_table()
                .association_id(
                    association
                        .route_table_association_id()
                        .expect("association id"),
                )
                .send()
                .await
                .expect("disassociate");
        }
        if !is_main {
            env.ec2
                .delete_route_table()
                .route_table_id(table.route_table_id().expect("table id"))
                .send()
                .await
                .expect("delete route table");
        }
    }
    for subnet in seeded.public_subnets.iter().chain(&seeded.private_subnets) {
        env.ec2
            .delete_subnet()
            .subnet_id(subnet)
            .send()
            .await
            .expect("delete subnet");
    }
    let gateways = env
        .ec2
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id", &seeded.vpc_id))
        .send()
        .await
        .expect("describe internet gateways");
    for igw in gateways.internet_gateways() {
        let id = igw.internet_gateway_id().expect("igw id");
        env.ec2
            .detach_internet_gateway()
            .internet_gateway_id(id)
            .vpc_id(&seeded.vpc_id)
            .send()
            .await
            .expect("detach igw");
    }
    env.ec2
        .delete_vpc()
        .vpc_id(&seeded.vpc_id)
        .send()
        .await
        .expect("delete VPC");
    let answer = sweep(&env, &[REPORT, ON]).await;
    assert!(n(&answer, "security_hub_archived") >= 5, "{answer}");
    for finding in findings(&hub)
        .await
        .iter()
        .filter(|f| f.id().is_some_and(|id| id.contains(&seeded.vpc_id)))
    {
        assert_eq!(
            finding.record_state(),
            Some(&RecordState::Archived),
            "{finding:?}"
        );
    }
}
