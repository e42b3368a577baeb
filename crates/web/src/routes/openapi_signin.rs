//! The native-client sign-in API (`/api/v1/signin…`) in `/openapi.json`: one table of
//! operations with their request and answer shapes, beside the admin API's table.
//!
//! Every step answers the same `SignInProgress` document, so a client is one loop:
//! post the answer the `outcome` asks for, read the next `outcome`, until `done` (with
//! a session) or `blocked` (with an AADSTS code).

use serde_json::{Map, Value, json};

/// What a successful call answers.
#[derive(Clone, Copy)]
pub enum Answer {
    /// `SignInProgress`: where the sign-in stands.
    Progress,
    /// A registration or passkey ceremony's data (a secret: `Cache-Control: no-store`),
    /// described in the summary.
    Ceremony(&'static str),
}

pub struct SignInOperation {
    pub path: &'static str,
    pub summary: &'static str,
    /// JSON properties of the body: (name, type, required, description).
    pub body: &'static [(&'static str, &'static str, bool, &'static str)],
    pub answer: Answer,
}

const fn op(
    path: &'static str,
    summary: &'static str,
    body: &'static [(&'static str, &'static str, bool, &'static str)],
    answer: Answer,
) -> SignInOperation {
    SignInOperation {
        path,
        summary,
        body,
        answer,
    }
}

const CODE: &[(&str, &str, bool, &str)] = &[("code", "string", true, "The digits received")];
const CREDENTIAL: &[(&str, &str, bool, &str)] = &[(
    "credential",
    "object",
    true,
    "The PublicKeyCredential as JSON, binary fields base64url",
)];
const NONE: &[(&str, &str, bool, &str)] = &[];

/// Every sign-in API route; a test checks the route files against it.
pub const SIGNIN_OPERATIONS: &[SignInOperation] = &[
    op(
        "/api/v1/signin",
        "Begin a sign-in for a typed name (an unknown name is answered like a known one)",
        &[
            (
                "username",
                "string",
                true,
                "The user principal name typed by the user",
            ),
            (
                "clientId",
                "string",
                false,
                "The registered application signing in; absent: Portcullis itself",
            ),
            (
                "acr",
                "string",
                false,
                "An authentication context (c1…c25) the application asks for",
            ),
            (
                "password",
                "string",
                false,
                "The password, to run the first step in the same request (its answer is the step's)",
            ),
            (
                "temporaryAccessPass",
                "string",
                false,
                "A Temporary Access Pass instead of a password, the same way (not both)",
            ),
        ],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/password",
        "Answer with the password",
        &[("password", "string", true, "")],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/temporaryAccessPass",
        "Answer with a Temporary Access Pass (first factor, or the whole sign-in)",
        &[("pass", "string", true, "")],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/totp",
        "Answer a challenge with an authenticator-app code",
        &[
            ("code", "string", true, "6 or 8 digits"),
            (
                "credentialId",
                "string",
                false,
                "Which registered app, when several",
            ),
        ],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/sendCode",
        "Send a one-time code by SMS, voice call or email to a registered method (throttled per destination)",
        &[(
            "credentialId",
            "string",
            true,
            "A method offered in the challenge",
        )],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/code",
        "Answer with the code that was sent",
        CODE,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/skipRegistration",
        "Skip a registration prompt while its grace period or snoozes last",
        NONE,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/passkey",
        "Begin a username-less passkey sign-in",
        &[
            (
                "clientId",
                "string",
                false,
                "The registered application signing in",
            ),
            ("acr", "string", false, "An authentication context (c1…c25)"),
        ],
        Answer::Ceremony(
            "SignInProgress plus `passkeyOptions` (WebAuthn request options) and `next: [\"passkey\"]`",
        ),
    ),
    op(
        "/api/v1/signin/{transaction}/passkey/options",
        "WebAuthn request options for a passkey challenge of this sign-in",
        NONE,
        Answer::Ceremony("`{\"passkeyOptions\": …}`: WebAuthn request options"),
    ),
    op(
        "/api/v1/signin/{transaction}/passkey",
        "Answer with a passkey assertion",
        CREDENTIAL,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/passwordChange",
        "Set a new password when the outcome is passwordChangeRequired (the password rules apply)",
        &[("newPassword", "string", true, "")],
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/register/totp",
        "Registration interrupt: start an authenticator app",
        NONE,
        Answer::Ceremony(
            "`{secret, uri, account, digits, expiresAt}`: the otpauth:// secret to show once",
        ),
    ),
    op(
        "/api/v1/signin/{transaction}/register/totp/verify",
        "Registration interrupt: confirm the authenticator app with its current code",
        CODE,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/register/phone",
        "Registration interrupt: verify a phone number (E.164) by a code",
        &[
            ("phoneNumber", "string", true, "E.164, e.g. +4915112345678"),
            ("channel", "string", false, "sms (default) or voice"),
        ],
        Answer::Ceremony("`{method, destination, digits, expiresAt}`: where the code went"),
    ),
    op(
        "/api/v1/signin/{transaction}/register/email",
        "Registration interrupt: verify an email address by a code",
        &[("emailAddress", "string", true, "")],
        Answer::Ceremony("`{method, destination, digits, expiresAt}`: where the code went"),
    ),
    op(
        "/api/v1/signin/{transaction}/register/contact/resend",
        "Registration interrupt: send the phone or email code again (throttled)",
        NONE,
        Answer::Ceremony("`{method, destination, digits, expiresAt}`: where the code went"),
    ),
    op(
        "/api/v1/signin/{transaction}/register/contact/verify",
        "Registration interrupt: the code received on the phone or by email",
        CODE,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/register/authenticator",
        "Registration interrupt: an activation link for Portcullis Authenticator (push)",
        NONE,
        Answer::Ceremony(
            "`{activationLink, qrSvg, expiresAt, skippable}`: a secret link to open on the device",
        ),
    ),
    op(
        "/api/v1/signin/{transaction}/register/authenticator/done",
        "Registration interrupt: continue once the app is activated (202 while it is not yet)",
        NONE,
        Answer::Progress,
    ),
    op(
        "/api/v1/signin/{transaction}/register/passkey/options",
        "Registration interrupt: WebAuthn creation options for a new passkey",
        NONE,
        Answer::Ceremony("`{\"passkeyOptions\": …}`: WebAuthn creation options"),
    ),
    op(
        "/api/v1/signin/{transaction}/register/passkey",
        "Registration interrupt: the new passkey's attestation",
        CREDENTIAL,
        Answer::Progress,
    ),
];

/// The error answers every sign-in call can give, besides its own.
const ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "Malformed input (invalidRequest, or a field's own code)",
    ),
    ("404", "unknownTransaction: unknown or expired; begin again"),
    (
        "409",
        "concurrentStep: another answer for this sign-in arrived at the same time",
    ),
    (
        "429",
        "tooManyRequests: per address or per account; see Retry-After",
    ),
];

/// The sign-in operations as OpenAPI path items, added to `paths`.
pub fn add_paths(paths: &mut Map<String, Value>) {
    for operation in SIGNIN_OPERATIONS {
        let ok = match operation.answer {
            Answer::Progress => json!({
                "description": "Where the sign-in stands",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignInProgress"}}}
            }),
            Answer::Ceremony(shape) => json!({
                "description": shape,
                "content": {"application/json": {"schema": {"type": "object"}}}
            }),
        };
        let mut responses = Map::new();
        responses.insert("200".to_owned(), ok);
        let has_transaction = operation.path.contains("{transaction}");
        for (status, why) in ERRORS {
            if !has_transaction && matches!(*status, "404" | "409") {
                continue;
            }
            responses.insert(
                (*status).to_owned(),
                json!({"description": why, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraphError"}}}}),
            );
        }
        let mut spec = json!({
            "summary": operation.summary,
            "tags": ["sign-in"],
            "responses": responses,
        });
        if has_transaction {
            spec["parameters"] = json!([{
                "name": "transaction", "in": "path", "required": true,
                "description": "The `transaction` of the last answer",
                "schema": {"type": "string"}
            }]);
        }
        if !operation.body.is_empty() {
            let properties: Map<String, Value> = operation
                .body
                .iter()
                .map(|(name, kind, _, about)| {
                    let mut property = json!({"type": kind});
                    if !about.is_empty() {
                        property["description"] = json!(about);
                    }
                    ((*name).to_owned(), property)
                })
                .collect();
            let required: Vec<&str> = operation
                .body
                .iter()
                .filter(|(_, _, required, _)| *required)
                .map(|(name, ..)| *name)
                .collect();
            spec["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "additionalProperties": false,
                "required": required,
                "properties": properties,
            }}}});
        }
        paths.insert(operation.path.to_owned(), json!({ "post": spec }));
    }
}

/// `SignInProgress`, the answer of every step.
pub fn progress_schema() -> Value {
    json!({
        "type": "object",
        "required": ["transaction", "correlationId", "stage"],
        "properties": {
            "transaction": {"type": "string", "description": "Post the next answer under this id"},
            "correlationId": {"type": "string", "description": "Shown on error pages and in the sign-in log"},
            "stage": {"type": "string"},
            "next": {"type": "array", "items": {"type": "string"}, "description": "Before the first factor: the answers accepted"},
            "outcome": {
                "type": "object",
                "required": ["kind"],
                "description": "done (amr, acr, authTime, sessionControls…), challenge (the methods that satisfy the requirement, strongest first), registrationRequired, passwordChangeRequired or blocked",
                "properties": {"kind": {"type": "string", "enum": [
                    "done", "challenge", "registrationRequired", "passwordChangeRequired", "blocked"
                ]}}
            },
            "error": {
                "type": "object",
                "description": "Why the sign-in failed or the last answer was refused",
                "properties": {"code": {"type": "integer", "description": "AADSTS code, e.g. 50126"}, "message": {"type": "string"}}
            },
            "session": {
                "type": "object",
                "description": "Once done: the SSO session (a secret)",
                "properties": {
                    "id": {"type": "string"},
                    "token": {"type": "string"},
                    "persistent": {"type": "boolean"},
                    "expiresAt": {"type": "string", "format": "date-time"}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::SIGNIN_OPERATIONS;

    /// Every sign-in route the route files declare is documented, and nothing else is.
    #[test]
    fn every_signin_route_is_documented() {
        let files = [
            include_str!("signin_api.rs"),
            include_str!("signin_api_authenticator.rs"),
            include_str!("signin_api_contact.rs"),
            include_str!("signin_api_interrupt.rs"),
            include_str!("signin_api_passkey.rs"),
            include_str!("signin_api_passkey_registration.rs"),
        ];
        let mut routed: Vec<&str> = files
            .iter()
            .flat_map(|text| text.split(".route(").skip(1))
            .filter_map(|rest| rest.trim_start().strip_prefix('"'))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        routed.sort_unstable();
        let mut documented: Vec<&str> = SIGNIN_OPERATIONS.iter().map(|op| op.path).collect();
        documented.sort_unstable();
        assert_eq!(routed, documented);
    }
}
