//! The three chart shapes the portal uses: stacked columns over time, a single 100 %
//! coverage bar, and ranked horizontal bars.

use std::fmt::Write;

use super::{Part, TimeChart, escape, percent};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 220;
const LEFT: u32 = 44;
const BOTTOM: u32 = 24;
const TOP: u32 = 8;

/// The opening tag with its accessible name and description.
fn open(out: &mut String, id: &str, title: &str, desc: &str, width: u32, height: u32) {
    let id = escape(id);
    let _ = write!(
        out,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(desc),
    );
}

/// A rounded-up axis maximum (1, 2, 4 or 5 times a power of ten) so gridlines fall on
/// readable numbers. Always even, because the middle gridline is labelled with half of
/// it: an axis of 1 (or 5) would label its middle "0" (or "2").
fn nice_max(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for factor in [1, 2, 4, 5] {
            let candidate = step.saturating_mul(factor);
            if candidate == u64::MAX {
                return candidate;
            }
            if candidate % 2 == 0 && candidate >= max {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Columns per bucket, one stacked segment per series.
pub fn stacked_columns(chart: &TimeChart) -> String {
    let mut out = String::new();
    open(
        &mut out,
        &chart.id,
        &chart.title,
        &chart.description(),
        WIDTH,
        HEIGHT,
    );
    let buckets = chart.buckets.len().max(1) as u32;
    let plot_width = WIDTH - LEFT - 4;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let bucket_totals: Vec<u64> = (0..chart.buckets.len())
        .map(|i| {
            chart
                .series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = nice_max(bucket_totals.iter().copied().max().unwrap_or(0));
    // Axis: baseline, half and top gridlines with their values.
    for fraction in [0u64, 1, 2] {
        let value = max * fraction / 2;
        let y = TOP + plot_height - (plot_height as u64 * fraction / 2) as u32;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y}" y2="{y}"/><text class="axis" x="{}" y="{}" text-anchor="end">{value}</text>"#,
            WIDTH - 4,
            LEFT - 4,
            y + 4
        );
    }
    let slot = plot_width as f64 / f64::from(buckets);
    let column = (slot * 0.7).max(1.0);
    // Label at most about twelve buckets so the text never overlaps.
    let label_every = (chart.buckets.len() / 12).max(1);
    for (i, bucket) in chart.buckets.iter().enumerate() {
        let x = f64::from(LEFT) + slot * i as f64 + (slot - column) / 2.0;
        let mut y = f64::from(TOP + plot_height);
        for series in &chart.series {
            let value = series.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let h = f64::from(plot_height) * value as f64 / max as f64;
            y -= h;
            let _ = write!(
                out,
                r#"<rect class="series-{}" x="{x:.1}" y="{y:.1}" width="{column:.1}" height="{h:.1}"><title>{}: {} {value}</title></rect>"#,
                series.class,
                escape(bucket),
                escape(&series.label),
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x + column / 2.0,
                HEIGHT - 6,
                escape(bucket)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One horizontal bar split into parts of a whole (e.g. users by method strength).
pub fn coverage_bar(id: &str, title: &str, parts: &[Part]) -> String {
    let whole: u64 = parts.iter().map(|p| p.value).sum();
    let desc: Vec<String> = parts
        .iter()
        .map(|p| format!("{}: {} ({}%)", p.label, p.value, percent(p.value, whole)))
        .collect();
    let mut out = String::new();
    open(
        &mut out,
        id,
        title,
        &format!("{whole} in total. {}.", desc.join(", ")),
        WIDTH,
        40,
    );
    let mut x = 0.0f64;
    for part in parts {
        if part.value == 0 {
            continue;
        }
        let w = f64::from(WIDTH) * part.value as f64 / whole as f64;
        let _ = write!(
            out,
            r#"<rect class="series-{}" x="{x:.1}" y="4" width="{w:.1}" height="32"><title>{}: {} ({}%)</title></rect>"#,
            part.class,
            escape(&part.label),
            part.value,
            percent(part.value, whole)
        );
        x += w;
    }
    if whole == 0 {
        let _ = write!(
            out,
            r#"<rect class="empty" x="0" y="4" width="{WIDTH}" height="32"/>"#
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per part, longest first as given (e.g. top failure reasons).
pub fn ranked_bars(id: &str, title: &str, parts: &[Part]) -> String {
    const ROW: u32 = 26;
    const LABEL: u32 = 260;
    let height = (parts.len() as u32).max(1) * ROW + 4;
    let desc: Vec<String> = parts
        .iter()
        .map(|p| format!("{}: {}", p.label, p.value))
        .collect();
    let mut out = String::new();
    open(
        &mut out,
        id,
        title,
        &if desc.is_empty() {
            "No data.".to_owned()
        } else {
            format!("{}.", desc.join(", "))
        },
        WIDTH,
        height,
    );
    let max = parts.iter().map(|p| p.value).max().unwrap_or(0).max(1);
    let bar_space = WIDTH - LABEL - 60;
    for (i, part) in parts.iter().enumerate() {
        let y = i as u32 * ROW + 4;
        let w = f64::from(bar_space) * part.value as f64 / max as f64;
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}" text-anchor="end">{}</text><rect class="series-{}" x="{LABEL}" y="{y}" width="{w:.1}" height="{}"/><text class="axis" x="{:.1}" y="{}">{}</text>"#,
            LABEL - 6,
            y + 16,
            escape(&part.label),
            part.class,
            ROW - 8,
            f64::from(LABEL) + w + 4.0,
            y + 16,
            part.value
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::Series;

    #[test]
    fn axis_maxima_are_round_numbers() {
        assert_eq!(nice_max(0), 2, "an empty chart reads 0, 1, 2");
        assert_eq!(nice_max(1), 2);
        assert_eq!(nice_max(3), 4);
        assert_eq!(nice_max(5), 10, "5 would label its middle 2");
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(480), 500);
        assert_eq!(nice_max(u64::MAX), u64::MAX);
    }

    #[test]
    fn columns_are_labelled_and_escaped() {
        let chart = TimeChart {
            id: "signins".into(),
            title: "Sign-ins <by result>".into(),
            buckets: vec!["23 Nov".into()],
            series: vec![Series {
                label: "Success".into(),
                class: "success",
                values: vec![5],
            }],
        };
        let svg = stacked_columns(&chart);
        assert!(svg.starts_with("<svg class=\"chart\" role=\"img\""));
        assert!(svg.contains(r#"aria-labelledby="signins-title signins-desc""#));
        assert!(svg.contains("<title id=\"signins-title\">Sign-ins &lt;by result&gt;</title>"));
        assert!(svg.contains("<desc id=\"signins-desc\">5 in total"));
        assert!(svg.contains("class=\"series-success\""));
        assert!(!svg.contains("<by"), "labels are escaped");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn empty_series_draw_no_segments() {
        let chart = TimeChart {
            id: "x".into(),
            title: "t".into(),
            buckets: vec!["a".into(), "b".into()],
            series: vec![Series {
                label: "Failure".into(),
                class: "failure",
                values: vec![0, 0],
            }],
        };
        assert!(!stacked_columns(&chart).contains("<rect"));
    }

    #[test]
    fn coverage_parts_fill_the_width() {
        let parts = [
            Part {
                label: "MFA".into(),
                class: "mfa",
                value: 3,
            },
            Part {
                label: "None".into(),
                class: "none",
                value: 1,
            },
        ];
        let svg = coverage_bar("cov", "Coverage", &parts);
        assert!(svg.contains(r#"width="480.0""#), "{svg}");
        assert!(svg.contains(r#"x="480.0" y="4" width="160.0""#), "{svg}");
        assert!(svg.contains("MFA: 3 (75%)"));
        assert!(coverage_bar("e", "Empty", &[]).contains("class=\"empty\""));
    }

    #[test]
    fn ranked_bars_scale_to_the_largest() {
        let parts = [
            Part {
                label: "50126".into(),
                class: "failure",
                value: 10,
            },
            Part {
                label: "53003".into(),
                class: "failure",
                value: 5,
            },
        ];
        let svg = ranked_bars("f", "Failures", &parts);
        assert!(svg.contains(r#"width="320.0""#), "{svg}");
        assert!(svg.contains(r#"width="160.0""#), "{svg}");
    }
}
