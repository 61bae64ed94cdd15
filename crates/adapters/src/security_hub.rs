//! Security Hub: the guard's active findings read back (GetFindings) and findings imported
//! (BatchImportFindings, 100 a call) under the account's default product ARN.
//!
//! moto quirk: GetFindings ignores `Filters` and returns every finding of the account and
//! Region. The core's reconcile keeps only ids with the guard's prefix, and the read here keeps
//! only the filtered product and `ACTIVE` state as well, so the answers are the same as AWS's.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, Partition,
    Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel, StringFilter,
    StringFilterComparison,
};
use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{PortFuture, RefusedFinding, SecurityHubPort};
use vpce_guard_core::security_hub::{
    ActiveHubFinding, HubCompliance, HubFinding, HubRecordState, HUB_FINDING_TYPE,
    HUB_SCHEMA_VERSION,
};

use crate::sdk_error::api_error;

/// BatchImportFindings takes at most 100 findings a call.
const MAX_FINDINGS_PER_IMPORT: usize = 100;
/// GetFindings returns at most 100 a page.
const MAX_FINDINGS_PER_PAGE: i32 = 100;

/// Security Hub in one account and Region.
#[derive(Clone, Debug)]
pub struct SecurityHubAdapter {
    client: aws_sdk_securityhub::Client,
}

fn equals(value: &str) -> StringFilter {
    StringFilter::builder()
        .value(value)
        .comparison(StringFilterComparison::Equals)
        .build()
}

/// The SDK's form of one of the core's findings.
fn to_sdk(finding: &HubFinding) -> AwsSecurityFinding {
    let partition = Partition::from(finding.partition.as_str());
    let mut builder = AwsSecurityFinding::builder()
        .schema_version(HUB_SCHEMA_VERSION)
        .id(&finding.id)
        .product_arn(&finding.product_arn)
        .generator_id(&finding.generator_id)
        .aws_account_id(&finding.account_id)
        .region(&finding.region)
        .types(HUB_FINDING_TYPE)
        .created_at(&finding.created_at)
        .updated_at(&finding.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(finding.severity.as_str()))
                .original(finding.severity.as_str())
                .build(),
        )
        .title(&finding.title)
        .description(&finding.description)
        .compliance(
            Compliance::builder()
                .status(match finding.compliance {
                    HubCompliance::Failed => ComplianceStatus::Failed,
                    HubCompliance::Passed => ComplianceStatus::Passed,
                })
                .build(),
        )
        .record_state(match finding.record_state {
            HubRecordState::Active => RecordState::Active,
            HubRecordState::Archived => RecordState::Archived,
        })
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&finding.recommendation)
                        .build(),
                )
                .build(),
        );
    if finding.compliance == HubCompliance::Failed {
        builder = builder.last_observed_at(&finding.updated_at);
    }
    for resource in &finding.resources {
        builder = builder.resources(
            Resource::builder()
                .r#type(&resource.resource_type)
                .id(&resource.id)
                .partition(partition.clone())
                .region(&finding.region)
                .build(),
        );
    }
    for (key, value) in &finding.product_fields {
        builder = builder.product_fields(key, value);
    }
    builder.build()
}

impl SecurityHubAdapter {
    pub fn new(client: aws_sdk_securityhub::Client) -> Self {
        Self { client }
    }

    async fn read_active(
        &self,
        product_arn: &str,
        id_prefix: &str,
    ) -> Result<Vec<ActiveHubFinding>, ApiError> {
        let filters = AwsSecurityFindingFilters::builder()
            .product_arn(equals(product_arn))
            .record_state(equals(RecordState::Active.as_str()))
            .id(StringFilter::builder()
                .value(id_prefix)
                .comparison(StringFilterComparison::Prefix)
                .build())
            .build();
        let pages = self
            .client
            .get_findings()
            .filters(filters)
            .max_results(MAX_FINDINGS_PER_PAGE)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("GetFindings", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.findings())
            .filter(|f| {
                f.product_arn() == Some(product_arn)
                    && f.record_state().is_none_or(|s| *s == RecordState::Active)
            })
            .filter_map(|f| {
                let id = f.id()?;
                id.starts_with(id_prefix).then(|| ActiveHubFinding {
                    id: id.to_string(),
                    created_at: f.created_at().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    async fn import_all(&self, findings: &[HubFinding]) -> Result<Vec<RefusedFinding>, ApiError> {
        let mut refused = Vec::new();
        for chunk in findings.chunks(MAX_FINDINGS_PER_IMPORT) {
            let answer = self
                .client
                .batch_import_findings()
                .set_findings(Some(chunk.iter().map(to_sdk).collect()))
                .send()
                .await
                .map_err(|e| api_error("BatchImportFindings", e))?;
            refused.extend(answer.failed_findings().iter().map(|f| RefusedFinding {
                id: f.id().unwrap_or_default().to_string(),
                code: f.error_code().unwrap_or_default().to_string(),
                message: f.error_message().unwrap_or_default().to_string(),
            }));
        }
        Ok(refused)
    }
}

impl SecurityHubPort for SecurityHubAdapter {
    fn active_findings<'a>(
        &'a self,
        product_arn: &'a str,
        id_prefix: &'a str,
    ) -> PortFuture<'a, Vec<ActiveHubFinding>> {
        Box::pin(self.read_active(product_arn, id_prefix))
    }

    fn import<'a>(&'a self, findings: &'a [HubFinding]) -> PortFuture<'a, Vec<RefusedFinding>> {
        Box::pin(self.import_all(findings))
    }
}
