//! Cost model of the endpoint set versus sending the same traffic through a NAT Gateway.
//!
//! Sources: AWS PrivateLink pricing (interface endpoint $0.01 per AZ-hour, $0.01 per GB processed
//! for the first PB) and Amazon VPC pricing (NAT Gateway $0.045 per hour, $0.045 per GB processed),
//! us-east-1 list prices; gateway endpoints are free. A month is 730 hours (AWS's convention).
//!
//! Formulas (T = NAT traffic GB/month, s = AWS-service share of it, g = part of that share bound for
//! S3/DynamoDB (gateway endpoints), n = interface services, A = AZs):
//! - fixed interface cost      F = n × A × 730 × interface_az_hour
//! - traffic moved off NAT     M = s × T
//! - NAT processing saved      M × nat_per_gb
//! - interface processing paid M × (1 − g) × interface_per_gb
//! - net monthly saving        S(T) = M × (nat_per_gb − (1 − g) × interface_per_gb) − F
//! - break-even traffic        T* = F / (s × (nat_per_gb − (1 − g) × interface_per_gb))
//!
//! The NAT Gateway's own hourly charge stays: the gateway still serves internet traffic.

use serde::{Deserialize, Serialize};

/// Hours in AWS's billing month.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Prices in USD for one region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub interface_endpoint_az_hour: f64,
    pub interface_endpoint_per_gb: f64,
    pub nat_gateway_hour: f64,
    pub nat_gateway_per_gb: f64,
}

impl Default for Pricing {
    /// us-east-1 list prices.
    fn default() -> Self {
        Self {
            interface_endpoint_az_hour: 0.01,
            interface_endpoint_per_gb: 0.01,
            nat_gateway_hour: 0.045,
            nat_gateway_per_gb: 0.045,
        }
    }
}

/// Partial prices from a baseline document; missing fields keep the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingOverrides {
    pub interface_endpoint_az_hour: Option<f64>,
    pub interface_endpoint_per_gb: Option<f64>,
    pub nat_gateway_hour: Option<f64>,
    pub nat_gateway_per_gb: Option<f64>,
}

impl PricingOverrides {
    pub fn apply(&self, base: Pricing) -> Pricing {
        Pricing {
            interface_endpoint_az_hour: self
                .interface_endpoint_az_hour
                .unwrap_or(base.interface_endpoint_az_hour),
            interface_endpoint_per_gb: self
                .interface_endpoint_per_gb
                .unwrap_or(base.interface_endpoint_per_gb),
            nat_gateway_hour: self.nat_gateway_hour.unwrap_or(base.nat_gateway_hour),
            nat_gateway_per_gb: self.nat_gateway_per_gb.unwrap_or(base.nat_gateway_per_gb),
        }
    }

    /// Every given price must be a finite, non-negative number.
    pub fn invalid_field(&self) -> Option<&'static str> {
        [
            (
                "interface_endpoint_az_hour",
                self.interface_endpoint_az_hour,
            ),
            ("interface_endpoint_per_gb", self.interface_endpoint_per_gb),
            ("nat_gateway_hour", self.nat_gateway_hour),
            ("nat_gateway_per_gb", self.nat_gateway_per_gb),
        ]
        .into_iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_finite() || v < 0.0))
        .map(|(name, _)| name)
    }
}

impl Pricing {
    /// Monthly fixed cost of interface endpoint ENIs in `az_count` AZs (one per endpoint and AZ).
    pub fn interface_monthly(&self, az_count: usize) -> f64 {
        az_count as f64 * HOURS_PER_MONTH * self.interface_endpoint_az_hour
    }
}

/// Traffic assumptions for a break-even estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    /// GB per month through the NAT Gateway today.
    pub nat_gb_per_month: f64,
    /// Part (0..=1) of that traffic bound for AWS services the endpoints serve.
    pub aws_share: f64,
    /// Part (0..=1) of the AWS-service traffic bound for S3/DynamoDB (free gateway endpoints).
    pub gateway_share: f64,
}

/// The comparison, with every intermediate figure so it can be checked by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakEven {
    pub interface_endpoints: usize,
    pub availability_zones: usize,
    pub fixed_interface_monthly_usd: f64,
    pub moved_gb_per_month: f64,
    pub nat_processing_saved_usd: f64,
    pub interface_processing_usd: f64,
    /// Positive: the endpoint set saves this much per month; negative: it costs more.
    pub net_monthly_saving_usd: f64,
    /// NAT traffic (GB/month, at the same shares) above which the endpoint set is cheaper;
    /// None when it never is (the per-GB saving is not positive).
    pub break_even_nat_gb_per_month: Option<f64>,
    pub cost_effective: bool,
}

/// Compares `interface_endpoints` interface endpoints in `azs` AZs against NAT for `traffic`.
pub fn break_even(
    pricing: &Pricing,
    interface_endpoints: usize,
    azs: usize,
    traffic: &Traffic,
) -> BreakEven {
    let fixed = interface_endpoints as f64 * pricing.interface_monthly(azs);
    let moved = traffic.aws_share * traffic.nat_gb_per_month;
    let saved = moved * pricing.nat_gateway_per_gb;
    let paid = moved * (1.0 - traffic.gateway_share) * pricing.interface_endpoint_per_gb;
    let net = saved - paid - fixed;
    let per_gb_of_nat = traffic.aws_share
        * (pricing.nat_gateway_per_gb
            - (1.0 - traffic.gateway_share) * pricing.interface_endpoint_per_gb);
    let break_even = (per_gb_of_nat > 0.0).then(|| fixed / per_gb_of_nat);
    BreakEven {
        interface_endpoints,
        availability_zones: azs,
        fixed_interface_monthly_usd: round_cents(fixed),
        moved_gb_per_month: (moved * 10.0).round() / 10.0,
        nat_processing_saved_usd: round_cents(saved),
        interface_processing_usd: round_cents(paid),
        net_monthly_saving_usd: round_cents(net),
        break_even_nat_gb_per_month: break_even.map(|gb| (gb * 10.0).round() / 10.0),
        cost_effective: net >= 0.0,
    }
}

/// Money is shown and compared in cents (and never as `-0.00`).
pub fn round_cents(usd: f64) -> f64 {
    let rounded = (usd * 100.0).round() / 100.0;
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

/// `$43.80`, `-$26.30`.
pub fn usd(amount: f64) -> String {
    let rounded = round_cents(amount);
    if rounded < 0.0 {
        format!("-${:.2}", -rounded)
    } else {
        format!("${rounded:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn half_aws(nat_gb: f64) -> Traffic {
        Traffic {
            nat_gb_per_month: nat_gb,
            aws_share: 0.5,
            gateway_share: 0.0,
        }
    }

    #[test]
    fn three_interface_endpoints_in_two_azs_cost_43_80_a_month() {
        let p = Pricing::default();
        assert_eq!(round_cents(3.0 * p.interface_monthly(2)), 43.80);
        assert_eq!(round_cents(p.interface_monthly(1)), 7.30);
        // The NAT Gateway's own hourly charge: 730 × $0.045.
        assert_eq!(round_cents(HOURS_PER_MONTH * p.nat_gateway_hour), 32.85);
    }

    #[test]
    fn one_terabyte_half_aws_costs_more_than_it_saves() {
        // 500 GB moved: NAT $22.50 saved, interface processing $5.00, fixed $43.80 → −$26.30.
        let b = break_even(&Pricing::default(), 3, 2, &half_aws(1000.0));
        assert_eq!(b.nat_processing_saved_usd, 22.50);
        assert_eq!(b.interface_processing_usd, 5.00);
        assert_eq!(b.net_monthly_saving_usd, -26.30);
        assert!(!b.cost_effective);
    }

    #[test]
    fn five_terabytes_half_aws_saves() {
        // 2,500 GB moved: $112.50 saved − $25.00 processing − $43.80 fixed = +$43.70.
        let b = break_even(&Pricing::default(), 3, 2, &half_aws(5000.0));
        assert_eq!(b.net_monthly_saving_usd, 43.70);
        assert!(b.cost_effective);
    }

    #[test]
    fn break_even_point_is_where_the_saving_is_zero() {
        // 43.80 / (0.5 × (0.045 − 0.01)) = 2,502.857… GB.
        let b = break_even(&Pricing::default(), 3, 2, &half_aws(1.0));
        assert_eq!(b.break_even_nat_gb_per_month, Some(2502.9));
        let at = break_even(&Pricing::default(), 3, 2, &half_aws(43.80 / 0.0175));
        assert_eq!(at.net_monthly_saving_usd, 0.0);
    }

    #[test]
    fn gateway_bound_traffic_pays_no_processing_fee() {
        let t = Traffic {
            nat_gb_per_month: 1000.0,
            aws_share: 1.0,
            gateway_share: 1.0,
        };
        let b = break_even(&Pricing::default(), 3, 2, &t);
        assert_eq!(b.interface_processing_usd, 0.0);
        assert_eq!(b.net_monthly_saving_usd, 1.20); // 45.00 − 43.80
    }

    #[test]
    fn no_break_even_when_endpoints_cost_more_per_gb() {
        let p = Pricing {
            interface_endpoint_per_gb: 0.05,
            ..Pricing::default()
        };
        assert_eq!(
            break_even(&p, 3, 2, &half_aws(1000.0)).break_even_nat_gb_per_month,
            None
        );
        assert_eq!(
            break_even(
                &p,
                3,
                2,
                &Traffic {
                    aws_share: 0.0,
                    ..half_aws(1.0)
                }
            )
            .break_even_nat_gb_per_month,
            None
        );
    }

    #[test]
    fn overrides_replace_only_given_prices_and_are_validated() {
        let o = PricingOverrides {
            nat_gateway_per_gb: Some(0.059),
            ..PricingOverrides::default()
        };
        let p = o.apply(Pricing::default());
        assert_eq!(p.nat_gateway_per_gb, 0.059);
        assert_eq!(p.interface_endpoint_az_hour, 0.01);
        assert_eq!(o.invalid_field(), None);
        let bad = PricingOverrides {
            nat_gateway_hour: Some(-1.0),
            ..PricingOverrides::default()
        };
        assert_eq!(bad.invalid_field(), Some("nat_gateway_hour"));
    }

    #[test]
    fn money_formats_in_dollars_and_cents() {
        assert_eq!(usd(43.8), "$43.80");
        assert_eq!(usd(-26.3), "-$26.30");
        assert_eq!(usd(0.004), "$0.00");
        let nothing: f64 = Vec::<f64>::new().into_iter().sum();
        assert!(
            round_cents(nothing).is_sign_positive(),
            "an empty sum is -0.0 in Rust"
        );
        assert_eq!(usd(nothing), "$0.00");
    }
}
