//! Configuration, read once at cold start from environment variables into a typed struct.

use crate::baseline::BaselineDocument;
use crate::error::ConfigError;
use crate::planner::PlannerOptions;
use serde::{Deserialize, Serialize};

/// Whether the guard changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Apply every safe remedy, then report.
    Remediate,
    /// Change nothing; report what would be done.
    Report,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Remediate => "remediate",
            Mode::Report => "report",
        }
    }
}

/// Upper bound for `REMEDIATION_CONCURRENCY`: EC2 throttles per account and region.
pub const MAX_REMEDIATION_CONCURRENCY: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct GuardConfig {
    /// `GUARD_MODE`: `remediate` or `report` (default `report`, the safe choice).
    pub mode: Mode,
    /// `GUARD_BASELINE`: JSON baseline; unset or empty means the standard set.
    pub baseline: BaselineDocument,
    /// `NOTICE_TOPIC_ARN`: SNS topic for drift and remediation notices (required).
    pub notice_topic_arn: String,
    /// `EXEMPT_TAG_KEY`: VPCs carrying this tag are skipped (default `vpce-guard:exempt`).
    pub exempt_tag_key: String,
    /// `ENABLE_VPC_DNS`: whether the guard may enable the VPC DNS attributes private DNS needs (default true).
    pub enable_vpc_dns: bool,
    /// `REMEDIATION_CONCURRENCY`: VPCs remediated at once (default 8, 1..=64).
    pub remediation_concurrency: usize,
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
            get("EXEMPT_TAG_KEY").unwrap_or_else(|| "vpce-guard:exempt".to_string());
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
            None => 8,
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
        Ok(Self {
            mode,
            baseline,
            notice_topic_arn,
            exempt_tag_key,
            enable_vpc_dns,
            remediation_concurrency,
        })
    }

    pub fn planner_options(&self) -> PlannerOptions {
        PlannerOptions {
            exempt_tag_key: self.exempt_tag_key.clone(),
            enable_vpc_dns: self.enable_vpc_dns,
        }
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
        assert_eq!(c.mode, Mode::Report);
        assert_eq!(c.baseline, BaselineDocument::standard());
        assert_eq!(c.exempt_tag_key, "vpce-guard:exempt");
        assert!(c.enable_vpc_dns);
        assert_eq!(c.remediation_concurrency, 8);
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
        ])
        .unwrap();
        assert_eq!(c.mode, Mode::Remediate);
        assert_eq!(c.baseline.services.len(), 1);
        assert_eq!(c.exempt_tag_key, "skip-me");
        assert!(!c.enable_vpc_dns);
        assert_eq!(c.remediation_concurrency, 3);
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
        ];
        for (pairs, name) in cases {
            let err = config(pairs).unwrap_err().to_string();
            assert!(err.contains(name), "{pairs:?}: {err}");
        }
    }
}
