//! `vpce-guard plan`: what `apply` would change, in every target Region; exit 2 on drift.

use serde_json::json;
use vpce_guard_core::cost::{usd, Traffic};

use super::baseline::load_profiles;
use super::regions::{plan_regions, planned_changes};
use crate::args::{Output, PlanArgs};
use crate::cost_report::CostReport;
use crate::error::{CliError, EXIT_DRIFT, EXIT_FAILURE};
use crate::render::cost::print_cost;
use crate::render::plan::{print_region, region_json};

/// Availability Zones assumed by the break-even `plan --nat-gb-per-month` appends.
const PLAN_COST_AZS: usize = 2;

pub async fn plan(profile: Option<&str>, args: PlanArgs) -> Result<u8, CliError> {
    let profiles = load_profiles(args.target.baseline.as_ref())?;
    let all = plan_regions(profile, &args.target, &profiles).await?;
    all.report_failures();
    let runs = &all.runs;
    let drift = runs
        .iter()
        .any(|r| r.report.summary.counters.vpcs_drifted > 0);
    let cost = args.nat_gb_per_month.and_then(|gb| {
        let region = runs
            .first()
            .map(|r| r.region.as_str())
            .unwrap_or("us-east-1");
        let traffic = Traffic {
            nat_gb_per_month: gb,
            aws_share: args.aws_share,
            gateway_share: 0.0,
        };
        profiles
            .get(profiles.default_profile())
            .map(|doc| CostReport::new(&doc.resolve(region), traffic, PLAN_COST_AZS))
    });
    match args.target.output {
        Output::Json => {
            let value = json!({
                "schema": "vpce-guard.plan/v1",
                "drift": drift,
                "regions": runs.iter().map(region_json).collect::<Vec<_>>(),
                "errors": all.failures_json(),
                "cost": cost,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => {
            for run in runs {
                print_region(run);
            }
            let changes = planned_changes(runs);
            let delta: f64 = runs
                .iter()
                .map(|r| r.report.summary.counters.monthly_cost_delta_usd.usd())
                .sum();
            if drift && changes > 0 {
                println!(
                    "Plan: {changes} change(s), monthly cost {}{}. Run `vpce-guard apply` to apply them.",
                    if delta >= 0.0 { "+" } else { "" },
                    usd(delta)
                );
            } else if drift {
                println!(
                    "Drift that `vpce-guard apply` cannot fix: every finding above needs a person (its reason is in the ACTION column)."
                );
            } else {
                println!("No drift: every VPC matches the baseline.");
            }
            if let Some(cost) = &cost {
                print_cost(cost);
            }
        }
    }
    // An error in any Region outranks drift: the gate cannot say the estate is clean.
    Ok(if !all.failed.is_empty() {
        EXIT_FAILURE
    } else if drift {
        EXIT_DRIFT
    } else {
        0
    })
}
