//! What each kind of notice carries, one enum variant per `event_type`, so that a notice with the
//! wrong parts (a sweep summary naming a VPC, a release with findings) cannot be built. It
//! serialises into the notice's own object (`#[serde(flatten)]` with the `event_type` tag), as
//! docs/notice.schema.json describes it: notices about a whole run carry `"vpc_id": null` and
//! `"findings": []`, which [`NoVpc`] and [`NoFindings`] write and insist on when read back.

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::{NoticeEventType, NoticeFinding, OrgSweepReport, ReleaseReport, RunSummary};
use crate::event_path::EventPath;
use crate::planner::CostDecision;
use crate::traffic::NatTrafficReport;
use crate::usage::VpcSavings;

/// The parts of a notice that depend on its `event_type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", rename_all = "snake_case")]
pub enum NoticeBody {
    /// Report mode, or nothing applied yet: findings planned or needing a human.
    DriftDetected(VpcReport),
    /// At least one remedy applied, none failed.
    Remediated(VpcReport),
    /// At least one remedy failed.
    RemediationFailed(VpcReport),
    /// The one summary of a run over a Region.
    SweepSummary {
        vpc_id: NoVpc,
        findings: NoFindings,
        totals: RunSummary,
    },
    /// One per organization sweep, when every (account, region) item succeeded or failed.
    OrgSweepSummary {
        vpc_id: NoVpc,
        findings: NoFindings,
        org: OrgSweepReport,
    },
    /// The guard's resources blocked a `DeleteVpc` or `DeleteSubnet`; it gave them back.
    Released {
        vpc_id: String,
        findings: NoFindings,
        release: ReleaseReport,
    },
    /// The day's check found no CloudTrail trail logging the Region's management write events.
    EventPathMissing {
        vpc_id: NoVpc,
        findings: NoFindings,
        event_path: EventPath,
    },
}

/// A notice about one VPC's findings (`drift_detected`, `remediated`, `remediation_failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcReport {
    pub vpc_id: String,
    pub findings: Vec<NoticeFinding>,
    /// Interface endpoints left out because they would cost more than they save.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_decisions: Vec<CostDecision>,
    /// The baseline profile the VPC was planned against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The VPC's NAT traffic (CloudWatch or tag) and the interface endpoints' projected saving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_traffic: Option<NatTrafficReport>,
    /// Runs that read usage: the VPC's saving measured from NAT traffic before and after the
    /// guard's first interface endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savings: Option<VpcSavings>,
}

impl VpcReport {
    /// A report of `findings` in `vpc_id` with nothing else attached.
    pub fn new(vpc_id: &str, findings: Vec<NoticeFinding>) -> Self {
        Self {
            vpc_id: vpc_id.to_string(),
            findings,
            cost_decisions: Vec::new(),
            profile: None,
            nat_traffic: None,
            savings: None,
        }
    }
}

impl NoticeBody {
    pub fn event_type(&self) -> NoticeEventType {
        match self {
            NoticeBody::DriftDetected(_) => NoticeEventType::DriftDetected,
            NoticeBody::Remediated(_) => NoticeEventType::Remediated,
            NoticeBody::RemediationFailed(_) => NoticeEventType::RemediationFailed,
            NoticeBody::SweepSummary { .. } => NoticeEventType::SweepSummary,
            NoticeBody::OrgSweepSummary { .. } => NoticeEventType::OrgSweepSummary,
            NoticeBody::Released { .. } => NoticeEventType::Released,
            NoticeBody::EventPathMissing { .. } => NoticeEventType::EventPathMissing,
        }
    }

    /// The VPC's report, for notices about one VPC's findings.
    pub fn vpc(&self) -> Option<&VpcReport> {
        match self {
            NoticeBody::DriftDetected(v)
            | NoticeBody::Remediated(v)
            | NoticeBody::RemediationFailed(v) => Some(v),
            _ => None,
        }
    }

    /// The VPC the notice is about (findings and releases).
    pub fn vpc_id(&self) -> Option<&str> {
        match self {
            NoticeBody::Released { vpc_id, .. } => Some(vpc_id),
            other => other.vpc().map(|v| v.vpc_id.as_str()),
        }
    }
}

/// `"vpc_id": null`: the notice is about a whole run, not one VPC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoVpc;

impl Serialize for NoVpc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_none()
    }
}

impl<'de> Deserialize<'de> for NoVpc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Option::<IgnoredAny>::deserialize(deserializer)? {
            None => Ok(NoVpc),
            Some(_) => Err(de::Error::custom(
                "this kind of notice is about a whole run: vpc_id must be null",
            )),
        }
    }
}

/// `"findings": []`: summaries, releases and event-path notices carry no findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoFindings;

impl Serialize for NoFindings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_seq(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for NoFindings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Empty;
        impl<'de> Visitor<'de> for Empty {
            type Value = NoFindings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an empty list of findings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NoFindings, A::Error> {
                match seq.next_element::<IgnoredAny>()? {
                    None => Ok(NoFindings),
                    Some(_) => Err(de::Error::custom(
                        "this kind of notice carries no findings: findings must be []",
                    )),
                }
            }
        }
        deserializer.deserialize_seq(Empty)
    }
}
