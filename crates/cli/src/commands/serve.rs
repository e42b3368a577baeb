//! `portcullis serve`.

use std::process::ExitCode;

use portcullis_server::Application;
use portcullis_server::telemetry::init_logging;

use super::{CliError, load_config};
use crate::args::ServeArgs;

pub async fn run(args: ServeArgs) -> Result<ExitCode, CliError> {
    let config = load_config(args.store.config.as_deref(), args.layer())?;
    init_logging(config.log_format, &config.log_level);
    let app = Application::build(config).await?;
    if let Some(link) = app.bootstrap_link() {
        // Printed, not only logged: the operator needs it once, at first start.
        println!();
        println!("  No administrator exists yet. Create the first Global Administrator at:");
        println!("    {link}");
        println!("  The link works once and expires in 24 hours; each start replaces it.");
        println!();
    }
    app.run_until_signal()
        .await
        .map_err(|e| CliError::Other(format!("server failed: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
