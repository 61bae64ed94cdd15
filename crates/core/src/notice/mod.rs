//! Notices: the JSON documents published to SNS (`vpce-guard.notice/v1`, see docs/notice.schema.json).

use serde::{Deserialize, Serialize};

use crate::cost::{round_cents, usd};
use crate::event_path::EventPath;
use crate::planner::{CostDecision, Drift, FindingUsage};
use crate::policy::Mode;
use crate::traffic::NatTrafficReport;
use crate::usage::VpcSavings;

mod org_summary;
mod release;
mod summary;

pub use org_summary::OrgSweepReport;
pub use release::ReleaseReport;
pub use summary::RunSummary;

pub const NOTICE_SCHEMA: &str = "vpce-guard.notice/v1";
/// SNS rejects subjects of 100 characters or more.
pub const MAX_SUBJECT_CHARS: usize = 99;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEventType {
    DriftDetected,
    Remediated,
    RemediationFailed,
    SweepSummary,
    /// One per organization sweep, when every (account, region) item succeeded or failed.
    OrgSweepSummary,
    /// The guard's resources blocked a `DeleteVpc` or `DeleteSubnet`; it gave them back.
    Released,
    /// The day's check found no CloudTrail trail logging the Region's management write events:
    /// network changes there reach the guard only through the scheduled sweep.
    EventPathMissing,
}

impl NoticeEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeEventType::DriftDetected => "drift_detected",
            NoticeEventType::Remediated => "remediated",
            NoticeEventType::RemediationFailed => "remediation_failed",
            NoticeEventType::SweepSummary => "sweep_summary",
            NoticeEventType::OrgSweepSummary => "org_sweep_summary",
            NoticeEventType::Released => "released",
            NoticeEventType::EventPathMissing => "event_path_missing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Report mode: would be applied.
    Planned,
    Applied,
    Failed,
    /// No safe remedy exists; a human has to act.
    NotRemediable,
    /// A central endpoint (a Route 53 private hosted zone for the service's private DNS name,
    /// associated with the VPC) serves the service: no local endpoint is created.
    ServedCentrally,
    /// EC2 refused the endpoint's private DNS: a private hosted zone for the same name is
    /// associated with the VPC (often another account's central zone). Not retried in the run.
    PrivateDnsConflict,
    /// Not attempted: the guard's request pacing (EC2's own buckets) would have sent it after
    /// the invocation's deadline. The next run finds the drift again and continues.
    Deferred,
}

/// One finding as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeFinding {
    pub service: Option<String>,
    pub drift: Drift,
    pub resource_ids: Vec<String>,
    /// The EC2 call (planned or made), or `none`.
    pub action: String,
    pub outcome: Outcome,
    /// Why it failed or is not remediable.
    pub error: Option<String>,
    /// Monthly cost (USD) the remedy adds, negative when it saves; 0 for free changes.
    #[serde(default)]
    pub monthly_cost_usd: f64,
    /// Usage findings only: the endpoint, its GB per month and the dollars paid for nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<FindingUsage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub schema: String,
    pub event_type: NoticeEventType,
    pub account_id: String,
    pub region: String,
    /// None for `sweep_summary`.
    pub vpc_id: Option<String>,
    /// CloudTrail event name, or `schedule`.
    pub trigger: String,
    pub mode: Mode,
    pub findings: Vec<NoticeFinding>,
    /// Monthly cost (USD) of the applied or planned remedies of this notice.
    #[serde(default)]
    pub monthly_cost_delta_usd: f64,
    /// Interface endpoints left out because they would cost more than they save.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_decisions: Vec<CostDecision>,
    /// The baseline profile the VPC was planned against (notices about one VPC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The VPC's NAT traffic (CloudWatch or tag) and the interface endpoints' projected saving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_traffic: Option<NatTrafficReport>,
    /// Runs that read usage: the VPC's saving measured from NAT traffic before and after the
    /// guard's first interface endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savings: Option<VpcSavings>,
    /// One or two sentences for humans (chat, e-mail).
    pub summary: String,
    /// RFC 3339 UTC time the notice was built.
    pub generated_at: String,
    /// `sweep_summary` only: the run's counters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<RunSummary>,
    /// `org_sweep_summary` only: coverage, failures and totals of the organization sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgSweepReport>,
    /// `released` only: what the guard removed and what still blocks the deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseReport>,
    /// `event_path_missing` only: what the check found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_path: Option<EventPath>,
}

/// Identity of the run a notice belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeContext {
    pub account_id: String,
    pub region: String,
    pub trigger: String,
    pub mode: Mode,
    pub generated_at: String,
}

impl Notice {
    /// The notice for one drifted VPC; its type follows from the outcomes.
    pub fn for_vpc(ctx: &NoticeContext, vpc_id: &str, findings: Vec<NoticeFinding>) -> Self {
        let count = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
        let deferred = count(Outcome::Deferred);
        let (applied, failed, planned, manual, central, conflict) = (
            count(Outcome::Applied),
            count(Outcome::Failed),
            count(Outcome::Planned),
            count(Outcome::NotRemediable),
            count(Outcome::ServedCentrally),
            count(Outcome::PrivateDnsConflict),
        );
        let event_type = if failed > 0 {
            NoticeEventType::RemediationFailed
        } else if applied > 0 {
            NoticeEventType::Remediated
        } else {
            NoticeEventType::DriftDetected
        };
        let mut drifts: Vec<&str> = findings.iter().map(|f| f.drift.as_str()).collect();
        drifts.sort_unstable();
        drifts.dedup();
        let mut parts = Vec::new();
        for (n, what) in [
            (applied, "remediated"),
            (failed, "failed"),
            (planned, "planned"),
            (manual, "need a human"),
            (central, "served centrally"),
            (conflict, "private DNS conflict"),
            (deferred, "deferred to the next run"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let monthly_cost_delta_usd = round_cents(
            findings
                .iter()
                .filter(|f| matches!(f.outcome, Outcome::Applied | Outcome::Planned))
                .map(|f| f.monthly_cost_usd)
                .sum(),
        );
        let mut summary = format!(
            "VPC {vpc_id} in {} ({}) had {} finding(s): {}. Drift: {}.",
            ctx.region,
            ctx.account_id,
            findings.len(),
            parts.join(", "),
            drifts.join(", ")
        );
        if monthly_cost_delta_usd != 0.0 {
            summary.push_str(&format!(
                " Monthly cost change: {}.",
                usd(monthly_cost_delta_usd)
            ));
        }
        Self {
            schema: NOTICE_SCHEMA.to_string(),
            event_type,
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            vpc_id: Some(vpc_id.to_string()),
            trigger: ctx.trigger.clone(),
            mode: ctx.mode,
            findings,
            monthly_cost_delta_usd,
            cost_decisions: Vec::new(),
            nat_traffic: None,
            savings: None,
            profile: None,
            summary,
            generated_at: ctx.generated_at.clone(),
            totals: None,
            org: None,
            release: None,
            event_path: None,
        }
    }

    /// The one summary notice of a sweep.
    pub fn sweep_summary(ctx: &NoticeContext, totals: RunSummary) -> Self {
        let summary = format!(
            "Sweep of {} ({}) checked {} VPC(s): {} compliant, {} drifted, {} exempt; {} action(s) applied, {} failed; monthly cost change {}.",
            ctx.region,
            ctx.account_id,
            totals.counters.vpcs_checked,
            totals.counters.vpcs_compliant,
            totals.counters.vpcs_drifted,
            totals.counters.vpcs_exempt,
            totals.counters.actions_applied,
            totals.counters.actions_failed,
            usd(totals.counters.monthly_cost_delta_usd.usd())
        );
        let mut notice = Self::roll_up(
            ctx,
            NoticeEventType::SweepSummary,
            summary,
            totals.counters.monthly_cost_delta_usd.usd(),
        );
        notice.totals = Some(totals);
        notice
    }

    /// The notice of one release (the guard's resources blocked a deletion in `vpc_id`).
    pub fn released(ctx: &NoticeContext, vpc_id: &str, report: ReleaseReport) -> Self {
        let mut notice = Self::roll_up(ctx, NoticeEventType::Released, report.describe(), 0.0);
        notice.vpc_id = Some(vpc_id.to_string());
        notice.release = Some(report);
        notice
    }

    /// The day's event-path check found nothing feeding network-events in this account and
    /// Region.
    pub fn event_path_missing(ctx: &NoticeContext, verdict: EventPath) -> Self {
        let reason = match &verdict {
            EventPath::Missing { reason, .. } | EventPath::Unverified { reason, .. } => {
                reason.clone()
            }
            EventPath::Covered { trail } => format!("{trail} logs them"),
        };
        let summary = format!(
            "Events are not reaching the guard in {} ({}): {reason}. Only the scheduled sweep repairs drift there. Create a trail that logs management events (read/write All or WriteOnly) in this Region, or an organization trail.",
            ctx.region, ctx.account_id
        );
        let mut notice = Self::roll_up(ctx, NoticeEventType::EventPathMissing, summary, 0.0);
        notice.event_path = Some(verdict);
        notice
    }

    /// A notice about a whole run rather than one VPC (no `vpc_id`, no findings).
    fn roll_up(
        ctx: &NoticeContext,
        event_type: NoticeEventType,
        summary: String,
        monthly_cost_delta_usd: f64,
    ) -> Self {
        Self {
            schema: NOTICE_SCHEMA.to_string(),
            event_type,
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            vpc_id: None,
            trigger: ctx.trigger.clone(),
            mode: ctx.mode,
            findings: Vec::new(),
            monthly_cost_delta_usd,
            cost_decisions: Vec::new(),
            nat_traffic: None,
            savings: None,
            profile: None,
            summary,
            generated_at: ctx.generated_at.clone(),
            totals: None,
            org: None,
            release: None,
            event_path: None,
        }
    }

    /// The one summary of an organization sweep, published from the central account.
    pub fn org_sweep_summary(ctx: &NoticeContext, report: OrgSweepReport) -> Self {
        let mut summary = format!(
            "Organization sweep {} covered {} account(s) x {} region(s): {} of {} item(s) succeeded, {} failed; {} VPC(s) checked, {} drifted; {} action(s) applied, {} failed; {} throttled request(s); monthly cost change {}.",
            report.sweep_id,
            report.accounts.len(),
            report.regions.len(),
            report.items_succeeded,
            report.items_total,
            report.items_failed,
            report.counters.vpcs_checked,
            report.counters.vpcs_drifted,
            report.counters.actions_applied,
            report.counters.actions_failed,
            report.counters.throttled_requests,
            usd(report.counters.monthly_cost_delta_usd.usd())
        );
        if !report.accounts_failed.is_empty() {
            summary.push_str(&format!(
                " Failed accounts: {}.",
                report.accounts_failed.join(", ")
            ));
        }
        if report.items_unfinished_count > 0 {
            summary.push_str(&format!(
                " {} item(s) unfinished at the deadline.",
                report.items_unfinished_count
            ));
        }
        if !report.late_items.is_empty() {
            summary.push_str(&format!(
                " {} item(s) of earlier sweeps finished late.",
                report.late_items.len()
            ));
        }
        let mut notice = Self::roll_up(
            ctx,
            NoticeEventType::OrgSweepSummary,
            summary,
            report.counters.monthly_cost_delta_usd.usd(),
        );
        notice.org = Some(report);
        notice
    }

    /// One readable line under 100 characters, for e-mail subjects.
    pub fn subject(&self) -> String {
        let what = match self.event_type {
            NoticeEventType::DriftDetected => "drift detected in",
            NoticeEventType::Remediated => "remediated",
            NoticeEventType::RemediationFailed => "remediation failed in",
            NoticeEventType::SweepSummary => "sweep summary for",
            NoticeEventType::OrgSweepSummary => "organization sweep from",
            NoticeEventType::Released => "released",
            NoticeEventType::EventPathMissing => "events not reaching the guard in",
        };
        let target = self.vpc_id.as_deref().unwrap_or(&self.account_id);
        let tail = match (&self.totals, &self.org) {
            _ if self.event_path.is_some() => String::new(),
            _ if self.release.is_some() => {
                let blockers = self.release.as_ref().map_or(0, |r| r.blockers.len());
                format!(" ({blockers} blocker(s) not the guard's)")
            }
            (Some(t), _) => format!(
                " ({} drifted of {})",
                t.counters.vpcs_drifted, t.counters.vpcs_checked
            ),
            (None, Some(o)) => format!(" ({} of {} item(s) failed)", o.items_failed, o.items_total),
            (None, None) => format!(" ({} finding(s))", self.findings.len()),
        };
        let line = format!("vpce-guard: {what} {target} {}{tail}", self.region);
        truncate_chars(&line, MAX_SUBJECT_CHARS)
    }

    /// SNS message attributes for subscription filter policies.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut attrs = vec![
            ("event_type", self.event_type.as_str().to_string()),
            ("account_id", self.account_id.clone()),
            ("region", self.region.clone()),
            ("mode", self.mode.as_str().to_string()),
        ];
        if let Some(vpc) = &self.vpc_id {
            attrs.push(("vpc_id", vpc.clone()));
        }
        attrs
    }

    pub fn to_json(&self) -> String {
        // Serializing plain owned data cannot fail; fall back to an explicit marker just in case.
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> NoticeContext {
        NoticeContext {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            trigger: "CreateSubnet".into(),
            mode: Mode::Remediate,
            generated_at: "2026-11-21T00:00:00Z".into(),
        }
    }

    fn finding(outcome: Outcome) -> NoticeFinding {
        NoticeFinding {
            service: Some("com.amazonaws.us-east-1.s3".into()),
            drift: Drift::MissingEndpoint,
            resource_ids: vec!["vpc-1".into()],
            action: "CreateVpcEndpoint".into(),
            outcome,
            error: None,
            monthly_cost_usd: 14.6,
            usage: None,
        }
    }

    #[test]
    fn event_type_follows_outcomes() {
        let t = |outcomes: &[Outcome]| {
            Notice::for_vpc(
                &ctx(),
                "vpc-1",
                outcomes.iter().map(|o| finding(*o)).collect(),
            )
            .event_type
        };
        assert_eq!(t(&[Outcome::Planned]), NoticeEventType::DriftDetected);
        assert_eq!(t(&[Outcome::NotRemediable]), NoticeEventType::DriftDetected);
        assert_eq!(
            t(&[Outcome::Applied, Outcome::NotRemediable]),
            NoticeEventType::Remediated
        );
        assert_eq!(
            t(&[Outcome::Applied, Outcome::Failed]),
            NoticeEventType::RemediationFailed
        );
    }

    #[test]
    fn json_uses_schema_field_names() {
        let notice = Notice::for_vpc(&ctx(), "vpc-1", vec![finding(Outcome::Applied)]);
        let value: serde_json::Value = serde_json::from_str(&notice.to_json()).unwrap();
        assert_eq!(value["schema"], "vpce-guard.notice/v1");
        assert_eq!(value["event_type"], "remediated");
        assert_eq!(value["mode"], "remediate");
        assert_eq!(value["findings"][0]["drift"], "missing_endpoint");
        assert_eq!(value["findings"][0]["outcome"], "applied");
        assert!(value["findings"][0]["error"].is_null());
        assert!(value.get("totals").is_none());
        assert!(value["summary"].as_str().unwrap().contains("1 remediated"));
    }

    #[test]
    fn subject_stays_under_one_hundred_characters() {
        let long_vpc = format!("vpc-{}", "f".repeat(200));
        let notice = Notice::for_vpc(&ctx(), &long_vpc, vec![finding(Outcome::Failed)]);
        let subject = notice.subject();
        assert!(subject.chars().count() < 100, "{subject}");
        assert!(subject.starts_with("vpce-guard: remediation failed in vpc-"));
        let short = Notice::for_vpc(&ctx(), "vpc-1", vec![finding(Outcome::Applied)]).subject();
        assert_eq!(
            short,
            "vpce-guard: remediated vpc-1 us-east-1 (1 finding(s))"
        );
    }

    #[test]
    fn summary_notice_carries_totals_and_no_vpc_attribute() {
        let mut totals = RunSummary::default();
        totals.counters.vpcs_checked = 3;
        totals.counters.vpcs_drifted = 1;
        let notice = Notice::sweep_summary(&ctx(), totals);
        assert_eq!(notice.event_type, NoticeEventType::SweepSummary);
        assert!(notice.attributes().iter().all(|(k, _)| *k != "vpc_id"));
        assert!(notice.subject().contains("(1 drifted of 3)"));
    }

    #[test]
    fn org_summary_names_failed_accounts_in_summary_and_subject() {
        use crate::org::{tally, ItemRecord, ItemResult, SweepRecord};
        let record = SweepRecord {
            sweep_id: "sweep-1".into(),
            items_total: 4,
            done: 4,
            accounts: vec!["123456789012".into(), "210987654321".into()],
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            ..Default::default()
        };
        let records: Vec<ItemRecord> = record
            .items()
            .map(|item| ItemRecord {
                result: if item.account_id == "210987654321" && item.region == "eu-west-1" {
                    ItemResult::Failed("AccessDenied".into())
                } else {
                    ItemResult::Succeeded(Box::default())
                },
                item,
            })
            .collect();
        let report = OrgSweepReport::new(&record, tally(&record, records), Vec::new());
        let notice = Notice::org_sweep_summary(&ctx(), report);
        assert_eq!(notice.event_type, NoticeEventType::OrgSweepSummary);
        assert!(notice.totals.is_none() && notice.vpc_id.is_none());
        assert!(notice
            .summary
            .contains("3 of 4 item(s) succeeded, 1 failed"));
        assert!(notice.summary.contains("Failed accounts: 210987654321."));
        assert!(
            notice.subject().ends_with("(1 of 4 item(s) failed)"),
            "{}",
            notice.subject()
        );
        assert!(notice.attributes().iter().all(|(k, _)| *k != "vpc_id"));
    }
}
