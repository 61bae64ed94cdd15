//! Stage 4, notify: one notice per drifted VPC (with findings replayed from the outbox), the
//! run's counters, an optional `sweep_summary`, and publishing; on a failed publish the applied
//! findings are kept in the outbox tag so the retry still tells people.

use std::collections::BTreeMap;

use tracing::{error, info, warn};
use vpce_guard_core::cost::round_cents;
use vpce_guard_core::counters::{RunCounters, UsdCents};
use vpce_guard_core::event_path::EventPath;
use vpce_guard_core::model::RegionInventory;
use vpce_guard_core::notice::{
    Notice, NoticeContext, NoticeFinding, Outcome, RunSummary, VpcReport,
};
use vpce_guard_core::outbox::{self, UNPUBLISHED_TAG_KEY};
use vpce_guard_core::planner::VpcStatus;
use vpce_guard_core::ports::{Ec2Port, NoticePort, RequestMetrics};
use vpce_guard_core::usage::{EndpointUsage, SavingsStatus, UsageTotals};

use super::{Guard, RunReport, RunRequest, VpcOutcome};
use crate::error::GuardError;

/// The request counters at the start of a run; the summary reports what came since.
pub(super) struct MetricsReading {
    requests: BTreeMap<String, u64>,
    throttled: u64,
}

impl MetricsReading {
    pub(super) fn take(metrics: &dyn RequestMetrics) -> Self {
        Self {
            requests: metrics.requests_by_action(),
            throttled: metrics.throttled(),
        }
    }

    /// Requests per action and throttled answers since this reading.
    fn since(&self, metrics: &dyn RequestMetrics) -> (BTreeMap<String, u64>, u64) {
        let by_action = metrics
            .requests_by_action()
            .into_iter()
            .filter_map(|(action, n)| {
                let delta = n.saturating_sub(self.requests.get(&action).copied().unwrap_or(0));
                (delta > 0).then_some((action, delta))
            })
            .collect();
        let throttled = metrics.throttled().saturating_sub(self.throttled);
        (by_action, throttled)
    }
}

/// The outbox tag of each VPC that has one: taken from the inventory before it is dropped.
pub(super) fn unpublished_tags(inventory: &RegionInventory) -> BTreeMap<String, String> {
    inventory
        .vpcs
        .iter()
        .filter_map(|v| {
            let value = v.vpc.tags.get(UNPUBLISHED_TAG_KEY)?;
            Some((v.vpc.id.clone(), value.clone()))
        })
        .collect()
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    pub(super) async fn notify(
        &self,
        request: &RunRequest,
        unpublished: BTreeMap<String, String>,
        outcomes: Vec<VpcOutcome>,
        before: MetricsReading,
        checks: RunCounters,
        event_path: Option<EventPath>,
    ) -> Result<RunReport, GuardError> {
        let ctx = NoticeContext {
            account_id: request.account_id.clone(),
            region: self.region.clone(),
            trigger: request.trigger.clone(),
            mode: self.settings.mode,
            generated_at: self.clock.now_rfc3339(),
        };
        // Findings applied by an earlier invocation whose publish failed (outbox tags).
        let replays: BTreeMap<String, Vec<NoticeFinding>> = unpublished
            .into_iter()
            .map(|(vpc_id, value)| {
                let (_trigger, findings) = outbox::decode(&value, &self.region);
                (vpc_id, findings)
            })
            .collect();
        let mut notices = vpc_notices(&ctx, &outcomes, &replays);
        if let Some(verdict) = event_path.filter(EventPath::is_missing) {
            notices.push(Notice::event_path_missing(&ctx, verdict));
        }
        let mut summary = self.summarize(request, &outcomes, &before);
        summary.counters.add(&checks);
        if request.publish_summary {
            let mut totals = summary.clone();
            totals.counters.notices_published = notices.len() as u64 + 1;
            notices.push(Notice::sweep_summary(&ctx, totals));
        }
        if request.notify && !notices.is_empty() {
            match self.notices.publish(&notices).await {
                Ok(published) => summary.counters.notices_published = published as u64,
                Err(source) => {
                    self.keep_unpublished(&request.trigger, &notices).await;
                    return Err(GuardError::Publish {
                        unpublished: notices.len(),
                        source,
                    });
                }
            }
            if !replays.is_empty() {
                let ids: Vec<String> = replays.keys().cloned().collect();
                if let Err(error) = self.ec2.clear_unpublished(&ids).await {
                    // Worst case the next run publishes these findings once more.
                    warn!(%error, vpcs = ?ids, "could not clear the unpublished-notice tags");
                }
            }
        }
        self.count_requests(&mut summary, &before);
        let c = &summary.counters;
        info!(
            throttled_requests = c.throttled_requests,
            trigger = %summary.trigger,
            api_calls = c.api_calls,
            vpcs_checked = c.vpcs_checked,
            vpcs_drifted = c.vpcs_drifted,
            actions_applied = c.actions_applied,
            actions_failed = c.actions_failed,
            notices_published = c.notices_published,
            "guard run finished"
        );
        Ok(RunReport {
            summary,
            outcomes,
            notices,
        })
    }

    /// The run's counters before publishing (the `sweep_summary` notice carries these).
    fn summarize(
        &self,
        request: &RunRequest,
        outcomes: &[VpcOutcome],
        before: &MetricsReading,
    ) -> RunSummary {
        let count_status = |s: VpcStatus| outcomes.iter().filter(|o| o.status == s).count() as u64;
        let findings = || outcomes.iter().flat_map(|o| &o.findings);
        let count_outcome = |x: Outcome| findings().filter(|f| f.outcome == x).count() as u64;
        let cost: f64 = findings()
            .filter(|f| matches!(f.outcome, Outcome::Applied | Outcome::Planned))
            .map(|f| f.monthly_cost_usd)
            .sum();
        let mut summary = RunSummary {
            trigger: request.trigger.clone(),
            mode: self.settings.mode.as_str().to_string(),
            counters: RunCounters {
                vpcs_checked: outcomes.len() as u64,
                vpcs_compliant: count_status(VpcStatus::Compliant),
                vpcs_drifted: count_status(VpcStatus::Drifted),
                vpcs_exempt: count_status(VpcStatus::Exempt),
                vpcs_not_owned: count_status(VpcStatus::NotOwned),
                vpcs_released: count_status(VpcStatus::Released),
                actions_applied: count_outcome(Outcome::Applied),
                actions_failed: count_outcome(Outcome::Failed),
                services_served_centrally: count_outcome(Outcome::ServedCentrally),
                actions_deferred: count_outcome(Outcome::Deferred),
                monthly_cost_delta_usd: UsdCents::from_usd(round_cents(cost)),
                ..RunCounters::default()
            },
            api_calls_by_action: BTreeMap::new(),
            vpcs_interface_skipped_for_cost: outcomes
                .iter()
                .filter(|o| !o.cost_decisions.is_empty())
                .count(),
        };
        summary.counters.add(&usage_counters(outcomes));
        self.count_requests(&mut summary, before);
        summary
    }

    fn count_requests(&self, summary: &mut RunSummary, before: &MetricsReading) {
        let (by_action, throttled) = before.since(self.metrics.as_ref());
        summary.counters.api_calls = by_action.values().sum();
        summary.counters.throttled_requests = throttled;
        summary.api_calls_by_action = by_action;
    }

    /// After a failed publish: keeps what was applied in an outbox tag per VPC, so the retry
    /// (which finds nothing left to fix) still tells people what was done. Drift that was only
    /// detected or failed is found again by the retry and needs no outbox.
    async fn keep_unpublished(&self, trigger: &str, notices: &[Notice]) {
        for notice in notices {
            let Some(vpc_id) = notice.vpc_id() else {
                continue;
            };
            let Some(value) = outbox::encode(trigger, notice.findings()) else {
                continue;
            };
            if let Err(error) = self.ec2.mark_unpublished(vpc_id, &value).await {
                // Last resort: the notice itself goes to the log, so it is not lost.
                error!(%error, %vpc_id, notice = %notice.to_json(), "notice could not be published nor kept");
            }
        }
    }
}

/// The usage check's counters: verdicts, prunes and savings over every VPC of the run.
fn usage_counters(outcomes: &[VpcOutcome]) -> RunCounters {
    let usage: Vec<EndpointUsage> = outcomes.iter().flat_map(|o| o.usage.clone()).collect();
    let totals = UsageTotals::of(&usage);
    let savings = || outcomes.iter().filter_map(|o| o.savings.as_ref());
    let verified = || savings().filter(|s| s.status == SavingsStatus::Verified);
    RunCounters {
        endpoints_measured: totals.endpoints_measured,
        endpoints_idle: totals.endpoints_idle,
        endpoints_underused: totals.endpoints_underused,
        endpoint_azs_idle: totals.endpoint_azs_idle,
        idle_monthly_cost_usd: UsdCents::from_usd(totals.idle_monthly_cost_usd),
        endpoints_pruned: outcomes
            .iter()
            .flat_map(|o| &o.findings)
            .filter(|f| f.drift.is_usage() && f.outcome == Outcome::Applied)
            .count() as u64,
        vpcs_savings_verified: verified().count() as u64,
        vpcs_not_paying: savings()
            .filter(|s| s.status == SavingsStatus::NotPaying)
            .count() as u64,
        verified_monthly_saving_usd: UsdCents::from_usd(
            verified()
                .filter_map(|s| s.realized_monthly_saving_usd)
                .sum(),
        ),
        ..RunCounters::default()
    }
}

/// One notice per drifted VPC, per VPC with usage findings (runs that read usage), or per VPC
/// with replayed findings.
fn vpc_notices(
    ctx: &NoticeContext,
    outcomes: &[VpcOutcome],
    replays: &BTreeMap<String, Vec<NoticeFinding>>,
) -> Vec<Notice> {
    outcomes
        .iter()
        .filter_map(|o| {
            let replayed = replays.get(&o.vpc_id).cloned().unwrap_or_default();
            let usage_findings = o.findings.iter().any(|f| f.drift.is_usage());
            if o.status != VpcStatus::Drifted && replayed.is_empty() && !usage_findings {
                return None;
            }
            let mut findings = replayed;
            findings.extend(o.findings.iter().cloned());
            Some(Notice::for_vpc(
                ctx,
                VpcReport {
                    cost_decisions: o.cost_decisions.clone(),
                    nat_traffic: o.nat_traffic.clone(),
                    profile: o.profile.clone(),
                    savings: o.savings.clone(),
                    ..VpcReport::new(&o.vpc_id, findings)
                },
            ))
        })
        .collect()
}
