//! Lambda `compliance-sweep`: see vpce_guard_lambda::functions::compliance_sweep.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    vpce_guard_lambda::serve(vpce_guard_lambda::functions::compliance_sweep).await
}
