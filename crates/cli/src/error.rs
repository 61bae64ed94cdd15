//! How the CLI ends: exit codes a pipeline can gate on, and the one-line error it prints.

/// Exit code when `plan` found drift, so a pipeline step can gate on it.
pub const EXIT_DRIFT: u8 = 2;
/// Exit code of an error, a refused `apply`, or an `apply` with failed remedies.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a `release` whose endpoints EC2 is still deleting: retry the deletion later.
pub const EXIT_PENDING: u8 = 3;

/// An error the CLI reports on one line and exits 1 for.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}
