//! The cost report as a table.

use vpce_guard_core::cost::{usd, HOURS_PER_MONTH};

use crate::cost_report::{CostReport, PriceSource};

pub fn print_cost(report: &CostReport) {
    let f = &report.figures;
    println!(
        "Cost of the interface endpoints against NAT Gateway ({}):",
        report.region
    );
    match report.prices {
        PriceSource::Baseline => println!("  prices: the baseline file's `pricing`"),
        PriceSource::Default => println!(
            "  prices: us-east-1 list prices (defaults; {} may differ: set `pricing` in a baseline file)",
            report.region
        ),
    }
    println!(
        "  fixed: {} endpoints x {} AZs x {} h x ${}/AZ-hour = {}/month",
        f.interface_endpoints,
        f.availability_zones,
        HOURS_PER_MONTH,
        report.pricing.interface_endpoint_az_hour,
        usd(f.fixed_interface_monthly_usd)
    );
    println!(
        "  traffic moved off NAT: {} x {} GB = {} GB/month",
        report.aws_share, report.nat_gb_per_month, f.moved_gb_per_month
    );
    println!(
        "  NAT processing saved: {}/month",
        usd(f.nat_processing_saved_usd)
    );
    println!(
        "  endpoint processing paid: {}/month",
        usd(f.interface_processing_usd)
    );
    let net = f.net_monthly_saving_usd;
    println!(
        "  net: {} ({})",
        usd(net),
        if net >= 0.0 {
            "the endpoints save money"
        } else {
            "the endpoints cost more than they save"
        }
    );
    match f.break_even_nat_gb_per_month {
        Some(gb) => println!("  break-even: {gb} GB/month of NAT traffic at these shares"),
        None => println!("  break-even: never (the endpoints cost more per GB than NAT)"),
    }
    println!("  NAT GB/month   net saving/month");
    for row in &report.by_traffic {
        println!(
            "  {:>12}   {:>16}",
            row.nat_gb_per_month,
            usd(row.net_monthly_saving_usd)
        );
    }
    println!("  Gateway endpoints (S3, DynamoDB) are free: they save from the first GB.");
}
