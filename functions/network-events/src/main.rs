//! Lambda `network-events`: see vpce_guard_lambda::functions::network_events.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    vpce_guard_lambda::serve(vpce_guard_lambda::functions::network_events).await
}
