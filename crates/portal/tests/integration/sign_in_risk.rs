//! Risk in the portal's sign-in log: the risk filters, both risk columns, the detail
//! view's Risk tab and the exports.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{expect, portal};
use portcullis_core::{
    ConditionalAccessStatus, DirectoryRole, SignIn, SignInId, SignInStatus, UserId,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

fn risky(user: &UserId, minutes_ago: i64, during: &str, aggregated: &str) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago),
        correlation_id: None,
        user_id: Some(user.clone()),
        user_principal_name: Some("ada@example.com".into()),
        user_display_name: Some("Ada".into()),
        app_id: Some("app-1".into()),
        app_display_name: Some("Wiki".into()),
        ip_address: Some("198.51.100.7".into()),
        client_app_used: Some("Browser".into()),
        user_agent: None,
        is_interactive: true,
        status: SignInStatus::success(),
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: json!([]),
        risk_level_during_sign_in: Some(during.into()),
        risk_level_aggregated: Some(aggregated.into()),
        risk_state: Some(if during == "none" { "none" } else { "atRisk" }.into()),
        risk_detail: Some("none".into()),
        location: None,
        device_detail: None,
        authentication_details: json!([]),
        authentication_requirement: None,
        extra: serde_json::Map::from_iter([(
            "riskEventTypes_v2".to_owned(),
            if during == "none" {
                json!([])
            } else {
                json!(["anonymizedIPAddress", "unfamiliarFeatures"])
            },
        )]),
    }
}

#[tokio::test]
async fn the_log_filters_shows_and_exports_risk() {
    let p = portal().await;
    // A Security Reader may read the log (and nothing on it is a form).
    let (reader, cookie) = p
        .admin("reader@example.com", &[DirectoryRole::SecurityReader])
        .await;
    let calm = risky(&reader.id, 9, "none", "none");
    let high = risky(&reader.id, 8, "high", "medium");
    let aggregated_high = risky(&reader.id, 7, "low", "high");
    for record in [&calm, &high, &aggregated_high] {
        p.store.append_sign_in(record).await.unwrap();
    }

    let page = expect(
        p.get("/admin/sign-ins?days=1&risk=high", &cookie).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains(&high.id.to_string()));
    assert!(!page.contains(&calm.id.to_string()));
    assert!(!page.contains(&aggregated_high.id.to_string()));
    assert!(page.contains("<option value=\"high\" selected>High</option>"));
    assert!(page.contains("<th scope=\"col\">Aggregated risk</th>"));
    assert!(
        page.contains("<td data-risk=\"high\">high</td><td data-risk=\"medium\">medium</td>"),
        "both risk columns of the row"
    );

    let page = expect(
        p.get("/admin/sign-ins?days=1&riskAggregated=high", &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains(&aggregated_high.id.to_string()));
    assert!(!page.contains(&high.id.to_string()));
    let both = expect(
        p.get(
            "/admin/sign-ins?days=1&risk=high&riskAggregated=high",
            &cookie,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(both.contains("id=\"no-sign-ins\""), "the filters combine");

    let bad = expect(
        p.get("/admin/sign-ins?risk=severe", &cookie).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad.contains("not a risk level"), "{bad}");

    let detail = expect(
        p.get(&format!("/admin/sign-ins/{}", high.id), &cookie)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(detail.contains("<a href=\"#risk\">Risk</a>"));
    assert!(detail.contains("<dt>Aggregated risk level</dt><dd>medium</dd>"));
    assert!(detail.contains("<dt>Risk state</dt><dd>atRisk</dd>"));
    assert!(detail.contains("anonymizedIPAddress, unfamiliarFeatures"));

    let csv = expect(
        p.get(
            "/admin/sign-ins/export?days=1&format=csv&risk=high",
            &cookie,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert!(lines.next().is_none(), "only the high-risk sign-in: {csv}");
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(row[column("riskLevelDuringSignIn")], "high");
    assert_eq!(row[column("riskLevelAggregated")], "medium");
    assert_eq!(row[column("riskState")], "atRisk");

    let jsonl = expect(
        p.get(
            "/admin/sign-ins/export?days=1&format=jsonl&riskAggregated=high",
            &cookie,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let entries: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["riskLevelAggregated"], "high");
    assert_eq!(entries[0]["riskLevelDuringSignIn"], "low");
}
