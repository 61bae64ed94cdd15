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
use vpce_guard_core::resource_id::VpcId;
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

/// The Regions to work on: those given (each checked against the AWS partitions, duplicates
/// dropped), else the configured default.
pub async fn regions(profile: Option<&str>, given: &[String]) -> Result<Vec<String>, CliError> {
    if !given.is_empty() {
        let mut out: Vec<String> = Vec::new();
        for region in given {
            crate::aws_env::check_region(region)?;
            if !out.contains(region) {
                out.push(region.clone());
            }
        }
        return Ok(out);
    }
    let sdk = load_sdk_config(SdkOptions {
        profile,
        ..SdkOptions::default()
    })
    .await;
    let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
        CliError("no region: pass --region or set AWS_REGION / a profile region".to_string())
    })?;
    crate::aws_env::check_region(&region)?;
    Ok(vec![region])
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
        .map_err(|e| CliError::aws(region, &api_error("GetCallerIdentity", e)))?
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
    if vpcs.is_none() {
        check_vpcs_exist(&sdk, region, &account_id, &target.vpcs).await?;
    }
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
        .await
        .map_err(|e| CliError::guard(region, &e))?;
    Ok(RegionRun {
        region: region.to_string(),
        account_id,
        report,
    })
}

/// Report-mode runs of every target Region (what `plan` prints and `apply` starts from): one
/// Region that fails does not lose the others' results.
pub async fn plan_regions(
    profile: Option<&str>,
    target: &Target,
    profiles: &ProfileSet,
) -> Result<RegionRuns, CliError> {
    let mut out = RegionRuns::default();
    for region in regions(profile, &target.regions).await? {
        match run_region(profile, &region, target, profiles, Mode::Report, None, None).await {
            Ok(run) => out.runs.push(run),
            Err(e) => out.failed.push((region, e)),
        }
    }
    if out.runs.is_empty() {
        if let [(_, only)] = out.failed.as_slice() {
            return Err(CliError(only.0.clone()));
        }
    }
    Ok(out)
}

/// The Regions that ran, and those that failed with their error.
#[derive(Default)]
pub struct RegionRuns {
    pub runs: Vec<RegionRun>,
    pub failed: Vec<(String, CliError)>,
}

impl RegionRuns {
    /// Prints each failed Region's error on one line to stderr.
    pub fn report_failures(&self) {
        for (_, error) in &self.failed {
            eprintln!("error: {}", error.0);
        }
    }

    /// The failed Regions as JSON rows.
    pub fn failures_json(&self) -> Vec<serde_json::Value> {
        self.failed
            .iter()
            .map(|(region, e)| serde_json::json!({"region": region, "error": e.0}))
            .collect()
    }
}

/// Refuses `vpcs` that are not VPC ids, or that EC2 does not know in `region` (one
/// DescribeVpcs): a mistyped id must not pass a drift gate as "no drift".
pub async fn check_vpcs_exist(
    sdk: &aws_config::SdkConfig,
    region: &str,
    account_id: &str,
    vpcs: &[String],
) -> Result<(), CliError> {
    if vpcs.is_empty() {
        return Ok(());
    }
    if let Some(bad) = vpcs.iter().find(|v| !VpcId::new(v.as_str()).has_prefix()) {
        let shown = crate::shown::shown(bad, 64);
        return Err(CliError(format!(
            "`{shown}` is not a VPC id (vpc-…): --vpc takes VPC ids"
        )));
    }
    let found = aws_sdk_ec2::Client::new(sdk)
        .describe_vpcs()
        .set_vpc_ids(Some(vpcs.to_vec()))
        .send()
        .await;
    match found {
        Ok(out) => {
            let missing: Vec<&String> = vpcs
                .iter()
                .filter(|id| !out.vpcs().iter().any(|v| v.vpc_id() == Some(id.as_str())))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(not_found(region, account_id, &missing))
            }
        }
        Err(e) => {
            let error = api_error("DescribeVpcs", e);
            if error.code == "InvalidVpcID.NotFound" {
                let missing: Vec<&String> = vpcs
                    .iter()
                    .filter(|id| error.message.contains(id.as_str()))
                    .collect();
                let missing = if missing.is_empty() {
                    vpcs.iter().collect()
                } else {
                    missing
                };
                Err(not_found(region, account_id, &missing))
            } else {
                Err(CliError::aws(region, &error))
            }
        }
    }
}

/// Refuses a subnet EC2 does not know in `region` (one DescribeSubnets).
pub async fn check_subnet_exists(
    sdk: &aws_config::SdkConfig,
    region: &str,
    account_id: &str,
    subnet: &str,
) -> Result<(), CliError> {
    let found = aws_sdk_ec2::Client::new(sdk)
        .describe_subnets()
        .subnet_ids(subnet)
        .send()
        .await;
    let missing = match found {
        Ok(out) => out.subnets().is_empty(),
        Err(e) => {
            let error = api_error("DescribeSubnets", e);
            if error.code != "InvalidSubnetID.NotFound" {
                return Err(CliError::aws(region, &error));
            }
            true
        }
    };
    if missing {
        return Err(CliError(format!(
            "{region}: subnet {subnet} not found in account {account_id}: check the id and the Region"
        )));
    }
    Ok(())
}

fn not_found(region: &str, account_id: &str, missing: &[&String]) -> CliError {
    let ids: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
    CliError(format!(
        "{region}: VPC {} not found in account {account_id}: check the id and the Region",
        ids.join(", ")
    ))
}

/// Remedies planned across `runs`.
pub fn planned_changes(runs: &[RegionRun]) -> usize {
    runs.iter()
        .flat_map(|r| &r.report.notices)
        .flat_map(|n| n.findings())
        .filter(|f| f.outcome == vpce_guard_core::notice::Outcome::Planned)
        .count()
}
