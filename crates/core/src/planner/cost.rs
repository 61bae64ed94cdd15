//! Money: what each remedy adds to the monthly bill, and, under
//! `interface_endpoints: when_cost_effective`, whether a VPC's missing interface endpoints would
//! pay for themselves at all.

use serde::{Deserialize, Serialize};

use super::context::VpcContext;
use super::Remedy;
use crate::baseline::{Baseline, EndpointType, InterfacePolicy};
use crate::cost::{break_even, usd, BreakEven, Pricing, Traffic};
use crate::model::VpcInventory;
use crate::traffic::{nat_traffic, NatTraffic, NatTrafficReport, TrafficSource};

/// Interface endpoints deliberately not created because they would not pay for themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostDecision {
    pub skipped_services: Vec<String>,
    pub nat_gb_per_month: f64,
    /// Where the NAT traffic figure came from (older notices: the tag).
    #[serde(default)]
    pub nat_traffic_source: TrafficSource,
    pub aws_share: f64,
    pub gateway_share: f64,
    pub figures: BreakEven,
    /// The decision with its numbers, for humans.
    pub reason: String,
}

/// What a remedy changes on the monthly bill: interface ENIs cost per AZ-hour, all else is free.
pub fn remedy_monthly_cost(remedy: &Remedy, pricing: &Pricing, inv: &VpcInventory) -> f64 {
    match remedy {
        Remedy::CreateInterfaceEndpoint { subnet_ids, .. }
        | Remedy::AddSubnets { subnet_ids, .. } => pricing.interface_monthly(subnet_ids.len()),
        Remedy::DeleteEndpoints { endpoint_ids, .. } => -inv
            .endpoints
            .iter()
            .filter(|e| {
                endpoint_ids.iter().any(|id| *id == e.id)
                    && e.endpoint_type == Some(EndpointType::Interface)
            })
            .map(|e| pricing.interface_monthly(e.subnet_ids.len()))
            .sum::<f64>(),
        Remedy::PruneEndpoint { endpoint_id, .. } => -inv
            .endpoints
            .iter()
            .filter(|e| *endpoint_id == e.id)
            .map(|e| pricing.interface_monthly(e.subnet_ids.len()))
            .sum::<f64>(),
        Remedy::PruneAz { .. } => -pricing.interface_monthly(1),
        _ => 0.0,
    }
}

/// The VPC's NAT traffic (tag first, then CloudWatch) and what the baseline's interface
/// endpoints would save there at the baseline's AWS-bound share.
pub(super) fn nat_traffic_report(
    ctx: &VpcContext<'_>,
    baseline: &Baseline,
) -> Option<NatTrafficReport> {
    let source = &baseline.nat_traffic;
    let traffic = nat_traffic(
        &ctx.inv.vpc.tags,
        &source.tag_key,
        ctx.inv.nat_gb_cloudwatch,
    )?;
    let services = interface_services(baseline).len();
    let azs = ctx.private_subnets_by_az.len().max(1);
    let figures = break_even(
        &baseline.pricing,
        services,
        azs,
        &Traffic {
            nat_gb_per_month: traffic.gb_per_month,
            aws_share: source.aws_share,
            gateway_share: source.gateway_share,
        },
    );
    Some(NatTrafficReport {
        nat_gb_per_month: traffic.gb_per_month,
        source: traffic.source,
        aws_share: source.aws_share,
        interface_endpoints: services,
        availability_zones: azs,
        projected_monthly_saving_usd: figures.net_monthly_saving_usd,
    })
}

fn interface_services(baseline: &Baseline) -> Vec<String> {
    baseline
        .services
        .iter()
        .filter(|s| s.endpoint_type == EndpointType::Interface)
        .map(|s| s.service_name.clone())
        .collect()
}

/// With `interface_endpoints: when_cost_effective` and a NAT traffic figure for the VPC (tag or
/// CloudWatch), decides whether missing interface endpoints are worth creating.
pub(super) fn cost_decision(ctx: &VpcContext<'_>, baseline: &Baseline) -> Option<CostDecision> {
    if baseline.interface_endpoints != InterfacePolicy::WhenCostEffective {
        return None;
    }
    let source = &baseline.nat_traffic;
    let NatTraffic {
        gb_per_month: nat_gb_per_month,
        source: nat_traffic_source,
    } = nat_traffic(
        &ctx.inv.vpc.tags,
        &source.tag_key,
        ctx.inv.nat_gb_cloudwatch,
    )?;
    let services = interface_services(baseline);
    let azs = ctx.private_subnets_by_az.len().max(1);
    let traffic = Traffic {
        nat_gb_per_month,
        aws_share: source.aws_share,
        gateway_share: source.gateway_share,
    };
    let figures = break_even(&baseline.pricing, services.len(), azs, &traffic);
    if figures.cost_effective {
        return None;
    }
    let reason = format!(
        "interface endpoints skipped for cost: {} endpoints x {} AZs = {}/month against {} of NAT processing saved minus {} of endpoint processing at {} GB/month of NAT traffic (from {}, {}% to AWS services): net {}/month; break-even at {}",
        services.len(),
        azs,
        usd(figures.fixed_interface_monthly_usd),
        usd(figures.nat_processing_saved_usd),
        usd(figures.interface_processing_usd),
        nat_gb_per_month,
        match nat_traffic_source {
            TrafficSource::Cloudwatch => "CloudWatch",
            TrafficSource::Tag => "the VPC tag",
        },
        (source.aws_share * 100.0).round(),
        usd(figures.net_monthly_saving_usd),
        figures
            .break_even_nat_gb_per_month
            .map(|gb| format!("{gb} GB/month"))
            .unwrap_or_else(|| "no traffic level".to_string()),
    );
    Some(CostDecision {
        skipped_services: services,
        nat_gb_per_month,
        nat_traffic_source,
        aws_share: source.aws_share,
        gateway_share: source.gateway_share,
        figures,
        reason,
    })
}
