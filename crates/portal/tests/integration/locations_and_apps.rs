//! Named locations and applications, in process: writers create, edit and delete through
//! the admin services; readers see the same pages without a single form; refusals of the
//! services come back on the page; forms without the CSRF token change nothing.

#![allow(clippy::unwrap_used)]

use crate::common;
use axum::http::StatusCode;
use common::{CSRF, expect, location, portal};
use portcullis_core::{ApplicationKind, DirectoryRole};
use portcullis_service::admin::policies::PolicyCollection;
use portcullis_store::PolicyKind;
use serde_json::json;

fn form(body: &str) -> String {
    format!("csrf_token={CSRF}&{body}")
}

async fn locations(p: &common::Portal) -> Vec<serde_json::Value> {
    p.store
        .list_policies(PolicyKind::NamedLocation)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.json)
        .collect()
}

#[tokio::test]
async fn named_locations_are_created_edited_and_deleted_by_writers_only() {
    let p = portal().await;
    let (_, admin) = p
        .admin(
            "ca@example.com",
            &[DirectoryRole::ConditionalAccessAdministrator],
        )
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;

    let created = p
        .post(
            "/admin/named-locations/new",
            &admin,
            &form("kind=ip&displayName=Head+office&ipRanges=203.0.113.0%2F24%0D%0A2001%3Adb8%3A%3A%2F48&isTrusted=true"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let stored = locations(&p).await;
    assert_eq!(stored.len(), 1);
    let office = &stored[0];
    assert_eq!(office["@odata.type"], "#microsoft.graph.ipNamedLocation");
    assert_eq!(office["isTrusted"], true);
    assert_eq!(
        office["ipRanges"][1],
        json!({"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"})
    );
    let id = office["id"].as_str().unwrap().to_owned();
    assert_eq!(
        location(&created),
        format!("/admin/named-locations/{id}?saved=1")
    );

    // A range that is not CIDR: refused by the engine's validation, shown on the form
    // with what was typed, nothing stored.
    let refused = expect(
        p.post(
            "/admin/named-locations/new",
            &admin,
            &form("kind=ip&displayName=Bad&ipRanges=203.0.113.0%2F33"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(refused.contains("role=\"alert\""), "{refused}");
    assert!(refused.contains("203.0.113.0/33"));
    assert_eq!(locations(&p).await.len(), 1);

    let countries = p
        .post(
            "/admin/named-locations/new",
            &admin,
            &form("kind=country&displayName=Travel&countries=FR%0D%0ANZ&includeUnknown=true"),
        )
        .await;
    assert_eq!(countries.status(), StatusCode::SEE_OTHER);

    // The reader sees both, and no form anywhere.
    let list = expect(
        p.get("/admin/named-locations", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(list.contains("Head office") && list.contains("FR, NZ"));
    assert!(!list.contains("New IP ranges location"));
    let detail = expect(
        p.get(&format!("/admin/named-locations/{id}"), &reader)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(detail.contains("203.0.113.0/24"));
    assert!(!detail.contains("<form"), "a reader gets no form");
    expect(
        p.post(
            &format!("/admin/named-locations/{id}"),
            &reader,
            &form("displayName=Taken&ipRanges=198.51.100.0%2F24"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A trusted location cannot be deleted (the service's rule), untrusted it can.
    let kept = expect(
        p.post(
            &format!("/admin/named-locations/{id}/delete"),
            &admin,
            &form(""),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(kept.contains("trusted"), "{kept}");
    let edited = p
        .post(
            &format!("/admin/named-locations/{id}"),
            &admin,
            &form("kind=country&displayName=Office&ipRanges=198.51.100.0%2F24"),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let office = p
        .services
        .get_policy_object(
            &common::caller(
                &p.store
                    .find_user_by_upn("ca@example.com")
                    .await
                    .unwrap()
                    .unwrap(),
                DirectoryRole::ConditionalAccessAdministrator,
            ),
            PolicyCollection::NamedLocations,
            &id,
        )
        .await
        .unwrap();
    assert_eq!(office["displayName"], "Office");
    assert_eq!(
        office["@odata.type"], "#microsoft.graph.ipNamedLocation",
        "an edit keeps the stored kind"
    );
    assert_eq!(office["isTrusted"], false);
    let deleted = p
        .post(
            &format!("/admin/named-locations/{id}/delete"),
            &admin,
            &form(""),
        )
        .await;
    assert_eq!(location(&deleted), "/admin/named-locations?deleted=1");
    assert_eq!(locations(&p).await.len(), 1);
}

#[tokio::test]
async fn location_and_application_forms_need_the_csrf_token() {
    let p = portal().await;
    let (_, admin) = p
        .admin("ga@example.com", &[DirectoryRole::GlobalAdministrator])
        .await;
    for (path, body) in [
        (
            "/admin/named-locations/new",
            "kind=ip&displayName=X&ipRanges=203.0.113.0%2F24",
        ),
        (
            "/admin/applications/new",
            "kind=oidc&displayName=Wiki&redirectUris=https%3A%2F%2Fwiki.example%2Fcb&enabled=true",
        ),
    ] {
        expect(p.post(path, &admin, body).await, StatusCode::FORBIDDEN).await;
    }
    assert!(locations(&p).await.is_empty());
    assert!(p.store.list_applications().await.unwrap().is_empty());
}

#[tokio::test]
async fn applications_show_a_new_secret_once_and_readers_change_nothing() {
    let p = portal().await;
    let (_, admin) = p
        .admin(
            "apps@example.com",
            &[DirectoryRole::ApplicationAdministrator],
        )
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::GlobalReader])
        .await;

    let shown = expect(
        p.post(
            "/admin/applications/new",
            &admin,
            &form("kind=oidc&displayName=Wiki&redirectUris=https%3A%2F%2Fwiki.example%2Fcb&enabled=true"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(shown.contains("only time the secret is shown"));
    let apps = p.store.list_applications().await.unwrap();
    assert_eq!(apps.len(), 1);
    let wiki = &apps[0];
    assert_eq!(wiki.kind, ApplicationKind::OidcClient);
    assert_eq!(wiki.redirect_uris, vec!["https://wiki.example/cb"]);
    let secrets = p.store.list_application_secrets(&wiki.id).await.unwrap();
    assert_eq!(secrets.len(), 1);
    let secret = shown
        .split("id=\"client-secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap();
    assert!(secret.starts_with(&secrets[0].hint));
    assert!(
        secrets[0].accepts(secret, time::OffsetDateTime::now_utc()),
        "the shown text is the stored secret"
    );

    // Its page lists the secret by its first characters only.
    let page = expect(
        p.get(&format!("/admin/applications/{}", wiki.id), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains(&secrets[0].hint) && !page.contains(secret));

    // A plain-HTTP redirect URI is refused by the protocol rules, on the page.
    let refused = expect(
        p.post(
            &format!("/admin/applications/{}", wiki.id),
            &admin,
            &form("displayName=Wiki&redirectUris=http%3A%2F%2Fwiki.example%2Fcb&enabled=true"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(refused.contains("role=\"alert\""), "{refused}");

    let proxied = p
        .post(
            "/admin/applications/new",
            &admin,
            &form("kind=forward-auth&displayName=Grafana&host=Grafana.Example&pathPrefix=%2F&enabled=true"),
        )
        .await;
    assert_eq!(proxied.status(), StatusCode::SEE_OTHER);
    let again = expect(
        p.post(
            "/admin/applications/new",
            &admin,
            &form("kind=forward-auth&displayName=Other&host=grafana.example&pathPrefix=%2F&enabled=true"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        again.contains("already protects host grafana.example"),
        "{again}"
    );

    let list = expect(p.get("/admin/applications", &reader).await, StatusCode::OK).await;
    assert!(list.contains("grafana.example/") && list.contains("Wiki"));
    let read = expect(
        p.get(&format!("/admin/applications/{}", wiki.id), &reader)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!read.contains("<form"), "a reader gets no form");
    expect(
        p.post(
            &format!("/admin/applications/{}/secrets", wiki.id),
            &reader,
            &form(""),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let removed = p
        .post(
            &format!(
                "/admin/applications/{}/secrets/{}/delete",
                wiki.id, secrets[0].key_id
            ),
            &admin,
            &form(""),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert!(
        p.store
            .list_application_secrets(&wiki.id)
            .await
            .unwrap()
            .is_empty()
    );
    let deleted = p
        .post(
            &format!("/admin/applications/{}/delete", wiki.id),
            &admin,
            &form(""),
        )
        .await;
    assert_eq!(location(&deleted), "/admin/applications?deleted=1");
    assert_eq!(p.store.list_applications().await.unwrap().len(), 1);
}

#[tokio::test]
async fn custom_strengths_pick_combinations_built_ins_stay_read_only() {
    let p = portal().await;
    let (_, admin) = p
        .admin(
            "ca@example.com",
            &[DirectoryRole::ConditionalAccessAdministrator],
        )
        .await;
    let (_, reader) = p
        .admin("reader@example.com", &[DirectoryRole::SecurityReader])
        .await;
    let list = expect(
        p.get("/admin/authentication-strengths", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert!(list.contains("Phishing resistant MFA") && !list.contains("New custom strength"));
    let form_page = expect(
        p.get("/admin/authentication-strengths/new", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        form_page.contains("value=\"password,softwareOath\""),
        "{form_page}"
    );

    // No combination: refused by the service, on the page.
    let refused = expect(
        p.post(
            "/admin/authentication-strengths/new",
            &admin,
            &form("displayName=Apps+only&description="),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(refused.contains("allowedCombinations"), "{refused}");
    let created = p
        .post(
            "/admin/authentication-strengths/new",
            &admin,
            &form("displayName=Apps+only&description=TOTP+or+passkey&combination=password%2CsoftwareOath&combination=fido2"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let stored = p
        .store
        .list_policies(PolicyKind::AuthenticationStrength)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].json["allowedCombinations"],
        json!(["password,softwareOath", "fido2"])
    );
    assert_eq!(stored[0].json["policyType"], "custom");

    // A built-in shows its combinations and no form, even to a writer.
    let built_in = expect(
        p.get(
            "/admin/authentication-strengths/00000000-0000-0000-0000-000000000004",
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(built_in.contains("<code>fido2</code>") && !built_in.contains("<form"));
    let custom = expect(
        p.get(
            &format!("/admin/authentication-strengths/{}", stored[0].id),
            &reader,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!custom.contains("<form"), "a reader gets no form");
    expect(
        p.post(
            &format!("/admin/authentication-strengths/{}", stored[0].id),
            &reader,
            &form("displayName=Mine&combination=fido2"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
