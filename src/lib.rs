//! vpce-guard: keeps the standard VPC endpoint set present and healthy in every VPC.
//!
//! The crate is laid out as ports and adapters:
//! - the pure core ([`baseline`], [`model`], [`planner`], [`notice`], [`events`]) turns a desired
//!   baseline and an observed inventory into a plan of findings and remedies, with no AWS types;
//! - [`ports`] declares what the core needs from the outside world;
//! - [`adapters`] implement those ports with the AWS SDK (EC2, SNS);
//! - [`guard`] runs the observe → plan → act → notify loop, and [`handlers`] wires it to Lambda.

pub mod adapters;
pub mod baseline;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod cost;
pub mod error;
pub mod events;
pub mod fleet;
pub mod functions;
pub mod guard;
pub mod handlers;
pub mod model;
pub mod notice;
pub mod org;
pub mod outbox;
pub mod planner;
pub mod ports;
pub mod token;
