//! The request box: a tui-textarea with a history of what was sent. Up on
//! the first line goes back through the history, Down on the last comes
//! forward (and finally back to the draft being typed), as in a shell;
//! Alt-Enter or Ctrl-J starts a new line; Enter sends.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::{CursorMove, TextArea};

/// Requests kept for Up/Down.
const HISTORY: usize = 100;

/// What a key in the box asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum InputStep {
    /// Edited (or nothing to do).
    Edited,
    /// Enter with text: send it.
    Send(String),
}

pub struct Input {
    pub area: TextArea<'static>,
    history: Vec<String>,
    /// Where Up/Down are in the history (`None`: at the draft).
    pos: Option<usize>,
    draft: String,
}

impl Default for Input {
    fn default() -> Self {
        Input { area: fresh(), history: Vec::new(), pos: None, draft: String::new() }
    }
}

fn fresh() -> TextArea<'static> {
    let mut a = TextArea::default();
    a.set_cursor_line_style(Style::default());
    a
}

impl Input {
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn set_text(&mut self, text: &str) {
        self.area = fresh();
        self.area.insert_str(text);
    }

    pub fn is_empty(&self) -> bool {
        self.area.lines().iter().all(|l| l.trim().is_empty())
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Rows the box needs (1 to 5).
    pub fn rows(&self) -> u16 {
        u16::try_from(self.area.lines().len().clamp(1, 5)).unwrap_or(5)
    }

    pub fn key(&mut self, key: KeyEvent) -> InputStep {
        let (row, _) = self.area.cursor();
        let last_row = self.area.lines().len().saturating_sub(1);
        let newline = key.modifiers.intersects(KeyModifiers::ALT | KeyModifiers::SHIFT)
            || (key.code == KeyCode::Char('j') && key.modifiers.contains(KeyModifiers::CONTROL));
        match key.code {
            KeyCode::Enter | KeyCode::Char('j') if newline => {
                self.area.insert_newline();
            }
            KeyCode::Enter => {
                if self.is_empty() {
                    return InputStep::Edited;
                }
                let text = self.text().trim().to_string();
                if self.history.last() != Some(&text) {
                    self.history.push(text.clone());
                }
                if self.history.len() > HISTORY {
                    self.history.remove(0);
                }
                self.pos = None;
                self.draft.clear();
                self.area = fresh();
                return InputStep::Send(text);
            }
            KeyCode::Up if row == 0 && !self.history.is_empty() => {
                let pos = match self.pos {
                    None => {
                        self.draft = self.text();
                        self.history.len() - 1
                    }
                    Some(p) => p.saturating_sub(1),
                };
                self.pos = Some(pos);
                let text = self.history[pos].clone();
                self.set_text(&text);
            }
            KeyCode::Down if row == last_row && self.pos.is_some() => {
                let next = self.pos.map(|p| p + 1).filter(|p| *p < self.history.len());
                self.pos = next;
                let text = match next {
                    Some(p) => self.history[p].clone(),
                    None => std::mem::take(&mut self.draft),
                };
                self.set_text(&text);
            }
            _ => {
                self.area.input(key);
            }
        }
        InputStep::Edited
    }

    /// Put the cursor at the end (after filling the box).
    pub fn to_end(&mut self) {
        self.area.move_cursor(CursorMove::Bottom);
        self.area.move_cursor(CursorMove::End);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typ(i: &mut Input, s: &str) {
        for c in s.chars() {
            i.key(k(KeyCode::Char(c)));
        }
    }

    #[test]
    fn enter_sends_and_up_down_walk_the_history() {
        let mut i = Input::default();
        assert_eq!(i.key(k(KeyCode::Enter)), InputStep::Edited, "an empty box sends nothing");
        typ(&mut i, "turn porch off");
        assert_eq!(i.key(k(KeyCode::Enter)), InputStep::Send("turn porch off".into()));
        typ(&mut i, "back up nodered");
        i.key(k(KeyCode::Enter));
        typ(&mut i, "draft");
        i.key(k(KeyCode::Up));
        assert_eq!(i.text(), "back up nodered");
        i.key(k(KeyCode::Up));
        i.key(k(KeyCode::Up));
        assert_eq!(i.text(), "turn porch off");
        i.key(k(KeyCode::Down));
        assert_eq!(i.text(), "back up nodered");
        i.key(k(KeyCode::Down));
        assert_eq!(i.text(), "draft");
        assert_eq!(i.history(), ["turn porch off", "back up nodered"]);
    }

    #[test]
    fn alt_enter_makes_a_second_line() {
        let mut i = Input::default();
        typ(&mut i, "a");
        i.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
        typ(&mut i, "b");
        assert_eq!(i.text(), "a\nb");
        assert_eq!(i.rows(), 2);
    }
}
