//! Baseline profiles (issue #14 part 1) through the compliance-sweep entry point against moto:
//! each VPC gets the endpoint set of its profile (VPC tag, then ACCOUNT_PROFILES by account or
//! by OU, then the default), a tag naming an unknown profile changes nothing and is reported,
//! and every VPC notice names its profile.

use std::collections::BTreeSet;

use crate::common::*;
use vpce_guard_core::planner::Drift;
use vpce_guard_lambda::functions::compliance_sweep;

const PROFILES: &str = r#"{"default_profile": "apps", "profiles": {
    "apps": {"preset": "ecs-fargate"},
    "bastion": {"preset": "ssm"}}}"#;

async fn services(env: &Env, vpc_id: &str) -> BTreeSet<String> {
    env.endpoints(vpc_id)
        .await
        .iter()
        .filter_map(|e| e.service_name())
        .map(|name| {
            name.trim_start_matches(&format!("com.amazonaws.{REGION}."))
                .to_string()
        })
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn each_vpc_gets_its_profiles_endpoints_and_an_unknown_profile_changes_nothing() {
    let env = Env::new().await;
    let apps = env.two_az_vpc(1).await;
    let bastion = env.two_az_vpc(2).await;
    let typo = env.two_az_vpc(3).await;
    env.tag(&bastion.vpc_id, "vpce-guard:profile", "bastion")
        .await;
    env.tag(&typo.vpc_id, "vpce-guard:profile", "bastoin").await;

    let function = env.function(&[("GUARD_BASELINE", PROFILES)]);
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");

    assert_eq!(
        services(&env, &apps.vpc_id).await,
        set(&["dynamodb", "ecr.api", "ecr.dkr", "logs", "s3"])
    );
    assert_eq!(
        services(&env, &bastion.vpc_id).await,
        set(&["ec2messages", "ssm", "ssmmessages"])
    );
    assert!(services(&env, &typo.vpc_id).await.is_empty());
    assert!(
        env.guard_group(&typo.vpc_id).await.is_none(),
        "nothing created"
    );

    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let notice = |vpc: &str| {
        notices
            .iter()
            .find(|n| n.vpc_id() == Some(vpc))
            .and_then(|n| n.vpc())
            .unwrap_or_else(|| panic!("notice for {vpc}"))
    };
    assert_eq!(notice(&apps.vpc_id).profile.as_deref(), Some("apps"));
    assert_eq!(notice(&bastion.vpc_id).profile.as_deref(), Some("bastion"));
    let typo_notice = notice(&typo.vpc_id);
    assert_eq!(typo_notice.profile, None);
    assert_eq!(typo_notice.findings.len(), 1);
    assert_eq!(typo_notice.findings[0].drift, Drift::UnknownProfile);
    let why = typo_notice.findings[0].error.as_deref().unwrap_or_default();
    assert!(
        why.contains("bastoin") && why.contains("apps, bastion"),
        "{why}"
    );
}

#[tokio::test]
async fn account_profiles_pick_by_account_and_by_the_organizations_root() {
    let env = Env::new().await;
    env.create_organization().await;
    let org = aws_sdk_organizations::Client::new(&env.sdk);
    let root = org.list_roots().send().await.expect("list roots").roots()[0]
        .id()
        .expect("root id")
        .to_string();
    let vpc = env.two_az_vpc(1).await;

    // By the root above the account: the function reads the account's parents.
    let by_root = format!(r#"{{"{root}": "bastion"}}"#);
    let function = env.function(&[("GUARD_BASELINE", PROFILES), ("ACCOUNT_PROFILES", &by_root)]);
    compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(
        services(&env, &vpc.vpc_id).await,
        set(&["ec2messages", "ssm", "ssmmessages"])
    );

    // The account's own entry wins over its OUs; the VPC tag wins over both.
    let both = format!(r#"{{"{root}": "bastion", "{ACCOUNT}": "apps"}}"#);
    let second = env.two_az_vpc(2).await;
    let tagged = env.two_az_vpc(3).await;
    env.tag(&tagged.vpc_id, "vpce-guard:profile", "bastion")
        .await;
    let function = env.function(&[("GUARD_BASELINE", PROFILES), ("ACCOUNT_PROFILES", &both)]);
    compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(
        services(&env, &second.vpc_id).await,
        set(&["dynamodb", "ecr.api", "ecr.dkr", "logs", "s3"])
    );
    assert_eq!(
        services(&env, &tagged.vpc_id).await,
        set(&["ec2messages", "ssm", "ssmmessages"])
    );
}

#[tokio::test]
async fn org_only_policies_get_the_organization_id_from_organizations_when_org_id_is_unset() {
    const PERIMETER: &str =
        r#"[{"service":"s3","type":"Gateway","policy":["org-only","ecr-image-layers"]}]"#;
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let vpc = env.two_az_vpc(1).await;

    // No organization yet: the profile cannot be filled in, so nothing is created there.
    let answer = compliance_sweep(
        &env.function(&[("GUARD_BASELINE", PERIMETER)]),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("sweep");
    assert_eq!(n(&answer, "actions_applied"), 0, "{answer}");
    let notices = env.notices().await;
    let finding = &notices
        .iter()
        .find(|n| n.vpc_id() == Some(vpc.vpc_id.as_str()))
        .expect("notice")
        .findings()[0];
    assert_eq!(finding.drift, Drift::UnknownProfile);
    assert!(
        finding.error.as_deref().is_some_and(|e| e.contains("org")),
        "{finding:?}"
    );

    // In an organization: the id is read once (DescribeOrganization) and fills the policy.
    let org_id = env.create_organization().await;
    let answer = compliance_sweep(
        &env.function(&[("GUARD_BASELINE", PERIMETER)]),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("sweep");
    assert_eq!(n(&answer, "actions_applied"), 1, "{answer}");
    let endpoints = env.endpoints(&vpc.vpc_id).await;
    let policy = endpoints[0].policy_document().expect("policy");
    assert!(policy.contains(&org_id), "{policy}");
    assert!(
        policy.contains(&format!("prod-{REGION}-starport-layer-bucket")),
        "{policy}"
    );
    assert!(!policy.contains("${"), "every placeholder filled: {policy}");
}
