//! Named profiles: different baselines for different VPCs from one `GUARD_BASELINE`.
//!
//! `GUARD_BASELINE` holds one of:
//! - today's single document (`{"services": [...]}` or a bare list), parsed exactly as before,
//!   or a single preset reference (`{"preset": "eks", ...}`): one profile named `default`;
//! - `{"default_profile": NAME, "profiles": {NAME: PROFILE, ...}}`, each profile a document or
//!   a preset reference (`profile`). `default_profile` may be left out when a profile is
//!   named `default`.
//!
//! Which profile a VPC gets is `selection`'s business.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::document::parse_json;
use super::profile::{parse_profile, PRESET_FIELD};
use super::{short_name, Baseline, BaselineDocument, PolicyVariables};
use crate::error::{BaselineError, ResolveError};

/// The profile a single document becomes, and the default `default_profile`.
pub const DEFAULT_PROFILE: &str = "default";
/// Top-level fields of the profiles form.
pub const PROFILE_SET_FIELDS: &[&str] = &["default_profile", "profiles"];

/// Every profile of a deployment, validated, with the one VPCs get when nothing else applies.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSet {
    default_profile: String,
    profiles: BTreeMap<String, BaselineDocument>,
}

impl ProfileSet {
    /// One document as the profile `default`.
    pub fn single(doc: BaselineDocument) -> Self {
        Self {
            default_profile: DEFAULT_PROFILE.to_string(),
            profiles: BTreeMap::from([(DEFAULT_PROFILE.to_string(), doc)]),
        }
    }

    /// The standard baseline as the only profile, for when `GUARD_BASELINE` is unset.
    pub fn standard() -> Self {
        Self::single(BaselineDocument::standard())
    }

    /// Parses `GUARD_BASELINE` in either form; an error inside a profile names it
    /// (`profiles.eks.services[2].service`).
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        match parse_json(text)? {
            Value::Object(map) if PROFILE_SET_FIELDS.iter().any(|f| map.contains_key(*f)) => {
                Self::from_profiles(map)
            }
            value @ Value::Object(_) if value.get(PRESET_FIELD).is_some() => {
                parse_profile(value).map(Self::single)
            }
            // Today's document, with today's errors.
            value => BaselineDocument::from_value(value).map(Self::single),
        }
    }

    /// The name of the profile VPCs get when neither a tag nor `ACCOUNT_PROFILES` picks one.
    pub fn default_profile(&self) -> &str {
        &self.default_profile
    }

    pub fn get(&self, name: &str) -> Option<&BaselineDocument> {
        self.profiles.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.profiles.contains_key(name)
    }

    /// Profile names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    pub fn profiles(&self) -> &BTreeMap<String, BaselineDocument> {
        &self.profiles
    }

    /// Every service (short name) any profile wants: what the guard's IAM condition and the
    /// template's allowed services must cover.
    pub fn service_names(&self) -> BTreeSet<String> {
        self.profiles
            .values()
            .flat_map(|doc| doc.services.iter())
            .map(|entry| short_name(&entry.service).to_string())
            .collect()
    }

    /// Whether some profile's endpoint policy needs `${org_id}` (the deployment then learns the
    /// organization's id, from `ORG_ID` or Organizations).
    pub fn uses_org_id(&self) -> bool {
        self.profiles
            .values()
            .flat_map(|doc| doc.services.iter())
            .filter_map(|entry| entry.policy.as_ref())
            .filter_map(|policy| super::PolicyTemplate::parse(policy).ok())
            .any(|template| template.placeholders().iter().any(|p| p == "org_id"))
    }

    /// Every profile resolved for one account and region; a profile whose policies cannot be
    /// filled (e.g. no organization id) is an error for its VPCs only.
    pub fn resolve_all(
        &self,
        vars: &PolicyVariables,
    ) -> BTreeMap<String, Result<Baseline, ResolveError>> {
        self.profiles
            .iter()
            .map(|(name, doc)| (name.clone(), doc.resolve_with(vars)))
            .collect()
    }

    /// `{"default_profile": ..., "profiles": {...}}`.
    fn from_profiles(mut map: Map<String, Value>) -> Result<Self, BaselineError> {
        if let Some(unknown) = map
            .keys()
            .find(|k| !PROFILE_SET_FIELDS.contains(&k.as_str()))
        {
            return Err(BaselineError::Parse(format!(
                "unknown top-level field `{unknown}` (expected {})",
                PROFILE_SET_FIELDS.join(", ")
            )));
        }
        let field = |field: &str, reason: String| BaselineError::Field {
            field: field.to_string(),
            reason,
        };
        let entries = match map.remove("profiles") {
            Some(Value::Object(entries)) if !entries.is_empty() => entries,
            Some(Value::Object(_)) => {
                return Err(field("profiles", "must name at least one profile".into()))
            }
            Some(_) => {
                return Err(field(
                    "profiles",
                    "must be an object of profile name to profile".into(),
                ))
            }
            None => return Err(BaselineError::Parse("missing field `profiles`".into())),
        };
        let mut profiles = BTreeMap::new();
        for (name, value) in entries {
            if let Some(reason) = invalid_profile_name(&name) {
                return Err(field(&format!("profiles.{name}"), reason.to_string()));
            }
            let doc = parse_profile(value).map_err(|error| BaselineError::Profile {
                profile: name.clone(),
                error: Box::new(error),
            })?;
            profiles.insert(name, doc);
        }
        let known = || profiles.keys().cloned().collect::<Vec<_>>().join(", ");
        let default_profile = match map.remove("default_profile") {
            Some(Value::String(name)) if profiles.contains_key(&name) => name,
            Some(Value::String(name)) => {
                return Err(field(
                    "default_profile",
                    format!("names unknown profile {name:?} (profiles: {})", known()),
                ))
            }
            Some(_) => {
                return Err(field(
                    "default_profile",
                    "must be a profile name (a string)".into(),
                ))
            }
            None if profiles.contains_key(DEFAULT_PROFILE) => DEFAULT_PROFILE.to_string(),
            None => {
                return Err(field(
                    "default_profile",
                    format!(
                        "is required when no profile is named `{DEFAULT_PROFILE}` (profiles: {})",
                        known()
                    ),
                ))
            }
        };
        Ok(Self {
            default_profile,
            profiles,
        })
    }
}

/// Profile names travel in VPC tags and logs: 1 to 64 letters, digits, `-`, `_` or `.`.
fn invalid_profile_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 64 {
        return Some("is not a valid profile name: it must have 1 to 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Some(
            "is not a valid profile name: only letters, digits, '-', '_' and '.' are allowed",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::presets::{EKS, SSM};
    use crate::baseline::EndpointType;

    const SET: &str = r#"{
        "default_profile": "web",
        "profiles": {
            "web": {"services": [{"service": "s3", "type": "Gateway"}, {"service": "logs", "type": "Interface"}]},
            "eks": {"preset": "eks", "services": [{"service": "s3", "type": "Gateway", "policy": "org-only"}]},
            "ssm": {"preset": "ssm"}
        }
    }"#;

    #[test]
    fn todays_document_is_the_default_profile() {
        for text in [
            r#"{"services":[{"service":"s3","type":"Gateway"}]}"#,
            r#"[{"service":"s3","type":"Gateway"}]"#,
        ] {
            let set = ProfileSet::parse(text).unwrap();
            assert_eq!(set.default_profile(), DEFAULT_PROFILE);
            assert_eq!(set.names().collect::<Vec<_>>(), [DEFAULT_PROFILE]);
            assert_eq!(
                set.get(DEFAULT_PROFILE),
                Some(&BaselineDocument::parse(text).unwrap())
            );
        }
        assert_eq!(
            ProfileSet::standard().get(DEFAULT_PROFILE),
            Some(&BaselineDocument::standard())
        );
    }

    #[test]
    fn todays_errors_are_unchanged() {
        for text in [
            "not json",
            "[]",
            r#"{"servics":[]}"#,
            r#"[{"service":"logs","type":"Gateway"}]"#,
        ] {
            assert_eq!(
                ProfileSet::parse(text).unwrap_err(),
                BaselineDocument::parse(text).unwrap_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_single_preset_reference_is_the_default_profile() {
        let set = ProfileSet::parse(r#"{"preset": "ssm"}"#).unwrap();
        assert_eq!(set.get(DEFAULT_PROFILE), Some(&SSM.document()));
    }

    #[test]
    fn the_profiles_form_parses_every_profile() {
        let set = ProfileSet::parse(SET).unwrap();
        assert_eq!(set.default_profile(), "web");
        assert_eq!(set.names().collect::<Vec<_>>(), ["eks", "ssm", "web"]);
        let eks = set.get("eks").unwrap();
        assert_eq!(eks.services.len(), EKS.services.len());
        assert_eq!(eks.services[0].policy, Some(serde_json::json!("org-only")));
        assert_eq!(set.get("ssm"), Some(&SSM.document()));
        assert_eq!(
            set.get("web").map(|d| d.services[1].endpoint_type),
            Some(EndpointType::Interface)
        );
    }

    #[test]
    fn default_profile_defaults_to_a_profile_named_default_only() {
        let set = ProfileSet::parse(
            r#"{"profiles": {"default": {"preset": "ssm"}, "eks": {"preset": "eks"}}}"#,
        )
        .unwrap();
        assert_eq!(set.default_profile(), "default");
        let err = ProfileSet::parse(r#"{"profiles": {"eks": {"preset": "eks"}}}"#).unwrap_err();
        assert!(matches!(&err, BaselineError::Field { field, .. } if field == "default_profile"));
    }

    #[test]
    fn bad_profile_sets_name_the_field() {
        let cases = [
            (
                r#"{"default_profile": "nope", "profiles": {"a": {"preset": "ssm"}}}"#,
                "field `default_profile` names unknown profile \"nope\" (profiles: a)",
            ),
            (
                r#"{"default_profile": 1, "profiles": {"a": {"preset": "ssm"}}}"#,
                "field `default_profile` must be",
            ),
            (r#"{"default_profile": "a"}"#, "missing field `profiles`"),
            (
                r#"{"default_profile": "a", "profiles": {}}"#,
                "field `profiles` must name at least one",
            ),
            (
                r#"{"default_profile": "a", "profiles": []}"#,
                "field `profiles` must be an object",
            ),
            (
                r#"{"default_profile": "a", "profiles": {"a b": {"preset": "ssm"}}}"#,
                "field `profiles.a b` is not a valid profile name",
            ),
            (
                r#"{"profiles": {"default": {"preset": "ssm"}}, "services": []}"#,
                "unknown top-level field `services`",
            ),
        ];
        for (text, expected) in cases {
            let err = ProfileSet::parse(text).expect_err(text).to_string();
            assert!(err.contains(expected), "{text}: {err} lacks {expected}");
        }
    }

    #[test]
    fn errors_inside_a_profile_name_the_profile() {
        let text = r#"{"default_profile": "eks", "profiles": {"eks": {"preset": "eks", "services": [
            {"service": "sqs", "type": "Interface"},
            {"service": "kms", "type": "Interface"},
            {"service": "Bad!", "type": "Interface"}
        ]}}}"#;
        let err = ProfileSet::parse(text).unwrap_err();
        let BaselineError::Profile { profile, error } = &err else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(profile, "eks");
        assert!(
            matches!(**error, BaselineError::BadName { index: 2, .. }),
            "{error:?}"
        );
        assert!(
            err.to_string()
                .starts_with("field `profiles.eks.services[2].service` = \"Bad!\""),
            "{err}"
        );
        let cases = [
            (
                r#"{"profiles": {"default": {"services": []}}}"#,
                "field `profiles.default.services` must list",
            ),
            (
                r#"{"profiles": {"default": {"preset": "nope"}}}"#,
                "field `profiles.default.preset` names unknown preset",
            ),
            (
                r#"{"profiles": {"default": [{"service": "s3", "type": "Gatewy"}]}}"#,
                "field `profiles.default.services[0]`",
            ),
            (
                r#"{"profiles": {"default": {"services": [{"service": "s3", "type": "Gateway"}], "colour": 1}}}"#,
                "unknown top-level field `profiles.default.colour`",
            ),
            (
                r#"{"profiles": {"default": 3}}"#,
                "field `profiles.default`: not valid JSON for a baseline",
            ),
            (
                r#"{"profiles": {"default": {"preset": "ssm", "services": [{"service": "ssm", "type": "Interface", "policy": "org-onyl"}]}}}"#,
                "field `profiles.default.services[0].policy` names unknown policy preset",
            ),
        ];
        for (text, expected) in cases {
            let err = ProfileSet::parse(text).expect_err(text).to_string();
            assert!(err.contains(expected), "{text}: {err} lacks {expected}");
        }
    }

    #[test]
    fn service_names_cover_every_profile() {
        let set = ProfileSet::parse(SET).unwrap();
        let names: Vec<String> = set.service_names().into_iter().collect();
        assert_eq!(
            names,
            [
                "autoscaling",
                "ec2",
                "ec2messages",
                "ecr.api",
                "ecr.dkr",
                "elasticloadbalancing",
                "logs",
                "s3",
                "ssm",
                "ssmmessages",
                "sts"
            ]
        );
    }

    #[test]
    fn resolve_all_resolves_each_profile_and_keeps_errors_per_profile() {
        let set = ProfileSet::parse(SET).unwrap();
        let vars = PolicyVariables::new("111122223333", "eu-west-1", "aws");
        let resolved = set.resolve_all(&vars);
        assert_eq!(resolved.len(), 3);
        assert_eq!(resolved["web"].as_ref().map(|b| b.services.len()), Ok(2));
        assert_eq!(
            resolved["ssm"].as_ref().map(|b| b.region.as_str()),
            Ok("eu-west-1")
        );
        // `eks` wants org-only on S3 but no organization id is known.
        assert!(matches!(&resolved["eks"], Err(e) if e.service == "s3"));
        let with_org = set.resolve_all(&vars.with_org_id("o-a1b2c3d4e5"));
        assert!(with_org.values().all(Result::is_ok));
    }

    #[test]
    fn org_id_use_is_detected_in_presets_and_templates() {
        let plain = ProfileSet::standard();
        assert!(!plain.uses_org_id());
        let preset = ProfileSet::parse(
            r#"[{"service":"s3","type":"Gateway","policy":["org-only","ecr-image-layers"]}]"#,
        )
        .unwrap();
        assert!(preset.uses_org_id());
        let layers_only =
            ProfileSet::parse(r#"[{"service":"s3","type":"Gateway","policy":"ecr-image-layers"}]"#)
                .unwrap();
        assert!(!layers_only.uses_org_id());
    }
}
