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
}

pub enum FormSignal {
    Submit,
    Cancel,
    Edited,
}

impl Form {
    /// A form of pane `owner`; `kind` says which of its forms this is.
    pub fn new<K: Any>(title: &str, owner: PaneId, kind: K, fields: Vec<Field>) -> Form {
        Form { title: title.into(), owner: Owner::Pane(owner), kind: Box::new(kind), fields, focus: 0, error: None, intro: None }
    }

    /// The masked prompt for a palette line's secret arguments.
    pub fn palette(title: &str, json: serde_json::Map<String, serde_json::Value>, fields: Vec<Field>) -> Form {
        Form { title: title.into(), owner: Owner::Palette { json }, kind: Box::new(()), fields, focus: 0, error: None, intro: None }
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
        match key.code {
            KeyCode::Esc => return FormSignal::Cancel,
            KeyCode::Enter if self.focus + 1 >= n => return FormSignal::Submit,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n.max(1),
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n.max(1) - 1) % n.max(1),
            _ => match self.fields.get_mut(self.focus).map(|f| &mut f.input) {
                Some(FieldInput::Text(t)) => {
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
        // Borders plus room for the intro, error and hint to wrap once each.
        let h = lines.len() as u16 + 5;
        let rect = popup::centered(area, 64, h);
        let inner = popup::frame_popup(f, rect, &self.title, theme, theme.border_focus);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).style(theme.base()), inner);
    }
}
