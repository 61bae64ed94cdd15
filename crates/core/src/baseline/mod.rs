//! The desired state: which endpoint services every VPC must have, and how.
//!
//! - `document`: the baseline as written ([`BaselineDocument`]) and its parsing;
//! - `validate`: the rules it must meet, checked at parse time;
//! - `resolve`: the [`Baseline`] for one region, which the planner reads;
//! - `locate`: where in the file an error is ([`locate_error`]), from the error's own fields.

mod document;
mod locate;
mod resolve;
mod validate;

pub use document::{
    BaselineDocument, CloudwatchReads, EndpointType, InterfacePolicy, NatTrafficSource,
    ServiceEntry, DOCUMENT_FIELDS,
};
pub use locate::{locate_error, ErrorLocation};
pub use resolve::{short_name, Baseline, ServiceSpec};
pub use validate::{normalize_policy, MAX_POLICY_CHARS};
