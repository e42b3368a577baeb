//! `portcullis-authenticator`: see `--help`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use portcullis_authenticator::accounts::Accounts;
use portcullis_authenticator::cli::{Cli, Command, TotpCommand};
use portcullis_authenticator::commands::{self, CommandError, RespondRequest};
use portcullis_authenticator::datadir::DataDir;
use portcullis_authenticator::ui;
use portcullis_push::Decision;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("portcullis-authenticator: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<String, CommandError> {
    let dir = DataDir::resolve(cli.dir)?;
    match cli
        .command
        .unwrap_or(Command::Ui(portcullis_authenticator::cli::DeviceArg {
            device: None,
        })) {
        Command::Activate {
            link,
            name,
            passphrase,
            phone_sign_in,
        } => {
            let file = commands::activate(&dir, &link, &name, passphrase, phone_sign_in).await?;
            Ok(format!(
                "activated device {} for {}\n",
                file.device_id, file.user_principal_name
            ))
        }
        Command::List => commands::list(&dir),
        Command::Pending(device) => commands::pending(&dir, device.device.as_deref()).await,
        Command::Respond(args) => {
            let decision = if args.decision.approve {
                Decision::Approve
            } else if args.decision.deny {
                Decision::Deny
            } else {
                Decision::Report
            };
            commands::respond(
                &dir,
                RespondRequest {
                    decision,
                    number: args.number.as_deref(),
                    approval: args.approval.as_deref(),
                    wait: Duration::from_secs(args.wait),
                    confirm_local: args.confirm_local,
                    device: args.device.device.as_deref(),
                },
            )
            .await
        }
        Command::Watch(device) => {
            commands::watch_lines(&dir, device.device.as_deref()).await?;
            Ok(String::new())
        }
        Command::PhoneSignIn { setting, device } => {
            commands::set_phone_sign_in(
                &dir,
                device.device.as_deref(),
                setting == portcullis_authenticator::cli::OnOff::On,
            )
            .await
        }
        Command::Forget { device } => {
            let id = commands::forget(&dir, &device)?;
            Ok(format!("forgot device {id}\n"))
        }
        Command::Totp(command) => {
            dir.ensure()?;
            let mut accounts = Accounts::load(&dir.accounts_path())?;
            match command {
                TotpCommand::Add { uri } => {
                    let added = accounts.add(&uri)?;
                    Ok(format!("added {}:{}\n", added.issuer(), added.account()))
                }
                TotpCommand::Remove { text } => {
                    let removed = accounts.remove(&text)?;
                    Ok(format!("removed {removed} account(s)\n"))
                }
                TotpCommand::Codes => Ok(accounts
                    .codes(time::OffsetDateTime::now_utc())?
                    .into_iter()
                    .map(|c| {
                        format!(
                            "{} {}:{} ({}s)\n",
                            c.code, c.issuer, c.account, c.seconds_left
                        )
                    })
                    .collect()),
            }
        }
        Command::Ui(device) => {
            ui::run(&dir, device.device.as_deref()).await?;
            Ok(String::new())
        }
    }
}
