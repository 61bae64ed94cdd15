//! What every rule family reads: the facts derived once per VPC (private route tables, private
//! subnets per AZ) and, per service, the inputs beyond them. The rule families depend on this
//! file and the orchestration on them, never the other way round.

use std::collections::BTreeMap;

use super::prune_hold::PruneHold;
use super::security_group::GroupChoice;
use super::PlannerOptions;
use crate::baseline::{EndpointType, ServiceSpec};
use crate::model::{Endpoint, EndpointState, ServiceOffer, VpcInventory};

/// Derived facts about one VPC, computed once and shared by every service's plan.
pub(super) struct VpcContext<'a> {
    pub(super) inv: &'a VpcInventory,
    /// Private route tables, sorted by id.
    pub(super) private_route_tables: Vec<&'a str>,
    /// AZ → private subnet ids (sorted).
    pub(super) private_subnets_by_az: BTreeMap<&'a str, Vec<&'a str>>,
    pub(super) subnet_az: BTreeMap<&'a str, &'a str>,
    /// Whether endpoints the guard did not create may be extended (route tables, subnets).
    pub(super) repair_unmanaged: bool,
}

impl<'a> VpcContext<'a> {
    /// `options` decide which subnets are held (released for a teardown): they get no endpoint.
    pub(super) fn new(inv: &'a VpcInventory, options: &PlannerOptions) -> Self {
        let mut private_route_tables: Vec<&str> = inv
            .route_tables
            .iter()
            .filter(|t| t.is_private())
            .map(|t| t.id.as_str())
            .collect();
        private_route_tables.sort_unstable();
        let main = inv.route_tables.iter().find(|t| t.is_main);
        let mut private_subnets_by_az: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for subnet in &inv.subnets {
            let table = inv
                .route_tables
                .iter()
                .find(|t| t.subnet_ids.iter().any(|s| s == &subnet.id))
                .or(main);
            // No table at all (not yet observable): not known to be private, leave it alone.
            if table.is_some_and(|t| t.is_private()) && !options.is_held(&subnet.tags) {
                private_subnets_by_az
                    .entry(subnet.availability_zone.as_str())
                    .or_default()
                    .push(subnet.id.as_str());
            }
        }
        for ids in private_subnets_by_az.values_mut() {
            ids.sort_unstable();
        }
        let subnet_az = inv
            .subnets
            .iter()
            .map(|s| (s.id.as_str(), s.availability_zone.as_str()))
            .collect();
        Self {
            inv,
            private_route_tables,
            private_subnets_by_az,
            subnet_az,
            repair_unmanaged: options.repair_unmanaged_endpoints,
        }
    }

    pub(super) fn endpoints_of<'s>(
        &self,
        spec: &'s ServiceSpec,
    ) -> impl Iterator<Item = &'a Endpoint> + 's
    where
        'a: 's,
    {
        self.inv.endpoints.iter().filter(move |e| {
            e.endpoint_type == Some(spec.endpoint_type) && e.service_name == spec.service_name
        })
    }

    pub(super) fn has_live_interface_endpoint(&self) -> bool {
        self.inv.endpoints.iter().any(|e| {
            e.endpoint_type == Some(EndpointType::Interface)
                && matches!(e.state, EndpointState::Live(_))
        })
    }

    /// One private subnet per AZ the service supports (an empty offer list means unknown: any AZ).
    /// (AZ, subnet) pairs in AZ order.
    pub(super) fn subnets_for(&self, offer: &ServiceOffer) -> Vec<(&'a str, &'a str)> {
        self.private_subnets_by_az
            .iter()
            .filter(|(az, _)| {
                offer.availability_zones.is_empty() || offer.availability_zones.contains(**az)
            })
            .filter_map(|(az, ids)| ids.first().map(|id| (*az, *id)))
            .collect()
    }
}

/// Everything one service's plan needs beyond the VPC's facts.
#[derive(Clone, Copy)]
pub(super) struct ServicePlanInput<'a> {
    pub(super) account_id: &'a str,
    pub(super) spec: &'a ServiceSpec,
    pub(super) offer: Option<&'a ServiceOffer>,
    pub(super) interface_group: GroupChoice<'a>,
    pub(super) can_request_private_dns: bool,
    /// A cost decision ruled out new interface endpoints in this VPC.
    pub(super) skip_interface_creation: bool,
    /// The service (or some of its AZs) was pruned for lack of use and is held out.
    pub(super) prune_hold: Option<&'a PruneHold>,
}

impl ServicePlanInput<'_> {
    /// Whether the prune hold keeps `az` out of the service's endpoint.
    pub(super) fn az_held(&self, az: &str) -> bool {
        self.prune_hold.is_some_and(|hold| hold.holds_az(az))
    }
}
