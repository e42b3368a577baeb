//! `/v1.0/policies/authenticationMethodsPolicy` and its method configurations against a
//! real server, on SQLite and (when `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL:
//! Graph's shape, least privilege, audited changes, clear 400s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::{assert_graph_error, backends, spawn_with_config};
use portcullis_core::AppPermission;
use portcullis_server::config::FileConfig;
use portcullis_service::admin::methods_policy::{AuthenticationMethodsPolicy, MethodKind};
use portcullis_store::{PolicyKind, SINGLETON_ID};
use serde_json::json;

const POLICY: &str = "/v1.0/policies/authenticationMethodsPolicy";
const CONFIGURATIONS: &str =
    "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations";

#[tokio::test]
async fn the_methods_policy_in_graph_shape_on_every_backend() {
    for backend in backends() {
        let app = spawn_with_config(&backend, FileConfig::default()).await;
        let admin = app.admin_token().await;
        let (status, group) = app
            .post(
                "/v1.0/groups",
                &admin,
                json!({"displayName": "Pilot", "mailEnabled": false, "mailNickname": "pilot", "securityEnabled": true}),
            )
            .await;
        assert_eq!(status, 201, "{backend:?}: {group}");
        let group_id = group["id"].as_str().unwrap().to_owned();
        let reader = app
            .register_client(&[AppPermission::PolicyReadAll], &[])
            .await;
        let reader = app.token_for(&reader).await;
        let writer = app
            .register_client(&[AppPermission::PolicyReadWriteAuthenticationMethod], &[])
            .await;
        let writer = app.token_for(&writer).await;
        let ca_writer = app
            .register_client(&[AppPermission::PolicyReadWriteConditionalAccess], &[])
            .await;
        let ca_writer = app.token_for(&ca_writer).await;

        // A fresh install: every method on for everyone, in Graph's shape.
        let (status, policy) = app.get(POLICY, &reader).await;
        assert_eq!(status, 200, "{backend:?}: {policy}");
        assert_eq!(policy["id"], "authenticationMethodsPolicy");
        assert!(
            policy["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("#policies/authenticationMethodsPolicy/$entity")
        );
        let ids: Vec<&str> = policy["authenticationMethodConfigurations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"Fido2")
                && ids.contains(&"MicrosoftAuthenticator")
                && ids.contains(&"TemporaryAccessPass"),
            "{ids:?}"
        );

        // SMS for the pilot group only, by the writer; audited; read back by the reader.
        let audit_before = app.audit_len().await;
        let (status, body) = app
            .patch(
                &format!("{CONFIGURATIONS}/Sms"),
                &writer,
                json!({
                    "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
                    "state": "enabled",
                    "includeTargets": [{"id": group_id, "targetType": "group", "isRegistrationRequired": false}],
                }),
            )
            .await;
        assert_eq!(status, 204, "{backend:?}: {body}");
        assert_eq!(app.audit_len().await, audit_before + 1, "one audit record");
        let (status, sms) = app.get(&format!("{CONFIGURATIONS}/sms"), &reader).await;
        assert_eq!(status, 200, "ids match without regard to case: {sms}");
        assert_eq!(sms["state"], "enabled");
        assert_eq!(sms["includeTargets"][0]["id"], group_id.as_str());
        assert_eq!(sms["excludeTargets"], json!([]));
        // The sign-in pipeline reads the same policy.
        let stored = app
            .store()
            .get_policy(PolicyKind::AuthenticationMethodsPolicy, SINGLETON_ID)
            .await
            .unwrap();
        let stored: AuthenticationMethodsPolicy = serde_json::from_value(stored.json).unwrap();
        let sms_kind = &stored.methods[&MethodKind::Sms];
        assert!(!sms_kind.include_all_users);
        assert_eq!(sms_kind.include_group_ids, vec![group_id.clone()]);

        // The Authenticator's passwordless mode off, push kept, in one change of the
        // whole policy.
        let (status, body) = app
            .patch(
                POLICY,
                &writer,
                json!({"authenticationMethodConfigurations": [
                    {"id": "MicrosoftAuthenticator", "includeTargets": [{"id": "all_users", "authenticationMode": "push"}]},
                    {"id": "TemporaryAccessPass", "isUsableOnce": true},
                ]}),
            )
            .await;
        assert_eq!(status, 204, "{backend:?}: {body}");
        assert_eq!(
            app.audit_len().await,
            audit_before + 2,
            "one record for both"
        );
        let (_, authenticator) = app
            .get(&format!("{CONFIGURATIONS}/MicrosoftAuthenticator"), &reader)
            .await;
        assert_eq!(authenticator["state"], "enabled");
        assert_eq!(
            authenticator["includeTargets"],
            json!([{"id": "all_users", "targetType": "group", "isRegistrationRequired": false, "authenticationMode": "push"}])
        );
        let (_, pass) = app
            .get(&format!("{CONFIGURATIONS}/TemporaryAccessPass"), &reader)
            .await;
        assert_eq!(pass["isUsableOnce"], true);

        // Least privilege: readers and Conditional Access writers cannot change it.
        let audit_now = app.audit_len().await;
        for token in [&reader, &ca_writer] {
            let refused = app
                .patch(
                    &format!("{CONFIGURATIONS}/Sms"),
                    token,
                    json!({"state": "disabled"}),
                )
                .await;
            assert_graph_error(&refused, 403, "Authorization_RequestDenied");
        }
        assert_eq!(app.audit_len().await, audit_now, "refusals write nothing");

        // Malformed bodies: a clear 400 naming the problem, nothing written.
        for (path, body, says) in [
            (
                format!("{CONFIGURATIONS}/Sms"),
                json!({"state": "on"}),
                "state must be",
            ),
            (
                format!("{CONFIGURATIONS}/Sms"),
                json!({"includeTargets": [{"id": group_id, "targetType": "user"}]}),
                "targetType",
            ),
            (
                format!("{CONFIGURATIONS}/Sms"),
                json!({"includeTargets": [{"id": "not-a-group"}]}),
                "not a group ID",
            ),
            (
                format!("{CONFIGURATIONS}/Sms"),
                json!({"includeTargets": []}),
                "on for nobody",
            ),
            (
                format!("{CONFIGURATIONS}/Fido2"),
                json!({"isAttestationEnforced": true}),
                "isAttestationEnforced",
            ),
            (
                POLICY.to_owned(),
                json!({"reconfirmationInDays": 7}),
                "reconfirmationInDays",
            ),
        ] {
            let refused = app.patch(&path, &writer, body).await;
            assert_graph_error(&refused, 400, "BadRequest");
            let message = refused.1["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{backend:?} {path}: {message}");
        }
        let not_json = app
            .client
            .patch(app.url(&format!("{CONFIGURATIONS}/Sms")))
            .bearer_auth(&writer)
            .header("content-type", "application/json")
            .body("{\"state\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(not_json.status(), 400);
        assert_eq!(app.audit_len().await, audit_now, "nothing written");
        let unknown = app
            .get(&format!("{CONFIGURATIONS}/HardwareOath"), &reader)
            .await;
        assert_graph_error(&unknown, 404, "Request_ResourceNotFound");

        // The registration campaign: enabled for the pilot group with a 7-day snooze,
        // audited, read back, and what the sign-in pipeline reads.
        let campaign_path = "/registrationEnforcement/authenticationMethodsRegistrationCampaign";
        let (status, body) = app
            .patch(
                POLICY,
                &writer,
                json!({"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
                    "state": "enabled",
                    "snoozeDurationInDays": 7,
                    "includeTargets": [{"id": group_id, "targetType": "group",
                        "targetedAuthenticationMethod": "microsoftAuthenticator"}],
                }}}),
            )
            .await;
        assert_eq!(status, 204, "{backend:?}: {body}");
        assert_eq!(app.audit_len().await, audit_now + 1);
        let (_, policy) = app.get(POLICY, &reader).await;
        let campaign = policy.pointer(campaign_path).unwrap();
        assert_eq!(campaign["state"], "enabled");
        assert_eq!(campaign["snoozeDurationInDays"], 7);
        assert_eq!(campaign["includeTargets"][0]["id"], group_id.as_str());
        let stored = app
            .store()
            .get_policy(PolicyKind::AuthenticationMethodsPolicy, SINGLETON_ID)
            .await
            .unwrap();
        let stored: AuthenticationMethodsPolicy = serde_json::from_value(stored.json).unwrap();
        assert_eq!(stored.registration_campaign.snooze_duration_in_days, 7);
        assert!(!stored.registration_campaign.include_all_users);
        // A group that does not exist, or a reader: refused, nothing written.
        let missing = app
            .patch(
                POLICY,
                &writer,
                json!({"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
                    "includeTargets": [{"id": "00000000-0000-4000-8000-000000000999"}],
                }}}),
            )
            .await;
        assert_graph_error(&missing, 400, "BadRequest");
        let reader_refused = app
            .patch(
                POLICY,
                &reader,
                json!({"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {"state": "disabled"}}}),
            )
            .await;
        assert_graph_error(&reader_refused, 403, "Authorization_RequestDenied");
        assert_eq!(
            app.audit_len().await,
            audit_now + 1,
            "refusals write nothing"
        );
    }
}
