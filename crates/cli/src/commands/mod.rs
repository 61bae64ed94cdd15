//! One file per subcommand; [`regions`] runs the guard in each target Region for `plan` and
//! `apply`; [`usage`] reads endpoint use and savings for `usage` and `savings`.

pub mod apply;
pub mod baseline;
pub mod cost;
pub mod plan;
pub mod regions;
pub mod release;
pub mod usage;
