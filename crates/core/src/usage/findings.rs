//! What a usage check reports about one VPC: `endpoint_idle`, `endpoint_underused` and
//! `endpoint_az_idle` findings with their figures, and, with `PRUNE_UNUSED` on, the prune of
//! the guard's own idle endpoints and idle AZs. Others' endpoints are reported, never touched;
//! underused endpoints are reported, never pruned (they carry traffic someone depends on).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::endpoint::{EndpointOwner, EndpointUsage, EndpointVerdict};
use crate::cost::round_cents;
use crate::planner::{Drift, Finding, FindingUsage, PruneHold, Remedy};

const FOREIGN: &str =
    "not created by vpce-guard: its owner decides whether it stays (the guard never deletes it)";
const PRUNE_OFF: &str = "PRUNE_UNUSED is off: delete it yourself, or set PRUNE_UNUSED=true (remediate mode) to let the guard prune its own idle endpoints";

/// The findings of one VPC's interface endpoints (`usage` holds only that VPC's), in endpoint
/// order. `prune` is `PRUNE_UNUSED`; `vpc_tags` hold the VPC's current prune holds.
pub fn usage_findings(
    usage: &[EndpointUsage],
    vpc_tags: &BTreeMap<String, String>,
    prune: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for endpoint in usage {
        let guard_owned = endpoint.owner == EndpointOwner::Guard;
        let service = Some(endpoint.service.clone());
        let figures = |az: Option<&str>, subnet: Option<&str>, gb: f64, wasted: f64| {
            Some(FindingUsage {
                endpoint_id: endpoint.endpoint_id.clone(),
                availability_zone: az.map(str::to_string),
                subnet_id: subnet.map(str::to_string),
                gb_per_month: gb,
                wasted_monthly_usd: wasted,
            })
        };
        match endpoint.verdict {
            EndpointVerdict::Idle => {
                let (remedy, reason) = if !guard_owned {
                    (None, Some(FOREIGN.to_string()))
                } else if !prune {
                    (None, Some(PRUNE_OFF.to_string()))
                } else {
                    (
                        Some(Remedy::PruneEndpoint {
                            endpoint_id: endpoint.endpoint_id.clone().into(),
                            hold_key: PruneHold::tag_key(&endpoint.service),
                            hold_value: PruneHold::Endpoint.value(),
                        }),
                        None,
                    )
                };
                findings.push(Finding {
                    service: service.clone(),
                    drift: Drift::EndpointIdle,
                    resource_ids: vec![endpoint.endpoint_id.clone()],
                    remedy,
                    not_remediable: reason,
                    monthly_cost_usd: -endpoint.wasted_monthly_usd,
                    served_centrally: false,
                    usage: figures(None, None, 0.0, endpoint.wasted_monthly_usd),
                });
            }
            EndpointVerdict::Underused => findings.push(Finding {
                service: service.clone(),
                drift: Drift::EndpointUnderused,
                resource_ids: vec![endpoint.endpoint_id.clone()],
                remedy: None,
                not_remediable: Some(match endpoint.break_even_gb_per_month {
                    Some(gb) => format!(
                        "carries {} GB/month, below its break-even of {gb} GB/month: NAT would cost less; remove it or share a central endpoint (the guard prunes only idle endpoints)",
                        endpoint.gb_per_month
                    ),
                    None => "NAT processing costs no more per GB than the endpoint here: it never pays for its hours (the guard prunes only idle endpoints)".to_string(),
                }),
                monthly_cost_usd: 0.0,
                served_centrally: false,
                usage: figures(None, None, endpoint.gb_per_month, endpoint.wasted_monthly_usd),
            }),
            EndpointVerdict::Pays | EndpointVerdict::TooNew => {}
        }
        // Each AZ pruned in this run adds to the hold the next one writes.
        let mut held = PruneHold::of(vpc_tags, &endpoint.service);
        for az in endpoint.azs.iter().filter(|a| a.idle) {
            let az_hours = endpoint.az_monthly_usd();
            let (remedy, reason) = if !guard_owned {
                (None, Some(FOREIGN.to_string()))
            } else if !prune {
                (None, Some(PRUNE_OFF.to_string()))
            } else {
                let next = PruneHold::with_az(held.as_ref(), &az.az);
                let remedy = Remedy::PruneAz {
                    endpoint_id: endpoint.endpoint_id.clone().into(),
                    subnet_id: az.subnet_id.clone().into(),
                    hold_key: PruneHold::tag_key(&endpoint.service),
                    hold_value: next.value(),
                };
                held = Some(next);
                (Some(remedy), None)
            };
            findings.push(Finding {
                service: service.clone(),
                drift: Drift::EndpointAzIdle,
                resource_ids: vec![endpoint.endpoint_id.clone(), az.subnet_id.clone()],
                remedy,
                not_remediable: reason,
                monthly_cost_usd: -az_hours,
                served_centrally: false,
                usage: figures(Some(&az.az), Some(&az.subnet_id), 0.0, az_hours),
            });
        }
    }
    findings
}

/// Totals over many endpoints (a run's summary, the CLI's footer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageTotals {
    pub endpoints_measured: u64,
    pub endpoints_idle: u64,
    pub endpoints_underused: u64,
    pub endpoint_azs_idle: u64,
    /// Dollars per month of idle endpoints and idle AZs.
    pub idle_monthly_cost_usd: f64,
}

impl UsageTotals {
    pub fn of(usage: &[EndpointUsage]) -> Self {
        let mut totals = UsageTotals::default();
        for e in usage {
            totals.endpoints_measured += 1;
            match e.verdict {
                EndpointVerdict::Idle => {
                    totals.endpoints_idle += 1;
                    totals.idle_monthly_cost_usd += e.wasted_monthly_usd;
                }
                EndpointVerdict::Underused => totals.endpoints_underused += 1,
                EndpointVerdict::Pays | EndpointVerdict::TooNew => {}
            }
            for _ in e.azs.iter().filter(|a| a.idle) {
                totals.endpoint_azs_idle += 1;
                totals.idle_monthly_cost_usd += e.az_monthly_usd();
            }
        }
        totals.idle_monthly_cost_usd = round_cents(totals.idle_monthly_cost_usd);
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::endpoint::AzUsage;

    fn usage(owner: EndpointOwner, verdict: EndpointVerdict, idle_az: bool) -> EndpointUsage {
        EndpointUsage {
            vpc_id: "vpc-1".into(),
            endpoint_id: "vpce-1".into(),
            service: "com.amazonaws.us-east-1.logs".into(),
            owner,
            created_at: None,
            gb_per_month: if verdict == EndpointVerdict::Idle {
                0.0
            } else {
                50.0
            },
            azs: vec![
                AzUsage {
                    az: "us-east-1a".into(),
                    subnet_id: "subnet-a".into(),
                    gb_per_month: 50.0,
                    idle: false,
                },
                AzUsage {
                    az: "us-east-1b".into(),
                    subnet_id: "subnet-b".into(),
                    gb_per_month: 0.0,
                    idle: idle_az,
                },
            ],
            monthly_cost_usd: 15.1,
            hours_monthly_usd: 14.6,
            break_even_gb_per_month: Some(417.1),
            verdict,
            wasted_monthly_usd: if verdict == EndpointVerdict::Idle {
                14.6
            } else {
                12.85
            },
        }
    }

    fn no_tags() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn the_guards_idle_endpoint_is_pruned_only_when_pruning_is_on() {
        let idle = [usage(EndpointOwner::Guard, EndpointVerdict::Idle, false)];
        let reported = usage_findings(&idle, &no_tags(), false);
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].drift, Drift::EndpointIdle);
        assert!(reported[0].remedy.is_none());
        assert!(reported[0]
            .not_remediable
            .as_deref()
            .unwrap()
            .contains("PRUNE_UNUSED"));
        let figures = reported[0].usage.as_ref().unwrap();
        assert_eq!(
            (figures.gb_per_month, figures.wasted_monthly_usd),
            (0.0, 14.6)
        );

        let pruned = usage_findings(&idle, &no_tags(), true);
        assert_eq!(
            pruned[0].remedy,
            Some(Remedy::PruneEndpoint {
                endpoint_id: "vpce-1".into(),
                hold_key: "vpce-guard:pruned:com.amazonaws.us-east-1.logs".into(),
                hold_value: "endpoint".into(),
            })
        );
        assert_eq!(pruned[0].monthly_cost_usd, -14.6, "pruning saves its hours");
    }

    #[test]
    fn others_endpoints_are_never_pruned() {
        for verdict in [EndpointVerdict::Idle, EndpointVerdict::Underused] {
            let foreign = [usage(EndpointOwner::Other, verdict, true)];
            let findings = usage_findings(&foreign, &no_tags(), true);
            assert!(!findings.is_empty());
            assert!(findings.iter().all(|f| f.remedy.is_none()));
            assert!(findings
                .iter()
                .filter(|f| f.drift != Drift::EndpointUnderused)
                .all(|f| f
                    .not_remediable
                    .as_deref()
                    .unwrap()
                    .contains("not created by vpce-guard")));
        }
    }

    #[test]
    fn underused_is_reported_never_pruned() {
        let under = [usage(
            EndpointOwner::Guard,
            EndpointVerdict::Underused,
            false,
        )];
        let findings = usage_findings(&under, &no_tags(), true);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].drift, Drift::EndpointUnderused);
        assert!(findings[0].remedy.is_none());
        assert!(findings[0]
            .not_remediable
            .as_deref()
            .unwrap()
            .contains("417.1"));
    }

    #[test]
    fn an_idle_az_is_taken_out_and_added_to_the_hold() {
        let mut tags = no_tags();
        tags.insert(
            "vpce-guard:pruned:com.amazonaws.us-east-1.logs".into(),
            "us-east-1c".into(),
        );
        let one_sided = [usage(EndpointOwner::Guard, EndpointVerdict::Pays, true)];
        let findings = usage_findings(&one_sided, &tags, true);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].drift, Drift::EndpointAzIdle);
        assert_eq!(
            findings[0].remedy,
            Some(Remedy::PruneAz {
                endpoint_id: "vpce-1".into(),
                subnet_id: "subnet-b".into(),
                hold_key: "vpce-guard:pruned:com.amazonaws.us-east-1.logs".into(),
                hold_value: "us-east-1b us-east-1c".into(),
            })
        );
        let figures = findings[0].usage.as_ref().unwrap();
        assert_eq!(figures.availability_zone.as_deref(), Some("us-east-1b"));
        assert_eq!(figures.wasted_monthly_usd, 7.3, "one AZ's hours");
    }

    #[test]
    fn paying_and_young_endpoints_say_nothing_and_totals_add_up() {
        let fine = [
            usage(EndpointOwner::Guard, EndpointVerdict::Pays, false),
            usage(EndpointOwner::Guard, EndpointVerdict::TooNew, false),
        ];
        assert!(usage_findings(&fine, &no_tags(), true).is_empty());
        let mixed = [
            usage(EndpointOwner::Guard, EndpointVerdict::Idle, false),
            usage(EndpointOwner::Other, EndpointVerdict::Underused, false),
            usage(EndpointOwner::Guard, EndpointVerdict::Pays, true),
        ];
        let totals = UsageTotals::of(&mixed);
        assert_eq!(
            (
                totals.endpoints_measured,
                totals.endpoints_idle,
                totals.endpoints_underused,
                totals.endpoint_azs_idle
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(
            totals.idle_monthly_cost_usd, 21.9,
            "14.60 idle + 7.30 for the idle AZ"
        );
    }
}
