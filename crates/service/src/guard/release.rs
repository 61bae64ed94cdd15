//! Teardown: a `DeleteVpc` or `DeleteSubnet` that EC2 refused because the guard's endpoints or
//! security group still use the VPC or subnet. The guard gives back what it owns (never what it
//! did not create), tags the VPC or subnet released so no trigger re-creates anything there for
//! `RELEASE_HOLD_HOURS`, and publishes a `released` notice naming what still blocks.

use std::time::{Duration, Instant};

use tracing::{info, warn};
use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::events::{ApiCallEvent, ResourceRefs};
use vpce_guard_core::model::{EndpointState, RegionInventory, VpcInventory, RELEASED_TAG_KEY};
use vpce_guard_core::notice::{Notice, NoticeContext, ReleaseReport};
use vpce_guard_core::planner::{
    is_not_owned, plan_subnet_release, plan_vpc_release, ReleaseTag, Remedy, VpcRelease,
};
use vpce_guard_core::policy::Mode;
use vpce_guard_core::ports::{Ec2Port, NoticePort, Resolution, Scope};
use vpce_guard_core::resource_id::VpcId;
use vpce_guard_core::time::{format_rfc3339, parse_rfc3339};

use super::{CallOutcome, Guard};
use crate::error::GuardError;

/// How often a release asks EC2 whether its endpoints are gone.
const DELETION_POLL: Duration = Duration::from_secs(5);
/// EC2's code for a group still used by a network interface.
const DEPENDENCY_VIOLATION: &str = "DependencyViolation";

/// What is released: a VPC, or one subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseTarget {
    Vpc(String),
    Subnet(String),
}

/// One release: its notice (published unless the caller prints it instead).
#[derive(Debug, Clone)]
pub struct Release {
    pub notice: Notice,
    pub report: ReleaseReport,
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// Handles a blocked `DeleteVpc` / `DeleteSubnet`: releases the target and publishes.
    pub async fn release_for_call(&self, call: ApiCallEvent) -> Result<CallOutcome, GuardError> {
        let target = match (
            call.event_name.as_str(),
            call.refs.vpc_ids.first(),
            call.refs.subnet_ids.first(),
        ) {
            ("DeleteVpc", Some(vpc), _) => ReleaseTarget::Vpc(vpc.clone()),
            ("DeleteSubnet", _, Some(subnet)) => ReleaseTarget::Subnet(subnet.clone()),
            _ => {
                return Ok(CallOutcome::Ignored {
                    reason: format!("{} names no VPC or subnet to release", call.event_name),
                })
            }
        };
        match self
            .release(&call.account_id, &call.event_name, &target, true)
            .await?
        {
            Ok(release) => Ok(CallOutcome::Released(Box::new(release))),
            Err(reason) => Ok(CallOutcome::Ignored { reason }),
        }
    }

    /// Releases `target`; publishes the notice when `notify`. The inner `Err` says why there
    /// was nothing to release (gone already, or not this account's).
    pub async fn release(
        &self,
        account_id: &str,
        trigger: &str,
        target: &ReleaseTarget,
        notify: bool,
    ) -> Result<Result<Release, String>, GuardError> {
        let vpc_id = match target {
            ReleaseTarget::Vpc(id) => id.clone(),
            ReleaseTarget::Subnet(subnet) => match self.vpc_of_subnet(subnet).await? {
                Some(vpc) => vpc,
                None => return Ok(Err(format!("subnet {subnet} no longer exists"))),
            },
        };
        let observation = self
            .ec2
            .observe(&Scope::Vpcs(vec![vpc_id.clone()]), &[])
            .await
            .map_err(GuardError::Observe)?;
        let inventory = RegionInventory::assemble(account_id, &self.region, observation);
        let Some(inv) = inventory.vpcs.into_iter().find(|v| v.vpc.id == vpc_id) else {
            return Ok(Err(format!("VPC {vpc_id} no longer exists")));
        };
        if is_not_owned(&inv, account_id) {
            return Ok(Err(format!(
                "VPC {vpc_id} belongs to account {}: its owner's guard releases it",
                inv.vpc.owner_id.as_deref().unwrap_or("?")
            )));
        }
        let now = self.clock.now_rfc3339();
        let report = match target {
            ReleaseTarget::Vpc(_) => self.release_vpc(&inv, &now).await,
            ReleaseTarget::Subnet(subnet) => self.release_subnet(&inv, subnet, &now).await,
        };
        info!(vpc_id = %vpc_id, report = ?report, "released");
        let ctx = NoticeContext {
            account_id: account_id.to_string(),
            region: self.region.clone(),
            trigger: trigger.to_string(),
            mode: self.settings.mode,
            generated_at: now,
        };
        let notice = Notice::released(&ctx, &vpc_id, report.clone());
        if notify {
            self.notices
                .publish(std::slice::from_ref(&notice))
                .await
                .map_err(|source| GuardError::Publish {
                    unpublished: 1,
                    source,
                })?;
        }
        Ok(Ok(Release { notice, report }))
    }

    async fn vpc_of_subnet(&self, subnet_id: &str) -> Result<Option<String>, GuardError> {
        let mut refs = ResourceRefs::default();
        refs.subnet_ids.insert(subnet_id.to_string());
        match self
            .ec2
            .resolve_vpcs(&refs)
            .await
            .map_err(GuardError::Resolve)?
        {
            Resolution::Vpcs(ids) => Ok(ids.into_iter().next()),
            Resolution::WholeRegion => Ok(None),
        }
    }

    /// The release tag's value: the release time and the hold's end, so every later run keeps
    /// the hold this release announces (see [`ReleaseTag`]).
    fn release_value(&self, now: &str) -> String {
        match self.held_until(now) {
            Some(until) => ReleaseTag::value(now, &until),
            None => now.to_string(),
        }
    }

    /// The release hold's end, `RELEASE_HOLD_HOURS` after `now`.
    fn held_until(&self, now: &str) -> Option<String> {
        let start = parse_rfc3339(now)?;
        let until = start.saturating_add(i64::try_from(self.settings.release_hold.as_secs()).ok()?);
        let until = u64::try_from(until).ok()?;
        Some(format_rfc3339(
            std::time::UNIX_EPOCH + Duration::from_secs(until),
        ))
    }

    async fn release_vpc(&self, inv: &VpcInventory, now: &str) -> ReleaseReport {
        let plan = plan_vpc_release(inv);
        let mut report = ReleaseReport {
            resource_id: inv.vpc.id.clone(),
            blockers: plan.blockers.clone(),
            ..ReleaseReport::default()
        };
        if self.settings.mode == Mode::Report {
            report.planned = planned_ids(&plan);
            return report;
        }
        // Tag first, so a trigger racing this release re-creates nothing. A release tag that is
        // not a time was written by a person to keep the guard out for good: keep it.
        let kept_by_hand = inv
            .vpc
            .tags
            .get(RELEASED_TAG_KEY)
            .is_some_and(|value| ReleaseTag::parse(value).is_by_hand());
        if !kept_by_hand {
            match self
                .ec2
                .mark_released(&inv.vpc.id, &self.release_value(now))
                .await
            {
                Ok(()) => report.held_until = self.held_until(now),
                Err(error) => report.errors.push(error.to_string()),
            }
        }
        for remedy in plan.endpoint_deletions() {
            let Remedy::DeleteEndpoints { endpoint_ids, .. } = &remedy else {
                continue;
            };
            match self.ec2.apply(&VpcId::from(&inv.vpc.id), &remedy).await {
                Ok(_) => report.deleted.extend(endpoint_ids.iter().map(String::from)),
                Err(error) => report.errors.push(error.to_string()),
            }
        }
        let Some(group_id) = plan.security_group else {
            return report;
        };
        // EC2 deletes interface endpoints asynchronously; their ENIs hold the group meanwhile.
        let waiting: Vec<String> = inv
            .endpoints
            .iter()
            .filter(|e| e.managed && e.endpoint_type == Some(EndpointType::Interface))
            .filter(|e| e.state != EndpointState::Gone("deleted".to_string()))
            .map(|e| e.id.clone())
            .collect();
        let still_deleting = self.wait_for_deletion(&waiting).await;
        if !still_deleting.is_empty() {
            report.pending.extend(still_deleting);
            report.pending.push(group_id);
            return report;
        }
        let delete = Remedy::DeleteSecurityGroup {
            group_id: group_id.clone().into(),
        };
        match self.ec2.apply(&VpcId::from(&inv.vpc.id), &delete).await {
            Ok(_) => report.deleted.push(group_id),
            Err(error) if error.code == DEPENDENCY_VIOLATION => report.pending.push(group_id),
            Err(error) => report.errors.push(error.to_string()),
        }
        report
    }

    /// Waits up to `RELEASE_WAIT_SECONDS` for `endpoint_ids` to be deleted; returns those that
    /// are not yet (all of them when EC2 could not be asked).
    async fn wait_for_deletion(&self, endpoint_ids: &[String]) -> Vec<String> {
        if endpoint_ids.is_empty() {
            return Vec::new();
        }
        let started = Instant::now();
        loop {
            let remaining = match self.ec2.endpoints_remaining(endpoint_ids).await {
                Ok(remaining) => remaining,
                Err(error) => {
                    warn!(%error, "could not read whether the endpoints are deleted");
                    return endpoint_ids.to_vec();
                }
            };
            let waited = started.elapsed();
            if remaining.is_empty() || waited >= self.settings.release_wait {
                return remaining;
            }
            tokio::time::sleep(DELETION_POLL.min(self.settings.release_wait - waited)).await;
        }
    }

    async fn release_subnet(
        &self,
        inv: &VpcInventory,
        subnet_id: &str,
        now: &str,
    ) -> ReleaseReport {
        let options = self
            .settings
            .planner_options(parse_rfc3339(now).unwrap_or(0));
        let plan = plan_subnet_release(inv, subnet_id, &options);
        let mut report = ReleaseReport {
            resource_id: subnet_id.to_string(),
            blockers: plan.blockers.clone(),
            ..ReleaseReport::default()
        };
        if self.settings.mode == Mode::Report {
            report.planned = plan.moves.iter().map(|m| m.endpoint_id.clone()).collect();
            return report;
        }
        match self
            .ec2
            .mark_released(subnet_id, &self.release_value(now))
            .await
        {
            Ok(()) => report.held_until = self.held_until(now),
            Err(error) => report.errors.push(error.to_string()),
        }
        for step in &plan.moves {
            match (
                self.ec2
                    .apply(&VpcId::from(&inv.vpc.id), &step.remedy)
                    .await,
                &step.remedy,
            ) {
                (Ok(_), Remedy::DeleteEndpoints { .. }) => {
                    report.deleted.push(step.endpoint_id.clone())
                }
                (Ok(_), _) => report.moved.push(step.endpoint_id.clone()),
                (Err(error), _) => report.errors.push(error.to_string()),
            }
        }
        report
    }
}

/// Everything a VPC release would remove, in order.
fn planned_ids(plan: &VpcRelease) -> Vec<String> {
    plan.interface_endpoints
        .iter()
        .chain(&plan.gateway_endpoints)
        .chain(plan.security_group.iter())
        .cloned()
        .collect()
}
