//! Notices: the JSON documents published to SNS (`vpce-guard.notice/v1`, see docs/notice.schema.json).

use serde::{Deserialize, Serialize};

use crate::cost::{round_cents, usd};
use crate::event_path::EventPath;
use crate::planner::{Drift, FindingUsage};
use crate::policy::Mode;

mod body;
mod org_summary;
mod release;
mod summary;
#[cfg(test)]
mod tests;

pub use body::{NoFindings, NoVpc, NoticeBody, VpcReport};

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

/// One notice as published: what every notice has, and the parts of its kind ([`NoticeBody`],
/// whose tag is `event_type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub schema: String,
    pub account_id: String,
    pub region: String,
    /// CloudTrail event name, or `schedule`.
    pub trigger: String,
    pub mode: Mode,
    /// Monthly cost (USD) of the applied or planned remedies of this notice.
    #[serde(default)]
    pub monthly_cost_delta_usd: f64,
    /// One or two sentences for humans (chat, e-mail).
    pub summary: String,
    /// RFC 3339 UTC time the notice was built.
    pub generated_at: String,
    #[serde(flatten)]
    pub body: NoticeBody,
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
    pub fn for_vpc(ctx: &NoticeContext, report: VpcReport) -> Self {
        let findings = &report.findings;
        let vpc_id = report.vpc_id.as_str();
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
        let body = if failed > 0 {
            NoticeBody::RemediationFailed(report)
        } else if applied > 0 {
            NoticeBody::Remediated(report)
        } else {
            NoticeBody::DriftDetected(report)
        };
        Self::with_body(ctx, body, summary, monthly_cost_delta_usd)
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
        let delta = totals.counters.monthly_cost_delta_usd.usd();
        let body = NoticeBody::SweepSummary {
            vpc_id: NoVpc,
            findings: NoFindings,
            totals,
        };
        Self::with_body(ctx, body, summary, delta)
    }

    /// The notice of one release (the guard's resources blocked a deletion in `vpc_id`).
    pub fn released(ctx: &NoticeContext, vpc_id: &str, report: ReleaseReport) -> Self {
        let summary = report.describe();
        let body = NoticeBody::Released {
            vpc_id: vpc_id.to_string(),
            findings: NoFindings,
            release: report,
        };
        Self::with_body(ctx, body, summary, 0.0)
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
        let body = NoticeBody::EventPathMissing {
            vpc_id: NoVpc,
            findings: NoFindings,
            event_path: verdict,
        };
        Self::with_body(ctx, body, summary, 0.0)
    }

    /// A notice of `body` in the run of `ctx`.
    fn with_body(
        ctx: &NoticeContext,
        body: NoticeBody,
        summary: String,
        monthly_cost_delta_usd: f64,
    ) -> Self {
        Self {
            schema: NOTICE_SCHEMA.to_string(),
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            trigger: ctx.trigger.clone(),
            mode: ctx.mode,
            monthly_cost_delta_usd,
            summary,
            generated_at: ctx.generated_at.clone(),
            body,
        }
    }

    pub fn event_type(&self) -> NoticeEventType {
        self.body.event_type()
    }

    /// The VPC the notice is about; None for notices about a whole run.
    pub fn vpc_id(&self) -> Option<&str> {
        self.body.vpc_id()
    }

    /// The VPC's report, for notices about one VPC's findings.
    pub fn vpc(&self) -> Option<&VpcReport> {
        self.body.vpc()
    }

    /// The findings (empty on notices that carry none).
    pub fn findings(&self) -> &[NoticeFinding] {
        self.vpc().map_or(&[], |v| v.findings.as_slice())
    }

    /// `sweep_summary` only: the run's counters.
    pub fn totals(&self) -> Option<&RunSummary> {
        match &self.body {
            NoticeBody::SweepSummary { totals, .. } => Some(totals),
            _ => None,
        }
    }

    /// `org_sweep_summary` only: the organization sweep's report.
    pub fn org(&self) -> Option<&OrgSweepReport> {
        match &self.body {
            NoticeBody::OrgSweepSummary { org, .. } => Some(org),
            _ => None,
        }
    }

    /// `released` only: what the release did.
    pub fn release(&self) -> Option<&ReleaseReport> {
        match &self.body {
            NoticeBody::Released { release, .. } => Some(release),
            _ => None,
        }
    }

    /// `event_path_missing` only: what the check found.
    pub fn event_path(&self) -> Option<&EventPath> {
        match &self.body {
            NoticeBody::EventPathMissing { event_path, .. } => Some(event_path),
            _ => None,
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
        let delta = report.counters.monthly_cost_delta_usd.usd();
        let body = NoticeBody::OrgSweepSummary {
            vpc_id: NoVpc,
            findings: NoFindings,
            org: report,
        };
        Self::with_body(ctx, body, summary, delta)
    }

    /// One readable line under 100 characters, for e-mail subjects.
    pub fn subject(&self) -> String {
        let what = match self.event_type() {
            NoticeEventType::DriftDetected => "drift detected in",
            NoticeEventType::Remediated => "remediated",
            NoticeEventType::RemediationFailed => "remediation failed in",
            NoticeEventType::SweepSummary => "sweep summary for",
            NoticeEventType::OrgSweepSummary => "organization sweep from",
            NoticeEventType::Released => "released",
            NoticeEventType::EventPathMissing => "events not reaching the guard in",
        };
        let target = self.vpc_id().unwrap_or(&self.account_id);
        let tail = match &self.body {
            NoticeBody::EventPathMissing { .. } => String::new(),
            NoticeBody::Released { release, .. } => {
                format!(" ({} blocker(s) not the guard's)", release.blockers.len())
            }
            NoticeBody::SweepSummary { totals: t, .. } => format!(
                " ({} drifted of {})",
                t.counters.vpcs_drifted, t.counters.vpcs_checked
            ),
            NoticeBody::OrgSweepSummary { org: o, .. } => {
                format!(" ({} of {} item(s) failed)", o.items_failed, o.items_total)
            }
            NoticeBody::DriftDetected(v)
            | NoticeBody::Remediated(v)
            | NoticeBody::RemediationFailed(v) => format!(" ({} finding(s))", v.findings.len()),
        };
        let line = format!("vpce-guard: {what} {target} {}{tail}", self.region);
        truncate_chars(&line, MAX_SUBJECT_CHARS)
    }

    /// SNS message attributes for subscription filter policies.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        let mut attrs = vec![
            ("event_type", self.event_type().as_str().to_string()),
            ("account_id", self.account_id.clone()),
            ("region", self.region.clone()),
            ("mode", self.mode.as_str().to_string()),
        ];
        if let Some(vpc) = self.vpc_id() {
            attrs.push(("vpc_id", vpc.to_string()));
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
