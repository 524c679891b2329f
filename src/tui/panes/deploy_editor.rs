//! The config editor: a tui-textarea over a file of a deployment's config
//! dir. Ctrl-S saves through the engine (YAML checked before upload,
//! snapshot kept, HA's config check run); problems come back with line
//! numbers and the cursor jumps to the first one. Ctrl-U puts back the
//! content from before the last save. Esc closes; with unsaved changes it
//! asks for a second Esc.

use crate::engine::Command;
use crate::engine::views::deploy::ConfigCheck;
use crate::engine::views::deploy::ConfigProblem;
use crate::tui::app::View;
use crate::tui::widgets::pane_block;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use tui_textarea::{CursorMove, TextArea};

pub struct ConfigEditor {
    pub deployment: String,
    pub path: String,
    pub textarea: TextArea<'static>,
    /// The content as last read or saved (to tell unsaved changes).
    pub saved: String,
    pub problems: Vec<ConfigProblem>,
    pub message: String,
    /// Esc was pressed once with unsaved changes.
    pub confirm_close: bool,
    pub busy: bool,
}

/// What a key in the editor asks for.
pub enum EditorStep {
    None,
    Run(Box<Command>),
    Close,
}

impl ConfigEditor {
    pub fn new(deployment: &str, path: &str, content: &str, snapshots: usize) -> ConfigEditor {
        let lines: Vec<String> = content.lines().map(String::from).collect();
        let mut textarea = TextArea::new(if lines.is_empty() { vec![String::new()] } else { lines });
        textarea.set_line_number_style(ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM));
        ConfigEditor {
            deployment: deployment.into(),
            path: path.into(),
            textarea,
            saved: content.to_string(),
            problems: Vec::new(),
            message: format!("{snapshots} earlier version(s) kept · ctrl-s save · ctrl-u undo last save · esc close"),
            confirm_close: false,
            busy: false,
        }
    }

    pub fn text(&self) -> String {
        let mut t = self.textarea.lines().join("\n");
        t.push('\n');
        t
    }

    pub fn modified(&self) -> bool {
        self.text().trim_end() != self.saved.trim_end()
    }

    pub fn key(&mut self, key: KeyEvent) -> EditorStep {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc if self.modified() && !self.confirm_close => {
                self.confirm_close = true;
                self.message = "unsaved changes — esc again to discard them, ctrl-s to save".into();
                EditorStep::None
            }
            KeyCode::Esc => EditorStep::Close,
            KeyCode::Char('s') if ctrl => {
                self.busy = true;
                self.confirm_close = false;
                self.message = "saving: YAML check, snapshot, upload, Home Assistant config check …".into();
                EditorStep::Run(Box::new(Command::DeployConfigWrite {
                    name: self.deployment.clone(),
                    path: Some(self.path.clone()),
                    content: self.text(),
                    check: Some(true),
                }))
            }
            KeyCode::Char('u') if ctrl => {
                self.busy = true;
                self.message = "putting back the content from before the last save …".into();
                EditorStep::Run(Box::new(Command::DeployConfigRevert { name: self.deployment.clone(), path: Some(self.path.clone()) }))
            }
            _ => {
                self.confirm_close = false;
                self.textarea.input(key);
                EditorStep::None
            }
        }
    }

    /// The engine refused the save (YAML error): show where.
    pub fn refused(&mut self, error: String) {
        self.busy = false;
        self.message = error;
        if let Some(line) = line_in(&self.message) {
            self.jump(line);
        }
    }

    pub fn saved(&mut self, check: Option<ConfigCheck>) {
        self.busy = false;
        self.saved = self.text();
        self.problems = check.as_ref().map(|c| c.problems.clone()).unwrap_or_default();
        self.message = match &check {
            Some(c) if c.ok => "saved · Home Assistant's config check passed".into(),
            Some(c) => format!("saved · config check found {} problem(s) — fix and save again, or ctrl-u to undo", c.problems.len()),
            None => "saved".into(),
        };
        if let Some(l) = self.problems.iter().find_map(|p| p.line) {
            self.jump(l);
        }
    }

    /// Replace the text (after a revert).
    pub fn reload(&mut self, content: &str) {
        let lines: Vec<String> = content.lines().map(String::from).collect();
        let mut t = TextArea::new(if lines.is_empty() { vec![String::new()] } else { lines });
        t.set_line_number_style(ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM));
        self.textarea = t;
        self.saved = content.to_string();
    }

    fn jump(&mut self, line: u32) {
        let row = u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX);
        self.textarea.move_cursor(CursorMove::Jump(row, 0));
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let title = format!(
            " {} · {}{}{} ",
            self.deployment,
            self.path,
            if self.modified() { " · modified" } else { "" },
            if self.busy { " · working" } else { "" }
        );
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let extra = u16::try_from(self.problems.len().min(4)).unwrap_or(4);
        let [text, info] = Layout::vertical([Constraint::Min(1), Constraint::Length(2 + extra)]).areas(inner);
        self.textarea.set_line_number_style(t.muted());
        self.textarea.set_cursor_line_style(ratatui::style::Style::default());
        f.render_widget(&self.textarea, text);
        let mut lines = vec![Line::styled(self.message.clone(), if self.problems.is_empty() { t.muted() } else { t.fg(t.error) })];
        for p in self.problems.iter().take(4) {
            let at = p.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            lines.push(Line::styled(format!("{at}{}", p.message), t.fg(t.error)));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), info);
    }
}

/// `… line 12, column 3 …` in an error message.
fn line_in(msg: &str) -> Option<u32> {
    let i = msg.find("line ")?;
    msg[i + 5..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}
