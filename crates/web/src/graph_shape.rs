//! Domain objects in Microsoft Graph's JSON shapes, and Graph collection responses.

use portcullis_core::{Application, AuditRecord, DirectoryRole, Group, User};
use portcullis_service::admin::groups::DirectoryObject;
use portcullis_service::admin::roles::RoleMember;
use portcullis_store::Cursor;
use serde_json::{Map, Value, json};

/// A user as Graph returns it: the managed properties plus the free attributes at the
/// top level.
pub fn user_json(user: &User) -> Value {
    let mut object = Map::new();
    object.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    object.insert("id".into(), json!(user.id));
    object.insert("userPrincipalName".into(), json!(user.user_principal_name));
    object.insert("displayName".into(), json!(user.display_name));
    object.insert("mail".into(), json!(user.mail));
    object.insert("mobilePhone".into(), json!(user.mobile_phone));
    object.insert("userType".into(), json!(user.user_type.as_str()));
    object.insert("accountEnabled".into(), json!(user.account_enabled));
    object.insert(
        "createdDateTime".into(),
        json!(rfc3339(user.created_date_time)),
    );
    for (key, value) in &user.attributes {
        object.entry(key.clone()).or_insert_with(|| value.clone());
    }
    Value::Object(object)
}

pub fn group_json(group: &Group) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.group",
        "id": group.id,
        "displayName": group.display_name,
        "description": group.description,
        "mailNickname": group.mail_nickname,
        "mailEnabled": false,
        "securityEnabled": true,
        "groupTypes": [],
        "isAssignableToRole": group.is_assignable_to_role,
        "createdDateTime": rfc3339(group.created_date_time),
    })
}

/// An application as the `servicePrincipal` that holds roles.
pub fn service_principal_json(app: &Application) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.servicePrincipal",
        "id": app.id,
        "appId": app.app_id,
        "displayName": app.display_name,
        "accountEnabled": app.enabled,
    })
}

pub fn directory_object_json(object: &DirectoryObject) -> Value {
    match object {
        DirectoryObject::User(user) => user_json(user),
        DirectoryObject::Group(group) => group_json(group),
    }
}

pub fn role_member_json(member: &RoleMember) -> Value {
    match member {
        RoleMember::Object(object) => directory_object_json(object),
        RoleMember::Application(app) => service_principal_json(app),
    }
}

/// A built-in role as an activated Graph `directoryRole` (its id is the template id).
pub fn directory_role_json(role: DirectoryRole) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": role.template_id(),
        "roleTemplateId": role.template_id(),
        "displayName": role.display_name(),
        "description": role.display_name(),
    })
}

pub fn audit_json(record: &AuditRecord) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// Keeps only the `$select`ed properties (and `id`, which Graph always returns).
pub fn project(value: Value, select: Option<&[&'static str]>) -> Value {
    let (Some(select), Value::Object(object)) = (select, &value) else {
        return value;
    };
    Value::Object(
        object
            .iter()
            .filter(|(k, _)| {
                k.as_str() == "id" || k.starts_with("@odata") || select.contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// A Graph collection: `@odata.context`, `value` and, when there is more,
/// `@odata.nextLink` — the request's own URL with `$skiptoken` set to the cursor.
pub fn collection(
    base_url: &str,
    path: &str,
    context: &str,
    pairs: &[(String, String)],
    items: Vec<Value>,
    next: Option<&Cursor>,
) -> Value {
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{base_url}/v1.0/$metadata#{context}")),
    );
    body.insert("value".into(), Value::Array(items));
    if let Some(cursor) = next {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "$skiptoken") {
            query.append_pair(k, v);
        }
        query.append_pair("$skiptoken", cursor.as_token());
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{base_url}{path}?{}", query.finish())),
        );
    }
    Value::Object(body)
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
