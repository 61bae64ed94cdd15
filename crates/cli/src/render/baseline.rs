//! The effective baseline, as a table or JSON.

use serde_json::json;
use vpce_guard_core::baseline::Baseline;

use crate::args::Output;

/// `profile`'s baseline resolved for its Region.
pub fn show_baseline(profile: &str, baseline: &Baseline, output: Output) {
    if output == Output::Json {
        let services: Vec<serde_json::Value> = baseline
            .services
            .iter()
            .map(|s| {
                json!({
                    "service": s.service_name,
                    "type": s.endpoint_type,
                    "private_dns": s.private_dns,
                    "policy": s.policy,
                })
            })
            .collect();
        let value = json!({
            "profile": profile,
            "region": baseline.region,
            "services": services,
            "interface_endpoints": baseline.interface_endpoints,
            "pricing": baseline.pricing,
            "nat_traffic": baseline.nat_traffic,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return;
    }
    println!(
        "Baseline profile {profile} for {} (in the order remedies run):",
        baseline.region
    );
    for s in &baseline.services {
        println!(
            "  {:<45} {:<9} private_dns={:<5} policy={}",
            s.service_name,
            s.endpoint_type.as_str(),
            s.private_dns,
            if s.policy.is_some() {
                "baseline"
            } else {
                "default (full access)"
            }
        );
    }
    let p = &baseline.pricing;
    println!(
        "Interface endpoints: {:?}; prices: interface ${}/AZ-hour + ${}/GB, NAT ${}/hour + ${}/GB",
        baseline.interface_endpoints,
        p.interface_endpoint_az_hour,
        p.interface_endpoint_per_gb,
        p.nat_gateway_hour,
        p.nat_gateway_per_gb
    );
}
