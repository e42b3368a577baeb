//! A refresh is judged on the user's facts as they stand at the grant, on SQLite and
//! (with `PORTCULLIS_TEST_POSTGRES_URL`) PostgreSQL: joining a group that a blocking
//! Conditional Access policy targets refuses the very next refresh (the transitive
//! groups come from the store's one-statement read of the grant's subject).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::oidc_support;
use oidc_support::*;
use portcullis_core::{Group, GroupId, MemberRef};
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

#[tokio::test]
async fn joining_a_blocked_group_refuses_the_next_refresh() {
    for backend in common::backends() {
        eprintln!("backend: {backend:?}");
        let app = common::spawn_with(&backend, Default::default()).await;
        let client = register_oidc_client(
            &app,
            json!({"grantTypes": ["authorization_code", "refresh_token"]}),
            true,
        )
        .await;
        let user = create_user(&app, "lee").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        // Two levels of nesting: the policy targets the outer group, the user joins the
        // inner one.
        let group = |name: &str| Group {
            id: GroupId::from_uuid(Uuid::new_v4()),
            display_name: name.to_owned(),
            description: None,
            mail_nickname: None,
            is_assignable_to_role: false,
            created_date_time: OffsetDateTime::now_utc(),
        };
        let (outer, inner) = (group("Contractors"), group("Contractors (night)"));
        app.store()
            .commit(
                Batch::new()
                    .change(Change::CreateGroup(outer.clone()))
                    .change(Change::CreateGroup(inner.clone()))
                    .change(Change::AddMember {
                        group: outer.id.clone(),
                        member: MemberRef::Group(inner.id.clone()),
                    }),
            )
            .await
            .unwrap();
        block_through_api(
            &app,
            "Block contractors from the wiki",
            json!({"includeGroups": [outer.id.as_str()]}),
            &client,
        )
        .await;

        // Not a member yet: the refresh is granted.
        let (status, rotated) =
            refresh(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{rotated}");

        app.store()
            .commit(Batch::new().change(Change::AddMember {
                group: inner.id.clone(),
                member: MemberRef::User(user.id.clone()),
            }))
            .await
            .unwrap();
        let (status, body) =
            refresh(&app, &client, rotated["refresh_token"].as_str().unwrap()).await;
        assert_invalid_grant(&(status, body), "Conditional Access");
    }
}
