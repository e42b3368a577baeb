//! `/openapi.json`: an OpenAPI 3.1 description of the HTTP API, built from one table.

use axum::Json;
use serde_json::{Map, Value, json};

/// One documented operation: method, path, summary, the Graph permissions that allow
/// it (any one suffices; directory roles map onto the same permissions), and whether
/// it takes a JSON body.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub permissions: &'static [&'static str],
    pub body: bool,
    pub list: bool,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    permissions: &'static [&'static str],
    body: bool,
    list: bool,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        permissions,
        body,
        list,
    }
}

const USER_R: &[&str] = &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"];
const USER_W: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const GROUP_R: &[&str] = &[
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
];
const GROUP_W: &[&str] = &[
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const ROLE_R: &[&str] = &[
    "RoleManagement.Read.Directory",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
];
const ROLE_W: &[&str] = &["RoleManagement.ReadWrite.Directory"];
const POLICY_R: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"];
const POLICY_W: &[&str] = &["Policy.ReadWrite.ConditionalAccess"];
const AUDIT_R: &[&str] = &["AuditLog.Read.All"];
const METHODS_POLICY_R: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"];
const METHODS_POLICY_W: &[&str] = &["Policy.ReadWrite.AuthenticationMethod"];
const RISKY_USER_R: &[&str] = &[
    "IdentityRiskyUser.Read.All",
    "IdentityRiskyUser.ReadWrite.All",
];
const RISKY_USER_W: &[&str] = &["IdentityRiskyUser.ReadWrite.All"];
const RISK_EVENT_R: &[&str] = &["IdentityRiskEvent.Read.All"];
const SESSIONS_W: &[&str] = &["User.RevokeSessions.All", "User.ReadWrite.All"];
const APP_R: &[&str] = &["Application.Read.All", "Application.ReadWrite.All"];
const APP_W: &[&str] = &["Application.ReadWrite.All"];
const METHODS_R: &[&str] = &[
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
const METHODS_W: &[&str] = &["UserAuthenticationMethod.ReadWrite.All"];

/// Every route of the API; the router and this table are checked against each other in tests.
pub const OPERATIONS: &[Operation] = &[
    op("get", "/healthz", "Liveness", &[], false, false),
    op(
        "get",
        "/readyz",
        "Readiness (the store answers)",
        &[],
        false,
        false,
    ),
    op("get", "/metrics", "Prometheus metrics", &[], false, false),
    op(
        "post",
        "/oauth2/token",
        "OAuth2 token endpoint (client_credentials)",
        &[],
        false,
        false,
    ),
    op(
        "get",
        "/.well-known/jwks.json",
        "Token signing keys",
        &[],
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users",
        "List users ($filter, $top, $select, $orderby, $skiptoken)",
        USER_R,
        false,
        true,
    ),
    op("post", "/v1.0/users", "Create a user", USER_W, true, false),
    op(
        "get",
        "/v1.0/users/{id}",
        "Get a user",
        USER_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/users/{id}",
        "Update a user",
        USER_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}",
        "Delete a user",
        USER_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/groups",
        "List groups ($filter, $top, $select, $orderby, $skiptoken)",
        GROUP_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/groups",
        "Create a security group",
        GROUP_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/groups/{id}",
        "Get a group",
        GROUP_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/groups/{id}",
        "Update a group",
        GROUP_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/groups/{id}",
        "Delete a group",
        GROUP_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/groups/{id}/members",
        "Direct members",
        GROUP_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/groups/{id}/members/$ref",
        "Add a member ({\"@odata.id\": …})",
        GROUP_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/groups/{id}/members/{memberId}/$ref",
        "Remove a member",
        GROUP_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/groups/{id}/transitiveMembers",
        "Members through any depth of nesting",
        GROUP_R,
        false,
        true,
    ),
    op(
        "get",
        "/v1.0/directoryRoles",
        "List directory roles",
        ROLE_R,
        false,
        true,
    ),
    op(
        "get",
        "/v1.0/directoryRoles/{id}",
        "Get a directory role (id = role template id)",
        ROLE_R,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/directoryRoles/{id}/members",
        "Role members (assignments)",
        ROLE_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/directoryRoles/{id}/members/$ref",
        "Assign the role ({\"@odata.id\": …})",
        ROLE_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/directoryRoles/{id}/members/{memberId}/$ref",
        "Remove a role assignment",
        ROLE_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/identity/conditionalAccess/policies",
        "List Conditional Access policies",
        POLICY_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/identity/conditionalAccess/policies",
        "Create a policy (validated)",
        POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/identity/conditionalAccess/policies/{id}",
        "Get a policy",
        POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/identity/conditionalAccess/policies/{id}",
        "Update a policy (validated)",
        POLICY_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/identity/conditionalAccess/policies/{id}",
        "Delete a policy",
        POLICY_W,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/identity/conditionalAccess/evaluate",
        "What If: which policies would apply to a sign-in, and why not (reads only)",
        POLICY_R,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/identity/conditionalAccess/namedLocations",
        "List named locations",
        POLICY_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/identity/conditionalAccess/namedLocations",
        "Create a named location",
        POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/identity/conditionalAccess/namedLocations/{id}",
        "Get a named location",
        POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/identity/conditionalAccess/namedLocations/{id}",
        "Update a named location",
        POLICY_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/identity/conditionalAccess/namedLocations/{id}",
        "Delete a named location",
        POLICY_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/policies/authenticationStrengthPolicies",
        "List authentication strengths (built-in and custom)",
        POLICY_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/policies/authenticationStrengthPolicies",
        "Create a custom authentication strength",
        POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/policies/authenticationStrengthPolicies/{id}",
        "Get an authentication strength",
        POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/policies/authenticationStrengthPolicies/{id}",
        "Update a custom authentication strength",
        POLICY_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/policies/authenticationStrengthPolicies/{id}",
        "Delete a custom authentication strength",
        POLICY_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        "Security defaults",
        POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        "Turn security defaults on or off",
        POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/policies/authenticationMethodsPolicy",
        "The authentication methods policy with every method configuration inline (Fido2, MicrosoftAuthenticator, SoftwareOath, Sms, Voice, Email, TemporaryAccessPass)",
        METHODS_POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/policies/authenticationMethodsPolicy",
        "Change several method configurations at once (authenticationMethodConfigurations[] with their ids; one version-guarded, audited change; 204)",
        METHODS_POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
        "One method configuration: state, includeTargets (groups or all_users; authenticationMode for MicrosoftAuthenticator), excludeTargets",
        METHODS_POLICY_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
        "Change one method configuration (state, includeTargets, excludeTargets; isUsableOnce for TemporaryAccessPass); properties left out stay; 204",
        METHODS_POLICY_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/auditLogs/directoryAudits",
        "Audit log, newest first ($filter incl. activityDateTime ge/gt/le/lt, $top, $skiptoken)",
        AUDIT_R,
        false,
        true,
    ),
    op(
        "get",
        "/v1.0/auditLogs/signIns",
        "Sign-in log, newest first ($filter on userId, userPrincipalName, appId, status/errorCode, createdDateTime, clientAppUsed, conditionalAccessStatus, riskLevelDuringSignIn, riskLevelAggregated; $top, $skiptoken)",
        AUDIT_R,
        false,
        true,
    ),
    op(
        "get",
        "/v1.0/auditLogs/signIns/{id}",
        "One sign-in log entry",
        AUDIT_R,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/users/{id}/authentication/verificationPushes",
        "Helpdesk: send an identity-verification push to the user's authenticator (the answer number is in the response; audited)",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/verificationPushes/{pushId}",
        "Helpdesk: the verification push's answer (pending, approved, denied, wrongNumber, reported, expired)",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/identityProtection/riskyUsers",
        "Users with risk: level, state, detail ($filter on riskLevel, riskState, riskDetail, id; $orderby=riskLastUpdatedDateTime; $top, $skiptoken)",
        RISKY_USER_R,
        false,
        true,
    ),
    op(
        "get",
        "/v1.0/identityProtection/riskyUsers/{id}",
        "One user's risk (by user id)",
        RISKY_USER_R,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/identityProtection/riskyUsers/confirmCompromised",
        "Confirm users compromised ({\"userIds\": [...]}): user risk high, sessions end",
        RISKY_USER_W,
        true,
        false,
    ),
    op(
        "post",
        "/v1.0/identityProtection/riskyUsers/dismiss",
        "Dismiss all risk of users ({\"userIds\": [...]}); irreversible, no password reset",
        RISKY_USER_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/identityProtection/riskDetections",
        "Risk detections, newest first ($filter on userId eq and detectedDateTime ge/gt; $top)",
        RISK_EVENT_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/users/{id}/revokeSignInSessions",
        "End every session and refresh token of the user (continuous access evaluation)",
        SESSIONS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/applications",
        "List applications (OIDC clients, forward-auth apps, automation)",
        APP_R,
        false,
        true,
    ),
    op(
        "post",
        "/v1.0/applications",
        "Register an application",
        APP_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/applications/{id}",
        "Get an application (object id or appId)",
        APP_R,
        false,
        false,
    ),
    op(
        "patch",
        "/v1.0/applications/{id}",
        "Update an application",
        APP_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/applications/{id}",
        "Delete an application and its secrets",
        APP_W,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/applications/{id}/addPassword",
        "Add a client secret (shown once, stored hashed)",
        APP_W,
        true,
        false,
    ),
    op(
        "post",
        "/v1.0/applications/{id}/removePassword",
        "Remove a client secret by keyId",
        APP_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/methods",
        "A user's authentication methods",
        METHODS_R,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/fido2Methods",
        "A user's passkeys",
        METHODS_R,
        false,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}/authentication/fido2Methods/{methodId}",
        "Remove a passkey",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/softwareOathMethods",
        "A user's authenticator apps (TOTP)",
        METHODS_R,
        false,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}/authentication/softwareOathMethods/{methodId}",
        "Remove an authenticator app",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/emailMethods",
        "A user's email method",
        METHODS_R,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/users/{id}/authentication/emailMethods",
        "Register an email address for the user",
        METHODS_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/emailMethods/{methodId}",
        "One email method",
        METHODS_R,
        false,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}/authentication/emailMethods/{methodId}",
        "Remove the email method",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/phoneMethods",
        "A user's phone methods",
        METHODS_R,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/users/{id}/authentication/phoneMethods",
        "Register a phone (E.164; mobile for texts, office for calls) for the user",
        METHODS_W,
        true,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/phoneMethods/{methodId}",
        "One phone method",
        METHODS_R,
        false,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}/authentication/phoneMethods/{methodId}",
        "Remove a phone method",
        METHODS_W,
        false,
        false,
    ),
    op(
        "get",
        "/v1.0/users/{id}/authentication/temporaryAccessPassMethods",
        "A user's Temporary Access Pass",
        METHODS_R,
        false,
        false,
    ),
    op(
        "post",
        "/v1.0/users/{id}/authentication/temporaryAccessPassMethods",
        "Issue a Temporary Access Pass (the pass is shown once)",
        METHODS_W,
        true,
        false,
    ),
    op(
        "delete",
        "/v1.0/users/{id}/authentication/temporaryAccessPassMethods/{methodId}",
        "Revoke a Temporary Access Pass",
        METHODS_W,
        false,
        false,
    ),
];

/// Builds the OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for operation in OPERATIONS {
        let entry = paths
            .entry(operation.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let mut spec = json!({
            "summary": operation.summary,
            "responses": {
                "default": {"description": "Graph error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GraphError"}}}}
            }
        });
        let success = match operation.method {
            "post" if operation.path.ends_with("$ref") => ("204", "No content"),
            // What If creates nothing: it answers its analysis with 200.
            "post" if operation.path.ends_with("/evaluate") => ("200", "OK"),
            // Graph actions that answer a value rather than create a resource.
            "post" if operation.path.ends_with("/revokeSignInSessions") => ("200", "OK"),
            "post" if operation.path.ends_with("/addPassword") => ("200", "OK"),
            "post" if operation.path.ends_with("/removePassword") => ("204", "No content"),
            "post" if operation.path.starts_with("/v1.0/identityProtection/") => {
                ("204", "No content")
            }
            "post" if operation.path.starts_with("/v1.0") => ("201", "Created"),
            "patch" | "delete" => ("204", "No content"),
            _ => ("200", "OK"),
        };
        spec["responses"][success.0] = json!({"description": success.1});
        let parameters: Vec<Value> = ["id", "memberId", "methodId", "pushId"]
            .iter()
            .filter(|name| operation.path.contains(&format!("{{{name}}}")))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .chain(operation.list.then(odata_parameters).into_iter().flatten())
            .collect();
        if !parameters.is_empty() {
            spec["parameters"] = Value::Array(parameters);
        }
        if !operation.permissions.is_empty() {
            spec["security"] = json!([{"bearer": []}]);
            spec["x-graph-permissions"] = json!(operation.permissions);
        }
        if operation.body {
            spec["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        if operation.path == "/oauth2/token" {
            spec["requestBody"] = json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "client_id": {"type": "string"},
                    "client_secret": {"type": "string"},
                    "scope": {"type": "string", "example": "urn:portcullis:graph/.default"}
                }
            }}}});
        }
        if let Value::Object(methods) = entry {
            methods.insert(operation.method.to_owned(), spec);
        }
    }
    super::openapi_signin::add_paths(&mut paths);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Portcullis API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Microsoft Graph-shaped administration of users, groups, directory roles, Conditional Access and the audit log: authenticate with an OAuth2 client-credentials access token from /oauth2/token. And the sign-in API for native clients (/api/v1/signin…, tag sign-in): the same pipeline as the browser pages, one JSON answer (SignInProgress) per step."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"SignInProgress": super::openapi_signin::progress_schema(), "GraphError": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
            }}}}
        }
    })
}

fn odata_parameters() -> Vec<Value> {
    ["$filter", "$top", "$select", "$orderby", "$skiptoken"]
        .iter()
        .map(|name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}))
        .collect()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;

    /// Every Graph path the router declares is documented (the server's health test
    /// checks the other direction: every documented operation answers).
    #[test]
    fn every_graph_route_of_the_router_is_documented() {
        let router = include_str!("../router.rs");
        let documented: Vec<String> = OPERATIONS
            .iter()
            .map(|op| op.path.replace("{memberId}", "{member}"))
            .collect();
        let mut missing = Vec::new();
        for literal in router.split('"').skip(1).step_by(2) {
            if literal.starts_with("/v1.0") && !documented.iter().any(|p| p == literal) {
                missing.push(literal);
            }
        }
        assert!(missing.is_empty(), "undocumented routes: {missing:?}");
    }
}
