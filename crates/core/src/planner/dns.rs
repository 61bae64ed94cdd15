//! VPC DNS attributes: private DNS names of interface endpoints resolve only when the VPC has
//! both `enableDnsSupport` and `enableDnsHostnames`, so that is checked before any endpoint.

use super::context::VpcContext;
use super::{Drift, Finding, Remedy};
use crate::baseline::{Baseline, EndpointType};
use crate::model::DnsAttributes;

/// Whether new or fixed endpoints may ask for private DNS: yes when the attributes are on (or not
/// yet read), or when the guard may turn them on itself.
pub(super) fn can_request_private_dns(dns: Option<DnsAttributes>, may_enable: bool) -> bool {
    let dns_ok = dns.map(|d| d.support && d.hostnames);
    dns_ok.unwrap_or(true) || may_enable
}

/// The finding for disabled DNS attributes, when they were read, are off, and matter: the
/// baseline wants private DNS on an interface endpoint the VPC has or could get.
pub(super) fn plan_vpc_dns(
    ctx: &VpcContext<'_>,
    baseline: &Baseline,
    may_enable: bool,
) -> Option<Finding> {
    let dns = ctx.inv.dns?;
    let wants_interfaces = baseline
        .services
        .iter()
        .any(|s| s.endpoint_type == EndpointType::Interface);
    let private_dns_wanted = wants_interfaces
        && baseline.services.iter().any(|s| s.private_dns)
        && (ctx.has_live_interface_endpoint() || !ctx.private_subnets_by_az.is_empty());
    if private_dns_wanted && !(dns.support && dns.hostnames) {
        Some(dns_finding(&ctx.inv.vpc.id, dns, may_enable))
    } else {
        None
    }
}

fn dns_finding(vpc_id: &str, dns: DnsAttributes, may_enable: bool) -> Finding {
    let mut ids = vec![vpc_id.to_string()];
    if !dns.support {
        ids.push("enableDnsSupport".to_string());
    }
    if !dns.hostnames {
        ids.push("enableDnsHostnames".to_string());
    }
    if may_enable {
        Finding::fix(
            None,
            Drift::VpcDnsAttributesDisabled,
            ids,
            Remedy::EnableVpcDns {
                support: !dns.support,
                hostnames: !dns.hostnames,
            },
        )
    } else {
        Finding::report(
            None,
            Drift::VpcDnsAttributesDisabled,
            ids,
            "ENABLE_VPC_DNS=false: the guard may not change VPC DNS attributes, so private DNS cannot work",
        )
    }
}
