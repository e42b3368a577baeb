//! Charts drawn on the server as SVG: no script, no external asset, nothing the strict
//! Content-Security-Policy has to allow. Colours come from CSS classes (`series-…`) in
//! the portal stylesheet, so no inline style is needed either.
//!
//! Accessibility: every chart is an `<svg role="img">` labelled by its `<title>` and
//! `<desc>`; the desc states the totals in words, and each page shows the same numbers
//! in a data table beside the chart (see [`TimeChart::table_rows`]).

mod bars;
mod escape;

pub use bars::{coverage_bar, ranked_bars, stacked_columns};
pub use escape::escape;

/// One coloured series of a time chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    /// CSS class suffix choosing the colour (`series-<class>`).
    pub class: &'static str,
    /// One value per bucket.
    pub values: Vec<u64>,
}

/// A chart over time buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeChart {
    /// Unique on the page; used for the `<title>`/`<desc>` ids.
    pub id: String,
    pub title: String,
    pub buckets: Vec<String>,
    pub series: Vec<Series>,
}

impl TimeChart {
    /// Sum of every series in every bucket.
    pub fn total(&self) -> u64 {
        self.series.iter().flat_map(|s| s.values.iter()).sum()
    }

    /// Per-series totals, for the description and legend.
    pub fn series_totals(&self) -> Vec<(String, u64)> {
        self.series
            .iter()
            .map(|s| (s.label.clone(), s.values.iter().sum()))
            .collect()
    }

    /// The sentence read out by screen readers in place of the picture.
    pub fn description(&self) -> String {
        let parts: Vec<String> = self
            .series_totals()
            .iter()
            .map(|(label, n)| format!("{label}: {n}"))
            .collect();
        let span = match (self.buckets.first(), self.buckets.last()) {
            (Some(first), Some(last)) => format!(" from {first} to {last}"),
            _ => String::new(),
        };
        format!(
            "{} in total{span}. {}.",
            self.total(),
            if parts.is_empty() {
                "No data".to_owned()
            } else {
                parts.join(", ")
            }
        )
    }

    /// The data table alternative: one row per bucket, one cell per series.
    pub fn table_rows(&self) -> Vec<(String, Vec<u64>)> {
        self.buckets
            .iter()
            .enumerate()
            .map(|(i, bucket)| {
                let cells = self
                    .series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0))
                    .collect();
                (bucket.clone(), cells)
            })
            .collect()
    }

    /// Legend entries: label, colour class and total.
    pub fn legend(&self) -> Vec<(String, &'static str, u64)> {
        self.series
            .iter()
            .map(|s| (s.label.clone(), s.class, s.values.iter().sum()))
            .collect()
    }

    /// The chart as an SVG element.
    pub fn svg(&self) -> String {
        stacked_columns(self)
    }

    pub fn series_labels(&self) -> Vec<String> {
        self.series.iter().map(|s| s.label.clone()).collect()
    }
}

/// One part of a whole (coverage bars, ranked bars).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub label: String,
    pub class: &'static str,
    pub value: u64,
}

/// `part` of `whole` as a whole-number percentage (0 when the whole is empty).
pub fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    (part.saturating_mul(100) + whole / 2) / whole
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> TimeChart {
        TimeChart {
            id: "c".into(),
            title: "Sign-ins".into(),
            buckets: vec!["Mon".into(), "Tue".into()],
            series: vec![
                Series {
                    label: "Success".into(),
                    class: "success",
                    values: vec![3, 4],
                },
                Series {
                    label: "Failure".into(),
                    class: "failure",
                    values: vec![1],
                },
            ],
        }
    }

    #[test]
    fn totals_description_and_table_agree() {
        let c = chart();
        assert_eq!(c.total(), 8);
        assert_eq!(
            c.description(),
            "8 in total from Mon to Tue. Success: 7, Failure: 1."
        );
        assert_eq!(
            c.table_rows(),
            vec![("Mon".into(), vec![3, 1]), ("Tue".into(), vec![4, 0])],
            "a missing value is a zero, not a shifted column"
        );
    }

    #[test]
    fn percentages_round_and_survive_an_empty_whole() {
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(5, 0), 0);
    }
}
