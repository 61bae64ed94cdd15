//! `vpce-guard baseline show|validate`, and loading the baseline file the other commands take.

use std::path::{Path, PathBuf};

use vpce_guard_core::baseline::{
    locate_error, partition_of, BaselineDocument, PolicyVariables, ProfileSet,
};
use vpce_guard_core::error::BaselineError;

use crate::args::Output;
use crate::baseline_lint::{check_sizes, read_baseline_text, warnings};
use crate::error::CliError;
use crate::render::baseline::show_baseline;

/// The baseline profiles in `path` (one document, or `{"default_profile", "profiles"}`), or the
/// standard set; errors name the file, line and field.
pub fn load_profiles(path: Option<&PathBuf>) -> Result<ProfileSet, CliError> {
    let Some(path) = path else {
        return Ok(ProfileSet::standard());
    };
    let text = read_baseline_text(path)?;
    let profiles =
        ProfileSet::parse(&text).map_err(|e| CliError(describe_baseline_error(path, &text, &e)))?;
    check_sizes(path, &profiles)?;
    Ok(profiles)
}

/// The default profile's document of the file in `path` (the cost commands price one set).
pub fn load_baseline(path: Option<&PathBuf>) -> Result<BaselineDocument, CliError> {
    let profiles = load_profiles(path)?;
    profiles
        .get(profiles.default_profile())
        .cloned()
        .ok_or_else(|| CliError("the baseline has no default profile".to_string()))
}

/// The error's file, line and field; at most [`MAX_ERROR_CHARS`] of it, so a huge bad value is
/// never echoed whole.
fn describe_baseline_error(path: &Path, text: &str, error: &BaselineError) -> String {
    let line = match locate_error(text, error) {
        Some(at) => format!("{}:{}: {}: {error}", path.display(), at.line, at.field),
        None => format!("{}: {error}", path.display()),
    };
    crate::shown::shown(&line, MAX_ERROR_CHARS)
}

/// How much of a baseline error is printed.
const MAX_ERROR_CHARS: usize = 300;

/// What `baseline show` shows: a profile resolved for a Region (and account).
pub struct ShowWhat {
    pub region: String,
    pub profile: Option<String>,
    pub account_id: Option<String>,
    pub org_id: Option<String>,
}

/// `baseline show`: the effective baseline of a profile for a Region.
pub fn show(path: Option<&PathBuf>, what: &ShowWhat, output: Output) -> Result<u8, CliError> {
    let profiles = load_profiles(path)?;
    let name = what
        .profile
        .clone()
        .unwrap_or_else(|| profiles.default_profile().to_string());
    let doc = profiles.get(&name).ok_or_else(|| {
        CliError(format!(
            "no profile `{name}` (profiles: {})",
            profiles.names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let baseline = match &what.account_id {
        None => doc.resolve(&what.region),
        Some(account_id) => {
            let mut vars =
                PolicyVariables::new(account_id, &what.region, partition_of(&what.region));
            if let Some(org_id) = &what.org_id {
                vars = vars.with_org_id(org_id);
            }
            doc.resolve_with(&vars)
                .map_err(|e| CliError(format!("profile `{name}`: {e}")))?
        }
    };
    show_baseline(&name, &baseline, output);
    Ok(0)
}

/// `baseline validate`: checks a file; errors name the line and the field.
pub fn validate(file: &Path) -> Result<u8, CliError> {
    let text = read_baseline_text(file)?;
    match ProfileSet::parse(&text) {
        Ok(profiles) => {
            check_sizes(file, &profiles)?;
            for warning in warnings(&profiles) {
                eprintln!("warning: {}: {warning}", file.display());
            }
            let names: Vec<String> = profiles
                .profiles()
                .iter()
                .map(|(name, doc)| format!("{name} ({} service(s))", doc.services.len()))
                .collect();
            println!(
                "{}: valid baseline with {} profile(s): {}; default {}",
                file.display(),
                names.len(),
                names.join(", "),
                profiles.default_profile()
            );
            Ok(0)
        }
        Err(e) => Err(CliError(describe_baseline_error(file, &text, &e))),
    }
}
