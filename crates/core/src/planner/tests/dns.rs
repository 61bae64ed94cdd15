//! VPC DNS attributes: fixed first, or reported when the guard may not change them.

use super::*;

#[test]
fn vpc_dns_attributes_disabled_is_fixed_before_anything_else() {
    let mut inv = two_az_vpc();
    inv.dns = Some(DnsAttributes {
        support: true,
        hostnames: false,
    });
    let p = plan(&inv);
    assert_eq!(p.findings[0].drift, Drift::VpcDnsAttributesDisabled);
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::EnableVpcDns {
            support: false,
            hostnames: true
        })
    );
    assert!(!p.needs_dns_attributes);
    // With enabling forbidden: reported, and endpoints are created without private DNS.
    let options = PlannerOptions {
        enable_vpc_dns: false,
        ..PlannerOptions::default()
    };
    let p = Planning::new().options(options).plan(&inv);
    assert!(p.findings[0].remedy.is_none());
    assert!(p.findings.iter().any(|f| matches!(
        f.remedy,
        Some(Remedy::CreateInterfaceEndpoint {
            private_dns: false,
            ..
        })
    )));
}

#[test]
fn known_good_dns_attributes_add_nothing() {
    let mut inv = compliant_vpc();
    inv.dns = Some(DnsAttributes {
        support: true,
        hostnames: true,
    });
    assert!(plan(&inv).findings.is_empty());
    inv.dns = Some(DnsAttributes {
        support: false,
        hostnames: true,
    });
    assert_eq!(
        drifts(&plan(&inv)),
        vec![(None, Drift::VpcDnsAttributesDisabled)]
    );
}
