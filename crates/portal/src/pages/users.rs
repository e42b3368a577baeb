//! Users: search by name, the detail view (methods, sessions, recent sign-ins, roles)
//! and the actions the admin's roles allow (enable or disable the account).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use portcullis_core::UserId;
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_service::admin::users::UserPatch;
use portcullis_store::reports::MethodStrength;
use portcullis_store::{
    Cursor, Filter, FilterValue, ListQuery, SignInField, SignInQuery, UserField,
};
use serde::Deserialize;

use super::user_actions::UserActions;
use super::user_risk::UserRiskView;
use super::{PageResult, fail};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::format::{error_code_text, when};
use crate::state::PortalState;

#[derive(Debug, Default, Deserialize)]
pub struct UserSearch {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub struct UserRow {
    pub id: String,
    pub upn: String,
    pub name: String,
    pub enabled: bool,
    pub strength: &'static str,
}

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    chrome: Chrome,
    q: String,
    rows: Vec<UserRow>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(search): Query<UserSearch>,
) -> PageResult {
    let services = &state.kit.services;
    let mut query = ListQuery::<UserField>::first(50)
        .ordered(UserField::DisplayName, false)
        .after((!search.page.is_empty()).then(|| Cursor::from_token(search.page.clone())));
    let q = search.q.trim();
    if !q.is_empty() {
        // Prefix search on either name, served by the name indexes.
        query = query.filtered(Filter::Or(
            Box::new(Filter::StartsWith(
                UserField::UserPrincipalName,
                q.to_owned(),
            )),
            Box::new(Filter::StartsWith(UserField::DisplayName, q.to_owned())),
        ));
    }
    let page = services
        .list_users(&admin.caller, &query)
        .await
        .map_err(fail)?;
    let ids: Vec<UserId> = page.items.iter().map(|u| u.id.clone()).collect();
    // One query for the page's strengths, not one per row.
    let strengths = services
        .method_strengths(&admin.caller, &ids)
        .await
        .map_err(fail)?;
    let rows = page
        .items
        .iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            upn: u.user_principal_name.clone(),
            name: u.display_name.clone(),
            enabled: u.account_enabled,
            strength: strengths
                .iter()
                .find(|(id, _)| *id == u.id)
                .map_or(MethodStrength::None, |(_, s)| *s)
                .label(),
        })
        .collect();
    let next = page.next.as_ref().map(|c| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .append_pair("page", c.as_token())
            .finish()
    });
    Ok(render(&UsersPage {
        chrome: admin.chrome("users"),
        q: q.to_owned(),
        rows,
        next,
    }))
}

pub struct MethodRow {
    pub kind: &'static str,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

pub struct SessionRow {
    pub created: String,
    pub last_seen: String,
    pub expires: String,
    pub methods: String,
    pub ip: String,
    pub active: bool,
}

pub struct SignInRow {
    pub id: String,
    pub when: String,
    pub app: String,
    pub status: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "user.html")]
pub struct UserPage {
    chrome: Chrome,
    csrf: String,
    user: portcullis_core::User,
    roles: Vec<&'static str>,
    actions: UserActions,
    /// Which action just completed (`?done=`), for the confirmation line.
    done: &'static str,
    methods: Vec<MethodRow>,
    sessions: Vec<SessionRow>,
    sign_ins: Option<Vec<SignInRow>>,
    /// Smart lockout: counted failures and a running lockout's end, when there is any.
    lockout: Option<LockoutView>,
    /// `None` when the roles may not read who is a break-glass account.
    break_glass: Option<bool>,
    /// `None` when the roles may not read user risk.
    risk: Option<UserRiskView>,
}

pub struct LockoutView {
    pub failures: u32,
    pub locked_until: String,
}

fn parse_id(id: &str) -> Result<UserId, portcullis_pages::kit::PageError> {
    UserId::parse(id).map_err(|_| bad_request(format!("{id:?} is not a user ID")))
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    done: String,
}

/// The confirmation for a completed action; unknown values show nothing.
fn done_text(done: &str) -> &'static str {
    match done {
        "sessions" => "Every session and refresh token of this user has been revoked.",
        "methods" => {
            "The user's authentication methods were removed; they register again at their next sign-in."
        }
        "unlocked" => "The user's smart-lockout counters were cleared.",
        "risk-dismissed" => "User risk dismissed: every open detection of this user is closed.",
        "risk-compromised" => {
            "The user was confirmed compromised: user risk is high and their sessions were ended."
        }
        _ => "",
    }
}

pub async fn detail(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    let services = &state.kit.services;
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let user = services.get_user(&admin.caller, &id).await.map_err(fail)?;
    let roles = services
        .store()
        .effective_roles_of_user(&id)
        .await
        .map_err(|e| fail(e.into()))?;
    let now = time::OffsetDateTime::now_utc();
    let methods = services
        .user_methods_overview(&admin.caller, &id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| MethodRow {
            kind: c.kind.as_str(),
            name: c.display_name.unwrap_or_default(),
            created: when(c.created_date_time),
            last_used: c.last_used_date_time.map(when).unwrap_or_default(),
        })
        .collect();
    let sessions = services
        .user_sessions_overview(&admin.caller, &id)
        .await
        .map_err(fail)?
        .into_iter()
        .take(20)
        .map(|s| SessionRow {
            created: when(s.created_date_time),
            last_seen: when(s.last_seen_date_time),
            expires: when(s.expires_date_time),
            methods: s.amr.join(", "),
            ip: s.ip_address.clone().unwrap_or_default(),
            active: s.is_active(now),
        })
        .collect();
    // Recent sign-ins only for roles that may read the log.
    let sign_ins = match services
        .query_sign_in_log(
            &admin.caller,
            &SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::UserId,
                    FilterValue::Text(id.to_string()),
                )),
                limit: 20,
                ..SignInQuery::default()
            },
        )
        .await
    {
        Ok(page) => Some(
            page.items
                .iter()
                .map(|s| SignInRow {
                    id: s.id.to_string(),
                    when: when(s.created_date_time),
                    app: s
                        .app_display_name
                        .clone()
                        .or_else(|| s.app_id.clone())
                        .unwrap_or_default(),
                    status: if s.status.is_success() {
                        "Success".into()
                    } else {
                        format!(
                            "{} {}",
                            s.status.error_code,
                            error_code_text(s.status.error_code)
                        )
                    },
                    ip: s.ip_address.clone().unwrap_or_default(),
                })
                .collect(),
        ),
        Err(portcullis_service::ServiceError::Forbidden(_)) => None,
        Err(other) => return Err(fail(other)),
    };
    let lockout = services
        .lockout_status(&admin.caller, &id)
        .await
        .map_err(fail)?
        .map(|status| LockoutView {
            failures: status.failures,
            locked_until: status.locked_until.map(when).unwrap_or_default(),
        });
    let break_glass = match services.is_break_glass(&admin.caller, &id).await {
        Ok(marked) => Some(marked),
        Err(portcullis_service::ServiceError::Forbidden(_)) => None,
        Err(other) => return Err(fail(other)),
    };
    let risk = super::user_risk::view(services, &admin.caller, &id)
        .await
        .map_err(fail)?;
    let actions = UserActions::for_target(&admin, &roles);
    Ok(render(&UserPage {
        chrome: admin.chrome("users"),
        csrf,
        roles: roles.iter().map(|r| r.display_name()).collect(),
        actions,
        done: done_text(&query.done),
        methods,
        sessions,
        sign_ins,
        lockout,
        break_glass,
        risk,
        user,
    }))
}

/// `POST /admin/users/{id}/enabled` with `enabled=true|false`.
pub async fn set_enabled(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let enabled = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "enabled")
        .map(|(_, v)| v.into_owned());
    let enabled = match enabled.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(bad_request("enabled must be true or false").into_response()),
    };
    state
        .kit
        .services
        .update_user(
            &admin.caller,
            &id,
            UserPatch {
                account_enabled: Some(enabled),
                ..UserPatch::default()
            },
        )
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
