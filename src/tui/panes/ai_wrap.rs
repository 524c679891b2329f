//! Word wrap of styled text by display width (a CJK character takes two
//! columns). The Markdown renderer and the proposal card need the row count
//! before drawing, to scroll the transcript by line, which ratatui's own
//! `Wrap` does not tell; the text is kept as `(char, Style)` so a bold word
//! split across a row stays bold on both halves.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Text with a style per character.
pub type Styled = Vec<(char, Style)>;

pub fn width_of(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest prefix of `s` at most `width` columns wide.
pub fn cut(s: &str, width: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += char_width(*c);
            used <= width
        })
        .collect()
}

pub fn styled(s: &str, style: Style) -> Styled {
    s.chars().map(|c| (c, style)).collect()
}

/// Merge runs of one style into spans.
pub fn spans(text: &[(char, Style)]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut style = None;
    for &(c, s) in text {
        if style.is_some_and(|st| st != s) {
            out.push(Span::styled(std::mem::take(&mut run), style.unwrap_or_default()));
        }
        style = Some(s);
        run.push(c);
    }
    if !run.is_empty() {
        out.push(Span::styled(run, style.unwrap_or_default()));
    }
    out
}

/// Greedy wrap at `width` columns. Spaces separate words; a word wider than
/// a row is cut across rows rather than lost; a space at a break is dropped.
/// Always at least one row.
pub fn wrap_styled(text: &[(char, Style)], width: usize) -> Vec<Vec<Span<'static>>> {
    let width = width.max(1);
    let mut rows: Vec<Styled> = Vec::new();
    let mut cur: Styled = Vec::new();
    let mut cur_w = 0;
    for word in text.split(|(c, _)| *c == ' ' || *c == '\n') {
        let word_w: usize = word.iter().map(|(c, _)| char_width(*c)).sum();
        let space = usize::from(!cur.is_empty());
        if !cur.is_empty() && cur_w + space + word_w > width {
            rows.push(std::mem::take(&mut cur));
            cur_w = 0;
        } else if space == 1 {
            // The space keeps the style of the word before it.
            let style = cur.last().map(|(_, s)| *s).unwrap_or_default();
            cur.push((' ', style));
            cur_w += 1;
        }
        for &(c, s) in word {
            let w = char_width(c);
            if cur_w + w > width && !cur.is_empty() {
                rows.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push((c, s));
            cur_w += w;
        }
    }
    rows.push(cur);
    rows.iter().map(|r| spans(r)).collect()
}

/// [`wrap_styled`] for plain text, as strings (table cells, card fields).
pub fn wrap_plain(text: &str, width: usize) -> Vec<String> {
    wrap_styled(&styled(text, Style::default()), width)
        .into_iter()
        .map(|row| row.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(wrap_plain("abc def ghi", 7), ["abc def", "ghi"]);
        assert_eq!(wrap_plain("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_plain("日本語テキスト", 6), ["日本語", "テキス", "ト"]);
        assert_eq!(wrap_plain("", 5), [""]);
        assert_eq!(cut("日本語", 5), "日本");
    }

    #[test]
    fn keeps_styles_across_a_break() {
        let bold = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let mut t = styled("see ", Style::default());
        t.extend(styled("important words", bold));
        let rows = wrap_styled(&t, 15);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][0].content, "words");
        assert_eq!(rows[1][0].style, bold);
    }
}
