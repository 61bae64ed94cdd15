//! `usage` and `savings` as people read them: one row per endpoint, and per VPC the runbook's
//! before/after monthly table (NAT processing, the endpoints' hours and GB, total, saving).

use serde::Serialize;
use vpce_guard_core::baseline::short_name;
use vpce_guard_core::cost::{round_cents, usd};
use vpce_guard_core::usage::{EndpointOwner, SavingsStatus, UsageTotals, VpcSavings};

use crate::commands::usage::RegionUsage;

/// Totals of `savings`.
#[derive(Debug, Default, Serialize)]
pub struct SavingsTotals {
    pub vpcs: u64,
    pub verified: u64,
    pub not_paying: u64,
    pub pending: u64,
    pub no_nat: u64,
    pub unknown: u64,
    /// Sum of the realized saving of the VPCs whose saving is verified.
    pub verified_monthly_saving_usd: f64,
    /// Sum of the guard's interface endpoints' monthly cost over every VPC.
    pub endpoint_monthly_cost_usd: f64,
}

impl SavingsTotals {
    pub fn of<'a>(savings: impl IntoIterator<Item = &'a VpcSavings>) -> Self {
        let mut totals = SavingsTotals::default();
        for s in savings {
            totals.vpcs += 1;
            totals.endpoint_monthly_cost_usd += s.endpoint_monthly_cost_usd;
            match s.status {
                SavingsStatus::Verified => {
                    totals.verified += 1;
                    totals.verified_monthly_saving_usd +=
                        s.realized_monthly_saving_usd.unwrap_or(0.0);
                }
                SavingsStatus::NotPaying => totals.not_paying += 1,
                SavingsStatus::Pending => totals.pending += 1,
                SavingsStatus::NoNat => totals.no_nat += 1,
                SavingsStatus::Unknown => totals.unknown += 1,
            }
        }
        totals.verified_monthly_saving_usd = round_cents(totals.verified_monthly_saving_usd);
        totals.endpoint_monthly_cost_usd = round_cents(totals.endpoint_monthly_cost_usd);
        totals
    }
}

/// The ids as the table shows them: `vpce-0a1b2c…` (the full ids are in `--output json`).
fn shorten(id: &str) -> String {
    if id.chars().count() <= 17 {
        id.to_string()
    } else {
        let head: String = id.chars().take(16).collect();
        format!("{head}…")
    }
}

pub fn print_usage(runs: &[RegionUsage], totals: &UsageTotals, window_days: u32) {
    println!(
        "{:<12} {:<18} {:<18} {:<12} {:<6} {:>4} {:>10} {:>10} {:>11}  VERDICT",
        "REGION", "VPC", "ENDPOINT", "SERVICE", "OWNER", "AZS", "GB/MONTH", "COST/MO", "BREAK-EVEN"
    );
    for run in runs {
        for e in &run.report.endpoints {
            let idle_azs: Vec<&str> = e
                .azs
                .iter()
                .filter(|a| a.idle)
                .map(|a| a.az.as_str())
                .collect();
            let verdict = if idle_azs.is_empty() {
                e.verdict.as_str().to_string()
            } else {
                format!("{} (idle AZ: {})", e.verdict.as_str(), idle_azs.join(", "))
            };
            println!(
                "{:<12} {:<18} {:<18} {:<12} {:<6} {:>4} {:>10.1} {:>10} {:>11}  {verdict}",
                run.region,
                shorten(&e.vpc_id),
                shorten(&e.endpoint_id),
                short_name(&e.service),
                match e.owner {
                    EndpointOwner::Guard => "guard",
                    EndpointOwner::Other => "other",
                },
                e.azs.len(),
                e.gb_per_month,
                usd(e.monthly_cost_usd),
                e.break_even_gb_per_month
                    .map_or_else(|| "never".to_string(), |gb| format!("{gb:.1}")),
            );
        }
    }
    println!();
    println!(
        "{} interface endpoint(s) measured over {window_days} days: {} idle, {} underused, {} idle AZ(s); {} a month paid for nothing. Gateway endpoints publish no metrics and cost nothing: they are not listed.",
        totals.endpoints_measured,
        totals.endpoints_idle,
        totals.endpoints_underused,
        totals.endpoint_azs_idle,
        usd(totals.idle_monthly_cost_usd)
    );
}

fn gb(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

fn money(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), usd)
}

pub fn print_savings(runs: &[RegionUsage], totals: &SavingsTotals, window_days: u32) {
    for run in runs {
        for s in &run.report.savings {
            println!(
                "VPC {} ({}, account {}): {}, endpoints since {}",
                s.vpc_id,
                run.region,
                run.account_id,
                s.status.as_str(),
                s.endpoints_created_at.as_deref().unwrap_or("?")
            );
            let before = s.nat_gb_per_month_before;
            let after = s.nat_gb_per_month_after;
            println!("  {:<28} {:>12} {:>12}", "per month", "before", "after");
            println!(
                "  {:<28} {:>12} {:>12}",
                "NAT data processed (GB)",
                gb(before),
                gb(after)
            );
            println!(
                "  {:<28} {:>12} {:>12}",
                "NAT processing",
                money(s.nat_processing_usd_before),
                money(s.nat_processing_usd_after)
            );
            println!(
                "  {:<28} {:>12} {:>12}",
                format!("Endpoints ({:.1} GB)", s.endpoint_gb_per_month),
                usd(0.0),
                usd(s.endpoint_monthly_cost_usd)
            );
            let total_after = s
                .nat_processing_usd_after
                .map(|nat| round_cents(nat + s.endpoint_monthly_cost_usd));
            println!(
                "  {:<28} {:>12} {:>12}",
                "Total",
                money(s.nat_processing_usd_before),
                money(total_after)
            );
            let reduction = s
                .nat_reduction_pct
                .map_or_else(String::new, |p| format!(" (NAT traffic {p:+.1}% less)"));
            println!(
                "  {:<28} {:>25}{reduction}",
                "Saving",
                money(s.realized_monthly_saving_usd)
            );
            println!();
        }
    }
    println!(
        "{} VPC(s) with the guard's interface endpoints, NAT compared over {window_days} days before and after: {} verified ({} a month saved), {} not paying, {} pending, {} without NAT, {} unknown. Prices are the baseline's (us-east-1 list prices unless it sets them).",
        totals.vpcs,
        totals.verified,
        usd(totals.verified_monthly_saving_usd),
        totals.not_paying,
        totals.pending,
        totals.no_nat,
        totals.unknown
    );
}
