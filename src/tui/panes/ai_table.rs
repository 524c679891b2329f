//! A Markdown table at a given width: each column as wide as its widest
//! cell, the widest columns shrunk first when the row does not fit, cells
//! wrapped inside their column (a row grows as tall as its tallest cell),
//! the header underlined by a rule. A model's "which servers are low on
//! disk?" answer is usually one of these, so it must stay readable at 80
//! columns rather than being cut at the edge.

use super::ai_markdown::MdStyle;
use super::ai_wrap::{Styled, spans, wrap_styled};
use pulldown_cmark::Alignment;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

const SEP: &str = " │ ";

fn cell_width(cell: &Styled) -> usize {
    cell.iter().map(|(c, _)| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0)).sum()
}

/// Column widths that fit `width` (never below 3 columns each).
fn widths(rows: &[Vec<Styled>], cols: usize, width: usize) -> Vec<usize> {
    let mut w = vec![1usize; cols];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            w[i] = w[i].max(cell_width(cell));
        }
    }
    // Each separator takes three columns (` │ `).
    let room = width.saturating_sub(3 * cols.saturating_sub(1)).max(3 * cols);
    while w.iter().sum::<usize>() > room {
        let Some((i, _)) = w.iter().enumerate().max_by_key(|(_, v)| **v) else { break };
        if w[i] <= 3 {
            break;
        }
        w[i] -= 1;
    }
    w
}

pub fn render(rows: &[Vec<Styled>], align: &[Alignment], head_rows: usize, width: usize, st: &MdStyle) -> Vec<Line<'static>> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0).max(align.len());
    if cols == 0 {
        return Vec::new();
    }
    let w = widths(rows, cols, width);
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let head = r < head_rows;
        let cells: Vec<Vec<Vec<Span<'static>>>> = (0..cols)
            .map(|i| {
                let cell = row.get(i).cloned().unwrap_or_default();
                let cell: Styled = if head { cell.into_iter().map(|(c, s)| (c, s.add_modifier(Modifier::BOLD))).collect() } else { cell };
                wrap_styled(&cell, w[i])
            })
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let mut line = Vec::new();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    line.push(Span::styled(SEP, st.muted));
                }
                let part = cell.get(k).cloned().unwrap_or_default();
                let used: usize = part.iter().map(|s| s.width()).sum();
                let pad = w[i].saturating_sub(used);
                let (left, right) = match align.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                if left > 0 {
                    line.push(Span::raw(" ".repeat(left)));
                }
                line.extend(part);
                // The last column needs no trailing padding.
                if right > 0 && i + 1 < cols {
                    line.push(Span::raw(" ".repeat(right)));
                }
            }
            out.push(Line::from(line));
        }
        if head && r + 1 == head_rows {
            let rule: Vec<String> = w.iter().map(|n| "─".repeat(*n)).collect();
            out.push(Line::from(spans(&super::ai_wrap::styled(&rule.join("─┼─"), st.muted))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ai_markdown::{MdStyle, render as md};
    use crate::tui::theme::Theme;

    fn plain(md_text: &str, width: u16) -> Vec<String> {
        md(md_text, width, &MdStyle::from_theme(&Theme::default()))
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
            .collect()
    }

    #[test]
    fn a_table_that_fits_is_aligned_with_a_header_rule() {
        let t = plain("| server | disk free |\n|---|---:|\n| nas | 12 % |\n| pi4 | 3 % |", 80);
        assert_eq!(t, ["server │ disk free", "───────┼──────────", "nas    │      12 %", "pi4    │       3 %"]);
    }

    #[test]
    fn a_wide_table_is_shrunk_and_its_cells_wrapped() {
        let t = plain("| name | note |\n|---|---|\n| nas | the disk is nearly full and should be cleaned soon |", 30);
        assert!(t.iter().all(|l| super::super::ai_wrap::width_of(l) <= 30), "{t:?}");
        assert!(t.len() > 3, "{t:?}");
        assert!(t.join(" ").contains("cleaned"), "{t:?}");
    }
}
