//! `vpce-guard cost`: the interface endpoints' cost against sending the same traffic via NAT.

use vpce_guard_core::cost::Traffic;

use super::baseline::load_baseline;
use crate::args::{CostArgs, Output};
use crate::cost_report::{CostReport, PriceSource};
use crate::error::CliError;
use crate::render::cost::print_cost;

/// `gateway_share` at 1 leaves no traffic for the interface endpoints to carry.
const MAX_GATEWAY_SHARE: f64 = 1.0;

pub fn cost(args: CostArgs, profile: Option<&str>) -> Result<u8, CliError> {
    if args.gateway_share >= MAX_GATEWAY_SHARE {
        return Err(CliError(
            "--gateway-share must be below 1: at 1 the gateway endpoints carry all of the AWS traffic and the interface endpoints none (docs/cost.md)".to_string(),
        ));
    }
    let region = super::offline_region(args.region, profile)?;
    let doc = load_baseline(args.baseline.as_ref())?;
    let report = CostReport::new(
        &doc.resolve(&region),
        Traffic {
            nat_gb_per_month: args.nat_gb_per_month,
            aws_share: args.aws_share,
            gateway_share: args.gateway_share,
        },
        usize::from(args.azs),
    )
    .with_price_source(
        if doc.pricing.is_some() || doc.pricing_by_region.contains_key(&region) {
            PriceSource::Baseline
        } else {
            PriceSource::Default
        },
    );
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Output::Table => print_cost(&report),
    }
    Ok(0)
}
