//! Lambda `account-baseline`: see vpce_guard::functions::account_baseline.

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};
use vpce_guard::fleet::Fleet;
use vpce_guard::functions::account_baseline;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    // Configuration is read once; a bad value fails the cold start with the variable's name.
    let fleet = Fleet::from_env().await?;
    let fleet = &fleet;
    // The handler's future is deep: boxing it keeps the runtime's own future small.
    run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            Box::pin(account_baseline(fleet, event)).await
        },
    ))
    .await
}
