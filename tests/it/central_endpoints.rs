//! Centralized endpoints (issue #14 part 3) through the compliance-sweep entry point: with
//! `CENTRAL_ENDPOINTS=detect`, a VPC associated with a Route 53 private hosted zone named for a
//! service's private DNS name gets no local endpoint for it (`served_centrally`), and a create
//! refused for a private DNS conflict is reported as `private_dns_conflict`, not as a failure.
//!
//! moto quirks: ListHostedZonesByVPC lists this account's zones only and does not paginate;
//! CreateVpcEndpoint never refuses private DNS for a conflicting zone, so the conflict test
//! puts the fault proxy in front of EC2 and answers as EC2 does.

use crate::common::fault_proxy::{Fault, FaultPlan, FaultProxy};
use crate::common::*;
use aws_sdk_route53::types::{HostedZoneConfig, Vpc, VpcRegion};
use vpce_guard_core::notice::Outcome;
use vpce_guard_lambda::functions::compliance_sweep;

const DETECT: (&str, &str) = ("CENTRAL_ENDPOINTS", "detect");

/// A private hosted zone `name` associated with `vpc_id`, as a hub-and-spoke setup shares it.
async fn central_zone(env: &Env, name: &str, vpc_id: &str) {
    aws_sdk_route53::Client::new(&env.sdk)
        .create_hosted_zone()
        .name(name)
        .caller_reference(format!("{name}-{vpc_id}"))
        .vpc(
            Vpc::builder()
                .vpc_id(vpc_id)
                .vpc_region(VpcRegion::from(REGION))
                .build(),
        )
        .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
        .send()
        .await
        .expect("create private hosted zone");
}

fn interface_services(endpoints: &[aws_sdk_ec2::types::VpcEndpoint]) -> Vec<String> {
    let mut names: Vec<String> = endpoints
        .iter()
        .filter(|e| e.vpc_endpoint_type() == Some(&aws_sdk_ec2::types::VpcEndpointType::Interface))
        .filter_map(|e| e.service_name())
        .map(|n| {
            n.trim_start_matches(&format!("com.amazonaws.{REGION}."))
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_service_served_by_a_central_zone_gets_no_local_endpoint() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let spoke = env.two_az_vpc(1).await;
    let plain = env.two_az_vpc(2).await;
    // The hub shares ECR API (whose private DNS name is not its service name) and Logs.
    central_zone(
        &env,
        &format!("api.ecr.{REGION}.amazonaws.com"),
        &spoke.vpc_id,
    )
    .await;
    central_zone(&env, &format!("logs.{REGION}.amazonaws.com"), &spoke.vpc_id).await;

    let answer = compliance_sweep(&env.function(&[DETECT]), event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    assert_eq!(n(&answer, "services_served_centrally"), 2, "{answer}");
    let calls = &run_summary(&answer)["api_calls_by_action"];
    assert_eq!(
        calls["ListHostedZonesByVPC"], 2,
        "only the two VPCs about to get interface endpoints: {calls}"
    );
    assert_eq!(
        interface_services(&env.endpoints(&spoke.vpc_id).await),
        vec!["ecr.dkr"]
    );
    assert_eq!(
        interface_services(&env.endpoints(&plain.vpc_id).await),
        vec!["ecr.api", "ecr.dkr", "logs"]
    );
    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let spoke_notice = notices
        .iter()
        .find(|n| n.vpc_id() == Some(spoke.vpc_id.as_str()))
        .expect("notice for the spoke VPC");
    let central: Vec<_> = spoke_notice
        .findings()
        .iter()
        .filter(|f| f.outcome == Outcome::ServedCentrally)
        .collect();
    assert_eq!(central.len(), 2, "{spoke_notice:?}");
    assert!(central
        .iter()
        .any(|f| f.error.as_deref().is_some_and(|e| e.contains("api.ecr."))));

    // Next sweep: the spoke is compliant; nothing is created, no notice about it.
    let again = compliance_sweep(&env.function(&[DETECT]), event("scheduled-event.json", &[]))
        .await
        .expect("second sweep");
    assert_eq!(n(&again, "actions_applied"), 0, "{again}");
    assert!(env
        .notices()
        .await
        .iter()
        .all(|n| n.vpc_id() != Some(spoke.vpc_id.as_str())));

    // Detection off (the default): the spoke gets its own endpoints as before.
    let off = compliance_sweep(&env.function(&[]), event("scheduled-event.json", &[]))
        .await
        .expect("sweep without detection");
    assert_eq!(n(&off, "actions_applied"), 2, "{off}");
    assert!(run_summary(&off)["api_calls_by_action"]
        .get("ListHostedZonesByVPC")
        .is_none());
}

#[tokio::test]
async fn a_private_dns_conflict_is_reported_not_failed() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let vpc = env.two_az_vpc(1).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 5).await;
    proxy.add_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["CreateVpcEndpoint".into()],
        body_contains: vec![format!("com.amazonaws.{REGION}.logs")],
        kinds: vec![Fault::PrivateDnsConflict],
        ..FaultPlan::none()
    });
    let function = env.function_via_ec2(&[], &proxy.endpoint);
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    let creates_of_logs = proxy
        .seen()
        .iter()
        .filter(|s| {
            s.action == "CreateVpcEndpoint"
                && s.params.get("ServiceName").map(String::as_str)
                    == Some(format!("com.amazonaws.{REGION}.logs").as_str())
        })
        .count();
    assert_eq!(creates_of_logs, 1, "not retried");
    let notices = env.notices().await;
    let logs = notices
        .iter()
        .filter(|n| n.vpc_id() == Some(vpc.vpc_id.as_str()))
        .flat_map(|n| n.findings())
        .find(|f| f.service.as_deref() == Some(format!("com.amazonaws.{REGION}.logs").as_str()))
        .expect("a logs finding");
    assert_eq!(logs.outcome, Outcome::PrivateDnsConflict);
    assert!(logs
        .error
        .as_deref()
        .is_some_and(|e| e.contains("conflicting DNS domain")));
}
