//! Configuration, read once at cold start from environment variables into typed structs: the
//! run policy every guard run follows ([`RunSettings`], from the core) and the deployment's own
//! settings (topic, timeouts, regions, accounts, queues).

use std::collections::BTreeSet;

use vpce_guard_core::baseline::BaselineDocument;
use vpce_guard_core::error::ConfigError;
use vpce_guard_core::events::{is_role_arn, OwnRoles};
use vpce_guard_core::ids::{is_account_id, is_region_name};
use vpce_guard_core::org::{schedule_period, AccountFilter, DEFAULT_SWEEP_DEADLINE};
use vpce_guard_core::policy::{
    Mode, RunSettings, DEFAULT_EXEMPT_TAG_KEY, DEFAULT_RELEASE_HOLD_HOURS,
    DEFAULT_RELEASE_WAIT_SECONDS, DEFAULT_REMEDIATION_CONCURRENCY, MAX_REMEDIATION_CONCURRENCY,
};

/// Everything a deployed function reads from its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardConfig {
    /// `GUARD_MODE`, `GUARD_BASELINE`, `EXEMPT_TAG_KEY`, `ENABLE_VPC_DNS`,
    /// `REMEDIATION_CONCURRENCY`: how every guard run behaves.
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
}

/// Upper bound for `API_TIMEOUT_SECONDS`: below Lambda's 900-second limit.
pub const MAX_API_TIMEOUT_SECONDS: u64 = 840;

/// The role the central deployment assumes in member accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRole {
    /// `MEMBER_ROLE_NAME`: role name (with its path, if any) in every member account.
    pub name: String,
    /// `MEMBER_ROLE_EXTERNAL_ID`: sent with AssumeRole when the role's trust policy asks for it.
    pub external_id: Option<String>,
}

/// Default for `WORK_MAX_RECEIVE_COUNT`; must equal the work queue's redrive `maxReceiveCount`.
pub const DEFAULT_WORK_MAX_RECEIVE_COUNT: u32 = 3;

/// Organization-scale settings; all optional, so a single-account deployment sets none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgConfig {
    /// `GUARD_REGIONS`: regions to guard (comma list); empty means the function's own region.
    pub regions: Vec<String>,
    /// `MEMBER_ROLE_NAME` (+ `MEMBER_ROLE_EXTERNAL_ID`); `None` guards only the own account.
    pub member_role: Option<MemberRole>,
    /// `GUARD_ACCOUNTS`: the accounts an org sweep covers; empty means AWS Organizations.
    pub accounts: Vec<String>,
    /// `ORG_INCLUDE_ACCOUNTS` / `ORG_EXCLUDE_ACCOUNTS`: filter on the Organizations list.
    pub account_filter: AccountFilter,
    /// `ORG_UNIT_IDS`: only accounts under these OUs (or roots), searched recursively.
    pub org_unit_ids: Vec<String>,
    /// `WORK_QUEUE_URL`: when set, the compliance sweep fans out one SQS message per
    /// (account, region) instead of sweeping itself.
    pub work_queue_url: Option<String>,
    /// `SWEEP_TABLE_NAME`: DynamoDB table where workers tally an org sweep (required with
    /// `WORK_QUEUE_URL` and by the sweep worker).
    pub sweep_table: Option<String>,
    /// `WORK_MAX_RECEIVE_COUNT`: the work queue's redrive `maxReceiveCount` (default 3).
    pub work_max_receive_count: u32,
    /// `SWEEP_DEADLINE_MINUTES`, else the period of `SWEEP_SCHEDULE` (`rate(...)`), else 6 hours:
    /// an org sweep still unfinished by then is summarised by the coordinator's next run.
    pub sweep_deadline: std::time::Duration,
}

impl Default for OrgConfig {
    fn default() -> Self {
        Self {
            regions: Vec::new(),
            member_role: None,
            accounts: Vec::new(),
            account_filter: AccountFilter::default(),
            org_unit_ids: Vec::new(),
            work_queue_url: None,
            sweep_table: None,
            work_max_receive_count: DEFAULT_WORK_MAX_RECEIVE_COUNT,
            sweep_deadline: DEFAULT_SWEEP_DEADLINE,
        }
    }
}

impl OrgConfig {
    /// The regions to guard, defaulting to `own_region`.
    pub fn regions_or(&self, own_region: &str) -> Vec<String> {
        if self.regions.is_empty() {
            vec![own_region.to_string()]
        } else {
            self.regions.clone()
        }
    }

    fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let list = |name: &'static str| -> Vec<String> {
            let mut items: Vec<String> = get(name)
                .unwrap_or_default()
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            items.sort();
            items.dedup();
            items
        };
        let checked = |name: &'static str,
                       ok: fn(&str) -> bool,
                       what: &str|
         -> Result<Vec<String>, ConfigError> {
            let items = list(name);
            if let Some(bad) = items.iter().find(|i| !ok(i)) {
                return Err(ConfigError::Invalid {
                    name,
                    value: bad.clone(),
                    reason: format!("expected a comma-separated list of {what}"),
                });
            }
            Ok(items)
        };
        let regions = checked(
            "GUARD_REGIONS",
            is_region_name,
            "region names like us-east-1",
        )?;
        let accounts = checked("GUARD_ACCOUNTS", is_account_id, "12-digit account ids")?;
        let include = checked(
            "ORG_INCLUDE_ACCOUNTS",
            is_account_id,
            "12-digit account ids",
        )?;
        let exclude = checked(
            "ORG_EXCLUDE_ACCOUNTS",
            is_account_id,
            "12-digit account ids",
        )?;
        let org_unit_ids = checked(
            "ORG_UNIT_IDS",
            |id| {
                (id.starts_with("ou-") || id.starts_with("r-"))
                    && id.len() > 3
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            },
            "OU ids (ou-…) or root ids (r-…)",
        )?;
        let role_name = get("MEMBER_ROLE_NAME");
        let external_id = get("MEMBER_ROLE_EXTERNAL_ID");
        let member_role = match (role_name, external_id) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "MEMBER_ROLE_NAME",
                })
            }
            (Some(name), external_id) => {
                let valid_name = name.len() <= 512
                    && !name.starts_with('/')
                    && !name.ends_with('/')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-/".contains(c));
                if !valid_name {
                    return Err(ConfigError::Invalid {
                        name: "MEMBER_ROLE_NAME",
                        value: name,
                        reason: "expected an IAM role name, optionally with its path (path/name)"
                            .to_string(),
                    });
                }
                if let Some(id) = &external_id {
                    if id.len() < 2 || id.len() > 1224 {
                        return Err(ConfigError::Invalid {
                            name: "MEMBER_ROLE_EXTERNAL_ID",
                            value: id.clone(),
                            reason: "external ids are 2 to 1224 characters".to_string(),
                        });
                    }
                }
                Some(MemberRole { name, external_id })
            }
        };
        let work_queue_url = get("WORK_QUEUE_URL");
        if let Some(url) = &work_queue_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::Invalid {
                    name: "WORK_QUEUE_URL",
                    value: url.clone(),
                    reason:
                        "expected an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)"
                            .to_string(),
                });
            }
        }
        let sweep_table = get("SWEEP_TABLE_NAME");
        if work_queue_url.is_some() && sweep_table.is_none() {
            return Err(ConfigError::Missing {
                name: "SWEEP_TABLE_NAME",
            });
        }
        let work_max_receive_count = match get("WORK_MAX_RECEIVE_COUNT") {
            None => DEFAULT_WORK_MAX_RECEIVE_COUNT,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "WORK_MAX_RECEIVE_COUNT",
                        value: text,
                        reason: "expected the work queue's maxReceiveCount, 1 to 1000".to_string(),
                    })
                }
            },
        };
        let sweep_deadline = if get("SWEEP_DEADLINE_MINUTES").is_some() {
            std::time::Duration::from_secs(
                whole_number(get, "SWEEP_DEADLINE_MINUTES", 0..=10_080, 0)? * 60,
            )
        } else {
            get("SWEEP_SCHEDULE")
                .as_deref()
                .and_then(schedule_period)
                .unwrap_or(DEFAULT_SWEEP_DEADLINE)
        };
        Ok(Self {
            regions,
            member_role,
            accounts,
            account_filter: AccountFilter {
                include: include.into_iter().collect(),
                exclude: exclude.into_iter().collect(),
            },
            org_unit_ids,
            work_queue_url,
            sweep_table,
            work_max_receive_count,
            sweep_deadline,
        })
    }
}

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
        let baseline = match get("GUARD_BASELINE") {
            None => BaselineDocument::standard(),
            Some(text) => BaselineDocument::parse(&text)?,
        };
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
        let enable_vpc_dns = match get("ENABLE_VPC_DNS")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "ENABLE_VPC_DNS",
                    value: other.to_string(),
                    reason: "expected `true` or `false`".to_string(),
                })
            }
        };
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
            0..=8760,
            DEFAULT_RELEASE_HOLD_HOURS,
        )?;
        let release_wait_seconds = whole_number(
            &get,
            "RELEASE_WAIT_SECONDS",
            0..=600,
            DEFAULT_RELEASE_WAIT_SECONDS,
        )?;
        let metrics_by_account = match get("METRICS_BY_ACCOUNT")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "METRICS_BY_ACCOUNT",
                    value: other.to_string(),
                    reason: "expected `true` or `false`".to_string(),
                })
            }
        };
        let org = OrgConfig::from_lookup(&get)?;
        let guard_role_arns: BTreeSet<String> = get("GUARD_ROLE_ARNS")
            .unwrap_or_default()
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if let Some(bad) = guard_role_arns.iter().find(|arn| !is_role_arn(arn)) {
            return Err(ConfigError::Invalid {
                name: "GUARD_ROLE_ARNS",
                value: bad.clone(),
                reason: "expected a comma-separated list of IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME)".to_string(),
            });
        }
        Ok(Self {
            run: RunSettings {
                mode,
                baseline,
                exempt_tag_key,
                enable_vpc_dns,
                remediation_concurrency,
                release_hold: std::time::Duration::from_secs(release_hold_hours * 3600),
                release_wait: std::time::Duration::from_secs(release_wait_seconds),
            },
            notice_topic_arn,
            api_timeout,
            org,
            guard_role_arns,
            metrics_by_account,
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

/// A whole number variable within `range`, or `default` when unset.
fn whole_number(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                value: text,
                reason: format!(
                    "expected a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
        assert_eq!(c.run.baseline, BaselineDocument::standard());
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
        assert_eq!(c.run.baseline.services.len(), 1);
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
}
