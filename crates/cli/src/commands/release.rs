//! `vpce-guard release`: before a VPC or subnet is deleted (for example a step before
//! `terraform destroy`), gives back the guard's endpoints and security group that would block the
//! deletion, exactly as the network-events function does on a blocked `DeleteVpc`. Shows the
//! plan, asks (on a terminal, unless --yes), releases. Exit 0 when nothing of the guard's is left
//! in the way, 3 when EC2 is still deleting (retry the deletion later), 1 on an error or failure.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use vpce_guard_adapters::counted_ec2;
use vpce_guard_core::baseline::BaselineDocument;
use vpce_guard_core::policy::{Mode, RunSettings};
use vpce_guard_service::VoidNotices;
use vpce_guard_service::{Guard, Release, ReleaseTarget};

use super::regions::{check_subnet_exists, check_vpcs_exist, connect, regions};
use crate::args::{Output, ReleaseArgs};
use crate::error::{CliError, EXIT_FAILURE, EXIT_PENDING};
use crate::render::release::{print_release, release_json};

/// The trigger name of CLI releases, carried into the printed notice.
const RELEASE_TRIGGER: &str = "cli-release";

pub async fn release(profile: Option<&str>, args: ReleaseArgs) -> Result<u8, CliError> {
    let target = match (&args.vpc, &args.subnet) {
        (Some(vpc), None) if vpc.starts_with("vpc-") => ReleaseTarget::Vpc(vpc.clone()),
        (None, Some(subnet)) if subnet.starts_with("subnet-") => {
            ReleaseTarget::Subnet(subnet.clone())
        }
        _ => {
            return Err(CliError(
                "give either --vpc vpc-… or --subnet subnet-…".to_string(),
            ))
        }
    };
    let given: Vec<String> = args.region.iter().cloned().collect();
    let region = regions(profile, &given)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CliError("no region".to_string()))?;
    let (sdk, account_id) = connect(profile, &region).await?;
    match &target {
        ReleaseTarget::Vpc(vpc) => {
            check_vpcs_exist(&sdk, &region, &account_id, std::slice::from_ref(vpc)).await?
        }
        ReleaseTarget::Subnet(subnet) => {
            check_subnet_exists(&sdk, &region, &account_id, subnet).await?
        }
    }
    let guard = |mode: Mode| {
        let (ec2, _) = counted_ec2(&sdk, None, args.ec2_pacing.limits(), None);
        let settings = RunSettings {
            release_hold: Duration::from_secs(args.hold_hours.saturating_mul(3600)),
            release_wait: Duration::from_secs(args.wait_seconds),
            ..RunSettings::new(BaselineDocument::standard(), mode)
        };
        Guard::new(ec2, VoidNotices, settings, region.as_str())
    };

    let preview = match guard(Mode::Report)
        .release(&account_id, RELEASE_TRIGGER, &target, false)
        .await?
    {
        Ok(release) => release,
        Err(reason) => return Err(CliError(reason)),
    };
    if args.output == Output::Table && !preview.report.planned.is_empty() {
        print_release(&preview);
    }
    // Nothing of the guard's to remove: the release still writes its hold (a tag), so nothing
    // is created there while the deletion runs; no question for a tag.
    if !args.yes && !preview.report.planned.is_empty() {
        if !std::io::stdin().is_terminal() {
            return Err(CliError(format!(
                "{} resource(s) to release; refusing without --yes when stdin is not a terminal",
                preview.report.planned.len()
            )));
        }
        eprint!("Release them? Only 'yes' releases: ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            eprintln!("Not released.");
            return Ok(EXIT_FAILURE);
        }
    }
    let done = match guard(Mode::Remediate)
        .release(&account_id, RELEASE_TRIGGER, &target, false)
        .await?
    {
        Ok(release) => release,
        Err(reason) => return Err(CliError(reason)),
    };
    show(&done, args.output, true)?;
    Ok(if !done.report.errors.is_empty() {
        EXIT_FAILURE
    } else if !done.report.pending.is_empty() {
        EXIT_PENDING
    } else {
        0
    })
}

fn show(release: &Release, output: Output, applied: bool) -> Result<(), CliError> {
    match output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&release_json(release, applied))?
        ),
        Output::Table => print_release(release),
    }
    Ok(())
}
