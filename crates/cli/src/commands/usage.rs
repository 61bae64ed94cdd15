//! `vpce-guard usage` and `vpce-guard savings`: the usage check of the functions, read-only, in
//! every target Region (a few GetMetricData requests per Region, whatever the VPC count).

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;
use vpce_guard_adapters::{counted_ec2, counted_nat_traffic};
use vpce_guard_core::policy::{Mode, RunSettings};
use vpce_guard_core::ports::Scope;
use vpce_guard_core::usage::{EndpointUsage, UsageSettings, UsageTotals, VpcSavings};
use vpce_guard_service::{Guard, UsageReport, VoidNotices};

use super::baseline::load_profiles;
use super::regions::{check_vpcs_exist, connect, regions};
use crate::args::{Output, UsageArgs};
use crate::error::CliError;
use crate::render::usage::{print_savings, print_usage, SavingsTotals};

/// One Region's reading.
pub struct RegionUsage {
    pub region: String,
    pub account_id: String,
    pub report: UsageReport,
}

/// A row of `usage --output json`.
#[derive(Serialize)]
struct EndpointRow<'a> {
    account_id: &'a str,
    region: &'a str,
    #[serde(flatten)]
    usage: &'a EndpointUsage,
}

/// A row of `savings --output json`.
#[derive(Serialize)]
struct SavingsRow<'a> {
    account_id: &'a str,
    region: &'a str,
    #[serde(flatten)]
    savings: &'a VpcSavings,
}

async fn read(profile: Option<&str>, args: &UsageArgs) -> Result<Vec<RegionUsage>, CliError> {
    let profiles = load_profiles(args.baseline.as_ref())?;
    let settings = RunSettings {
        exempt_tag_key: args.exempt_tag_key.clone(),
        usage: UsageSettings {
            window_days: args.window_days,
            savings_window_days: args.savings_window_days,
            ..UsageSettings::default()
        },
        ..RunSettings::with_profiles(profiles, Mode::Report)
    };
    let mut out = Vec::new();
    for region in regions(profile, &args.regions).await? {
        let (sdk, account_id) = connect(profile, &region).await?;
        check_vpcs_exist(&sdk, &region, &account_id, &args.vpcs).await?;
        let (ec2, counter) = counted_ec2(&sdk, None, args.ec2_pacing.limits(), None);
        let nat_traffic = counted_nat_traffic(&sdk, &ec2, &counter);
        let metrics = Arc::new(nat_traffic.metrics().clone());
        let guard = Guard::new(ec2, VoidNotices, settings.clone(), region.as_str())
            .with_metrics(Arc::new(counter))
            .with_nat_traffic(Arc::new(nat_traffic))
            .with_usage(metrics);
        let scope = if args.vpcs.is_empty() {
            Scope::Region
        } else {
            Scope::Vpcs(args.vpcs.clone())
        };
        let report = guard
            .usage_report(&account_id, scope)
            .await
            .map_err(|e| CliError::guard(&region, &e))?;
        out.push(RegionUsage {
            region,
            account_id,
            report,
        });
    }
    Ok(out)
}

/// `vpce-guard usage`: one row per interface endpoint.
pub async fn usage(profile: Option<&str>, args: UsageArgs) -> Result<u8, CliError> {
    let runs = read(profile, &args).await?;
    let all: Vec<EndpointUsage> = runs
        .iter()
        .flat_map(|r| r.report.endpoints.iter().cloned())
        .collect();
    let totals = UsageTotals::of(&all);
    match args.output {
        Output::Json => {
            let rows: Vec<EndpointRow<'_>> = runs
                .iter()
                .flat_map(|r| {
                    r.report.endpoints.iter().map(|usage| EndpointRow {
                        account_id: &r.account_id,
                        region: &r.region,
                        usage,
                    })
                })
                .collect();
            let value = json!({
                "schema": "vpce-guard.usage/v1",
                "window_days": args.window_days,
                "endpoints": rows,
                "totals": totals,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => print_usage(&runs, &totals, args.window_days),
    }
    Ok(0)
}

/// `vpce-guard savings`: one before/after table per VPC holding the guard's interface endpoints.
pub async fn savings(profile: Option<&str>, args: UsageArgs) -> Result<u8, CliError> {
    let runs = read(profile, &args).await?;
    let totals = SavingsTotals::of(runs.iter().flat_map(|r| &r.report.savings));
    match args.output {
        Output::Json => {
            let rows: Vec<SavingsRow<'_>> = runs
                .iter()
                .flat_map(|r| {
                    r.report.savings.iter().map(|savings| SavingsRow {
                        account_id: &r.account_id,
                        region: &r.region,
                        savings,
                    })
                })
                .collect();
            let value = json!({
                "schema": "vpce-guard.savings/v1",
                "savings_window_days": args.savings_window_days,
                "vpcs": rows,
                "totals": totals,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => print_savings(&runs, &totals, args.savings_window_days),
    }
    Ok(0)
}
