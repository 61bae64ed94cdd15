//! The run counters: one set, declared once, flattened into every summary (a region's
//! `RunSummary`, the ledger's per-sweep tally, the org summary's report). Adding a counter is one
//! line in [`run_counters!`]; the ledger stores and adds every counter by the names listed here.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A USD amount held as whole cents, so sums over many runs (and the ledger's atomic adds) are
/// exact; serialized as a dollar figure with two decimals (`43.8`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct UsdCents(i64);

impl UsdCents {
    pub const ZERO: UsdCents = UsdCents(0);

    pub fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    /// Rounds to the nearest cent.
    pub fn from_usd(usd: f64) -> Self {
        if usd.is_finite() {
            Self((usd * 100.0).round() as i64)
        } else {
            Self(0)
        }
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    pub fn usd(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for UsdCents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.usd())
    }
}

impl<'de> Deserialize<'de> for UsdCents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(UsdCents::from_usd)
    }
}

/// Declares [`RunCounters`] and the list of its fields the ledger works with: whole counts, then
/// dollar amounts (held in cents, stored under their cents name).
macro_rules! run_counters {
    (
        $( $(#[$doc:meta])* $name:ident ),* $(,)?
        ;
        $( $(#[$mdoc:meta])* $money:ident => $stored:literal ),* $(,)?
    ) => {
        /// Counters of one run, or summed over many (an organization sweep).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct RunCounters {
            $( $(#[$doc])* #[serde(default)] pub $name: u64, )*
            $( $(#[$mdoc])* #[serde(default)] pub $money: UsdCents, )*
        }

        impl RunCounters {
            /// Every counter's name and value as a signed integer (dollar amounts in cents), as
            /// the ledger stores them.
            pub fn fields(&self) -> Vec<(&'static str, i64)> {
                let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                vec![
                    $( (stringify!($name), as_i64(self.$name)), )*
                    $( ($stored, self.$money.cents()), )*
                ]
            }

            /// Rebuilds counters from stored fields (missing fields are 0).
            pub fn from_fields(get: impl Fn(&str) -> i64) -> Self {
                Self {
                    $( $name: u64::try_from(get(stringify!($name))).unwrap_or(0), )*
                    $( $money: UsdCents::from_cents(get($stored)), )*
                }
            }

            /// Adds `other` to these counters (saturating).
            pub fn add(&mut self, other: &RunCounters) {
                $( self.$name = self.$name.saturating_add(other.$name); )*
                $( self.$money = UsdCents::from_cents(
                    self.$money.cents().saturating_add(other.$money.cents()),
                ); )*
            }
        }
    };
}

/// The stored name of the cost counter (in cents, so the ledger adds integers).
pub const COST_FIELD: &str = "monthly_cost_delta_cents";

run_counters! {
    /// VPCs in scope.
    vpcs_checked,
    /// VPCs with no finding.
    vpcs_compliant,
    /// VPCs with at least one finding.
    vpcs_drifted,
    /// VPCs skipped because they carry the exempt tag.
    vpcs_exempt,
    /// VPCs skipped because another account owns them (shared through AWS RAM): the owner's
    /// run guards them.
    vpcs_not_owned,
    /// VPCs skipped because the guard released them for a teardown (`RELEASE_HOLD_HOURS`).
    vpcs_released,
    /// VPCs whose plan depends on their DNS attributes (`enableDnsSupport`,
    /// `enableDnsHostnames`) that this run did not read: the read failed, or came after the
    /// invocation's deadline (remediate mode reads only what it can still act on). Their
    /// `vpc_dns_attributes_disabled` check waits for the next run, which reads them.
    vpcs_dns_unchecked,
    /// Remedies applied.
    actions_applied,
    /// Remedies that failed.
    actions_failed,
    /// Remedies not attempted because the guard's EC2 request pacing would have passed the
    /// invocation's deadline; the next run continues.
    actions_deferred,
    /// Notices published to SNS.
    notices_published,
    /// AWS API requests sent (retries included).
    api_calls,
    /// Interface services a central endpoint serves in a VPC (no local endpoint created).
    services_served_centrally,
    /// Security Hub findings imported as `FAILED` (drift still present; refreshed every run).
    security_hub_active,
    /// Security Hub findings the run resolved (`PASSED` + `ARCHIVED`).
    security_hub_archived,
    /// Security Hub findings that could not be imported (refused, or a failed call).
    security_hub_failed,
    /// Event-path checks made (the first scheduled run of each UTC day, per account and Region).
    event_path_checked,
    /// Checks that found no CloudTrail trail logging the Region's management write events.
    event_path_missing,
    /// Answers that were throttling errors (`RequestLimitExceeded`, `Throttling`); the SDK's
    /// adaptive retry backed off and retried each, so they are already in `api_calls`.
    throttled_requests,
    /// Usage checks made (`USAGE_CHECK`: scheduled sweeps only, by default the day's first).
    usage_checked,
    /// Interface endpoints whose use was measured.
    endpoints_measured,
    /// Metrics the usage check requested from CloudWatch (GetMetricData bills per metric
    /// requested: about $0.01 per 1,000).
    cloudwatch_metrics_requested,
    /// Interface endpoints that carried no byte in the usage window.
    endpoints_idle,
    /// Interface endpoints below their break-even (NAT would have cost less).
    endpoints_underused,
    /// AZs of interface endpoints that carried nothing while the endpoint's others did.
    endpoint_azs_idle,
    /// Idle endpoints deleted and idle AZs taken out by `PRUNE_UNUSED`.
    endpoints_pruned,
    /// VPCs whose NAT traffic before and after the guard's endpoints shows a saving.
    vpcs_savings_verified,
    /// VPCs whose endpoints cost more than the NAT processing they saved.
    vpcs_not_paying;
    /// Monthly cost (USD) of the remedies applied (or planned, in report mode).
    monthly_cost_delta_usd => "monthly_cost_delta_cents",
    /// Dollars per month of idle interface endpoints and idle AZs (usage checks).
    idle_monthly_cost_usd => "idle_monthly_cost_cents",
    /// Dollars per month saved, summed over the VPCs whose saving is verified.
    verified_monthly_saving_usd => "verified_monthly_saving_cents",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_serializes_as_dollars_and_adds_in_cents() {
        let mut a = RunCounters {
            vpcs_checked: 2,
            monthly_cost_delta_usd: UsdCents::from_usd(14.6),
            ..RunCounters::default()
        };
        let b = RunCounters {
            vpcs_checked: 3,
            monthly_cost_delta_usd: UsdCents::from_usd(-0.1),
            ..RunCounters::default()
        };
        a.add(&b);
        assert_eq!(a.vpcs_checked, 5);
        assert_eq!(a.monthly_cost_delta_usd.cents(), 1450);
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json["monthly_cost_delta_usd"], 14.5);
        assert_eq!(json["vpcs_checked"], 5);
        let back: RunCounters = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
        assert_eq!(UsdCents::from_usd(f64::NAN), UsdCents::ZERO);
    }

    #[test]
    fn every_field_is_listed_once_for_the_ledger() {
        let names: Vec<&str> = RunCounters::default()
            .fields()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names.contains(&COST_FIELD) && names.contains(&"throttled_requests"));
    }
}
