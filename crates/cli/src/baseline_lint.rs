//! What `baseline validate` warns about beyond the rules the functions enforce: service names
//! that are likely typos (`ecr.apii`), and full names of another Region. Without credentials it
//! compares names with a static list of PrivateLink services ([`KNOWN_SERVICES`], plus every
//! preset's); a name outside it is a warning, never an error, since AWS adds services. It also
//! bounds what a file may be before it is parsed: its size, a UTF-8 byte order mark.

use std::path::Path;

use vpce_guard_core::baseline::{preset_service_names, short_name, ProfileSet};

use crate::aws_env::{closest, is_region_name};
use crate::error::CliError;
use crate::shown::shown;

/// Short names of common AWS PrivateLink services (`com.amazonaws.<region>.<name>`), for typo
/// warnings. Not every service: a name outside it is only a warning.
pub const KNOWN_SERVICES: &[&str] = &[
    "access-analyzer",
    "acm-pca",
    "airflow.api",
    "airflow.env",
    "airflow.ops",
    "application-autoscaling",
    "aps-workspaces",
    "athena",
    "autoscaling",
    "backup",
    "bedrock",
    "bedrock-agent-runtime",
    "bedrock-runtime",
    "cloudformation",
    "cloudtrail",
    "codeartifact.api",
    "codeartifact.repositories",
    "codebuild",
    "codecommit",
    "comprehend",
    "config",
    "datasync",
    "dynamodb",
    "ebs",
    "ec2",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "ecs",
    "ecs-agent",
    "ecs-telemetry",
    "eks",
    "eks-auth",
    "elasticache",
    "elasticfilesystem",
    "elasticloadbalancing",
    "email-smtp",
    "emr-serverless",
    "events",
    "execute-api",
    "git-codecommit",
    "glue",
    "guardduty-data",
    "imagebuilder",
    "kinesis-firehose",
    "kinesis-streams",
    "kms",
    "lambda",
    "logs",
    "monitoring",
    "rds",
    "redshift",
    "redshift-data",
    "rekognition",
    "s3",
    "sagemaker.api",
    "sagemaker.runtime",
    "secretsmanager",
    "securityhub",
    "servicecatalog",
    "sns",
    "sqs",
    "ssm",
    "ssm-contacts",
    "ssmmessages",
    "states",
    "storagegateway",
    "sts",
    "textract",
    "transfer",
    "transfer.server",
    "xray",
];

/// The largest baseline file read (a baseline of every service in every profile is a few KB).
pub const MAX_BASELINE_BYTES: u64 = 1024 * 1024;
/// The most services one profile may list: a VPC holds at most 50 interface endpoints by
/// default (Service Quotas L-29B6F2EB), plus the gateway endpoints.
pub const MAX_SERVICES_PER_PROFILE: usize = 60;

/// The text of a baseline file: at most [`MAX_BASELINE_BYTES`], a UTF-8 byte order mark dropped.
pub fn read_baseline_text(path: &Path) -> Result<String, CliError> {
    let size = std::fs::metadata(path)
        .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > MAX_BASELINE_BYTES {
        return Err(CliError(format!(
            "{}: {size} bytes is more than a baseline can be ({MAX_BASELINE_BYTES} at most)",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Refuses a profile with more services than a VPC can hold endpoints for.
pub fn check_sizes(path: &Path, profiles: &ProfileSet) -> Result<(), CliError> {
    for (name, doc) in profiles.profiles() {
        if doc.services.len() > MAX_SERVICES_PER_PROFILE {
            return Err(CliError(format!(
                "{}: profile {name} lists {} services: at most {MAX_SERVICES_PER_PROFILE} (a VPC holds 50 interface endpoints by default)",
                path.display(),
                doc.services.len()
            )));
        }
    }
    Ok(())
}

/// Warnings about likely mistakes, one line each, with the field path.
pub fn warnings(profiles: &ProfileSet) -> Vec<String> {
    let presets = preset_service_names();
    let known = |name: &str| KNOWN_SERVICES.contains(&name) || presets.contains(name);
    let single = profiles.profiles().len() == 1;
    let mut out = Vec::new();
    for (profile, doc) in profiles.profiles() {
        let prefix = if single {
            String::new()
        } else {
            format!("profiles.{profile}.")
        };
        for (index, entry) in doc.services.iter().enumerate() {
            let field = format!("{prefix}services[{index}].service");
            let name = entry.service.as_str();
            if let Some(region) = full_name_region(name) {
                out.push(format!(
                    "{field}: `{}` names Region {region}, but the baseline applies to every guarded Region: write `{}`",
                    shown(name, 80),
                    short_name(name)
                ));
                continue;
            }
            let short = short_name(name);
            if short.contains("{region}") || known(short) {
                continue;
            }
            let hint = closest(
                short,
                KNOWN_SERVICES
                    .iter()
                    .copied()
                    .chain(presets.iter().copied()),
            )
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
            out.push(format!(
                "{field}: `{}` is not a PrivateLink service the CLI knows{hint}; plan reports it not remediable in a Region that does not offer it",
                shown(short, 80)
            ));
        }
    }
    out
}

/// The Region a full service name carries (`com.amazonaws.eu-west-1.s3`).
fn full_name_region(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("com.amazonaws.")?;
    let region = rest.split('.').next()?;
    is_region_name(region).then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_other_regions_are_warned_about_known_names_are_not() {
        let profiles = ProfileSet::parse(
            r#"{"services": [
                {"service": "s3", "type": "Gateway"},
                {"service": "ecr.apii", "type": "Interface"},
                {"service": "com.amazonaws.eu-west-1.logs", "type": "Interface"},
                {"service": "sts", "type": "Interface"}
            ]}"#,
        )
        .expect("valid");
        let warnings = warnings(&profiles);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("services[1].service: `ecr.apii`"));
        assert!(
            warnings[0].contains("did you mean `ecr.api`?"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("names Region eu-west-1") && warnings[1].contains("`logs`"));
    }
}
