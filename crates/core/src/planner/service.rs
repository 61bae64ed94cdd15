//! One baseline service in one VPC: the endpoints it already has. Broken ones are reported, the
//! oldest live one is kept and brought in line (route tables or AZs, private DNS, policy), and
//! the other live ones are duplicates. With no endpoint at all, `missing` plans the creation.

use std::collections::BTreeSet;

use super::context::{ServicePlanInput, VpcContext};
use super::ip_type::ip_type_finding;
use super::missing::plan_missing;
use super::{Drift, Finding, Remedy};
use crate::baseline::{normalize_policy, policies_equivalent, EndpointType, ServiceSpec};
use crate::model::{Endpoint, EndpointState, ServiceOffer};
use crate::resource_id::{EndpointId, RouteTableId, SubnetId};

/// Returns (findings about the service's endpoint, duplicate findings to run last).
pub(super) fn plan_service(
    ctx: &VpcContext<'_>,
    input: &ServicePlanInput<'_>,
) -> (Vec<Finding>, Vec<Finding>) {
    // A policy on a service without endpoint policies is reported, never attempted: the rest of
    // the service is planned as if the baseline gave none.
    if input.spec.policy.is_some() && input.offer.and_then(|o| o.policy_supported) == Some(false) {
        let without_policy = ServiceSpec {
            policy: None,
            ..input.spec.clone()
        };
        let (mut findings, duplicates) = plan_service(
            ctx,
            &ServicePlanInput {
                spec: &without_policy,
                ..*input
            },
        );
        findings.insert(
            0,
            Finding::report(
                Some(input.spec.service_name.as_str()),
                Drift::PolicyNotSupported,
                vec![ctx.inv.vpc.id.clone()],
                "the service does not support VPC endpoint policies (VpcEndpointPolicySupported=false): remove `policy` from its baseline entry",
            ),
        );
        return (findings, duplicates);
    }
    let spec = input.spec;
    let service = Some(spec.service_name.as_str());
    let (live, broken) = live_and_broken(ctx, spec);
    let mut findings = Vec::new();
    if !broken.is_empty() {
        findings.push(broken_finding(service, &broken));
    }
    // With a broken endpoint nothing is created: a human deletes it, then the guard recreates it.
    let Some((&kept, extras)) = live.split_first() else {
        if broken.is_empty() {
            findings.extend(plan_missing(ctx, input));
        }
        return (findings, Vec::new());
    };
    let duplicates = duplicate_findings(ctx, spec, kept, extras);
    match spec.endpoint_type {
        EndpointType::Gateway => findings.extend(route_table_finding(ctx, service, kept, &live)),
        EndpointType::Interface => {
            findings.extend(az_finding(ctx, input, kept, &live));
            findings.extend(private_dns_finding(input, kept));
        }
    }
    findings.extend(policy_finding(spec, kept));
    findings.extend(ip_type_finding(ctx, spec, input.offer, kept));
    (findings, duplicates)
}

/// The service's live endpoints, oldest first (the first is the one kept), and its broken ones.
/// Deleted endpoints (`Gone`) are neither: only their ids matter, to the client token.
fn live_and_broken<'a>(
    ctx: &VpcContext<'a>,
    spec: &ServiceSpec,
) -> (Vec<&'a Endpoint>, Vec<&'a Endpoint>) {
    let all: Vec<&Endpoint> = ctx.endpoints_of(spec).collect();
    let mut live: Vec<&Endpoint> = all
        .iter()
        .copied()
        .filter(|e| matches!(e.state, EndpointState::Live(_)))
        .collect();
    let broken: Vec<&Endpoint> = all
        .iter()
        .copied()
        .filter(|e| matches!(e.state, EndpointState::Broken(_)))
        .collect();
    // Unknown creation time sorts last; the id breaks ties so the choice is deterministic.
    live.sort_by(|a, b| {
        (a.created_at.unwrap_or(i64::MAX), &a.id).cmp(&(b.created_at.unwrap_or(i64::MAX), &b.id))
    });
    (live, broken)
}

/// Failed or rejected endpoints: reported only, since deleting someone's endpoint is not safe.
fn broken_finding(service: Option<&str>, broken: &[&Endpoint]) -> Finding {
    let states: Vec<String> = broken
        .iter()
        .map(|e| match &e.state {
            EndpointState::Broken(s) | EndpointState::Live(s) | EndpointState::Gone(s) => {
                format!("{} is {s}", e.id)
            }
        })
        .collect();
    Finding::report(
        service,
        Drift::EndpointNotAvailable,
        broken.iter().map(|e| e.id.clone()).collect(),
        format!(
            "{}; a failed or rejected endpoint needs a human (delete it and the guard recreates it)",
            states.join(", ")
        ),
    )
}

/// Live endpoints beyond the kept one: the guard's own are deleted (gateway tables only they
/// covered then move to the kept endpoint), anyone else's are reported.
fn duplicate_findings(
    ctx: &VpcContext<'_>,
    spec: &ServiceSpec,
    kept: &Endpoint,
    extras: &[&Endpoint],
) -> Vec<Finding> {
    let service = Some(spec.service_name.as_str());
    let mut duplicates = Vec::new();
    let (ours, theirs): (Vec<&Endpoint>, Vec<&Endpoint>) =
        extras.iter().copied().partition(|e| e.managed);
    if !ours.is_empty() {
        duplicates.push(delete_duplicates_finding(service, kept, &ours));
        if spec.endpoint_type == EndpointType::Gateway {
            duplicates.extend(move_tables_finding(ctx, service, kept, &ours, &theirs));
        }
    }
    if !theirs.is_empty() {
        let mut resource_ids = vec![kept.id.clone()];
        resource_ids.extend(theirs.iter().map(|e| e.id.clone()));
        duplicates.push(Finding::report(
            service,
            Drift::DuplicateEndpoint,
            resource_ids,
            "the extra endpoints were not created by vpce-guard; delete them by hand to stop paying twice",
        ));
    }
    duplicates
}

/// Deletes the guard's duplicates, detaching gateway ones from their tables first.
fn delete_duplicates_finding(
    service: Option<&str>,
    kept: &Endpoint,
    ours: &[&Endpoint],
) -> Finding {
    let ids: Vec<String> = ours.iter().map(|e| e.id.clone()).collect();
    let mut resource_ids = vec![kept.id.clone()];
    resource_ids.extend(ids.iter().cloned());
    let detach_route_tables: Vec<(String, Vec<String>)> = ours
        .iter()
        .filter(|e| !e.route_table_ids.is_empty())
        .map(|e| (e.id.clone(), e.route_table_ids.clone()))
        .collect();
    Finding::fix(
        service,
        Drift::DuplicateEndpoint,
        resource_ids,
        Remedy::DeleteEndpoints {
            endpoint_ids: EndpointId::all(&ids),
            detach_route_tables: detach_route_tables
                .into_iter()
                .map(|(endpoint, tables)| (EndpointId::from(endpoint), RouteTableId::all(&tables)))
                .collect(),
        },
    )
}

/// Private tables only the deleted duplicates covered move to the kept endpoint, after the
/// deletion (a table holds one route per prefix list).
fn move_tables_finding(
    ctx: &VpcContext<'_>,
    service: Option<&str>,
    kept: &Endpoint,
    ours: &[&Endpoint],
    theirs: &[&Endpoint],
) -> Option<Finding> {
    let staying: BTreeSet<&str> = std::iter::once(kept)
        .chain(theirs.iter().copied())
        .flat_map(|e| e.route_table_ids.iter().map(String::as_str))
        .collect();
    let leaving: BTreeSet<&str> = ours
        .iter()
        .flat_map(|e| e.route_table_ids.iter().map(String::as_str))
        .collect();
    let move_over: Vec<String> = ctx
        .private_route_tables
        .iter()
        .filter(|t| leaving.contains(**t) && !staying.contains(**t))
        .map(|t| t.to_string())
        .collect();
    add_route_tables(ctx, service, kept, move_over)
}

/// Gateway: private route tables no live endpoint of the service covers go to the kept one.
fn route_table_finding(
    ctx: &VpcContext<'_>,
    service: Option<&str>,
    kept: &Endpoint,
    live: &[&Endpoint],
) -> Option<Finding> {
    let covered: BTreeSet<&str> = live
        .iter()
        .flat_map(|e| e.route_table_ids.iter().map(String::as_str))
        .collect();
    let missing: Vec<String> = ctx
        .private_route_tables
        .iter()
        .filter(|t| !covered.contains(**t))
        .map(|t| t.to_string())
        .collect();
    add_route_tables(ctx, service, kept, missing)
}

/// `route_tables` onto the kept gateway endpoint; none when there are none.
fn add_route_tables(
    ctx: &VpcContext<'_>,
    service: Option<&str>,
    kept: &Endpoint,
    route_tables: Vec<String>,
) -> Option<Finding> {
    if route_tables.is_empty() {
        return None;
    }
    let mut ids = vec![kept.id.clone()];
    ids.extend(route_tables.iter().cloned());
    Some(extend_coverage(
        ctx,
        kept,
        service,
        Drift::RouteTableNotAssociated,
        ids,
        Remedy::AddRouteTables {
            endpoint_id: kept.id.clone().into(),
            route_table_ids: RouteTableId::all(&route_tables),
        },
    ))
}

/// Route tables or subnets added to the kept endpoint: fixed on the guard's endpoints, and on
/// others' unless `REPAIR_UNMANAGED_ENDPOINTS=false` (then reported, as IAM would refuse it).
fn extend_coverage(
    ctx: &VpcContext<'_>,
    kept: &Endpoint,
    service: Option<&str>,
    drift: Drift,
    resource_ids: Vec<String>,
    remedy: Remedy,
) -> Finding {
    if kept.managed || ctx.repair_unmanaged {
        Finding::fix(service, drift, resource_ids, remedy)
    } else {
        Finding::report(
            service,
            drift,
            resource_ids,
            "endpoint was not created by vpce-guard and REPAIR_UNMANAGED_ENDPOINTS=false: its owner extends it",
        )
    }
}

/// Interface: supported AZs with a private subnet but no live endpoint ENI get a subnet on the
/// kept endpoint.
fn az_finding(
    ctx: &VpcContext<'_>,
    input: &ServicePlanInput<'_>,
    kept: &Endpoint,
    live: &[&Endpoint],
) -> Option<Finding> {
    let covered_azs: BTreeSet<&str> = live
        .iter()
        .flat_map(|e| e.subnet_ids.iter())
        .filter_map(|s| ctx.subnet_az.get(s.as_str()).copied())
        .collect();
    let default_offer = ServiceOffer::default();
    let offer = input.offer.unwrap_or(&default_offer);
    let missing: Vec<(&str, &str)> = ctx
        .subnets_for(offer)
        .into_iter()
        .filter(|(az, _)| !covered_azs.contains(az) && !input.az_held(az))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let subnet_ids: Vec<String> = missing.iter().map(|(_, s)| s.to_string()).collect();
    let mut ids = vec![kept.id.clone()];
    ids.extend(subnet_ids.iter().cloned());
    Some(extend_coverage(
        ctx,
        kept,
        Some(input.spec.service_name.as_str()),
        Drift::AzNotCovered,
        ids,
        Remedy::AddSubnets {
            endpoint_id: kept.id.clone().into(),
            subnet_ids: SubnetId::all(&subnet_ids),
        },
    ))
}

/// Interface: private DNS the baseline wants but the kept endpoint lacks; fixed only on the
/// guard's endpoints and only when the VPC's DNS attributes allow it.
fn private_dns_finding(input: &ServicePlanInput<'_>, kept: &Endpoint) -> Option<Finding> {
    if !input.spec.private_dns || kept.private_dns_enabled {
        return None;
    }
    let service = input.spec.service_name.as_str();
    if kept.managed && !input.can_request_private_dns {
        return Some(Finding::report(
            Some(service),
            Drift::PrivateDnsDisabled,
            vec![kept.id.clone()],
            "VPC DNS attributes are disabled and ENABLE_VPC_DNS=false",
        ));
    }
    Some(Finding::on_endpoint(
        kept,
        service,
        Drift::PrivateDnsDisabled,
        Remedy::EnablePrivateDns {
            endpoint_id: kept.id.clone().into(),
        },
        "endpoint was not created by vpce-guard; the guard only adds route tables or subnets to it",
    ))
}

/// A baseline policy the kept endpoint does not carry (compared as IAM reads policies, so key
/// and statement order, whitespace and one-element lists do not count: `policies_equivalent`);
/// replaced only on the guard's endpoints.
fn policy_finding(spec: &ServiceSpec, kept: &Endpoint) -> Option<Finding> {
    let wanted = spec.policy.as_ref()?;
    let actual = kept
        .policy
        .as_deref()
        .and_then(|p| normalize_policy(&serde_json::Value::String(p.to_string())).ok());
    if actual.is_some_and(|actual| policies_equivalent(&actual, wanted)) {
        return None;
    }
    Some(Finding::on_endpoint(
        kept,
        &spec.service_name,
        Drift::PolicyMismatch,
        Remedy::ReplacePolicy {
            endpoint_id: kept.id.clone().into(),
            policy: wanted.to_string(),
        },
        "endpoint was not created by vpce-guard; its policy is left as its owner set it",
    ))
}
