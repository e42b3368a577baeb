//! The Graph `application` shape Portcullis speaks, and reading request bodies into
//! service values. Graph names where Graph has the concept (`appId`, `web.redirectUris`,
//! `passwordCredentials`, `addPassword`); Portcullis additions are `applicationType`,
//! `accountEnabled` (Graph keeps it on the service principal), `settings` (OIDC client
//! options or the forward-auth route) and `grantedPermissions` (Graph app roles held).

use portcullis_core::{AppPermission, Application, ApplicationKind, ApplicationSecret};
use portcullis_service::admin::applications::{ApplicationPatch, NewApplication, NewPassword};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::graph_error::GraphError;
use crate::routes::users::{body_object, missing, take_bool, take_string};

pub const TYPE: &str = "microsoft.graph.application";

/// Set by the server only.
const READ_ONLY: &[&str] = &["id", "appId", "createdDateTime", "passwordCredentials"];

pub fn application_json(app: &Application, secrets: &[ApplicationSecret]) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.application",
        "id": app.id,
        "appId": app.app_id,
        "displayName": app.display_name,
        "createdDateTime": rfc3339(app.created_date_time),
        "applicationType": app.kind.as_str(),
        "accountEnabled": app.enabled,
        "web": {"redirectUris": app.redirect_uris},
        "settings": app.settings,
        "grantedPermissions": app.granted_permissions,
        "passwordCredentials": secrets.iter().map(|s| password_json(s, None)).collect::<Vec<_>>(),
    })
}

/// A Graph `passwordCredential`; `secretText` only in the `addPassword` answer.
pub fn password_json(secret: &ApplicationSecret, secret_text: Option<&str>) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": secret.display_name,
        "endDateTime": secret.end_date_time.map(rfc3339),
        "hint": secret.hint,
        "keyId": secret.key_id,
        "secretText": secret_text,
        "startDateTime": rfc3339(secret.start_date_time),
    })
}

pub fn new_application(body: Value) -> Result<NewApplication, GraphError> {
    let mut object = body_object(body)?;
    refuse_read_only(&object)?;
    let display_name =
        take_string(&mut object, "displayName")?.ok_or_else(|| missing("displayName"))?;
    let kind = take_kind(&mut object)?.unwrap_or(ApplicationKind::OidcClient);
    let new = NewApplication {
        display_name,
        kind,
        redirect_uris: take_web(&mut object)?.unwrap_or_default(),
        enabled: take_bool(&mut object, "accountEnabled")?.unwrap_or(true),
        settings: take_settings(&mut object)?.unwrap_or(Value::Null),
        granted_permissions: take_permissions(&mut object)?.unwrap_or_default(),
    };
    refuse_unknown(&object)?;
    Ok(new)
}

pub fn application_patch(body: Value) -> Result<ApplicationPatch, GraphError> {
    let mut object = body_object(body)?;
    refuse_read_only(&object)?;
    if object.contains_key("applicationType") {
        return Err(GraphError::bad_request(
            "Property 'applicationType' cannot be changed; register a new application instead.",
        ));
    }
    let patch = ApplicationPatch {
        display_name: take_string(&mut object, "displayName")?,
        redirect_uris: take_web(&mut object)?,
        enabled: take_bool(&mut object, "accountEnabled")?,
        settings: take_settings(&mut object)?,
        granted_permissions: take_permissions(&mut object)?,
    };
    refuse_unknown(&object)?;
    Ok(patch)
}

/// `addPassword`'s body: `{"passwordCredential": {"displayName", "endDateTime"}}`.
pub fn new_password(body: Value) -> Result<NewPassword, GraphError> {
    let mut object = body_object(body)?;
    let mut credential = match object.remove("passwordCredential") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(credential)) => credential,
        Some(_) => {
            return Err(GraphError::bad_request(
                "Property 'passwordCredential' must be an object.",
            ));
        }
    };
    refuse_unknown(&object)?;
    let display_name = take_string(&mut credential, "displayName")?;
    let end_date_time = take_string(&mut credential, "endDateTime")?
        .map(|text| {
            OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| {
                GraphError::bad_request(format!(
                    "passwordCredential.endDateTime must be an ISO 8601 date and time with an offset, not {text:?}."
                ))
            })
        })
        .transpose()?;
    // Graph generates the secret and its key id; a caller-chosen one is refused.
    if let Some(extra) = credential.keys().next() {
        return Err(GraphError::bad_request(format!(
            "Property 'passwordCredential.{extra}' cannot be set; only displayName and endDateTime can."
        )));
    }
    Ok(NewPassword {
        display_name,
        end_date_time,
    })
}

/// `removePassword`'s body: `{"keyId": "…"}`.
pub fn key_id(body: Value) -> Result<String, GraphError> {
    let mut object = body_object(body)?;
    let key_id = take_string(&mut object, "keyId")?.ok_or_else(|| missing("keyId"))?;
    refuse_unknown(&object)?;
    Ok(key_id)
}

fn take_kind(object: &mut Map<String, Value>) -> Result<Option<ApplicationKind>, GraphError> {
    take_string(object, "applicationType")?
        .map(|kind| match kind.as_str() {
            "oidcClient" => Ok(ApplicationKind::OidcClient),
            "forwardAuth" => Ok(ApplicationKind::ForwardAuth),
            "automation" => Ok(ApplicationKind::Automation),
            other => Err(GraphError::bad_request(format!(
                "Property 'applicationType' must be 'oidcClient', 'forwardAuth' or 'automation', not '{other}'."
            ))),
        })
        .transpose()
}

fn take_web(object: &mut Map<String, Value>) -> Result<Option<Vec<String>>, GraphError> {
    let mut web = match object.remove("web") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(web)) => web,
        Some(_) => return Err(GraphError::bad_request("Property 'web' must be an object.")),
    };
    let uris = match web.remove("redirectUris") {
        None | Some(Value::Null) => None,
        Some(value) => Some(string_list(value, "web.redirectUris")?),
    };
    if let Some(extra) = web.keys().next() {
        return Err(GraphError::bad_request(format!(
            "Property 'web.{extra}' is not supported; web holds redirectUris only."
        )));
    }
    Ok(uris)
}

fn take_settings(object: &mut Map<String, Value>) -> Result<Option<Value>, GraphError> {
    match object.remove("settings") {
        None => Ok(None),
        Some(value @ (Value::Null | Value::Object(_))) => Ok(Some(value)),
        Some(_) => Err(GraphError::bad_request(
            "Property 'settings' must be an object or null.",
        )),
    }
}

fn take_permissions(
    object: &mut Map<String, Value>,
) -> Result<Option<Vec<AppPermission>>, GraphError> {
    let Some(value) = object.remove("grantedPermissions") else {
        return Ok(None);
    };
    string_list(value, "grantedPermissions")?
        .iter()
        .map(|name| {
            AppPermission::parse(name).ok_or_else(|| {
                GraphError::bad_request(format!(
                    "grantedPermissions: '{name}' is not a Graph application permission Portcullis supports."
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn string_list(value: Value, path: &str) -> Result<Vec<String>, GraphError> {
    let wrong = || GraphError::bad_request(format!("Property '{path}' must be a list of strings."));
    let Value::Array(items) = value else {
        return Err(wrong());
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s),
            _ => Err(wrong()),
        })
        .collect()
}

fn refuse_read_only(object: &Map<String, Value>) -> Result<(), GraphError> {
    match READ_ONLY.iter().find(|key| object.contains_key(**key)) {
        Some(key) => Err(GraphError::bad_request(format!(
            "Property '{key}' is read-only (secrets are added with addPassword)."
        ))),
        None => Ok(()),
    }
}

fn refuse_unknown(object: &Map<String, Value>) -> Result<(), GraphError> {
    match object.keys().next() {
        Some(key) => Err(GraphError::bad_request(format!(
            "Property '{key}' does not exist on type '{TYPE}'."
        ))),
        None => Ok(()),
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_bodies_are_read_strictly() {
        let new = new_application(json!({
            "displayName": "Wiki",
            "web": {"redirectUris": ["https://wiki.example/cb"]},
            "settings": {"requirePkce": true},
            "grantedPermissions": ["user.read.all"],
        }))
        .unwrap();
        assert_eq!(new.kind, ApplicationKind::OidcClient);
        assert_eq!(new.redirect_uris, vec!["https://wiki.example/cb"]);
        assert_eq!(new.granted_permissions, vec![AppPermission::UserReadAll]);
        for (body, fragment) in [
            (json!({"web": {}}), "displayName"),
            (json!({"displayName": "x", "appId": "y"}), "read-only"),
            (json!({"displayName": "x", "colour": "y"}), "colour"),
            (
                json!({"displayName": "x", "web": {"logoutUrl": "y"}}),
                "web.logoutUrl",
            ),
            (
                json!({"displayName": "x", "web": {"redirectUris": "y"}}),
                "web.redirectUris",
            ),
            (
                json!({"displayName": "x", "grantedPermissions": ["Mail.Send"]}),
                "Mail.Send",
            ),
            (
                json!({"displayName": "x", "applicationType": "saml"}),
                "saml",
            ),
            (json!({"displayName": "x", "settings": 3}), "settings"),
            (json!([]), "JSON object"),
        ] {
            let err = new_application(body.clone()).unwrap_err();
            assert_eq!(err.status, 400);
            assert!(err.message.contains(fragment), "{body}: {}", err.message);
        }
    }

    #[test]
    fn add_password_bodies() {
        let new = new_password(json!({"passwordCredential": {"displayName": "ci", "endDateTime": "2027-01-01T00:00:00Z"}})).unwrap();
        assert_eq!(new.display_name.as_deref(), Some("ci"));
        assert!(new.end_date_time.is_some());
        assert!(new_password(json!({})).unwrap().display_name.is_none());
        assert!(new_password(json!({"passwordCredential": {"endDateTime": "tomorrow"}})).is_err());
        assert!(new_password(json!({"passwordCredential": {"secretText": "mine"}})).is_err());
        assert!(key_id(json!({})).is_err());
    }
}
