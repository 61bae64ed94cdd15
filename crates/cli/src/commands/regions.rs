//! The guard run behind `plan` and `apply`, one Region at a time: the same SDK setup as the
//! Lambda functions (adaptive retry, timeouts), the same guard loop, notices printed instead of
//! published.

use std::sync::Arc;

use indicatif::ProgressBar;
use vpce_guard_adapters::sdk_error::api_error;
use vpce_guard_adapters::{counted_ec2, counted_nat_traffic, load_sdk_config, SdkOptions};
use vpce_guard_core::baseline::ProfileSet;
use vpce_guard_core::policy::{Mode, RunSettings};
use vpce_guard_core::ports::Scope;
use vpce_guard_service::VoidNotices;
use vpce_guard_service::{Guard, RunReport, RunRequest};

use crate::args::Target;
use crate::error::CliError;

/// The trigger name of CLI runs, carried into the printed notices.
pub const CLI_TRIGGER: &str = "cli";

/// One Region's run, with the account it ran in.
pub struct RegionRun {
    pub region: String,
    pub account_id: String,
    pub report: RunReport,
}

/// The Regions to work on: those given, else the configured default.
pub async fn regions(profile: Option<&str>, given: &[String]) -> Result<Vec<String>, CliError> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let sdk = load_sdk_config(SdkOptions {
        profile,
        ..SdkOptions::default()
    })
    .await;
    sdk.region().map(|r| vec![r.to_string()]).ok_or_else(|| {
        CliError("no region: pass --region or set AWS_REGION / a profile region".to_string())
    })
}

fn settings(target: &Target, profiles: &ProfileSet, mode: Mode) -> RunSettings {
    RunSettings {
        exempt_tag_key: target.exempt_tag_key.clone(),
        enable_vpc_dns: !target.no_enable_vpc_dns,
        remediation_concurrency: usize::from(target.concurrency),
        ..RunSettings::with_profiles(profiles.clone(), mode)
    }
}

/// The SDK setup of `region` and the account the credentials belong to (one STS call).
pub async fn connect(
    profile: Option<&str>,
    region: &str,
) -> Result<(aws_config::SdkConfig, String), CliError> {
    let sdk = load_sdk_config(SdkOptions {
        profile,
        region: Some(region),
        ..SdkOptions::default()
    })
    .await;
    let account_id = aws_sdk_sts::Client::new(&sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            CliError(format!(
                "cannot identify the account (sts:GetCallerIdentity) in {region}: {}",
                api_error("GetCallerIdentity", e)
            ))
        })?
        .account()
        .unwrap_or_default()
        .to_string();
    Ok((sdk, account_id))
}

/// Runs the guard in `region` (only `vpcs`, when given; else the target's VPCs or all).
pub async fn run_region(
    profile: Option<&str>,
    region: &str,
    target: &Target,
    profiles: &ProfileSet,
    mode: Mode,
    vpcs: Option<Vec<String>>,
    progress: Option<ProgressBar>,
) -> Result<RegionRun, CliError> {
    let (sdk, account_id) = connect(profile, region).await?;
    let (ec2, counter) = counted_ec2(&sdk, None, target.ec2_pacing.limits(), None);
    let nat_traffic = counted_nat_traffic(&sdk, &ec2, &counter);
    let mut guard = Guard::new(ec2, VoidNotices, settings(target, profiles, mode), region)
        .with_metrics(Arc::new(counter))
        .with_nat_traffic(Arc::new(nat_traffic));
    if let Some(bar) = progress {
        guard = guard.with_progress(Arc::new(move |_| bar.inc(1)));
    }
    let scope = match vpcs {
        Some(ids) => Scope::Vpcs(ids),
        None if target.vpcs.is_empty() => Scope::Region,
        None => Scope::Vpcs(target.vpcs.clone()),
    };
    let report = guard
        .run(RunRequest {
            account_id: account_id.clone(),
            trigger: CLI_TRIGGER.to_string(),
            read_dns_for_all: matches!(scope, Scope::Vpcs(_)),
            scope,
            publish_summary: false,
            notify: false,
        })
        .await?;
    Ok(RegionRun {
        region: region.to_string(),
        account_id,
        report,
    })
}

/// Report-mode runs of every target Region (what `plan` prints and `apply` starts from).
pub async fn plan_regions(
    profile: Option<&str>,
    target: &Target,
    profiles: &ProfileSet,
) -> Result<Vec<RegionRun>, CliError> {
    let mut runs = Vec::new();
    for region in regions(profile, &target.regions).await? {
        runs.push(run_region(profile, &region, target, profiles, Mode::Report, None, None).await?);
    }
    Ok(runs)
}

/// Remedies planned across `runs`.
pub fn planned_changes(runs: &[RegionRun]) -> usize {
    runs.iter()
        .flat_map(|r| &r.report.notices)
        .flat_map(|n| n.findings())
        .filter(|f| f.outcome == vpce_guard_core::notice::Outcome::Planned)
        .count()
}
