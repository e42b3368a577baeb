//! The Portcullis Authenticator on the sign-in page: send the push, show the two-digit
//! number, wait for the answer, and hand how it ended to the pipeline.
//!
//! Waiting costs one request per [`LONG_POLL`]: `push.js` posts to
//! `/signin/push/status`, which holds the request until the push is answered (woken by
//! the push hub, not by polling the store) or the wait runs out, then the script
//! submits the wait form. Without JavaScript the user presses "Continue" after
//! answering; the wait form itself waits up to [`LONG_POLL`] for an answer still on
//! its way. "Use another method" withdraws the push.

use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_push::{ApprovalId, ApprovalState, PushRefusal};
use portcullis_service::push::{PushError, PushSignInError, PushSignInStep, StartedPush};
use portcullis_service::signin::{SignInError, SignInProgress, TransactionId};
use portcullis_signin::Outcome;
use serde::Deserialize;
use time::OffsetDateTime;

use super::continuation::Continuation;
use super::flow::{self, MAX_USERNAME_CHARS};
use super::outcome::{Rendering, challenge_page, respond};
use super::views::FlowFields;
use crate::kit::{CsrfToken, PageError, PageForm, render};
use crate::state::PagesState;

/// How long one request waits for the answer: well under the pages' 30 s timeout (and
/// the idle limit of common proxies), long enough that a waiting page costs three
/// requests a minute.
pub const LONG_POLL: Duration = Duration::from_secs(20);

const PUSH_JS: &str = include_str!("../../static/push.js");

pub fn routes() -> axum::Router<PagesState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/signin/push", post(start))
        .route("/signin/push/wait", post(wait))
        .route("/signin/push/status", post(status))
        .route("/signin/push/withdraw", post(withdraw))
        .route("/static/push.js", get(script))
}

/// The fields every push form carries.
#[derive(Debug, Deserialize)]
pub struct PushForm {
    #[serde(default)]
    flow: String,
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    username: String,
    /// The approval being waited for (absent on `/signin/push`).
    #[serde(default)]
    approval: String,
}

impl PushForm {
    fn transaction(&self) -> Result<TransactionId, PageError> {
        TransactionId::parse(&self.flow).ok_or_else(|| flow::expired(&self.next))
    }

    fn approval(&self) -> Result<ApprovalId, PageError> {
        ApprovalId::parse(self.approval.trim()).map_err(|_| flow::expired(&self.next))
    }

    fn flow_fields(&self, csrf: &str) -> FlowFields {
        FlowFields {
            csrf: csrf.to_owned(),
            handle: self.flow.clone(),
            next: self.next.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "push/wait.html")]
pub struct WaitPage {
    pub flow: FlowFields,
    pub username: String,
    pub approval: String,
    pub number: String,
    pub devices: usize,
    /// Whole seconds left when the page was drawn.
    pub seconds_left: i64,
}

fn wait_page(csrf: &str, form: &PushForm, push: &StartedPush) -> Response {
    render(&WaitPage {
        flow: form.flow_fields(csrf),
        username: form.username.chars().take(MAX_USERNAME_CHARS).collect(),
        approval: push.approval_id.to_string(),
        number: push.number.to_string(),
        devices: push.devices,
        seconds_left: (push.expires_at - OffsetDateTime::now_utc())
            .whole_seconds()
            .max(0),
    })
}

/// Renders the pipeline's answer; a challenge shown again carries `notice` (why the push
/// did not complete it, in the user's words).
async fn answer(
    state: &PagesState,
    csrf: &str,
    form: &PushForm,
    progress: SignInProgress,
    notice: Option<String>,
) -> Response {
    if let (Some(notice), Some(Outcome::Challenge(challenge))) = (&notice, &progress.outcome) {
        let mut page = challenge_page(form.flow_fields(csrf), challenge);
        page.notice = Some(notice.clone());
        return render(&page);
    }
    let username: String = form.username.chars().take(MAX_USERNAME_CHARS).collect();
    let rendering = Rendering {
        csrf,
        next: &form.next,
        cookies: &state.kit.cookies,
        username: &username,
    };
    respond(&state.app.services, &rendering, progress).await
}

fn refusal_notice(refusal: &PushRefusal) -> String {
    match refusal {
        PushRefusal::CoolingDown { .. } => {
            "A request was denied a moment ago, so no new one is sent yet. Wait a minute, or use another method."
                .to_owned()
        }
        PushRefusal::TooManyOutstanding { .. } => {
            "Several requests are already waiting in your app. Answer or let them expire, or use another method."
                .to_owned()
        }
        PushRefusal::Suspended { .. } => {
            "Requests to your app are paused for your account after repeated denials. Use another method."
                .to_owned()
        }
    }
}

fn notice_for(state: &ApprovalState) -> Option<String> {
    let text = match state {
        ApprovalState::Denied { .. } => "The request was denied in the app.",
        ApprovalState::WrongNumber { .. } => {
            "The number entered in the app did not match the number shown here."
        }
        ApprovalState::Expired => "Nobody answered the request in time.",
        ApprovalState::Reported { .. }
        | ApprovalState::Approved { .. }
        | ApprovalState::Cancelled
        | ApprovalState::Pending => return None,
    };
    Some(text.to_owned())
}

fn push_error(error: PushSignInError, next: &Continuation) -> PageError {
    match error {
        PushSignInError::SignIn(SignInError::UnknownTransaction)
        | PushSignInError::NotChallenged
        | PushSignInError::ForeignApproval(_)
        | PushSignInError::Push(PushError::UnknownApproval(_)) => flow::expired(next),
        PushSignInError::SignIn(SignInError::ConcurrentStep) => PageError::new(
            StatusCode::CONFLICT,
            "Already submitted",
            "This step was submitted twice. Go back and try again.",
        )
        .with_retry(next.signin_href()),
        other => PageError::internal_from(&other),
    }
}

/// `POST /signin/push`: send the push and show the number.
pub async fn start(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PushForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    let push = state.app.services.push();
    match push
        .start_sign_in_push(&transaction, OffsetDateTime::now_utc())
        .await
    {
        Ok(started) => Ok(wait_page(&csrf, &form, &started)),
        Err(PushSignInError::Push(PushError::Refused(refusal))) => {
            let notice = refusal_notice(&refusal);
            // Nothing was sent: the challenge again, with why.
            let progress =
                flow::step(&state.app.signin, &form.flow, withdrawn_input(), &form.next).await?;
            Ok(answer(&state, &csrf, &form, progress, Some(notice)).await)
        }
        Err(PushSignInError::Push(PushError::NoDevice)) => {
            let progress =
                flow::step(&state.app.signin, &form.flow, withdrawn_input(), &form.next).await?;
            let notice = "No Portcullis Authenticator is set up for your account any more. Use another method.";
            Ok(answer(&state, &csrf, &form, progress, Some(notice.to_owned())).await)
        }
        Err(error) => Err(push_error(error, &form.next)),
    }
}

fn withdrawn_input() -> portcullis_signin::Input {
    portcullis_signin::Input::OutOfBandDeclined {
        credential_id: None,
        reason: portcullis_signin::OutOfBandDecline::Withdrawn,
    }
}

/// `POST /signin/push/wait`: wait for the answer (briefly when it is already in), then
/// move the sign-in on, or show the wait again.
pub async fn wait(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PushForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    let approval = form.approval()?;
    let push = state.app.services.push();
    // Read how it ended before the step consumes it, for the words on the page.
    let settled = push
        .sign_in_push_state(&transaction, &approval, Duration::ZERO)
        .await
        .map_err(|e| push_error(e, &form.next))?;
    let waited = if settled == ApprovalState::Pending {
        LONG_POLL
    } else {
        Duration::ZERO
    };
    let step = push
        .await_sign_in_push(&state.app.signin, &transaction, &approval, waited)
        .await
        .map_err(|e| push_error(e, &form.next))?;
    match step {
        PushSignInStep::Progress(progress) => {
            let notice = push
                .approval_state(&approval, OffsetDateTime::now_utc())
                .await
                .ok()
                .as_ref()
                .and_then(notice_for);
            Ok(answer(&state, &csrf, &form, *progress, notice).await)
        }
        PushSignInStep::Waiting => {
            let sent = push
                .sign_in_push(&transaction, &approval)
                .await
                .map_err(|e| push_error(e, &form.next))?;
            Ok(wait_page(&csrf, &form, &sent))
        }
    }
}

/// `POST /signin/push/withdraw`: "use another method".
pub async fn withdraw(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    PageForm(form): PageForm<PushForm>,
) -> Result<Response, PageError> {
    form.next.check()?;
    let transaction = form.transaction()?;
    let approval = form.approval()?;
    let progress = state
        .app
        .services
        .push()
        .withdraw_sign_in_push(&state.app.signin, &transaction, &approval)
        .await
        .map_err(|e| push_error(e, &form.next))?;
    Ok(answer(&state, &csrf, &form, progress, None).await)
}

/// `POST /signin/push/status` (from `push.js`): `{"state": "pending" | "approved" | …}`
/// once the push is answered or after [`LONG_POLL`]. It never moves the sign-in on.
pub async fn status(
    State(state): State<PagesState>,
    PageForm(form): PageForm<PushForm>,
) -> Response {
    let (Ok(transaction), Ok(approval)) = (form.transaction(), form.approval()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "state": "unknown" })),
        )
            .into_response();
    };
    match state
        .app
        .services
        .push()
        .sign_in_push_state(&transaction, &approval, LONG_POLL)
        .await
    {
        Ok(settled) => Json(serde_json::json!({ "state": settled.name() })).into_response(),
        // Over, foreign or unknown: the script submits the wait form, whose answer
        // explains it.
        Err(
            PushSignInError::SignIn(SignInError::UnknownTransaction)
            | PushSignInError::NotChallenged
            | PushSignInError::ForeignApproval(_)
            | PushSignInError::Push(PushError::UnknownApproval(_)),
        ) => Json(serde_json::json!({ "state": "unknown" })).into_response(),
        Err(error) => {
            tracing::warn!(%error, "push status could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "state": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// `GET /static/push.js`.
pub async fn script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=600"),
            ),
        ],
        PUSH_JS,
    )
        .into_response()
}
