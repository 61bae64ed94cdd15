//! The integration tests, one binary (linked once against the AWS SDK crates): the Lambda entry
//! points and the CLI against a real moto server that each test starts on a free loopback port
//! (`common`), one module per area.

mod common;

mod central_endpoints;
mod cli;
mod cli_pipeline;
mod compliance_sweep;
mod dual_stack;
mod estates;
mod event_coverage;
mod event_path;
mod event_props;
mod metrics;
mod nat_traffic;
mod network_events;
mod org_ledger;
mod organization;
mod pacing;
mod profiles;
mod reliability;
mod security_hub;
mod usage;
