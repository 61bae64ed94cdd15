//! The EC2 port of the in-memory EC2: reads from the observation, writes into it.

use std::collections::BTreeSet;

use vpce_guard_core::ec2_action::Ec2Action;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::events::ResourceRefs;
use vpce_guard_core::model::{
    DnsAttributes, EndpointState, IngressRule, Observation, SecurityGroup,
    GUARD_SECURITY_GROUP_NAME, RELEASED_TAG_KEY,
};
use vpce_guard_core::outbox::UNPUBLISHED_TAG_KEY;
use vpce_guard_core::planner::Remedy;
use vpce_guard_core::ports::{Ec2Bookkeeping, Ec2Inventory, Ec2Remediation, Resolution, Scope};
use vpce_guard_core::resource_id::{SecurityGroupId, VpcId};

use super::InMemoryEc2;

impl Ec2Inventory for InMemoryEc2 {
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

    fn calls_left_before_deadline(&self, action: Ec2Action) -> Option<u64> {
        self.state().calls_left.get(&action).copied()
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
}

impl Ec2Remediation for InMemoryEc2 {
    async fn ensure_guard_security_group(
        &self,
        vpc_id: &VpcId,
        cidrs: &[String],
    ) -> Result<SecurityGroupId, ApiError> {
        let vpc_id = vpc_id.as_str();
        let mut state = self.state();
        state.call("CreateSecurityGroup")?;
        if let Some(group) = state
            .observation
            .security_groups
            .iter()
            .find(|g| g.vpc_id == vpc_id && g.name == GUARD_SECURITY_GROUP_NAME)
        {
            return Ok(group.id.clone().into());
        }
        let id = state.new_id("sg");
        state.observation.security_groups.push(SecurityGroup {
            id: id.clone(),
            vpc_id: vpc_id.to_string(),
            name: GUARD_SECURITY_GROUP_NAME.to_string(),
            managed: true,
            ingress: cidrs.iter().map(|c| IngressRule::https_from(c)).collect(),
        });
        Ok(id.into())
    }

    async fn apply(&self, vpc_id: &VpcId, remedy: &Remedy) -> Result<Option<String>, ApiError> {
        super::apply::apply_remedy(&mut self.state(), vpc_id.as_str(), remedy)
    }
}

impl Ec2Bookkeeping for InMemoryEc2 {
    async fn mark_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        let mut state = self.state();
        state.call("CreateTags")?;
        if let Some(vpc) = state.observation.vpcs.iter_mut().find(|v| v.id == vpc_id) {
            vpc.tags
                .insert(UNPUBLISHED_TAG_KEY.to_string(), value.to_string());
        }
        Ok(())
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
}
