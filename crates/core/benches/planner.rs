//! Planner throughput: 10,000 VPCs x 5 baseline services from an in-memory inventory.
//! Target (docs/performance.md): under 50 ms per full plan.

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use vpce_guard_core::baseline::{BaselineDocument, EndpointType};
use vpce_guard_core::model::{
    Endpoint, EndpointState, IngressRule, RegionInventory, Route, RouteTable, SecurityGroup,
    ServiceOffer, Subnet, Vpc, VpcInventory,
};
use vpce_guard_core::planner::{plan_region, PlannerOptions, VpcStatus};

const REGION: &str = "us-east-1";

/// A VPC with public and private subnets in two AZs; every fourth one drifted in some way.
fn vpc(i: usize) -> VpcInventory {
    let id = format!("vpc-{i:08x}");
    let sub = |n: usize, az: &str| Subnet {
        id: format!("subnet-{i:08x}{n}"),
        vpc_id: id.clone(),
        availability_zone: az.to_string(),
        ipv6: false,
        tags: BTreeMap::new(),
    };
    let route = |dest: &str, target: &str| Route {
        destination: dest.into(),
        target: target.into(),
    };
    let subnets = vec![
        sub(0, "us-east-1a"),
        sub(1, "us-east-1b"),
        sub(2, "us-east-1a"),
        sub(3, "us-east-1b"),
    ];
    let table = |n: usize, main: bool, subnets: Vec<String>, public: bool| RouteTable {
        id: format!("rtb-{i:08x}{n}"),
        vpc_id: id.clone(),
        is_main: main,
        subnet_ids: subnets,
        routes: vec![
            route("10.0.0.0/16", "local"),
            route("0.0.0.0/0", if public { "igw-1" } else { "nat-1" }),
        ],
    };
    let route_tables = vec![
        table(
            0,
            true,
            vec![subnets[0].id.clone(), subnets[1].id.clone()],
            true,
        ),
        table(1, false, vec![subnets[2].id.clone()], false),
        table(2, false, vec![subnets[3].id.clone()], false),
    ];
    let private_tables = vec![route_tables[1].id.clone(), route_tables[2].id.clone()];
    let private_subnets = vec![subnets[2].id.clone(), subnets[3].id.clone()];
    let mut endpoints = Vec::new();
    for (n, (short, kind)) in [
        ("s3", EndpointType::Gateway),
        ("dynamodb", EndpointType::Gateway),
        ("ecr.api", EndpointType::Interface),
        ("ecr.dkr", EndpointType::Interface),
        ("logs", EndpointType::Interface),
    ]
    .into_iter()
    .enumerate()
    {
        // Drift: every 4th VPC lacks logs, every 7th has a gateway on one table only.
        if i.is_multiple_of(4) && short == "logs" {
            continue;
        }
        let gateway = kind == EndpointType::Gateway;
        endpoints.push(Endpoint {
            id: format!("vpce-{i:08x}{n}"),
            vpc_id: id.clone(),
            service_name: format!("com.amazonaws.{REGION}.{short}"),
            endpoint_type: Some(kind),
            state: EndpointState::Live("available".into()),
            route_table_ids: if gateway {
                if i.is_multiple_of(7) {
                    private_tables[..1].to_vec()
                } else {
                    private_tables.clone()
                }
            } else {
                Vec::new()
            },
            subnet_ids: if gateway {
                Vec::new()
            } else {
                private_subnets.clone()
            },
            security_group_ids: vec![format!("sg-{i:08x}")],
            private_dns_enabled: !gateway,
            policy: None,
            ip_address_type: None,
            created_at: Some(1_700_000_000),
            managed: true,
        });
    }
    VpcInventory {
        vpc: Vpc {
            id: id.clone(),
            cidr_blocks: vec!["10.0.0.0/16".into()],
            ipv6_cidr_blocks: Vec::new(),
            tags: BTreeMap::new(),
            is_default: false,
            owner_id: None,
        },
        subnets,
        route_tables,
        endpoints,
        security_groups: vec![SecurityGroup {
            id: format!("sg-{i:08x}"),
            vpc_id: id,
            name: "vpce-guard-endpoints".into(),
            managed: true,
            ingress: vec![IngressRule::https_from("10.0.0.0/16")],
        }],
        dns: None,
        nat_gb_cloudwatch: None,
        central_dns_zones: None,
    }
}

fn inventory(vpcs: usize) -> RegionInventory {
    let azs: BTreeSet<String> = ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let offers = ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs"]
        .iter()
        .map(|short| {
            let name = format!("com.amazonaws.{REGION}.{short}");
            let types = if matches!(*short, "s3" | "dynamodb") {
                [EndpointType::Gateway].into_iter().collect()
            } else {
                [EndpointType::Interface].into_iter().collect()
            };
            (
                name.clone(),
                ServiceOffer {
                    service_name: name,
                    types,
                    availability_zones: azs.clone(),
                    policy_supported: Some(true),
                    supports_ipv6: false,
                    private_dns_names: Vec::new(),
                },
            )
        })
        .collect();
    RegionInventory {
        account_id: "123456789012".into(),
        region: REGION.into(),
        vpcs: (0..vpcs).map(vpc).collect(),
        offers,
    }
}

fn bench_planner(c: &mut Criterion) {
    let baseline = BaselineDocument::standard().resolve(REGION);
    let options = PlannerOptions::default();
    let inv = inventory(10_000);
    // Sanity: the fixture really has drift and compliance in it.
    let plans = plan_region(&inv, &baseline, &options);
    let drifted = plans
        .iter()
        .filter(|p| p.status == VpcStatus::Drifted)
        .count();
    assert!(
        drifted > 2_000 && drifted < 10_000,
        "fixture drift: {drifted}"
    );
    c.bench_function("plan_region 10k VPCs x 5 services", |b| {
        b.iter(|| plan_region(black_box(&inv), black_box(&baseline), black_box(&options)))
    });
}

criterion_group!(benches, bench_planner);
criterion_main!(benches);
