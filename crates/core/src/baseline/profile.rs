//! One profile: a full baseline document, or a shipped preset named by `preset` and extended by
//! the profile's own `services` (an entry for a service and endpoint type the preset already
//! has replaces the preset's entry, e.g. to give the S3 gateway a policy), with the document's
//! other fields (`interface_endpoints`, `pricing`, `nat_traffic`...) as usual.

use serde_json::{Map, Value};

use super::presets::{preset, preset_names};
use super::{short_name, BaselineDocument, ServiceEntry};
use crate::error::BaselineError;

/// The field naming a preset in a profile.
pub const PRESET_FIELD: &str = "preset";

/// Parses one profile into the document it stands for, validated; errors name fields as the
/// operator wrote them (an extra entry's index among the profile's own `services`).
pub fn parse_profile(value: Value) -> Result<BaselineDocument, BaselineError> {
    match value {
        Value::Object(mut map) if map.contains_key(PRESET_FIELD) => {
            let name = map.remove(PRESET_FIELD).unwrap_or(Value::Null);
            from_preset(&name, map)
        }
        other => BaselineDocument::from_value(other),
    }
}

/// `{"preset": NAME, ...document fields}`: the preset's services, then the extras.
fn from_preset(
    name: &Value,
    mut rest: Map<String, Value>,
) -> Result<BaselineDocument, BaselineError> {
    let unknown = |reason: String| BaselineError::Field {
        field: PRESET_FIELD.to_string(),
        reason,
    };
    let Value::String(name) = name else {
        return Err(unknown(format!(
            "must be a preset name (one of {})",
            preset_names()
        )));
    };
    let preset = preset(name).ok_or_else(|| {
        unknown(format!(
            "names unknown preset {name:?} (expected one of {})",
            preset_names()
        ))
    })?;
    rest.entry("services")
        .or_insert_with(|| Value::Array(Vec::new()));
    let mut doc = BaselineDocument::from_value_unvalidated(Value::Object(rest))?;
    let extras = std::mem::take(&mut doc.services);
    let (services, origins) = extend(preset.entries(), extras)?;
    doc.services = services;
    // Errors about an entry point at the extra it came from; preset entries are valid.
    doc.validate()
        .map_err(|e| e.map_index(|i| origins.get(i).copied().flatten().unwrap_or(i)))?;
    Ok(doc)
}

/// The preset's entries with each extra replacing the entry of the same short name and type
/// in place, or appended; with, per entry, the index of the extra it came from.
fn extend(
    mut services: Vec<ServiceEntry>,
    extras: Vec<ServiceEntry>,
) -> Result<(Vec<ServiceEntry>, Vec<Option<usize>>), BaselineError> {
    let mut origins: Vec<Option<usize>> = vec![None; services.len()];
    for (index, extra) in extras.into_iter().enumerate() {
        let same = |e: &ServiceEntry| {
            short_name(&e.service) == short_name(&extra.service)
                && e.endpoint_type == extra.endpoint_type
        };
        match services.iter().position(same) {
            // Two extras for one service: the second would silently win, so it is an error.
            Some(at) if origins[at].is_some() => {
                return Err(BaselineError::Duplicate {
                    index,
                    name: extra.service,
                })
            }
            Some(at) => {
                services[at] = extra;
                origins[at] = Some(index);
            }
            None => {
                services.push(extra);
                origins.push(Some(index));
            }
        }
    }
    Ok((services, origins))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::baseline::presets::{EKS, SSM};
    use crate::baseline::{EndpointType, InterfacePolicy};

    #[test]
    fn a_bare_preset_is_the_preset() {
        let doc = parse_profile(json!({"preset": "ssm"})).unwrap();
        assert_eq!(doc, SSM.document());
    }

    #[test]
    fn extras_are_appended_and_replace_the_presets_entry_in_place() {
        let doc = parse_profile(json!({
            "preset": "eks",
            "services": [
                {"service": "sqs", "type": "Interface"},
                {"service": "s3", "type": "Gateway", "policy": "ecr-image-layers"},
                {"service": "com.amazonaws.{region}.logs", "type": "Interface", "private_dns": false}
            ],
            "interface_endpoints": "when_cost_effective"
        }))
        .unwrap();
        assert_eq!(doc.services.len(), EKS.services.len() + 1);
        assert_eq!(doc.services[0].service, "s3");
        assert_eq!(doc.services[0].policy, Some(json!("ecr-image-layers")));
        let logs = doc
            .services
            .iter()
            .find(|e| short_name(&e.service) == "logs");
        assert_eq!(logs.and_then(|e| e.private_dns), Some(false));
        let last = doc.services.last().unwrap();
        assert_eq!(
            (last.service.as_str(), last.endpoint_type),
            ("sqs", EndpointType::Interface)
        );
        assert_eq!(doc.interface_endpoints, InterfacePolicy::WhenCostEffective);
    }

    #[test]
    fn an_extra_of_another_type_is_added_not_replaced() {
        let doc = parse_profile(json!({
            "preset": "eks",
            "services": [{"service": "s3", "type": "Interface"}]
        }))
        .unwrap();
        let s3: Vec<EndpointType> = doc
            .services
            .iter()
            .filter(|e| e.service == "s3")
            .map(|e| e.endpoint_type)
            .collect();
        assert_eq!(s3, [EndpointType::Gateway, EndpointType::Interface]);
    }

    #[test]
    fn errors_point_at_the_extra_entry_the_operator_wrote() {
        let err = parse_profile(json!({
            "preset": "ssm",
            "services": [
                {"service": "sqs", "type": "Interface"},
                {"service": "kms", "type": "Gateway"}
            ]
        }))
        .unwrap_err();
        assert_eq!(
            err,
            BaselineError::GatewayNotOffered {
                index: 1,
                name: "kms".into()
            }
        );
        let err = parse_profile(json!({
            "preset": "ssm",
            "services": [
                {"service": "ssm", "type": "Interface"},
                {"service": "ssm", "type": "Interface", "private_dns": false}
            ]
        }))
        .unwrap_err();
        assert!(
            matches!(err, BaselineError::Duplicate { index: 1, .. }),
            "{err:?}"
        );
        let err =
            parse_profile(json!({"preset": "ssm", "services": [{"service": "x", "type": "Nope"}]}))
                .unwrap_err();
        assert!(
            matches!(err, BaselineError::Entry { index: 0, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_presets_and_fields_are_errors() {
        let err = parse_profile(json!({"preset": "ekss"})).unwrap_err();
        assert!(matches!(&err, BaselineError::Field { field, .. } if field == "preset"));
        assert!(err.to_string().contains("\"ekss\""), "{err}");
        let err = parse_profile(json!({"preset": 3})).unwrap_err();
        assert!(matches!(&err, BaselineError::Field { field, .. } if field == "preset"));
        let err = parse_profile(json!({"preset": "ssm", "colour": "red"})).unwrap_err();
        assert!(err.to_string().contains("`colour`"), "{err}");
    }

    #[test]
    fn a_document_profile_is_parsed_as_today() {
        let doc = parse_profile(json!([{"service": "s3", "type": "Gateway"}])).unwrap();
        assert_eq!(doc.services.len(), 1);
        assert_eq!(
            parse_profile(json!({"services": []})),
            Err(BaselineError::Empty)
        );
    }
}
