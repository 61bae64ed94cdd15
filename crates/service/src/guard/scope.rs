//! What a trigger covers: a CloudTrail call guards exactly the VPCs it touched (resolved with
//! one Describe where the record does not name the VPC); a schedule guards the whole Region.

use tracing::{info, warn};
use vpce_guard_core::events::ApiCallEvent;
use vpce_guard_core::ports::{Ec2Port, NoticePort, Resolution, Scope};

use super::{Guard, RunReport, RunRequest};
use crate::error::GuardError;

/// The trigger name of scheduled runs, carried into notices.
pub const SCHEDULE_TRIGGER: &str = "schedule";

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// The VPCs an EC2 call touched: those it names, else those its other resources resolve to,
    /// else (a deleted endpoint says nowhere where it was) the whole Region.
    pub async fn scope_of_call(&self, call: &ApiCallEvent) -> Result<Scope, GuardError> {
        if !call.refs.vpc_ids.is_empty() {
            return Ok(Scope::Vpcs(call.refs.vpc_ids.iter().cloned().collect()));
        }
        match self
            .ec2
            .resolve_vpcs(&call.refs)
            .await
            .map_err(GuardError::Resolve)?
        {
            Resolution::Vpcs(ids) if !ids.is_empty() => Ok(Scope::Vpcs(ids)),
            _ => {
                warn!(event = %call.event_name, refs = ?call.refs, "could not resolve the VPC; guarding the whole region");
                Ok(Scope::Region)
            }
        }
    }

    /// Guards the VPCs one EC2 call touched (the guard is in the call's account and Region) and
    /// publishes their notices.
    pub async fn run_for_call(&self, call: ApiCallEvent) -> Result<RunReport, GuardError> {
        let scope = self.scope_of_call(&call).await?;
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
