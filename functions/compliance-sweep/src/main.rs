//! Lambda `compliance-sweep`: see vpce_guard::handlers::compliance_sweep.

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};
use vpce_guard::handlers::{compliance_sweep, guard_from_env};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    // Configuration is read once; a bad value fails the cold start with the variable's name.
    let guard = guard_from_env().await?;
    let guard = &guard;
    run(service_fn(move |event: LambdaEvent<serde_json::Value>| async move {
        compliance_sweep(guard, event).await
    }))
    .await
}
