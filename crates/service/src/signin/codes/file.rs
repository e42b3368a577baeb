//! The development provider: each code becomes one JSON line appended to a file (so
//! tests and end-to-end scripts can read it), or a log line when no file is set.
//! Never for production: the plaintext code is written down.

use std::path::PathBuf;

use async_trait::async_trait;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::{CodeDeliveryError, CodeMessage, CodeSender, Notice};

pub struct FileCodeSender {
    path: Option<PathBuf>,
    /// Appends from concurrent steps must not interleave within a line.
    lock: tokio::sync::Mutex<()>,
}

impl FileCodeSender {
    /// Appends to `path` (`None`: writes to the log at WARN).
    pub fn new(path: Option<PathBuf>) -> Self {
        FileCodeSender {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

#[async_trait]
impl CodeSender for FileCodeSender {
    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError> {
        self.append(
            json!({
                "channel": message.channel,
                "purpose": message.purpose,
                "destination": message.destination,
                "code": message.code.as_str(),
                "userId": message.user_id,
                "correlationId": message.correlation_id,
                "text": message.text(),
            })
            .to_string(),
        )
        .await
    }

    async fn notify(&self, notice: &Notice) -> Result<(), CodeDeliveryError> {
        self.append(
            json!({
                "channel": notice.channel,
                "destination": notice.destination,
                "notice": notice.subject,
                "userId": notice.user_id,
                "correlationId": notice.correlation_id,
                "text": notice.text,
            })
            .to_string(),
        )
        .await
    }
}

impl FileCodeSender {
    async fn append(&self, line: String) -> Result<(), CodeDeliveryError> {
        let Some(path) = &self.path else {
            tracing::warn!(target: "portcullis::dev_codes", "{line}");
            return Ok(());
        };
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await
            .map_err(|err| CodeDeliveryError::Unreachable(format!("{}: {err}", path.display())))?;
        file.write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(|err| CodeDeliveryError::Unreachable(format!("{}: {err}", path.display())))?;
        file.flush()
            .await
            .map_err(|err| CodeDeliveryError::Unreachable(format!("{}: {err}", path.display())))
    }
}
