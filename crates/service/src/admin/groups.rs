//! Groups and their (nestable) membership.

use portcullis_core::audit::category;
use portcullis_core::{Group, GroupId, MemberRef, Permission, Target, User, UserId};
use portcullis_store::{Batch, Change, GroupField, ListQuery, Page};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record, target};

/// A group to create (Graph `POST /groups`).
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: Option<String>,
    pub is_assignable_to_role: bool,
}

/// Changes to a group; `isAssignableToRole` cannot change after creation (as in Graph).
#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    pub display_name: Option<String>,
    pub description: Option<Option<String>>,
    pub mail_nickname: Option<Option<String>>,
}

/// A directory object resolved for a membership listing.
#[derive(Debug, Clone)]
pub enum DirectoryObject {
    User(User),
    Group(Group),
}

impl Services {
    pub async fn list_groups(
        &self,
        caller: &Caller,
        query: &ListQuery<GroupField>,
    ) -> ServiceResult<Page<Group>> {
        caller.authorize(Permission::GroupRead, Target::Nothing)?;
        Ok(self.store.list_groups(query).await?)
    }

    pub async fn get_group(&self, caller: &Caller, id: &GroupId) -> ServiceResult<Group> {
        caller.authorize(Permission::GroupRead, Target::Nothing)?;
        Ok(self.store.get_group(id).await?)
    }

    pub async fn create_group(&self, caller: &Caller, new: NewGroup) -> ServiceResult<Group> {
        caller.authorize(
            Permission::GroupWrite,
            Target::Group {
                is_assignable_to_role: new.is_assignable_to_role,
            },
        )?;
        if new.display_name.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "displayName must not be empty".into(),
            ));
        }
        let group = Group {
            id: GroupId::from_uuid(Uuid::new_v4()),
            display_name: new.display_name.trim().to_owned(),
            description: new.description,
            mail_nickname: new.mail_nickname,
            is_assignable_to_role: new.is_assignable_to_role,
            created_date_time: OffsetDateTime::now_utc(),
        };
        let audit = audit_record(caller, category::GROUP_MANAGEMENT, "Add group", "Add")
            .with_target(group_target(&group));
        self.store
            .commit(Batch::single(Change::CreateGroup(group.clone()), audit))
            .await?;
        Ok(group)
    }

    pub async fn update_group(
        &self,
        caller: &Caller,
        id: &GroupId,
        patch: GroupPatch,
    ) -> ServiceResult<Group> {
        let old = self.authorize_on_group(caller, id).await?;
        let mut group = old.clone();
        if let Some(name) = patch.display_name {
            if name.trim().is_empty() {
                return Err(ServiceError::Invalid(
                    "displayName must not be empty".into(),
                ));
            }
            group.display_name = name.trim().to_owned();
        }
        if let Some(description) = patch.description {
            group.description = description;
        }
        if let Some(nickname) = patch.mail_nickname {
            group.mail_nickname = nickname;
        }
        let mut t = group_target(&group);
        t.modified_properties.extend(group.changes_since(&old));
        let audit = audit_record(caller, category::GROUP_MANAGEMENT, "Update group", "Update")
            .with_target(t);
        self.store
            .commit(Batch::single(Change::UpdateGroup(group.clone()), audit))
            .await?;
        Ok(group)
    }

    pub async fn delete_group(&self, caller: &Caller, id: &GroupId) -> ServiceResult<()> {
        let group = self.authorize_on_group(caller, id).await?;
        let audit = audit_record(caller, category::GROUP_MANAGEMENT, "Delete group", "Delete")
            .with_target(group_target(&group));
        self.store
            .commit(Batch::single(Change::DeleteGroup(id.clone()), audit))
            .await?;
        Ok(())
    }

    /// Adds a user or a group (nesting) as a direct member. The member's id may name
    /// either kind; it is looked up.
    pub async fn add_group_member(
        &self,
        caller: &Caller,
        id: &GroupId,
        member_id: &str,
    ) -> ServiceResult<()> {
        let group = self.authorize_on_group(caller, id).await?;
        let member = self.resolve_member(member_id).await?;
        if let MemberRef::Group(child) = &member
            && child == id
        {
            return Err(ServiceError::Invalid(
                "a group cannot be a member of itself".into(),
            ));
        }
        let audit = audit_record(
            caller,
            category::GROUP_MANAGEMENT,
            "Add member to group",
            "Assign",
        )
        .with_target(group_target(&group))
        .with_target(target(member_kind(&member), member.id_str(), None));
        self.store
            .commit(Batch::single(
                Change::AddMember {
                    group: id.clone(),
                    member,
                },
                audit,
            ))
            .await?;
        Ok(())
    }

    pub async fn remove_group_member(
        &self,
        caller: &Caller,
        id: &GroupId,
        member_id: &str,
    ) -> ServiceResult<()> {
        let group = self.authorize_on_group(caller, id).await?;
        let member = self.resolve_member(member_id).await?;
        let audit = audit_record(
            caller,
            category::GROUP_MANAGEMENT,
            "Remove member from group",
            "Unassign",
        )
        .with_target(group_target(&group))
        .with_target(target(member_kind(&member), member.id_str(), None));
        self.store
            .commit(Batch::single(
                Change::RemoveMember {
                    group: id.clone(),
                    member,
                },
                audit,
            ))
            .await?;
        Ok(())
    }

    pub async fn list_group_members(
        &self,
        caller: &Caller,
        id: &GroupId,
    ) -> ServiceResult<Vec<DirectoryObject>> {
        caller.authorize(Permission::GroupRead, Target::Nothing)?;
        self.store.get_group(id).await?;
        let members = self.store.list_members(id).await?;
        let mut out = Vec::with_capacity(members.len());
        for member in members {
            out.push(self.load_member(&member).await?);
        }
        Ok(out)
    }

    /// Every user and group below the group, through any depth of nesting.
    pub async fn list_transitive_members(
        &self,
        caller: &Caller,
        id: &GroupId,
    ) -> ServiceResult<Vec<DirectoryObject>> {
        caller.authorize(Permission::GroupRead, Target::Nothing)?;
        self.store.get_group(id).await?;
        let members = self.store.transitive_members(id).await?;
        let mut out = Vec::with_capacity(members.users.len() + members.groups.len());
        for user in &members.users {
            out.push(DirectoryObject::User(self.store.get_user(user).await?));
        }
        for group in &members.groups {
            out.push(DirectoryObject::Group(self.store.get_group(group).await?));
        }
        Ok(out)
    }

    async fn authorize_on_group(&self, caller: &Caller, id: &GroupId) -> ServiceResult<Group> {
        if caller
            .authorize(Permission::GroupRead, Target::Nothing)
            .is_err()
        {
            caller.authorize(
                Permission::GroupWrite,
                Target::Group {
                    is_assignable_to_role: false,
                },
            )?;
        }
        let group = self.store.get_group(id).await?;
        caller.authorize(
            Permission::GroupWrite,
            Target::Group {
                is_assignable_to_role: group.is_assignable_to_role,
            },
        )?;
        Ok(group)
    }

    async fn resolve_member(&self, member_id: &str) -> ServiceResult<MemberRef> {
        let not_found = || ServiceError::NotFound(format!("directory object {member_id}"));
        if let Ok(user_id) = UserId::parse(member_id)
            && self.store.get_user(&user_id).await.is_ok()
        {
            return Ok(MemberRef::User(user_id));
        }
        let group_id = GroupId::parse(member_id).map_err(|_| not_found())?;
        match self.store.get_group(&group_id).await {
            Ok(_) => Ok(MemberRef::Group(group_id)),
            Err(portcullis_store::StoreError::NotFound(_)) => Err(not_found()),
            Err(e) => Err(e.into()),
        }
    }

    async fn load_member(&self, member: &MemberRef) -> ServiceResult<DirectoryObject> {
        Ok(match member {
            MemberRef::User(id) => DirectoryObject::User(self.store.get_user(id).await?),
            MemberRef::Group(id) => DirectoryObject::Group(self.store.get_group(id).await?),
        })
    }
}

fn member_kind(member: &MemberRef) -> &'static str {
    match member {
        MemberRef::User(_) => "User",
        MemberRef::Group(_) => "Group",
    }
}

pub(crate) fn group_target(group: &Group) -> portcullis_core::audit::TargetResource {
    target("Group", group.id.as_str(), Some(&group.display_name))
}
