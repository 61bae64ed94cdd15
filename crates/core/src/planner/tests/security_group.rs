//! The guard's security group: HTTPS from every VPC CIDR, and only a group the guard owns.

use super::*;

#[test]
fn security_group_rules_follow_every_vpc_cidr_and_nothing_else() {
    let mut inv = compliant_vpc();
    inv.vpc.cidr_blocks.push("10.1.0.0/16".into());
    inv.security_groups[0].ingress.push(IngressRule {
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        source: "cidr:0.0.0.0/0".into(),
    });
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (None, Drift::SecurityGroupRuleMissing),
            (None, Drift::SecurityGroupRuleUnexpected)
        ]
    );
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::AuthorizeHttpsIngress {
            group_id: "sg-guard".into(),
            cidrs: vec!["10.1.0.0/16".into()]
        })
    );
    match p.findings[1].remedy.as_ref().unwrap() {
        Remedy::RevokeIngress { rules, .. } => assert_eq!(rules[0].from_port, Some(22)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn unmanaged_group_with_the_guard_name_is_never_touched_or_used() {
    let mut inv = two_az_vpc();
    let mut group = guard_group(&[]);
    group.managed = false;
    inv.security_groups.push(group);
    let p = plan(&inv);
    let interface: Vec<&Finding> = p
        .findings
        .iter()
        .filter(|f| f.service.as_deref() == Some(&svc("logs")))
        .collect();
    assert!(interface[0].remedy.is_none());
    assert!(interface[0]
        .not_remediable
        .as_deref()
        .unwrap()
        .contains("not tagged"));
    assert!(p
        .findings
        .iter()
        .all(|f| f.drift != Drift::SecurityGroupRuleMissing));
}
