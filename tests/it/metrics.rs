//! The functions' CloudWatch metrics: the `network-events` binary, run the way Lambda runs it
//! (the project's Runtime API emulator, `scripts/lambda_runtime_emulator.py invoke`, on loopback;
//! moto behind `AWS_ENDPOINT_URL`), writes one Embedded Metric Format record per run to stdout,
//! checked here against the EMF specification.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::*;
use serde_json::Value;

/// A function binary of the workspace, built beside this test (`scripts/test` builds it).
fn function_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join(name))
        .expect("target directory");
    assert!(
        path.exists(),
        "{} not built: run `cargo build -p {name}` (scripts/test builds it)",
        path.display()
    );
    path
}

/// The EMF specification's rules for one document (CloudWatch, "Specification: Embedded metric
/// format"): a `_aws` member with an integer `Timestamp` and `CloudWatchMetrics` directives,
/// each with a `Namespace` of 1–255 characters, `Dimensions` as arrays of at most 30 strings,
/// at most 100 `Metrics` each with a `Name` and a known `Unit`; every dimension a directive
/// names is a string member of the root, every metric a number member.
fn emf_violations(document: &Value) -> Vec<String> {
    const UNITS: [&str; 27] = [
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ];
    let mut out = Vec::new();
    let aws = &document["_aws"];
    if !aws["Timestamp"].is_i64() || aws["Timestamp"].as_i64() < Some(0) {
        out.push("_aws.Timestamp is not a non-negative integer".to_string());
    }
    let Some(directives) = aws["CloudWatchMetrics"].as_array() else {
        out.push("_aws.CloudWatchMetrics is not an array".to_string());
        return out;
    };
    for directive in directives {
        let namespace = directive["Namespace"].as_str().unwrap_or_default();
        if namespace.is_empty() || namespace.len() > 255 {
            out.push(format!("bad Namespace {:?}", directive["Namespace"]));
        }
        for set in directive["Dimensions"].as_array().into_iter().flatten() {
            let Some(keys) = set.as_array() else {
                out.push(format!("dimension set {set} is not an array"));
                continue;
            };
            if keys.len() > 30 {
                out.push(format!("dimension set {set} has over 30 keys"));
            }
            for key in keys {
                match key.as_str() {
                    Some(key) if document[key].is_string() => {}
                    _ => out.push(format!("dimension {key} is not a string root member")),
                }
            }
        }
        let metrics = directive["Metrics"].as_array().cloned().unwrap_or_default();
        if metrics.is_empty() || metrics.len() > 100 {
            out.push(format!("{} metrics in a directive", metrics.len()));
        }
        for metric in metrics {
            let name = metric["Name"].as_str().unwrap_or_default();
            if name.is_empty() || name.len() > 255 || !document[name].is_number() {
                out.push(format!("metric {metric} is not a number root member"));
            }
            if let Some(unit) = metric.get("Unit") {
                if !unit.as_str().is_some_and(|u| UNITS.contains(&u)) {
                    out.push(format!("metric {metric} has an unknown unit"));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn a_run_writes_one_emf_record_to_stdout_that_follows_the_specification() {
    let env = Env::new().await;
    let vpc = env.create_vpc("10.0.0.0/16").await;
    let event: Value = event("cloudtrail-create-vpc.json", &[(VPC_PLACEHOLDER, &vpc)]).payload;
    let dir = std::env::temp_dir().join(format!("vpce-guard-emf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let event_file = dir.join("event.json");
    let answer_file = dir.join("answer.json");
    std::fs::write(&event_file, event.to_string()).expect("write the event");
    let emulator = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/lambda_runtime_emulator.py"
    );
    // The venv's Python when scripts/test runs (MOTO_PYTHON), else the machine's: the emulator
    // needs only the standard library.
    let python = std::env::var("MOTO_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let mut command = Command::new(python);
    command
        .arg(emulator)
        .arg("invoke")
        .args(["--function-name", "vpce-guard-network-events"])
        .arg("--event")
        .arg(&event_file)
        .arg("--answer")
        .arg(&answer_file)
        .args(["--timeout", "120", "--"])
        .arg(function_binary("network-events"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_REGION", REGION)
        .env("AWS_ENDPOINT_URL", &env.moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("NOTICE_TOPIC_ARN", &env.topic_arn)
        .env("GUARD_MODE", "report")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Blocking: off the test's runtime thread.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run network-events through the Runtime API emulator");
    assert!(
        output.status.success(),
        "the function answered its invocation"
    );
    let answer: Value = serde_json::from_str(
        &std::fs::read_to_string(&answer_file).expect("the emulator wrote the answer"),
    )
    .expect("answer JSON");
    let _ = std::fs::remove_dir_all(&dir);
    let kind = answer["kind"].as_str().unwrap_or_default();
    let body = &answer["body"];
    assert_eq!(kind, "response", "{body}");
    assert_eq!(n(body, "vpcs_checked"), 1, "{body}");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let records: Vec<Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v.get("_aws").is_some())
        .collect();
    assert_eq!(records.len(), 1, "one EMF record per run:\n{stdout}");
    let record = &records[0];
    let violations = emf_violations(record);
    assert!(violations.is_empty(), "{violations:?}\n{record:#}");
    let directive = &record["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "VpceGuard");
    assert_eq!(
        directive["Dimensions"],
        serde_json::json!([["Account", "Region"], []])
    );
    assert_eq!(record["Account"], ACCOUNT);
    assert_eq!(record["Region"], REGION);
    // The record carries the run's own counters.
    assert_eq!(record["VpcsChecked"], 1.0);
    assert_eq!(
        record["VpcsDrifted"].as_f64(),
        body["vpcs_drifted"].as_f64()
    );
    assert_eq!(record["ApiCalls"].as_f64(), body["api_calls"].as_f64());
    assert_eq!(record["ActionsApplied"], 0.0, "report mode");

    // The checker itself rejects what the specification rejects.
    let mut broken = record.clone();
    broken.as_object_mut().unwrap().remove("Region");
    broken["VpcsChecked"] = Value::String("1".into());
    assert_eq!(emf_violations(&broken).len(), 2);
}
