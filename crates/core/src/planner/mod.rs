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
//!
//! Layout: the plan's vocabulary ([`Drift`], [`Remedy`], [`Finding`], [`VpcPlan`]) has one file
//! per type family; [`plan_vpc`] in `orchestration` runs the rule families in the order their
//! remedies must be applied — VPC DNS attributes (`dns`), the endpoints' security group
//! (`security_group`), each baseline service's existing endpoints (`service`) or its missing
//! one (`missing`), duplicates last — and prices every remedy (`cost`). VPCs owned by another
//! account (shared through RAM), exempt or released are skipped; `release` plans what the guard
//! gives back when its resources block a `DeleteVpc` or `DeleteSubnet`; `prune_hold` keeps a
//! service (or AZ) the guard pruned for lack of use out of the VPC's baseline.

mod context;
mod cost;
mod dns;
mod dns_budget;
mod drift;
mod finding;
mod ip_type;
mod missing;
mod orchestration;
mod prune_hold;
mod release;
mod release_tag;
mod remedy;
mod security_group;
mod service;

pub use cost::{remedy_monthly_cost, CostDecision};
pub use dns_budget::dns_reads_worth_making;
pub use drift::Drift;
pub use finding::{Finding, FindingUsage, VpcPlan, VpcStatus};
pub use orchestration::{
    is_exempt, is_not_owned, plan_region, plan_vpc, plan_vpc_without_profile, PlannerOptions,
};
pub use prune_hold::{PruneHold, PRUNED_TAG_PREFIX, WHOLE_ENDPOINT};
pub use release::{plan_subnet_release, plan_vpc_release, EndpointMove, SubnetRelease, VpcRelease};
pub use release_tag::ReleaseTag;
pub use remedy::{Remedy, SecurityGroupRef};

#[cfg(test)]
mod tests;
