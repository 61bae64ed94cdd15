//! `vpce-guard`: the operator CLI. Preview (`plan`) and apply (`apply`) what the guard would do,
//! inspect and validate baselines, and compute the endpoint set's cost against NAT Gateway
//! traffic. Same core, guard loop and adapters as the Lambda functions: observe → plan → act,
//! with notices printed, not published.
//!
//! Layout: [`args`] (the command line), [`commands`] (one file per subcommand), [`render`]
//! (tables), [`cost_report`] (the typed cost figures both `plan` and `cost` print).

mod args;
mod aws_env;
mod baseline_lint;
mod commands;
mod cost_report;
mod error;
mod render;
mod shown;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{BaselineCommand, Cli, Command};
use crate::error::{CliError, EXIT_FAILURE, EXIT_USAGE};

fn main() -> ExitCode {
    // A closed pipe (`vpce-guard plan | head -1`) ends the process quietly, as it ends `cat`,
    // instead of a panic in println!.
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; anything else is a usage
            // error, exit 64, never 2 (which means drift).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    error::set_verbose(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(CliError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    let profile = cli.profile.as_deref();
    if let Some(name) = profile {
        if cli.command.talks_to_aws() {
            aws_env::check_profile(name)?;
        }
    }
    match cli.command {
        Command::Plan(args) => commands::plan::plan(profile, args).await,
        Command::Apply(args) => commands::apply::apply(profile, args).await,
        Command::Baseline(BaselineCommand::Show {
            baseline,
            region,
            baseline_profile,
            account_id,
            org_id,
            output,
        }) => commands::baseline::show(
            baseline.as_ref(),
            &commands::baseline::ShowWhat {
                region: commands::offline_region(region, profile)?,
                profile: baseline_profile,
                account_id,
                org_id,
            },
            output,
        ),
        Command::Baseline(BaselineCommand::Validate { file }) => {
            commands::baseline::validate(&file)
        }
        Command::Cost(args) => commands::cost::cost(args, profile),
        Command::Release(args) => commands::release::release(profile, args).await,
        Command::Usage(args) => commands::usage::usage(profile, args).await,
        Command::Savings(args) => commands::usage::savings(profile, args).await,
    }
}
