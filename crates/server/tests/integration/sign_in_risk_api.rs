//! `/v1.0/auditLogs/signIns?$filter=riskLevelDuringSignIn eq 'high'` (and
//! `riskLevelAggregated`) against a real server, on SQLite and (when
//! `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::{backends, spawn_with_config};
use portcullis_core::{AppPermission, SignIn};
use portcullis_server::config::FileConfig;
use serde_json::json;
use uuid::Uuid;

fn entry(minutes_ago: i64, during: &str, aggregated: &str) -> SignIn {
    let at = time::OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago);
    serde_json::from_value(json!({
        "id": Uuid::new_v4().to_string(),
        "createdDateTime": at.format(&time::format_description::well_known::Rfc3339).unwrap(),
        "correlationId": null,
        "userId": null,
        "userPrincipalName": "ada@example.com",
        "userDisplayName": "Ada",
        "appId": "wiki",
        "appDisplayName": "Wiki",
        "ipAddress": "198.51.100.7",
        "clientAppUsed": "Browser",
        "userAgent": null,
        "isInteractive": true,
        "status": {"errorCode": 0},
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [],
        "riskLevelDuringSignIn": during,
        "riskLevelAggregated": aggregated,
        "riskState": "atRisk",
        "riskDetail": "none",
        "location": null,
        "deviceDetail": null,
        "authenticationDetails": [],
        "authenticationRequirement": null
    }))
    .unwrap()
}

fn ids(body: &serde_json::Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn sign_ins_filter_by_risk_on_every_backend() {
    for backend in backends() {
        let app = spawn_with_config(&backend, FileConfig::default()).await;
        let entries = [
            entry(5, "none", "none"),
            entry(4, "high", "medium"),
            entry(3, "medium", "high"),
            entry(2, "high", "high"),
        ];
        for record in &entries {
            app.store().append_sign_in(record).await.unwrap();
        }
        let reader = app
            .register_client(&[AppPermission::AuditLogReadAll], &[])
            .await;
        let token = app.token_for(&reader).await;
        let id = |i: usize| entries[i].id.to_string();

        let (status, high) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=riskLevelDuringSignIn%20eq%20'high'",
                &token,
            )
            .await;
        assert_eq!(status, 200, "{backend:?}: {high}");
        assert_eq!(ids(&high), vec![id(3), id(1)], "{backend:?}, newest first");
        assert_eq!(high["value"][0]["riskLevelDuringSignIn"], "high");

        let (_, aggregated) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=riskLevelAggregated%20eq%20'high'%20and%20createdDateTime%20ge%202000-01-01T00:00:00Z",
                &token,
            )
            .await;
        assert_eq!(ids(&aggregated), vec![id(3), id(2)], "{backend:?}");

        let (_, either) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=riskLevelDuringSignIn%20eq%20'medium'%20or%20riskLevelAggregated%20eq%20'medium'",
                &token,
            )
            .await;
        assert_eq!(ids(&either), vec![id(2), id(1)], "{backend:?}");

        // `ne` matches entries without risk too (OData null semantics), such as the
        // token grant's own log entry: narrowed to Ada's.
        let (_, not_none) = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=riskLevelDuringSignIn%20ne%20'none'%20and%20userPrincipalName%20eq%20'ada@example.com'&$top=2",
                &token,
            )
            .await;
        assert_eq!(ids(&not_none), vec![id(3), id(2)], "{backend:?}");
        assert!(not_none["@odata.nextLink"].is_string(), "{not_none}");

        let wrong_type = app
            .get(
                "/v1.0/auditLogs/signIns?$filter=riskLevelAggregated%20eq%203",
                &token,
            )
            .await;
        assert_eq!(wrong_type.0, 400, "{backend:?}: {}", wrong_type.1);
        assert!(
            wrong_type.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains("riskLevelAggregated"),
            "the error names the property: {}",
            wrong_type.1
        );
    }
}
