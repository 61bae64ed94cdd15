//! Lambda `network-events`: see vpce_guard::handlers::network_events.

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};
use vpce_guard::handlers::{guard_from_env, network_events};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    // Configuration is read once; a bad value fails the cold start with the variable's name.
    let guard = guard_from_env().await?;
    let guard = &guard;
    run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        network_events(guard, event).await
    }))
    .await
}
