//! One Security Hub finding as the guard imports it: the ASFF fields, in plain types (the
//! adapter turns them into the SDK's), with a deterministic id per (account, Region, VPC, drift
//! code, service).

use std::collections::BTreeMap;

use super::severity::{severity, HubSeverity};
use crate::baseline::short_name;
use crate::notice::{NoticeFinding, Outcome};
use crate::planner::Drift;

/// The ASFF version every finding declares.
pub const HUB_SCHEMA_VERSION: &str = "2018-10-08";
/// The one finding type the guard reports under.
pub const HUB_FINDING_TYPE: &str = "Software and Configuration Checks/AWS Security Best Practices";
/// Every id and generator id starts with it: how the guard finds its own findings again.
pub const GENERATOR_PREFIX: &str = "vpce-guard/";
/// ASFF limits (characters).
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;

/// `Compliance.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubCompliance {
    Failed,
    Passed,
}

/// `RecordState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubRecordState {
    Active,
    Archived,
}

/// One entry of `Resources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubResource {
    /// `AwsEc2Vpc`, `AwsEc2SecurityGroup`, `AwsEc2Subnet`, `AwsEc2RouteTable` or `Other`.
    pub resource_type: String,
    /// The resource's ARN.
    pub id: String,
}

/// A finding in the AWS Security Finding Format.
#[derive(Debug, Clone, PartialEq)]
pub struct HubFinding {
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub account_id: String,
    pub region: String,
    pub partition: String,
    pub created_at: String,
    pub updated_at: String,
    pub severity: HubSeverity,
    pub title: String,
    pub description: String,
    pub resources: Vec<HubResource>,
    pub compliance: HubCompliance,
    pub record_state: HubRecordState,
    pub recommendation: String,
    /// `ProductFields`: the guard's outcome and action, so a reader knows whether it will fix it.
    pub product_fields: BTreeMap<String, String>,
}

/// `vpce-guard/<account>/<region>/<vpc>/<drift>/<service short name, or vpc>`.
pub fn finding_id(
    account_id: &str,
    region: &str,
    vpc_id: &str,
    drift: Drift,
    service: Option<&str>,
) -> String {
    format!(
        "{}{vpc_id}/{}/{}",
        finding_id_prefix(account_id, region),
        drift.as_str(),
        service.map_or("vpc", short_name)
    )
}

/// The id prefix of every finding of one account and Region.
pub fn finding_id_prefix(account_id: &str, region: &str) -> String {
    format!("{GENERATOR_PREFIX}{account_id}/{region}/")
}

/// The default product ARN of an account: findings imported under it must be that account's.
pub fn product_arn(partition: &str, region: &str, account_id: &str) -> String {
    format!("arn:{partition}:securityhub:{region}:{account_id}:product/{account_id}/default")
}

/// The parts of one of the guard's finding ids: (vpc id, drift code, service or `vpc`).
pub(super) fn parse_id<'a>(id: &'a str, prefix: &str) -> Option<(&'a str, Drift, &'a str)> {
    let rest = id.strip_prefix(prefix)?;
    let mut parts = rest.split('/');
    let (vpc, drift, service) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !vpc.starts_with("vpc-") {
        return None;
    }
    let drift: Drift = serde_json::from_value(serde_json::Value::String(drift.to_string())).ok()?;
    Some((vpc, drift, service))
}

/// What the guard does about the drift, in words.
fn outcome_sentence(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Planned => "Report mode: the guard will fix this when it runs in remediate mode.",
        Outcome::Failed => "The guard tried to fix this and failed; it retries on every run.",
        Outcome::NotRemediable => "The guard does not fix this by itself: a person has to act.",
        Outcome::Applied => "The guard fixed this.",
        Outcome::ServedCentrally => "A central endpoint serves this service in the VPC.",
        Outcome::Deferred => "The guard will fix this in its next run (its EC2 request pacing ran out of time in this one).",
        Outcome::PrivateDnsConflict => "EC2 refused the endpoint's private DNS: a private hosted zone for the service's name is already associated with the VPC. Use that central endpoint (CENTRAL_ENDPOINTS=detect) or remove the zone.",
    }
}

/// What a person (or the guard) does about each drift code.
fn recommendation(drift: Drift) -> &'static str {
    match drift {
        Drift::MissingEndpoint => "Create the VPC endpoint for the service (gateway endpoints with routes in every private route table; interface endpoints in one private subnet per AZ with private DNS), or run vpce-guard in remediate mode.",
        Drift::RouteTableNotAssociated => "Associate the gateway endpoint with every private route table of the VPC.",
        Drift::AzNotCovered => "Add a private subnet of each uncovered Availability Zone to the interface endpoint.",
        Drift::PrivateDnsDisabled => "Enable private DNS on the interface endpoint so clients resolve the service to it.",
        Drift::SecurityGroupRuleMissing => "Allow HTTPS (443) from every CIDR block of the VPC on the endpoints' security group.",
        Drift::SecurityGroupRuleUnexpected => "Remove inbound rules on the endpoints' security group other than HTTPS from the VPC's CIDR blocks.",
        Drift::VpcDnsAttributesDisabled => "Enable enableDnsSupport and enableDnsHostnames on the VPC (private DNS needs both).",
        Drift::EndpointNotAvailable => "Inspect the endpoint (failed, rejected or expired): delete and recreate it.",
        Drift::DuplicateEndpoint => "Delete the extra endpoints for the service, keeping the oldest.",
        Drift::PolicyMismatch => "Set the endpoint policy the baseline requires.",
        Drift::UnknownProfile => "Tag the VPC vpce-guard:profile with a profile GUARD_BASELINE defines (or remove the tag), or fix the profile so it resolves (e.g. set ORG_ID for ${org_id}).",
        Drift::IpAddressTypeMismatch => "Set the endpoint's IP address type to dualstack (with DnsRecordIpType dualstack) where every subnet has IPv6 and the service supports it, ipv4 otherwise.",
        Drift::PolicyNotSupported => "Remove the policy from the baseline for this service: it does not support VPC endpoint policies.",
        Drift::EndpointIdle => "The interface endpoint carried no traffic in the usage window but is billed every AZ-hour: delete it (PRUNE_UNUSED=true prunes the guard's own), or find out why its clients do not use it.",
        Drift::EndpointUnderused => "The interface endpoint carries less than its break-even: NAT would cost less. Remove it, reach the service through a central endpoint, or accept the cost.",
        Drift::EndpointAzIdle => "One Availability Zone of the interface endpoint carried no traffic while the others did: take that AZ's subnet out of the endpoint (PRUNE_UNUSED=true does it for the guard's own).",
    }
}

fn truncate(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The ARN Security Hub shows for a resource id the guard reported.
fn resource(partition: &str, region: &str, account_id: &str, id: &str) -> HubResource {
    let (resource_type, kind) = if id.starts_with("vpc-") {
        ("AwsEc2Vpc", "vpc")
    } else if id.starts_with("sg-") {
        ("AwsEc2SecurityGroup", "security-group")
    } else if id.starts_with("subnet-") {
        ("AwsEc2Subnet", "subnet")
    } else if id.starts_with("rtb-") {
        ("AwsEc2RouteTable", "route-table")
    } else if id.starts_with("vpce-") {
        ("Other", "vpc-endpoint")
    } else {
        ("Other", "resource")
    };
    HubResource {
        resource_type: resource_type.to_string(),
        id: format!("arn:{partition}:ec2:{region}:{account_id}:{kind}/{id}"),
    }
}

/// Where a run's findings belong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubScope {
    pub account_id: String,
    pub region: String,
    pub partition: String,
    /// When the run happened (RFC 3339): `UpdatedAt`, and `CreatedAt` of new findings.
    pub now: String,
}

impl HubScope {
    /// The default product ARN the scope's findings are imported under.
    pub fn product_arn(&self) -> String {
        product_arn(&self.partition, &self.region, &self.account_id)
    }

    fn base(
        &self,
        vpc_id: &str,
        drift: Drift,
        service: Option<&str>,
        created_at: Option<&str>,
    ) -> HubFinding {
        let service_label = service.map_or("the VPC", short_name);
        HubFinding {
            id: finding_id(&self.account_id, &self.region, vpc_id, drift, service),
            product_arn: self.product_arn(),
            generator_id: format!("{GENERATOR_PREFIX}{}", drift.as_str()),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            partition: self.partition.clone(),
            created_at: created_at.unwrap_or(&self.now).to_string(),
            updated_at: self.now.clone(),
            severity: severity(drift),
            title: truncate(
                format!(
                    "VPC endpoint drift {}: {service_label} in {vpc_id}",
                    drift.as_str()
                ),
                MAX_TITLE,
            ),
            description: String::new(),
            resources: vec![resource(
                &self.partition,
                &self.region,
                &self.account_id,
                vpc_id,
            )],
            compliance: HubCompliance::Failed,
            record_state: HubRecordState::Active,
            recommendation: truncate(recommendation(drift).to_string(), MAX_RECOMMENDATION),
            product_fields: BTreeMap::new(),
        }
    }

    /// The `FAILED`, `ACTIVE` finding for drift still present in `vpc_id` (one or more notice
    /// findings of the same drift code and service, merged).
    pub(super) fn failed(
        &self,
        vpc_id: &str,
        findings: &[&NoticeFinding],
        created_at: Option<&str>,
    ) -> Option<HubFinding> {
        let first = findings.first()?;
        let mut hub = self.base(vpc_id, first.drift, first.service.as_deref(), created_at);
        // The least hopeful outcome speaks for the finding.
        let outcome = findings
            .iter()
            .map(|f| f.outcome)
            .max_by_key(|o| match o {
                Outcome::Applied | Outcome::ServedCentrally => 0,
                Outcome::Planned | Outcome::Deferred => 1,
                Outcome::Failed => 2,
                Outcome::PrivateDnsConflict | Outcome::NotRemediable => 3,
            })
            .unwrap_or(first.outcome);
        let mut resource_ids: Vec<&str> = findings
            .iter()
            .flat_map(|f| f.resource_ids.iter().map(String::as_str))
            .filter(|id| *id != vpc_id)
            .collect();
        resource_ids.sort_unstable();
        resource_ids.dedup();
        for id in &resource_ids {
            hub.resources.push(resource(
                &self.partition,
                &self.region,
                &self.account_id,
                id,
            ));
        }
        let actions: Vec<&str> = findings.iter().map(|f| f.action.as_str()).collect();
        let errors: Vec<&str> = findings.iter().filter_map(|f| f.error.as_deref()).collect();
        let mut description = format!(
            "vpce-guard found {} for {} in VPC {vpc_id} (account {}, {}). {}",
            first.drift.as_str(),
            first.service.as_deref().map_or("the VPC", short_name),
            self.account_id,
            self.region,
            outcome_sentence(outcome),
        );
        if !errors.is_empty() {
            description.push_str(&format!(" Reason: {}", errors.join("; ")));
        }
        hub.description = truncate(description, MAX_DESCRIPTION);
        let outcome_name = serde_json::to_value(outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        hub.product_fields = BTreeMap::from([
            ("vpce-guard/Outcome".to_string(), outcome_name),
            ("vpce-guard/Action".to_string(), actions.join(", ")),
            (
                "vpce-guard/WillFix".to_string(),
                matches!(
                    outcome,
                    Outcome::Planned | Outcome::Failed | Outcome::Deferred
                )
                .to_string(),
            ),
        ]);
        Some(hub)
    }

    /// The `PASSED`, `ARCHIVED` update of one of the guard's findings it no longer observes.
    pub(super) fn resolved(&self, id: &str, created_at: &str) -> Option<HubFinding> {
        let prefix = finding_id_prefix(&self.account_id, &self.region);
        let (vpc_id, drift, service) = parse_id(id, &prefix)?;
        let service = (service != "vpc").then_some(service);
        let mut hub = self.base(vpc_id, drift, service, Some(created_at));
        // The id keeps the short name only; rebuild exactly the id that was imported.
        hub.id = id.to_string();
        hub.description = truncate(
            format!(
                "vpce-guard no longer observes {} for {} in VPC {vpc_id} (account {}, {}): fixed, exempted, or the VPC is gone.",
                drift.as_str(),
                service.unwrap_or("the VPC"),
                self.account_id,
                self.region
            ),
            MAX_DESCRIPTION,
        );
        hub.compliance = HubCompliance::Passed;
        hub.record_state = HubRecordState::Archived;
        hub.product_fields =
            BTreeMap::from([("vpce-guard/Outcome".to_string(), "resolved".to_string())]);
        Some(hub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> HubScope {
        HubScope {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
            now: "2026-12-02T08:00:00Z".into(),
        }
    }

    fn notice_finding(outcome: Outcome) -> NoticeFinding {
        NoticeFinding {
            service: Some("com.amazonaws.eu-west-1.ecr.api".into()),
            drift: Drift::MissingEndpoint,
            resource_ids: vec!["vpc-1".into(), "subnet-a".into()],
            action: "CreateVpcEndpoint".into(),
            outcome,
            error: None,
            monthly_cost_usd: 14.6,
            usage: None,
        }
    }

    #[test]
    fn ids_are_deterministic_and_parse_back() {
        let id = finding_id(
            "111122223333",
            "eu-west-1",
            "vpc-1",
            Drift::MissingEndpoint,
            Some("com.amazonaws.eu-west-1.ecr.api"),
        );
        assert_eq!(
            id,
            "vpce-guard/111122223333/eu-west-1/vpc-1/missing_endpoint/ecr.api"
        );
        let prefix = finding_id_prefix("111122223333", "eu-west-1");
        assert_eq!(
            parse_id(&id, &prefix),
            Some(("vpc-1", Drift::MissingEndpoint, "ecr.api"))
        );
        assert_eq!(
            parse_id(
                "vpce-guard/111122223333/eu-west-1/vpc-1/nonsense/x",
                &prefix
            ),
            None
        );
        assert_eq!(parse_id("someone-else/1", &prefix), None);
        assert_eq!(
            product_arn("aws-cn", "cn-north-1", "111122223333"),
            "arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default"
        );
    }

    #[test]
    fn a_failed_finding_carries_every_required_field_and_says_whether_it_will_be_fixed() {
        let planned = notice_finding(Outcome::Planned);
        let hub = scope().failed("vpc-1", &[&planned], None).unwrap();
        assert_eq!(hub.compliance, HubCompliance::Failed);
        assert_eq!(hub.record_state, HubRecordState::Active);
        assert_eq!(hub.created_at, "2026-12-02T08:00:00Z");
        assert_eq!(hub.generator_id, "vpce-guard/missing_endpoint");
        assert_eq!(hub.severity, HubSeverity::Low);
        assert_eq!(
            hub.resources,
            vec![
                HubResource {
                    resource_type: "AwsEc2Vpc".into(),
                    id: "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1".into()
                },
                HubResource {
                    resource_type: "AwsEc2Subnet".into(),
                    id: "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-a".into()
                },
            ]
        );
        assert_eq!(hub.product_fields["vpce-guard/WillFix"], "true");
        assert!(
            hub.description.contains("remediate mode"),
            "{}",
            hub.description
        );
        assert!(hub.title.contains("ecr.api") && hub.title.contains("vpc-1"));

        let mut manual = notice_finding(Outcome::NotRemediable);
        manual.error = Some("an endpoint the guard did not create".into());
        let hub = scope()
            .failed("vpc-1", &[&planned, &manual], Some("2026-11-01T00:00:00Z"))
            .unwrap();
        assert_eq!(hub.created_at, "2026-11-01T00:00:00Z", "first seen is kept");
        assert_eq!(hub.product_fields["vpce-guard/Outcome"], "not_remediable");
        assert_eq!(hub.product_fields["vpce-guard/WillFix"], "false");
        assert!(hub.description.contains("did not create"));
    }

    #[test]
    fn a_resolved_finding_rebuilds_the_imported_id_as_passed_and_archived() {
        let id = "vpce-guard/111122223333/eu-west-1/vpc-1/security_group_rule_unexpected/vpc";
        let hub = scope().resolved(id, "2026-11-01T00:00:00Z").unwrap();
        assert_eq!(hub.id, id);
        assert_eq!(hub.compliance, HubCompliance::Passed);
        assert_eq!(hub.record_state, HubRecordState::Archived);
        assert_eq!(hub.severity, HubSeverity::High);
        assert_eq!(hub.created_at, "2026-11-01T00:00:00Z");
        assert!(scope()
            .resolved("vpce-guard/999/eu-west-1/vpc-1/missing_endpoint/s3", "x")
            .is_none());
    }

    #[test]
    fn long_texts_are_cut_to_asff_limits() {
        let long = "x".repeat(5000);
        let cut = truncate(long, MAX_DESCRIPTION);
        assert_eq!(cut.chars().count(), MAX_DESCRIPTION);
        assert!(cut.ends_with('…'));
    }
}
