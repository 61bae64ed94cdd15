//! One file per subcommand; [`regions`] runs the guard in each target Region for `plan` and
//! `apply`.

pub mod apply;
pub mod baseline;
pub mod cost;
pub mod plan;
pub mod regions;
pub mod release;
