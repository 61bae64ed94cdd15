//! The `released` notice's report: what the guard gave back when its resources blocked a
//! `DeleteVpc` or `DeleteSubnet`, and what still blocks it.

use serde::{Deserialize, Serialize};

/// What one release did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseReport {
    /// The VPC or subnet whose deletion was blocked.
    pub resource_id: String,
    /// The guard's resources deleted (endpoints, then its security group).
    pub deleted: Vec<String>,
    /// The guard's interface endpoints taken out of the subnet (moved to another subnet of the
    /// same AZ where there was one).
    pub moved: Vec<String>,
    /// The guard's resources still going: endpoints EC2 was still deleting when the wait ended,
    /// and the security group they hold (deleted by the next release of this VPC).
    pub pending: Vec<String>,
    /// Resources the guard did not create that still use the VPC or subnet: never touched.
    pub blockers: Vec<String>,
    /// Report mode: what remediate mode would delete or move (nothing was changed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planned: Vec<String>,
    /// Calls that failed, as `Action: error`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Until when (RFC 3339) nothing is created in the VPC or subnet; None in report mode.
    pub held_until: Option<String>,
}

impl ReleaseReport {
    /// One sentence for humans.
    pub fn describe(&self) -> String {
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "nothing".to_string()
            } else {
                ids.join(", ")
            }
        };
        let mut text = if self.planned.is_empty() {
            format!(
                "Released {} for its deletion: deleted {}; moved {}",
                self.resource_id,
                list(&self.deleted),
                list(&self.moved)
            )
        } else {
            format!(
                "Report mode: releasing {} would remove {}",
                self.resource_id,
                list(&self.planned)
            )
        };
        if !self.pending.is_empty() {
            text.push_str(&format!(
                "; still being deleted or left for the next release: {}",
                self.pending.join(", ")
            ));
        }
        if !self.errors.is_empty() {
            text.push_str(&format!("; failed: {}", self.errors.join("; ")));
        }
        if self.blockers.is_empty() {
            text.push_str(". Nothing of the guard's is in the way.");
        } else {
            text.push_str(&format!(
                ". Still in the way, not created by the guard: {}.",
                self.blockers.join(", ")
            ));
        }
        if let Some(until) = &self.held_until {
            text.push_str(&format!(" Nothing is created there before {until}."));
        }
        text
    }
}
