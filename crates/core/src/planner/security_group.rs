//! The security group of the guard's interface endpoints (`GUARD_SECURITY_GROUP_NAME`): HTTPS
//! from every VPC CIDR and nothing else, and only ever on a group the guard created.

use super::remedy::describe_rule;
use super::{Drift, Finding, Remedy};
use crate::model::{IngressRule, SecurityGroup, VpcInventory, GUARD_SECURITY_GROUP_NAME};

/// The security group new interface endpoints of a VPC would get.
#[derive(Clone, Copy)]
pub(super) enum GroupChoice<'a> {
    Existing(&'a str),
    Create,
    /// A group with the guard's name that the guard did not create: never used.
    NotOurs(&'a str),
}

/// Finds the guard's group in the VPC: the findings about its rules (only when the guard owns
/// it) and the group new interface endpoints would get.
pub(super) fn plan_guard_group(inv: &VpcInventory) -> (Vec<Finding>, GroupChoice<'_>) {
    let guard_group = inv
        .security_groups
        .iter()
        .find(|g| g.name == GUARD_SECURITY_GROUP_NAME);
    match guard_group {
        Some(g) if g.managed => (plan_security_group(inv, g), GroupChoice::Existing(&g.id)),
        Some(g) => (Vec::new(), GroupChoice::NotOurs(&g.id)),
        None => (Vec::new(), GroupChoice::Create),
    }
}

/// Missing HTTPS rules are authorized and every other rule revoked, each in one call.
fn plan_security_group(inv: &VpcInventory, group: &SecurityGroup) -> Vec<Finding> {
    let https_from = |rule: &IngressRule, cidr: &str| *rule == IngressRule::https_from(cidr);
    // IPv4 and IPv6 blocks alike: dual-stack clients reach the endpoints over either.
    let cidrs = &inv.vpc.all_cidr_blocks();
    let missing: Vec<String> = cidrs
        .iter()
        .filter(|c| !group.ingress.iter().any(|r| https_from(r, c)))
        .cloned()
        .collect();
    let mut unexpected: Vec<IngressRule> = group
        .ingress
        .iter()
        .filter(|r| !cidrs.iter().any(|c| https_from(r, c)))
        .cloned()
        .collect();
    unexpected.sort();
    unexpected.dedup();
    let mut findings = Vec::new();
    if !missing.is_empty() {
        let mut ids = vec![group.id.clone()];
        ids.extend(missing.iter().cloned());
        findings.push(Finding::fix(
            None,
            Drift::SecurityGroupRuleMissing,
            ids,
            Remedy::AuthorizeHttpsIngress {
                group_id: group.id.clone().into(),
                cidrs: missing,
            },
        ));
    }
    if !unexpected.is_empty() {
        let mut ids = vec![group.id.clone()];
        ids.extend(unexpected.iter().map(describe_rule));
        findings.push(Finding::fix(
            None,
            Drift::SecurityGroupRuleUnexpected,
            ids,
            Remedy::RevokeIngress {
                group_id: group.id.clone().into(),
                rules: unexpected,
            },
        ));
    }
    findings
}
