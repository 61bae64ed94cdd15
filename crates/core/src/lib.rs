//! vpce-guard's pure core: a desired baseline and an observed inventory in, a plan of findings
//! and remedies out, with the notices that tell people about it. No AWS types and no I/O: the
//! compiler keeps them out (this crate depends on serde, serde_json, sha2 and thiserror only),
//! and every rule is unit-tested in microseconds.
//!
//! - vocabulary: [`baseline`] (the desired endpoint set), [`model`] (what EC2 shows),
//!   [`policy`] (run settings: mode, exemptions), [`counters`] (the one set of run counters),
//!   [`ec2_action`] (the EC2 actions the guard sends);
//! - decisions: [`planner`] (findings and remedies per VPC), [`cost`], [`traffic`] (NAT traffic
//!   figures), [`usage`] (measured endpoint use, verified savings, pruning), [`token`] (idempotency), [`event_path`] (whether CloudTrail feeds the events);
//! - messages: [`events`] (EventBridge triggers), [`notice`] (what is published), [`outbox`]
//!   (notices kept on a VPC tag when publishing failed), [`org`] (organization sweeps),
//!   [`security_hub`] (findings in the AWS Security Finding Format);
//! - [`ids`] and [`time`]: AWS id syntax, STS session names, RFC 3339;
//! - [`ports`]: what a guard run and an organization sweep need from the outside world,
//!   implemented by the adapters crate.

pub mod baseline;
pub mod cost;
pub mod counters;
pub mod ec2_action;
pub mod error;
pub mod event_path;
pub mod events;
pub mod ids;
pub mod model;
pub mod notice;
pub mod org;
pub mod outbox;
pub mod planner;
pub mod policy;
pub mod ports;
pub mod resource_id;
pub mod security_hub;
pub mod time;
pub mod token;
pub mod traffic;
pub mod usage;
