//! SQL rendering shared by the SQL backends: filters and keyset conditions become SQL text
//! with numbered placeholders (`$1`, `$2` — both SQLite and PostgreSQL accept them) and a
//! list of parameters to bind. Only allow-listed column names from [`FilterField`] ever
//! reach the SQL text; every value is a bound parameter.

use serde_json::Value;

use crate::error::StoreError;
use crate::filter::{Filter, FilterField, FilterValue, ValueKind, check_value};
use crate::page::{Cursor, Order};

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// Parameters collected while rendering, numbered from 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlParams {
    pub values: Vec<SqlParam>,
}

impl SqlParams {
    pub fn new() -> Self {
        SqlParams::default()
    }

    /// Adds a parameter and returns its placeholder.
    pub fn push(&mut self, value: SqlParam) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }
}

/// Renders a filter as a boolean SQL expression.
pub fn render_filter<F: FilterField>(
    filter: &Filter<F>,
    params: &mut SqlParams,
) -> Result<String, StoreError> {
    Ok(match filter {
        Filter::Eq(field, FilterValue::Null) => format!("{} IS NULL", field.column()),
        Filter::Ne(field, FilterValue::Null) => format!("{} IS NOT NULL", field.column()),
        Filter::Eq(field, value) => {
            check_value(*field, value)?;
            let p = params.push(param(*field, value));
            format!("{} = {p}", field.column())
        }
        Filter::Ne(field, value) => {
            // OData: a missing value is "not equal" to any literal.
            check_value(*field, value)?;
            let p = params.push(param(*field, value));
            format!("({col} <> {p} OR {col} IS NULL)", col = field.column())
        }
        Filter::StartsWith(field, prefix) => {
            if field.kind() != ValueKind::Text {
                return Err(StoreError::Invalid(format!(
                    "startswith needs a string property; {} is not one",
                    field.graph_name()
                )));
            }
            let prefix = if field.case_insensitive() {
                prefix.to_lowercase()
            } else {
                prefix.clone()
            };
            // substr/length instead of LIKE: no wildcard escaping, and the same
            // case-sensitive semantics on both backends. The range in front of it lets
            // an index on the column answer the prefix (byte order: SQLite's BINARY, and
            // the "C" collation the PostgreSQL lookup columns use); substr stays as the
            // exact test, so the range only ever narrows.
            let len = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
            let upper = prefix_upper_bound(&prefix);
            let col = field.column();
            let len_p = params.push(SqlParam::Int(len));
            let prefix_p = params.push(SqlParam::Text(prefix));
            // The cast keeps PostgreSQL's substr(text, integer, integer) resolvable for a
            // bound BIGINT.
            let exact = format!("substr({col}, 1, CAST({len_p} AS INTEGER)) = {prefix_p}");
            match upper {
                Some(upper) => {
                    let upper_p = params.push(SqlParam::Text(upper));
                    format!("({col} >= {prefix_p} AND {col} < {upper_p} AND {exact})")
                }
                None => format!("({col} >= {prefix_p} AND {exact})"),
            }
        }
        Filter::And(a, b) => format!(
            "({} AND {})",
            render_filter(a, params)?,
            render_filter(b, params)?
        ),
        Filter::Or(a, b) => format!(
            "({} OR {})",
            render_filter(a, params)?,
            render_filter(b, params)?
        ),
    })
}

/// The smallest string greater than every string that starts with `prefix`, in code
/// point (= UTF-8 byte) order: the prefix with its last character incremented, after
/// dropping trailing U+10FFFF. `None` when no such string exists (every character is
/// the last one, or the prefix is empty), and the range is then open above.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match u32::from(last) + 1 {
            // Skip the surrogate block, which no `char` (and no UTF-8 text) contains.
            0xD800 => Some('\u{E000}'),
            code => char::from_u32(code),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn param<F: FilterField>(field: F, value: &FilterValue) -> SqlParam {
    match value {
        FilterValue::Bool(b) => SqlParam::Bool(*b),
        FilterValue::Int(i) => SqlParam::Int(*i),
        FilterValue::Text(s) if field.case_insensitive() => SqlParam::Text(s.to_lowercase()),
        FilterValue::Text(s) => SqlParam::Text(s.clone()),
        // Null is rendered as IS [NOT] NULL before reaching here.
        FilterValue::Null => SqlParam::Text(String::new()),
    }
}

/// ORDER BY and keyset pieces for a listing sorted by a field and then `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyset {
    /// `col ASC, id ASC`
    pub order_by: String,
    /// `(col, id) > ($n, $m)` when a cursor was given.
    pub after: Option<String>,
    /// The column whose value goes into the next cursor (`None`: id only).
    pub sort_column: Option<&'static str>,
}

/// Builds the keyset clauses for `order` (or by id) continuing after `cursor`.
pub fn keyset<F: FilterField>(
    order: Option<Order<F>>,
    cursor: Option<&Cursor>,
    params: &mut SqlParams,
) -> Result<Keyset, StoreError> {
    let (field, descending) = match order {
        Some(Order { field, descending }) => {
            if !field.sortable() {
                return Err(StoreError::Invalid(format!(
                    "cannot sort by {}",
                    field.graph_name()
                )));
            }
            (Some(field).filter(|f| f.column() != "id"), descending)
        }
        None => (None, false),
    };
    let dir = if descending { "DESC" } else { "ASC" };
    let cmp = if descending { "<" } else { ">" };
    let Some(field) = field else {
        let after = match cursor {
            Some(cursor) => {
                let key = cursor.decode(1)?;
                let id = key[0].as_str().ok_or_else(bad_cursor)?.to_owned();
                Some(format!("id {cmp} {}", params.push(SqlParam::Text(id))))
            }
            None => None,
        };
        return Ok(Keyset {
            order_by: format!("id {dir}"),
            after,
            sort_column: None,
        });
    };
    let col = field.column();
    let after = match cursor {
        Some(cursor) => {
            let key = cursor.decode(2)?;
            let value = match (field.kind(), &key[0]) {
                (ValueKind::Int, Value::Number(n)) => {
                    SqlParam::Int(n.as_i64().ok_or_else(bad_cursor)?)
                }
                (ValueKind::Text, Value::String(s)) => SqlParam::Text(s.clone()),
                _ => return Err(bad_cursor()),
            };
            let id = key[1].as_str().ok_or_else(bad_cursor)?.to_owned();
            let value_p = params.push(value);
            let id_p = params.push(SqlParam::Text(id));
            // Expanded form of the row comparison (col, id) > (v, i): both backends plan
            // it as an index range on (col, id).
            Some(format!(
                "({col} {cmp} {value_p} OR ({col} = {value_p} AND id {cmp} {id_p}))"
            ))
        }
        None => None,
    };
    Ok(Keyset {
        order_by: format!("{col} {dir}, id {dir}"),
        after,
        sort_column: Some(col),
    })
}

fn bad_cursor() -> StoreError {
    StoreError::Invalid("the paging token ($skiptoken) does not fit this query".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::UserField;

    #[test]
    fn renders_with_bound_values_only() {
        let filter = Filter::Eq(
            UserField::UserPrincipalName,
            FilterValue::Text("Ada@X.com'; DROP".into()),
        )
        .and(Filter::Ne(
            UserField::AccountEnabled,
            FilterValue::Bool(false),
        ))
        .or(Filter::StartsWith(UserField::DisplayName, "Gr".into()));
        let mut params = SqlParams::new();
        let sql = render_filter(&filter, &mut params).unwrap();
        assert_eq!(
            sql,
            "((upn_lower = $1 AND (account_enabled <> $2 OR account_enabled IS NULL)) OR (display_name_lower >= $4 AND display_name_lower < $5 AND substr(display_name_lower, 1, CAST($3 AS INTEGER)) = $4))"
        );
        assert_eq!(
            params.values,
            vec![
                SqlParam::Text("ada@x.com'; drop".into()),
                SqlParam::Bool(false),
                SqlParam::Int(2),
                SqlParam::Text("gr".into()),
                SqlParam::Text("gs".into())
            ]
        );
    }

    #[test]
    fn prefix_upper_bound_is_the_next_string_after_every_extension() {
        assert_eq!(prefix_upper_bound("ad").as_deref(), Some("ae"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(
            prefix_upper_bound("z\u{D7FF}").as_deref(),
            Some("z\u{E000}")
        );
        assert_eq!(prefix_upper_bound("é").as_deref(), Some("ê"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound(""), None);
    }

    proptest::proptest! {
        /// Every string starting with the prefix lies in [prefix, upper) in byte order,
        /// so the index range never drops a match.
        #[test]
        fn prefix_range_contains_every_extension(prefix in "\\PC{0,4}", rest in "\\PC{0,6}") {
            let text = format!("{prefix}{rest}");
            proptest::prop_assert!(text.as_bytes() >= prefix.as_bytes());
            if let Some(upper) = prefix_upper_bound(&prefix) {
                proptest::prop_assert!(text.as_bytes() < upper.as_bytes(), "{text:?} {upper:?}");
                proptest::prop_assert!(upper.as_bytes() > prefix.as_bytes());
            }
        }
    }

    #[test]
    fn null_and_type_errors() {
        let mut params = SqlParams::new();
        assert_eq!(
            render_filter(&Filter::Eq(UserField::Mail, FilterValue::Null), &mut params).unwrap(),
            "mail_lower IS NULL"
        );
        assert!(
            render_filter(
                &Filter::StartsWith(UserField::AccountEnabled, "t".into()),
                &mut params
            )
            .is_err()
        );
        assert!(
            render_filter(
                &Filter::Eq(UserField::AccountEnabled, FilterValue::Int(1)),
                &mut params
            )
            .is_err()
        );
    }

    #[test]
    fn keyset_clauses() {
        let mut params = SqlParams::new();
        let ks = keyset::<UserField>(None, None, &mut params).unwrap();
        assert_eq!(ks.order_by, "id ASC");
        let cursor = Cursor::encode(&[Value::from("ada"), Value::from("id-1")]);
        let order = Some(Order {
            field: UserField::DisplayName,
            descending: true,
        });
        let ks = keyset(order, Some(&cursor), &mut params).unwrap();
        assert_eq!(ks.order_by, "display_name_lower DESC, id DESC");
        assert_eq!(
            ks.after.unwrap(),
            "(display_name_lower < $1 OR (display_name_lower = $1 AND id < $2))"
        );
        let order = Some(Order {
            field: UserField::Mail,
            descending: false,
        });
        assert!(keyset(order, None, &mut params).is_err());
        let wrong = Cursor::encode(&[Value::from(1)]);
        assert!(
            keyset::<UserField>(
                order.map(|_| Order {
                    field: UserField::DisplayName,
                    descending: false
                }),
                Some(&wrong),
                &mut params
            )
            .is_err()
        );
    }
}
