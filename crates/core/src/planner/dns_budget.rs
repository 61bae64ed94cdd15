//! Which VPCs' DNS attributes a remediating run reads. The attributes (two DescribeVpcAttribute
//! calls per VPC; EC2 has no batch read of them) matter only to remedies that ask for private DNS:
//! an interface endpoint created with it, or private DNS turned on. Both go through EC2's
//! scarcest buckets (CreateVpcEndpoint, ModifyVpcEndpoint: 0.3 calls a second for the whole
//! account), so on day one a run can send only some of them before its deadline. Reading the
//! attributes of a VPC whose endpoints wait for a later run anyway buys nothing: that run reads
//! them when it can use them. Why neither of the other ways to learn them is cheaper is in
//! docs/performance.md ("DNS attributes on day one").

use std::collections::BTreeMap;

use super::VpcPlan;
use crate::ec2_action::Ec2Action;

/// For each plan, in the order the run applies them: whether to read its DNS attributes now.
/// Yes when the plan needs them and its first remedy that depends on them can still be sent:
/// the calls of that action the plans before it (and its own earlier remedies) make leave room
/// under `calls_left(action)`, what pacing lets through before the deadline (None: no limit).
/// `slack` calls of headroom cover the plans applied concurrently, whose calls interleave. A
/// plan left unread sends none of its DNS-dependent remedies, so they are not counted.
pub fn dns_reads_worth_making(
    plans: &[VpcPlan],
    calls_left: impl Fn(Ec2Action) -> Option<u64>,
    slack: u64,
) -> Vec<bool> {
    let mut calls: BTreeMap<Ec2Action, u64> = BTreeMap::new();
    let mut worth = Vec::with_capacity(plans.len());
    for plan in plans {
        let remedies = || plan.findings.iter().filter_map(|f| f.remedy.as_ref());
        let read = plan.needs_dns_attributes && {
            let mut before: BTreeMap<Ec2Action, u64> = BTreeMap::new();
            let first = remedies().find(|remedy| {
                if remedy.needs_vpc_dns() {
                    return true;
                }
                *before.entry(remedy.ec2_action()).or_default() += 1;
                false
            });
            first.is_some_and(|remedy| {
                let action = remedy.ec2_action();
                let sent_before = calls.get(&action).copied().unwrap_or(0)
                    + before.get(&action).copied().unwrap_or(0);
                calls_left(action).is_none_or(|left| sent_before < left.saturating_add(slack))
            })
        };
        for remedy in remedies() {
            if read || !remedy.needs_vpc_dns() || !plan.needs_dns_attributes {
                *calls.entry(remedy.ec2_action()).or_default() += 1;
            }
        }
        worth.push(read);
    }
    worth
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IpAddressType;
    use crate::planner::{Drift, Finding, Remedy, SecurityGroupRef, VpcStatus};

    fn gateway(service: &str) -> Finding {
        Finding::fix(
            Some(service),
            Drift::MissingEndpoint,
            Vec::new(),
            Remedy::CreateGatewayEndpoint {
                service_name: service.to_string(),
                route_table_ids: vec!["rtb-1".into()],
                policy: None,
                client_token: String::new(),
                ip_address_type: IpAddressType::Ipv4,
            },
        )
    }

    fn interface(service: &str) -> Finding {
        Finding::fix(
            Some(service),
            Drift::MissingEndpoint,
            Vec::new(),
            Remedy::CreateInterfaceEndpoint {
                service_name: service.to_string(),
                subnet_ids: vec!["subnet-1".into()],
                security_group: SecurityGroupRef::CreateGuardManaged { cidrs: Vec::new() },
                private_dns: true,
                policy: None,
                client_token: String::new(),
                ip_address_type: IpAddressType::Ipv4,
            },
        )
    }

    /// A day-one VPC: two gateways, then three interface endpoints with private DNS.
    fn day_one(vpc_id: &str) -> VpcPlan {
        VpcPlan {
            vpc_id: vpc_id.to_string(),
            status: VpcStatus::Drifted,
            findings: vec![
                gateway("s3"),
                gateway("dynamodb"),
                interface("ecr.api"),
                interface("ecr.dkr"),
                interface("logs"),
            ],
            cost_decisions: Vec::new(),
            needs_dns_attributes: true,
            nat_traffic: None,
            profile: None,
        }
    }

    fn plans(n: usize) -> Vec<VpcPlan> {
        (0..n).map(|i| day_one(&format!("vpc-{i}"))).collect()
    }

    #[test]
    fn without_a_limit_every_plan_that_needs_them_reads_them() {
        let mut all = plans(3);
        all[1].needs_dns_attributes = false;
        assert_eq!(
            dns_reads_worth_making(&all, |_| None, 0),
            vec![true, false, true]
        );
    }

    #[test]
    fn plans_whose_private_dns_remedies_cannot_be_sent_before_the_deadline_are_not_read() {
        let left = |action: Ec2Action| (action == Ec2Action::CreateVpcEndpoint).then_some(7);
        // vpc-0: its first interface create is call 3 of 7 (read); its five calls use 5.
        // vpc-1: its gateways are calls 6 and 7, its first interface create would be the 8th.
        // vpc-2: its gateways still queue (calls 8, 9), past the deadline: not read either.
        assert_eq!(
            dns_reads_worth_making(&plans(3), left, 0),
            vec![true, false, false]
        );
    }

    #[test]
    fn slack_reads_a_few_more_for_plans_applied_side_by_side() {
        let left = |action: Ec2Action| (action == Ec2Action::CreateVpcEndpoint).then_some(7);
        assert_eq!(
            dns_reads_worth_making(&plans(3), left, 1),
            vec![true, true, false]
        );
    }

    #[test]
    fn other_actions_budgets_do_not_hold_back_the_read() {
        let left = |action: Ec2Action| (action == Ec2Action::ModifyVpcEndpoint).then_some(0);
        assert_eq!(dns_reads_worth_making(&plans(2), left, 0), vec![true, true]);
    }

    #[test]
    fn a_spent_budget_reads_nothing() {
        assert_eq!(
            dns_reads_worth_making(&plans(2), |_| Some(0), 0),
            vec![false, false]
        );
    }
}
