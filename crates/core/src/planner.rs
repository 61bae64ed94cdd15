//! The pure heart of the guard: baseline + observed inventory → per-VPC plan of findings, each
//! with the narrowest remedy that fixes it (or the reason none is safe).
//!
//! Rules (real EC2 behaviour):
//! - a route table is private when it has no default route to an internet gateway; a subnet with no
//!   explicit association uses the main route table;
//! - gateway endpoints cover every private route table; coverage is the union over all live
//!   endpoints of the service, because a table can hold only one route per prefix list;
//! - interface endpoints take one private subnet per AZ (EC2 rejects two), only in AZs the service
//!   supports, chosen deterministically (lowest subnet id);
//! - the guard only rewrites or deletes what it created (tag `vpce-guard:managed=true`); on other
//!   endpoints it only adds route tables or subnets.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::baseline::{normalize_policy, Baseline, EndpointType, InterfacePolicy, ServiceSpec};
use crate::cost::{break_even, usd, BreakEven, Pricing, Traffic};
use crate::model::{
    DnsAttributes, Endpoint, EndpointState, IngressRule, RegionInventory, SecurityGroup,
    ServiceOffer, VpcInventory, GUARD_SECURITY_GROUP_NAME, HTTPS_PORT,
};
use crate::token::endpoint_client_token;

/// Drift codes; part of the notice schema (`vpce-guard.notice/v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drift {
    MissingEndpoint,
    RouteTableNotAssociated,
    AzNotCovered,
    PrivateDnsDisabled,
    SecurityGroupRuleMissing,
    SecurityGroupRuleUnexpected,
    VpcDnsAttributesDisabled,
    EndpointNotAvailable,
    DuplicateEndpoint,
    PolicyMismatch,
}

impl Drift {
    pub fn as_str(self) -> &'static str {
        match self {
            Drift::MissingEndpoint => "missing_endpoint",
            Drift::RouteTableNotAssociated => "route_table_not_associated",
            Drift::AzNotCovered => "az_not_covered",
            Drift::PrivateDnsDisabled => "private_dns_disabled",
            Drift::SecurityGroupRuleMissing => "security_group_rule_missing",
            Drift::SecurityGroupRuleUnexpected => "security_group_rule_unexpected",
            Drift::VpcDnsAttributesDisabled => "vpc_dns_attributes_disabled",
            Drift::EndpointNotAvailable => "endpoint_not_available",
            Drift::DuplicateEndpoint => "duplicate_endpoint",
            Drift::PolicyMismatch => "policy_mismatch",
        }
    }
}

/// Which security group a new interface endpoint gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityGroupRef {
    /// The guard's group already exists in the VPC.
    Existing(String),
    /// Create the guard's group (HTTPS from these CIDRs) first, once per VPC.
    CreateGuardManaged { cidrs: Vec<String> },
}

/// One EC2 change; each is the narrowest call that fixes its finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    EnableVpcDns {
        support: bool,
        hostnames: bool,
    },
    CreateGatewayEndpoint {
        service_name: String,
        route_table_ids: Vec<String>,
        policy: Option<String>,
        client_token: String,
    },
    CreateInterfaceEndpoint {
        service_name: String,
        subnet_ids: Vec<String>,
        security_group: SecurityGroupRef,
        private_dns: bool,
        policy: Option<String>,
        client_token: String,
    },
    AddRouteTables {
        endpoint_id: String,
        route_table_ids: Vec<String>,
    },
    AddSubnets {
        endpoint_id: String,
        subnet_ids: Vec<String>,
    },
    EnablePrivateDns {
        endpoint_id: String,
    },
    ReplacePolicy {
        endpoint_id: String,
        policy: String,
    },
    AuthorizeHttpsIngress {
        group_id: String,
        cidrs: Vec<String>,
    },
    RevokeIngress {
        group_id: String,
        rules: Vec<IngressRule>,
    },
    DeleteEndpoints {
        endpoint_ids: Vec<String>,
        /// Gateway endpoints are first detached from their route tables (endpoint id → tables),
        /// so their prefix-list routes go before the endpoint does.
        detach_route_tables: Vec<(String, Vec<String>)>,
    },
}

impl Remedy {
    /// The API call as operators read it in notices and logs.
    pub fn describe(&self) -> String {
        match self {
            Remedy::EnableVpcDns { support, hostnames } => {
                let mut attrs = Vec::new();
                if *support {
                    attrs.push("EnableDnsSupport=true");
                }
                if *hostnames {
                    attrs.push("EnableDnsHostnames=true");
                }
                format!("ModifyVpcAttribute {}", attrs.join(" "))
            }
            Remedy::CreateGatewayEndpoint {
                route_table_ids, ..
            } => format!(
                "CreateVpcEndpoint Gateway RouteTableIds=[{}]",
                route_table_ids.join(",")
            ),
            Remedy::CreateInterfaceEndpoint {
                subnet_ids,
                security_group,
                private_dns,
                ..
            } => {
                let group = match security_group {
                    SecurityGroupRef::Existing(id) => id.clone(),
                    SecurityGroupRef::CreateGuardManaged { .. } => {
                        format!("new {GUARD_SECURITY_GROUP_NAME}")
                    }
                };
                format!(
                    "CreateVpcEndpoint Interface SubnetIds=[{}] SecurityGroupIds=[{group}] PrivateDnsEnabled={private_dns}",
                    subnet_ids.join(",")
                )
            }
            Remedy::AddRouteTables {
                endpoint_id,
                route_table_ids,
            } => format!(
                "ModifyVpcEndpoint {endpoint_id} AddRouteTableIds=[{}]",
                route_table_ids.join(",")
            ),
            Remedy::AddSubnets {
                endpoint_id,
                subnet_ids,
            } => format!(
                "ModifyVpcEndpoint {endpoint_id} AddSubnetIds=[{}]",
                subnet_ids.join(",")
            ),
            Remedy::EnablePrivateDns { endpoint_id } => {
                format!("ModifyVpcEndpoint {endpoint_id} PrivateDnsEnabled=true")
            }
            Remedy::ReplacePolicy { endpoint_id, .. } => {
                format!("ModifyVpcEndpoint {endpoint_id} PolicyDocument=<baseline policy>")
            }
            Remedy::AuthorizeHttpsIngress { group_id, cidrs } => format!(
                "AuthorizeSecurityGroupIngress {group_id} tcp/443 from [{}]",
                cidrs.join(",")
            ),
            Remedy::RevokeIngress { group_id, rules } => format!(
                "RevokeSecurityGroupIngress {group_id} [{}]",
                rules
                    .iter()
                    .map(describe_rule)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Remedy::DeleteEndpoints {
                endpoint_ids,
                detach_route_tables,
            } => {
                let detach: Vec<String> = detach_route_tables
                    .iter()
                    .map(|(id, tables)| {
                        format!(
                            "ModifyVpcEndpoint {id} RemoveRouteTableIds=[{}]",
                            tables.join(",")
                        )
                    })
                    .collect();
                let delete = format!("DeleteVpcEndpoints [{}]", endpoint_ids.join(","));
                if detach.is_empty() {
                    delete
                } else {
                    format!("{}; {delete}", detach.join("; "))
                }
            }
        }
    }

    /// Whether applying this remedy needs the VPC's DNS attributes to be enabled first.
    pub fn needs_vpc_dns(&self) -> bool {
        matches!(
            self,
            Remedy::CreateInterfaceEndpoint {
                private_dns: true,
                ..
            } | Remedy::EnablePrivateDns { .. }
        )
    }
}

fn describe_rule(rule: &IngressRule) -> String {
    let ports = match (rule.from_port, rule.to_port) {
        (Some(a), Some(b)) if a == b => format!("/{a}"),
        (Some(a), Some(b)) => format!("/{a}-{b}"),
        _ => String::new(),
    };
    format!("{}{} from {}", rule.protocol, ports, rule.source)
}

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
}

impl Finding {
    fn fix(service: Option<&str>, drift: Drift, resource_ids: Vec<String>, remedy: Remedy) -> Self {
        Self {
            service: service.map(str::to_string),
            drift,
            resource_ids,
            remedy: Some(remedy),
            not_remediable: None,
            monthly_cost_usd: 0.0,
        }
    }

    fn report(
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
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VpcStatus {
    Compliant,
    Drifted,
    Exempt,
}

/// Interface endpoints deliberately not created because they would not pay for themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostDecision {
    pub skipped_services: Vec<String>,
    pub nat_gb_per_month: f64,
    pub aws_share: f64,
    pub gateway_share: f64,
    pub figures: BreakEven,
    /// The decision with its numbers, for humans.
    pub reason: String,
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
}

/// Knobs of the planner that come from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannerOptions {
    pub exempt_tag_key: String,
    /// Whether the guard may turn on `enableDnsSupport`/`enableDnsHostnames` itself.
    pub enable_vpc_dns: bool,
}

impl Default for PlannerOptions {
    fn default() -> Self {
        Self {
            exempt_tag_key: "vpce-guard:exempt".to_string(),
            enable_vpc_dns: true,
        }
    }
}

/// Plans every VPC of the inventory.
pub fn plan_region(
    inventory: &RegionInventory,
    baseline: &Baseline,
    options: &PlannerOptions,
) -> Vec<VpcPlan> {
    inventory
        .vpcs
        .iter()
        .map(|vpc| {
            plan_vpc(
                &inventory.account_id,
                vpc,
                &inventory.offers,
                baseline,
                options,
            )
        })
        .collect()
}

/// Whether the VPC carries the exemption tag (any value but `false`).
pub fn is_exempt(vpc: &VpcInventory, exempt_tag_key: &str) -> bool {
    vpc.vpc
        .tags
        .get(exempt_tag_key)
        .is_some_and(|value| !value.trim().eq_ignore_ascii_case("false"))
}

/// Plans one VPC.
pub fn plan_vpc(
    account_id: &str,
    inv: &VpcInventory,
    offers: &BTreeMap<String, ServiceOffer>,
    baseline: &Baseline,
    options: &PlannerOptions,
) -> VpcPlan {
    let vpc_id = inv.vpc.id.clone();
    if is_exempt(inv, &options.exempt_tag_key) {
        return VpcPlan {
            vpc_id,
            status: VpcStatus::Exempt,
            findings: Vec::new(),
            cost_decisions: Vec::new(),
            needs_dns_attributes: false,
        };
    }
    let ctx = VpcContext::new(inv);
    let mut security = Vec::new();
    let mut endpoints = Vec::new();
    let mut duplicates = Vec::new();

    let wants_interfaces = baseline
        .services
        .iter()
        .any(|s| s.endpoint_type == EndpointType::Interface);
    let guard_group = inv
        .security_groups
        .iter()
        .find(|g| g.name == GUARD_SECURITY_GROUP_NAME);
    if let Some(group) = guard_group.filter(|g| g.managed) {
        security.extend(plan_security_group(inv, group));
    }
    let interface_group = match guard_group {
        Some(g) if g.managed => GroupChoice::Existing(&g.id),
        Some(g) => GroupChoice::NotOurs(&g.id),
        None => GroupChoice::Create,
    };

    // Private DNS only works when the VPC resolves and names hosts; decide what to ask for.
    let dns_ok = inv.dns.map(|d| d.support && d.hostnames);
    let can_request_private_dns = dns_ok.unwrap_or(true) || options.enable_vpc_dns;

    let cost_decision = cost_decision(&ctx, baseline);
    for spec in &baseline.services {
        let service = ServicePlanInput {
            account_id,
            spec,
            offer: offers.get(&spec.service_name),
            interface_group,
            can_request_private_dns,
            skip_interface_creation: cost_decision.is_some(),
        };
        let (main, dups) = plan_service(&ctx, &service);
        endpoints.extend(main);
        duplicates.extend(dups);
    }

    let mut findings = Vec::new();
    let private_dns_wanted = wants_interfaces
        && baseline.services.iter().any(|s| s.private_dns)
        && (ctx.has_live_interface_endpoint() || !ctx.private_subnets_by_az.is_empty());
    if let Some(dns) = inv.dns {
        if private_dns_wanted && !(dns.support && dns.hostnames) {
            findings.push(dns_finding(&vpc_id, dns, options.enable_vpc_dns));
        }
    }
    findings.extend(security);
    findings.extend(endpoints);
    findings.extend(duplicates);

    for finding in &mut findings {
        if let Some(remedy) = &finding.remedy {
            finding.monthly_cost_usd = remedy_monthly_cost(remedy, &baseline.pricing, inv);
        }
    }
    let needs_dns_attributes = inv.dns.is_none()
        && findings
            .iter()
            .any(|f| f.remedy.as_ref().is_some_and(Remedy::needs_vpc_dns));
    VpcPlan {
        status: if findings.is_empty() {
            VpcStatus::Compliant
        } else {
            VpcStatus::Drifted
        },
        vpc_id,
        findings,
        cost_decisions: cost_decision.into_iter().collect(),
        needs_dns_attributes,
    }
}

/// What a remedy changes on the monthly bill: interface ENIs cost per AZ-hour, all else is free.
pub fn remedy_monthly_cost(remedy: &Remedy, pricing: &Pricing, inv: &VpcInventory) -> f64 {
    match remedy {
        Remedy::CreateInterfaceEndpoint { subnet_ids, .. }
        | Remedy::AddSubnets { subnet_ids, .. } => pricing.interface_monthly(subnet_ids.len()),
        Remedy::DeleteEndpoints { endpoint_ids, .. } => -inv
            .endpoints
            .iter()
            .filter(|e| {
                endpoint_ids.contains(&e.id) && e.endpoint_type == Some(EndpointType::Interface)
            })
            .map(|e| pricing.interface_monthly(e.subnet_ids.len()))
            .sum::<f64>(),
        _ => 0.0,
    }
}

/// With `interface_endpoints: when_cost_effective` and a NAT traffic figure on the VPC, decides
/// whether missing interface endpoints are worth creating.
fn cost_decision(ctx: &VpcContext<'_>, baseline: &Baseline) -> Option<CostDecision> {
    if baseline.interface_endpoints != InterfacePolicy::WhenCostEffective {
        return None;
    }
    let source = &baseline.nat_traffic;
    let nat_gb_per_month: f64 = ctx
        .inv
        .vpc
        .tags
        .get(&source.tag_key)?
        .trim()
        .parse()
        .ok()
        .filter(|gb: &f64| gb.is_finite() && *gb >= 0.0)?;
    let services: Vec<String> = baseline
        .services
        .iter()
        .filter(|s| s.endpoint_type == EndpointType::Interface)
        .map(|s| s.service_name.clone())
        .collect();
    let azs = ctx.private_subnets_by_az.len().max(1);
    let traffic = Traffic {
        nat_gb_per_month,
        aws_share: source.aws_share,
        gateway_share: source.gateway_share,
    };
    let figures = break_even(&baseline.pricing, services.len(), azs, &traffic);
    if figures.cost_effective {
        return None;
    }
    let reason = format!(
        "interface endpoints skipped for cost: {} endpoints x {} AZs = {}/month against {} of NAT processing saved minus {} of endpoint processing at {} GB/month of NAT traffic ({}% to AWS services): net {}/month; break-even at {}",
        services.len(),
        azs,
        usd(figures.fixed_interface_monthly_usd),
        usd(figures.nat_processing_saved_usd),
        usd(figures.interface_processing_usd),
        nat_gb_per_month,
        (source.aws_share * 100.0).round(),
        usd(figures.net_monthly_saving_usd),
        figures
            .break_even_nat_gb_per_month
            .map(|gb| format!("{gb} GB/month"))
            .unwrap_or_else(|| "no traffic level".to_string()),
    );
    Some(CostDecision {
        skipped_services: services,
        nat_gb_per_month,
        aws_share: source.aws_share,
        gateway_share: source.gateway_share,
        figures,
        reason,
    })
}

fn dns_finding(vpc_id: &str, dns: DnsAttributes, may_enable: bool) -> Finding {
    let mut ids = vec![vpc_id.to_string()];
    if !dns.support {
        ids.push("enableDnsSupport".to_string());
    }
    if !dns.hostnames {
        ids.push("enableDnsHostnames".to_string());
    }
    if may_enable {
        Finding::fix(
            None,
            Drift::VpcDnsAttributesDisabled,
            ids,
            Remedy::EnableVpcDns {
                support: !dns.support,
                hostnames: !dns.hostnames,
            },
        )
    } else {
        Finding::report(
            None,
            Drift::VpcDnsAttributesDisabled,
            ids,
            "ENABLE_VPC_DNS=false: the guard may not change VPC DNS attributes, so private DNS cannot work",
        )
    }
}

fn plan_security_group(inv: &VpcInventory, group: &SecurityGroup) -> Vec<Finding> {
    let https_from = |rule: &IngressRule, cidr: &str| {
        rule.protocol == "tcp"
            && rule.from_port == Some(HTTPS_PORT)
            && rule.to_port == Some(HTTPS_PORT)
            && rule.source.strip_prefix("cidr:") == Some(cidr)
    };
    let cidrs = &inv.vpc.cidr_blocks;
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
                group_id: group.id.clone(),
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
                group_id: group.id.clone(),
                rules: unexpected,
            },
        ));
    }
    findings
}

/// Derived facts about one VPC, computed once and shared by every service's plan.
struct VpcContext<'a> {
    inv: &'a VpcInventory,
    /// Private route tables, sorted by id.
    private_route_tables: Vec<&'a str>,
    /// AZ → private subnet ids (sorted).
    private_subnets_by_az: BTreeMap<&'a str, Vec<&'a str>>,
    subnet_az: BTreeMap<&'a str, &'a str>,
}

impl<'a> VpcContext<'a> {
    fn new(inv: &'a VpcInventory) -> Self {
        let mut private_route_tables: Vec<&str> = inv
            .route_tables
            .iter()
            .filter(|t| t.is_private())
            .map(|t| t.id.as_str())
            .collect();
        private_route_tables.sort_unstable();
        let main = inv.route_tables.iter().find(|t| t.is_main);
        let mut private_subnets_by_az: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for subnet in &inv.subnets {
            let table = inv
                .route_tables
                .iter()
                .find(|t| t.subnet_ids.iter().any(|s| s == &subnet.id))
                .or(main);
            // No table at all (not yet observable): not known to be private, leave it alone.
            if table.is_some_and(|t| t.is_private()) {
                private_subnets_by_az
                    .entry(subnet.availability_zone.as_str())
                    .or_default()
                    .push(subnet.id.as_str());
            }
        }
        for ids in private_subnets_by_az.values_mut() {
            ids.sort_unstable();
        }
        let subnet_az = inv
            .subnets
            .iter()
            .map(|s| (s.id.as_str(), s.availability_zone.as_str()))
            .collect();
        Self {
            inv,
            private_route_tables,
            private_subnets_by_az,
            subnet_az,
        }
    }

    fn endpoints_of<'s>(&self, spec: &'s ServiceSpec) -> impl Iterator<Item = &'a Endpoint> + 's
    where
        'a: 's,
    {
        self.inv.endpoints.iter().filter(move |e| {
            e.endpoint_type == Some(spec.endpoint_type) && e.service_name == spec.service_name
        })
    }

    fn has_live_interface_endpoint(&self) -> bool {
        self.inv.endpoints.iter().any(|e| {
            e.endpoint_type == Some(EndpointType::Interface)
                && matches!(e.state, EndpointState::Live(_))
        })
    }

    /// One private subnet per AZ the service supports (an empty offer list means unknown: any AZ).
    /// (AZ, subnet) pairs in AZ order.
    fn subnets_for(&self, offer: &ServiceOffer) -> Vec<(&'a str, &'a str)> {
        self.private_subnets_by_az
            .iter()
            .filter(|(az, _)| {
                offer.availability_zones.is_empty() || offer.availability_zones.contains(**az)
            })
            .filter_map(|(az, ids)| ids.first().map(|id| (*az, *id)))
            .collect()
    }
}

/// The security group new interface endpoints of a VPC would get.
#[derive(Clone, Copy)]
enum GroupChoice<'a> {
    Existing(&'a str),
    Create,
    /// A group with the guard's name that the guard did not create: never used.
    NotOurs(&'a str),
}

struct ServicePlanInput<'a> {
    account_id: &'a str,
    spec: &'a ServiceSpec,
    offer: Option<&'a ServiceOffer>,
    interface_group: GroupChoice<'a>,
    can_request_private_dns: bool,
    /// A cost decision ruled out new interface endpoints in this VPC.
    skip_interface_creation: bool,
}

/// Returns (findings about the service's endpoint, duplicate findings to run last).
fn plan_service(
    ctx: &VpcContext<'_>,
    input: &ServicePlanInput<'_>,
) -> (Vec<Finding>, Vec<Finding>) {
    let spec = input.spec;
    let service = Some(spec.service_name.as_str());
    let vpc_id = ctx.inv.vpc.id.as_str();
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
    let mut findings = Vec::new();
    let mut duplicates = Vec::new();

    if !broken.is_empty() {
        let states: Vec<String> = broken
            .iter()
            .map(|e| match &e.state {
                EndpointState::Broken(s) | EndpointState::Live(s) | EndpointState::Gone(s) => {
                    format!("{} is {s}", e.id)
                }
            })
            .collect();
        findings.push(Finding::report(
            service,
            Drift::EndpointNotAvailable,
            broken.iter().map(|e| e.id.clone()).collect(),
            format!(
                "{}; a failed or rejected endpoint needs a human (delete it and the guard recreates it)",
                states.join(", ")
            ),
        ));
    }

    if live.is_empty() {
        if broken.is_empty() {
            findings.extend(plan_missing(ctx, input, vpc_id));
        }
        return (findings, duplicates);
    }

    // The oldest live endpoint is the one kept; the rest are duplicates.
    live.sort_by(|a, b| {
        (a.created_at.unwrap_or(i64::MAX), &a.id).cmp(&(b.created_at.unwrap_or(i64::MAX), &b.id))
    });
    let kept = live[0];
    let extras = &live[1..];
    if !extras.is_empty() {
        let (ours, theirs): (Vec<&Endpoint>, Vec<&Endpoint>) =
            extras.iter().copied().partition(|e| e.managed);
        if !ours.is_empty() {
            let ids: Vec<String> = ours.iter().map(|e| e.id.clone()).collect();
            let mut resource_ids = vec![kept.id.clone()];
            resource_ids.extend(ids.iter().cloned());
            let detach_route_tables: Vec<(String, Vec<String>)> = ours
                .iter()
                .filter(|e| !e.route_table_ids.is_empty())
                .map(|e| (e.id.clone(), e.route_table_ids.clone()))
                .collect();
            duplicates.push(Finding::fix(
                service,
                Drift::DuplicateEndpoint,
                resource_ids,
                Remedy::DeleteEndpoints {
                    endpoint_ids: ids,
                    detach_route_tables,
                },
            ));
            // Private tables only the deleted duplicates covered move to the kept endpoint,
            // after the deletion (a table holds one route per prefix list).
            if spec.endpoint_type == EndpointType::Gateway {
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
                if !move_over.is_empty() {
                    let mut ids = vec![kept.id.clone()];
                    ids.extend(move_over.iter().cloned());
                    duplicates.push(Finding::fix(
                        service,
                        Drift::RouteTableNotAssociated,
                        ids,
                        Remedy::AddRouteTables {
                            endpoint_id: kept.id.clone(),
                            route_table_ids: move_over,
                        },
                    ));
                }
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
    }

    match spec.endpoint_type {
        EndpointType::Gateway => {
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
            if !missing.is_empty() {
                let mut ids = vec![kept.id.clone()];
                ids.extend(missing.iter().cloned());
                findings.push(Finding::fix(
                    service,
                    Drift::RouteTableNotAssociated,
                    ids,
                    Remedy::AddRouteTables {
                        endpoint_id: kept.id.clone(),
                        route_table_ids: missing,
                    },
                ));
            }
        }
        EndpointType::Interface => {
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
                .filter(|(az, _)| !covered_azs.contains(az))
                .collect();
            if !missing.is_empty() {
                let subnet_ids: Vec<String> = missing.iter().map(|(_, s)| s.to_string()).collect();
                let mut ids = vec![kept.id.clone()];
                ids.extend(subnet_ids.iter().cloned());
                findings.push(Finding::fix(
                    service,
                    Drift::AzNotCovered,
                    ids,
                    Remedy::AddSubnets {
                        endpoint_id: kept.id.clone(),
                        subnet_ids,
                    },
                ));
            }
            if spec.private_dns && !kept.private_dns_enabled {
                let ids = vec![kept.id.clone()];
                findings.push(if !kept.managed {
                    Finding::report(
                        service,
                        Drift::PrivateDnsDisabled,
                        ids,
                        "endpoint was not created by vpce-guard; the guard only adds route tables or subnets to it",
                    )
                } else if !input.can_request_private_dns {
                    Finding::report(
                        service,
                        Drift::PrivateDnsDisabled,
                        ids,
                        "VPC DNS attributes are disabled and ENABLE_VPC_DNS=false",
                    )
                } else {
                    Finding::fix(
                        service,
                        Drift::PrivateDnsDisabled,
                        ids,
                        Remedy::EnablePrivateDns {
                            endpoint_id: kept.id.clone(),
                        },
                    )
                });
            }
        }
    }

    if let Some(wanted) = &spec.policy {
        let actual = kept
            .policy
            .as_deref()
            .and_then(|p| normalize_policy(&serde_json::Value::String(p.to_string())).ok());
        if actual.as_ref() != Some(wanted) {
            let ids = vec![kept.id.clone()];
            findings.push(if kept.managed {
                Finding::fix(
                    service,
                    Drift::PolicyMismatch,
                    ids,
                    Remedy::ReplacePolicy {
                        endpoint_id: kept.id.clone(),
                        policy: wanted.to_string(),
                    },
                )
            } else {
                Finding::report(
                    service,
                    Drift::PolicyMismatch,
                    ids,
                    "endpoint was not created by vpce-guard; its policy is left as its owner set it",
                )
            });
        }
    }
    (findings, duplicates)
}

fn plan_missing(ctx: &VpcContext<'_>, input: &ServicePlanInput<'_>, vpc_id: &str) -> Vec<Finding> {
    let spec = input.spec;
    let service = Some(spec.service_name.as_str());
    let Some(offer) = input
        .offer
        .filter(|o| o.types.is_empty() || o.types.contains(&spec.endpoint_type))
    else {
        return vec![Finding::report(
            service,
            Drift::MissingEndpoint,
            vec![vpc_id.to_string()],
            format!(
                "{} is not offered as a {} endpoint service in this region",
                spec.service_name,
                spec.endpoint_type.as_str()
            ),
        )];
    };
    let tombstones: Vec<String> = ctx
        .endpoints_of(spec)
        .filter(|e| matches!(e.state, EndpointState::Gone(_)))
        .map(|e| e.id.clone())
        .collect();
    let client_token = endpoint_client_token(
        input.account_id,
        vpc_id,
        &spec.service_name,
        spec.endpoint_type.as_str(),
        &tombstones,
    );
    let policy = spec.policy.as_ref().map(|p| p.to_string());
    match spec.endpoint_type {
        EndpointType::Gateway => {
            let mut ids = vec![vpc_id.to_string()];
            ids.extend(ctx.private_route_tables.iter().map(|t| t.to_string()));
            vec![Finding::fix(
                service,
                Drift::MissingEndpoint,
                ids,
                Remedy::CreateGatewayEndpoint {
                    service_name: spec.service_name.clone(),
                    route_table_ids: ctx
                        .private_route_tables
                        .iter()
                        .map(|t| t.to_string())
                        .collect(),
                    policy,
                    client_token,
                },
            )]
        }
        EndpointType::Interface => {
            // No private subnet yet: nothing to place an endpoint in; a CreateSubnet event brings it.
            // Or a cost decision (recorded on the plan) ruled the endpoint out.
            if ctx.private_subnets_by_az.is_empty() || input.skip_interface_creation {
                return Vec::new();
            }
            let subnets = ctx.subnets_for(offer);
            if subnets.is_empty() {
                return vec![Finding::report(
                    service,
                    Drift::MissingEndpoint,
                    vec![vpc_id.to_string()],
                    format!(
                        "no private subnet in an Availability Zone the service supports ({})",
                        offer
                            .availability_zones
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )];
            }
            let security_group = match input.interface_group {
                GroupChoice::Existing(id) => SecurityGroupRef::Existing(id.to_string()),
                GroupChoice::Create => SecurityGroupRef::CreateGuardManaged {
                    cidrs: ctx.inv.vpc.cidr_blocks.clone(),
                },
                GroupChoice::NotOurs(id) => {
                    return vec![Finding::report(
                        service,
                        Drift::MissingEndpoint,
                        vec![vpc_id.to_string()],
                        format!(
                            "security group {id} is named {GUARD_SECURITY_GROUP_NAME} but is not tagged vpce-guard:managed=true; rename it or tag it"
                        ),
                    )]
                }
            };
            let subnet_ids: Vec<String> = subnets.into_iter().map(|(_, s)| s.to_string()).collect();
            let mut ids = vec![vpc_id.to_string()];
            ids.extend(subnet_ids.iter().cloned());
            vec![Finding::fix(
                service,
                Drift::MissingEndpoint,
                ids,
                Remedy::CreateInterfaceEndpoint {
                    service_name: spec.service_name.clone(),
                    subnet_ids,
                    security_group,
                    private_dns: spec.private_dns && input.can_request_private_dns,
                    policy,
                    client_token,
                },
            )]
        }
    }
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
