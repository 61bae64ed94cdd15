//! The desired state: which endpoint services every VPC must have, and how.
//!
//! - `document`: the baseline as written ([`BaselineDocument`]) and its parsing;
//! - `validate`: the rules it must meet, checked at parse time;
//! - `resolve`: the [`Baseline`] for one region (and account), which the planner reads;
//! - `locate`: where in the file an error is ([`locate_error`]), from the error's own fields;
//! - `presets`: the shipped endpoint sets (`ecs-fargate`, `eks`, `ssm`, ...);
//! - `profile` and `profiles`: named baselines ([`ProfileSet`]), each a document or a preset
//!   with extras; `selection`: which profile a VPC gets ([`select_profile`]);
//!   `region_baselines`: every profile resolved for one account and Region ([`RegionBaselines`]);
//! - `policy_templates` and `placeholders`: endpoint policies as presets or templates
//!   ([`PolicyTemplate`], [`PolicyVariables`]); `policy_equivalence`: comparing policies as IAM
//!   reads them ([`policies_equivalent`]).

mod document;
mod locate;
mod placeholders;
mod policy_equivalence;
mod policy_templates;
mod presets;
mod profile;
mod profiles;
mod region_baselines;
mod resolve;
mod selection;
mod validate;

pub use document::{
    BaselineDocument, CloudwatchReads, EndpointType, InterfacePolicy, NatTrafficSource,
    ServiceEntry, DOCUMENT_FIELDS,
};
pub use locate::{locate_error, ErrorLocation};
pub use placeholders::{partition_of, PolicyVariables, PLACEHOLDERS};
pub use policy_equivalence::policies_equivalent;
pub use policy_templates::{PolicyPreset, PolicyTemplate, POLICY_PRESET_NAMES};
pub use presets::{
    preset, preset_names, preset_service_names, Preset, ECS_FARGATE, EKS, LAMBDA, PRESETS,
    SECURITY_HUB, SSM,
};
pub use profile::PRESET_FIELD;
pub use profiles::{ProfileSet, DEFAULT_PROFILE, PROFILE_SET_FIELDS};
pub use region_baselines::{RegionBaselines, VpcBaseline};
pub use resolve::{short_name, Baseline, ServiceSpec};
pub use selection::{
    select_profile, AccountProfiles, ProfileSelection, ProfileSource, PROFILE_TAG_KEY,
};
pub use validate::{normalize_policy, MAX_POLICY_CHARS};
