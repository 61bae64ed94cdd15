//! An in-memory Security Hub: keeps imported findings by id (an import replaces the finding, as
//! BatchImportFindings does) and can be told to fail.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{PortFuture, RefusedFinding, SecurityHubPort};
use vpce_guard_core::security_hub::{ActiveHubFinding, HubFinding, HubRecordState};

use super::lock;

#[derive(Debug, Default)]
struct HubState {
    findings: BTreeMap<String, HubFinding>,
    failure: Option<ApiError>,
}

/// Security Hub in memory. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct InMemorySecurityHub {
    state: Arc<Mutex<HubState>>,
}

impl InMemorySecurityHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every finding held, by id.
    pub fn findings(&self) -> BTreeMap<String, HubFinding> {
        lock(&self.state).findings.clone()
    }

    /// Makes every later call fail with `code` (or succeed again with `None`).
    pub fn fail_with(&self, code: Option<&str>) {
        lock(&self.state).failure =
            code.map(|c| ApiError::new("BatchImportFindings", c, "injected"));
    }
}

impl SecurityHubPort for InMemorySecurityHub {
    fn active_findings<'a>(
        &'a self,
        product_arn: &'a str,
        id_prefix: &'a str,
    ) -> PortFuture<'a, Vec<ActiveHubFinding>> {
        let state = lock(&self.state);
        let answer = match &state.failure {
            Some(error) => Err(error.clone()),
            None => Ok(state
                .findings
                .values()
                .filter(|f| {
                    f.product_arn == product_arn
                        && f.id.starts_with(id_prefix)
                        && f.record_state == HubRecordState::Active
                })
                .map(|f| ActiveHubFinding {
                    id: f.id.clone(),
                    created_at: f.created_at.clone(),
                })
                .collect()),
        };
        Box::pin(async move { answer })
    }

    fn import<'a>(&'a self, findings: &'a [HubFinding]) -> PortFuture<'a, Vec<RefusedFinding>> {
        let mut state = lock(&self.state);
        let answer = match &state.failure {
            Some(error) => Err(error.clone()),
            None => {
                for finding in findings {
                    state.findings.insert(finding.id.clone(), finding.clone());
                }
                Ok(Vec::new())
            }
        };
        Box::pin(async move { answer })
    }
}
