//! An in-memory CloudTrail: the trails a Region shows, settable, and a failure to inject.

use std::sync::{Arc, Mutex};

use vpce_guard_core::error::ApiError;
use vpce_guard_core::event_path::Trail;
use vpce_guard_core::ports::{PortFuture, TrailPort};

use super::lock;

#[derive(Debug, Default)]
struct TrailState {
    trails: Vec<Trail>,
    failure: Option<ApiError>,
    reads: usize,
}

/// CloudTrail in memory. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct InMemoryTrails {
    state: Arc<Mutex<TrailState>>,
}

impl InMemoryTrails {
    pub fn new() -> Self {
        Self::default()
    }

    /// The trails every later read lists.
    pub fn set(&self, trails: Vec<Trail>) {
        lock(&self.state).trails = trails;
    }

    /// Makes every later read fail with `code` (or succeed again with `None`).
    pub fn fail_with(&self, code: Option<&str>) {
        lock(&self.state).failure = code.map(|c| ApiError::new("DescribeTrails", c, "injected"));
    }

    /// How many times the trails were read.
    pub fn reads(&self) -> usize {
        lock(&self.state).reads
    }
}

impl TrailPort for InMemoryTrails {
    fn trails(&self) -> PortFuture<'_, Vec<Trail>> {
        let mut state = lock(&self.state);
        state.reads += 1;
        let answer = match &state.failure {
            Some(error) => Err(error.clone()),
            None => Ok(state.trails.clone()),
        };
        Box::pin(async move { answer })
    }
}
