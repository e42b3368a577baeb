//! Audit records for imported changes, in the shapes the admin API writes (activity,
//! category, targets), all carrying the import run's correlation id.

use portcullis_core::audit::{
    AppIdentity, InitiatedBy, ModifiedProperty, TargetResource, category,
};
use portcullis_core::{AuditId, AuditRecord, CorrelationId, Group, GroupId, User, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// Who an import's records name as initiator, and the run they belong to.
#[derive(Debug, Clone)]
pub(crate) struct AuditContext {
    pub initiated_by: InitiatedBy,
    pub correlation_id: CorrelationId,
}

/// The initiator recorded when no directory user is named: the offline CLI itself, in
/// the shape the service uses for Portcullis's own actions.
pub fn cli_initiator(detail: &str) -> InitiatedBy {
    InitiatedBy {
        user: None,
        app: Some(AppIdentity {
            app_id: "portcullis".to_owned(),
            display_name: Some(detail.to_owned()),
            service_principal_id: None,
            service_principal_name: None,
        }),
    }
}

impl AuditContext {
    fn record(&self, category: &str, activity: &str, operation: &str) -> AuditRecord {
        AuditRecord::new(
            AuditId::from_uuid(Uuid::new_v4()),
            OffsetDateTime::now_utc(),
            category,
            activity,
            operation,
            self.initiated_by.clone(),
        )
        .with_correlation_id(self.correlation_id.clone())
    }

    pub(crate) fn add_user(&self, user: &User) -> AuditRecord {
        self.record(category::USER_MANAGEMENT, "Add user", "Add")
            .with_target(user_target(user))
    }

    pub(crate) fn update_user(&self, user: &User, modified: Vec<ModifiedProperty>) -> AuditRecord {
        let mut target = user_target(user);
        target.modified_properties = modified;
        self.record(category::USER_MANAGEMENT, "Update user", "Update")
            .with_target(target)
    }

    pub(crate) fn add_group(&self, group: &Group) -> AuditRecord {
        self.record(category::GROUP_MANAGEMENT, "Add group", "Add")
            .with_target(group_target(&group.id, &group.display_name))
    }

    pub(crate) fn update_group(
        &self,
        group: &Group,
        modified: Vec<ModifiedProperty>,
    ) -> AuditRecord {
        let mut target = group_target(&group.id, &group.display_name);
        target.modified_properties = modified;
        self.record(category::GROUP_MANAGEMENT, "Update group", "Update")
            .with_target(target)
    }

    pub(crate) fn add_user_member(
        &self,
        group: &GroupId,
        group_name: &str,
        user: &UserId,
    ) -> AuditRecord {
        self.record(category::GROUP_MANAGEMENT, "Add member to group", "Assign")
            .with_target(group_target(group, group_name))
            .with_target(plain_target("User", user.as_str(), None))
    }

    pub(crate) fn add_group_member(
        &self,
        group: &GroupId,
        group_name: &str,
        child: &GroupId,
        child_name: &str,
    ) -> AuditRecord {
        self.record(category::GROUP_MANAGEMENT, "Add member to group", "Assign")
            .with_target(group_target(group, group_name))
            .with_target(plain_target("Group", child.as_str(), Some(child_name)))
    }

    /// Marks the start or the end of a run, with its figures, so the run's records can
    /// be found and told apart from single admin changes.
    pub(crate) fn bulk(&self, activity: &str, details: &[(&str, String)]) -> AuditRecord {
        let mut record = self.record(category::USER_MANAGEMENT, activity, "Add");
        for (key, value) in details {
            record = record.with_detail(key, value);
        }
        record
    }
}

fn plain_target(kind: &str, id: &str, display_name: Option<&str>) -> TargetResource {
    TargetResource {
        id: id.to_owned(),
        display_name: display_name.map(str::to_owned),
        resource_type: kind.to_owned(),
        user_principal_name: None,
        modified_properties: Vec::new(),
    }
}

fn user_target(user: &User) -> TargetResource {
    let mut target = plain_target("User", user.id.as_str(), Some(&user.display_name));
    target.user_principal_name = Some(user.user_principal_name.clone());
    target
}

fn group_target(id: &GroupId, name: &str) -> TargetResource {
    plain_target("Group", id.as_str(), Some(name))
}
