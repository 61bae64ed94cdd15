//! Did the endpoints pay? A VPC's NAT data-processed bytes in the N days before the guard's first
//! interface endpoint there against the most recent N days, less what the guard's interface
//! endpoints cost: the runbook's before/after table (6.5), measured instead of assumed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::endpoint::{EndpointOwner, EndpointUsage};
use super::SECONDS_PER_DAY;
use crate::cost::{round_cents, Pricing};
use crate::traffic::gb_per_month;

/// What the comparison found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingsStatus {
    /// The N days after the first endpoint are not over yet.
    Pending,
    /// NAT processing saved exceeds what the endpoints cost.
    Verified,
    /// The endpoints cost more than the NAT processing they saved.
    NotPaying,
    /// The VPC has no NAT gateway: nothing to compare.
    NoNat,
    /// No NAT figure before (no datapoint in the N days before, or older than CloudWatch keeps).
    Unknown,
}

impl SavingsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SavingsStatus::Pending => "pending",
            SavingsStatus::Verified => "verified",
            SavingsStatus::NotPaying => "not_paying",
            SavingsStatus::NoNat => "no_nat",
            SavingsStatus::Unknown => "unknown",
        }
    }
}

/// One VPC's verified saving (`vpce-guard savings`, one row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcSavings {
    pub vpc_id: String,
    pub status: SavingsStatus,
    /// RFC 3339 creation time of the guard's first interface endpoint in the VPC.
    pub endpoints_created_at: Option<String>,
    pub nat_gb_per_month_before: Option<f64>,
    pub nat_gb_per_month_after: Option<f64>,
    /// NAT data processing per month at the baseline's NAT price, before and after.
    pub nat_processing_usd_before: Option<f64>,
    pub nat_processing_usd_after: Option<f64>,
    /// Percent less NAT traffic after than before; None without both figures or with 0 before.
    pub nat_reduction_pct: Option<f64>,
    /// The guard's interface endpoints: GB per month through them.
    pub endpoint_gb_per_month: f64,
    /// The guard's interface endpoints: AZ-hours plus per-GB processing, per month.
    pub endpoint_monthly_cost_usd: f64,
    /// NAT processing saved per month less the endpoints' cost; None until both NAT figures exist.
    pub realized_monthly_saving_usd: Option<f64>,
}

/// What one VPC's comparison needs.
#[derive(Debug, Clone)]
pub struct SavingsInput<'a> {
    pub vpc_id: &'a str,
    /// Seconds since the epoch: the guard's first interface endpoint in the VPC.
    pub first_created: i64,
    /// Whether the VPC has a NAT gateway now.
    pub has_nat: bool,
    /// The VPC's NAT bytes per UTC day (day start → bytes, its gateways added); days absent
    /// carried nothing, or were not read.
    pub nat_daily: &'a BTreeMap<i64, f64>,
    /// The first day the NAT read covers (earlier days were not read).
    pub nat_read_from: i64,
    /// Every interface endpoint of the VPC (only the guard's count).
    pub endpoints: &'a [EndpointUsage],
    pub pricing: &'a Pricing,
    pub now: i64,
    pub window_days: u32,
}

/// The VPC's saving, or why it cannot be told yet.
pub fn vpc_savings(input: &SavingsInput<'_>) -> VpcSavings {
    let window = i64::from(input.window_days.max(1)) * SECONDS_PER_DAY;
    let guard_endpoints = input
        .endpoints
        .iter()
        .filter(|e| e.owner == EndpointOwner::Guard && e.vpc_id == input.vpc_id);
    let (endpoint_gb, endpoint_cost) = guard_endpoints.fold((0.0, 0.0), |(gb, cost), e| {
        (gb + e.gb_per_month, cost + e.monthly_cost_usd)
    });
    let created_day = input.first_created.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY;
    let today = input.now.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY;
    let (before_start, before_end) = (created_day - window, created_day);
    let (after_start, after_end) = (today - window, today);
    let sum = |from: i64, to: i64| -> (f64, usize) {
        input
            .nat_daily
            .range(from..to)
            .fold((0.0, 0), |(bytes, days), (_, b)| (bytes + b, days + 1))
    };
    let (before_bytes, before_days) = sum(before_start, before_end);
    let before_known = before_days > 0 && before_start >= input.nat_read_from;
    let after_complete = after_start >= input.first_created;
    let (after_bytes, _) = sum(after_start, after_end);
    let per_month = |bytes: f64| gb_per_month(bytes, input.window_days.max(1));
    let before = (input.has_nat && before_known).then(|| per_month(before_bytes));
    let after = (input.has_nat && after_complete).then(|| per_month(after_bytes));
    let realized = match (before, after) {
        (Some(b), Some(a)) => Some(round_cents(
            (b - a) * input.pricing.nat_gateway_per_gb - endpoint_cost,
        )),
        _ => None,
    };
    let status = if !input.has_nat {
        SavingsStatus::NoNat
    } else if !after_complete {
        SavingsStatus::Pending
    } else {
        match realized {
            None => SavingsStatus::Unknown,
            Some(s) if s > 0.0 => SavingsStatus::Verified,
            Some(_) => SavingsStatus::NotPaying,
        }
    };
    let reduction = match (before, after) {
        (Some(b), Some(a)) if b > 0.0 => Some(((b - a) / b * 1000.0).round() / 10.0),
        _ => None,
    };
    VpcSavings {
        vpc_id: input.vpc_id.to_string(),
        status,
        endpoints_created_at: crate::time::format_epoch(input.first_created),
        nat_gb_per_month_before: before,
        nat_gb_per_month_after: after,
        nat_processing_usd_before: before
            .map(|gb| round_cents(gb * input.pricing.nat_gateway_per_gb)),
        nat_processing_usd_after: after
            .map(|gb| round_cents(gb * input.pricing.nat_gateway_per_gb)),
        nat_reduction_pct: reduction,
        endpoint_gb_per_month: (endpoint_gb * 10.0_f64).round() / 10.0,
        endpoint_monthly_cost_usd: round_cents(endpoint_cost),
        realized_monthly_saving_usd: realized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::BYTES_PER_GB;
    use crate::usage::endpoint::EndpointVerdict;

    const DAY: i64 = 86_400;
    const NOW: i64 = 20_500 * DAY + 3_600;

    fn endpoint(owner: EndpointOwner, cost: f64, gb: f64) -> EndpointUsage {
        EndpointUsage {
            vpc_id: "vpc-1".into(),
            endpoint_id: "vpce-1".into(),
            service: "com.amazonaws.us-east-1.ecr.dkr".into(),
            owner,
            created_at: None,
            gb_per_month: gb,
            azs: vec![],
            monthly_cost_usd: cost,
            hours_monthly_usd: cost,
            break_even_gb_per_month: None,
            verdict: EndpointVerdict::Pays,
            wasted_monthly_usd: 0.0,
        }
    }

    /// `gib_a_day` GiB on every day from `from_day` (days before today) to `to_day`.
    fn days(series: &mut BTreeMap<i64, f64>, from_day: i64, to_day: i64, gib_a_day: f64) {
        let today = NOW / DAY * DAY;
        for d in to_day..from_day {
            series.insert(today - (d + 1) * DAY, gib_a_day * BYTES_PER_GB);
        }
    }

    fn savings(
        created_days_ago: i64,
        has_nat: bool,
        nat: &BTreeMap<i64, f64>,
        endpoints: &[EndpointUsage],
    ) -> VpcSavings {
        vpc_savings(&SavingsInput {
            vpc_id: "vpc-1",
            first_created: NOW - created_days_ago * DAY,
            has_nat,
            nat_daily: nat,
            nat_read_from: 0,
            endpoints,
            pricing: &Pricing::default(),
            now: NOW,
            window_days: 14,
        })
    }

    #[test]
    fn every_status() {
        let eps = [
            endpoint(EndpointOwner::Guard, 30.0, 100.0),
            endpoint(EndpointOwner::Other, 99.0, 999.0),
        ];
        // 100 GiB a day before the endpoints (created 30 days ago), 40 a day since.
        let mut nat = BTreeMap::new();
        days(&mut nat, 60, 30, 100.0);
        days(&mut nat, 30, 0, 40.0);
        let verified = savings(30, true, &nat, &eps);
        assert_eq!(verified.status, SavingsStatus::Verified);
        assert_eq!(verified.nat_gb_per_month_before, Some(3043.8));
        assert_eq!(verified.nat_gb_per_month_after, Some(1217.5));
        assert_eq!(verified.nat_reduction_pct, Some(60.0));
        assert_eq!(
            verified.endpoint_monthly_cost_usd, 30.0,
            "only the guard's endpoints"
        );
        assert_eq!(verified.endpoint_gb_per_month, 100.0);
        // (3043.8 − 1217.5) × 0.045 − 30 = 52.18
        assert_eq!(verified.realized_monthly_saving_usd, Some(52.18));

        // NAT barely moved: the endpoints cost more than they saved.
        let mut flat = BTreeMap::new();
        days(&mut flat, 60, 30, 100.0);
        days(&mut flat, 30, 0, 99.0);
        let not_paying = savings(30, true, &flat, &eps);
        assert_eq!(not_paying.status, SavingsStatus::NotPaying);
        assert!(not_paying.realized_monthly_saving_usd.unwrap() < 0.0);

        // Created 5 days ago: the 14 days after are not over.
        let pending = savings(5, true, &nat, &eps);
        assert_eq!(pending.status, SavingsStatus::Pending);
        assert_eq!(pending.nat_gb_per_month_after, None);
        assert!(pending.nat_gb_per_month_before.is_some());

        assert_eq!(savings(30, false, &nat, &eps).status, SavingsStatus::NoNat);

        // Nothing before: the gateway is newer than the endpoints, or the data expired.
        let mut after_only = BTreeMap::new();
        days(&mut after_only, 30, 0, 40.0);
        let unknown = savings(30, true, &after_only, &eps);
        assert_eq!(unknown.status, SavingsStatus::Unknown);
        assert_eq!(unknown.realized_monthly_saving_usd, None);
    }

    #[test]
    fn no_traffic_after_is_zero_not_unknown() {
        // CloudWatch stores nothing for idle days: an empty after-window is 0 GB.
        let mut before_only = BTreeMap::new();
        days(&mut before_only, 60, 30, 10.0);
        let s = savings(30, true, &before_only, &[]);
        assert_eq!(s.nat_gb_per_month_after, Some(0.0));
        assert_eq!(s.nat_reduction_pct, Some(100.0));
        assert_eq!(s.status, SavingsStatus::Verified);
    }

    #[test]
    fn a_before_window_older_than_the_read_is_unknown() {
        let mut nat = BTreeMap::new();
        days(&mut nat, 60, 0, 10.0);
        let s = vpc_savings(&SavingsInput {
            vpc_id: "vpc-1",
            first_created: NOW - 30 * DAY,
            has_nat: true,
            nat_daily: &nat,
            nat_read_from: NOW - 35 * DAY,
            endpoints: &[],
            pricing: &Pricing::default(),
            now: NOW,
            window_days: 14,
        });
        assert_eq!(s.status, SavingsStatus::Unknown);
    }
}
