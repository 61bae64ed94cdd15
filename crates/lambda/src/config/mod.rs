//! Configuration, read once at cold start from environment variables into typed structs: the
//! run policy every guard run follows ([`RunSettings`], from the core) and the deployment's own
//! settings (topic, timeouts, regions, accounts, queues). `org` holds the organization-scale
//! settings, `values` the parsing shared by both.

mod org;
#[cfg(test)]
mod tests;
mod values;

pub use org::{MemberRole, OrgConfig, DEFAULT_WORK_MAX_RECEIVE_COUNT};
use values::{boolean, checked_list, decimal, whole_number};

use std::collections::BTreeSet;

use vpce_guard_adapters::pacing::{BucketSpec, PacingLimits, DEFAULT_READ, DEFAULT_WRITE};
use vpce_guard_core::baseline::{short_name, AccountProfiles, ProfileSet};
use vpce_guard_core::error::ConfigError;
use vpce_guard_core::events::{is_role_arn, OwnRoles};
use vpce_guard_core::ids::is_organization_id;
use vpce_guard_core::policy::{
    Mode, RunSettings, DEFAULT_EXEMPT_TAG_KEY, DEFAULT_RELEASE_HOLD_HOURS,
    DEFAULT_RELEASE_WAIT_SECONDS, DEFAULT_REMEDIATION_CONCURRENCY, MAX_RELEASE_HOLD_HOURS,
    MAX_REMEDIATION_CONCURRENCY,
};
use vpce_guard_core::usage::settings::{
    CLOUDWATCH_RETENTION_DAYS, DEFAULT_SAVINGS_WINDOW_DAYS, DEFAULT_USAGE_WINDOW_DAYS,
    MAX_SAVINGS_WINDOW_DAYS,
};
use vpce_guard_core::usage::{UsageCheck, UsageSettings};

/// Everything a deployed function reads from its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardConfig {
    /// `GUARD_MODE`, `GUARD_BASELINE` (one document or named profiles), `ACCOUNT_PROFILES`,
    /// `ORG_ID`, `EXEMPT_TAG_KEY`, `ENABLE_VPC_DNS`, `REMEDIATION_CONCURRENCY`,
    /// `REPAIR_UNMANAGED_ENDPOINTS`, `USAGE_CHECK`, `USAGE_WINDOW_DAYS`, `SAVINGS_WINDOW_DAYS`,
    /// `PRUNE_UNUSED`: how every guard run behaves.
    pub run: RunSettings,
    /// `NOTICE_TOPIC_ARN`: SNS topic for drift and remediation notices (required).
    pub notice_topic_arn: String,
    /// `API_TIMEOUT_SECONDS`: how long one AWS request attempt may take (default 30, 1..=840);
    /// a whole call, retries included, may take three times that.
    pub api_timeout: std::time::Duration,
    /// Regions, accounts and the fan-out queue (organization scale).
    pub org: OrgConfig,
    /// `GUARD_ROLE_ARNS`: the functions' own IAM roles (comma list). CloudTrail records of calls
    /// made by these roles, or by the member role, are the guard's own remediation coming back
    /// and are ignored (the EventBridge rule drops them first; this is defence in depth).
    pub guard_role_arns: BTreeSet<String>,
    /// `METRICS_BY_ACCOUNT`: the run metrics also per `[Account, Region]` (default true), not
    /// only for the whole deployment.
    pub metrics_by_account: bool,
    /// `SECURITY_HUB_FINDINGS`: import each run's drift into Security Hub in the account it is
    /// about (default false: Security Hub must be enabled there, and it bills per finding
    /// ingested beyond its free tier).
    pub security_hub_findings: bool,
    /// `EC2_READ_RATE`, `EC2_READ_BURST`, `EC2_WRITE_RATE`, `EC2_WRITE_BURST`: the guard's own
    /// request rate towards EC2 (per action, per account and Region, per invocation), each
    /// capped at half of EC2's bucket for the action.
    pub pacing: PacingLimits,
    /// `EC2_PACING`: `on` (default) or `off` (accounts whose EC2 limits were raised, emulators).
    pub pacing_enabled: bool,
}

/// With `ALLOWED_SERVICES` (the template's IAM condition), every profile's services must be in
/// it: otherwise EC2 would refuse the guard's first create with AccessDenied, hours later.
fn check_allowed(profiles: &ProfileSet, allowed: &[String]) -> Result<(), ConfigError> {
    if allowed.is_empty() {
        return Ok(());
    }
    for (name, doc) in profiles.profiles() {
        for entry in &doc.services {
            let short = short_name(&entry.service);
            if !allowed.iter().any(|a| a == short) {
                return Err(ConfigError::Invalid {
                    name: "GUARD_BASELINE",
                    value: format!("profile {name}, service {short}"),
                    reason: format!(
                        "the template's AllowedServices ({}) does not include {short}, so IAM would deny creating its endpoint: add it to AllowedServices",
                        allowed.join(",")
                    ),
                });
            }
        }
    }
    Ok(())
}

/// `USAGE_CHECK`, `USAGE_WINDOW_DAYS`, `SAVINGS_WINDOW_DAYS` and `PRUNE_UNUSED`.
fn usage_settings(get: &dyn Fn(&str) -> Option<String>) -> Result<UsageSettings, ConfigError> {
    let check = match get("USAGE_CHECK") {
        None => UsageCheck::default(),
        Some(text) => UsageCheck::parse(&text).ok_or_else(|| ConfigError::Invalid {
            name: "USAGE_CHECK",
            value: text.clone(),
            reason: "expected `daily`, `every_sweep` or `off`".to_string(),
        })?,
    };
    let window_days = whole_number(
        get,
        "USAGE_WINDOW_DAYS",
        1..=u64::from(CLOUDWATCH_RETENTION_DAYS),
        u64::from(DEFAULT_USAGE_WINDOW_DAYS),
    )?;
    let savings_window_days = whole_number(
        get,
        "SAVINGS_WINDOW_DAYS",
        1..=u64::from(MAX_SAVINGS_WINDOW_DAYS),
        u64::from(DEFAULT_SAVINGS_WINDOW_DAYS),
    )?;
    Ok(UsageSettings {
        check,
        // Both were checked against ranges that fit in a u32.
        window_days: u32::try_from(window_days).unwrap_or(DEFAULT_USAGE_WINDOW_DAYS),
        savings_window_days: u32::try_from(savings_window_days)
            .unwrap_or(DEFAULT_SAVINGS_WINDOW_DAYS),
        prune_unused: boolean(get, "PRUNE_UNUSED", false)?,
    })
}

/// Upper bound for `API_TIMEOUT_SECONDS`: below Lambda's 900-second limit.
pub const MAX_API_TIMEOUT_SECONDS: u64 = 840;

impl GuardConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mode = match get("GUARD_MODE").as_deref() {
            None | Some("report") => Mode::Report,
            Some("remediate") => Mode::Remediate,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "GUARD_MODE",
                    value: other.to_string(),
                    reason: "expected `remediate` or `report`".to_string(),
                })
            }
        };
        let profiles = match get("GUARD_BASELINE") {
            None => ProfileSet::standard(),
            Some(text) => ProfileSet::parse(&text)?,
        };
        let account_profiles = match get("ACCOUNT_PROFILES") {
            None => AccountProfiles::default(),
            Some(text) => AccountProfiles::parse(&text, &profiles)?,
        };
        let allowed_services = checked_list(
            &get,
            "ALLOWED_SERVICES",
            |s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            },
            "short service names (ecr.api, logs, ...)",
        )?;
        check_allowed(&profiles, &allowed_services)?;
        let central_endpoints = match get("CENTRAL_ENDPOINTS").as_deref() {
            None | Some("off") => false,
            Some("detect") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "CENTRAL_ENDPOINTS",
                    value: other.to_string(),
                    reason: "expected `detect` or `off`".to_string(),
                })
            }
        };
        let org_id = get("ORG_ID");
        if let Some(id) = &org_id {
            if !is_organization_id(id) {
                return Err(ConfigError::Invalid {
                    name: "ORG_ID",
                    value: id.clone(),
                    reason:
                        "expected an organization id (o- and 10 to 32 lowercase letters or digits)"
                            .to_string(),
                });
            }
        }
        let notice_topic_arn = get("NOTICE_TOPIC_ARN").ok_or(ConfigError::Missing {
            name: "NOTICE_TOPIC_ARN",
        })?;
        if !notice_topic_arn.starts_with("arn:") || notice_topic_arn.split(':').count() < 6 {
            return Err(ConfigError::Invalid {
                name: "NOTICE_TOPIC_ARN",
                value: notice_topic_arn,
                reason: "expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)".to_string(),
            });
        }
        let exempt_tag_key =
            get("EXEMPT_TAG_KEY").unwrap_or_else(|| DEFAULT_EXEMPT_TAG_KEY.to_string());
        if exempt_tag_key.len() > 128 {
            return Err(ConfigError::Invalid {
                name: "EXEMPT_TAG_KEY",
                value: exempt_tag_key,
                reason: "tag keys are at most 128 characters".to_string(),
            });
        }
        let enable_vpc_dns = boolean(&get, "ENABLE_VPC_DNS", true)?;
        let remediation_concurrency = match get("REMEDIATION_CONCURRENCY") {
            None => DEFAULT_REMEDIATION_CONCURRENCY,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_REMEDIATION_CONCURRENCY).contains(&n) => n,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "REMEDIATION_CONCURRENCY",
                        value: text,
                        reason: format!(
                            "expected a whole number from 1 to {MAX_REMEDIATION_CONCURRENCY}"
                        ),
                    })
                }
            },
        };
        let api_timeout = match get("API_TIMEOUT_SECONDS") {
            None => std::time::Duration::from_secs(30),
            Some(text) => match text.parse::<u64>() {
                Ok(n) if (1..=MAX_API_TIMEOUT_SECONDS).contains(&n) => {
                    std::time::Duration::from_secs(n)
                }
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "API_TIMEOUT_SECONDS",
                        value: text,
                        reason: format!(
                            "expected a whole number of seconds from 1 to {MAX_API_TIMEOUT_SECONDS}"
                        ),
                    })
                }
            },
        };
        let release_hold_hours = whole_number(
            &get,
            "RELEASE_HOLD_HOURS",
            0..=MAX_RELEASE_HOLD_HOURS,
            DEFAULT_RELEASE_HOLD_HOURS,
        )?;
        let release_wait_seconds = whole_number(
            &get,
            "RELEASE_WAIT_SECONDS",
            0..=600,
            DEFAULT_RELEASE_WAIT_SECONDS,
        )?;
        let repair_unmanaged_endpoints = boolean(&get, "REPAIR_UNMANAGED_ENDPOINTS", true)?;
        let usage = usage_settings(&get)?;
        let metrics_by_account = boolean(&get, "METRICS_BY_ACCOUNT", true)?;
        let security_hub_findings = boolean(&get, "SECURITY_HUB_FINDINGS", false)?;
        let pacing_enabled = match get("EC2_PACING").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "EC2_PACING",
                    value: other.to_string(),
                    reason: "expected `on` or `off`".to_string(),
                })
            }
        };
        let pacing = PacingLimits {
            read: BucketSpec {
                rate_per_sec: decimal(
                    &get,
                    "EC2_READ_RATE",
                    0.1..=1000.0,
                    DEFAULT_READ.rate_per_sec,
                )?,
                burst: decimal(&get, "EC2_READ_BURST", 1.0..=1000.0, DEFAULT_READ.burst)?,
            },
            write: BucketSpec {
                rate_per_sec: decimal(
                    &get,
                    "EC2_WRITE_RATE",
                    0.01..=1000.0,
                    DEFAULT_WRITE.rate_per_sec,
                )?,
                burst: decimal(&get, "EC2_WRITE_BURST", 1.0..=1000.0, DEFAULT_WRITE.burst)?,
            },
        };
        let org = OrgConfig::from_lookup(&get)?;
        let guard_role_arns: BTreeSet<String> = checked_list(
            &get,
            "GUARD_ROLE_ARNS",
            is_role_arn,
            "IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME)",
        )?
        .into_iter()
        .collect();
        Ok(Self {
            run: RunSettings {
                mode,
                profiles,
                account_profiles,
                org_id,
                central_endpoints,
                exempt_tag_key,
                enable_vpc_dns,
                remediation_concurrency,
                release_hold: std::time::Duration::from_secs(release_hold_hours * 3600),
                release_wait: std::time::Duration::from_secs(release_wait_seconds),
                repair_unmanaged_endpoints,
                usage,
            },
            notice_topic_arn,
            api_timeout,
            org,
            guard_role_arns,
            metrics_by_account,
            security_hub_findings,
            pacing,
            pacing_enabled,
        })
    }

    /// The roles whose calls are the guard's own: its functions' roles and the member role.
    pub fn own_roles(&self) -> OwnRoles {
        OwnRoles {
            role_arns: self.guard_role_arns.clone(),
            member_role_name: self.org.member_role.as_ref().map(|r| r.name.clone()),
        }
    }
}
