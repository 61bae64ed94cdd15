//! Part of stage 2, plan (`CENTRAL_ENDPOINTS=detect`): the private hosted zones of the VPCs
//! whose plan creates an interface endpoint, so the planner can tell a service a central
//! endpoint serves (shared through Route 53) from a missing one. One ListHostedZonesByVPC per
//! such VPC; none for compliant VPCs or when detection is off.

use futures::stream::{self, StreamExt};
use tracing::warn;
use vpce_guard_core::model::RegionInventory;
use vpce_guard_core::ports::{Ec2Inventory, NoticePort};

use super::Guard;

impl<E: Ec2Inventory, N: NoticePort> Guard<E, N> {
    /// Fills `central_dns_zones` of `vpc_ids`; returns whether any was read (the caller then
    /// plans those VPCs again). A failed read leaves the VPC unread: its endpoints are planned
    /// as usual.
    pub(super) async fn fill_central_zones(
        &self,
        inventory: &mut RegionInventory,
        vpc_ids: &[String],
    ) -> bool {
        let Some(port) = self
            .central_dns
            .as_ref()
            .filter(|_| self.settings.central_endpoints)
        else {
            return false;
        };
        if vpc_ids.is_empty() {
            return false;
        }
        let region = self.region.as_str();
        let zones: Vec<(String, Option<Vec<String>>)> = stream::iter(vpc_ids.iter().cloned())
            .map(|vpc_id| async move {
                match port.hosted_zones_of(&vpc_id, region).await {
                    Ok(names) => (vpc_id, Some(names)),
                    Err(error) => {
                        warn!(%vpc_id, %error, "could not list the VPC's private hosted zones; its endpoints are planned as usual");
                        (vpc_id, None)
                    }
                }
            })
            .buffer_unordered(self.settings.remediation_concurrency)
            .collect()
            .await;
        let mut read_any = false;
        for (vpc_id, names) in zones {
            let Some(names) = names else { continue };
            if let Some(vpc) = inventory.vpcs.iter_mut().find(|v| v.vpc.id == vpc_id) {
                vpc.central_dns_zones = Some(names.into_iter().collect());
                read_any = true;
            }
        }
        read_any
    }
}
