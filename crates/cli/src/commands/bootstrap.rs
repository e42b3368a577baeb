//! `portcullis bootstrap`: offline creation of the first administrator and an
//! automation client.

use std::process::ExitCode;

use portcullis_server::config::FileConfig;
use portcullis_service::{ServiceSettings, Services};
use serde_json::json;

use super::{CliError, load_config};
use crate::args::BootstrapArgs;

pub async fn run(args: BootstrapArgs) -> Result<ExitCode, CliError> {
    let config = load_config(
        args.store.config.as_deref(),
        FileConfig {
            public_url: args.public_url.clone(),
            ..args.store.layer()
        },
    )?;
    let store = portcullis_server::storage::open(&config.storage, &config.data_dir).await?;
    let services = Services::start(
        store,
        ServiceSettings {
            public_url: config.public_url_for(config.listen),
            access_token_lifetime: config.access_token_lifetime,
            signing_keys: portcullis_server::signing_keys::signing_key_settings(&config.data_dir)?,
        },
    )
    .await?;
    let outcome = services
        .offline_bootstrap(&args.admin_upn, args.recover)
        .await?;
    if args.json {
        let output = json!({
            "admin": {
                "userPrincipalName": outcome.admin_user_principal_name,
                "signInUrl": outcome.sign_in_url,
            },
            "automation": {
                "clientId": outcome.client_id,
                "clientSecret": outcome.client_secret,
                "tokenEndpoint": outcome.token_endpoint,
            }
        });
        println!("{output}");
    } else {
        println!(
            "Global Administrator: {}",
            outcome.admin_user_principal_name
        );
        println!("  set the password at: {}", outcome.sign_in_url);
        println!("Automation client (client credentials):");
        println!("  client id:      {}", outcome.client_id);
        println!(
            "  client secret:  {}   (shown once; store it safely)",
            outcome.client_secret
        );
        println!("  token endpoint: {}", outcome.token_endpoint);
    }
    Ok(ExitCode::SUCCESS)
}
