//! The OData system query options of a Graph list request (`$filter`, `$top`,
//! `$select`, `$orderby`, `$skiptoken`), checked against what the resource supports and
//! converted into the store's backend-neutral [`portcullis_store::ListQuery`].

use portcullis_store::filter::check_value;
use portcullis_store::{Cursor, Filter, FilterField, FilterValue};

use super::filter::{CompareOp, FilterExpr, Literal, parse_filter};

/// Graph's largest page size for directory objects.
pub const MAX_TOP: u32 = 999;
/// Page size when `$top` is absent (Graph's default for users and groups).
pub const DEFAULT_TOP: u32 = 100;

/// A query option that cannot be honoured, with Graph's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// Validated query options for a collection whose filterable fields are `F`.
#[derive(Debug, Clone, PartialEq)]
pub struct ODataQuery<F> {
    pub filter: Option<Filter<F>>,
    pub top: u32,
    pub select: Option<Vec<&'static str>>,
    pub order_by: Option<(F, bool)>,
    pub skip_token: Option<String>,
}

/// Which options a collection accepts besides `$filter` and `$top`.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    /// The Graph type name, for messages (`microsoft.graph.user`).
    pub type_name: &'static str,
    /// Properties `$select` may name; empty means `$select` is not supported.
    pub selectable: &'static [&'static str],
    pub order_by: bool,
}

impl<F: FilterField> ODataQuery<F> {
    /// Validates the decoded `(name, value)` pairs of a query string.
    pub fn parse(caps: &Capabilities, pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let mut query = ODataQuery {
            filter: None,
            top: DEFAULT_TOP,
            select: None,
            order_by: None,
            skip_token: None,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            let name = name.as_str();
            if name.starts_with('$') && seen.contains(&name) {
                return Err(QueryError(format!(
                    "Query option '{name}' is specified more than once."
                )));
            }
            seen.push(name);
            match name {
                "$filter" => {
                    query.filter =
                        Some(to_store_filter(&parse_filter(value).map_err(|e| {
                            QueryError(format!("Invalid filter clause: {e}"))
                        })?)?)
                }
                "$top" => query.top = parse_top(value)?,
                "$select" if !caps.selectable.is_empty() => {
                    query.select = Some(parse_select(caps, value)?)
                }
                "$orderby" if caps.order_by => {
                    query.order_by = Some(parse_order_by::<F>(caps, value)?)
                }
                "$skiptoken" => query.skip_token = Some(value.clone()),
                other if other.starts_with('$') => {
                    return Err(QueryError(format!(
                        "Query option '{other}' is not supported on {}.",
                        caps.type_name
                    )));
                }
                // Non-OData parameters are ignored, as Graph does.
                _ => {}
            }
        }
        Ok(query)
    }

    /// The store query for this page.
    pub fn to_store(&self) -> portcullis_store::ListQuery<F> {
        portcullis_store::ListQuery {
            filter: self.filter.clone(),
            order: self
                .order_by
                .map(|(field, descending)| portcullis_store::Order { field, descending }),
            limit: self.top,
            cursor: self.skip_token.clone().map(Cursor::from_token),
        }
    }
}

/// Converts a parsed `$filter` into the store's filter over the allow-listed fields `F`,
/// checking every property and literal type.
pub fn to_store_filter<F: FilterField>(expr: &FilterExpr) -> Result<Filter<F>, QueryError> {
    let field = |property: &str| {
        F::from_graph_name(property).ok_or_else(|| {
            QueryError(format!(
                "Invalid filter clause: property '{property}' cannot be filtered on. Filterable: {}.",
                F::ALL.iter().map(|f| f.graph_name()).collect::<Vec<_>>().join(", ")
            ))
        })
    };
    Ok(match expr {
        FilterExpr::Compare {
            property,
            op,
            value,
        } => {
            let field = field(property)?;
            let value = match value {
                Literal::String(s) => FilterValue::Text(s.clone()),
                Literal::Bool(b) => FilterValue::Bool(*b),
                Literal::Integer(i) => FilterValue::Int(*i),
                Literal::Null => FilterValue::Null,
                Literal::DateTime(_) => {
                    return Err(QueryError(format!(
                        "Invalid filter clause: '{property}' cannot be compared with a date-time."
                    )));
                }
            };
            check_value(field, &value)
                .map_err(|e| QueryError(format!("Invalid filter clause: {e}")))?;
            match op {
                CompareOp::Eq => Filter::Eq(field, value),
                CompareOp::Ne => Filter::Ne(field, value),
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le => {
                    return Err(QueryError(format!(
                        "Invalid filter clause: '{property}' supports only eq and ne."
                    )));
                }
            }
        }
        FilterExpr::StartsWith { property, prefix } => {
            let field = field(property)?;
            check_value(field, &FilterValue::Text(prefix.clone()))
                .map_err(|_| QueryError(format!("Invalid filter clause: startswith needs a string property, '{property}' is not one.")))?;
            Filter::StartsWith(field, prefix.clone())
        }
        FilterExpr::And(a, b) => {
            Filter::And(Box::new(to_store_filter(a)?), Box::new(to_store_filter(b)?))
        }
        FilterExpr::Or(a, b) => {
            Filter::Or(Box::new(to_store_filter(a)?), Box::new(to_store_filter(b)?))
        }
    })
}

/// Parses `$top` (1 ..= [`MAX_TOP`]).
pub fn parse_top(value: &str) -> Result<u32, QueryError> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_TOP).contains(&n) => Ok(n),
        _ => Err(QueryError(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
        ))),
    }
}

fn parse_select(caps: &Capabilities, value: &str) -> Result<Vec<&'static str>, QueryError> {
    let mut selected = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let canonical = caps
            .selectable
            .iter()
            .copied()
            .find(|p| p.eq_ignore_ascii_case(item))
            .ok_or_else(|| {
                QueryError(format!(
                    "Could not find a property named '{item}' on type '{}'.",
                    caps.type_name
                ))
            })?;
        if !selected.contains(&canonical) {
            selected.push(canonical);
        }
    }
    if selected.is_empty() {
        return Err(QueryError("$select names no property.".into()));
    }
    Ok(selected)
}

fn parse_order_by<F: FilterField>(
    caps: &Capabilities,
    value: &str,
) -> Result<(F, bool), QueryError> {
    let mut words = value.split_whitespace();
    let (Some(property), direction, None) = (words.next(), words.next(), words.next()) else {
        return Err(QueryError(format!(
            "Invalid $orderby '{value}': give one property, optionally followed by asc or desc."
        )));
    };
    let field = F::from_graph_name(property)
        .filter(|f| f.sortable())
        .ok_or_else(|| {
            QueryError(format!(
                "Sorting {} by '{property}' is not supported. Sortable: {}.",
                caps.type_name,
                F::ALL
                    .iter()
                    .filter(|f| f.sortable())
                    .map(|f| f.graph_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let descending = match direction.map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(QueryError(format!(
                "Invalid $orderby direction '{other}': use asc or desc."
            )));
        }
    };
    Ok((field, descending))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_store::UserField;

    const CAPS: Capabilities = Capabilities {
        type_name: "microsoft.graph.user",
        selectable: &["id", "displayName", "accountEnabled"],
        order_by: true,
    };

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn parse(list: &[(&str, &str)]) -> Result<ODataQuery<UserField>, QueryError> {
        ODataQuery::parse(&CAPS, &pairs(list))
    }

    #[test]
    fn defaults_without_options() {
        let q = parse(&[]).unwrap();
        assert_eq!(q.top, DEFAULT_TOP);
        assert!(q.filter.is_none() && q.select.is_none() && q.order_by.is_none());
    }

    #[test]
    fn valid_options_convert_to_the_store_filter() {
        let q = parse(&[
            ("$filter", "displayname eq 'A' and (accountEnabled eq true or startswith(userPrincipalName,'ad'))"),
            ("$top", "5"),
            ("$select", "id, DisplayName"),
            ("$orderby", "displayName desc"),
            ("api-version", "ignored"),
        ])
        .unwrap();
        assert_eq!(q.top, 5);
        assert_eq!(q.select, Some(vec!["id", "displayName"]));
        assert_eq!(q.order_by, Some((UserField::DisplayName, true)));
        assert_eq!(
            q.filter,
            Some(Filter::And(
                Box::new(Filter::Eq(
                    UserField::DisplayName,
                    FilterValue::Text("A".into())
                )),
                Box::new(Filter::Or(
                    Box::new(Filter::Eq(
                        UserField::AccountEnabled,
                        FilterValue::Bool(true)
                    )),
                    Box::new(Filter::StartsWith(
                        UserField::UserPrincipalName,
                        "ad".into()
                    ))
                ))
            ))
        );
        assert_eq!(q.to_store().limit, 5);
    }

    #[test]
    fn invalid_options_are_refused_with_a_reason() {
        let err = |list: &[(&str, &str)]| parse(list).unwrap_err().0;
        assert!(err(&[("$filter", "passwordProfile eq 'x'")]).contains("'passwordProfile'"));
        assert!(err(&[("$filter", "accountEnabled eq 'yes'")]).contains("accountEnabled"));
        assert!(err(&[("$filter", "startswith(accountEnabled,'t')")]).contains("string property"));
        assert!(err(&[("$filter", "displayName eq")]).contains("Invalid filter clause"));
        assert!(err(&[("$top", "0")]).contains("page size"));
        assert!(err(&[("$top", "1000")]).contains("page size"));
        assert!(err(&[("$select", "password")]).contains("'password'"));
        assert!(err(&[("$orderby", "accountEnabled")]).contains("not supported"));
        assert!(err(&[("$orderby", "displayName sideways")]).contains("direction"));
        assert!(err(&[("$expand", "manager")]).contains("not supported"));
        assert!(err(&[("$top", "1"), ("$top", "2")]).contains("more than once"));
    }
}
