//! The reconcile loop: observe (batched) → plan (pure) → act (per drifted VPC) → notify.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use aws_sdk_ec2::primitives::{DateTime, DateTimeFormat};
use futures::stream::{self, StreamExt};
use tracing::{error, info, warn};

use crate::adapters::ApiCallCounter;
use crate::baseline::Baseline;
use crate::config::{GuardConfig, Mode};
use crate::cost::round_cents;
use crate::error::GuardError;
use crate::model::{DnsAttributes, RegionInventory};
use crate::notice::{Notice, NoticeContext, NoticeFinding, Outcome, RunSummary};
use crate::outbox::{self, UNPUBLISHED_TAG_KEY};
use crate::planner::{
    plan_vpc, CostDecision, Drift, Finding, Remedy, SecurityGroupRef, VpcPlan, VpcStatus,
};
use crate::ports::{Ec2Port, NoticePort, Scope};

/// One guard run's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    pub account_id: String,
    /// CloudTrail event name or `schedule`; carried into notices.
    pub trigger: String,
    pub scope: Scope,
    /// Read the DNS attributes of every VPC in scope (cheap for event-targeted runs), not only
    /// of VPCs whose remedies depend on them.
    pub read_dns_for_all: bool,
    /// Publish a `sweep_summary` notice.
    pub publish_summary: bool,
    /// Publish notices (and handle the outbox). The CLI turns this off and prints them instead.
    pub notify: bool,
}

/// Everything a run found and did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub summary: RunSummary,
    /// One per VPC in scope, sorted by VPC id.
    pub outcomes: Vec<VpcOutcome>,
    /// The notices of the run (published when `notify` was set).
    pub notices: Vec<Notice>,
}

/// Called once per VPC as soon as it is done (progress bars).
pub type ProgressHook = Arc<dyn Fn(&VpcOutcome) + Send + Sync>;

/// The guard for one account and region, over any EC2 and notice adapters.
pub struct Guard<E, N> {
    ec2: E,
    notices: N,
    config: GuardConfig,
    region: String,
    baseline: Baseline,
    api_calls: ApiCallCounter,
    progress: Option<ProgressHook>,
}

/// What happened to one VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcOutcome {
    pub vpc_id: String,
    pub status: VpcStatus,
    pub findings: Vec<NoticeFinding>,
    pub cost_decisions: Vec<CostDecision>,
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    pub fn new(ec2: E, notices: N, config: GuardConfig, region: impl Into<String>) -> Self {
        let region = region.into();
        let baseline = config.baseline.resolve(&region);
        Self {
            ec2,
            notices,
            config,
            region,
            baseline,
            api_calls: ApiCallCounter::new(),
            progress: None,
        }
    }

    /// Reports each VPC as it completes.
    pub fn with_progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// The baseline resolved for this region.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Reports the requests `counter` sees (attach the same counter to the SDK clients).
    pub fn with_api_call_counter(mut self, counter: ApiCallCounter) -> Self {
        self.api_calls = counter;
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn config(&self) -> &GuardConfig {
        &self.config
    }

    pub fn ec2(&self) -> &E {
        &self.ec2
    }

    /// Observes, plans and (in remediate mode) fixes every VPC in scope, then publishes notices.
    /// Fails only when observation or publishing fails; per-VPC failures become notices.
    pub async fn run(&self, request: RunRequest) -> Result<RunReport, GuardError> {
        let calls_before = self.api_calls.snapshot();
        let throttled_before = self.api_calls.throttled();
        let mut service_names: Vec<String> = self
            .baseline
            .services
            .iter()
            .map(|s| s.service_name.clone())
            .collect();
        service_names.sort();
        service_names.dedup();
        let observation = self
            .ec2
            .observe(&request.scope, &service_names)
            .await
            .map_err(GuardError::Observe)?;
        let mut inventory =
            RegionInventory::assemble(&request.account_id, &self.region, observation);
        let options = self.config.planner_options();

        if request.read_dns_for_all {
            let ids: Vec<String> = inventory
                .vpcs
                .iter()
                .filter(|v| !crate::planner::is_exempt(v, &options.exempt_tag_key))
                .map(|v| v.vpc.id.clone())
                .collect();
            self.fill_dns(&mut inventory, &ids).await;
        }
        let mut plans: Vec<VpcPlan> = inventory
            .vpcs
            .iter()
            .map(|v| {
                plan_vpc(
                    &inventory.account_id,
                    v,
                    &inventory.offers,
                    &self.baseline,
                    &options,
                )
            })
            .collect();
        // Only VPCs whose remedies depend on DNS attributes pay the per-VPC reads.
        let needing: Vec<String> = plans
            .iter()
            .filter(|p| p.needs_dns_attributes)
            .map(|p| p.vpc_id.clone())
            .collect();
        if !needing.is_empty() {
            self.fill_dns(&mut inventory, &needing).await;
            for (plan, vpc) in plans.iter_mut().zip(&inventory.vpcs) {
                if plan.needs_dns_attributes && vpc.dns.is_some() {
                    *plan = plan_vpc(
                        &inventory.account_id,
                        vpc,
                        &inventory.offers,
                        &self.baseline,
                        &options,
                    );
                }
            }
        }

        let mode = self.config.mode;
        let mut outcomes: Vec<VpcOutcome> = stream::iter(plans)
            .map(|plan| self.execute(plan, mode))
            .buffer_unordered(self.config.remediation_concurrency)
            .collect()
            .await;
        outcomes.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id));

        let ctx = NoticeContext {
            account_id: request.account_id.clone(),
            region: self.region.clone(),
            trigger: request.trigger.clone(),
            mode,
            generated_at: now_rfc3339(),
        };
        // Findings applied by an earlier invocation whose publish failed (outbox tags).
        let replays: BTreeMap<String, Vec<NoticeFinding>> = inventory
            .vpcs
            .iter()
            .filter_map(|v| {
                let value = v.vpc.tags.get(UNPUBLISHED_TAG_KEY)?;
                let (_trigger, findings) = outbox::decode(value, &self.region);
                Some((v.vpc.id.clone(), findings))
            })
            .collect();
        let mut notices: Vec<Notice> = outcomes
            .iter()
            .filter_map(|o| {
                let replayed = replays.get(&o.vpc_id).cloned().unwrap_or_default();
                if o.status != VpcStatus::Drifted && replayed.is_empty() {
                    return None;
                }
                let mut findings = replayed;
                findings.extend(o.findings.iter().cloned());
                let mut notice = Notice::for_vpc(&ctx, &o.vpc_id, findings);
                notice.cost_decisions = o.cost_decisions.clone();
                Some(notice)
            })
            .collect();
        let count_status = |s: VpcStatus| outcomes.iter().filter(|o| o.status == s).count();
        let count_outcome = |x: Outcome| {
            outcomes
                .iter()
                .flat_map(|o| &o.findings)
                .filter(|f| f.outcome == x)
                .count()
        };
        let mut summary = RunSummary {
            trigger: request.trigger.clone(),
            mode: mode.as_str().to_string(),
            vpcs_checked: outcomes.len(),
            vpcs_compliant: count_status(VpcStatus::Compliant),
            vpcs_drifted: count_status(VpcStatus::Drifted),
            vpcs_exempt: count_status(VpcStatus::Exempt),
            actions_applied: count_outcome(Outcome::Applied),
            actions_failed: count_outcome(Outcome::Failed),
            notices_published: 0,
            api_calls: 0,
            api_calls_by_action: BTreeMap::new(),
            throttled_requests: 0,
            monthly_cost_delta_usd: round_cents(
                outcomes
                    .iter()
                    .flat_map(|o| &o.findings)
                    .filter(|f| matches!(f.outcome, Outcome::Applied | Outcome::Planned))
                    .map(|f| f.monthly_cost_usd)
                    .sum(),
            ),
            vpcs_interface_skipped_for_cost: outcomes
                .iter()
                .filter(|o| !o.cost_decisions.is_empty())
                .count(),
        };
        summary.api_calls_by_action = self.api_calls.since(&calls_before);
        summary.api_calls = summary.api_calls_by_action.values().sum();
        summary.throttled_requests = self.api_calls.throttled().saturating_sub(throttled_before);
        if request.publish_summary {
            let mut totals = summary.clone();
            totals.notices_published = notices.len() + 1;
            notices.push(Notice::sweep_summary(&ctx, totals));
        }
        if request.notify && !notices.is_empty() {
            match self.notices.publish(&notices).await {
                Ok(published) => summary.notices_published = published,
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
        summary.api_calls_by_action = self.api_calls.since(&calls_before);
        summary.api_calls = summary.api_calls_by_action.values().sum();
        summary.throttled_requests = self.api_calls.throttled().saturating_sub(throttled_before);
        info!(
            throttled_requests = summary.throttled_requests,
            trigger = %summary.trigger,
            api_calls = summary.api_calls,
            vpcs_checked = summary.vpcs_checked,
            vpcs_drifted = summary.vpcs_drifted,
            actions_applied = summary.actions_applied,
            actions_failed = summary.actions_failed,
            notices_published = summary.notices_published,
            "guard run finished"
        );
        Ok(RunReport {
            summary,
            outcomes,
            notices,
        })
    }

    /// After a failed publish: keeps what was applied in an outbox tag per VPC, so the retry
    /// (which finds nothing left to fix) still tells people what was done. Drift that was only
    /// detected or failed is found again by the retry and needs no outbox.
    async fn keep_unpublished(&self, trigger: &str, notices: &[Notice]) {
        for notice in notices {
            let Some(vpc_id) = notice.vpc_id.as_deref() else {
                continue;
            };
            let Some(value) = outbox::encode(trigger, &notice.findings) else {
                continue;
            };
            if let Err(error) = self.ec2.mark_unpublished(vpc_id, &value).await {
                // Last resort: the notice itself goes to the log, so it is not lost.
                error!(%error, %vpc_id, notice = %notice.to_json(), "notice could not be published nor kept");
            }
        }
    }

    /// Reads DNS attributes of `vpc_ids` (bounded concurrency). A failed read leaves the VPC's
    /// attributes unknown: the plan then proceeds as if enabled and EC2 has the last word.
    async fn fill_dns(&self, inventory: &mut RegionInventory, vpc_ids: &[String]) {
        let results: BTreeMap<String, DnsAttributes> = stream::iter(vpc_ids.iter().cloned())
            .map(|id| async move {
                let result = self.ec2.dns_attributes(&id).await;
                (id, result)
            })
            .buffer_unordered(self.config.remediation_concurrency)
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

    /// Applies (or, in report mode, only plans) one VPC's remedies in order.
    async fn execute(&self, plan: VpcPlan, mode: Mode) -> VpcOutcome {
        let vpc_id = plan.vpc_id.clone();
        let mut guard_group: Option<String> = None;
        let mut dns_failed = false;
        let mut findings = Vec::with_capacity(plan.findings.len());
        for finding in plan.findings {
            let published = match (&finding.remedy, mode) {
                (None, _) => not_remediable(&finding),
                (Some(remedy), Mode::Report) => {
                    as_notice(&finding, remedy.describe(), Outcome::Planned, None)
                }
                (Some(remedy), Mode::Remediate) => {
                    self.apply_one(&vpc_id, &finding, remedy, &mut guard_group, &mut dns_failed)
                        .await
                }
            };
            info!(
                vpc_id = %vpc_id,
                service = published.service.as_deref().unwrap_or("-"),
                drift = published.drift.as_str(),
                action = %published.action,
                outcome = ?published.outcome,
                error = published.error.as_deref().unwrap_or(""),
                "finding"
            );
            findings.push(published);
        }
        for decision in &plan.cost_decisions {
            info!(vpc_id = %vpc_id, reason = %decision.reason, "cost decision");
        }
        let outcome = VpcOutcome {
            vpc_id,
            status: plan.status,
            findings,
            cost_decisions: plan.cost_decisions,
        };
        if let Some(progress) = &self.progress {
            progress(&outcome);
        }
        outcome
    }

    async fn apply_one(
        &self,
        vpc_id: &str,
        finding: &Finding,
        remedy: &Remedy,
        guard_group: &mut Option<String>,
        dns_failed: &mut bool,
    ) -> NoticeFinding {
        let action = remedy.describe();
        if remedy.needs_vpc_dns() && *dns_failed {
            return as_notice(
                finding,
                action,
                Outcome::Failed,
                Some("skipped: enabling the VPC DNS attributes failed, and private DNS depends on them".to_string()),
            );
        }
        let mut remedy = remedy.clone();
        if let Remedy::CreateInterfaceEndpoint { security_group, .. } = &mut remedy {
            if let SecurityGroupRef::CreateGuardManaged { cidrs } = security_group {
                let id = match guard_group.clone() {
                    Some(id) => id,
                    None => match self.ec2.ensure_guard_security_group(vpc_id, cidrs).await {
                        Ok(id) => {
                            *guard_group = Some(id.clone());
                            id
                        }
                        Err(error) => {
                            return as_notice(
                                finding,
                                action,
                                Outcome::Failed,
                                Some(error.to_string()),
                            );
                        }
                    },
                };
                *security_group = SecurityGroupRef::Existing(id);
            }
        }
        match self.ec2.apply(vpc_id, &remedy).await {
            Ok(created) => {
                let mut published = as_notice(finding, action, Outcome::Applied, None);
                published.resource_ids.extend(created);
                if matches!(remedy, Remedy::CreateInterfaceEndpoint { .. }) {
                    published.resource_ids.extend(guard_group.clone());
                }
                published
            }
            Err(error) => {
                if finding.drift == Drift::VpcDnsAttributesDisabled {
                    *dns_failed = true;
                }
                as_notice(finding, action, Outcome::Failed, Some(error.to_string()))
            }
        }
    }
}

fn not_remediable(finding: &Finding) -> NoticeFinding {
    as_notice(
        finding,
        "none".to_string(),
        Outcome::NotRemediable,
        finding.not_remediable.clone(),
    )
}

fn as_notice(
    finding: &Finding,
    action: String,
    outcome: Outcome,
    error: Option<String>,
) -> NoticeFinding {
    NoticeFinding {
        service: finding.service.clone(),
        drift: finding.drift,
        resource_ids: finding.resource_ids.clone(),
        action,
        outcome,
        error,
        monthly_cost_usd: finding.monthly_cost_usd,
    }
}

pub(crate) fn now_rfc3339() -> String {
    DateTime::from(SystemTime::now())
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}
