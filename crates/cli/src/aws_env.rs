//! What the CLI checks locally before it talks to AWS: that a Region name belongs to an AWS
//! partition (the SDK's partition table, `regionRegex` of each partition), and that a named AWS
//! profile exists in the shared config or credentials file. Both fail at once with a clear
//! line, where the SDK would spend seconds on DNS or fall through to other credentials.

use std::path::PathBuf;

use crate::error::CliError;
use crate::shown::shown;

/// The Regions the SDK's partition table names (aws, aws-cn, aws-us-gov, aws-eusc, aws-iso*),
/// for suggestions; a name that fits a partition's pattern is accepted even if it is newer.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
];

/// First parts of the partitions whose names have three parts (`^(us|eu|…)-\w+-\d+$`, `^cn-…`).
const THREE_PART_PREFIXES: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
/// First two parts of the partitions whose names have four (`us-gov-…`, `us-iso-…`, …).
const FOUR_PART_PREFIXES: &[&str] = &[
    "us-gov", "us-iso", "us-isob", "us-isof", "eu-isoe", "eusc-de",
];

fn is_word(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `name` fits one of the AWS partitions' Region patterns.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let last_is_number = parts
        .last()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !last_is_number {
        return false;
    }
    match parts.len() {
        3 => THREE_PART_PREFIXES.contains(&parts[0]) && is_word(parts[1]),
        4 => {
            FOUR_PART_PREFIXES.contains(&format!("{}-{}", parts[0], parts[1]).as_str())
                && is_word(parts[2])
        }
        _ => false,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest of `candidates` to `name`, when it is close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d > 0 && *d <= (c.len() / 4).max(2))
        .min()
        .map(|(_, c)| c)
}

/// The word before a Region name's number (`east` of `us-east-1`).
fn direction(name: &str) -> Option<&str> {
    name.rsplit('-').nth(1)
}

/// Refuses a Region name no AWS partition has, naming the closest known Region; and a name that
/// fits a partition but is a near miss of a known Region in its words (`us-esat-1`). A new
/// Region that reuses the usual words (`ap-southeast-9`) is accepted.
pub fn check_region(name: &str) -> Result<(), CliError> {
    let known_word = |word: &str| KNOWN_REGIONS.iter().any(|r| direction(r) == Some(word));
    let typo = !KNOWN_REGIONS.contains(&name)
        && direction(name).is_some_and(|word| !known_word(word))
        && closest(name, KNOWN_REGIONS.iter().copied()).is_some();
    if is_region_name(name) && !typo {
        return Ok(());
    }
    let shown = shown(name, 64);
    let hint = closest(name, KNOWN_REGIONS.iter().copied())
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default();
    Err(CliError(format!(
        "unknown Region `{shown}`: no AWS partition has a Region of that name{hint}"
    )))
}

fn home_file(var: &str, default: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".aws").join(default))
}

/// The section names of an INI-style AWS file.
fn sections(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        line.strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .map(str::trim)
    })
}

/// Refuses an AWS profile that neither the shared config file nor the credentials file defines
/// (the AWS CLI refuses it too; the SDK would silently use other credentials).
pub fn check_profile(profile: &str) -> Result<(), CliError> {
    let config = home_file("AWS_CONFIG_FILE", "config");
    let credentials = home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let read = |path: &Option<PathBuf>| {
        path.as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    };
    let in_config = sections(&read(&config))
        .any(|s| s == format!("profile {profile}") || (profile == "default" && s == "default"));
    let in_credentials = sections(&read(&credentials)).any(|s| s == profile);
    if in_config || in_credentials {
        return Ok(());
    }
    let shown = shown(profile, 64);
    let where_ = [config, credentials]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    Err(CliError(format!(
        "AWS profile `{shown}` is not defined in {where_} (from --profile or AWS_PROFILE): check the name, or unset it to use the default credential chain"
    )))
}

/// The Region of commands that need no AWS call (`baseline show`, `cost`), by the SDK's order
/// without the instance metadata: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`
/// in the shared config file; None when none is set.
pub fn configured_region(profile: Option<&str>) -> Option<String> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = std::env::var(var).ok().filter(|r| !r.trim().is_empty()) {
            return Some(region.trim().to_string());
        }
    }
    let text = std::fs::read_to_string(home_file("AWS_CONFIG_FILE", "config")?).ok()?;
    let profile = profile.unwrap_or("default");
    let wanted = [format!("profile {profile}"), profile.to_string()];
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            in_section = wanted.iter().any(|w| w == name.trim());
            continue;
        }
        if in_section {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "region" && !value.trim().is_empty() {
                    return Some(value.trim().to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_checked_against_the_partitions() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "cn-north-1",
            "us-gov-west-1",
            "us-isob-east-1",
            "eusc-de-east-1",
            "ap-southeast-9",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in ["xx-fake-1", "us-east", "useast1", "us-east-1a", "", "us--1"] {
            assert!(!is_region_name(bad), "{bad}");
        }
        let err = check_region("us-esat-1").unwrap_err().0;
        assert!(err.contains("did you mean us-east-1?"), "{err}");
        assert!(
            check_region("ap-southeast-9").is_ok(),
            "a newer Region with the usual words"
        );
        assert!(check_region("eu-central-2").is_ok());
        assert!(check_region("xx-fake-1")
            .unwrap_err()
            .0
            .contains("unknown Region `xx-fake-1`"));
    }

    #[test]
    fn closest_suggests_only_near_misses() {
        assert_eq!(
            closest("ecr.apii", ["ecr.api", "ecr.dkr", "logs"]),
            Some("ecr.api")
        );
        assert_eq!(closest("dynamo", ["s3", "logs"]), None);
        assert_eq!(
            closest("logs", ["logs"]),
            None,
            "an exact name is no suggestion"
        );
    }
}
