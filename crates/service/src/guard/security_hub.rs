//! Between act and notify: the run's drift as Security Hub findings (when `SECURITY_HUB_FINDINGS`
//! wired a port). One GetFindings read (paginated) and one BatchImportFindings per 100 findings
//! per run; a Security Hub failure is logged and counted, never fails the run (notices are the
//! guard's primary channel, and the next run imports again).

use std::collections::BTreeSet;

use tracing::{error, warn};
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::ports::{Ec2Port, NoticePort, Scope};
use vpce_guard_core::security_hub::{finding_id_prefix, reconcile, HubRun, HubScope};

use super::{Guard, HubWiring, RunRequest, VpcOutcome};

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// Security Hub, and where findings about `account_id` in this Region belong (now), when a
    /// port is wired.
    pub(super) fn hub_for(&self, account_id: &str) -> Option<(&HubWiring, HubScope)> {
        let hub = self.security_hub.as_ref()?;
        let scope = HubScope {
            account_id: account_id.to_string(),
            region: self.region.clone(),
            partition: hub.partition.clone(),
            now: self.clock.now_rfc3339(),
        };
        Some((hub, scope))
    }

    /// Imports the run's findings; returns the counters it touched (the three `security_hub_*`).
    pub(super) async fn report_to_security_hub(
        &self,
        request: &RunRequest,
        outcomes: &[VpcOutcome],
        usage_checked: bool,
    ) -> RunCounters {
        let mut counters = RunCounters::default();
        let Some((hub, scope)) = self.hub_for(&request.account_id) else {
            return counters;
        };
        let product = scope.product_arn();
        let prefix = finding_id_prefix(&scope.account_id, &scope.region);
        let previously_active = match hub.port.active_findings(&product, &prefix).await {
            Ok(found) => found,
            Err(error) => {
                // Without the active set nothing can be archived, and new findings would lose
                // their first-seen time: skip this run's import altogether.
                error!(%error, "could not read Security Hub findings; none imported this run");
                counters.security_hub_failed = 1;
                return counters;
            }
        };
        let run = HubRun {
            scope,
            vpcs_in_scope: match &request.scope {
                Scope::Region => None,
                Scope::Vpcs(ids) => Some(ids.iter().cloned().collect::<BTreeSet<_>>()),
            },
            findings: outcomes
                .iter()
                .map(|o| (o.vpc_id.as_str(), o.findings.as_slice()))
                .collect(),
            usage_checked,
        };
        let import = reconcile(&run, &previously_active);
        if import.findings.is_empty() {
            return counters;
        }
        match hub.port.import(&import.findings).await {
            Ok(refused) => {
                for finding in &refused {
                    warn!(id = %finding.id, code = %finding.code, message = %finding.message, "Security Hub refused a finding");
                }
                counters.security_hub_failed = refused.len() as u64;
                let refused_ids: BTreeSet<&str> = refused.iter().map(|r| r.id.as_str()).collect();
                for finding in &import.findings {
                    if refused_ids.contains(finding.id.as_str()) {
                        continue;
                    }
                    match finding.compliance {
                        vpce_guard_core::security_hub::HubCompliance::Failed => {
                            counters.security_hub_active += 1
                        }
                        vpce_guard_core::security_hub::HubCompliance::Passed => {
                            counters.security_hub_archived += 1
                        }
                    }
                }
            }
            Err(error) => {
                error!(%error, findings = import.findings.len(), "could not import Security Hub findings");
                counters.security_hub_failed = import.findings.len() as u64;
            }
        }
        counters
    }
}
