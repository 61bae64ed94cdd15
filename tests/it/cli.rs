//! The `vpce-guard` binary against a real moto server: plan, apply, plan again; JSON output
//! against the notice JSON Schema; baseline validation; cost arithmetic.

use crate::common::*;
use assert_cmd::Command;
use serde_json::Value;

/// The `vpce-guard` binary of the `vpce-guard-cli` package, built beside this test by
/// `cargo test --workspace` (Cargo sets `CARGO_BIN_EXE_*` only for a package's own tests).
pub(crate) fn cli_binary() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("CARGO_BIN_EXE_vpce-guard") {
        return path.into();
    }
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/cli-<hash> -> target/<profile>/vpce-guard
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join(format!("vpce-guard{}", std::env::consts::EXE_SUFFIX)))
        .expect("target directory");
    assert!(
        path.exists(),
        "{} not built: run `cargo build -p vpce-guard-cli` (scripts/test builds it)",
        path.display()
    );
    path
}

pub(crate) fn cli(env: &Env) -> Command {
    let mut cmd = Command::new(cli_binary());
    cmd.env("AWS_ENDPOINT_URL", &env.moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // moto is not EC2: unpaced, like the other integration tests.
        .env("EC2_PACING", "off");
    cmd
}

fn offline() -> Command {
    let mut cmd = Command::new(cli_binary());
    cmd.env_remove("AWS_PROFILE");
    cmd
}

#[test]
fn documented_notice_examples_match_the_schema() {
    let validator = notice_schema();
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&docs).expect("docs dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !(name.starts_with("notice") && name.ends_with("-example.json")) {
            continue;
        }
        let value: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        // The examples are what the code produces: they deserialize into the notice type.
        let notice: vpce_guard_core::notice::Notice =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            serde_json::to_value(&notice).expect("serialize"),
            value,
            "{name}"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 5,
        "notice-example, notice-summary-example, notice-org-summary-example, notice-released-example, notice-event-path-example"
    );
    // The schema can fail: an org summary without its `org` part is rejected.
    let mut broken: Value = serde_json::from_str(
        &std::fs::read_to_string(docs.join("notice-org-summary-example.json")).expect("read"),
    )
    .expect("JSON");
    broken.as_object_mut().expect("object").remove("org");
    assert!(!validator.is_valid(&broken));
    // And an event-path notice about a covered Region is not a notice the guard sends.
    let mut covered: Value = serde_json::from_str(
        &std::fs::read_to_string(docs.join("notice-event-path-example.json")).expect("read"),
    )
    .expect("JSON");
    covered["event_path"]["status"] = serde_json::json!("covered");
    assert!(!validator.is_valid(&covered));
}

#[tokio::test]
async fn plan_shows_drift_apply_fixes_it_and_plan_is_then_clean() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;

    let plan = cli(&env)
        .args(["plan", "--region", REGION])
        .assert()
        .code(2);
    let out = String::from_utf8_lossy(&plan.get_output().stdout).to_string();
    assert!(out.contains(&seeded.vpc_id), "{out}");
    for needle in [
        "missing_endpoint",
        "vpc_dns_attributes_disabled",
        "CreateVpcEndpoint Interface",
        "planned",
        "$14.60",
        "Plan: ",
    ] {
        assert!(out.contains(needle), "plan output lacks {needle}:\n{out}");
    }
    assert!(
        env.endpoints(&seeded.vpc_id).await.is_empty(),
        "plan changes nothing"
    );

    // Without --yes and without a terminal, apply refuses.
    let refused = cli(&env)
        .args(["apply", "--region", REGION, "--vpc", &seeded.vpc_id])
        .write_stdin("")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(err.contains("--yes"), "{err}");
    assert!(env.endpoints(&seeded.vpc_id).await.is_empty());

    let applied = cli(&env)
        .args([
            "apply",
            "--region",
            REGION,
            "--vpc",
            &seeded.vpc_id,
            "--yes",
        ])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&applied.get_output().stdout).to_string();
    assert!(out.contains("6 change(s) applied, 0 failed"), "{out}");
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), 5);

    let clean = cli(&env)
        .args(["plan", "--region", REGION, "--vpc", &seeded.vpc_id])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&clean.get_output().stdout).to_string();
    assert!(out.contains("No drift"), "{out}");
}

#[tokio::test]
async fn json_plan_carries_notices_that_match_the_schema() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let run = cli(&env)
        .args([
            "plan",
            "--vpc",
            &seeded.vpc_id,
            "--output",
            "json",
            "--nat-gb-per-month",
            "1000",
        ])
        .assert()
        .code(2);
    let value: Value = serde_json::from_slice(&run.get_output().stdout).expect("JSON output");
    assert_eq!(value["schema"], "vpce-guard.plan/v1");
    assert_eq!(value["drift"], true);
    let notices = value["regions"][0]["notices"].as_array().expect("notices");
    assert_eq!(notices.len(), 1);
    let validator = notice_schema();
    for notice in notices {
        let errors: Vec<String> = validator
            .iter_errors(notice)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{notice}");
    }
    assert_eq!(notices[0]["vpc_id"], seeded.vpc_id.as_str());
    assert_eq!(notices[0]["monthly_cost_delta_usd"], 43.8);
    assert_eq!(value["cost"]["figures"]["net_monthly_saving_usd"], -26.3);
    // A bad document is caught by the schema too (the test can fail).
    let mut broken = notices[0].clone();
    broken["findings"][0]["outcome"] = Value::String("maybe".into());
    assert!(!validator.is_valid(&broken));
}

#[test]
fn baseline_validate_names_line_and_field() {
    let dir = std::env::temp_dir().join(format!("vpce-guard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"services\": [\n    {\"service\": \"s3\", \"type\": \"Gateway\"},\n    {\"service\": \"logs\",\n     \"type\": \"Gateway\"}\n  ]\n}\n").unwrap();
    let run = offline()
        .args(["baseline", "validate"])
        .arg(&bad)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(err.contains("bad.json:5: services[1].type"), "{err}");
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        r#"[{"service":"s3","type":"Gateway"},{"service":"logs","type":"Interface"}]"#,
    )
    .unwrap();
    let run = offline()
        .args(["baseline", "validate"])
        .arg(&good)
        .assert()
        .code(0);
    assert!(String::from_utf8_lossy(&run.get_output().stdout)
        .contains("valid baseline with 1 profile(s): default (2 service(s))"));
    let show = offline()
        .args(["baseline", "show", "--region", "eu-west-1", "--baseline"])
        .arg(&good)
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&show.get_output().stdout).to_string();
    assert!(out.contains("com.amazonaws.eu-west-1.logs"), "{out}");
}

#[test]
fn cost_prints_the_break_even_and_the_trade_off_table() {
    let run = offline()
        .args(["cost", "--nat-gb-per-month", "1000", "--aws-share", "0.5"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    for needle in [
        "$43.80/month",
        "NAT processing saved: $22.50",
        "net: -$26.30",
        "2502.9 GB/month",
        "$43.70",
    ] {
        assert!(out.contains(needle), "cost output lacks {needle}:\n{out}");
    }
    let json = offline()
        .args(["cost", "--nat-gb-per-month", "5000", "--output", "json"])
        .assert()
        .code(0);
    let value: Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(value["figures"]["net_monthly_saving_usd"], 43.7);
    assert_eq!(value["figures"]["cost_effective"], true);
    assert_eq!(value["schema"], "vpce-guard.cost/v1");
    assert_eq!(
        value["prices"], "default",
        "the standard set's prices are defaults"
    );
    // A share outside 0..1 is a usage error (64), never the drift code.
    offline()
        .args(["cost", "--nat-gb-per-month", "10", "--aws-share", "1.5"])
        .assert()
        .code(64);
}

#[tokio::test]
async fn release_shows_the_plan_refuses_without_yes_then_gives_back_the_guards_resources() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    cli(&env)
        .args([
            "apply",
            "--region",
            REGION,
            "--vpc",
            &seeded.vpc_id,
            "--yes",
        ])
        .assert()
        .code(0);
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), 5);

    let refused = cli(&env)
        .args(["release", "--region", REGION, "--vpc", &seeded.vpc_id])
        .write_stdin("")
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&refused.get_output().stdout).to_string();
    let err = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(out.contains("would delete or move:"), "{out}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(
        env.endpoints(&seeded.vpc_id).await.len(),
        5,
        "nothing released"
    );

    let released = cli(&env)
        .args([
            "release",
            "--region",
            REGION,
            "--vpc",
            &seeded.vpc_id,
            "--yes",
            "--output",
            "json",
        ])
        .assert()
        .code(0);
    let answer: Value =
        serde_json::from_slice(&released.get_output().stdout).expect("JSON release");
    assert_eq!(answer["schema"], "vpce-guard.release/v1");
    assert_eq!(answer["applied"], true);
    let notice = &answer["notice"];
    assert_eq!(notice["event_type"], "released");
    assert_eq!(
        notice["release"]["deleted"].as_array().map(Vec::len),
        Some(6)
    );
    let errors: Vec<String> = notice_schema()
        .iter_errors(notice)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(env.endpoints(&seeded.vpc_id).await.is_empty());
    assert!(env.guard_group(&seeded.vpc_id).await.is_none());

    // Run again (a retried pipeline step): nothing left, exit 0, nothing asked.
    let again = cli(&env)
        .args(["release", "--region", REGION, "--vpc", &seeded.vpc_id])
        .write_stdin("")
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&again.get_output().stdout).to_string();
    assert!(
        out.contains("nothing of the guard's is in the way"),
        "{out}"
    );

    // Bad input is a clear error, not a panic.
    let bad = cli(&env)
        .args(["release", "--region", REGION, "--vpc", "subnet-1"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&bad.get_output().stderr).to_string();
    assert!(err.contains("--vpc vpc-"), "{err}");
}
