//! The `:` command palette: fuzzy search over the engine's one table of verbs
//! and a tiny argument syntax (`name key=value key2="quoted value"`). Arguments
//! become a JSON object that serde turns into a [`Command`], so the palette
//! accepts exactly what the engine accepts and shows serde's own error when
//! it does not. Secret arguments are never typed here: they are prompted for
//! in a masked form.

use crate::engine::command_parse;
use crate::engine::{COMMANDS, Command, CommandSpec, Permission};
use crate::tui::input::TextInput;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::{Map, Value};

#[derive(Default)]
pub struct Palette {
    pub input: TextInput,
    /// Index into the fuzzy matches.
    pub selected: usize,
    /// Position while walking the history with Up/Down.
    pub history_pos: Option<usize>,
    pub error: Option<String>,
    /// Said where a long error is cut: the key of the messages log, which
    /// keeps it whole (set with the error, from the keymap).
    pub more: String,
}

/// A parsed line still missing its secret arguments.
pub struct Parsed {
    pub spec: &'static CommandSpec,
    pub json: Map<String, Value>,
}

impl Parsed {
    pub fn secret_args(&self) -> Vec<&'static str> {
        self.spec.args.iter().filter(|a| a.secret()).map(|a| a.name).collect()
    }
}

impl Palette {
    /// The command name typed so far (the first word).
    fn head(&self) -> &str {
        self.input.text().split_whitespace().next().unwrap_or("")
    }

    /// Table rows matching the first word, best first.
    pub fn matches(&self) -> Vec<&'static CommandSpec> {
        let head = self.head();
        if head.is_empty() {
            return COMMANDS.iter().collect();
        }
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(head, CaseMatching::Ignore, Normalization::Smart);
        let mut scored = pattern.match_list(COMMANDS.iter().map(|s| s.name), &mut matcher);
        scored.sort_by_key(|s| std::cmp::Reverse(s.1));
        scored.into_iter().filter_map(|(name, _)| crate::engine::command::spec(name)).collect()
    }

    /// Replace the first word with the selected match (Tab).
    pub fn complete(&mut self) {
        let matches = self.matches();
        if let Some(spec) = matches.get(self.selected.min(matches.len().saturating_sub(1))) {
            let rest: String = self.input.text().split_once(' ').map(|(_, r)| r.to_string()).unwrap_or_default();
            let sep = if spec.args.is_empty() && rest.is_empty() { "" } else { " " };
            self.input.set(&format!("{}{sep}{rest}", spec.name));
            self.selected = 0;
        }
    }

    /// Walk the history: `older` goes back in time.
    pub fn walk_history(&mut self, history: &[String], older: bool) {
        if history.is_empty() {
            return;
        }
        let pos = match (self.history_pos, older) {
            (None, true) => Some(history.len() - 1),
            (None, false) => None,
            (Some(p), true) => Some(p.saturating_sub(1)),
            (Some(p), false) if p + 1 < history.len() => Some(p + 1),
            (Some(_), false) => None,
        };
        self.history_pos = pos;
        self.input.set(pos.and_then(|p| history.get(p)).map(String::as_str).unwrap_or(""));
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let rect = popup::centered(area, 96, 18);
        let inner = popup::frame_popup(f, rect, "Command", theme, theme.border_focus);
        // An error wraps (up to three rows) instead of running off the
        // edge at 80 columns; the messages log (`m`) keeps it whole.
        let width = usize::from(inner.width.max(1));
        let err_lines = self
            .error
            .as_deref()
            .map(|e| crate::tui::widgets::clip_rows(crate::tui::widgets::wrap(e, width), 3, width, &self.more))
            .unwrap_or_default();
        let err_rows = u16::try_from(err_lines.len().clamp(1, 3)).unwrap_or(1);
        let [input_area, err_area, list_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(err_rows), Constraint::Min(0)]).areas(inner);
        let mut line = self.input.line(theme.input(), true);
        line.spans.insert(0, Span::styled(":", theme.fg(theme.accent)));
        f.render_widget(Paragraph::new(line), input_area);
        if !err_lines.is_empty() {
            let lines: Vec<Line> = err_lines.into_iter().map(|l| Line::styled(l, theme.fg(theme.error))).collect();
            f.render_widget(Paragraph::new(lines), err_area);
        }
        let matches = self.matches();
        // As wide as the longest name, so a name never runs into its class.
        let name_w = COMMANDS.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let mut lines = Vec::new();
        let offset = self.selected.saturating_sub(usize::from(list_area.height).saturating_sub(2));
        for (i, spec) in matches.iter().enumerate().skip(offset) {
            let class_color = match spec.class {
                Permission::Read => theme.ok,
                Permission::Write => theme.warn,
                Permission::Dangerous => theme.error,
            };
            let name_style = if i == self.selected { theme.selected() } else { theme.fg(theme.fg) };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<name_w$} ", spec.name), name_style),
                Span::styled(format!("{:<10}", spec.class.as_str()), theme.fg(class_color)),
                Span::styled(spec.summary().to_string(), theme.muted()),
            ]));
            if i == self.selected {
                lines.push(Line::styled(format!("  ↳ usage: {}", spec.usage()), theme.fg(theme.accent)));
            }
        }
        if matches.is_empty() {
            lines.push(Line::styled("no command matches — Esc closes, ? shows them all", theme.muted()));
        }
        // One line per command: a long doc is cut at the edge rather than
        // wrapped, so the list keeps its shape.
        f.render_widget(Paragraph::new(lines), list_area);
    }
}

/// Parse `name key=value …` into a spec and a JSON object (without secrets).
pub fn parse(line: &str) -> Result<Parsed, String> {
    let words = command_parse::split_words(line).map_err(|e| e.to_string())?;
    let Some((name, args)) = words.split_first() else {
        return Err("type a command name (Tab completes)".into());
    };
    let spec = crate::engine::command::spec(name)
        .ok_or_else(|| format!("unknown command {name:?} — pick one from the list (Tab completes)"))?;
    let json = command_parse::args_json(spec, args).map_err(|e| e.to_string())?;
    Ok(Parsed { spec, json })
}

/// Turn a complete JSON object (secrets filled in) into a command.
pub fn build(json: Map<String, Value>) -> Result<Command, String> {
    command_parse::build(json, Vec::new()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_and_numbers() {
        let p = parse(r#"secret_set_rotation name="my key" days=30"#).unwrap();
        assert_eq!(p.json["name"], "my key");
        assert_eq!(p.json["days"], 30);
        let c = build(p.json).unwrap();
        assert_eq!(c.name(), "secret_set_rotation");
    }

    fn err(line: &str) -> String {
        parse(line).err().unwrap()
    }

    #[test]
    fn errors_are_specific() {
        assert!(err("nope").contains("\"nope\""));
        assert!(err("secret_show nam=x").contains("\"nam\""));
        assert!(err("secret_set_rotation name=a days=ten").contains("whole number"));
        assert!(err("vault_unlock passphrase=x").contains("masked"));
        assert!(err("secret_show name=\"x").contains("quote"));
        let missing = build(parse("secret_show").unwrap().json).unwrap_err();
        assert!(missing.contains("name"), "{missing}");
        let bad = build(parse("audit_search category=nope").unwrap().json).unwrap_err();
        assert!(bad.contains("nope"), "{bad}");
    }

    #[test]
    fn secret_args_are_listed_for_prompting() {
        let p = parse("vault_unlock").unwrap();
        assert_eq!(p.secret_args(), vec!["passphrase"]);
    }

    #[test]
    fn fuzzy_finds_by_fragment() {
        let mut p = Palette::default();
        p.input.set("vlock");
        assert_eq!(p.matches().first().map(|s| s.name), Some("vault_lock"));
    }
}
