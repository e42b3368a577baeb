//! Directory roles and their assignments (Graph `directoryRoles` and members).

use portcullis_core::audit::category;
use portcullis_core::{
    ApplicationId, DirectoryRole, GroupId, Permission, Principal, RoleAssignment, RoleAssignmentId,
    Target, UserId,
};
use portcullis_store::{Batch, Change, RoleAssignmentFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use super::groups::DirectoryObject;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record, target};

/// A role member as listed: a user, a group, or an application's service principal.
#[derive(Debug, Clone)]
pub enum RoleMember {
    Object(DirectoryObject),
    Application(portcullis_core::Application),
}

impl Services {
    pub fn list_directory_roles(&self, caller: &Caller) -> ServiceResult<&'static [DirectoryRole]> {
        caller.authorize(Permission::RoleRead, Target::Nothing)?;
        Ok(DirectoryRole::ALL)
    }

    pub async fn list_role_members(
        &self,
        caller: &Caller,
        role: DirectoryRole,
    ) -> ServiceResult<Vec<RoleMember>> {
        caller.authorize(Permission::RoleRead, Target::Nothing)?;
        let assignments = self.assignments_of(role).await?;
        let mut members = Vec::with_capacity(assignments.len());
        for assignment in assignments {
            members.push(match assignment.principal {
                Principal::User(id) => {
                    RoleMember::Object(DirectoryObject::User(self.store.get_user(&id).await?))
                }
                Principal::Group(id) => {
                    RoleMember::Object(DirectoryObject::Group(self.store.get_group(&id).await?))
                }
                Principal::Application(id) => {
                    RoleMember::Application(self.store.get_application(&id).await?)
                }
            });
        }
        Ok(members)
    }

    /// Assigns `role` to the user, role-assignable group or application (object id)
    /// named by `principal_id`.
    pub async fn add_role_member(
        &self,
        caller: &Caller,
        role: DirectoryRole,
        principal_id: &str,
    ) -> ServiceResult<()> {
        caller.authorize(Permission::RoleAssign, Target::Role(role))?;
        let principal = self.resolve_principal(principal_id).await?;
        if let Principal::Group(id) = &principal
            && !self.store.get_group(id).await?.is_assignable_to_role
        {
            return Err(ServiceError::Invalid(
                "roles can only be assigned to groups created with isAssignableToRole = true"
                    .into(),
            ));
        }
        let assignment = RoleAssignment {
            id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
            principal: principal.clone(),
            role,
            directory_scope_id: "/".to_owned(),
            created_date_time: OffsetDateTime::now_utc(),
        };
        let audit = audit_record(
            caller,
            category::ROLE_MANAGEMENT,
            "Add member to role",
            "Assign",
        )
        .with_target(target(
            "Role",
            role.template_id(),
            Some(role.display_name()),
        ))
        .with_target(target(principal_kind(&principal), principal.id_str(), None));
        self.store
            .commit(Batch::single(Change::AssignRole(assignment), audit))
            .await?;
        Ok(())
    }

    /// Removes the assignment. The last Global Administrator cannot be removed, so the
    /// directory can never be left without one.
    pub async fn remove_role_member(
        &self,
        caller: &Caller,
        role: DirectoryRole,
        principal_id: &str,
    ) -> ServiceResult<()> {
        caller.authorize(Permission::RoleAssign, Target::Role(role))?;
        let assignments = self.assignments_of(role).await?;
        let assignment = assignments
            .iter()
            .find(|a| a.principal.id_str().eq_ignore_ascii_case(principal_id))
            .ok_or_else(|| {
                ServiceError::NotFound(format!("{} member {principal_id}", role.display_name()))
            })?;
        if role == DirectoryRole::GlobalAdministrator && assignments.len() == 1 {
            return Err(ServiceError::Invalid(
                "this is the last Global Administrator assignment; assign another first".into(),
            ));
        }
        let audit = audit_record(
            caller,
            category::ROLE_MANAGEMENT,
            "Remove member from role",
            "Unassign",
        )
        .with_target(target(
            "Role",
            role.template_id(),
            Some(role.display_name()),
        ))
        .with_target(target(
            principal_kind(&assignment.principal),
            assignment.principal.id_str(),
            None,
        ));
        self.store
            .commit(Batch::single(
                Change::UnassignRole(assignment.id.clone()),
                audit,
            ))
            .await?;
        Ok(())
    }

    async fn assignments_of(&self, role: DirectoryRole) -> ServiceResult<Vec<RoleAssignment>> {
        Ok(self
            .store
            .list_role_assignments(&RoleAssignmentFilter {
                principal: None,
                role: Some(role),
            })
            .await?)
    }

    async fn resolve_principal(&self, id: &str) -> ServiceResult<Principal> {
        let not_found = || ServiceError::NotFound(format!("directory object {id}"));
        if let Ok(user) = UserId::parse(id)
            && self.store.get_user(&user).await.is_ok()
        {
            return Ok(Principal::User(user));
        }
        if let Ok(group) = GroupId::parse(id)
            && self.store.get_group(&group).await.is_ok()
        {
            return Ok(Principal::Group(group));
        }
        let app = ApplicationId::parse(id).map_err(|_| not_found())?;
        match self.store.get_application(&app).await {
            Ok(_) => Ok(Principal::Application(app)),
            Err(portcullis_store::StoreError::NotFound(_)) => Err(not_found()),
            Err(e) => Err(e.into()),
        }
    }
}

fn principal_kind(principal: &Principal) -> &'static str {
    match principal {
        Principal::User(_) => "User",
        Principal::Group(_) => "Group",
        Principal::Application(_) => "ServicePrincipal",
    }
}
