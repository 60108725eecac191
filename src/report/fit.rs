//! Fitting a table to the width it is given (SPEC, Terminal output): columns of less use are
//! left out first, then a period's `(to …)` goes onto a second line, then long text wraps, then
//! KPI names and breakdown labels are cut with `…` so that a row stays one line.
//!
//! Pure: the width comes from the command layer. Widths are counted in characters; a toned
//! cell holds two colour marks that [`super::table`] later turns into escapes plus two spaces,
//! so counting the marks counts the columns the cell takes on screen.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

/// The narrowest a wrapped column (a condition, a target) is made before names are cut.
const WRAP_MIN: usize = 16;
/// The narrowest a name is cut to before a late column (`check`'s Δ) is left out.
const LABEL_KEEP: usize = 24;
/// The narrowest a name is cut to, `…` included.
const LABEL_MIN: usize = 10;

/// Look and room for a table, decided by the command layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Look {
    /// ANSI colours.
    pub color: bool,
    /// The most characters a line may take; `None` is no limit.
    pub width: Option<usize>,
}

impl Look {
    /// No colour, no limit: what machine formats and pipes get.
    pub const PLAIN: Look = Look {
        color: false,
        width: None,
    };
}

/// A table's cells before layout. A row shorter than the header is a group title.
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The column of names and breakdown labels, the one cut with `…`.
    pub label: usize,
    /// Header names of the columns that may be left out, the least useful first.
    pub optional: Vec<String>,
    /// Header names of the columns left out once text is wrapped and still does not fit,
    /// before names are cut, the first to go first.
    pub late: Vec<String>,
    /// Header names of the columns whose text may wrap.
    pub wrappable: Vec<String>,
    /// Header names of the columns whose cells may put their ` (…)` part on a second line
    /// (a period to date: `2026-W47` over `(to 2026-11-22)`).
    pub stackable: Vec<String>,
    /// Header names of the columns of figures, which line up on their last digit.
    pub figures: Vec<String>,
}

/// Header names as a grid holds them.
pub fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// A table laid out: its text, the footnote naming the columns left out, and their names.
pub struct Laid {
    pub table: String,
    pub note: String,
    pub dropped: Vec<String>,
}

/// The columns as fitting sees them: indices into the header, widths in characters.
pub struct Columns<'a> {
    /// Each column's content width.
    pub widths: &'a [usize],
    /// Each column's width once its cells are stacked (the same width when they cannot be).
    pub stacked: &'a [usize],
    pub label: usize,
    /// Columns that may be left out, the least useful first.
    pub optional: &'a [usize],
    /// Columns left out when wrapping is not enough.
    pub late: &'a [usize],
    pub wrappable: &'a [usize],
}

/// What fitting decided: which columns go, how long a name may be, whether text wraps.
#[derive(Debug, PartialEq, Eq)]
pub struct Fit {
    pub dropped: Vec<usize>,
    pub stack: bool,
    pub label_max: Option<usize>,
    pub wrap: bool,
}

/// The width of a table of `widths` (content, in characters) without the `dropped` columns:
/// a border before each column, a space each side of its content, and a closing border.
fn table_width(widths: &[usize], dropped: &[usize]) -> usize {
    let shown = widths
        .iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i));
    shown.map(|(_, w)| w + 3).sum::<usize>() + 1
}

/// The layout of `columns` in `limit` characters: leave out optional columns, then stack,
/// then wrap, then cut names, each only while the table is still too wide; the late columns
/// are left out when names would be cut below LABEL_KEEP.
pub fn plan(columns: &Columns, limit: usize) -> Fit {
    let mut dropped = Vec::new();
    let mut remaining = columns.optional.iter();
    while table_width(columns.widths, &dropped) > limit {
        match remaining.next() {
            Some(&column) => dropped.push(column),
            None => break,
        }
    }
    let stack = table_width(columns.widths, &dropped) > limit && columns.stacked != columns.widths;
    let widths = match stack {
        true => columns.stacked,
        false => columns.widths,
    };
    let squeezed: Vec<usize> = (0..widths.len())
        .map(|i| match columns.wrappable.contains(&i) {
            true => widths[i].min(WRAP_MIN),
            false => widths[i],
        })
        .collect();
    // A late column goes only when names would otherwise be cut below LABEL_KEEP.
    let fits_with_label = |dropped: &[usize], label_width: usize| {
        let mut widths = squeezed.clone();
        widths[columns.label] = widths[columns.label].min(label_width);
        table_width(&widths, dropped) <= limit
    };
    for &column in columns.late {
        if fits_with_label(&dropped, LABEL_KEEP) {
            break;
        }
        dropped.push(column);
    }
    let over = table_width(&squeezed, &dropped).saturating_sub(limit);
    let label = columns.label;
    let label_max = (over > 0).then(|| widths[label].saturating_sub(over).max(LABEL_MIN));
    let mut cut = widths.to_vec();
    if let Some(max) = label_max {
        cut[label] = cut[label].min(max);
    }
    let wrap = table_width(&cut, &dropped) > limit;
    Fit {
        dropped,
        stack,
        label_max,
        wrap,
    }
}

/// A cell with its first ` (` part moved onto a second line.
fn stacked(cell: &str) -> String {
    cell.replacen(" (", "\n(", 1)
}

/// The width of a cell of one or more lines.
fn cell_width(cell: &str) -> usize {
    cell.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// `text` in at most `max` characters, its end replaced by `…` when it is longer.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Prose under a table (the footnotes) wrapped at spaces to `width`, continued lines indented
/// by two spaces; unchanged without a width. A word longer than the width stays whole.
pub fn wrap_prose(text: &str, width: Option<usize>) -> String {
    text.lines()
        .map(|line| wrap_indented(line, width))
        .collect()
}

/// One line wrapped at spaces to `width`, each continued line under the line's own
/// indentation plus two spaces, with a final newline; unchanged without a width.
pub fn wrap_indented(line: &str, width: Option<usize>) -> String {
    let Some(width) = width else {
        return format!("{line}\n");
    };
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    let mut out = String::new();
    let mut current = " ".repeat(indent);
    let mut words = 0;
    for word in body.split(' ') {
        let len = current.chars().count();
        if words > 0 && len + 1 + word.chars().count() > width {
            out.push_str(&current);
            out.push('\n');
            current = " ".repeat(indent + 1);
            words = 0;
        }
        if words > 0 || current.len() > indent {
            current.push(' ');
        }
        current.push_str(word);
        words += 1;
    }
    out.push_str(&current);
    out.push('\n');
    out
}

/// The footnote naming the columns left out, if any.
fn footnote(names: &[String], limit: usize) -> Option<String> {
    let list = match names {
        [] => return None,
        [one] => one.to_string(),
        [first @ .., last] => format!("{} and {last}", first.join(", ")),
    };
    Some(format!(
        "(fitted to {limit} columns: {list} left out; --width 0 shows every column)\n"
    ))
}

impl Grid {
    fn index(&self, names: &[String]) -> Vec<usize> {
        let find = |name: &String| self.header.iter().position(|h| h == name);
        names.iter().filter_map(find).collect()
    }

    /// Each column's width, with the cells of `stack` columns stacked.
    fn widths(&self, stack: &[usize]) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (w, cell)) in widths.iter_mut().zip(row).enumerate() {
                let width = match stack.contains(&i) {
                    true => cell_width(&stacked(cell)),
                    false => cell_width(cell),
                };
                *w = (*w).max(width);
            }
        }
        widths
    }

    /// The table laid out in `width`, and the footnote saying what was left out.
    pub fn layout(self, width: Option<usize>) -> Laid {
        let fit = match width {
            Some(limit) => {
                let (optional, late) = (self.index(&self.optional), self.index(&self.late));
                let wrappable = self.index(&self.wrappable);
                let columns = Columns {
                    widths: &self.widths(&[]),
                    stacked: &self.widths(&self.index(&self.stackable)),
                    label: self.label,
                    optional: &optional,
                    late: &late,
                    wrappable: &wrappable,
                };
                plan(&columns, limit)
            }
            None => Fit {
                dropped: Vec::new(),
                stack: false,
                label_max: None,
                wrap: false,
            },
        };
        let dropped: Vec<String> = fit
            .dropped
            .iter()
            .map(|&i| self.header[i].clone())
            .collect();
        let note = width
            .and_then(|limit| footnote(&dropped, limit))
            .unwrap_or_default();
        Laid {
            table: self.build(&fit, width).to_string(),
            note,
            dropped,
        }
    }

    fn build(self, fit: &Fit, width: Option<usize>) -> Table {
        let keep = |i: &usize| !fit.dropped.contains(i);
        let header: Vec<&str> = (0..self.header.len())
            .filter(keep)
            .map(|i| self.header[i].as_str())
            .collect();
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty()
            .set_header(header.clone());
        for row in self.rows {
            let cells = row.into_iter().enumerate().filter(|(i, _)| keep(i));
            table.add_row(cells.map(|(i, cell)| match fit.label_max {
                Some(max) if i == self.label => truncate(&cell, max),
                _ if fit.stack && self.stackable.contains(&self.header[i]) => stacked(&cell),
                _ => cell,
            }));
        }
        for (index, name) in header.iter().enumerate() {
            let Some(column) = table.column_mut(index) else {
                continue;
            };
            if self.figures.iter().any(|f| f == name) {
                column.set_cell_alignment(CellAlignment::Right);
            }
            // Only text meant to wrap wraps: a figure or a coloured cell split over two
            // lines would be misread (and its colour marks separated).
            // Nor does it wrap below WRAP_MIN, a word a line: a table wider than asked reads
            // better than that.
            if fit.wrap {
                column.set_constraint(match self.wrappable.iter().any(|w| w == name) {
                    true => ColumnConstraint::LowerBoundary(Width::Fixed(WRAP_MIN as u16)),
                    false => ColumnConstraint::ContentWidth,
                });
            }
        }
        if let (true, Some(limit)) = (fit.wrap, width) {
            let limit = u16::try_from(limit).unwrap_or(u16::MAX);
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(limit);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan for columns that cannot be stacked.
    fn plain(
        widths: &[usize],
        label: usize,
        optional: &[usize],
        wrap: &[usize],
        limit: usize,
    ) -> Fit {
        let columns = Columns {
            widths,
            stacked: widths,
            label,
            optional,
            late: &[],
            wrappable: wrap,
        };
        plan(&columns, limit)
    }

    // KPI, Period, Value, Previous, Δ, Status, Trend: 96 characters in all.
    const RUN: [usize; 7] = [20, 10, 9, 9, 12, 7, 7];

    #[test]
    fn a_table_that_fits_is_left_alone() {
        assert_eq!(table_width(&RUN, &[]), 96);
        let fit = plain(&RUN, 0, &[6, 3], &[], 96);
        assert_eq!(
            fit,
            Fit {
                dropped: vec![],
                stack: false,
                label_max: None,
                wrap: false
            }
        );
    }

    #[test]
    fn the_trend_goes_first_then_the_previous_value() {
        assert_eq!(plain(&RUN, 0, &[6, 3], &[], 95).dropped, vec![6]);
        assert_eq!(plain(&RUN, 0, &[6, 3], &[], 86).dropped, vec![6]);
        let fit = plain(&RUN, 0, &[6, 3], &[], 85);
        assert_eq!(
            fit,
            Fit {
                dropped: vec![6, 3],
                stack: false,
                label_max: None,
                wrap: false
            }
        );
    }

    #[test]
    fn names_are_cut_once_nothing_else_can_go() {
        // Without Trend and Previous: 74; 70 leaves 16 characters for names.
        let fit = plain(&RUN, 0, &[6, 3], &[], 70);
        assert_eq!(
            fit,
            Fit {
                dropped: vec![6, 3],
                stack: false,
                label_max: Some(16),
                wrap: false
            }
        );
        // Never shorter than LABEL_MIN, even when the table then overflows.
        assert_eq!(plain(&RUN, 0, &[6, 3], &[], 40).label_max, Some(LABEL_MIN));
    }

    #[test]
    fn text_wraps_before_names_are_cut() {
        // Status, KPI, Why (40 wide): 76 characters.
        let widths = [6, 20, 40];
        let fit = plain(&widths, 1, &[], &[2], 60);
        assert_eq!(
            fit,
            Fit {
                dropped: vec![],
                stack: false,
                label_max: None,
                wrap: true
            }
        );
        // Why squeezed to WRAP_MIN: 52 characters, so no cut at 52; at 48 the name loses 4,
        // at 40 it would lose 12 and is kept at LABEL_MIN.
        assert_eq!(plain(&widths, 1, &[], &[2], 52).label_max, None);
        assert_eq!(plain(&widths, 1, &[], &[2], 48).label_max, Some(16));
        assert_eq!(plain(&widths, 1, &[], &[2], 40).label_max, Some(LABEL_MIN));
    }

    #[test]
    fn periods_to_date_are_stacked_after_columns_go_and_before_text_wraps() {
        // Status, KPI, Period (24, or 15 stacked), Why (30): 93 characters, 84 stacked.
        let (widths, stacked) = ([6, 20, 24, 30], [6, 20, 15, 30]);
        let columns = |optional: &'static [usize]| Columns {
            widths: &widths,
            stacked: &stacked,
            label: 1,
            optional,
            late: &[],
            wrappable: &[3],
        };
        assert!(!plan(&columns(&[]), 93).stack);
        let fit = plan(&columns(&[]), 84);
        assert_eq!((fit.stack, fit.wrap), (true, false));
        // A column that may go goes first.
        let fit = plan(&columns(&[3]), 84);
        assert_eq!((fit.dropped, fit.stack), (vec![3], false));
        assert!(plan(&columns(&[]), 83).wrap);
    }

    #[test]
    fn late_columns_go_only_when_wrapping_is_not_enough() {
        // Status, KPI, Δ (20), Why (40, 16 wrapped): 99 characters, 75 wrapped.
        let widths = [6, 20, 20, 40];
        let columns = Columns {
            widths: &widths,
            stacked: &widths,
            label: 1,
            optional: &[],
            late: &[2],
            wrappable: &[3],
        };
        let fit = plan(&columns, 75);
        assert_eq!((fit.dropped.len(), fit.wrap), (0, true));
        let fit = plan(&columns, 74);
        assert_eq!(
            (fit.dropped, fit.label_max, fit.wrap),
            (vec![2], None, true)
        );
        assert_eq!(plan(&columns, 40).label_max, Some(LABEL_MIN));
        // A long name is cut to LABEL_KEEP before the late column goes.
        let widths = [6, 40, 20, 16];
        let columns = Columns {
            widths: &widths,
            stacked: &widths,
            ..columns
        };
        let fit = plan(&columns, 80);
        assert_eq!((fit.dropped.len(), fit.label_max), (0, Some(25)));
        let fit = plan(&columns, 70);
        assert_eq!((fit.dropped, fit.label_max), (vec![2], Some(38)));
    }

    #[test]
    fn stacking_moves_the_parenthesis_onto_a_second_line() {
        assert_eq!(
            stacked("2026-W47 (to 2026-11-22)"),
            "2026-W47\n(to 2026-11-22)"
        );
        assert_eq!(cell_width(&stacked("2026-W47 (to 2026-11-22)")), 15);
        assert_eq!(stacked("2026-10"), "2026-10");
    }

    #[test]
    fn truncation_counts_characters_and_ends_with_an_ellipsis() {
        assert_eq!(truncate("Revenue won", 20), "Revenue won");
        assert_eq!(truncate("Revenue won", 8), "Revenue…");
        assert_eq!(truncate("région=Île", 5), "régi…");
    }

    #[test]
    fn prose_wraps_at_spaces() {
        let text = "~ within noise: the move is not significant\n";
        assert_eq!(wrap_prose(text, None), text);
        assert_eq!(wrap_prose(text, Some(80)), text);
        let wrapped = wrap_prose(text, Some(20));
        assert_eq!(
            wrapped,
            "~ within noise: the\n  move is not\n  significant\n"
        );
        assert!(wrapped.lines().all(|l| l.chars().count() <= 20));
        assert_eq!(
            wrap_indented("    a = count_if(stage = 'Won') / 12", Some(24)),
            "    a = count_if(stage =\n      'Won') / 12\n"
        );
        assert_eq!(wrap_indented("  one", Some(2)), "  one\n");
    }

    #[test]
    fn the_footnote_names_what_was_left_out() {
        assert_eq!(footnote(&[], 80), None);
        let two = footnote(&names(&["Trend", "Previous"]), 100).unwrap();
        assert_eq!(
            two,
            "(fitted to 100 columns: Trend and Previous left out; --width 0 shows every column)\n"
        );
        let one = footnote(&names(&["Trend"]), 100).unwrap();
        assert!(one.contains(": Trend left out;"), "{one}");
    }
}
