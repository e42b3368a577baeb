//! The few store operations an import needs. Every [`Store`] is an [`ImportTarget`];
//! the narrow trait lets tests put a failing wrapper in front of a real store to
//! interrupt an import mid-way.

use std::sync::Arc;

use async_trait::async_trait;
use portcullis_core::{Group, GroupId, MemberRef, User};
use portcullis_store::{
    Batch, CommitReceipt, Filter, FilterValue, GroupField, ListQuery, Store, StoreError,
    StoreResult,
};
use serde_json::Value;

#[async_trait]
pub trait ImportTarget: Send + Sync {
    /// [`Store::commit`]: every change and audit record, or none.
    async fn commit(&self, batch: Batch) -> StoreResult<CommitReceipt>;
    async fn find_user_by_upn(&self, user_principal_name: &str) -> StoreResult<Option<User>>;
    async fn find_group(&self, id: &GroupId) -> StoreResult<Option<Group>>;
    /// Groups with this display name (case-insensitive); at most `limit`.
    async fn find_groups_by_name(&self, name: &str, limit: u32) -> StoreResult<Vec<Group>>;
    async fn list_member_of(&self, member: &MemberRef) -> StoreResult<Vec<GroupId>>;
    async fn get_setting(&self, key: &str) -> StoreResult<Option<Value>>;
}

#[async_trait]
impl ImportTarget for Arc<dyn Store> {
    async fn commit(&self, batch: Batch) -> StoreResult<CommitReceipt> {
        Store::commit(self.as_ref(), batch).await
    }

    async fn find_user_by_upn(&self, user_principal_name: &str) -> StoreResult<Option<User>> {
        self.as_ref().find_user_by_upn(user_principal_name).await
    }

    async fn find_group(&self, id: &GroupId) -> StoreResult<Option<Group>> {
        match self.as_ref().get_group(id).await {
            Ok(group) => Ok(Some(group)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn find_groups_by_name(&self, name: &str, limit: u32) -> StoreResult<Vec<Group>> {
        let query = ListQuery::first(limit).filtered(Filter::Eq(
            GroupField::DisplayName,
            FilterValue::Text(name.to_owned()),
        ));
        Ok(self.as_ref().list_groups(&query).await?.items)
    }

    async fn list_member_of(&self, member: &MemberRef) -> StoreResult<Vec<GroupId>> {
        self.as_ref().list_member_of(member).await
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<Value>> {
        self.as_ref().get_setting(key).await
    }
}
