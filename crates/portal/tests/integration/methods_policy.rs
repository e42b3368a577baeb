//! The authentication methods policy page, in process: an Authentication Policy
//! Administrator turns methods on for groups; unknown groups and a method on for nobody
//! are refused beside the method; readers and Conditional Access admins change nothing.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{DirectoryRole, Group, GroupId};
use portcullis_store::{Batch, Change, PolicyKind, SINGLETON_ID};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

fn form(body: &str) -> String {
    format!("csrf_token={CSRF}&{body}")
}

async fn create_group(p: &common::Portal, name: &str) -> GroupId {
    let group = Group {
        id: GroupId::from_uuid(Uuid::new_v4()),
        display_name: name.into(),
        description: None,
        mail_nickname: None,
        is_assignable_to_role: false,
        created_date_time: OffsetDateTime::now_utc(),
    };
    let audit = portcullis_core::AuditRecord::new(
        portcullis_core::AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        portcullis_core::audit::category::GROUP_MANAGEMENT,
        "test setup",
        "Add",
        portcullis_core::audit::InitiatedBy {
            user: None,
            app: None,
        },
    );
    p.store
        .commit(Batch::single(Change::CreateGroup(group.clone()), audit))
        .await
        .unwrap();
    group.id
}

async fn stored(p: &common::Portal) -> Option<serde_json::Value> {
    p.store
        .get_policy(PolicyKind::AuthenticationMethodsPolicy, SINGLETON_ID)
        .await
        .ok()
        .map(|s| s.json)
}

#[tokio::test]
async fn methods_are_turned_on_for_groups_by_authentication_policy_admins() {
    let p = portal().await;
    let (_, admin) = p
        .admin(
            "authpol@example.com",
            &[DirectoryRole::AuthenticationPolicyAdministrator],
        )
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;
    let (_, ca_admin) = p
        .admin(
            "ca@example.com",
            &[DirectoryRole::ConditionalAccessAdministrator],
        )
        .await;
    let pilot = create_group(&p, "SMS pilot").await;
    let contractors = create_group(&p, "Contractors").await;

    let page = expect(
        p.get("/admin/authentication-methods", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("action=\"/admin/authentication-methods/sms\""));

    let refused = expect(
        p.post(
            "/admin/authentication-methods/sms",
            &admin,
            &form(&format!(
                "enabled=true&target=groups&includeGroups={}",
                Uuid::new_v4()
            )),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(refused.contains("does not exist"), "{refused}");
    let nobody = expect(
        p.post(
            "/admin/authentication-methods/sms",
            &admin,
            &form("enabled=true&target=groups&includeGroups="),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(nobody.contains("on for nobody"), "{nobody}");
    assert_eq!(stored(&p).await, None, "nothing stored");

    let saved = p
        .post(
            "/admin/authentication-methods/sms",
            &admin,
            &form(&format!(
                "enabled=true&target=groups&includeGroups={pilot}&excludeGroups={contractors}"
            )),
        )
        .await;
    assert_eq!(
        location(&saved),
        "/admin/authentication-methods?saved=1#method-sms"
    );
    let off = p
        .post(
            "/admin/authentication-methods/voice",
            &admin,
            &form("target=all"),
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    let policy = stored(&p).await.unwrap();
    assert_eq!(
        policy["methods"]["sms"],
        json!({
            "enabled": true,
            "includeAllUsers": false,
            "includeGroupIds": [pilot.to_string()],
            "excludeGroupIds": [contractors.to_string()],
        })
    );
    assert_eq!(policy["methods"]["voice"]["enabled"], false);

    let read = expect(
        p.get("/admin/authentication-methods", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(!read.contains("<form") && read.contains(&pilot.to_string()));
    for who in [&reader, &ca_admin] {
        expect(
            p.post(
                "/admin/authentication-methods/voice",
                who,
                &form("enabled=true&target=all"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    expect(
        p.post(
            "/admin/authentication-methods/voice",
            &admin,
            "enabled=true&target=all",
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        stored(&p).await.unwrap()["methods"]["voice"]["enabled"],
        false
    );
}
