//! Stage 3, act: each VPC's remedies in order (remediate mode) or as planned (report mode),
//! with bounded concurrency across VPCs. A failed remedy becomes a failed finding, never an error.

use futures::stream::{self, StreamExt};
use tracing::info;
use vpce_guard_core::notice::{NoticeFinding, Outcome};
use vpce_guard_core::planner::{Drift, Finding, Remedy, SecurityGroupRef, VpcPlan};
use vpce_guard_core::policy::Mode;
use vpce_guard_core::ports::{Ec2Port, NoticePort};
use vpce_guard_core::resource_id::{SecurityGroupId, VpcId};
use vpce_guard_core::usage::{EndpointUsage, VpcSavings};

use super::plan::Planned;
use super::{Guard, VpcOutcome};

/// Why a private-DNS remedy of a VPC whose DNS attributes were not read waits.
const DNS_UNREAD_DEFERRAL: &str = "deferred: EC2's VPC endpoint calls this run may still make before its deadline are spent; the next run reads the VPC's DNS attributes and makes this change";

/// What one VPC's remedies share while they are applied in order.
#[derive(Default)]
struct VpcProgress {
    /// The guard's security group once created or found (interface endpoints reuse it).
    guard_group: Option<SecurityGroupId>,
    /// Enabling the DNS attributes failed: remedies that need them are skipped.
    dns_failed: bool,
    /// The DNS attributes were not read (the run cannot send the remedies that need them):
    /// those remedies are deferred.
    dns_unread: bool,
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    pub(super) async fn act(&self, planned: Planned) -> Vec<VpcOutcome> {
        let Planned {
            plans,
            dns_unread,
            usage,
            ..
        } = planned;
        let dns_unread = &dns_unread;
        let usage = &usage;
        let mut outcomes: Vec<VpcOutcome> = stream::iter(plans)
            .map(|plan| {
                let unread = dns_unread.contains(&plan.vpc_id);
                let measured = usage
                    .as_ref()
                    .map(|u| u.of_vpc(&plan.vpc_id))
                    .unwrap_or_default();
                self.execute(plan, self.settings.mode, unread, measured)
            })
            .buffer_unordered(self.settings.remediation_concurrency)
            .collect()
            .await;
        outcomes.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id));
        outcomes
    }

    /// Applies (or, in report mode, only plans) one VPC's remedies in order.
    async fn execute(
        &self,
        plan: VpcPlan,
        mode: Mode,
        dns_unread: bool,
        (usage, savings): (Vec<EndpointUsage>, Option<VpcSavings>),
    ) -> VpcOutcome {
        let vpc_id = plan.vpc_id.clone();
        let vpc = VpcId::from(&vpc_id);
        let mut progress = VpcProgress {
            dns_unread,
            ..VpcProgress::default()
        };
        let mut findings = Vec::with_capacity(plan.findings.len());
        for finding in plan.findings {
            let published = match (&finding.remedy, mode) {
                (None, _) if finding.served_centrally => as_notice(
                    &finding,
                    "none".to_string(),
                    Outcome::ServedCentrally,
                    finding.not_remediable.clone(),
                ),
                (None, _) => not_remediable(&finding),
                (Some(remedy), Mode::Report) => {
                    as_notice(&finding, remedy.describe(), Outcome::Planned, None)
                }
                (Some(remedy), Mode::Remediate) => {
                    self.apply_one(&vpc, &finding, remedy, &mut progress).await
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
            nat_traffic: plan.nat_traffic,
            profile: plan.profile,
            usage,
            savings,
        };
        if let Some(hook) = &self.progress {
            hook(&outcome);
        }
        outcome
    }

    async fn apply_one(
        &self,
        vpc_id: &VpcId,
        finding: &Finding,
        remedy: &Remedy,
        progress: &mut VpcProgress,
    ) -> NoticeFinding {
        let action = remedy.describe();
        if remedy.needs_vpc_dns() && progress.dns_unread {
            return as_notice(
                finding,
                action,
                Outcome::Deferred,
                Some(DNS_UNREAD_DEFERRAL.to_string()),
            );
        }
        if remedy.needs_vpc_dns() && progress.dns_failed {
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
                let id = match progress.guard_group.clone() {
                    Some(id) => id,
                    None => match self.ec2.ensure_guard_security_group(vpc_id, cidrs).await {
                        Ok(id) => {
                            progress.guard_group = Some(id.clone());
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
                    published
                        .resource_ids
                        .extend(progress.guard_group.as_ref().map(String::from));
                }
                published
            }
            Err(error) if error.is_pacing_deadline() => {
                as_notice(finding, action, Outcome::Deferred, Some(error.to_string()))
            }
            Err(error) if error.is_private_dns_conflict() => {
                // A zone already answers for the service's name in this VPC: a central endpoint
                // (perhaps another account's). Reported, not counted as a failure.
                as_notice(
                    finding,
                    action,
                    Outcome::PrivateDnsConflict,
                    Some(error.to_string()),
                )
            }
            Err(error) => {
                if finding.drift == Drift::VpcDnsAttributesDisabled {
                    progress.dns_failed = true;
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
        usage: finding.usage.clone(),
    }
}
