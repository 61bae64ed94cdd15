//! A service entry's `policy` as written, and the data-perimeter presets it may name.
//!
//! Accepted forms, told apart by their JSON type and first character:
//! - a JSON object: the policy itself (today's form);
//! - a string starting with `{` or `[`: JSON text holding the policy (today's other form; an
//!   array is rejected as before, since a policy is an object);
//! - any other string: one preset name, e.g. `"org-only"`;
//! - an array of strings: preset names, combined into one policy whose statements are theirs,
//!   in the listed order (`["org-only", "ecr-image-layers"]`).
//!
//! Either way the policy may hold placeholders (`placeholders`), filled in by [`PolicyTemplate::render`].

use serde_json::{json, Value};

use super::placeholders::{placeholders_in, substitute, PolicyVariables};
use super::{normalize_policy, MAX_POLICY_CHARS};
use crate::error::PolicyError;

/// The endpoint policies vpce-guard ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyPreset {
    /// Requests only by the organization's principals to the organization's resources, plus
    /// requests AWS services make on their own behalf. After the VPC endpoint policy of
    /// <https://github.com/aws-samples/data-perimeter-policy-examples>
    /// (`vpc_endpoint_policies/default_endpoint_policy.json`), without its third statement
    /// (principals tagged `dp:exclude:resource`), which needs a tagging scheme of its own.
    /// Needs `${org_id}`.
    OrgOnly,
    /// `s3:GetObject` on the bucket ECR keeps image layers in, for any principal: with a
    /// restrictive S3 gateway policy (such as `org-only`, since the bucket is AWS's) image pulls
    /// fail without it. Meant for the S3 gateway endpoint; see
    /// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms>.
    EcrImageLayers,
}

/// The preset names a policy may use.
pub const POLICY_PRESET_NAMES: &[&str] = &["org-only", "ecr-image-layers"];

impl PolicyPreset {
    pub fn name(self) -> &'static str {
        match self {
            PolicyPreset::OrgOnly => "org-only",
            PolicyPreset::EcrImageLayers => "ecr-image-layers",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "org-only" => Some(PolicyPreset::OrgOnly),
            "ecr-image-layers" => Some(PolicyPreset::EcrImageLayers),
            _ => None,
        }
    }

    /// The preset's statements, placeholders unfilled.
    pub fn statements(self) -> Vec<Value> {
        match self {
            PolicyPreset::OrgOnly => vec![
                json!({
                    "Sid": "AllowRequestsByOrgsIdentitiesToOrgsResources",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "aws:PrincipalOrgID": "${org_id}",
                            "aws:ResourceOrgID": "${org_id}"
                        }
                    }
                }),
                json!({
                    "Sid": "AllowRequestsByAWSServicePrincipals",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {
                        "Bool": {
                            "aws:PrincipalIsAWSService": "true"
                        }
                    }
                }),
            ],
            PolicyPreset::EcrImageLayers => vec![json!({
                "Sid": "AllowEcrImageLayerDownloads",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*"
            })],
        }
    }
}

/// A service's policy as written: a JSON policy (maybe with placeholders) or presets.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyTemplate {
    Document(Value),
    Presets(Vec<PolicyPreset>),
}

impl PolicyTemplate {
    /// Reads a `policy` field in any accepted form and checks its placeholders.
    pub fn parse(policy: &Value) -> Result<Self, PolicyError> {
        let template = match policy {
            Value::String(text) if looks_like_json(text) => {
                Self::Document(normalize_policy(policy).map_err(PolicyError::Json)?)
            }
            Value::String(name) => Self::Presets(vec![preset_named(name)?]),
            Value::Array(names) => Self::Presets(preset_list(names)?),
            other => Self::Document(normalize_policy(other).map_err(PolicyError::Json)?),
        };
        placeholders_in(&template.unfilled())?;
        Ok(template)
    }

    /// The policy with its placeholders as written (presets combined).
    pub fn unfilled(&self) -> Value {
        match self {
            Self::Document(policy) => policy.clone(),
            Self::Presets(presets) => json!({
                "Version": "2012-10-17",
                "Statement": presets
                    .iter()
                    .flat_map(|p| p.statements())
                    .collect::<Vec<_>>(),
            }),
        }
    }

    /// The placeholders the policy uses (e.g. whether it needs an organization id).
    pub fn placeholders(&self) -> Vec<String> {
        placeholders_in(&self.unfilled()).unwrap_or_default()
    }

    /// The policy for one account and region; too long for EC2 once filled is an error.
    pub fn render(&self, vars: &PolicyVariables) -> Result<Value, PolicyError> {
        let policy = substitute(&self.unfilled(), vars)?;
        let len = policy.to_string().chars().count();
        if len > MAX_POLICY_CHARS {
            return Err(PolicyError::TooLong { len });
        }
        Ok(policy)
    }
}

/// JSON text holds an object or an array; preset names start with a letter.
fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

fn preset_named(name: &str) -> Result<PolicyPreset, PolicyError> {
    PolicyPreset::from_name(name).ok_or_else(|| PolicyError::UnknownPreset {
        name: name.to_string(),
        expected: POLICY_PRESET_NAMES.join(", "),
    })
}

/// A non-empty list of distinct preset names.
fn preset_list(names: &[Value]) -> Result<Vec<PolicyPreset>, PolicyError> {
    if names.is_empty() {
        return Err(PolicyError::NoPresets);
    }
    let mut presets = Vec::with_capacity(names.len());
    for name in names {
        let preset = match name {
            Value::String(name) => preset_named(name)?,
            other => preset_named(&other.to_string())?,
        };
        if presets.contains(&preset) {
            return Err(PolicyError::DuplicatePreset {
                name: preset.name().to_string(),
            });
        }
        presets.push(preset);
    }
    Ok(presets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> PolicyVariables {
        PolicyVariables::new("111122223333", "eu-west-1", "aws")
    }

    #[test]
    fn every_preset_name_parses_to_its_preset() {
        for name in POLICY_PRESET_NAMES {
            let preset = PolicyPreset::from_name(name).unwrap();
            assert_eq!(preset.name(), *name);
            assert_eq!(
                PolicyTemplate::parse(&json!(name)),
                Ok(PolicyTemplate::Presets(vec![preset]))
            );
        }
    }

    #[test]
    fn org_only_fills_the_org_id_and_needs_one() {
        let template = PolicyTemplate::parse(&json!("org-only")).unwrap();
        assert_eq!(template.placeholders(), ["org_id"]);
        assert_eq!(template.render(&vars()), Err(PolicyError::MissingOrgId));
        let policy = template
            .render(&vars().with_org_id("o-a1b2c3d4e5"))
            .unwrap();
        assert_eq!(policy["Version"], "2012-10-17");
        let first = &policy["Statement"][0];
        assert_eq!(first["Sid"], "AllowRequestsByOrgsIdentitiesToOrgsResources");
        assert_eq!(
            first["Condition"]["StringEquals"],
            json!({"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:ResourceOrgID": "o-a1b2c3d4e5"})
        );
        assert_eq!(
            policy["Statement"][1]["Condition"]["Bool"]["aws:PrincipalIsAWSService"],
            "true"
        );
    }

    #[test]
    fn ecr_image_layers_names_the_regions_layer_bucket() {
        let policy = PolicyTemplate::parse(&json!("ecr-image-layers"))
            .unwrap()
            .render(&PolicyVariables::new(
                "111122223333",
                "cn-north-1",
                "aws-cn",
            ))
            .unwrap();
        assert_eq!(
            policy["Statement"][0]["Resource"],
            "arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket/*"
        );
        assert_eq!(policy["Statement"][0]["Action"], "s3:GetObject");
    }

    #[test]
    fn combined_presets_concatenate_their_statements_in_order() {
        let template = PolicyTemplate::parse(&json!(["org-only", "ecr-image-layers"])).unwrap();
        let policy = template
            .render(&vars().with_org_id("o-a1b2c3d4e5"))
            .unwrap();
        let sids: Vec<&str> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(
            sids,
            [
                "AllowRequestsByOrgsIdentitiesToOrgsResources",
                "AllowRequestsByAWSServicePrincipals",
                "AllowEcrImageLayerDownloads"
            ]
        );
    }

    #[test]
    fn todays_forms_still_parse_as_documents() {
        let object = json!({"Statement": [{"Effect": "Allow"}]});
        let text = json!(r#" {"Statement": [{"Effect": "Allow"}]}"#);
        assert_eq!(
            PolicyTemplate::parse(&object),
            Ok(PolicyTemplate::Document(object.clone()))
        );
        assert_eq!(
            PolicyTemplate::parse(&text),
            Ok(PolicyTemplate::Document(object))
        );
        assert!(matches!(
            PolicyTemplate::parse(&json!("[1]")),
            Err(PolicyError::Json(_))
        ));
        assert!(matches!(
            PolicyTemplate::parse(&json!("{oops")),
            Err(PolicyError::Json(_))
        ));
        assert!(matches!(
            PolicyTemplate::parse(&json!(3)),
            Err(PolicyError::Json(_))
        ));
    }

    #[test]
    fn bad_preset_lists_are_rejected() {
        let cases = [
            (json!("org-onyl"), "org-onyl"),
            (json!(["org-only", "nope"]), "nope"),
            (json!(["org-only", 7]), "7"),
        ];
        for (policy, name) in cases {
            let err = PolicyTemplate::parse(&policy).unwrap_err();
            assert!(
                matches!(&err, PolicyError::UnknownPreset { name: n, .. } if n == name),
                "{policy}: {err:?}"
            );
        }
        assert_eq!(
            PolicyTemplate::parse(&json!([])),
            Err(PolicyError::NoPresets)
        );
        assert_eq!(
            PolicyTemplate::parse(&json!(["org-only", "org-only"])),
            Err(PolicyError::DuplicatePreset {
                name: "org-only".into()
            })
        );
    }

    #[test]
    fn a_document_with_an_unknown_placeholder_is_rejected() {
        let policy = json!({"Statement": [{"Resource": "arn:aws:s3:::${bucket}/*"}]});
        assert_eq!(
            PolicyTemplate::parse(&policy),
            Err(PolicyError::UnknownPlaceholder {
                name: "bucket".into()
            })
        );
    }

    #[test]
    fn a_policy_too_long_once_filled_is_an_error() {
        // Short as written, over the cap once the long org id is in each of many statements.
        let statements: Vec<Value> = (0..300)
            .map(|_| json!({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "${org_id}"}}}))
            .collect();
        let template = PolicyTemplate::parse(&json!({ "Statement": statements })).unwrap();
        assert!(template.unfilled().to_string().len() <= MAX_POLICY_CHARS);
        let err = template
            .render(&vars().with_org_id(format!("o-{}", "a".repeat(32))))
            .unwrap_err();
        assert!(matches!(err, PolicyError::TooLong { len } if len > MAX_POLICY_CHARS));
    }
}
