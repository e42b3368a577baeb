//! The OData system query options of a Graph list request (`$filter`, `$top`,
//! `$select`, `$orderby`, `$skiptoken`), checked against what the resource supports.

use super::filter::{FilterExpr, Literal, parse_filter};

/// Graph's largest page size for directory objects.
pub const MAX_TOP: usize = 999;
/// Page size when `$top` is absent (Graph's default for users and groups).
pub const DEFAULT_TOP: usize = 100;

/// The type of a filterable property, to check literals against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    String,
    Bool,
}

/// What a resource collection supports in its query options.
#[derive(Debug, Clone, Copy)]
pub struct ResourceSchema {
    pub name: &'static str,
    pub filterable: &'static [(&'static str, PropertyType)],
    pub sortable: &'static [&'static str],
    pub selectable: &'static [&'static str],
}

impl ResourceSchema {
    fn canonical(&self, list: &[&'static str], property: &str) -> Option<&'static str> {
        // OData property names are case-sensitive, but Graph is lenient; accept any case
        // and hand the canonical spelling to the layers below.
        list.iter()
            .copied()
            .find(|p| p.eq_ignore_ascii_case(property))
    }

    fn filter_type(&self, property: &str) -> Option<(&'static str, PropertyType)> {
        self.filterable
            .iter()
            .copied()
            .find(|(p, _)| p.eq_ignore_ascii_case(property))
    }
}

/// Sort direction of `$orderby`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// Validated query options.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filter: Option<FilterExpr>,
    pub top: usize,
    pub select: Option<Vec<&'static str>>,
    pub order_by: Option<(&'static str, SortDirection)>,
    pub skip_token: Option<String>,
}

/// A query option that cannot be honoured, with Graph's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

impl ListQuery {
    /// Validates the decoded `(name, value)` pairs of a query string.
    pub fn parse(schema: &ResourceSchema, pairs: &[(String, String)]) -> Result<Self, QueryError> {
        let mut query = ListQuery {
            filter: None,
            top: DEFAULT_TOP,
            select: None,
            order_by: None,
            skip_token: None,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            let name = name.as_str();
            if seen.contains(&name) {
                return Err(QueryError(format!(
                    "Query option '{name}' is specified more than once."
                )));
            }
            seen.push(name);
            match name {
                "$filter" => query.filter = Some(parse_checked_filter(schema, value)?),
                "$top" => query.top = parse_top(value)?,
                "$select" => query.select = Some(parse_select(schema, value)?),
                "$orderby" => query.order_by = Some(parse_order_by(schema, value)?),
                "$skiptoken" => query.skip_token = Some(value.clone()),
                // `$count` and `$search` need ConsistencyLevel in Graph; not supported yet.
                other if other.starts_with('$') => {
                    return Err(QueryError(format!(
                        "Query option '{other}' is not supported on {}.",
                        schema.name
                    )));
                }
                // Non-OData parameters are ignored, as Graph does.
                _ => {}
            }
        }
        Ok(query)
    }
}

fn parse_checked_filter(schema: &ResourceSchema, text: &str) -> Result<FilterExpr, QueryError> {
    let expr = parse_filter(text).map_err(|e| QueryError(format!("Invalid filter clause: {e}")))?;
    canonicalize(schema, expr)
}

/// Checks every property and literal type, and rewrites property names to their
/// canonical spelling.
fn canonicalize(schema: &ResourceSchema, expr: FilterExpr) -> Result<FilterExpr, QueryError> {
    let unsupported = |property: &str| {
        QueryError(format!(
            "Invalid filter clause: property '{property}' of {} cannot be filtered on. Filterable: {}.",
            schema.name,
            schema
                .filterable
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    Ok(match expr {
        FilterExpr::Compare {
            property,
            op,
            value,
        } => {
            let (canonical, ty) = schema
                .filter_type(&property)
                .ok_or_else(|| unsupported(&property))?;
            let fits = matches!(
                (ty, &value),
                (PropertyType::String, Literal::String(_) | Literal::Null)
                    | (PropertyType::Bool, Literal::Bool(_))
            );
            if !fits {
                return Err(QueryError(format!(
                    "Invalid filter clause: {value} is not a valid value for '{canonical}'."
                )));
            }
            FilterExpr::Compare {
                property: canonical.to_owned(),
                op,
                value,
            }
        }
        FilterExpr::StartsWith { property, prefix } => {
            let (canonical, ty) = schema
                .filter_type(&property)
                .ok_or_else(|| unsupported(&property))?;
            if ty != PropertyType::String {
                return Err(QueryError(format!(
                    "Invalid filter clause: startswith needs a string property, '{canonical}' is not one."
                )));
            }
            FilterExpr::StartsWith {
                property: canonical.to_owned(),
                prefix,
            }
        }
        FilterExpr::And(a, b) => FilterExpr::And(
            Box::new(canonicalize(schema, *a)?),
            Box::new(canonicalize(schema, *b)?),
        ),
        FilterExpr::Or(a, b) => FilterExpr::Or(
            Box::new(canonicalize(schema, *a)?),
            Box::new(canonicalize(schema, *b)?),
        ),
    })
}

fn parse_top(value: &str) -> Result<usize, QueryError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_TOP).contains(&n) => Ok(n),
        _ => Err(QueryError(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
        ))),
    }
}

fn parse_select(schema: &ResourceSchema, value: &str) -> Result<Vec<&'static str>, QueryError> {
    let mut selected = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let canonical = schema.canonical(schema.selectable, item).ok_or_else(|| {
            QueryError(format!(
                "Could not find a property named '{item}' on type {}.",
                schema.name
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

fn parse_order_by(
    schema: &ResourceSchema,
    value: &str,
) -> Result<(&'static str, SortDirection), QueryError> {
    let mut words = value.split_whitespace();
    let (Some(property), direction, None) = (words.next(), words.next(), words.next()) else {
        return Err(QueryError(format!(
            "Invalid $orderby '{value}': give one property, optionally followed by asc or desc."
        )));
    };
    let canonical = schema.canonical(schema.sortable, property).ok_or_else(|| {
        QueryError(format!(
            "Sorting {} by '{property}' is not supported. Sortable: {}.",
            schema.name,
            schema.sortable.join(", ")
        ))
    })?;
    let direction = match direction.map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => SortDirection::Ascending,
        Some("desc") => SortDirection::Descending,
        Some(other) => {
            return Err(QueryError(format!(
                "Invalid $orderby direction '{other}': use asc or desc."
            )));
        }
    };
    Ok((canonical, direction))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::filter::CompareOp;

    const SCHEMA: ResourceSchema = ResourceSchema {
        name: "users",
        filterable: &[
            ("displayName", PropertyType::String),
            ("accountEnabled", PropertyType::Bool),
        ],
        sortable: &["displayName"],
        selectable: &["id", "displayName", "accountEnabled"],
    };

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_options() {
        let q = ListQuery::parse(&SCHEMA, &[]).unwrap();
        assert_eq!(q.top, DEFAULT_TOP);
        assert!(q.filter.is_none() && q.select.is_none() && q.order_by.is_none());
    }

    #[test]
    fn valid_options_are_canonicalised() {
        let q = ListQuery::parse(
            &SCHEMA,
            &pairs(&[
                ("$filter", "displayname eq 'A' and accountEnabled eq true"),
                ("$top", "5"),
                ("$select", "id, DisplayName"),
                ("$orderby", "displayName desc"),
                ("api-version", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(q.top, 5);
        assert_eq!(q.select, Some(vec!["id", "displayName"]));
        assert_eq!(q.order_by, Some(("displayName", SortDirection::Descending)));
        let Some(FilterExpr::And(left, _)) = q.filter else {
            panic!("expected and");
        };
        assert_eq!(
            *left,
            FilterExpr::Compare {
                property: "displayName".into(),
                op: CompareOp::Eq,
                value: Literal::String("A".into())
            }
        );
    }

    #[test]
    fn invalid_options_are_refused_with_a_reason() {
        let err = |list: &[(&str, &str)]| ListQuery::parse(&SCHEMA, &pairs(list)).unwrap_err().0;
        assert!(err(&[("$filter", "mail eq 'x'")]).contains("'mail'"));
        assert!(err(&[("$filter", "accountEnabled eq 'yes'")]).contains("not a valid value"));
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
