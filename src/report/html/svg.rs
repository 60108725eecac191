//! The report's charts as inline SVG: a trend line with its target, a progress bar to the target
//! and horizontal bars for a breakdown. Numbers in, markup out: colours come from the page's CSS
//! classes, and every chart has a fixed view box that the page scales to its card.

use super::escape;
use crate::model::{Status, Unit};
use crate::report::format::{format_value, NO_VALUE};

/// Width of every chart's view box.
const WIDTH: f64 = 320.0;
const TREND_HEIGHT: f64 = 112.0;
/// The band under a trend for its period labels.
const AXIS_BAND: f64 = 18.0;
/// The least room between two period labels.
const LABEL_GAP: f64 = 10.0;
const PROGRESS_HEIGHT: f64 = 20.0;
/// Height of a breakdown bar's row.
const ROW: f64 = 19.0;
/// The approximate advance of one character of the 11 px chart font, to make room for labels.
const CHAR: f64 = 6.3;
/// Breakdown labels longer than this are cut with an ellipsis.
const LABEL_CHARS: usize = 20;

/// One bar of a breakdown chart.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub status: Status,
}

/// A line through the values, oldest first (a gap where one is missing), with the minimum and
/// maximum labelled on the left, the target as a dashed line and, when `periods` names each
/// value, period labels underneath. `title` names it for readers of the markup (screen readers).
pub fn trend(
    values: &[Option<f64>],
    periods: &[String],
    target: Option<f64>,
    unit: Unit,
    title: &str,
) -> String {
    let present = || values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = range(present().chain(target));
    let (lo_text, hi_text) = (axis_label(lo, unit), axis_label(hi, unit));
    let x0 = text_width(lo_text.chars().count().max(hi_text.chars().count())) + 8.0;
    let (x1, y_top, y_bottom) = (WIDTH - 4.0, 12.0, TREND_HEIGHT - 10.0);
    let y = |v: f64| scale(v, lo, hi, y_bottom, y_top);
    let x = |i: usize| match values.len() {
        0 | 1 => (x0 + x1) / 2.0,
        n => x0 + (x1 - x0) * i as f64 / (n - 1) as f64,
    };
    let labelled = periods.len() == values.len() && !periods.is_empty();
    let height = TREND_HEIGHT + if labelled { AXIS_BAND } else { 0.0 };
    let mut out = open(height, "trend", title);
    if labelled {
        let xs: Vec<f64> = (0..values.len()).map(x).collect();
        out.push_str(&period_labels(&xs, periods, y_bottom));
    }
    for (value, text) in [(hi, &hi_text), (lo, &lo_text)] {
        out.push_str(&format!(
            "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" dy=\".35em\" text-anchor=\"end\">{}</text>\n",
            num(x0),
            num(y(value)),
            num(x1),
            num(y(value)),
            num(x0 - 6.0),
            num(y(value)),
            escape(text)
        ));
        if hi == lo {
            break;
        }
    }
    let target = target.filter(|t| t.is_finite());
    if let Some(target) = target {
        out.push_str(&target_line(x0, x1, y(target)));
    }
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (x(i), y(v))))
        .collect();
    out.push_str(&lines(&points));
    out.push_str(&dots(&points));
    if let Some(target) = target {
        // Over the data, at the oldest end: the latest value, on the right, stays clear.
        out.push_str(&format!(
            "<text class=\"target-label\" x=\"{}\" y=\"{}\">target {}</text>\n",
            num(x0 + 4.0),
            num(y(target) - 4.0),
            escape(&axis_label(target, unit))
        ));
    }
    out.push_str("</svg>");
    out
}

/// The labels of the first and last periods and of evenly spaced ones between, as many as fit
/// without two coming closer than [`LABEL_GAP`] (the last alone if even two would), each with a
/// tick at its point. Labels are centred on their points, pulled in at the edges so that none is
/// cut.
fn period_labels(xs: &[f64], periods: &[String], y_bottom: f64) -> String {
    let chars = periods.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    let width = text_width(chars);
    let centre = |i: usize| xs[i].clamp(width / 2.0, WIDTH - width / 2.0);
    let last = xs.len() - 1;
    let room = width + LABEL_GAP;
    if last == 0 {
        return String::new();
    }
    let clear = |a: usize, b: usize| centre(b) - centre(a) >= room;
    // The latest period and every `step`-th before it, the one a reader looks for first, and the
    // oldest; the sparsest step at which each label clears its neighbours once the edge labels
    // are pulled in. The oldest gap may be the wider one.
    let spaced = |step: usize| -> Option<Vec<usize>> {
        let mut shown: Vec<usize> = (1..=last).rev().step_by(step).collect();
        if shown.last().is_some_and(|i| !clear(0, *i)) && shown.len() > 1 {
            shown.pop();
        }
        shown.push(0);
        shown.reverse();
        shown.windows(2).all(|w| clear(w[0], w[1])).then_some(shown)
    };
    let shown = (1..=last.max(1))
        .find_map(spaced)
        .unwrap_or_else(|| vec![last]);
    let mut out = String::new();
    for i in shown {
        out.push_str(&format!(
            "<line class=\"tick\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>\
             <text class=\"period\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            num(y_bottom + 4.0),
            num(y_bottom + 7.0),
            num(centre(i)),
            num(y_bottom + 20.0),
            escape(&periods[i]),
            x = num(xs[i]),
        ));
    }
    out
}

/// A track with the share of the target reached filled in (clamped to 0–100 %) and the
/// attainment written at its end. `tone` is `reached`, `off` or empty.
pub fn progress(attainment: Option<f64>, tone: &str, title: &str) -> String {
    let label_room = 52.0;
    let track = WIDTH - label_room;
    let mut out = open(PROGRESS_HEIGHT, "progress", title);
    out.push_str(&format!(
        "<rect class=\"track\" x=\"0\" y=\"5\" width=\"{}\" height=\"10\" rx=\"5\"/>\n",
        num(track)
    ));
    let attainment = attainment.filter(|a| a.is_finite());
    if let Some(share) = attainment.map(|a| a.clamp(0.0, 1.0)).filter(|s| *s > 0.0) {
        out.push_str(&format!(
            "<rect class=\"fill {tone}\" x=\"0\" y=\"5\" width=\"{}\" height=\"10\" rx=\"5\"/>\n",
            num((track * share).max(10.0))
        ));
    }
    let text = attainment.map_or(NO_VALUE.to_string(), |a| format!("{:.0} %", a * 100.0));
    out.push_str(&format!(
        "<text class=\"figure-label\" x=\"{}\" y=\"14.5\" text-anchor=\"end\">{}</text>\n</svg>",
        num(WIDTH),
        escape(&text)
    ));
    out
}

/// One horizontal bar per group, from zero: labels on the left, values on the right, a bar
/// coloured by the group's status (none, and `–`, for a group without a value). `label_chars`
/// is the room kept for labels, so that the charts of one card line up (see [`label_chars`]).
pub fn bars(rows: &[Bar], unit: Unit, label_chars: usize, title: &str) -> String {
    let values: Vec<String> = rows.iter().map(|r| format_value(r.value, unit)).collect();
    let labels: Vec<String> = rows.iter().map(|r| shorten(&r.label)).collect();
    let label_room = text_width(label_chars.min(LABEL_CHARS)) + 8.0;
    let value_room = text_width(values.iter().map(|v| v.chars().count()).max().unwrap_or(0)) + 8.0;
    let (x0, x1) = (label_room, WIDTH - value_room);
    let (lo, hi) = range(rows.iter().filter_map(|r| r.value).chain([0.0]));
    let x = |v: f64| scale(v, lo, hi, x0, x1);
    let height = ROW * rows.len() as f64 + 4.0;
    let mut out = open(height, "bars", title);
    for (i, ((row, label), value)) in rows.iter().zip(&labels).zip(&values).enumerate() {
        let top = 2.0 + ROW * i as f64;
        out.push_str(&format!(
            "<text class=\"bar-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            num(label_room - 8.0),
            num(top + 13.5),
            escape(label)
        ));
        if let Some(v) = row.value.filter(|v| v.is_finite()) {
            let (a, b) = (x(0.0).min(x(v)), x(0.0).max(x(v)));
            out.push_str(&format!(
                "<rect class=\"bar {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" rx=\"2\"/>",
                row.status.name(),
                num(a),
                num(top + 3.5),
                num((b - a).max(1.0))
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            num(WIDTH),
            num(top + 13.5),
            escape(value)
        ));
    }
    if lo < 0.0 {
        out.push_str(&format!(
            "<line class=\"zero\" x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"{1}\"/>\n",
            num(x(0.0)),
            num(height)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The room the longest of these labels needs, in characters, once shortened.
pub fn label_chars<'a>(labels: impl Iterator<Item = &'a str>) -> usize {
    labels
        .map(|l| l.chars().count().min(LABEL_CHARS))
        .max()
        .unwrap_or(0)
}

/// An axis value, big amounts shortened (`1.87M`, `620k`) so that the label leaves room for the
/// chart; other values as the unit formats them.
fn axis_label(value: f64, unit: Unit) -> String {
    let magnitude = value.abs();
    if !matches!(unit, Unit::Currency(_) | Unit::Number) || magnitude < 10_000.0 {
        return format_value(Some(value), unit);
    }
    let (divisor, suffix) = match magnitude {
        m if m >= 1e9 => (1e9, "bn"),
        m if m >= 1e6 => (1e6, "M"),
        _ => (1e3, "k"),
    };
    let short = value / divisor;
    let digits = if short.abs() >= 100.0 {
        0
    } else if short.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{:.digits$}", short.abs());
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    let sign = if value < 0.0 { "-" } else { "" };
    let currency = match unit {
        Unit::Currency(Some(currency)) => currency.prefix(),
        _ => String::new(),
    };
    format!("{sign}{currency}{text}{suffix}")
}

/// The opening tag every chart shares: a size, a view box and a title.
fn open(height: f64, class: &str, title: &str) -> String {
    format!(
        "<svg class=\"{class}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" aria-label=\"{t}\"><title>{t}</title>\n",
        w = num(WIDTH),
        h = num(height),
        t = escape(title)
    )
}

fn target_line(x0: f64, x1: f64, y: f64) -> String {
    format!(
        "<line class=\"target\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>\n",
        num(x0),
        num(x1),
        y = num(y)
    )
}

/// A polyline per run of consecutive points.
fn lines(points: &[Option<(f64, f64)>]) -> String {
    points
        .split(|p| p.is_none())
        .filter(|run| run.len() >= 2)
        .map(|run| {
            let coords: Vec<String> = run
                .iter()
                .flatten()
                .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
                .collect();
            format!(
                "<polyline class=\"line\" points=\"{}\"/>\n",
                coords.join(" ")
            )
        })
        .collect()
}

/// A dot per point, the last (this period) larger.
fn dots(points: &[Option<(f64, f64)>]) -> String {
    let last = points.len().saturating_sub(1);
    points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|(x, y)| (i, x, y)))
        .map(|(i, x, y)| {
            let (class, r) = if i == last {
                ("last", 4.5)
            } else {
                ("dot", 2.5)
            };
            format!(
                "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{r}\"/>",
                num(x),
                num(y)
            )
        })
        .collect::<Vec<_>>()
        .join("")
        + "\n"
}

/// The smallest and largest of the finite values (0 and 0 for none).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 0.0)
    } else {
        (lo, hi)
    }
}

/// `v` mapped from `lo..hi` onto `from..to`; the middle when the range is empty.
fn scale(v: f64, lo: f64, hi: f64, from: f64, to: f64) -> f64 {
    if hi > lo {
        from + (v - lo) / (hi - lo) * (to - from)
    } else {
        (from + to) / 2.0
    }
}

fn text_width(chars: usize) -> f64 {
    chars as f64 * CHAR
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// A coordinate with at most one decimal, the same on every machine.
fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_string()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_one_decimal_at_most() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(-3.96), "-4");
    }

    #[test]
    fn big_axis_values_are_shortened() {
        assert_eq!(axis_label(1_866_500.0, Unit::Currency(None)), "1.87M");
        assert_eq!(axis_label(620_200.0, Unit::Currency(None)), "620k");
        assert_eq!(axis_label(-12_345.0, Unit::Number), "-12.3k");
        assert_eq!(axis_label(2.5e9, Unit::Number), "2.5bn");
        assert_eq!(axis_label(9_999.0, Unit::Number), "9,999");
        assert_eq!(axis_label(20_000.0, Unit::Days), "20,000.0 d");
        let eur = Unit::Currency(crate::currency::Currency::from_code("EUR"));
        assert_eq!(axis_label(1_352_350.0, eur), "€1.35M");
        assert_eq!(axis_label(-620_200.0, eur), "-€620k");
        assert_eq!(axis_label(9_500.0, eur), "€9,500");
    }

    #[test]
    fn trend_labels_min_and_max_and_draws_the_target() {
        let svg = trend(
            &[Some(0.25), Some(0.31), None, Some(0.28), Some(0.3125)],
            &[],
            Some(0.38),
            Unit::Percent,
            "Win rate",
        );
        assert!(svg.contains(">38.0 %</text>"), "{svg}"); // the target is the maximum
        assert!(svg.contains(">25.0 %</text>"), "{svg}");
        assert!(svg.contains("class=\"target\""), "{svg}");
        assert!(svg.contains(">target 38.0 %</text>"), "{svg}");
        // The missing value splits the line in two.
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 4, "{svg}");
        assert!(svg.contains("class=\"last\""), "{svg}");
    }

    #[test]
    fn a_flat_or_single_value_trend_stays_in_the_box() {
        for values in [vec![Some(5.0)], vec![Some(5.0), Some(5.0)], vec![None]] {
            let svg = trend(&values, &[], None, Unit::Number, "flat");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            assert!(!svg.contains("class=\"target\""), "{svg}");
        }
    }

    /// The (x, text) of each period label of a trend chart.
    fn labels(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text class=\"period\" x=\"")
            .skip(1)
            .map(|rest| {
                let x = rest[..rest.find('"').unwrap()].parse().unwrap();
                let text = &rest[rest.find('>').unwrap() + 1..rest.find("</text>").unwrap()];
                (x, text.to_string())
            })
            .collect()
    }

    fn months(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("20{:02}-{:02}", 25 + (i + 10) / 12, (i + 10) % 12 + 1))
            .collect()
    }

    #[test]
    fn trend_periods_first_last_and_between_never_overlap() {
        for (n, chars) in [(2, 7), (5, 7), (12, 7), (12, 10), (30, 10), (12, 8)] {
            let periods: Vec<String> = months(n)
                .into_iter()
                .map(|m| format!("{m:<chars$}").replace(' ', "0"))
                .collect();
            let values: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64)).collect();
            let svg = trend(&values, &periods, None, Unit::Number, "t");
            let shown = labels(&svg);
            assert_eq!(shown.first().map(|l| &l.1), periods.first(), "{svg}");
            assert_eq!(shown.last().map(|l| &l.1), periods.last(), "{svg}");
            if n >= 5 {
                assert!(shown.len() >= 3, "a few between: {shown:?}");
            }
            let width = text_width(chars);
            for pair in shown.windows(2) {
                assert!(pair[1].0 - pair[0].0 >= width + LABEL_GAP, "{shown:?}");
            }
            for (x, _) in &shown {
                // Inside the view box, to the rounding of a coordinate.
                let (left, right) = (*x - width / 2.0, *x + width / 2.0);
                assert!(left >= -0.1 && right <= WIDTH + 0.1, "{shown:?}");
            }
            assert!(svg.contains(&format!("height=\"{}\"", num(TREND_HEIGHT + AXIS_BAND))));
        }
        let twelve = trend(&[Some(1.0); 12], &months(12), None, Unit::Number, "t");
        let shown: Vec<String> = labels(&twelve).into_iter().map(|l| l.1).collect();
        assert_eq!(shown, ["2025-11", "2026-04", "2026-07", "2026-10"]);
    }

    #[test]
    fn progress_is_clamped_but_shows_the_number() {
        let over = progress(Some(1.127), "reached", "t");
        let full = "<rect class=\"fill reached\" x=\"0\" y=\"5\" width=\"268\"";
        assert!(over.contains(full), "{over}");
        assert!(over.contains(">113 %</text>"), "{over}");
        let under = progress(Some(-0.2), "", "t");
        assert_eq!(under.matches("<rect").count(), 1, "{under}");
        assert!(under.contains(">-20 %</text>"), "{under}");
        assert!(progress(None, "", "t").contains(">–</text>"));
    }

    #[test]
    fn bars_start_at_zero_and_colour_by_status() {
        let rows = [
            Bar {
                label: "EMEA".into(),
                value: Some(0.4),
                status: Status::Ok,
            },
            Bar {
                label: "APAC".into(),
                value: None,
                status: Status::NoData,
            },
            Bar {
                label: "A very long region name indeed".into(),
                value: Some(0.2),
                status: Status::Fail,
            },
        ];
        let svg = bars(&rows, Unit::Percent, 30, "By region");
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("class=\"bar fail\""), "{svg}");
        assert!(svg.contains(">–</text>"), "{svg}");
        assert!(svg.contains(">A very long region…</text>"), "{svg}");
        assert!(
            svg.contains("height=\"61\" viewBox=\"0 0 320 61\""),
            "{svg}"
        );
        assert!(!svg.contains("class=\"zero\""), "{svg}");
    }

    #[test]
    fn negative_bars_grow_left_of_a_zero_line() {
        let rows = [
            Bar {
                label: "a".into(),
                value: Some(-10.0),
                status: Status::Ok,
            },
            Bar {
                label: "b".into(),
                value: Some(30.0),
                status: Status::Ok,
            },
        ];
        let svg = bars(&rows, Unit::Number, 1, "NPS");
        assert!(svg.contains("class=\"zero\""), "{svg}");
    }
}
