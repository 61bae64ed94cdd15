//! Dual-stack: which IP address type an endpoint should have. Dual-stack where the service
//! offers IPv6 over PrivateLink (`SupportedIpAddressTypes`) and every subnet the endpoint serves
//! has an IPv6 block; IPv4 otherwise (ECR, for one, has no dual-stack PrivateLink). An IPv4-only
//! endpoint in a dual-stack VPC leaves IPv6 clients hanging.

use super::context::VpcContext;
use super::{Drift, Finding, Remedy};
use crate::baseline::{EndpointType, ServiceSpec};
use crate::model::{Endpoint, IpAddressType, ServiceOffer};

/// The type an endpoint over `subnet_ids` should have.
pub(super) fn wanted_ip_type(
    ctx: &VpcContext<'_>,
    offer: Option<&ServiceOffer>,
    subnet_ids: &[&str],
) -> IpAddressType {
    let supported = offer.is_some_and(|o| o.supports_ipv6);
    let all_ipv6 = !subnet_ids.is_empty()
        && subnet_ids
            .iter()
            .all(|id| ctx.inv.subnets.iter().any(|s| s.id == *id && s.ipv6));
    if supported && all_ipv6 {
        IpAddressType::Dualstack
    } else {
        IpAddressType::Ipv4
    }
}

/// Gateway endpoints serve the whole VPC: dual-stack when every private subnet is.
pub(super) fn wanted_gateway_ip_type(
    ctx: &VpcContext<'_>,
    offer: Option<&ServiceOffer>,
) -> IpAddressType {
    let private: Vec<&str> = ctx
        .private_subnets_by_az
        .values()
        .flatten()
        .copied()
        .collect();
    wanted_ip_type(ctx, offer, &private)
}

/// The kept endpoint's IP address type, when EC2 reported one that no longer fits.
pub(super) fn ip_type_finding(
    ctx: &VpcContext<'_>,
    spec: &ServiceSpec,
    offer: Option<&ServiceOffer>,
    kept: &Endpoint,
) -> Option<Finding> {
    let actual = kept.ip_address_type?;
    let wanted = match spec.endpoint_type {
        EndpointType::Gateway => wanted_gateway_ip_type(ctx, offer),
        EndpointType::Interface => {
            let subnets: Vec<&str> = kept.subnet_ids.iter().map(String::as_str).collect();
            wanted_ip_type(ctx, offer, &subnets)
        }
    };
    // An IPv6-only endpoint was someone's deliberate choice: leave it.
    if actual == wanted || actual == IpAddressType::Ipv6 {
        return None;
    }
    Some(Finding::on_endpoint(
        kept,
        &spec.service_name,
        Drift::IpAddressTypeMismatch,
        Remedy::SetIpAddressType {
            endpoint_id: kept.id.clone().into(),
            ip_address_type: wanted,
            interface: spec.endpoint_type == EndpointType::Interface,
        },
        format!(
            "endpoint is {} where {} fits; it was not created by vpce-guard, so its owner changes it",
            actual.as_str(),
            wanted.as_str()
        ),
    ))
}
