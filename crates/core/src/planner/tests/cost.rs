//! Cost: each remedy's monthly price, and interface endpoints skipped below break-even.

use super::*;
use crate::traffic::TrafficSource;

#[test]
fn remedies_carry_their_monthly_cost() {
    let p = plan(&two_az_vpc());
    let costs: Vec<f64> = p.findings.iter().map(|f| f.monthly_cost_usd).collect();
    // Gateways free; each interface endpoint in two AZs: 2 × 730 h × $0.01 = $14.60.
    assert_eq!(costs, vec![0.0, 0.0, 14.6, 14.6, 14.6]);
    let total: f64 = costs.iter().sum();
    assert_eq!(crate::cost::round_cents(total), 43.80);

    let mut inv = compliant_vpc();
    add_private_subnet(&mut inv, "subnet-priv-c", "us-east-1c");
    assert!(plan(&inv)
        .findings
        .iter()
        .all(|f| (f.monthly_cost_usd - 7.3).abs() < 1e-9));

    let mut inv = compliant_vpc();
    let mut dup = inv.endpoints[2].clone();
    dup.id = "vpce-dup".into();
    dup.created_at = Some(500);
    inv.endpoints.push(dup);
    let p = plan(&inv);
    assert!(
        (p.findings[0].monthly_cost_usd + 14.6).abs() < 1e-9,
        "deleting a duplicate saves money"
    );
}

/// Tags the VPC with 5,000 GB/month of NAT traffic (above break-even) and checks that every
/// endpoint is planned; returns the plan.
fn tagged_5000_plans_every_endpoint(inv: &mut VpcInventory) -> VpcPlan {
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "5000".into());
    let p = Planning::new()
        .baseline(cost_effective_baseline())
        .plan(inv);
    assert!(p.cost_decisions.is_empty());
    assert_eq!(p.findings.len(), 5);
    p
}

fn cost_effective_baseline() -> Baseline {
    let mut doc = BaselineDocument::standard();
    doc.interface_endpoints = InterfacePolicy::WhenCostEffective;
    doc.resolve(REGION)
}

#[test]
fn when_cost_effective_skips_interfaces_below_break_even_with_the_numbers() {
    let mut inv = two_az_vpc();
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "1000".into());
    let p = Planning::new()
        .baseline(cost_effective_baseline())
        .plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::MissingEndpoint),
            (Some(svc("dynamodb")), Drift::MissingEndpoint)
        ],
        "gateways are free and always created"
    );
    assert_eq!(p.cost_decisions.len(), 1);
    let decision = &p.cost_decisions[0];
    assert_eq!(decision.figures.net_monthly_saving_usd, -26.30);
    assert!(
        decision.reason.contains("$43.80/month"),
        "{}",
        decision.reason
    );
    assert!(
        decision.reason.contains("2502.9 GB/month"),
        "{}",
        decision.reason
    );

    // Above break-even the interface endpoints are planned as usual.
    tagged_5000_plans_every_endpoint(&mut inv);

    // No figure: no decision, endpoints planned.
    inv.vpc.tags.clear();
    let p = Planning::new()
        .baseline(cost_effective_baseline())
        .plan(&inv);
    assert!(p.cost_decisions.is_empty());
    assert_eq!(p.findings.len(), 5);
}

#[test]
fn a_cloudwatch_figure_decides_when_no_tag_overrides_it() {
    let mut inv = two_az_vpc();
    inv.nat_gb_cloudwatch = Some(1000.0);
    let p = Planning::new()
        .baseline(cost_effective_baseline())
        .plan(&inv);
    assert_eq!(
        p.cost_decisions.len(),
        1,
        "1000 GB/month is below break-even"
    );
    let decision = &p.cost_decisions[0];
    assert_eq!(decision.nat_traffic_source, TrafficSource::Cloudwatch);
    assert!(
        decision.reason.contains("from CloudWatch"),
        "{}",
        decision.reason
    );

    // The tag is an explicit override: 5000 GB/month makes the endpoints pay.
    let p = tagged_5000_plans_every_endpoint(&mut inv);
    let report = p.nat_traffic.expect("a figure gives a report");
    assert_eq!(report.source, TrafficSource::Tag);
    assert_eq!(report.nat_gb_per_month, 5000.0);
}

#[test]
fn the_nat_traffic_report_projects_the_interface_endpoints_saving() {
    let mut inv = two_az_vpc();
    assert_eq!(plan(&inv).nat_traffic, None, "no figure, no report");
    inv.nat_gb_cloudwatch = Some(5000.0);
    let report = plan(&inv).nat_traffic.expect("report");
    assert_eq!(report.source, TrafficSource::Cloudwatch);
    assert_eq!(report.interface_endpoints, 3);
    assert_eq!(report.availability_zones, 2);
    // 2,500 GB moved: $112.50 NAT processing saved − $25.00 endpoint processing − $43.80 fixed.
    assert_eq!(report.projected_monthly_saving_usd, 43.70);
    assert_eq!(report.aws_share, 0.5);
}
