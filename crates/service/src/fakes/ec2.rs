//! The in-memory EC2: an [`Observation`] that remedies are applied to as EC2 would.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use super::lock;

use vpce_guard_core::baseline::{short_name, EndpointType};
use vpce_guard_core::error::ApiError;
use vpce_guard_core::events::ResourceRefs;
use vpce_guard_core::model::{
    DnsAttributes, Endpoint, EndpointState, IngressRule, Observation, Route, RouteTable,
    SecurityGroup, ServiceOffer, Subnet, Vpc, GUARD_SECURITY_GROUP_NAME, RELEASED_TAG_KEY,
};
use vpce_guard_core::outbox::UNPUBLISHED_TAG_KEY;
use vpce_guard_core::planner::{Remedy, SecurityGroupRef};
use vpce_guard_core::ports::{Ec2Port, RequestMetrics, Resolution, Scope};

/// The AZs the fake offers every service in.
pub const FAKE_AZS: [&str; 2] = ["us-east-1a", "us-east-1b"];

#[derive(Debug, Default)]
struct Ec2State {
    observation: Observation,
    dns: BTreeMap<String, DnsAttributes>,
    calls: Vec<String>,
    failures: BTreeMap<&'static str, ApiError>,
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
        if let Some(vpc) = self
            .state()
            .observation
            .vpcs
            .iter_mut()
            .find(|v| v.id == vpc_id)
        {
            vpc.owner_id = Some(owner.to_string());
        }
        self
    }

    /// Adds another private subnet `subnet_id` in `az` of a VPC, on the AZ's private route table.
    pub fn with_extra_private_subnet(self, vpc_id: &str, subnet_id: &str, az: &str) -> Self {
        {
            let mut state = self.state();
            state.observation.subnets.push(Subnet {
                id: subnet_id.to_string(),
                vpc_id: vpc_id.to_string(),
                availability_zone: az.to_string(),
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
        if let Some(vpc) = self
            .state()
            .observation
            .vpcs
            .iter_mut()
            .find(|v| v.id == vpc_id)
        {
            vpc.tags.insert(key.to_string(), value.to_string());
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

impl Ec2Port for InMemoryEc2 {
    async fn observe(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> Result<Observation, ApiError> {
        let mut state = self.state();
        state.call("DescribeVpcs")?;
        let mut observation = state.observation.clone();
        if let Scope::Vpcs(ids) = scope {
            let keep = |vpc_id: &String| ids.contains(vpc_id);
            observation.vpcs.retain(|v| keep(&v.id));
            observation.subnets.retain(|s| keep(&s.vpc_id));
            observation.route_tables.retain(|t| keep(&t.vpc_id));
            observation.endpoints.retain(|e| keep(&e.vpc_id));
            observation.security_groups.retain(|g| keep(&g.vpc_id));
        }
        observation
            .offers
            .retain(|o| service_names.contains(&o.service_name));
        Ok(observation)
    }

    async fn dns_attributes(&self, vpc_id: &str) -> Result<DnsAttributes, ApiError> {
        let mut state = self.state();
        state.call("DescribeVpcAttribute")?;
        state.dns.get(vpc_id).copied().ok_or_else(|| {
            ApiError::new(
                "DescribeVpcAttribute",
                "InvalidVpcID.NotFound",
                format!("{vpc_id} does not exist"),
            )
        })
    }

    async fn resolve_vpcs(&self, refs: &ResourceRefs) -> Result<Resolution, ApiError> {
        let mut state = self.state();
        if refs.names_only_security_groups() {
            // Only the guard's own groups resolve (one DescribeSecurityGroups).
            state.call("DescribeSecurityGroups")?;
            let ids: Vec<String> = state
                .observation
                .security_groups
                .iter()
                .filter(|g| {
                    g.managed
                        && g.name == GUARD_SECURITY_GROUP_NAME
                        && (refs.security_group_ids.contains(&g.id)
                            || refs.security_group_names.contains(&g.name))
                })
                .map(|g| g.vpc_id.clone())
                .collect();
            return Ok(Resolution::Vpcs(ids));
        }
        state.call("DescribeSubnets")?;
        let o = &state.observation;
        let mut ids: BTreeSet<String> = BTreeSet::new();
        ids.extend(
            o.subnets
                .iter()
                .filter(|s| refs.subnet_ids.contains(&s.id))
                .map(|s| s.vpc_id.clone()),
        );
        ids.extend(
            o.route_tables
                .iter()
                .filter(|t| refs.route_table_ids.contains(&t.id))
                .map(|t| t.vpc_id.clone()),
        );
        ids.extend(
            o.endpoints
                .iter()
                .filter(|e| refs.endpoint_ids.contains(&e.id))
                .map(|e| e.vpc_id.clone()),
        );
        Ok(if ids.is_empty() {
            Resolution::WholeRegion
        } else {
            Resolution::Vpcs(ids.into_iter().collect())
        })
    }

    async fn ensure_guard_security_group(
        &self,
        vpc_id: &str,
        cidrs: &[String],
    ) -> Result<String, ApiError> {
        let mut state = self.state();
        state.call("CreateSecurityGroup")?;
        if let Some(group) = state
            .observation
            .security_groups
            .iter()
            .find(|g| g.vpc_id == vpc_id && g.name == GUARD_SECURITY_GROUP_NAME)
        {
            return Ok(group.id.clone());
        }
        let id = state.new_id("sg");
        state.observation.security_groups.push(SecurityGroup {
            id: id.clone(),
            vpc_id: vpc_id.to_string(),
            name: GUARD_SECURITY_GROUP_NAME.to_string(),
            managed: true,
            ingress: cidrs.iter().map(|c| IngressRule::https_from(c)).collect(),
        });
        Ok(id)
    }

    async fn mark_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        let mut state = self.state();
        state.call("CreateTags")?;
        if let Some(vpc) = state.observation.vpcs.iter_mut().find(|v| v.id == vpc_id) {
            vpc.tags
                .insert(UNPUBLISHED_TAG_KEY.to_string(), value.to_string());
        }
        Ok(())
    }

    async fn mark_released(&self, resource_id: &str, at: &str) -> Result<(), ApiError> {
        let mut state = self.state();
        state.call("CreateTags")?;
        let o = &mut state.observation;
        if let Some(vpc) = o.vpcs.iter_mut().find(|v| v.id == resource_id) {
            vpc.tags
                .insert(RELEASED_TAG_KEY.to_string(), at.to_string());
        }
        if let Some(subnet) = o.subnets.iter_mut().find(|s| s.id == resource_id) {
            subnet
                .tags
                .insert(RELEASED_TAG_KEY.to_string(), at.to_string());
        }
        Ok(())
    }

    async fn endpoints_remaining(&self, endpoint_ids: &[String]) -> Result<Vec<String>, ApiError> {
        let mut state = self.state();
        state.call("DescribeVpcEndpoints")?;
        Ok(state
            .observation
            .endpoints
            .iter()
            .filter(|e| endpoint_ids.contains(&e.id))
            .filter(|e| e.state != EndpointState::Gone("deleted".to_string()))
            .map(|e| e.id.clone())
            .collect())
    }

    async fn clear_unpublished(&self, vpc_ids: &[String]) -> Result<(), ApiError> {
        let mut state = self.state();
        state.call("DeleteTags")?;
        for vpc in state
            .observation
            .vpcs
            .iter_mut()
            .filter(|v| vpc_ids.contains(&v.id))
        {
            vpc.tags.remove(UNPUBLISHED_TAG_KEY);
        }
        Ok(())
    }

    async fn apply(&self, vpc_id: &str, remedy: &Remedy) -> Result<Option<String>, ApiError> {
        let mut state = self.state();
        match remedy {
            Remedy::EnableVpcDns { support, hostnames } => {
                state.call("ModifyVpcAttribute")?;
                let dns = state
                    .dns
                    .entry(vpc_id.to_string())
                    .or_insert(DnsAttributes {
                        support: false,
                        hostnames: false,
                    });
                dns.support |= *support;
                dns.hostnames |= *hostnames;
                Ok(None)
            }
            Remedy::CreateGatewayEndpoint {
                service_name,
                route_table_ids,
                policy,
                ..
            } => {
                state.call("CreateVpcEndpoint")?;
                let id = state.new_id("vpce");
                state.observation.endpoints.push(new_endpoint(
                    &id,
                    vpc_id,
                    service_name,
                    EndpointType::Gateway,
                    route_table_ids.clone(),
                    Vec::new(),
                    Vec::new(),
                    false,
                    policy.clone(),
                ));
                Ok(Some(id))
            }
            Remedy::CreateInterfaceEndpoint {
                service_name,
                subnet_ids,
                security_group,
                private_dns,
                policy,
                ..
            } => {
                state.call("CreateVpcEndpoint")?;
                let SecurityGroupRef::Existing(group_id) = security_group else {
                    return Err(ApiError::new(
                        "CreateVpcEndpoint",
                        "InvalidParameter",
                        "the guard must resolve its security group before creating the endpoint",
                    ));
                };
                let dns = state.dns.get(vpc_id).copied();
                if *private_dns && !dns.is_some_and(|d| d.support && d.hostnames) {
                    return Err(ApiError::new(
                        "CreateVpcEndpoint",
                        "InvalidParameter",
                        "private DNS needs enableDnsSupport and enableDnsHostnames",
                    ));
                }
                let id = state.new_id("vpce");
                state.observation.endpoints.push(new_endpoint(
                    &id,
                    vpc_id,
                    service_name,
                    EndpointType::Interface,
                    Vec::new(),
                    subnet_ids.clone(),
                    vec![group_id.clone()],
                    *private_dns,
                    policy.clone(),
                ));
                Ok(Some(id))
            }
            Remedy::AddRouteTables {
                endpoint_id,
                route_table_ids,
            } => {
                state.call("ModifyVpcEndpoint")?;
                let endpoint = state.endpoint_mut(endpoint_id)?;
                extend_unique(&mut endpoint.route_table_ids, route_table_ids);
                Ok(None)
            }
            Remedy::AddSubnets {
                endpoint_id,
                subnet_ids,
            } => {
                state.call("ModifyVpcEndpoint")?;
                let endpoint = state.endpoint_mut(endpoint_id)?;
                extend_unique(&mut endpoint.subnet_ids, subnet_ids);
                Ok(None)
            }
            Remedy::EnablePrivateDns { endpoint_id } => {
                state.call("ModifyVpcEndpoint")?;
                state.endpoint_mut(endpoint_id)?.private_dns_enabled = true;
                Ok(None)
            }
            Remedy::ReplacePolicy {
                endpoint_id,
                policy,
            } => {
                state.call("ModifyVpcEndpoint")?;
                state.endpoint_mut(endpoint_id)?.policy = Some(policy.clone());
                Ok(None)
            }
            Remedy::AuthorizeHttpsIngress { group_id, cidrs } => {
                state.call("AuthorizeSecurityGroupIngress")?;
                if let Some(group) = group_mut(&mut state.observation, group_id) {
                    for cidr in cidrs {
                        let rule = IngressRule::https_from(cidr);
                        if !group.ingress.contains(&rule) {
                            group.ingress.push(rule);
                        }
                    }
                }
                Ok(None)
            }
            Remedy::RevokeIngress { group_id, rules } => {
                state.call("RevokeSecurityGroupIngress")?;
                if let Some(group) = group_mut(&mut state.observation, group_id) {
                    group.ingress.retain(|r| !rules.contains(r));
                }
                Ok(None)
            }
            Remedy::DeleteEndpoints { endpoint_ids, .. } => {
                state.call("DeleteVpcEndpoints")?;
                for id in endpoint_ids {
                    state.endpoint_mut(id)?.state = EndpointState::Gone("deleted".to_string());
                }
                Ok(None)
            }
            Remedy::MoveOutOfSubnet {
                endpoint_id,
                subnet_id,
                replacement_subnet_id,
            } => {
                state.call("ModifyVpcEndpoint")?;
                let endpoint = state.endpoint_mut(endpoint_id)?;
                endpoint.subnet_ids.retain(|s| s != subnet_id);
                extend_unique(&mut endpoint.subnet_ids, replacement_subnet_id.as_slice());
                Ok(None)
            }
            Remedy::DeleteSecurityGroup { group_id } => {
                state.call("DeleteSecurityGroup")?;
                let in_use = state.observation.endpoints.iter().any(|e| {
                    !matches!(e.state, EndpointState::Gone(_))
                        && e.security_group_ids.contains(group_id)
                });
                if in_use {
                    return Err(ApiError::new(
                        "DeleteSecurityGroup",
                        "DependencyViolation",
                        format!("resource {group_id} has a dependent object"),
                    ));
                }
                state
                    .observation
                    .security_groups
                    .retain(|g| &g.id != group_id);
                Ok(None)
            }
        }
    }
}

fn group_mut<'a>(observation: &'a mut Observation, id: &str) -> Option<&'a mut SecurityGroup> {
    observation.security_groups.iter_mut().find(|g| g.id == id)
}

fn extend_unique(into: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn new_endpoint(
    id: &str,
    vpc_id: &str,
    service_name: &str,
    endpoint_type: EndpointType,
    route_table_ids: Vec<String>,
    subnet_ids: Vec<String>,
    security_group_ids: Vec<String>,
    private_dns_enabled: bool,
    policy: Option<String>,
) -> Endpoint {
    Endpoint {
        id: id.to_string(),
        vpc_id: vpc_id.to_string(),
        service_name: service_name.to_string(),
        endpoint_type: Some(endpoint_type),
        state: EndpointState::Live("available".to_string()),
        route_table_ids,
        subnet_ids,
        security_group_ids,
        private_dns_enabled,
        policy,
        created_at: None,
        managed: true,
    }
}
