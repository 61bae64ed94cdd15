//! Dual-stack VPCs (issue #14 part 4) through the compliance-sweep entry point: the guard's group
//! allows HTTPS from the VPC's IPv6 block, and endpoints are dual-stack where the service offers
//! IPv6 PrivateLink and every subnet has IPv6 (ECR does not: it stays IPv4).
//!
//! moto quirks: moto ignores `IpAddressType` and `DnsOptions` on CreateVpcEndpoint and never
//! reports `SupportedIpAddressTypes` or an endpoint's `IpAddressType`. The test therefore puts
//! the fault proxy in front of EC2, adds `supportedIpAddressTypeSet` to moto's answer for the
//! services that have it on AWS, and checks the request parameters on the wire.

use crate::common::fault_proxy::{FaultProxy, Rewrite};
use crate::common::*;
use vpce_guard_lambda::functions::compliance_sweep;

/// Gives the VPC an Amazon-provided IPv6 /56 and each subnet a /64 of it; returns the /56.
async fn make_dual_stack(env: &Env, vpc: &SeededVpc) -> String {
    let block = env.amazon_ipv6_block(&vpc.vpc_id).await;
    // 2600:1f18:1234:5600::/56 → subnets 2600:1f18:1234:5600::/64, …5601::/64, …
    let prefix = block.trim_end_matches("::/56");
    let (head, last) = prefix.rsplit_once(':').expect("IPv6 prefix");
    let base = u32::from_str_radix(last, 16).expect("hex group");
    for (i, subnet) in vpc
        .public_subnets
        .iter()
        .chain(&vpc.private_subnets)
        .enumerate()
    {
        env.ec2
            .associate_subnet_cidr_block()
            .subnet_id(subnet)
            .ipv6_cidr_block(format!("{head}:{:x}::/64", base + i as u32))
            .send()
            .await
            .expect("associate subnet IPv6 block");
    }
    block
}

/// Makes moto say `service` supports IPv4 and IPv6 PrivateLink, as AWS does for it.
fn offers_ipv6(proxy: &FaultProxy, service: &str) {
    proxy.add_rewrite(Rewrite {
        action: "DescribeVpcEndpointServices".into(),
        marker: format!("<serviceName>com.amazonaws.{REGION}.{service}</serviceName>"),
        element: "owner".into(),
        value: "amazon".into(),
        append: "<supportedIpAddressTypeSet><item>ipv4</item><item>ipv6</item></supportedIpAddressTypeSet>".into(),
    });
}

#[tokio::test]
async fn dual_stack_vpcs_get_ipv6_rules_and_dual_stack_endpoints_where_supported() {
    let env = Env::new().await;
    let vpc = env.two_az_vpc(1).await;
    let v6_block = make_dual_stack(&env, &vpc).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 11).await;
    for service in ["logs", "s3", "dynamodb"] {
        offers_ipv6(&proxy, service);
    }
    let function = env.function_via_ec2(&[], &proxy.endpoint);
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");

    let seen = proxy.seen();
    let creates: Vec<_> = seen
        .iter()
        .filter(|s| s.action == "CreateVpcEndpoint" && s.params.get("VpcId") == Some(&vpc.vpc_id))
        .collect();
    let create_of = |service: &str| {
        creates
            .iter()
            .find(|s| {
                s.params.get("ServiceName").map(String::as_str)
                    == Some(format!("com.amazonaws.{REGION}.{service}").as_str())
            })
            .unwrap_or_else(|| panic!("no CreateVpcEndpoint for {service}: {creates:?}"))
    };
    let logs = create_of("logs");
    assert_eq!(
        logs.params.get("IpAddressType").map(String::as_str),
        Some("dualstack")
    );
    assert_eq!(
        logs.params
            .get("DnsOptions.DnsRecordIpType")
            .map(String::as_str),
        Some("dualstack")
    );
    let s3 = create_of("s3");
    assert_eq!(
        s3.params.get("IpAddressType").map(String::as_str),
        Some("dualstack")
    );
    assert!(
        !s3.params.contains_key("DnsOptions.DnsRecordIpType"),
        "gateways have no DNS"
    );
    for ipv4_only in ["ecr.api", "ecr.dkr"] {
        assert!(
            !create_of(ipv4_only).params.contains_key("IpAddressType"),
            "{ipv4_only} has no dual-stack PrivateLink: EC2's default (IPv4)"
        );
    }

    // The guard's group allows HTTPS from the IPv6 block as well as the IPv4 one.
    let group = env.guard_group(&vpc.vpc_id).await.expect("guard group");
    let https = group
        .ip_permissions()
        .iter()
        .find(|p| p.from_port() == Some(443))
        .expect("HTTPS rule");
    assert!(https
        .ip_ranges()
        .iter()
        .any(|r| r.cidr_ip() == Some("10.1.0.0/16")));
    assert!(
        https
            .ipv6_ranges()
            .iter()
            .any(|r| r.cidr_ipv6() == Some(v6_block.as_str())),
        "{group:?}"
    );

    // Converged: the next sweep finds nothing to do (the IPv6 rule is recognised).
    let again = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("second sweep");
    assert_eq!(n(&again, "actions_applied"), 0, "{again}");
}
