//! The `vpce-guard` binary as a pipeline step sees it: every exit code, each class of failure
//! as one readable line, ids that must exist, the AWS profile apart from the baseline profile,
//! a closed pipe, a release that always holds, and help that describes every option.

use std::time::{Duration, SystemTime};

use crate::cli::cli_binary;
use crate::common::*;
use assert_cmd::Command;

/// The binary with no AWS settings at all (HOME points at an empty directory).
fn bare(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(cli_binary());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// One line on stderr, of readable length, naming `needle`.
fn assert_one_line(output: &std::process::Output, needle: &str) {
    let err = stderr(output);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(lines[0].contains(needle), "{needle:?} in {err}");
    assert!(lines[0].chars().count() < 320, "short: {err}");
    assert!(!err.contains("DispatchFailure {"), "no Debug dump: {err}");
}

#[test]
fn usage_errors_exit_64_never_the_drift_code_and_help_exits_0() {
    let home = tempdir("usage");
    for args in [
        vec!["plan", "--output", "yaml"],
        vec!["plan", "--bogus-flag"],
        vec!["apply", "--nat-gb-per-month", "1000"],
        vec!["cost", "--nat-gb-per-month", "-5"],
        vec!["cost", "--nat-gb-per-month=-5"],
        vec!["release", "--vpc", "vpc-1", "--hold-hours", "100000"],
        vec!["no-such-command"],
    ] {
        let out = bare(&home).args(&args).assert().code(64);
        let err = stderr(out.get_output());
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
    // Both spellings of a negative number get the same error.
    let a = stderr(
        bare(&home)
            .args(["cost", "--nat-gb-per-month", "-5"])
            .assert()
            .get_output(),
    );
    let b = stderr(
        bare(&home)
            .args(["cost", "--nat-gb-per-month=-5"])
            .assert()
            .get_output(),
    );
    assert_eq!(a, b);
    bare(&home).arg("--help").assert().code(0);
    bare(&home).arg("--version").assert().code(0);
}

#[test]
fn every_option_of_every_command_has_a_description() {
    let home = tempdir("help");
    for command in [
        vec!["plan"],
        vec!["apply"],
        vec!["release"],
        vec!["cost"],
        vec!["usage"],
        vec!["savings"],
        vec!["baseline", "show"],
        vec!["baseline", "validate"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let out = bare(&home).args(&args).assert().code(0);
        let help = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        let mut options = 0;
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_option = trimmed.starts_with('-') || trimmed.starts_with('<');
            if !is_option || !line.starts_with("  ") {
                continue;
            }
            options += 1;
            // clap puts the description on the same line, or (long help) on the next one.
            let (flag, rest) = trimmed.split_once("  ").unwrap_or((trimmed, ""));
            let next = lines.get(i + 1).map_or("", |l| l.trim());
            assert!(
                !rest.trim().is_empty() || (!next.is_empty() && !next.starts_with('-')),
                "{command:?}: `{flag}` has no description:\n{help}"
            );
        }
        assert!(options >= 2, "{command:?}: {help}");
    }
}

#[test]
fn aws_failures_are_one_line_each_and_exit_1() {
    let home = tempdir("failures");
    // Nothing listens on port 1.
    let refused = bare(&home)
        .args(["plan", "--region", "us-east-1"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1);
    assert_one_line(refused.get_output(), "connection refused");
    assert!(stderr(refused.get_output()).contains("AWS_ENDPOINT_URL"));

    let no_credentials = bare(&home)
        .args(["plan", "--region", "us-east-1"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .assert()
        .code(1);
    assert_one_line(no_credentials.get_output(), "no AWS credentials");

    // Refused locally, without a request: the SDK would spend seconds on DNS.
    let started = std::time::Instant::now();
    let region = bare(&home)
        .args(["plan", "--region", "us-east-1", "--region", "xx-fake-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1);
    assert_one_line(region.get_output(), "unknown Region `xx-fake-1`");
    let typo = bare(&home)
        .args(["usage", "--region", "us-esat-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1);
    assert_one_line(typo.get_output(), "did you mean us-east-1?");
    eprintln!(
        "unknown Regions refused in {:?} (two runs)",
        started.elapsed()
    );

    // --verbose adds the SDK's whole error on a second line.
    let verbose = bare(&home)
        .args(["--verbose", "plan", "--region", "us-east-1"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1);
    assert!(stderr(verbose.get_output()).contains("detail: GetCallerIdentity failed"));
}

#[test]
fn the_aws_profile_and_the_baseline_profile_are_two_flags() {
    let home = tempdir("profiles");
    // No baseline file given: AWS_PROFILE has nothing to do with the baseline shown.
    bare(&home)
        .args(["baseline", "show"])
        .env("AWS_PROFILE", "prod")
        .assert()
        .code(0);
    // The baseline profile is its own flag.
    let file = home.join("profiles.json");
    std::fs::write(
        &file,
        r#"{"default_profile": "apps", "profiles": {"apps": {"services": [{"service": "s3", "type": "Gateway"}]}, "eks": {"services": [{"service": "s3", "type": "Gateway"}, {"service": "sts", "type": "Interface"}]}}}"#,
    )
    .expect("write profiles");
    let eks = bare(&home)
        .args([
            "baseline",
            "show",
            "--baseline-profile",
            "eks",
            "--baseline",
        ])
        .arg(&file)
        .assert()
        .code(0);
    let shown = String::from_utf8_lossy(&eks.get_output().stdout).to_string();
    assert!(shown.contains(".sts"), "{shown}");
    // --profile is the AWS profile: one that does not exist is refused, like the AWS CLI does,
    // even with credentials in the environment.
    let missing = bare(&home)
        .args(["--profile", "nonexistent", "plan", "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .assert()
        .code(1);
    assert_one_line(
        missing.get_output(),
        "AWS profile `nonexistent` is not defined",
    );
    // A profile the config file defines is accepted (and then used for its Region).
    std::fs::create_dir_all(home.join(".aws")).expect("dir");
    std::fs::write(
        home.join(".aws/config"),
        "[profile ops]\nregion = eu-west-1\n",
    )
    .expect("config");
    let cost = bare(&home)
        .args(["--profile", "ops", "cost", "--nat-gb-per-month", "1000"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&cost.get_output().stdout).to_string();
    assert!(out.contains("(eu-west-1)"), "the profile's Region: {out}");
    assert!(
        out.contains("us-east-1 list prices"),
        "defaults say so: {out}"
    );
}

#[test]
fn a_closed_pipe_ends_the_cli_quietly() {
    let home = tempdir("pipe");
    let script = format!(
        "'{}' baseline show | true; echo \"status=${{PIPESTATUS[0]}}\"",
        cli_binary().display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("HOME", &home)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("bash");
    let err = String::from_utf8_lossy(&out.stderr);
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(!status.contains("status=101"), "{status}");
}

#[tokio::test]
async fn ids_the_caller_names_must_exist() {
    let env = Env::new().await;
    for (args, says) in [
        (
            vec!["plan", "--vpc", "vpc-0doesnotexist0000"],
            "VPC vpc-0doesnotexist0000 not found",
        ),
        (
            vec!["plan", "--vpc", "subnet-0123456789abcdef0"],
            "is not a VPC id",
        ),
        (
            vec!["apply", "--yes", "--vpc", "vpc-0doesnotexist0000"],
            "VPC vpc-0doesnotexist0000 not found",
        ),
        (
            vec!["usage", "--vpc", "vpc-0doesnotexist0000"],
            "VPC vpc-0doesnotexist0000 not found",
        ),
        (
            vec!["release", "--yes", "--vpc", "vpc-0doesnotexist0000"],
            "VPC vpc-0doesnotexist0000 not found",
        ),
        (
            vec!["release", "--yes", "--subnet", "subnet-0doesnotexist00"],
            "subnet subnet-0doesnotexist00 not found",
        ),
    ] {
        let out = crate::cli::cli(&env)
            .args(&args)
            .args(["--region", REGION])
            .assert()
            .code(1);
        assert_one_line(out.get_output(), says);
        assert!(
            !stderr(out.get_output()).contains("no longer exists"),
            "{args:?}"
        );
    }
}

#[tokio::test]
async fn a_release_always_holds_for_the_hours_it_prints() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    // Nothing of the guard's is in this VPC yet: the release still writes its hold.
    let release = crate::cli::cli(&env)
        .args([
            "release",
            "--yes",
            "--region",
            REGION,
            "--hold-hours",
            "48",
            "--vpc",
        ])
        .arg(&seeded.vpc_id)
        .assert()
        .code(0);
    let printed = String::from_utf8_lossy(&release.get_output().stdout).to_string();
    assert!(
        printed.contains("the guard creates nothing there before"),
        "{printed}"
    );
    let value = tag_of(&env, &seeded.vpc_id, "vpce-guard:released")
        .await
        .expect("the release tag is written");
    let (from, until) = value.split_once('/').expect("release time / hold end");
    let from = vpce_guard_core::time::parse_rfc3339(from).expect("time");
    let until_secs = vpce_guard_core::time::parse_rfc3339(until).expect("time");
    assert_eq!(until_secs - from, 48 * 3600, "{value}");
    assert!(
        printed.contains(until),
        "the printed end is the stored end: {printed}"
    );
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    assert!((now - from).abs() < 600);
    // Held: a plan of the VPC changes nothing there, and an apply makes no change.
    crate::cli::cli(&env)
        .args(["apply", "--yes", "--region", REGION, "--vpc"])
        .arg(&seeded.vpc_id)
        .assert()
        .code(0);
    assert!(
        env.endpoints(&seeded.vpc_id).await.is_empty(),
        "nothing created while held"
    );
}

/// An empty directory of this test's own.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vpce-guard-cli-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn validate_warns_of_likely_typos_and_never_echoes_a_huge_value() {
    let home = tempdir("validate");
    let file = home.join("baseline.json");
    // A UTF-8 byte order mark (what some editors write) is accepted.
    std::fs::write(
        &file,
        "\u{feff}{\"services\": [{\"service\": \"s3\", \"type\": \"Gateway\"}, {\"service\": \"ecr.apii\", \"type\": \"Interface\"}]}",
    )
    .expect("write");
    let ok = bare(&home)
        .args(["baseline", "validate"])
        .arg(&file)
        .assert()
        .code(0);
    let err = stderr(ok.get_output());
    assert!(
        err.contains("services[1].service: `ecr.apii`") && err.contains("did you mean `ecr.api`?"),
        "{err}"
    );
    // A bad value of 500,000 characters is named, not echoed.
    let huge = format!(
        "{{\"services\": [{{\"service\": \"s3\", \"type\": \"{}\"}}]}}",
        "G".repeat(500_000)
    );
    std::fs::write(&file, huge).expect("write");
    let bad = bare(&home)
        .args(["baseline", "validate"])
        .arg(&file)
        .assert()
        .code(1);
    let err = stderr(bad.get_output());
    assert!(
        err.chars().count() < 400,
        "{} characters",
        err.chars().count()
    );
    // A file larger than a baseline can be is refused before it is parsed.
    std::fs::write(&file, " ".repeat(2 * 1024 * 1024)).expect("write");
    let big = bare(&home)
        .args(["baseline", "validate"])
        .arg(&file)
        .assert()
        .code(1);
    assert_one_line(big.get_output(), "more than a baseline can be");
}
