//! What one run imports into Security Hub: each drift it still sees as `FAILED` (re-imported
//! every run, so Security Hub's 90-day expiry never drops a live finding), and each of the
//! guard's active findings in the run's scope that it no longer sees as `PASSED` + `ARCHIVED`.
//! Drift the run fixed itself is never imported unless an earlier run had reported it.

use std::collections::{BTreeMap, BTreeSet};

use super::finding::{finding_id, finding_id_prefix, parse_id, HubFinding, HubScope};
use crate::notice::{NoticeFinding, Outcome};

/// One of the guard's findings Security Hub holds as active (read back before importing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveHubFinding {
    pub id: String,
    pub created_at: String,
}

/// One run as Security Hub needs it.
#[derive(Debug, Clone)]
pub struct HubRun<'a> {
    pub scope: HubScope,
    /// The VPCs the run looked at; None for the whole Region (a VPC absent from `findings` is
    /// then gone, compliant or skipped).
    pub vpcs_in_scope: Option<BTreeSet<String>>,
    /// Each VPC's findings this run (any outcome).
    pub findings: Vec<(&'a str, &'a [NoticeFinding])>,
    /// Whether the run read usage: only then are earlier usage findings (idle, underused, idle
    /// AZ) that it no longer sees resolved; other runs leave them as they are.
    pub usage_checked: bool,
}

/// What to import, and how many of each kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubImport {
    pub findings: Vec<HubFinding>,
    /// `FAILED` findings (new or refreshed).
    pub active: u64,
    /// Findings resolved this run (`PASSED` + `ARCHIVED`).
    pub archived: u64,
}

/// The findings to import for `run`, given the guard's findings Security Hub holds as active in
/// this account and Region (the caller may pass more: others are ignored).
pub fn reconcile(run: &HubRun<'_>, previously_active: &[ActiveHubFinding]) -> HubImport {
    let scope = &run.scope;
    let prefix = finding_id_prefix(&scope.account_id, &scope.region);
    let first_seen: BTreeMap<&str, &str> = previously_active
        .iter()
        .filter(|f| f.id.starts_with(&prefix))
        .map(|f| (f.id.as_str(), f.created_at.as_str()))
        .collect();

    // Drift still present, grouped by finding id (one per VPC, drift code and service).
    let mut open: BTreeMap<String, (&str, Vec<&NoticeFinding>)> = BTreeMap::new();
    for (vpc_id, findings) in &run.findings {
        for finding in findings
            .iter()
            .filter(|f| !matches!(f.outcome, Outcome::Applied | Outcome::ServedCentrally))
        {
            let id = finding_id(
                &scope.account_id,
                &scope.region,
                vpc_id,
                finding.drift,
                finding.service.as_deref(),
            );
            open.entry(id)
                .or_insert_with(|| (vpc_id, Vec::new()))
                .1
                .push(finding);
        }
    }
    let mut import = HubImport::default();
    for (id, (vpc_id, findings)) in &open {
        let created_at = first_seen.get(id.as_str()).copied();
        if let Some(hub) = scope.failed(vpc_id, findings, created_at) {
            import.findings.push(hub);
            import.active += 1;
        }
    }

    let looked_at: BTreeSet<&str> = run.findings.iter().map(|(vpc, _)| *vpc).collect();
    for (id, created_at) in &first_seen {
        if open.contains_key(*id) {
            continue;
        }
        let Some((vpc_id, drift, _)) = parse_id(id, &prefix) else {
            continue;
        };
        if drift.is_usage() && !run.usage_checked {
            continue;
        }
        let in_scope = match &run.vpcs_in_scope {
            None => true,
            Some(vpcs) => vpcs.contains(vpc_id) || looked_at.contains(vpc_id),
        };
        if !in_scope {
            continue;
        }
        if let Some(hub) = scope.resolved(id, created_at) {
            import.findings.push(hub);
            import.archived += 1;
        }
    }
    import
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::Drift;
    use crate::security_hub::{HubCompliance, HubRecordState};

    fn scope() -> HubScope {
        HubScope {
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            now: "2026-12-02T08:00:00Z".into(),
        }
    }

    fn finding(drift: Drift, service: Option<&str>, outcome: Outcome) -> NoticeFinding {
        NoticeFinding {
            service: service.map(|s| format!("com.amazonaws.us-east-1.{s}")),
            drift,
            resource_ids: vec![],
            action: "x".into(),
            outcome,
            error: None,
            monthly_cost_usd: 0.0,
            usage: None,
        }
    }

    fn active(id: &str) -> ActiveHubFinding {
        ActiveHubFinding {
            id: id.into(),
            created_at: "2026-11-01T00:00:00Z".into(),
        }
    }

    const LOGS_1: &str = "vpce-guard/111122223333/us-east-1/vpc-1/missing_endpoint/logs";
    const S3_2: &str = "vpce-guard/111122223333/us-east-1/vpc-2/missing_endpoint/s3";

    #[test]
    fn open_drift_is_failed_fixed_drift_is_archived_and_fresh_fixes_are_not_imported() {
        let vpc1 = [
            finding(Drift::MissingEndpoint, Some("logs"), Outcome::Planned),
            finding(Drift::MissingEndpoint, Some("s3"), Outcome::Applied),
        ];
        let run = HubRun {
            scope: scope(),
            vpcs_in_scope: None,
            findings: vec![("vpc-1", &vpc1)],
            usage_checked: false,
        };
        // vpc-2's finding was active and vpc-2 is now compliant (absent from the findings).
        let import = reconcile(&run, &[active(LOGS_1), active(S3_2)]);
        assert_eq!((import.active, import.archived), (1, 1));
        let logs = import.findings.iter().find(|f| f.id == LOGS_1).unwrap();
        assert_eq!(logs.compliance, HubCompliance::Failed);
        assert_eq!(logs.created_at, "2026-11-01T00:00:00Z");
        let s3 = import.findings.iter().find(|f| f.id == S3_2).unwrap();
        assert_eq!(
            (s3.compliance, s3.record_state),
            (HubCompliance::Passed, HubRecordState::Archived)
        );
        assert!(
            !import
                .findings
                .iter()
                .any(|f| f.id.contains("vpc-1/missing_endpoint/s3")),
            "fixed in the same run it was found: nothing to tell Security Hub"
        );
    }

    #[test]
    fn a_targeted_run_archives_only_within_its_vpcs() {
        let none: [NoticeFinding; 0] = [];
        let run = HubRun {
            scope: scope(),
            vpcs_in_scope: Some(BTreeSet::from(["vpc-1".to_string()])),
            findings: vec![("vpc-1", &none)],
            usage_checked: false,
        };
        let import = reconcile(&run, &[active(LOGS_1), active(S3_2)]);
        assert_eq!(import.archived, 1);
        assert_eq!(import.findings[0].id, LOGS_1);
        // A VPC named by the event that no longer exists is in scope too.
        let run = HubRun {
            scope: scope(),
            vpcs_in_scope: Some(BTreeSet::from(["vpc-2".to_string()])),
            findings: vec![],
            usage_checked: false,
        };
        assert_eq!(reconcile(&run, &[active(S3_2)]).archived, 1);
    }

    #[test]
    fn findings_of_other_accounts_regions_or_tools_are_left_alone() {
        let run = HubRun {
            scope: scope(),
            vpcs_in_scope: None,
            findings: vec![],
            usage_checked: false,
        };
        let import = reconcile(
            &run,
            &[
                active("vpce-guard/999999999999/us-east-1/vpc-1/missing_endpoint/logs"),
                active("vpce-guard/111122223333/eu-west-1/vpc-1/missing_endpoint/logs"),
                active("arn:aws:securityhub:us-east-1::product/aws/guardduty/x"),
            ],
        );
        assert_eq!(import, HubImport::default());
    }

    #[test]
    fn several_findings_of_one_drift_and_service_make_one_hub_finding() {
        let vpc1 = [
            finding(Drift::SecurityGroupRuleUnexpected, None, Outcome::Planned),
            finding(Drift::SecurityGroupRuleUnexpected, None, Outcome::Planned),
        ];
        let run = HubRun {
            scope: scope(),
            vpcs_in_scope: None,
            findings: vec![("vpc-1", &vpc1)],
            usage_checked: false,
        };
        let import = reconcile(&run, &[]);
        assert_eq!(import.active, 1);
        assert_eq!(
            import.findings[0].id,
            "vpce-guard/111122223333/us-east-1/vpc-1/security_group_rule_unexpected/vpc"
        );
    }

    #[test]
    fn usage_findings_are_resolved_only_by_runs_that_read_usage() {
        const IDLE: &str = "vpce-guard/111122223333/us-east-1/vpc-1/endpoint_idle/logs";
        let none: [NoticeFinding; 0] = [];
        let mut run = HubRun {
            scope: scope(),
            vpcs_in_scope: None,
            findings: vec![("vpc-1", &none)],
            usage_checked: false,
        };
        assert_eq!(
            reconcile(&run, &[active(IDLE), active(LOGS_1)]).archived,
            1,
            "only the drift finding: an hourly sweep says nothing about use"
        );
        run.usage_checked = true;
        let import = reconcile(&run, &[active(IDLE)]);
        assert_eq!(
            import.archived, 1,
            "the day's check saw it carry traffic (or go)"
        );
        assert_eq!(import.findings[0].id, IDLE);
        // Still idle: imported as FAILED with LOW severity.
        let idle = [finding(
            Drift::EndpointIdle,
            Some("logs"),
            Outcome::NotRemediable,
        )];
        run.findings = vec![("vpc-1", &idle)];
        let import = reconcile(&run, &[active(IDLE)]);
        assert_eq!((import.active, import.archived), (1, 0));
        assert_eq!(
            import.findings[0].severity,
            crate::security_hub::HubSeverity::Low
        );
    }
}
