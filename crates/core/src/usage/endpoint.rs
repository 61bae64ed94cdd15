//! One interface endpoint's use over the window, and what it says: `idle` (not one byte),
//! `underused` (its bytes would have cost less through NAT than the endpoint costs), `pays`, or
//! `too_new` (younger than the window: not judged yet). Per AZ, each subnet's bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::SECONDS_PER_DAY;
use crate::cost::{round_cents, Pricing};
use crate::model::Endpoint;
use crate::traffic::gb_per_month;

/// The verdict on one interface endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointVerdict {
    /// Not one byte in the window.
    Idle,
    /// Carried traffic, but less than its break-even: NAT would have been cheaper.
    Underused,
    Pays,
    /// Younger than the window: its figures are shown, not judged.
    TooNew,
}

impl EndpointVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointVerdict::Idle => "idle",
            EndpointVerdict::Underused => "underused",
            EndpointVerdict::Pays => "pays",
            EndpointVerdict::TooNew => "too_new",
        }
    }
}

/// Who created the endpoint (only the guard's are ever pruned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointOwner {
    Guard,
    Other,
}

/// What CloudWatch said about one endpoint over the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointBytes {
    /// The sum in the dimension set without `Subnet Id`.
    pub total: f64,
    /// The sum per subnet (the set with `Subnet Id`); absent subnets carried nothing.
    pub by_subnet: BTreeMap<String, f64>,
}

/// One AZ of an endpoint: its subnet's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzUsage {
    pub az: String,
    pub subnet_id: String,
    pub gb_per_month: f64,
    /// No byte through this subnet while the endpoint's others carried traffic (an AZ paid for
    /// nothing); never set on `too_new` endpoints.
    pub idle: bool,
}

/// One interface endpoint's use and verdict (`vpce-guard usage`, one row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointUsage {
    pub vpc_id: String,
    pub endpoint_id: String,
    /// Full service name (`com.amazonaws.us-east-1.logs`).
    pub service: String,
    pub owner: EndpointOwner,
    /// RFC 3339; None when EC2 did not say.
    pub created_at: Option<String>,
    /// Bytes over the window (or the endpoint's life, when shorter) as GB per average month.
    pub gb_per_month: f64,
    pub azs: Vec<AzUsage>,
    /// AZ-hours plus per-GB processing, per month.
    pub monthly_cost_usd: f64,
    /// The AZ-hours alone, per month (what the endpoint costs even when idle).
    pub hours_monthly_usd: f64,
    /// GB per month above which the endpoint is cheaper than sending its bytes through NAT; None
    /// when it never is (the NAT price per GB is not above the endpoint's).
    pub break_even_gb_per_month: Option<f64>,
    pub verdict: EndpointVerdict,
    /// What the endpoint costs beyond what its bytes would have cost through NAT, per month
    /// (idle: all of its hours); 0 when it pays or is too new.
    pub wasted_monthly_usd: f64,
}

impl EndpointUsage {
    /// One AZ's hours per month: what taking an AZ out of the endpoint saves.
    pub fn az_monthly_usd(&self) -> f64 {
        round_cents(self.hours_monthly_usd / self.azs.len().max(1) as f64)
    }
}

/// Judges `endpoint` (live, interface) from `bytes` over `window_days` at `now` (seconds).
pub fn endpoint_usage(
    endpoint: &Endpoint,
    subnet_az: &BTreeMap<String, String>,
    bytes: &EndpointBytes,
    pricing: &Pricing,
    now: i64,
    window_days: u32,
) -> EndpointUsage {
    let window_days = window_days.max(1);
    let age_seconds = endpoint.created_at.map(|at| (now - at).max(0));
    let too_new = age_seconds.is_some_and(|age| age < i64::from(window_days) * SECONDS_PER_DAY);
    // A young endpoint's bytes are scaled over its life so far (at least one day).
    let measured_days = match age_seconds {
        Some(age) if too_new => u32::try_from(age.div_euclid(SECONDS_PER_DAY) + 1)
            .unwrap_or(window_days)
            .min(window_days),
        _ => window_days,
    };
    let total = if bytes.total.is_finite() {
        bytes.total.max(0.0)
    } else {
        0.0
    };
    let gb = gb_per_month(total, measured_days);
    let az_count = endpoint.subnet_ids.len().max(1);
    let fixed = pricing.interface_monthly(az_count);
    let monthly_cost_usd = round_cents(fixed + gb * pricing.interface_endpoint_per_gb);
    let saving_per_gb = pricing.nat_gateway_per_gb - pricing.interface_endpoint_per_gb;
    let break_even = (saving_per_gb > 0.0).then(|| (fixed / saving_per_gb * 10.0).round() / 10.0);
    let verdict = if too_new {
        EndpointVerdict::TooNew
    } else if total <= 0.0 {
        EndpointVerdict::Idle
    } else if gb * saving_per_gb < fixed {
        EndpointVerdict::Underused
    } else {
        EndpointVerdict::Pays
    };
    let wasted_monthly_usd = match verdict {
        EndpointVerdict::Idle => round_cents(fixed),
        EndpointVerdict::Underused => round_cents(fixed - gb * saving_per_gb),
        EndpointVerdict::Pays | EndpointVerdict::TooNew => 0.0,
    };
    let subnet_bytes = |subnet: &str| {
        bytes
            .by_subnet
            .get(subnet)
            .copied()
            .filter(|b| b.is_finite() && *b > 0.0)
            .unwrap_or(0.0)
    };
    let others_carry = |subnet: &str| {
        endpoint
            .subnet_ids
            .iter()
            .any(|s| s != subnet && subnet_bytes(s) > 0.0)
    };
    let azs = endpoint
        .subnet_ids
        .iter()
        .map(|subnet| AzUsage {
            az: subnet_az.get(subnet).cloned().unwrap_or_default(),
            subnet_id: subnet.clone(),
            gb_per_month: gb_per_month(subnet_bytes(subnet), measured_days),
            idle: !too_new && subnet_bytes(subnet) <= 0.0 && others_carry(subnet),
        })
        .collect();
    EndpointUsage {
        vpc_id: endpoint.vpc_id.clone(),
        endpoint_id: endpoint.id.clone(),
        service: endpoint.service_name.clone(),
        owner: if endpoint.managed {
            EndpointOwner::Guard
        } else {
            EndpointOwner::Other
        },
        created_at: endpoint.created_at.and_then(crate::time::format_epoch),
        gb_per_month: gb,
        azs,
        monthly_cost_usd,
        hours_monthly_usd: round_cents(fixed),
        break_even_gb_per_month: break_even,
        verdict,
        wasted_monthly_usd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::EndpointType;
    use crate::model::EndpointState;
    use crate::traffic::BYTES_PER_GB;

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    fn endpoint(age_days: i64, subnets: &[&str]) -> Endpoint {
        Endpoint {
            id: "vpce-1".into(),
            vpc_id: "vpc-1".into(),
            service_name: "com.amazonaws.us-east-1.logs".into(),
            endpoint_type: Some(EndpointType::Interface),
            state: EndpointState::from_ec2("available"),
            route_table_ids: vec![],
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
            security_group_ids: vec![],
            private_dns_enabled: true,
            policy: None,
            ip_address_type: None,
            created_at: Some(NOW - age_days * DAY),
            managed: true,
        }
    }

    fn azs() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("subnet-a".to_string(), "us-east-1a".to_string()),
            ("subnet-b".to_string(), "us-east-1b".to_string()),
        ])
    }

    /// GB over 30 days such that the month figure is `gb_month`.
    fn bytes(gb_month: f64, a: f64, b: f64) -> EndpointBytes {
        let total = gb_month * BYTES_PER_GB * 30.0 / crate::traffic::DAYS_PER_MONTH;
        EndpointBytes {
            total,
            by_subnet: BTreeMap::from([
                ("subnet-a".to_string(), total * a),
                ("subnet-b".to_string(), total * b),
            ]),
        }
    }

    fn judge(age_days: i64, b: &EndpointBytes) -> EndpointUsage {
        endpoint_usage(
            &endpoint(age_days, &["subnet-a", "subnet-b"]),
            &azs(),
            b,
            &Pricing::default(),
            NOW,
            30,
        )
    }

    #[test]
    fn the_verdict_matrix() {
        // Two AZs: $14.60 a month in hours; NAT $0.045 − endpoint $0.01 = $0.035 saved per GB,
        // so the break-even is 14.6 / 0.035 = 417.1 GB a month.
        let idle = judge(60, &EndpointBytes::default());
        assert_eq!(idle.verdict, EndpointVerdict::Idle);
        assert_eq!(idle.wasted_monthly_usd, 14.6);
        assert_eq!(idle.monthly_cost_usd, 14.6);
        assert_eq!(idle.break_even_gb_per_month, Some(417.1));

        let under = judge(60, &bytes(100.0, 0.5, 0.5));
        assert_eq!(under.verdict, EndpointVerdict::Underused);
        assert_eq!(under.gb_per_month, 100.0);
        assert_eq!(under.monthly_cost_usd, 15.6, "hours plus 100 GB at $0.01");
        assert_eq!(under.wasted_monthly_usd, 11.1, "14.60 − 100 × 0.035");

        let pays = judge(60, &bytes(500.0, 0.5, 0.5));
        assert_eq!(pays.verdict, EndpointVerdict::Pays);
        assert_eq!(pays.wasted_monthly_usd, 0.0);

        let young = judge(3, &EndpointBytes::default());
        assert_eq!(
            young.verdict,
            EndpointVerdict::TooNew,
            "never idle before the window is full"
        );
        assert_eq!(young.wasted_monthly_usd, 0.0);
    }

    #[test]
    fn the_break_even_is_the_boundary() {
        let just_below = judge(60, &bytes(417.0, 0.5, 0.5));
        let just_above = judge(60, &bytes(417.2, 0.5, 0.5));
        assert_eq!(just_below.verdict, EndpointVerdict::Underused);
        assert_eq!(just_above.verdict, EndpointVerdict::Pays);
    }

    #[test]
    fn an_az_is_idle_only_while_the_others_carry_traffic() {
        let one_sided = judge(60, &bytes(500.0, 1.0, 0.0));
        let idle: Vec<&str> = one_sided
            .azs
            .iter()
            .filter(|a| a.idle)
            .map(|a| a.az.as_str())
            .collect();
        assert_eq!(idle, ["us-east-1b"]);
        // No per-subnet figures at all: nothing is known per AZ, nothing is flagged.
        let no_subnets = judge(
            60,
            &EndpointBytes {
                total: 1e12,
                by_subnet: BTreeMap::new(),
            },
        );
        assert!(no_subnets.azs.iter().all(|a| !a.idle));
        // An idle endpoint's AZs are not flagged one by one: the endpoint is.
        assert!(judge(60, &EndpointBytes::default())
            .azs
            .iter()
            .all(|a| !a.idle));
        // Nor a young endpoint's.
        assert!(judge(2, &bytes(500.0, 1.0, 0.0))
            .azs
            .iter()
            .all(|a| !a.idle));
    }

    #[test]
    fn a_young_endpoint_is_scaled_over_its_life() {
        // 10 days old, 10 GiB in those days: ~30.4 GB a month, not 10 GB over 30 days.
        let young = endpoint_usage(
            &endpoint(9, &["subnet-a"]),
            &azs(),
            &EndpointBytes {
                total: 10.0 * BYTES_PER_GB,
                by_subnet: BTreeMap::new(),
            },
            &Pricing::default(),
            NOW,
            30,
        );
        assert_eq!(young.gb_per_month, 30.4);
        assert_eq!(young.verdict, EndpointVerdict::TooNew);
    }

    #[test]
    fn without_a_per_gb_saving_the_endpoint_never_breaks_even() {
        let pricing = Pricing {
            nat_gateway_per_gb: 0.01,
            ..Pricing::default()
        };
        let u = endpoint_usage(
            &endpoint(60, &["subnet-a"]),
            &azs(),
            &bytes(10_000.0, 1.0, 0.0),
            &pricing,
            NOW,
            30,
        );
        assert_eq!(u.break_even_gb_per_month, None);
        assert_eq!(u.verdict, EndpointVerdict::Underused);
    }

    #[test]
    fn foreign_endpoints_and_unknown_ages_are_judged_too() {
        let mut e = endpoint(60, &["subnet-a"]);
        e.managed = false;
        e.created_at = None;
        let u = endpoint_usage(
            &e,
            &azs(),
            &EndpointBytes::default(),
            &Pricing::default(),
            NOW,
            30,
        );
        assert_eq!(u.owner, EndpointOwner::Other);
        assert_eq!(
            u.verdict,
            EndpointVerdict::Idle,
            "an unknown age counts as old"
        );
        assert_eq!(u.created_at, None);
        let json = serde_json::to_value(&u).unwrap();
        assert_eq!(json["verdict"], "idle");
        assert_eq!(json["owner"], "other");
    }
}
