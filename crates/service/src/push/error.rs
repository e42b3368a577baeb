//! What can go wrong at the push edge, each saying what was wrong.

use portcullis_push::{ActivationError, AnswerRefused, DeviceRequestRefused, PushRefusal};
use portcullis_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PushError {
    #[error("the user has no active Portcullis Authenticator device")]
    NoDevice,
    #[error("push not sent: {0}")]
    Refused(#[from] PushRefusal),
    #[error("activation refused: {0}")]
    Activation(#[from] ActivationError),
    #[error("answer refused: {0}")]
    Answer(#[from] AnswerRefused),
    #[error("device request refused: {0}")]
    DeviceRequest(#[from] DeviceRequestRefused),
    #[error("no push approval {0} exists")]
    UnknownApproval(String),
    #[error("the answering device is not registered (it may have been removed)")]
    UnknownDevice,
    #[error("this device is not enabled for passwordless sign-in; approve with a device that is")]
    PhoneSignInNotEnabled,
    #[error("stored push state is damaged: {0}")]
    Corrupt(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

pub type PushResult<T> = Result<T, PushError>;
