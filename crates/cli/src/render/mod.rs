//! Human-readable output: plans and applied changes per Region, baselines, cost figures.

pub mod baseline;
pub mod cost;
pub mod plan;
pub mod release;
pub mod usage;
