//! `vpce-guard apply`: plans, asks (on a terminal, unless --yes), then remediates only the VPCs
//! the plan found drifted; exit 1 when a remedy failed.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vpce_guard_core::policy::Mode;

use super::baseline::load_profiles;
use super::regions::{plan_regions, planned_changes, run_region};
use crate::args::{ApplyArgs, Output};
use crate::error::{CliError, EXIT_FAILURE};
use crate::render::plan::{eprint_region, print_region, region_json};

pub async fn apply(profile: Option<&str>, args: ApplyArgs) -> Result<u8, CliError> {
    let profiles = load_profiles(args.target.baseline.as_ref())?;
    let all = plan_regions(profile, &args.target, &profiles).await?;
    all.report_failures();
    let plans = &all.runs;
    let changes = planned_changes(plans);
    // The plan is shown before any question, in every output mode (JSON goes to stdout, so the
    // table goes to stderr there).
    if args.target.output == Output::Table {
        for run in plans {
            print_region(run);
        }
    } else if !args.yes && std::io::stdin().is_terminal() {
        for run in plans {
            eprint_region(run);
        }
    }
    if changes == 0 {
        if args.target.output == Output::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({
                    "schema": "vpce-guard.apply/v1",
                    "applied": false,
                    "regions": [],
                    "errors": all.failures_json(),
                }))?
            );
        } else {
            println!("Nothing to apply.");
        }
        return Ok(if all.failed.is_empty() {
            0
        } else {
            EXIT_FAILURE
        });
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError(format!(
                "{changes} change(s) planned; refusing to apply without --yes when stdin is not a terminal"
            )));
        }
        eprint!("Apply {changes} change(s)? Only 'yes' applies: ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            eprintln!("Not applied.");
            return Ok(EXIT_FAILURE);
        }
    }
    let mut applied = Vec::new();
    for plan in plans {
        let drifted: Vec<String> = plan
            .report
            .notices
            .iter()
            .filter_map(|n| n.vpc_id().map(str::to_string))
            .collect();
        if drifted.is_empty() {
            continue;
        }
        let bar = ProgressBar::new(drifted.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} VPCs")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("applying in {}", plan.region));
        let run = run_region(
            profile,
            &plan.region,
            &args.target,
            &profiles,
            Mode::Remediate,
            Some(drifted),
            Some(bar.clone()),
        )
        .await?;
        bar.finish_and_clear();
        applied.push(run);
    }
    let failed: u64 = applied
        .iter()
        .map(|r| r.report.summary.counters.actions_failed)
        .sum();
    match args.target.output {
        Output::Json => {
            let value = json!({
                "schema": "vpce-guard.apply/v1",
                "applied": true,
                "regions": applied.iter().map(region_json).collect::<Vec<_>>(),
                "errors": all.failures_json(),
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => {
            println!("Applied:");
            for run in &applied {
                print_region(run);
            }
            let done: u64 = applied
                .iter()
                .map(|r| r.report.summary.counters.actions_applied)
                .sum();
            println!("{done} change(s) applied, {failed} failed.");
        }
    }
    Ok(if failed > 0 || !all.failed.is_empty() {
        EXIT_FAILURE
    } else {
        0
    })
}
