//! One file per subcommand; [`regions`] runs the guard in each target Region for `plan` and
//! `apply`; [`usage`] reads endpoint use and savings for `usage` and `savings`.

pub mod apply;
pub mod baseline;
pub mod cost;
pub mod plan;
pub mod regions;
pub mod release;
pub mod usage;

/// The Region of a command that calls no AWS service: the one given (checked), else the
/// configured one (`AWS_REGION`, `AWS_DEFAULT_REGION`, the AWS profile's), else us-east-1.
pub fn offline_region(
    given: Option<String>,
    profile: Option<&str>,
) -> Result<String, crate::error::CliError> {
    let region = given
        .or_else(|| crate::aws_env::configured_region(profile))
        .unwrap_or_else(|| "us-east-1".to_string());
    crate::aws_env::check_region(&region)?;
    Ok(region)
}
