//! A release as the CLI prints it: what goes (or went), what is still being deleted, and what
//! still blocks the deletion that the guard did not create.

use serde_json::{json, Value};
use vpce_guard_service::Release;

pub fn print_release(release: &Release) {
    let r = &release.report;
    let line = |label: &str, ids: &[String]| {
        if !ids.is_empty() {
            println!("  {label:<28} {}", ids.join(", "));
        }
    };
    println!("Release of {}:", r.resource_id);
    line("would delete or move:", &r.planned);
    line("deleted:", &r.deleted);
    line("moved out of the subnet:", &r.moved);
    line("still being deleted:", &r.pending);
    line("failed:", &r.errors);
    line("in the way, not the guard's:", &r.blockers);
    if r.planned.is_empty()
        && r.deleted.is_empty()
        && r.moved.is_empty()
        && r.pending.is_empty()
        && r.errors.is_empty()
    {
        println!("  nothing of the guard's is in the way");
    }
    if let Some(until) = &r.held_until {
        println!("  the guard creates nothing there before {until}");
    }
}

/// `{"schema": "vpce-guard.release/v1", "applied", "notice"}`: the notice is exactly the
/// `released` notice the Lambda function publishes.
pub fn release_json(release: &Release, applied: bool) -> Value {
    json!({
        "schema": "vpce-guard.release/v1",
        "applied": applied,
        "notice": release.notice,
    })
}
