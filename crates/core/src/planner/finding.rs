//! What a plan says about a VPC: its findings, in the order their remedies must run, and the
//! status they add up to.

use serde::{Deserialize, Serialize};

use super::{CostDecision, Drift, Remedy};
use crate::model::Endpoint;
use crate::traffic::NatTrafficReport;

/// One drift found in a VPC, with its remedy or the reason there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Full service name; None for VPC-wide findings (DNS attributes, security group).
    pub service: Option<String>,
    pub drift: Drift,
    pub resource_ids: Vec<String>,
    pub remedy: Option<Remedy>,
    /// Why no remedy is planned (report-only drift, or a safety rule).
    pub not_remediable: Option<String>,
    /// What the remedy adds to (or, negative, removes from) the monthly bill, in USD.
    pub monthly_cost_usd: f64,
    /// A central endpoint serves the service: informational, the VPC stays compliant.
    pub served_centrally: bool,
    /// Usage findings only: what the endpoint (or AZ) carried and what it costs for nothing.
    pub usage: Option<FindingUsage>,
}

/// The measured figures behind a usage finding (`endpoint_idle`, `endpoint_underused`,
/// `endpoint_az_idle`), published on the notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingUsage {
    pub endpoint_id: String,
    /// `endpoint_az_idle` only: the AZ (and its subnet) that carried nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// GB per month through the endpoint (or the AZ's subnet) over the usage window.
    pub gb_per_month: f64,
    /// Dollars per month paid for nothing: an idle endpoint's or AZ's hours, or what an
    /// underused endpoint costs beyond what its bytes would have cost through NAT.
    pub wasted_monthly_usd: f64,
}

impl Finding {
    /// A drift the guard fixes with `remedy`.
    pub(super) fn fix(
        service: Option<&str>,
        drift: Drift,
        resource_ids: Vec<String>,
        remedy: Remedy,
    ) -> Self {
        Self {
            service: service.map(str::to_string),
            drift,
            resource_ids,
            remedy: Some(remedy),
            not_remediable: None,
            monthly_cost_usd: 0.0,
            served_centrally: false,
            usage: None,
        }
    }

    /// A drift the guard only reports, saying why it does not touch it.
    pub(super) fn report(
        service: Option<&str>,
        drift: Drift,
        resource_ids: Vec<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            service: service.map(str::to_string),
            drift,
            resource_ids,
            remedy: None,
            not_remediable: Some(reason.into()),
            monthly_cost_usd: 0.0,
            served_centrally: false,
            usage: None,
        }
    }

    /// Drift on an existing endpoint: fixed with `remedy` when the guard created the endpoint,
    /// otherwise only reported with `foreign_reason` (its owner decides).
    pub(super) fn on_endpoint(
        kept: &Endpoint,
        service: &str,
        drift: Drift,
        remedy: Remedy,
        foreign_reason: impl Into<String>,
    ) -> Self {
        let ids = vec![kept.id.clone()];
        if kept.managed {
            Self::fix(Some(service), drift, ids, remedy)
        } else {
            Self::report(Some(service), drift, ids, foreign_reason)
        }
    }

    /// A missing interface endpoint that a central endpoint stands in for (`reason` names the
    /// hosted zone).
    pub(super) fn served_centrally(
        service: &str,
        resource_ids: Vec<String>,
        reason: String,
    ) -> Self {
        Self {
            served_centrally: true,
            ..Self::report(Some(service), Drift::MissingEndpoint, resource_ids, reason)
        }
    }
}

/// A VPC's verdict: compliant (no findings) or drifted, or skipped (exempt by tag, owned by
/// another account, released for a teardown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VpcStatus {
    Compliant,
    Drifted,
    Exempt,
    /// Shared with this account by its owner (AWS RAM): the owner's run guards it.
    NotOwned,
    /// Its deletion was blocked by the guard's resources, which the guard removed; nothing is
    /// created there until the release hold ends.
    Released,
}

/// The plan for one VPC: findings in the order their remedies must run.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcPlan {
    pub vpc_id: String,
    pub status: VpcStatus,
    pub findings: Vec<Finding>,
    /// `interface_endpoints: when_cost_effective` decisions (the VPC is compliant by policy).
    pub cost_decisions: Vec<CostDecision>,
    /// True when a remedy depends on the VPC DNS attributes and they were not observed:
    /// read them (two calls) and plan this VPC again.
    pub needs_dns_attributes: bool,
    /// The VPC's NAT traffic and what its interface endpoints would save, when a figure exists.
    pub nat_traffic: Option<NatTrafficReport>,
    /// The baseline profile the VPC was planned against (None when skipped or unusable).
    pub profile: Option<String>,
}
