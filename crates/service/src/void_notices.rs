//! The null notice adapter: a guard that only plans and prints (the operator CLI) has no topic.

use vpce_guard_core::error::ApiError;
use vpce_guard_core::notice::Notice;
use vpce_guard_core::ports::NoticePort;

/// Publishes nothing, and says so: a run with `notify: false` never calls it, and a run that
/// does finds out it has no notice topic instead of losing its notices silently.
#[derive(Debug, Clone, Copy, Default)]
pub struct VoidNotices;

impl NoticePort for VoidNotices {
    async fn publish(&self, notices: &[Notice]) -> Result<usize, ApiError> {
        Err(ApiError::new(
            "Publish",
            "NotConfigured",
            format!(
                "{} notice(s) to publish, but this guard has no notice topic",
                notices.len()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn publishing_to_nowhere_is_an_error_that_says_so() {
        assert_eq!(
            VoidNotices.publish(&[]).await.unwrap_err().code,
            "NotConfigured"
        );
    }
}
