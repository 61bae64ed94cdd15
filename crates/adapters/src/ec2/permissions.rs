//! Security-group permissions: EC2's `IpPermission` (many sources per permission) to and from
//! the core's [`IngressRule`] (one source each, written `cidr:`, `cidr6:`, `pl:` or `sg:`).

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, UserIdGroupPair};

use vpce_guard_core::model::{IngressRule, HTTPS_PORT};

/// One IpPermission can carry many sources; flatten to one rule per source.
pub(super) fn flatten_permission(p: &IpPermission) -> Vec<IngressRule> {
    let protocol = p.ip_protocol().unwrap_or("-1").to_string();
    let (from_port, to_port) = if protocol == "-1" {
        (None, None)
    } else {
        (p.from_port(), p.to_port())
    };
    let rule = |source: String| IngressRule {
        protocol: protocol.clone(),
        from_port,
        to_port,
        source,
    };
    let mut rules = Vec::new();
    rules.extend(
        p.ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip())
            .map(|c| rule(format!("cidr:{c}"))),
    );
    rules.extend(
        p.ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6())
            .map(|c| rule(format!("cidr6:{c}"))),
    );
    rules.extend(
        p.prefix_list_ids()
            .iter()
            .filter_map(|r| r.prefix_list_id())
            .map(|c| rule(format!("pl:{c}"))),
    );
    rules.extend(
        p.user_id_group_pairs()
            .iter()
            .filter_map(|r| r.group_id())
            .map(|c| rule(format!("sg:{c}"))),
    );
    rules
}

/// The inverse of [`flatten_permission`], for revoking exactly one rule.
pub(super) fn permission_for(rule: &IngressRule) -> IpPermission {
    let builder = IpPermission::builder()
        .ip_protocol(&rule.protocol)
        .set_from_port(rule.from_port)
        .set_to_port(rule.to_port);
    let builder = match rule.source.split_once(':') {
        Some(("cidr", c)) => builder.ip_ranges(IpRange::builder().cidr_ip(c).build()),
        Some(("cidr6", c)) => builder.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).build()),
        Some(("pl", c)) => {
            builder.prefix_list_ids(PrefixListId::builder().prefix_list_id(c).build())
        }
        Some(("sg", c)) => {
            builder.user_id_group_pairs(UserIdGroupPair::builder().group_id(c).build())
        }
        _ => builder,
    };
    builder.build()
}

/// HTTPS from each of `cidrs`, in one permission (the guard security group's ingress).
pub(super) fn https_permission(cidrs: &[String]) -> IpPermission {
    let mut builder = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(HTTPS_PORT)
        .to_port(HTTPS_PORT);
    const DESCRIPTION: &str = "HTTPS to VPC endpoints from the VPC (vpce-guard)";
    for cidr in cidrs {
        builder = if cidr.contains(':') {
            builder.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(cidr)
                    .description(DESCRIPTION)
                    .build(),
            )
        } else {
            builder.ip_ranges(
                IpRange::builder()
                    .cidr_ip(cidr)
                    .description(DESCRIPTION)
                    .build(),
            )
        };
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_through_rules() {
        let rules = vec![
            IngressRule {
                protocol: "tcp".into(),
                from_port: Some(22),
                to_port: Some(22),
                source: "cidr:0.0.0.0/0".into(),
            },
            IngressRule {
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                source: "sg:sg-1".into(),
            },
            IngressRule {
                protocol: "udp".into(),
                from_port: Some(1),
                to_port: Some(2),
                source: "cidr6:::/0".into(),
            },
            IngressRule {
                protocol: "tcp".into(),
                from_port: Some(443),
                to_port: Some(443),
                source: "pl:pl-1".into(),
            },
        ];
        for rule in rules {
            assert_eq!(flatten_permission(&permission_for(&rule)), vec![rule]);
        }
    }

    #[test]
    fn https_permission_lists_every_cidr() {
        let p = https_permission(&[
            "10.0.0.0/16".into(),
            "2600:1f18::/56".into(),
            "10.1.0.0/16".into(),
        ]);
        let rules = flatten_permission(&p);
        assert_eq!(
            rules,
            vec![
                IngressRule::https_from("10.0.0.0/16"),
                IngressRule::https_from("10.1.0.0/16"),
                IngressRule::https_from("2600:1f18::/56")
            ]
        );
        assert_eq!(rules[2].source, "cidr6:2600:1f18::/56");
    }
}
