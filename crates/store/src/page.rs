//! Keyset paging: a page of results and an opaque cursor to the next one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::StoreError;
use crate::filter::{Filter, FilterField};

/// Largest page any list returns.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// An opaque position in a listing (Graph `$skiptoken`). It encodes the sort key of the
/// last item returned, so pages stay correct while rows are added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// Encodes a sort key. Backends call this; callers treat cursors as opaque text.
    pub fn encode(key: &[Value]) -> Self {
        let json = Value::Array(key.to_vec()).to_string();
        Cursor(URL_SAFE_NO_PAD.encode(json))
    }

    /// Decodes a sort key of `len` parts.
    pub fn decode(&self, len: usize) -> Result<Vec<Value>, StoreError> {
        let bad = || StoreError::Invalid("the paging token ($skiptoken) is malformed".into());
        let bytes = URL_SAFE_NO_PAD.decode(&self.0).map_err(|_| bad())?;
        match serde_json::from_slice::<Value>(&bytes).map_err(|_| bad())? {
            Value::Array(parts) if parts.len() == len => Ok(parts),
            _ => Err(bad()),
        }
    }

    /// Wraps a token received from a client.
    pub fn from_token(token: impl Into<String>) -> Self {
        Cursor(token.into())
    }

    pub fn as_token(&self) -> &str {
        &self.0
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items may follow.
    pub next: Option<Cursor>,
}

/// Sort order of a listing: a sortable field, then the id as tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order<F> {
    pub field: F,
    pub descending: bool,
}

/// A listing request for users or groups.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery<F> {
    pub filter: Option<Filter<F>>,
    /// `None`: by id.
    pub order: Option<Order<F>>,
    /// 1..=[`MAX_PAGE_SIZE`]; larger values are capped.
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl<F: FilterField> ListQuery<F> {
    pub fn first(limit: u32) -> Self {
        ListQuery {
            filter: None,
            order: None,
            limit,
            cursor: None,
        }
    }

    pub fn filtered(mut self, filter: Filter<F>) -> Self {
        self.filter = Some(filter);
        self
    }

    pub fn ordered(mut self, field: F, descending: bool) -> Self {
        self.order = Some(Order { field, descending });
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }
}

/// A query over the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditQuery {
    pub filter: Option<Filter<crate::filter::AuditField>>,
    /// Inclusive lower bound on `activityDateTime`.
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound on `activityDateTime`.
    pub to: Option<OffsetDateTime>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// Whether sign-ins succeeded (`status/errorCode eq 0`) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Success,
    Failure,
}

/// A query over the sign-in log, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignInQuery {
    pub filter: Option<Filter<crate::filter::SignInField>>,
    /// Inclusive lower bound on `createdDateTime`.
    pub from: Option<OffsetDateTime>,
    /// Exclusive upper bound on `createdDateTime`.
    pub to: Option<OffsetDateTime>,
    pub outcome: Option<SignInOutcome>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// Caps a requested page size to 1..=MAX_PAGE_SIZE.
pub fn effective_limit(limit: u32) -> u32 {
    limit.clamp(1, MAX_PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let cursor = Cursor::encode(&[Value::from("ada"), Value::from(3)]);
        assert_eq!(
            cursor.decode(2).unwrap(),
            vec![Value::from("ada"), Value::from(3)]
        );
        assert!(cursor.decode(1).is_err());
        assert!(Cursor::from_token("!!!").decode(1).is_err());
        assert!(Cursor::from_token("e30").decode(1).is_err()); // "{}"
    }
}
