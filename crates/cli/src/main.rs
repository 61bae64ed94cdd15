//! `vpce-guard`: the operator CLI (see `vpce-guard --help`).

fn main() -> std::process::ExitCode {
    vpce_guard::cli::main()
}
