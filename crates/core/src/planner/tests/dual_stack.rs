//! Dual-stack VPCs: the guard's group allows IPv6 blocks too, endpoints are dual-stack where the
//! service and every subnet support it, and a guard endpoint whose type no longer fits is fixed.

use super::*;
use crate::model::IpAddressType;

const V6: &str = "2600:1f18:abcd:1200::/56";

/// The two-AZ VPC with an IPv6 block on the VPC and on every subnet.
fn dual_stack(mut inv: VpcInventory) -> VpcInventory {
    inv.vpc.ipv6_cidr_blocks = vec![V6.into()];
    for subnet in &mut inv.subnets {
        subnet.ipv6 = true;
    }
    inv
}

/// Offers where `logs` and the gateways support IPv6 and ECR does not (as on AWS).
fn ipv6_offers() -> BTreeMap<String, ServiceOffer> {
    let mut out = offers();
    for short in ["logs", "s3", "dynamodb"] {
        if let Some(offer) = out.get_mut(&svc(short)) {
            offer.supports_ipv6 = true;
        }
    }
    out
}

fn ip_type_of(remedy: &Remedy) -> Option<IpAddressType> {
    match remedy {
        Remedy::CreateGatewayEndpoint {
            ip_address_type, ..
        }
        | Remedy::CreateInterfaceEndpoint {
            ip_address_type, ..
        } => Some(*ip_address_type),
        _ => None,
    }
}

#[test]
fn new_endpoints_are_dual_stack_only_where_service_and_subnets_allow() {
    let inv = dual_stack(two_az_vpc());
    let p = Planning::new().offers(ipv6_offers()).plan(&inv);
    let types: BTreeMap<String, IpAddressType> = p
        .findings
        .iter()
        .filter_map(|f| Some((f.service.clone()?, ip_type_of(f.remedy.as_ref()?)?)))
        .collect();
    assert_eq!(types[&svc("logs")], IpAddressType::Dualstack);
    assert_eq!(types[&svc("s3")], IpAddressType::Dualstack);
    assert_eq!(
        types[&svc("ecr.api")],
        IpAddressType::Ipv4,
        "ECR has no dual-stack PrivateLink"
    );
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(svc("logs").as_str()))
        .and_then(|f| f.remedy.as_ref())
        .map(Remedy::describe)
        .unwrap_or_default();
    assert!(logs.ends_with("IpAddressType=dualstack"), "{logs}");

    // One private subnet without IPv6: IPv4 everywhere.
    let mut partly = dual_stack(two_az_vpc());
    if let Some(s) = partly.subnets.iter_mut().find(|s| s.id == "subnet-priv-b") {
        s.ipv6 = false;
    }
    let p = Planning::new().offers(ipv6_offers()).plan(&partly);
    assert!(p
        .findings
        .iter()
        .filter_map(|f| ip_type_of(f.remedy.as_ref()?))
        .all(|t| t == IpAddressType::Ipv4));
}

#[test]
fn the_guard_group_allows_https_from_ipv6_blocks_too() {
    let mut inv = dual_stack(compliant_vpc());
    let p = Planning::new().offers(ipv6_offers()).plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![(None, Drift::SecurityGroupRuleMissing)],
        "the IPv4-only group misses the IPv6 block"
    );
    assert!(matches!(
        &p.findings[0].remedy,
        Some(Remedy::AuthorizeHttpsIngress { cidrs, .. }) if cidrs == &vec![V6.to_string()]
    ));
    inv.security_groups[0]
        .ingress
        .push(IngressRule::https_from(V6));
    assert_eq!(
        inv.security_groups[0]
            .ingress
            .last()
            .map(|r| r.source.as_str()),
        Some("cidr6:2600:1f18:abcd:1200::/56")
    );
    assert!(Planning::new()
        .offers(ipv6_offers())
        .plan(&inv)
        .findings
        .is_empty());
}

#[test]
fn a_guard_endpoint_of_the_wrong_type_is_switched_and_a_foreign_one_reported() {
    let mut inv = dual_stack(compliant_vpc());
    inv.security_groups[0]
        .ingress
        .push(IngressRule::https_from(V6));
    for e in &mut inv.endpoints {
        e.ip_address_type = Some(IpAddressType::Ipv4);
    }
    let p = Planning::new().offers(ipv6_offers()).plan(&inv);
    let mismatched: Vec<(Option<String>, Drift)> = drifts(&p);
    assert_eq!(
        mismatched,
        vec![
            (Some(svc("s3")), Drift::IpAddressTypeMismatch),
            (Some(svc("dynamodb")), Drift::IpAddressTypeMismatch),
            (Some(svc("logs")), Drift::IpAddressTypeMismatch),
        ]
    );
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(svc("logs").as_str()))
        .unwrap();
    assert_eq!(
        logs.remedy
            .as_ref()
            .map(Remedy::describe)
            .unwrap_or_default(),
        format!(
            "ModifyVpcEndpoint {} IpAddressType=dualstack DnsOptions.DnsRecordIpType=dualstack",
            logs.resource_ids[0]
        )
    );
    // Not the guard's: reported, not changed. Unknown type (older endpoints): no finding.
    for e in &mut inv.endpoints {
        e.managed = false;
    }
    let p = Planning::new().offers(ipv6_offers()).plan(&inv);
    assert!(p
        .findings
        .iter()
        .all(|f| f.drift == Drift::IpAddressTypeMismatch && f.remedy.is_none()));
    for e in &mut inv.endpoints {
        e.ip_address_type = None;
    }
    assert!(Planning::new()
        .offers(ipv6_offers())
        .plan(&inv)
        .findings
        .is_empty());
}
