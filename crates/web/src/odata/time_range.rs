//! Date-time bounds in a `$filter` (`activityDateTime ge … and activityDateTime lt …`),
//! taken out of the expression so the store can use its time index.

use time::{Duration, OffsetDateTime};

use super::filter::{CompareOp, FilterExpr, Literal};
use super::query::QueryError;

/// `from` is inclusive, `to` exclusive, as the store's log queries take them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// The store keeps microseconds; one tick turns `gt`/`le` into the inclusive/exclusive
/// bounds above.
const TICK: Duration = Duration::microseconds(1);

/// Splits the top-level `and` conjuncts comparing `property` with a date-time off
/// `expr`. Returns what remains of the filter and the tightest range the bounds give.
pub fn split_time_range(
    expr: FilterExpr,
    property: &str,
) -> Result<(Option<FilterExpr>, TimeRange), QueryError> {
    let mut conjuncts = Vec::new();
    flatten_and(expr, &mut conjuncts);
    let mut range = TimeRange::default();
    let mut rest: Vec<FilterExpr> = Vec::new();
    for conjunct in conjuncts {
        match conjunct {
            FilterExpr::Compare {
                property: p,
                op,
                value,
            } if p.eq_ignore_ascii_case(property) => {
                let Literal::DateTime(at) = value else {
                    return Err(QueryError(format!(
                        "Invalid filter clause: '{property}' must be compared with a date-time such as 2026-01-31T00:00:00Z."
                    )));
                };
                match op {
                    CompareOp::Ge => range.from = later(range.from, at),
                    CompareOp::Gt => range.from = later(range.from, at + TICK),
                    CompareOp::Lt => range.to = earlier(range.to, at),
                    CompareOp::Le => range.to = earlier(range.to, at + TICK),
                    CompareOp::Eq => {
                        range.from = later(range.from, at);
                        range.to = earlier(range.to, at + TICK);
                    }
                    CompareOp::Ne => {
                        return Err(QueryError(format!(
                            "Invalid filter clause: '{property}' does not support ne."
                        )));
                    }
                }
            }
            other => rest.push(other),
        }
    }
    let rest = rest
        .into_iter()
        .reduce(|left, right| FilterExpr::And(Box::new(left), Box::new(right)));
    Ok((rest, range))
}

fn flatten_and(expr: FilterExpr, out: &mut Vec<FilterExpr>) {
    match expr {
        FilterExpr::And(a, b) => {
            flatten_and(*a, out);
            flatten_and(*b, out);
        }
        other => out.push(other),
    }
}

fn later(current: Option<OffsetDateTime>, candidate: OffsetDateTime) -> Option<OffsetDateTime> {
    Some(current.map_or(candidate, |c| c.max(candidate)))
}

fn earlier(current: Option<OffsetDateTime>, candidate: OffsetDateTime) -> Option<OffsetDateTime> {
    Some(current.map_or(candidate, |c| c.min(candidate)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::filter::parse_filter;
    use time::macros::datetime;

    fn split(text: &str) -> Result<(Option<FilterExpr>, TimeRange), QueryError> {
        split_time_range(parse_filter(text).unwrap(), "activityDateTime")
    }

    #[test]
    fn bounds_are_taken_out_and_the_rest_kept() {
        let (rest, range) = split(
            "category eq 'Policy' and activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime le 2026-01-31T00:00:00Z",
        )
        .unwrap();
        assert_eq!(range.from, Some(datetime!(2026-01-01 00:00 UTC)));
        assert_eq!(range.to, Some(datetime!(2026-01-31 00:00:00.000001 UTC)));
        assert!(matches!(rest, Some(FilterExpr::Compare { .. })));
    }

    #[test]
    fn the_tightest_bounds_win_and_gt_lt_are_exclusive() {
        let (rest, range) = split(
            "activityDateTime gt 2026-01-01T00:00:00Z and activityDateTime ge 2025-01-01T00:00:00Z and activityDateTime lt 2026-02-01T00:00:00Z",
        )
        .unwrap();
        assert!(rest.is_none());
        assert_eq!(range.from, Some(datetime!(2026-01-01 00:00:00.000001 UTC)));
        assert_eq!(range.to, Some(datetime!(2026-02-01 00:00 UTC)));
    }

    #[test]
    fn wrong_values_and_operators_are_refused() {
        assert!(split("activityDateTime ge 'yesterday'").is_err());
        assert!(split("activityDateTime ne 2026-01-01T00:00:00Z").is_err());
        // Inside `or` the bound is not a range: it stays in the filter (and the store
        // conversion then refuses it).
        let (rest, range) =
            split("activityDateTime ge 2026-01-01T00:00:00Z or category eq 'x'").unwrap();
        assert!(rest.is_some());
        assert_eq!(range, TimeRange::default());
    }
}
