//! What a trigger covers: a CloudTrail call guards exactly the VPCs it touched (resolved with
//! one Describe where the record does not name the VPC); a rule change on a security group only
//! concerns the guard when the group is its own; a schedule guards the whole Region.

use tracing::{info, warn};
use vpce_guard_core::events::ApiCallEvent;
use vpce_guard_core::model::GUARD_SECURITY_GROUP_NAME;
use vpce_guard_core::ports::{Ec2Port, NoticePort, Resolution, Scope};

use super::{Guard, RunReport, RunRequest};
use crate::error::GuardError;

/// The trigger name of scheduled runs, carried into notices.
pub const SCHEDULE_TRIGGER: &str = "schedule";

/// What a CloudTrail call led to.
#[derive(Debug, Clone)]
pub enum CallOutcome {
    /// The VPCs it touched were guarded.
    Guarded(Box<RunReport>),
    /// Nothing of the guard's was concerned (another team's security group).
    Ignored { reason: String },
    /// A deletion the guard's resources blocked: they were given back.
    Released(Box<super::Release>),
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// The VPCs an EC2 call touched: those it names, else those its other resources resolve to,
    /// else (a deleted endpoint says nowhere where it was) the whole Region. `None`: the call
    /// changed only security groups that are not the guard's.
    pub async fn scope_of_call(&self, call: &ApiCallEvent) -> Result<Option<Scope>, GuardError> {
        if !call.refs.vpc_ids.is_empty() {
            return Ok(Some(Scope::Vpcs(
                call.refs.vpc_ids.iter().cloned().collect(),
            )));
        }
        if call.refs.names_only_security_groups() {
            // Records that name a group only by name: no call unless it is the guard's name.
            if call.refs.security_group_ids.is_empty()
                && !call
                    .refs
                    .security_group_names
                    .contains(GUARD_SECURITY_GROUP_NAME)
            {
                return Ok(None);
            }
            let resolution = self
                .ec2
                .resolve_vpcs(&call.refs)
                .await
                .map_err(GuardError::Resolve)?;
            return Ok(match resolution {
                Resolution::Vpcs(ids) if !ids.is_empty() => Some(Scope::Vpcs(ids)),
                _ => None,
            });
        }
        match self
            .ec2
            .resolve_vpcs(&call.refs)
            .await
            .map_err(GuardError::Resolve)?
        {
            Resolution::Vpcs(ids) if !ids.is_empty() => Ok(Some(Scope::Vpcs(ids))),
            _ => {
                warn!(event = %call.event_name, refs = ?call.refs, "could not resolve the VPC; guarding the whole region");
                Ok(Some(Scope::Region))
            }
        }
    }

    /// Guards the VPCs one EC2 call touched (the guard is in the call's account and Region) and
    /// publishes their notices; a call that concerns nothing of the guard's is ignored.
    pub async fn run_for_call(&self, call: ApiCallEvent) -> Result<CallOutcome, GuardError> {
        if call.is_blocked_deletion() {
            return self.release_for_call(call).await;
        }
        let Some(scope) = self.scope_of_call(&call).await? else {
            return Ok(CallOutcome::Ignored {
                reason: format!(
                    "{} changed security group(s) {} that are not the guard's",
                    call.event_name,
                    call.refs
                        .security_group_ids
                        .iter()
                        .chain(&call.refs.security_group_names)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            });
        };
        info!(event = %call.event_name, scope = ?scope, "guarding");
        // A targeted run covers few VPCs: read their DNS attributes, so DNS drift is found too.
        let read_dns_for_all = matches!(scope, Scope::Vpcs(_));
        self.run(RunRequest {
            account_id: call.account_id,
            trigger: call.event_name,
            scope,
            read_dns_for_all,
            publish_summary: false,
            notify: true,
        })
        .await
        .map(|report| CallOutcome::Guarded(Box::new(report)))
    }

    /// Guards every VPC of the Region and publishes the notices and a `sweep_summary`.
    pub async fn sweep(
        &self,
        account_id: &str,
        trigger: &str,
        read_dns_for_all: bool,
    ) -> Result<RunReport, GuardError> {
        self.run(RunRequest {
            account_id: account_id.to_string(),
            trigger: trigger.to_string(),
            scope: Scope::Region,
            read_dns_for_all,
            publish_summary: true,
            notify: true,
        })
        .await
    }
}
