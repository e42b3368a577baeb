//! A backend-neutral filter over allow-listed fields, as produced from an OData `$filter`.
//! Backends turn it into SQL with bound parameters only (see [`crate::sql`]): field names
//! come from the allow-list, values are never spliced into SQL text.

use crate::error::StoreError;

/// A literal to compare with.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
}

/// The type a field's values have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Bool,
    Int,
    Text,
}

/// A filter expression over the fields `F` of one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter<F> {
    Eq(F, FilterValue),
    Ne(F, FilterValue),
    StartsWith(F, String),
    And(Box<Filter<F>>, Box<Filter<F>>),
    Or(Box<Filter<F>>, Box<Filter<F>>),
}

impl<F> Filter<F> {
    pub fn and(self, other: Filter<F>) -> Filter<F> {
        Filter::And(Box::new(self), Box::new(other))
    }

    pub fn or(self, other: Filter<F>) -> Filter<F> {
        Filter::Or(Box::new(self), Box::new(other))
    }
}

/// A field that may appear in a filter or ordering.
pub trait FilterField: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every field, for lookups by Graph name.
    const ALL: &'static [Self];
    /// The Graph property name (`userPrincipalName`).
    fn graph_name(self) -> &'static str;
    /// The SQL column. A `&'static str` from this allow-list is the only thing that
    /// reaches SQL text.
    fn column(self) -> &'static str;
    fn kind(self) -> ValueKind;
    /// Compared case-insensitively (the column then holds a lower-cased copy and values
    /// are lower-cased before binding).
    fn case_insensitive(self) -> bool {
        false
    }
    /// May be used in `$orderby` (non-null columns only, so keyset paging is exact).
    fn sortable(self) -> bool {
        false
    }
    /// Finds a field by Graph name, ignoring case as Graph does.
    fn from_graph_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.graph_name().eq_ignore_ascii_case(name))
    }
}

/// Checks that a value fits the field, so a type error is reported, not silently unmatched.
pub fn check_value<F: FilterField>(field: F, value: &FilterValue) -> Result<(), StoreError> {
    let ok = matches!(
        (field.kind(), value),
        (_, FilterValue::Null)
            | (ValueKind::Bool, FilterValue::Bool(_))
            | (ValueKind::Int, FilterValue::Int(_))
            | (ValueKind::Text, FilterValue::Text(_))
    );
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{} expects a {} value, not {value:?}",
            field.graph_name(),
            match field.kind() {
                ValueKind::Bool => "boolean",
                ValueKind::Int => "integer",
                ValueKind::Text => "string",
            }
        )))
    }
}

macro_rules! fields {
    ($(#[$doc:meta])* $name:ident {
        $($(#[$vdoc:meta])* $variant:ident => $graph:literal, $column:literal, $kind:ident, ci = $ci:literal, sort = $sort:literal;)*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl FilterField for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn graph_name(self) -> &'static str {
                match self { $($name::$variant => $graph,)* }
            }
            fn column(self) -> &'static str {
                match self { $($name::$variant => $column,)* }
            }
            fn kind(self) -> ValueKind {
                match self { $($name::$variant => ValueKind::$kind,)* }
            }
            fn case_insensitive(self) -> bool {
                match self { $($name::$variant => $ci,)* }
            }
            fn sortable(self) -> bool {
                match self { $($name::$variant => $sort,)* }
            }
        }
    };
}

fields! {
    /// Filterable user properties.
    UserField {
        Id => "id", "id", Text, ci = false, sort = true;
        UserPrincipalName => "userPrincipalName", "upn_lower", Text, ci = true, sort = true;
        DisplayName => "displayName", "display_name_lower", Text, ci = true, sort = true;
        Mail => "mail", "mail_lower", Text, ci = true, sort = false;
        UserType => "userType", "user_type", Text, ci = true, sort = false;
        AccountEnabled => "accountEnabled", "account_enabled", Bool, ci = false, sort = false;
        CreatedDateTime => "createdDateTime", "created_at", Int, ci = false, sort = true;
    }
}

fields! {
    /// Filterable group properties.
    GroupField {
        Id => "id", "id", Text, ci = false, sort = true;
        DisplayName => "displayName", "display_name_lower", Text, ci = true, sort = true;
        MailNickname => "mailNickname", "mail_nickname_lower", Text, ci = true, sort = false;
        IsAssignableToRole => "isAssignableToRole", "is_assignable_to_role", Bool, ci = false, sort = false;
        CreatedDateTime => "createdDateTime", "created_at", Int, ci = false, sort = true;
    }
}

fields! {
    /// Filterable `directoryAudit` properties.
    AuditField {
        Id => "id", "id", Text, ci = false, sort = false;
        Category => "category", "category", Text, ci = false, sort = false;
        ActivityDisplayName => "activityDisplayName", "activity_display_name", Text, ci = false, sort = false;
        Result => "result", "result", Text, ci = false, sort = false;
        CorrelationId => "correlationId", "correlation_id", Text, ci = false, sort = false;
        LoggedByService => "loggedByService", "logged_by_service", Text, ci = false, sort = false;
        OperationType => "operationType", "operation_type", Text, ci = false, sort = false;
        InitiatedByUserId => "initiatedBy/user/id", "initiated_by_user_id", Text, ci = false, sort = false;
        InitiatedByAppId => "initiatedBy/app/appId", "initiated_by_app_id", Text, ci = false, sort = false;
        /// Matches the first target resource (the object the action was about).
        TargetResourceId => "targetResources/id", "target_resource_id", Text, ci = false, sort = false;
    }
}

fields! {
    /// Filterable `signIn` properties.
    SignInField {
        Id => "id", "id", Text, ci = false, sort = false;
        UserId => "userId", "user_id", Text, ci = false, sort = false;
        UserPrincipalName => "userPrincipalName", "upn_lower", Text, ci = true, sort = false;
        AppId => "appId", "app_id", Text, ci = false, sort = false;
        IpAddress => "ipAddress", "ip_address", Text, ci = false, sort = false;
        ClientAppUsed => "clientAppUsed", "client_app_used", Text, ci = false, sort = false;
        ConditionalAccessStatus => "conditionalAccessStatus", "conditional_access_status", Text, ci = false, sort = false;
        ErrorCode => "status/errorCode", "error_code", Int, ci = false, sort = false;
        CorrelationId => "correlationId", "correlation_id", Text, ci = false, sort = false;
        IsInteractive => "isInteractive", "is_interactive", Bool, ci = false, sort = false;
        /// `none`, `low`, `medium`, `high`, `hidden`, as the entry has it.
        RiskLevelDuringSignIn => "riskLevelDuringSignIn", "risk_level_during_sign_in", Text, ci = false, sort = false;
        RiskLevelAggregated => "riskLevelAggregated", "risk_level_aggregated", Text, ci = false, sort = false;
    }
}

fields! {
    /// Filterable `riskyUser` properties (levels and states are stored as their Graph
    /// values).
    RiskyUserField {
        Id => "id", "id", Text, ci = false, sort = true;
        RiskLevel => "riskLevel", "risk_level", Text, ci = false, sort = false;
        RiskState => "riskState", "risk_state", Text, ci = false, sort = false;
        RiskDetail => "riskDetail", "risk_detail", Text, ci = false, sort = false;
        RiskLastUpdatedDateTime => "riskLastUpdatedDateTime", "updated_at", Int, ci = false, sort = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_resolve_case_insensitively() {
        assert_eq!(
            UserField::from_graph_name("USERPRINCIPALNAME"),
            Some(UserField::UserPrincipalName)
        );
        assert_eq!(UserField::from_graph_name("passwordProfile"), None);
    }

    #[test]
    fn value_kinds_are_checked() {
        assert!(check_value(UserField::AccountEnabled, &FilterValue::Bool(true)).is_ok());
        assert!(check_value(UserField::AccountEnabled, &FilterValue::Null).is_ok());
        let err =
            check_value(UserField::AccountEnabled, &FilterValue::Text("yes".into())).unwrap_err();
        assert!(err.to_string().contains("accountEnabled expects a boolean"));
    }
}
