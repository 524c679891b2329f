//! A small modal form: labelled text, masked and choice fields. What the
//! form *means* is its owner's business: the form carries the pane that
//! opened it and that pane's own kind value (`Box<dyn Any>`), and the pane
//! turns it into a command (`Pane::submit`), so this file knows no pane.

use crate::tui::input::TextInput;
use crate::tui::panes::PaneId;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::any::Any;

pub enum FieldInput {
    Text(TextInput),
    Choice { options: Vec<&'static str>, idx: usize },
}

pub struct Field {
    pub label: String,
    pub input: FieldInput,
}

impl Field {
    pub fn text(label: &str) -> Field {
        Field { label: label.into(), input: FieldInput::Text(TextInput::default()) }
    }
    pub fn masked(label: &str) -> Field {
        Field { label: label.into(), input: FieldInput::Text(TextInput::masked()) }
    }
    pub fn choice(label: &str, options: Vec<&'static str>) -> Field {
        Field { label: label.into(), input: FieldInput::Choice { options, idx: 0 } }
    }
    /// A plain field that opens with `value` in it (selected, see [`Form`]).
    pub fn filled(label: &str, value: &str) -> Field {
        Field { label: label.into(), input: FieldInput::Text(TextInput::with_text(value)) }
    }
}

/// Who turns the submitted form into a command.
pub enum Owner {
    Pane(PaneId),
    /// Secret arguments of a palette command, prompted instead of typed.
    Palette { json: serde_json::Map<String, serde_json::Value> },
}

pub struct Form {
    pub title: String,
    pub owner: Owner,
    /// The owner's own description of the form (read back with [`Form::kind`]).
    kind: Box<dyn Any>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// A line under the title (what happens on submit).
    pub intro: Option<String>,
    /// The focused field's text is selected: it was there when the field
    /// got focus (pre-filled, or kept after an error), and the first
    /// character typed replaces it, as in any dialog (`90` then `0` is `0`).
    pub selected: bool,
}

pub enum FormSignal {
    Submit,
    Cancel,
    Edited,
}

impl Form {
    /// A form of pane `owner`; `kind` says which of its forms this is.
    pub fn new<K: Any>(title: &str, owner: PaneId, kind: K, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            owner: Owner::Pane(owner),
            kind: Box::new(kind),
            fields,
            focus: 0,
            error: None,
            intro: None,
            selected: true,
        }
    }

    /// The masked prompt for a palette line's secret arguments.
    pub fn palette(title: &str, json: serde_json::Map<String, serde_json::Value>, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            owner: Owner::Palette { json },
            kind: Box::new(()),
            fields,
            focus: 0,
            error: None,
            intro: None,
            selected: true,
        }
    }

    /// The owner's kind value, if it is a `K`.
    pub fn kind<K: Any>(&self) -> Option<&K> {
        self.kind.downcast_ref()
    }

    pub fn intro(mut self, text: &str) -> Form {
        self.intro = Some(text.into());
        self
    }

    /// Empty every masked field and focus the first one: a form shown again
    /// after a failure must be retyped, never kept in memory longer.
    pub fn clear_masked(&mut self) {
        let mut first = None;
        for (i, field) in self.fields.iter_mut().enumerate() {
            if let FieldInput::Text(t) = &mut field.input
                && t.masked
            {
                t.clear();
                first.get_or_insert(i);
            }
        }
        if let Some(i) = first {
            self.focus = i;
        }
    }

    /// Put focus on field `i` (the one an error is about) with its text
    /// selected, and hand back the message for `Err(…)`.
    pub fn fault(&mut self, i: usize, message: impl Into<String>) -> String {
        if i < self.fields.len() {
            self.focus = i;
            self.selected = true;
        }
        message.into()
    }

    /// Focus the field an error message names (`missing field `name``,
    /// `invalid days "x"`), if any: the labels of palette forms are the
    /// argument names, so serde's and the engine's messages point at one.
    pub fn fault_named(&mut self, message: &str) {
        let words: Vec<&str> =
            message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
        let hit = self.fields.iter().position(|f| {
            let key = f.label.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            !key.is_empty() && words.iter().any(|w| w.eq_ignore_ascii_case(&key))
        });
        if let Some(i) = hit {
            self.focus = i;
            self.selected = true;
        }
    }

    pub fn input_mut(&mut self, i: usize) -> Option<&mut TextInput> {
        match self.fields.get_mut(i).map(|f| &mut f.input) {
            Some(FieldInput::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The text of a plain (unmasked) field, trimmed.
    pub fn value(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.input) {
            Some(FieldInput::Text(t)) if !t.masked => t.text().trim().to_string(),
            Some(FieldInput::Choice { options, idx }) => options.get(*idx).copied().unwrap_or("").to_string(),
            _ => String::new(),
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormSignal {
        let n = self.fields.len();
        let selected = std::mem::replace(&mut self.selected, false);
        match key.code {
            KeyCode::Esc => return FormSignal::Cancel,
            KeyCode::Enter if self.focus + 1 >= n => {
                self.selected = selected;
                return FormSignal::Submit;
            }
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % n.max(1);
                self.selected = true;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + n.max(1) - 1) % n.max(1);
                self.selected = true;
            }
            _ => match self.fields.get_mut(self.focus).map(|f| &mut f.input) {
                Some(FieldInput::Text(t)) => {
                    // Typing over a selection replaces it; Backspace or
                    // Delete removes it; a cursor key just deselects.
                    let replaces = matches!(key.code, KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete)
                        && !key.modifiers.intersects(crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT);
                    if selected && replaces && !t.is_empty() {
                        t.clear();
                        if matches!(key.code, KeyCode::Backspace | KeyCode::Delete) {
                            return FormSignal::Edited;
                        }
                    }
                    t.handle(key);
                }
                Some(FieldInput::Choice { options, idx }) => match key.code {
                    KeyCode::Left | KeyCode::Char('h') => *idx = (*idx + options.len() - 1) % options.len().max(1),
                    KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => {
                        *idx = (*idx + 1) % options.len().max(1)
                    }
                    _ => {}
                },
                None => {}
            },
        }
        FormSignal::Edited
    }

    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let mut lines = Vec::new();
        if let Some(intro) = &self.intro {
            lines.push(Line::styled(intro.clone(), theme.muted()));
            lines.push(Line::default());
        }
        for (i, field) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            let label_style = if focused { theme.fg(theme.accent) } else { theme.muted() };
            lines.push(Line::styled(format!("{}:", field.label), label_style));
            let mut line = match &field.input {
                FieldInput::Text(t) if focused && self.selected && !t.is_empty() => {
                    let mut l = t.line(theme.input(), false);
                    for s in &mut l.spans {
                        s.style = theme.selected();
                    }
                    l
                }
                FieldInput::Text(t) => t.line(theme.input(), focused),
                FieldInput::Choice { options, idx } => Line::from(
                    options
                        .iter()
                        .enumerate()
                        .flat_map(|(j, o)| {
                            let style = if j == *idx { theme.selected() } else { theme.muted() };
                            [Span::styled(format!(" {o} "), style), Span::raw(" ")]
                        })
                        .collect::<Vec<_>>(),
                ),
            };
            // A visible gutter marks each input (and keeps the wrapper from
            // folding a whitespace-only line of an empty field into two rows).
            line.spans.retain(|s| !s.content.is_empty());
            let gutter = if focused { theme.fg(theme.accent) } else { theme.muted() };
            line.spans.insert(0, Span::styled("▌ ", gutter));
            lines.push(line);
        }
        lines.push(Line::default());
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), theme.fg(theme.error)));
        }
        lines.push(Line::styled("Enter next/submit · Tab/↑↓ move · ←→ choose · Esc cancel", theme.muted()));
        // The intro and an error wrap; the fields, choices and hint set the width.
        let skip = usize::from(self.intro.is_some()) * 2;
        let sizing = lines[skip..].iter().filter(|l| self.error.as_ref().is_none_or(|e| l.to_string() != *e));
        let longest = sizing.map(Line::width).max().unwrap_or(0);
        let rect = fit(area, &self.title, longest, &lines);
        let inner = popup::frame_popup(f, rect, &self.title, theme, theme.border_focus);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).style(theme.base()), inner);
    }
}

/// The popup a form needs: as wide as its longest line (choices, a long
/// label, the hint) within the screen, and as tall as its lines once
/// wrapped at that width, so nothing is cut and short forms stay small.
fn fit(area: Rect, title: &str, longest: usize, lines: &[Line]) -> Rect {
    let longest = longest.max(title.chars().count() + 4);
    let width = (longest as u16).saturating_add(4).clamp(48, 100).min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    // Word wrapping can leave a row a few cells short; one spare row per
    // long line covers that.
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner) + usize::from(l.width() > inner)).sum();
    popup::centered(area, width, (rows as u16).saturating_add(2))
}
