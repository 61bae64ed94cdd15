//! The cost of the interface endpoints against NAT Gateway traffic, as a typed report: `cost`
//! prints or serializes it, `plan --nat-gb-per-month` appends it.

use serde::Serialize;
use vpce_guard_core::baseline::{Baseline, EndpointType};
use vpce_guard_core::cost::{break_even, BreakEven, Pricing, Traffic, HOURS_PER_MONTH};

/// NAT traffic levels of the comparison table (GB per month).
pub const TRAFFIC_LEVELS_GB: [f64; 5] = [500.0, 1000.0, 2000.0, 5000.0, 10000.0];

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrafficLevel {
    pub nat_gb_per_month: f64,
    pub net_monthly_saving_usd: f64,
}

/// Where the prices of a report come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// The baseline file sets `pricing` (or `pricing_by_region` for the Region).
    Baseline,
    /// us-east-1 list prices: other Regions differ; set `pricing` in a baseline file.
    Default,
}

/// The schema name of `cost --output json`.
pub const COST_SCHEMA: &str = "vpce-guard.cost/v1";

/// The figures at the given traffic, and the net saving at [`TRAFFIC_LEVELS_GB`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub schema: &'static str,
    pub region: String,
    pub prices: PriceSource,
    pub pricing: Pricing,
    pub hours_per_month: f64,
    pub nat_gb_per_month: f64,
    pub aws_share: f64,
    pub gateway_share: f64,
    pub figures: BreakEven,
    pub by_traffic: Vec<TrafficLevel>,
}

impl CostReport {
    /// The report for the baseline's interface services at `traffic`, in `azs` AZs.
    pub fn new(baseline: &Baseline, traffic: Traffic, azs: usize) -> Self {
        let interfaces = baseline
            .services
            .iter()
            .filter(|s| s.endpoint_type == EndpointType::Interface)
            .count();
        let at = |traffic: &Traffic| break_even(&baseline.pricing, interfaces, azs, traffic);
        let by_traffic = TRAFFIC_LEVELS_GB
            .iter()
            .map(|gb| TrafficLevel {
                nat_gb_per_month: *gb,
                net_monthly_saving_usd: at(&Traffic {
                    nat_gb_per_month: *gb,
                    ..traffic
                })
                .net_monthly_saving_usd,
            })
            .collect();
        Self {
            schema: COST_SCHEMA,
            region: baseline.region.clone(),
            prices: PriceSource::Baseline,
            pricing: baseline.pricing,
            hours_per_month: HOURS_PER_MONTH,
            nat_gb_per_month: traffic.nat_gb_per_month,
            aws_share: traffic.aws_share,
            gateway_share: traffic.gateway_share,
            figures: at(&traffic),
            by_traffic,
        }
    }

    /// The report, saying where its prices come from.
    pub fn with_price_source(mut self, prices: PriceSource) -> Self {
        self.prices = prices;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpce_guard_core::baseline::BaselineDocument;

    #[test]
    fn the_standard_set_breaks_even_where_the_arithmetic_says() {
        let baseline = BaselineDocument::standard().resolve("us-east-1");
        let traffic = Traffic {
            nat_gb_per_month: 2000.0,
            aws_share: 0.5,
            gateway_share: 0.0,
        };
        let report = CostReport::new(&baseline, traffic, 2);
        // 3 interface endpoints x 2 AZs x 730 h x $0.01 = $43.80 fixed; 1,000 GB moved saves
        // $45 of NAT processing and pays $10 of endpoint processing: net -$8.80.
        assert_eq!(report.figures.fixed_interface_monthly_usd, 43.8);
        assert_eq!(report.figures.net_monthly_saving_usd, -8.8);
        assert_eq!(report.by_traffic.len(), TRAFFIC_LEVELS_GB.len());
        assert_eq!(report.by_traffic[2].net_monthly_saving_usd, -8.8);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["figures"]["interface_endpoints"], 3);
        assert_eq!(json["by_traffic"][0]["nat_gb_per_month"], 500.0);
    }
}
