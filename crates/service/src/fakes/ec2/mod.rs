//! The in-memory EC2: an [`Observation`] that remedies are applied to as EC2 would. Here: its
//! state and the builders tests seed it with; `port` answers the EC2 port, `apply` applies remedies.

mod apply;
mod port;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use super::lock;

use vpce_guard_core::baseline::{short_name, EndpointType};
use vpce_guard_core::ec2_action::Ec2Action;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::{
    DnsAttributes, Endpoint, EndpointState, Observation, Route, RouteTable, ServiceOffer, Subnet,
    Vpc,
};
use vpce_guard_core::ports::RequestMetrics;

/// The AZs the fake offers every service in.
pub const FAKE_AZS: [&str; 2] = ["us-east-1a", "us-east-1b"];

#[derive(Debug, Default)]
struct Ec2State {
    observation: Observation,
    dns: BTreeMap<String, DnsAttributes>,
    calls: Vec<String>,
    failures: BTreeMap<&'static str, ApiError>,
    /// What pacing would still let through before the deadline, per action (absent: no limit).
    calls_left: BTreeMap<Ec2Action, u64>,
    next_id: u64,
}

impl Ec2State {
    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-fake{:08x}", self.next_id)
    }

    /// Records the call and fails it when told to.
    fn call(&mut self, operation: &'static str) -> Result<(), ApiError> {
        self.calls.push(operation.to_string());
        match self.failures.get(operation) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn endpoint_mut(&mut self, id: &str) -> Result<&mut Endpoint, ApiError> {
        self.observation
            .endpoints
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| {
                ApiError::new(
                    "ModifyVpcEndpoint",
                    "InvalidVpcEndpointId.NotFound",
                    format!("{id} does not exist"),
                )
            })
    }
}

/// An EC2 account and Region in memory. Cloning shares the state (hand one clone to the guard,
/// keep one to look at).
#[derive(Debug, Clone, Default)]
pub struct InMemoryEc2 {
    state: Arc<Mutex<Ec2State>>,
}

impl InMemoryEc2 {
    /// A Region that offers the standard services (S3 and DynamoDB as gateway and interface,
    /// the rest as interface) in [`FAKE_AZS`].
    pub fn new(region: &str) -> Self {
        let fake = Self::default();
        let azs: BTreeSet<String> = FAKE_AZS.iter().map(|s| s.to_string()).collect();
        let offers = ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs"]
            .iter()
            .map(|short| {
                let mut types = BTreeSet::from([EndpointType::Interface]);
                if matches!(*short, "s3" | "dynamodb") {
                    types.insert(EndpointType::Gateway);
                }
                ServiceOffer {
                    service_name: format!("com.amazonaws.{region}.{short}"),
                    types,
                    availability_zones: azs.clone(),
                    policy_supported: Some(true),
                    supports_ipv6: false,
                    private_dns_names: Vec::new(),
                }
            })
            .collect();
        fake.state().observation.offers = offers;
        fake
    }

    fn state(&self) -> MutexGuard<'_, Ec2State> {
        lock(&self.state)
    }

    /// Adds a VPC with `cidr`, one private subnet and route table per AZ of [`FAKE_AZS`] (and the
    /// main table), DNS attributes as given.
    pub fn with_private_vpc(self, vpc_id: &str, cidr: &str, dns: DnsAttributes) -> Self {
        {
            let mut state = self.state();
            state.observation.vpcs.push(Vpc {
                id: vpc_id.to_string(),
                cidr_blocks: vec![cidr.to_string()],
                ipv6_cidr_blocks: Vec::new(),
                tags: BTreeMap::new(),
                is_default: false,
                owner_id: None,
            });
            state.observation.route_tables.push(RouteTable {
                id: format!("rtb-main-{vpc_id}"),
                vpc_id: vpc_id.to_string(),
                is_main: true,
                subnet_ids: Vec::new(),
                routes: vec![local_route(cidr)],
            });
            for (i, az) in FAKE_AZS.iter().enumerate() {
                let subnet_id = format!("subnet-{i}-{vpc_id}");
                state.observation.subnets.push(Subnet {
                    id: subnet_id.clone(),
                    vpc_id: vpc_id.to_string(),
                    availability_zone: az.to_string(),
                    ipv6: false,
                    tags: BTreeMap::new(),
                });
                state.observation.route_tables.push(RouteTable {
                    id: format!("rtb-{i}-{vpc_id}"),
                    vpc_id: vpc_id.to_string(),
                    is_main: false,
                    subnet_ids: vec![subnet_id],
                    routes: vec![
                        local_route(cidr),
                        Route {
                            destination: "0.0.0.0/0".to_string(),
                            target: format!("nat-{i}"),
                        },
                    ],
                });
            }
            state.dns.insert(vpc_id.to_string(), dns);
        }
        self
    }

    /// Makes `owner` the owner of a VPC (a VPC shared with the guarded account through RAM).
    pub fn with_vpc_owner(self, vpc_id: &str, owner: &str) -> Self {
        self.change_vpc(vpc_id, |vpc| vpc.owner_id = Some(owner.to_string()))
    }

    /// Adds another private subnet `subnet_id` in `az` of a VPC, on the AZ's private route table.
    pub fn with_extra_private_subnet(self, vpc_id: &str, subnet_id: &str, az: &str) -> Self {
        {
            let mut state = self.state();
            state.observation.subnets.push(Subnet {
                id: subnet_id.to_string(),
                vpc_id: vpc_id.to_string(),
                availability_zone: az.to_string(),
                ipv6: false,
                tags: BTreeMap::new(),
            });
            let index = FAKE_AZS.iter().position(|a| *a == az).unwrap_or(0);
            let table_id = format!("rtb-{index}-{vpc_id}");
            if let Some(table) = state
                .observation
                .route_tables
                .iter_mut()
                .find(|t| t.id == table_id)
            {
                table.subnet_ids.push(subnet_id.to_string());
            }
        }
        self
    }

    /// Tags a VPC.
    pub fn with_vpc_tag(self, vpc_id: &str, key: &str, value: &str) -> Self {
        self.change_vpc(vpc_id, |vpc| {
            vpc.tags.insert(key.to_string(), value.to_string());
        })
    }

    /// Applies `change` to the VPC `vpc_id`, if the fake has it.
    fn change_vpc(self, vpc_id: &str, change: impl FnOnce(&mut Vpc)) -> Self {
        if let Some(vpc) = self
            .state()
            .observation
            .vpcs
            .iter_mut()
            .find(|v| v.id == vpc_id)
        {
            change(vpc);
        }
        self
    }

    /// Makes every later call of `operation` (e.g. `CreateVpcEndpoint`) fail with `code`.
    pub fn fail(&self, operation: &'static str, code: &str) {
        self.state().failures.insert(
            operation,
            ApiError::new(operation, code, "injected by the test"),
        );
    }

    /// Pretends the run's pacing sends only `calls` more `action` requests before its
    /// deadline (the fake itself still answers every call).
    pub fn with_calls_left_before_deadline(self, action: Ec2Action, calls: u64) -> Self {
        self.state().calls_left.insert(action, calls);
        self
    }

    /// Lets `operation` succeed again.
    pub fn heal(&self, operation: &'static str) {
        self.state().failures.remove(operation);
    }

    /// Every call so far, by operation name, in order.
    pub fn calls(&self) -> Vec<String> {
        self.state().calls.clone()
    }

    /// The state as the next `observe` would see it.
    pub fn observation(&self) -> Observation {
        self.state().observation.clone()
    }

    /// The VPC's DNS attributes as EC2 holds them.
    pub fn dns(&self, vpc_id: &str) -> Option<DnsAttributes> {
        self.state().dns.get(vpc_id).copied()
    }

    /// Live endpoints of `vpc_id`, as (short service name, type).
    pub fn live_endpoints(&self, vpc_id: &str) -> Vec<(String, EndpointType)> {
        let state = self.state();
        let mut out: Vec<(String, EndpointType)> = state
            .observation
            .endpoints
            .iter()
            .filter(|e| e.vpc_id == vpc_id && matches!(e.state, EndpointState::Live(_)))
            .filter_map(|e| Some((short_name(&e.service_name).to_string(), e.endpoint_type?)))
            .collect();
        out.sort();
        out
    }

    /// Every endpoint of `vpc_id` (any state).
    pub fn endpoints(&self, vpc_id: &str) -> Vec<Endpoint> {
        self.state()
            .observation
            .endpoints
            .iter()
            .filter(|e| e.vpc_id == vpc_id)
            .cloned()
            .collect()
    }

    /// Adds an endpoint as someone else (or the guard, with `managed`) made it.
    pub fn with_endpoint(self, endpoint: Endpoint) -> Self {
        self.state().observation.endpoints.push(endpoint);
        self
    }

    /// Sets every endpoint's creation time (seconds since the epoch): EC2's `creationTimestamp`.
    pub fn set_created_at(&self, at: i64) {
        for endpoint in &mut self.state().observation.endpoints {
            endpoint.created_at = Some(at);
        }
    }

    /// The VPC's tags as EC2 holds them.
    pub fn vpc_tags(&self, vpc_id: &str) -> BTreeMap<String, String> {
        self.state()
            .observation
            .vpcs
            .iter()
            .find(|v| v.id == vpc_id)
            .map(|v| v.tags.clone())
            .unwrap_or_default()
    }

    /// Deletes an endpoint behind the guard's back (it stays visible as `deleted`, as in EC2).
    pub fn delete_endpoint_out_of_band(&self, endpoint_id: &str) {
        if let Ok(endpoint) = self.state().endpoint_mut(endpoint_id) {
            endpoint.state = EndpointState::Gone("deleted".to_string());
        }
    }
}

fn local_route(cidr: &str) -> Route {
    Route {
        destination: cidr.to_string(),
        target: "local".to_string(),
    }
}

/// Counts the fake's calls the way the SDK interceptor counts requests.
impl RequestMetrics for InMemoryEc2 {
    fn requests_by_action(&self) -> BTreeMap<String, u64> {
        let mut by_action = BTreeMap::new();
        for call in self.state().calls.iter() {
            *by_action.entry(call.clone()).or_insert(0) += 1;
        }
        by_action
    }

    fn throttled(&self) -> u64 {
        0
    }
}
