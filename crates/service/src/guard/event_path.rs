//! Between act and notify, on the day's first scheduled run: whether CloudTrail feeds the event
//! path in this account and Region (when a trail port is wired). A missing path becomes an
//! `event_path_missing` notice, a Security Hub finding (when wired) and the `event_path_missing`
//! counter, which the EventPathMissing alarm reads. A failed read is logged and counted as
//! unchecked: it never fails the run.

use tracing::{error, info, warn};
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::event_path::{event_path, EventPath};
use vpce_guard_core::ports::{Ec2Port, NoticePort, Scope};
use vpce_guard_core::security_hub::event_path_finding_id;

use super::{Guard, RunRequest};

/// What the check found and the counters it touched.
#[derive(Debug, Default)]
pub(super) struct EventPathCheck {
    pub(super) verdict: Option<EventPath>,
    pub(super) counters: RunCounters,
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    pub(super) async fn check_event_path(&self, request: &RunRequest) -> EventPathCheck {
        let mut check = EventPathCheck::default();
        let Some(trails) = &self.trails else {
            return check;
        };
        if request.scope != Scope::Region {
            return check;
        }
        let verdict = match trails.trails().await {
            Ok(trails) => event_path(&self.region, &trails),
            Err(e) => {
                error!(error = %e, region = %self.region, "could not list CloudTrail trails; the event path is unchecked today");
                return check;
            }
        };
        match &verdict {
            EventPath::Covered { trail } => info!(%trail, "the event path is fed"),
            EventPath::Missing { reason, .. } => {
                error!(%reason, account = %request.account_id, region = %self.region, "events are not reaching the guard; only sweeps run here")
            }
            EventPath::Unverified { reason, .. } => {
                warn!(%reason, "could not verify the event path")
            }
        }
        check.counters.event_path_checked = 1;
        check.counters.event_path_missing = u64::from(verdict.is_missing());
        check
            .counters
            .add(&self.event_path_to_security_hub(request, &verdict).await);
        check.verdict = Some(verdict);
        check
    }

    /// Imports the event path's finding: `FAILED` when missing; the archive of an earlier one
    /// when fed again (one GetFindings read for it, on the daily run only).
    async fn event_path_to_security_hub(
        &self,
        request: &RunRequest,
        verdict: &EventPath,
    ) -> RunCounters {
        let mut counters = RunCounters::default();
        let Some((hub, scope)) = self.hub_for(&request.account_id) else {
            return counters;
        };
        let id = event_path_finding_id(&scope.account_id, &scope.region);
        let product = scope.product_arn();
        let active = match hub.port.active_findings(&product, &id).await {
            Ok(found) => found,
            Err(e) => {
                error!(error = %e, "could not read the event path's Security Hub finding");
                counters.security_hub_failed = 1;
                return counters;
            }
        };
        let first_seen = active
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.created_at.as_str());
        let Some(finding) = scope.event_path(verdict, first_seen) else {
            return counters;
        };
        let missing = verdict.is_missing();
        match hub.port.import(std::slice::from_ref(&finding)).await {
            Ok(refused) if refused.is_empty() => {
                if missing {
                    counters.security_hub_active = 1;
                } else {
                    counters.security_hub_archived = 1;
                }
            }
            Ok(refused) => {
                for r in &refused {
                    warn!(id = %r.id, code = %r.code, message = %r.message, "Security Hub refused the event path finding");
                }
                counters.security_hub_failed = 1;
            }
            Err(e) => {
                error!(error = %e, "could not import the event path's Security Hub finding");
                counters.security_hub_failed = 1;
            }
        }
        counters
    }
}
