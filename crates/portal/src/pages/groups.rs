//! Groups: the list, and one group's direct members and everyone below it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use portcullis_core::GroupId;
use portcullis_pages::kit::render;
use portcullis_service::admin::groups::DirectoryObject;
use portcullis_store::{Cursor, Filter, GroupField, ListQuery};
use serde::Deserialize;

use super::{PageResult, fail};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::state::PortalState;

#[derive(Debug, Default, Deserialize)]
pub struct GroupSearch {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub role_assignable: bool,
}

#[derive(Template)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    chrome: Chrome,
    q: String,
    rows: Vec<GroupRow>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(search): Query<GroupSearch>,
) -> PageResult {
    let q = search.q.trim();
    let mut query = ListQuery::<GroupField>::first(50)
        .ordered(GroupField::DisplayName, false)
        .after((!search.page.is_empty()).then(|| Cursor::from_token(search.page.clone())));
    if !q.is_empty() {
        query = query.filtered(Filter::StartsWith(GroupField::DisplayName, q.to_owned()));
    }
    let page = state
        .kit
        .services
        .list_groups(&admin.caller, &query)
        .await
        .map_err(fail)?;
    Ok(render(&GroupsPage {
        chrome: admin.chrome("groups"),
        rows: page
            .items
            .iter()
            .map(|g| GroupRow {
                id: g.id.to_string(),
                name: g.display_name.clone(),
                role_assignable: g.is_assignable_to_role,
            })
            .collect(),
        next: page.next.as_ref().map(|c| {
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", q)
                .append_pair("page", c.as_token())
                .finish()
        }),
        q: q.to_owned(),
    }))
}

pub struct MemberRow {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
}

fn member(object: &DirectoryObject) -> MemberRow {
    match object {
        DirectoryObject::User(u) => MemberRow {
            kind: "user",
            id: u.id.to_string(),
            name: format!("{} ({})", u.display_name, u.user_principal_name),
        },
        DirectoryObject::Group(g) => MemberRow {
            kind: "group",
            id: g.id.to_string(),
            name: g.display_name.clone(),
        },
    }
}

#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage {
    chrome: Chrome,
    group: portcullis_core::Group,
    direct: Vec<MemberRow>,
    transitive: Vec<MemberRow>,
}

pub async fn detail(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = GroupId::parse(&id)
        .map_err(|_| bad_request(format!("{id:?} is not a group ID")).into_response())?;
    let services = &state.kit.services;
    let group = services.get_group(&admin.caller, &id).await.map_err(fail)?;
    let direct = services
        .list_group_members(&admin.caller, &id)
        .await
        .map_err(fail)?;
    let transitive = services
        .list_transitive_members(&admin.caller, &id)
        .await
        .map_err(fail)?;
    Ok(render(&GroupPage {
        chrome: admin.chrome("groups"),
        group,
        direct: direct.iter().map(member).collect(),
        transitive: transitive.iter().map(member).collect(),
    }))
}
