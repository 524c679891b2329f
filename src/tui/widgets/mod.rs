//! Small drawing helpers shared by panes and overlays.

pub mod list;
pub mod popup;

use crate::tui::theme::Theme;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

/// The frame every pane draws in: rounded border, title, theme colours.
pub fn pane_block<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(title)
        .title_style(theme.title())
        .style(theme.base())
}

/// At most `max` of `rows` (each at most `width` wide); when some are left
/// out, the last kept row ends with `pointer` (" … m shows it all"), so a
/// cut message says where to read the rest. The status area and the
/// palette's error line share it.
pub fn clip_rows(mut rows: Vec<String>, max: usize, width: usize, pointer: &str) -> Vec<String> {
    if rows.len() > max {
        rows.truncate(max);
        let keep = width.saturating_sub(pointer.chars().count());
        if let Some(last) = rows.last_mut() {
            *last = last.chars().take(keep).collect::<String>() + pointer;
        }
    }
    rows
}

/// Greedy word wrap of `text` into rows of at most `width` characters; a
/// word longer than a row is cut across rows rather than lost. Used where
/// the row count must be known before drawing (the status area, help,
/// the messages log), which ratatui's own wrapping does not tell.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let sep = usize::from(cur_len > 0);
        if cur_len + sep + word.len() > width && cur_len > 0 {
            rows.push(std::mem::take(&mut cur));
            cur_len = 0;
        } else if sep == 1 {
            cur.push(' ');
            cur_len += 1;
        }
        while word.len() > width - cur_len {
            let rest = word.split_off(width - cur_len);
            cur.extend(word);
            rows.push(std::mem::take(&mut cur));
            cur_len = 0;
            word = rest;
        }
        cur_len += word.len();
        cur.extend(word);
    }
    rows.push(cur);
    rows
}

/// `1 secret`, `3 secrets`: a count with its noun, never `secret(s)`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A hint line that fits `width`: the hints (`key label` pairs) are joined
/// with two spaces and the ones that do not fit are left out whole, never
/// cut mid-word; `?` help lists every key.
pub fn hint_line(hints: &[(String, &str)], width: u16) -> String {
    let mut out = String::new();
    for (key, label) in hints {
        let hint = if key.is_empty() { label.to_string() } else { format!("{key} {label}") };
        let sep = if out.is_empty() { 0 } else { 2 };
        if out.chars().count() + sep + hint.chars().count() > usize::from(width) {
            continue;
        }
        if sep > 0 {
            out.push_str("  ");
        }
        out.push_str(&hint);
    }
    out
}

/// [`hint_line`] for a hint already joined with two spaces.
pub fn fit_hint(text: &str, width: u16) -> String {
    let parts: Vec<(String, &str)> = text.split("  ").filter(|h| !h.is_empty()).map(|h| (String::new(), h)).collect();
    hint_line(&parts, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_character_and_fits() {
        let text = "wled_add: WLED at 127.0.0.1:9 did not answer: connection refused (is it on?)";
        let rows = wrap(text, 20);
        assert!(rows.iter().all(|r| r.chars().count() <= 20), "{rows:?}");
        assert_eq!(rows.join(" "), text);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn hints_drop_whole_entries() {
        let hints = vec![("a".to_string(), "add"), ("c".to_string(), "check"), ("x".to_string(), "cancel")];
        assert_eq!(hint_line(&hints, 14), "a add  c check");
        assert_eq!(hint_line(&hints, 12), "a add");
        assert_eq!(hint_line(&hints, 80), "a add  c check  x cancel");
        assert_eq!(fit_hint("↵ open  a new  c check", 15), "↵ open  a new");
        assert_eq!((count(1u64, "entry", "entries"), count(9u64, "entry", "entries")), ("1 entry".into(), "9 entries".into()));
    }
}
