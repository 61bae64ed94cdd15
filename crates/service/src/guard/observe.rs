//! Stage 1, observe: one batched read of the region (independent of the VPC count), plus the
//! per-VPC DNS attributes where the run asks for them.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};
use tracing::warn;
use vpce_guard_core::baseline::RegionBaselines;
use vpce_guard_core::model::{DnsAttributes, RegionInventory};
use vpce_guard_core::planner::{is_exempt, is_not_owned};
use vpce_guard_core::ports::{Ec2Inventory, NoticePort};

use super::{Guard, RunRequest};
use crate::error::GuardError;

impl<E: Ec2Inventory, N: NoticePort> Guard<E, N> {
    /// The inventory of the request's scope; with `read_dns_for_all`, the DNS attributes of
    /// every VPC that is not exempt too.
    pub(super) async fn observe(
        &self,
        request: &RunRequest,
        baselines: &RegionBaselines,
    ) -> Result<RegionInventory, GuardError> {
        // Every profile's services: one DescribeVpcEndpointServices whatever the VPCs select.
        let service_names = baselines.service_names();
        let observation = self
            .ec2
            .observe(&request.scope, &service_names)
            .await
            .map_err(GuardError::Observe)?;
        let mut inventory =
            RegionInventory::assemble(&request.account_id, &self.region, observation);
        if request.read_dns_for_all {
            let ids: Vec<String> = inventory
                .vpcs
                .iter()
                .filter(|v| {
                    !is_exempt(v, &self.settings.exempt_tag_key)
                        && !is_not_owned(v, &request.account_id)
                })
                .map(|v| v.vpc.id.clone())
                .collect();
            self.fill_dns(&mut inventory, &ids).await;
        }
        self.fill_nat_traffic(
            &mut inventory,
            &request.account_id,
            &request.scope,
            baselines,
        )
        .await;
        Ok(inventory)
    }

    /// Reads DNS attributes of `vpc_ids` (bounded concurrency). A failed read leaves the VPC's
    /// attributes unknown: the plan then proceeds as if enabled and EC2 has the last word.
    pub(super) async fn fill_dns(&self, inventory: &mut RegionInventory, vpc_ids: &[String]) {
        let results: BTreeMap<String, DnsAttributes> = stream::iter(vpc_ids.iter().cloned())
            .map(|id| async move {
                let result = self.ec2.dns_attributes(&id).await;
                (id, result)
            })
            .buffer_unordered(self.settings.remediation_concurrency)
            .filter_map(|(id, result)| async move {
                match result {
                    Ok(dns) => Some((id, dns)),
                    Err(error) => {
                        warn!(vpc_id = %id, %error, "could not read VPC DNS attributes");
                        None
                    }
                }
            })
            .collect()
            .await;
        for vpc in &mut inventory.vpcs {
            if let Some(dns) = results.get(&vpc.vpc.id) {
                vpc.dns = Some(*dns);
            }
        }
    }
}
