//! Planner unit tests on hand-built inventories: one per rule and drift code, in one file per
//! rule family. This file holds the shared fixtures: a two-AZ VPC with or without the standard
//! baseline in place, and [`Planning`], the plan inputs a test may change.

mod cost;
mod dns;
mod dual_stack;
mod missing;
mod orchestration;
mod prune_hold;
mod release;
mod remedy;
mod security_group;
mod service;

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::baseline::{Baseline, BaselineDocument, EndpointType, InterfacePolicy};
use crate::model::{
    DnsAttributes, Endpoint, EndpointState, IngressRule, RegionInventory, Route, RouteTable,
    SecurityGroup, ServiceOffer, Subnet, Vpc, VpcInventory, GUARD_SECURITY_GROUP_NAME,
    MANAGED_TAG_KEY,
};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const VPC: &str = "vpc-1";

fn svc(short: &str) -> String {
    format!("com.amazonaws.{REGION}.{short}")
}

fn baseline() -> Baseline {
    BaselineDocument::standard().resolve(REGION)
}

fn offers() -> BTreeMap<String, ServiceOffer> {
    let azs: BTreeSet<String> = ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut out = BTreeMap::new();
    for (short, kinds) in [
        ("s3", vec![EndpointType::Gateway, EndpointType::Interface]),
        ("dynamodb", vec![EndpointType::Gateway]),
        ("ecr.api", vec![EndpointType::Interface]),
        ("ecr.dkr", vec![EndpointType::Interface]),
        ("logs", vec![EndpointType::Interface]),
    ] {
        out.insert(
            svc(short),
            ServiceOffer {
                service_name: svc(short),
                types: kinds.into_iter().collect(),
                availability_zones: azs.clone(),
                policy_supported: Some(true),
                supports_ipv6: false,
                private_dns_names: Vec::new(),
            },
        );
    }
    out
}

fn table(id: &str, main: bool, subnets: &[&str], public: bool) -> RouteTable {
    let mut routes = vec![Route {
        destination: "10.0.0.0/16".into(),
        target: "local".into(),
    }];
    if public {
        routes.push(Route {
            destination: "0.0.0.0/0".into(),
            target: "igw-1".into(),
        });
    } else {
        routes.push(Route {
            destination: "0.0.0.0/0".into(),
            target: "nat-1".into(),
        });
    }
    RouteTable {
        id: id.into(),
        vpc_id: VPC.into(),
        is_main: main,
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        routes,
    }
}

fn subnet(id: &str, az: &str) -> Subnet {
    Subnet {
        id: id.into(),
        vpc_id: VPC.into(),
        availability_zone: az.into(),
        ipv6: false,
        tags: BTreeMap::new(),
    }
}

fn endpoint(id: &str, short: &str, kind: EndpointType) -> Endpoint {
    Endpoint {
        id: id.into(),
        vpc_id: VPC.into(),
        service_name: svc(short),
        endpoint_type: Some(kind),
        state: EndpointState::Live("available".into()),
        route_table_ids: vec![],
        subnet_ids: vec![],
        security_group_ids: vec!["sg-guard".into()],
        private_dns_enabled: kind == EndpointType::Interface,
        policy: None,
        ip_address_type: None,
        created_at: Some(100),
        managed: true,
    }
}

fn guard_group(cidrs: &[&str]) -> SecurityGroup {
    SecurityGroup {
        id: "sg-guard".into(),
        vpc_id: VPC.into(),
        name: GUARD_SECURITY_GROUP_NAME.into(),
        managed: true,
        ingress: cidrs.iter().map(|c| IngressRule::https_from(c)).collect(),
    }
}

/// Two AZs, a public and a private subnet in each, one private route table per AZ (main is public).
fn two_az_vpc() -> VpcInventory {
    VpcInventory {
        vpc: Vpc {
            id: VPC.into(),
            cidr_blocks: vec!["10.0.0.0/16".into()],
            ipv6_cidr_blocks: Vec::new(),
            tags: BTreeMap::new(),
            is_default: false,
            owner_id: None,
        },
        subnets: vec![
            subnet("subnet-pub-a", "us-east-1a"),
            subnet("subnet-pub-b", "us-east-1b"),
            subnet("subnet-priv-a", "us-east-1a"),
            subnet("subnet-priv-b", "us-east-1b"),
        ],
        route_tables: vec![
            table("rtb-main", true, &["subnet-pub-a", "subnet-pub-b"], true),
            table("rtb-priv-a", false, &["subnet-priv-a"], false),
            table("rtb-priv-b", false, &["subnet-priv-b"], false),
        ],
        endpoints: vec![],
        security_groups: vec![],
        dns: None,
        nat_gb_cloudwatch: None,
        central_dns_zones: None,
    }
}

/// The same VPC with the full baseline in place.
fn compliant_vpc() -> VpcInventory {
    let mut inv = two_az_vpc();
    for (i, short) in ["s3", "dynamodb"].iter().enumerate() {
        let mut e = endpoint(&format!("vpce-g{i}"), short, EndpointType::Gateway);
        e.route_table_ids = vec!["rtb-priv-a".into(), "rtb-priv-b".into()];
        e.security_group_ids.clear();
        inv.endpoints.push(e);
    }
    for (i, short) in ["ecr.api", "ecr.dkr", "logs"].iter().enumerate() {
        let mut e = endpoint(&format!("vpce-i{i}"), short, EndpointType::Interface);
        e.subnet_ids = vec!["subnet-priv-a".into(), "subnet-priv-b".into()];
        inv.endpoints.push(e);
    }
    inv.security_groups.push(guard_group(&["10.0.0.0/16"]));
    inv
}

/// Puts a new subnet in `az` behind the private route table `rtb-priv-a`.
fn add_private_subnet(inv: &mut VpcInventory, id: &str, az: &str) {
    inv.subnets.push(subnet(id, az));
    inv.route_tables[1].subnet_ids.push(id.into());
}

/// The plan inputs besides the inventory: the standard baseline, every service offered in every
/// AZ, and the default options, unless a test replaces one.
struct Planning {
    offers: BTreeMap<String, ServiceOffer>,
    baseline: Baseline,
    options: PlannerOptions,
}

impl Planning {
    fn new() -> Self {
        Self {
            offers: offers(),
            baseline: baseline(),
            options: PlannerOptions::default(),
        }
    }

    fn offers(mut self, offers: BTreeMap<String, ServiceOffer>) -> Self {
        self.offers = offers;
        self
    }

    fn baseline(mut self, baseline: Baseline) -> Self {
        self.baseline = baseline;
        self
    }

    fn options(mut self, options: PlannerOptions) -> Self {
        self.options = options;
        self
    }

    fn plan(&self, inv: &VpcInventory) -> VpcPlan {
        plan_vpc(ACCOUNT, inv, &self.offers, &self.baseline, &self.options)
    }
}

/// Plans `inv` with the default inputs.
fn plan(inv: &VpcInventory) -> VpcPlan {
    Planning::new().plan(inv)
}

fn drifts(plan: &VpcPlan) -> Vec<(Option<String>, Drift)> {
    plan.findings
        .iter()
        .map(|f| (f.service.clone(), f.drift))
        .collect()
}
