//! Where in a baseline file an error is, so `vpce-guard baseline validate` can say
//! `file:12: services[2].type: …`. The error's variant says what it is about (serde_json's
//! position, a service index, a field path); this module only finds that spot in the text.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::BaselineError;

/// Where in a baseline file an error is: 1-based line and the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLocation {
    pub line: usize,
    pub field: String,
}

/// What an error points at in the document.
enum Subject<'e> {
    /// A syntax error's line, as serde_json reported it.
    Line(usize),
    /// A dotted path under a top-level field, e.g. `pricing.nat_gateway_hour`.
    Field(&'e str),
    /// The `services` list as a whole (or the document, when it is not about one entry).
    Services,
    /// Service entry `index`, or one key of it.
    Entry {
        index: usize,
        key: Option<&'static str>,
    },
}

impl<'e> Subject<'e> {
    fn of(error: &'e BaselineError) -> Option<Self> {
        let entry = |index: &usize, key| Subject::Entry { index: *index, key };
        Some(match error {
            // serde_json reports 0 when it has no position: nothing to point at.
            BaselineError::Syntax { line: 0, .. } => return None,
            BaselineError::Syntax { line, .. } => Subject::Line(*line),
            BaselineError::Field { field, .. } => Subject::Field(field),
            BaselineError::Parse(_) | BaselineError::Empty => Subject::Services,
            BaselineError::Entry { index, .. } => entry(index, None),
            BaselineError::EmptyName { index }
            | BaselineError::Duplicate { index, .. }
            | BaselineError::BadName { index, .. } => entry(index, Some("service")),
            BaselineError::GatewayNotOffered { index, .. } => entry(index, Some("type")),
            BaselineError::PrivateDnsOnGateway { index } => entry(index, Some("private_dns")),
            BaselineError::Policy { index, .. }
            | BaselineError::PolicyTooLong { index, .. }
            | BaselineError::PolicyTemplate { index, .. } => entry(index, Some("policy")),
            // Located within the profile's own text by `locate_in_profile`.
            BaselineError::Profile { .. } => return None,
        })
    }
}

/// Points a validation error at its line; None when the text does not show where it is (for
/// example, an error about the services list of a document whose `services` is not a list).
pub fn locate_error(text: &str, error: &BaselineError) -> Option<ErrorLocation> {
    if let BaselineError::Profile { profile, error } = error {
        return locate_in_profile(text, profile, error);
    }
    let at = |offset: usize, field: String| ErrorLocation {
        line: line_of(text, offset),
        field,
    };
    match Subject::of(error)? {
        Subject::Line(line) => Some(ErrorLocation {
            line,
            field: "(syntax)".to_string(),
        }),
        Subject::Field(field) => {
            let top = field.split('.').next().unwrap_or(field);
            let offset = text.find(&format!("\"{top}\""))?;
            Some(at(offset, field.to_string()))
        }
        Subject::Services => {
            service_entries(text)?;
            let offset = text.find("\"services\"").unwrap_or(0);
            Some(at(offset, "services".to_string()))
        }
        Subject::Entry { index, key } => {
            let entries = service_entries(text)?;
            let raw = entries.get(index)?.get();
            // The entry borrows from `text`, so its address gives its offset.
            let start = (raw.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
            Some(match key {
                None => at(start, format!("services[{index}]")),
                Some(key) => {
                    let within = raw.find(&format!("\"{key}\"")).unwrap_or(0);
                    at(start + within, format!("services[{index}].{key}"))
                }
            })
        }
    }
}

/// An error inside profile `profile` of the profiles form: located within that profile's text,
/// then moved to its place in the whole file, its field under `profiles.NAME.`.
fn locate_in_profile(text: &str, profile: &str, error: &BaselineError) -> Option<ErrorLocation> {
    #[derive(Deserialize)]
    struct Set<'a> {
        #[serde(borrow)]
        profiles: BTreeMap<String, &'a RawValue>,
    }
    let set: Set<'_> = serde_json::from_str(text).ok()?;
    let raw = set.profiles.get(profile)?.get();
    // The profile borrows from `text`, so its address gives its offset.
    let start = (raw.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let within = locate_error(raw, error).unwrap_or(ErrorLocation {
        line: 1,
        field: String::new(),
    });
    let field = if within.field.is_empty() {
        format!("profiles.{profile}")
    } else {
        format!("profiles.{profile}.{}", within.field)
    };
    Some(ErrorLocation {
        line: line_of(text, start) + within.line - 1,
        field,
    })
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The raw service entries of either document form (a bare list or `{"services": [...]}`),
/// borrowed from `text`; None when the text holds no list of services.
fn service_entries(text: &str) -> Option<Vec<&RawValue>> {
    #[derive(Deserialize)]
    struct Doc<'a> {
        #[serde(borrow)]
        services: Vec<&'a RawValue>,
    }
    match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(list) => Some(list),
        Err(_) => serde_json::from_str::<Doc<'_>>(text)
            .ok()
            .map(|doc| doc.services),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::BaselineDocument;

    #[test]
    fn errors_point_at_the_line_of_the_bad_field() {
        let text = "{\n  \"services\": [\n    {\"service\": \"s3\", \"type\": \"Gateway\"},\n    {\n      \"service\": \"logs\",\n      \"type\": \"Gateway\"\n    }\n  ]\n}\n";
        let err = BaselineDocument::parse(text).unwrap_err();
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 6,
                field: "services[1].type".into()
            })
        );
        let syntax = "{\n  \"services\": [\n    {\"service\": \"s3\",, }\n  ]\n}";
        let err = BaselineDocument::parse(syntax).unwrap_err();
        assert_eq!(locate_error(syntax, &err).map(|l| l.line), Some(3));
        let unknown = "[\n {\"service\": \"s3\", \"type\": \"Gateway\"},\n {\"service\": \"logs\", \"type\": \"Interface\", \"colour\": 1}\n]";
        let err = BaselineDocument::parse(unknown).unwrap_err();
        assert_eq!(
            locate_error(unknown, &err),
            Some(ErrorLocation {
                line: 3,
                field: "services[1]".into()
            })
        );
        let pricing = "{\"services\": [{\"service\": \"s3\", \"type\": \"Gateway\"}],\n\"pricing\": {\"nat_gateway_hour\": -1}}";
        let err = BaselineDocument::parse(pricing).unwrap_err();
        assert_eq!(
            locate_error(pricing, &err),
            Some(ErrorLocation {
                line: 2,
                field: "pricing.nat_gateway_hour".into()
            })
        );
    }

    #[test]
    fn text_inside_an_error_message_does_not_move_the_location() {
        // The unknown key reads like serde_json's position suffix; the entry's line still wins.
        let text = "[\n {\"service\": \"s3\", \"type\": \"Gateway\", \"x at line 9 y\": 1}\n]";
        let err = BaselineDocument::parse(text).unwrap_err();
        assert!(err.to_string().contains("at line 9"), "{err}");
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 2,
                field: "services[0]".into()
            })
        );
    }

    #[test]
    fn errors_about_the_whole_list_point_at_services() {
        let text = "{\n  \"services\": []\n}";
        let err = BaselineDocument::parse(text).unwrap_err();
        assert_eq!(err, BaselineError::Empty);
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 2,
                field: "services".into()
            })
        );
        // `services` is not a list: the text does not say where the entries would be.
        let text = "{\"services\": {}}";
        let err = BaselineDocument::parse(text).unwrap_err();
        assert_eq!(locate_error(text, &err), None);
    }

    #[test]
    fn errors_inside_a_profile_point_at_its_line() {
        use crate::baseline::ProfileSet;
        let text = "{\n  \"default_profile\": \"web\",\n  \"profiles\": {\n    \"web\": {\"preset\": \"ssm\"},\n    \"eks\": {\n      \"preset\": \"eks\",\n      \"services\": [\n        {\"service\": \"sqs\", \"type\": \"Interface\"},\n        {\"service\": \"kms\",\n         \"type\": \"Gateway\"}\n      ]\n    }\n  }\n}";
        let err = ProfileSet::parse(text).unwrap_err();
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 10,
                field: "profiles.eks.services[1].type".into()
            })
        );
        let text = "{\"profiles\": {\n\"default\": {\"preset\": \"nope\"}}}";
        let err = ProfileSet::parse(text).unwrap_err();
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 2,
                field: "profiles.default.preset".into()
            })
        );
        let text =
            "{\"default_profile\": \"x\",\n\"profiles\": {\"default\": {\"preset\": \"ssm\"}}}";
        let err = ProfileSet::parse(text).unwrap_err();
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 1,
                field: "default_profile".into()
            })
        );
    }
}
