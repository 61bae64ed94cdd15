//! Run policy: how a guard run behaves, whoever runs it (a Lambda function or the CLI).
//! Deployment settings (topics, queues, roles, timeouts) live with the Lambda wiring.

use serde::{Deserialize, Serialize};

use crate::baseline::{AccountProfiles, BaselineDocument, ProfileSet};
use crate::planner::PlannerOptions;
use crate::usage::UsageSettings;

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
/// Default for `REMEDIATION_CONCURRENCY`.
pub const DEFAULT_REMEDIATION_CONCURRENCY: usize = 8;
/// Default for `RELEASE_HOLD_HOURS`: a released VPC or subnet gets nothing for a day, time for
/// a teardown pipeline to finish or give up.
pub const DEFAULT_RELEASE_HOLD_HOURS: u64 = 24;
/// Upper bound of `RELEASE_HOLD_HOURS` and of a hold stored in the release tag: a year.
pub const MAX_RELEASE_HOLD_HOURS: u64 = 8760;
/// Default for `RELEASE_WAIT_SECONDS`: how long a release waits for its interface endpoints to
/// be deleted before deleting their security group (EC2 deletes endpoints asynchronously).
pub const DEFAULT_RELEASE_WAIT_SECONDS: u64 = 60;
/// Default for `EXEMPT_TAG_KEY`.
pub const DEFAULT_EXEMPT_TAG_KEY: &str = "vpce-guard:exempt";

/// What a guard run needs to know besides its ports: the baseline and how to act on drift.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// `GUARD_MODE`: `remediate` or `report` (default `report`, the safe choice).
    pub mode: Mode,
    /// `GUARD_BASELINE`: one baseline document or named profiles; unset means the standard set.
    pub profiles: ProfileSet,
    /// `ACCOUNT_PROFILES`: the profile of an account or of the accounts under an OU.
    pub account_profiles: AccountProfiles,
    /// `ORG_ID`: the organization id `${org_id}` in endpoint policies stands for.
    pub org_id: Option<String>,
    /// `CENTRAL_ENDPOINTS=detect`: a VPC whose private hosted zones already serve a service's
    /// private DNS name gets no local endpoint for it.
    pub central_endpoints: bool,
    /// `EXEMPT_TAG_KEY`: VPCs carrying this tag are skipped.
    pub exempt_tag_key: String,
    /// `ENABLE_VPC_DNS`: whether the guard may enable the VPC DNS attributes private DNS needs.
    pub enable_vpc_dns: bool,
    /// `REMEDIATION_CONCURRENCY`: VPCs remediated (or DNS attributes read) at once.
    pub remediation_concurrency: usize,
    /// `RELEASE_HOLD_HOURS`: how long a VPC or subnet the guard released (its deletion was
    /// blocked by the guard's resources) stays untouched.
    pub release_hold: std::time::Duration,
    /// `RELEASE_WAIT_SECONDS`: how long a release waits for its endpoints to be gone.
    pub release_wait: std::time::Duration,
    /// `REPAIR_UNMANAGED_ENDPOINTS`: whether the guard adds route tables and subnets to endpoints
    /// it did not create (default true), or only reports those gaps (the IAM statement that
    /// allows it is then absent).
    pub repair_unmanaged_endpoints: bool,
    /// `USAGE_CHECK`, `USAGE_WINDOW_DAYS`, `SAVINGS_WINDOW_DAYS`, `PRUNE_UNUSED`.
    pub usage: UsageSettings,
}

impl RunSettings {
    /// The safe defaults with `baseline` (the one profile) and `mode`.
    pub fn new(baseline: BaselineDocument, mode: Mode) -> Self {
        Self::with_profiles(ProfileSet::single(baseline), mode)
    }

    /// The safe defaults with named `profiles` and `mode`.
    pub fn with_profiles(profiles: ProfileSet, mode: Mode) -> Self {
        Self {
            mode,
            profiles,
            account_profiles: AccountProfiles::default(),
            org_id: None,
            central_endpoints: false,
            exempt_tag_key: DEFAULT_EXEMPT_TAG_KEY.to_string(),
            enable_vpc_dns: true,
            remediation_concurrency: DEFAULT_REMEDIATION_CONCURRENCY,
            release_hold: std::time::Duration::from_secs(DEFAULT_RELEASE_HOLD_HOURS * 3600),
            release_wait: std::time::Duration::from_secs(DEFAULT_RELEASE_WAIT_SECONDS),
            repair_unmanaged_endpoints: true,
            usage: UsageSettings::default(),
        }
    }

    /// The planner's options for a run at `now` (seconds since the epoch).
    pub fn planner_options(&self, now: i64) -> PlannerOptions {
        PlannerOptions {
            exempt_tag_key: self.exempt_tag_key.clone(),
            enable_vpc_dns: self.enable_vpc_dns,
            now,
            release_hold_seconds: i64::try_from(self.release_hold.as_secs()).unwrap_or(i64::MAX),
            repair_unmanaged_endpoints: self.repair_unmanaged_endpoints,
        }
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        Self::new(BaselineDocument::standard(), Mode::Report)
    }
}
