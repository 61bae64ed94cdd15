//! Configuration parsing: defaults, every variable, and the errors bad values give.

use super::*;
use std::collections::HashMap;
use vpce_guard_core::org::DEFAULT_SWEEP_DEADLINE;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:notices";

fn config(pairs: &[(&str, &str)]) -> Result<GuardConfig, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    GuardConfig::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn defaults_are_safe() {
    let c = config(&[("NOTICE_TOPIC_ARN", TOPIC)]).unwrap();
    assert_eq!(c.run.mode, Mode::Report);
    assert_eq!(c.run.profiles, ProfileSet::standard());
    assert!(c.run.account_profiles.is_empty());
    assert_eq!(c.run.org_id, None);
    assert!(!c.security_hub_findings);
    assert_eq!(c.run.exempt_tag_key, "vpce-guard:exempt");
    assert!(c.run.enable_vpc_dns);
    assert_eq!(c.run.remediation_concurrency, 8);
    assert_eq!(c.org, OrgConfig::default());
    assert_eq!(c.api_timeout.as_secs(), 30);
    assert!(c.guard_role_arns.is_empty());
    assert_eq!(c.org.regions_or("eu-west-1"), ["eu-west-1"]);
}

#[test]
fn organization_settings_are_read_and_checked() {
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_REGIONS", "us-east-1, eu-west-1,us-east-1"),
        ("GUARD_ACCOUNTS", "111111111111,222222222222"),
        ("ORG_EXCLUDE_ACCOUNTS", "333333333333"),
        ("ORG_UNIT_IDS", "ou-ab12-cdef3456 r-ab12"),
        ("MEMBER_ROLE_NAME", "guard/vpce-guard-member"),
        ("MEMBER_ROLE_EXTERNAL_ID", "shared-secret"),
        (
            "WORK_QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/work",
        ),
        ("SWEEP_TABLE_NAME", "sweeps"),
        ("WORK_MAX_RECEIVE_COUNT", "5"),
    ])
    .unwrap();
    assert_eq!(c.org.regions, ["eu-west-1", "us-east-1"]);
    assert_eq!(c.org.regions_or("ap-south-1"), ["eu-west-1", "us-east-1"]);
    assert_eq!(c.org.accounts, ["111111111111", "222222222222"]);
    assert!(c.org.account_filter.exclude.contains("333333333333"));
    assert_eq!(c.org.org_unit_ids, ["ou-ab12-cdef3456", "r-ab12"]);
    let role = c.org.member_role.clone().unwrap();
    assert_eq!(role.name, "guard/vpce-guard-member");
    assert_eq!(role.external_id.as_deref(), Some("shared-secret"));
    assert_eq!(c.org.sweep_table.as_deref(), Some("sweeps"));
    assert_eq!(c.org.work_max_receive_count, 5);
    assert!(c
        .own_roles()
        .is_own("arn:aws:iam::210987654321:role/guard/vpce-guard-member"));
    assert_eq!(c.org.sweep_deadline, DEFAULT_SWEEP_DEADLINE);
    let from_schedule = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("SWEEP_SCHEDULE", "rate(2 hours)"),
    ])
    .unwrap();
    assert_eq!(from_schedule.org.sweep_deadline.as_secs(), 7_200);
    assert_eq!(from_schedule.org.sweep_interval.as_secs(), 7_200);
    assert_eq!(c.org.sweep_interval.as_secs(), 21_600, "the default");
    let explicit = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("SWEEP_SCHEDULE", "rate(2 hours)"),
        ("SWEEP_DEADLINE_MINUTES", "45"),
    ])
    .unwrap();
    assert_eq!(explicit.org.sweep_deadline.as_secs(), 2_700);

    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("GUARD_REGIONS", "us-east-1,Virginia")], "GUARD_REGIONS"),
        (&[("GUARD_ACCOUNTS", "1234")], "GUARD_ACCOUNTS"),
        (&[("ORG_UNIT_IDS", "engineering")], "ORG_UNIT_IDS"),
        (&[("MEMBER_ROLE_EXTERNAL_ID", "xyz")], "MEMBER_ROLE_NAME"),
        (&[("MEMBER_ROLE_NAME", "bad role")], "MEMBER_ROLE_NAME"),
        (&[("WORK_QUEUE_URL", "work")], "WORK_QUEUE_URL"),
        (
            &[("WORK_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/q")],
            "SWEEP_TABLE_NAME",
        ),
        (&[("WORK_MAX_RECEIVE_COUNT", "0")], "WORK_MAX_RECEIVE_COUNT"),
        (
            &[("SWEEP_INTERVAL_SECONDS", "420")],
            "SWEEP_INTERVAL_SECONDS",
        ),
        (
            &[("SWEEP_INTERVAL_SECONDS", "90")],
            "SWEEP_INTERVAL_SECONDS",
        ),
        (
            &[
                ("SWEEP_INTERVAL_SECONDS", "3600"),
                ("SWEEP_SCHEDULE", "rate(6 hours)"),
            ],
            "SWEEP_INTERVAL_SECONDS",
        ),
        (
            &[("REPAIR_UNMANAGED_ENDPOINTS", "maybe")],
            "REPAIR_UNMANAGED_ENDPOINTS",
        ),
        (
            &[("GUARD_ROLE_ARNS", "NetworkEventsRole")],
            "GUARD_ROLE_ARNS",
        ),
    ];
    for (pairs, name) in cases {
        let mut all = vec![("NOTICE_TOPIC_ARN", TOPIC)];
        all.extend_from_slice(pairs);
        let err = config(&all).unwrap_err().to_string();
        assert!(err.contains(name), "{pairs:?}: {err}");
    }
}

#[test]
fn the_functions_roles_are_the_guards_own() {
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        (
            "GUARD_ROLE_ARNS",
            "arn:aws:iam::123456789012:role/a, arn:aws:iam::123456789012:role/b",
        ),
    ])
    .unwrap();
    let own = c.own_roles();
    assert!(own.is_own("arn:aws:iam::123456789012:role/a"));
    assert!(own.is_own("arn:aws:iam::123456789012:role/b"));
    assert!(!own.is_own("arn:aws:iam::123456789012:role/c"));
    assert_eq!(own.member_role_name, None);
}

#[test]
fn every_variable_is_read() {
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_MODE", "remediate"),
        ("GUARD_BASELINE", r#"[{"service":"s3","type":"Gateway"}]"#),
        ("EXEMPT_TAG_KEY", "skip-me"),
        ("ENABLE_VPC_DNS", "FALSE"),
        ("REMEDIATION_CONCURRENCY", "3"),
        ("API_TIMEOUT_SECONDS", "120"),
    ])
    .unwrap();
    assert_eq!(c.api_timeout.as_secs(), 120);
    assert_eq!(c.run.mode, Mode::Remediate);
    assert_eq!(c.run.profiles.profiles().len(), 1);
    let only = c
        .run
        .profiles
        .get(c.run.profiles.default_profile())
        .unwrap();
    assert_eq!(only.services.len(), 1);
    assert_eq!(c.run.exempt_tag_key, "skip-me");
    assert!(!c.run.enable_vpc_dns);
    assert_eq!(c.run.remediation_concurrency, 3);
}

#[test]
fn bad_values_name_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "NOTICE_TOPIC_ARN"),
        (&[("NOTICE_TOPIC_ARN", "my-topic")], "NOTICE_TOPIC_ARN"),
        (
            &[("NOTICE_TOPIC_ARN", TOPIC), ("GUARD_MODE", "fix")],
            "GUARD_MODE",
        ),
        (
            &[("NOTICE_TOPIC_ARN", TOPIC), ("ENABLE_VPC_DNS", "yes")],
            "ENABLE_VPC_DNS",
        ),
        (
            &[
                ("NOTICE_TOPIC_ARN", TOPIC),
                ("REMEDIATION_CONCURRENCY", "0"),
            ],
            "REMEDIATION_CONCURRENCY",
        ),
        (
            &[
                ("NOTICE_TOPIC_ARN", TOPIC),
                ("REMEDIATION_CONCURRENCY", "65"),
            ],
            "REMEDIATION_CONCURRENCY",
        ),
        (
            &[("NOTICE_TOPIC_ARN", TOPIC), ("GUARD_BASELINE", "[{}]")],
            "GUARD_BASELINE",
        ),
        (
            &[("NOTICE_TOPIC_ARN", TOPIC), ("API_TIMEOUT_SECONDS", "900")],
            "API_TIMEOUT_SECONDS",
        ),
    ];
    for (pairs, name) in cases {
        let err = config(pairs).unwrap_err().to_string();
        assert!(err.contains(name), "{pairs:?}: {err}");
    }
}

#[test]
fn profiles_account_profiles_and_the_organization_id_are_read_and_checked() {
    let profiles = r#"{"default_profile": "base", "profiles": {
        "base": {"preset": "ecs-fargate"}, "eks": {"preset": "eks"}}}"#;
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_BASELINE", profiles),
        (
            "ACCOUNT_PROFILES",
            r#"{"111122223333": "eks", "ou-ab12-34567890": "base"}"#,
        ),
        ("ORG_ID", "o-abcdef1234"),
        ("SECURITY_HUB_FINDINGS", "true"),
    ])
    .unwrap();
    assert_eq!(c.run.profiles.default_profile(), "base");
    assert_eq!(c.run.account_profiles.get("111122223333"), Some("eks"));
    assert_eq!(c.run.org_id.as_deref(), Some("o-abcdef1234"));
    assert!(c.security_hub_findings);

    let unknown = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_BASELINE", profiles),
        ("ACCOUNT_PROFILES", r#"{"111122223333": "ssm"}"#),
    ])
    .unwrap_err();
    assert!(unknown.to_string().contains("ssm"), "{unknown}");
    let bad_org = config(&[("NOTICE_TOPIC_ARN", TOPIC), ("ORG_ID", "org-1")]).unwrap_err();
    assert!(bad_org.to_string().contains("ORG_ID"), "{bad_org}");
}

#[test]
fn every_profile_service_must_be_allowed_by_the_templates_iam_condition() {
    let eks = r#"{"preset": "eks"}"#;
    let refused = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_BASELINE", eks),
        ("ALLOWED_SERVICES", "s3,dynamodb,ecr.api,ecr.dkr,logs"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains("AllowedServices") && refused.contains("ec2"),
        "{refused}"
    );
    let allowed = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("GUARD_BASELINE", eks),
        (
            "ALLOWED_SERVICES",
            "s3,ecr.api,ecr.dkr,ec2,sts,elasticloadbalancing,autoscaling,logs",
        ),
    ]);
    assert!(allowed.is_ok(), "{allowed:?}");
}

#[test]
fn the_ec2_request_rates_are_read_and_bounded() {
    let c = config(&[("NOTICE_TOPIC_ARN", TOPIC)]).unwrap();
    assert_eq!(
        c.pacing,
        vpce_guard_adapters::pacing::PacingLimits::default()
    );
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("EC2_READ_RATE", "4.5"),
        ("EC2_READ_BURST", "20"),
        ("EC2_WRITE_RATE", "0.5"),
        ("EC2_WRITE_BURST", "3"),
    ])
    .unwrap();
    assert_eq!(c.pacing.read.rate_per_sec, 4.5);
    assert_eq!(c.pacing.read.burst, 20.0);
    assert_eq!(c.pacing.write.rate_per_sec, 0.5);
    assert_eq!(c.pacing.write.burst, 3.0);
    for (name, bad) in [
        ("EC2_READ_RATE", "0"),
        ("EC2_WRITE_BURST", "fast"),
        ("EC2_READ_RATE", "NaN"),
    ] {
        let err = config(&[("NOTICE_TOPIC_ARN", TOPIC), (name, bad)]).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn usage_settings_default_to_a_daily_check_without_pruning() {
    let c = config(&[("NOTICE_TOPIC_ARN", TOPIC)]).unwrap();
    assert_eq!(c.run.usage, UsageSettings::default());
    assert_eq!(c.run.usage.check, UsageCheck::Daily);
    assert_eq!(
        (c.run.usage.window_days, c.run.usage.savings_window_days),
        (30, 14)
    );
    assert!(!c.run.usage.prune_unused);
    let c = config(&[
        ("NOTICE_TOPIC_ARN", TOPIC),
        ("USAGE_CHECK", "every_sweep"),
        ("USAGE_WINDOW_DAYS", "60"),
        ("SAVINGS_WINDOW_DAYS", "7"),
        ("PRUNE_UNUSED", "true"),
    ])
    .unwrap();
    assert_eq!(c.run.usage.check, UsageCheck::EverySweep);
    assert_eq!(
        (c.run.usage.window_days, c.run.usage.savings_window_days),
        (60, 7)
    );
    assert!(c.run.usage.prune_unused);
    for (name, value) in [
        ("USAGE_CHECK", "hourly"),
        ("USAGE_WINDOW_DAYS", "0"),
        ("USAGE_WINDOW_DAYS", "456"),
        ("SAVINGS_WINDOW_DAYS", "91"),
        ("PRUNE_UNUSED", "yes please"),
    ] {
        let error = config(&[("NOTICE_TOPIC_ARN", TOPIC), (name, value)]).unwrap_err();
        assert!(error.to_string().contains(name), "{name}={value}: {error}");
    }
}
