//! `portcullis audit verify`.

use std::process::ExitCode;

use portcullis_service::admin::audit_log::verify_audit_chain;

use super::{CliError, load_config};
use crate::args::StoreArgs;

pub async fn verify(args: StoreArgs) -> Result<ExitCode, CliError> {
    let config = load_config(args.config.as_deref(), args.layer())?;
    if matches!(
        config.storage,
        portcullis_server::config::Storage::Sqlite { .. }
    ) && !config.data_dir.is_dir()
    {
        return Err(CliError::Other(format!(
            "no data directory at {}",
            config.data_dir.display()
        )));
    }
    let store = portcullis_server::storage::open(&config.storage, &config.data_dir).await?;
    let report = verify_audit_chain(store.as_ref()).await?;
    match report.first_break {
        None => {
            println!(
                "audit chain intact: {} records, head {} {}",
                report.records,
                report.head.seq,
                report.head.hash.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(chain_break) => {
            println!(
                "audit chain BROKEN at record {}: {} ({} records checked)",
                chain_break.seq, chain_break.reason, report.records
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
