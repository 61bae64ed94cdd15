//! `vpce-guard baseline show|validate`, and loading the baseline file the other commands take.

use std::path::{Path, PathBuf};

use vpce_guard_core::baseline::{locate_error, BaselineDocument};
use vpce_guard_core::error::BaselineError;

use crate::args::Output;
use crate::error::CliError;
use crate::render::baseline::show_baseline;

/// The baseline in `path`, or the standard set; errors name the file, line and field.
pub fn load_baseline(path: Option<&PathBuf>) -> Result<BaselineDocument, CliError> {
    let Some(path) = path else {
        return Ok(BaselineDocument::standard());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?;
    BaselineDocument::parse(&text).map_err(|e| CliError(describe_baseline_error(path, &text, &e)))
}

fn describe_baseline_error(path: &Path, text: &str, error: &BaselineError) -> String {
    match locate_error(text, error) {
        Some(at) => format!("{}:{}: {}: {error}", path.display(), at.line, at.field),
        None => format!("{}: {error}", path.display()),
    }
}

/// `baseline show`: the effective baseline for a Region.
pub fn show(path: Option<&PathBuf>, region: &str, output: Output) -> Result<u8, CliError> {
    let doc = load_baseline(path)?;
    show_baseline(&doc.resolve(region), output);
    Ok(0)
}

/// `baseline validate`: checks a file; errors name the line and the field.
pub fn validate(file: &PathBuf) -> Result<u8, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError(format!("cannot read {}: {e}", file.display())))?;
    match BaselineDocument::parse(&text) {
        Ok(doc) => {
            println!(
                "{}: valid baseline with {} service(s)",
                file.display(),
                doc.services.len()
            );
            Ok(0)
        }
        Err(e) => Err(CliError(describe_baseline_error(file, &text, &e))),
    }
}
