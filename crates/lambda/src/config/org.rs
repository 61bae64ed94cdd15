//! Organization-scale settings: Regions, accounts, the member role, the fan-out queue, the
//! ledger and the sweep deadline. All optional, so a single-account deployment sets none.

use vpce_guard_core::error::ConfigError;
use vpce_guard_core::ids::{is_account_id, is_region_name};
use vpce_guard_core::org::{
    is_valid_sweep_interval, schedule_period, AccountFilter, DEFAULT_SWEEP_DEADLINE,
    DEFAULT_SWEEP_INTERVAL,
};

use super::values::{checked_list, whole_number};

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
    /// `SWEEP_INTERVAL_SECONDS` (default 21600): how often the schedule fires. It divides a day,
    /// so the run in the first interval after midnight UTC makes the daily checks.
    pub sweep_interval: std::time::Duration,
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
            sweep_interval: DEFAULT_SWEEP_INTERVAL,
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

    pub(super) fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let checked = |name: &'static str, ok: fn(&str) -> bool, what: &str| {
            checked_list(get, name, ok, what)
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
        // SWEEP_INTERVAL_SECONDS, else the period of a rate(...) schedule; both given, they agree.
        let schedule = get("SWEEP_SCHEDULE").as_deref().and_then(schedule_period);
        let sweep_interval = match get("SWEEP_INTERVAL_SECONDS") {
            None => schedule.unwrap_or(DEFAULT_SWEEP_INTERVAL),
            Some(_) => std::time::Duration::from_secs(whole_number(
                get,
                "SWEEP_INTERVAL_SECONDS",
                60..=86_400,
                0,
            )?),
        };
        if !is_valid_sweep_interval(sweep_interval) {
            return Err(ConfigError::Invalid {
                name: "SWEEP_INTERVAL_SECONDS",
                value: sweep_interval.as_secs().to_string(),
                reason: "expected whole minutes that divide a day (300, 900, 3600, 21600, ...)"
                    .to_string(),
            });
        }
        if let Some(period) = schedule.filter(|p| *p != sweep_interval) {
            return Err(ConfigError::Invalid {
                name: "SWEEP_INTERVAL_SECONDS",
                value: sweep_interval.as_secs().to_string(),
                reason: format!(
                    "SWEEP_SCHEDULE fires every {} s: set SweepIntervalSeconds to it",
                    period.as_secs()
                ),
            });
        }
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
            sweep_interval,
        })
    }
}
