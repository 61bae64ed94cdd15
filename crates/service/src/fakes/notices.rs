//! An in-memory notice sink that keeps what was published and can be told to fail.

use std::sync::{Arc, Mutex};

use vpce_guard_core::error::ApiError;
use vpce_guard_core::notice::Notice;
use vpce_guard_core::ports::NoticePort;

use super::lock;

#[derive(Debug, Default)]
struct NoticeState {
    published: Vec<Notice>,
    failure: Option<ApiError>,
}

/// A notice sink that keeps everything published. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct RecordingNotices {
    state: Arc<Mutex<NoticeState>>,
}

impl RecordingNotices {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every notice published so far, in order.
    pub fn published(&self) -> Vec<Notice> {
        lock(&self.state).published.clone()
    }

    /// Every notice published so far, emptying the record (for a test's next step).
    pub fn take(&self) -> Vec<Notice> {
        std::mem::take(&mut lock(&self.state).published)
    }

    /// Makes every later publish fail with `code` (or succeed again with `None`).
    pub fn fail_with(&self, code: Option<&str>) {
        lock(&self.state).failure =
            code.map(|c| ApiError::new("PublishBatch", c, "injected by the test"));
    }
}

impl NoticePort for RecordingNotices {
    async fn publish(&self, notices: &[Notice]) -> Result<usize, ApiError> {
        let mut state = lock(&self.state);
        if let Some(error) = &state.failure {
            return Err(error.clone());
        }
        state.published.extend_from_slice(notices);
        Ok(notices.len())
    }
}
