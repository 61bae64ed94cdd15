//! `vpce-guard cost`: the interface endpoints' cost against sending the same traffic via NAT.

use vpce_guard_core::cost::Traffic;

use super::baseline::load_baseline;
use crate::args::{CostArgs, Output};
use crate::cost_report::CostReport;
use crate::error::CliError;
use crate::render::cost::print_cost;

pub fn cost(args: CostArgs) -> Result<u8, CliError> {
    for (name, share) in [
        ("--aws-share", args.aws_share),
        ("--gateway-share", args.gateway_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(CliError(format!(
                "{name} must be between 0 and 1, got {share}"
            )));
        }
    }
    if !args.nat_gb_per_month.is_finite() || args.nat_gb_per_month < 0.0 {
        return Err(CliError(
            "--nat-gb-per-month must be a non-negative number".to_string(),
        ));
    }
    if args.azs == 0 {
        return Err(CliError("--azs must be at least 1".to_string()));
    }
    let doc = load_baseline(args.baseline.as_ref())?;
    let report = CostReport::new(
        &doc.resolve(&args.region),
        Traffic {
            nat_gb_per_month: args.nat_gb_per_month,
            aws_share: args.aws_share,
            gateway_share: args.gateway_share,
        },
        args.azs,
    );
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Output::Table => print_cost(&report),
    }
    Ok(0)
}
