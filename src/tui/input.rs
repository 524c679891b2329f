//! A one-line text input, plain or masked. Masked inputs render one bullet
//! per character and nothing else, so a passphrase or secret value can never
//! reach the screen buffer; their text is zeroized when taken or dropped.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use zeroize::Zeroize;

#[derive(Default)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
    pub masked: bool,
}

impl Drop for TextInput {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

impl TextInput {
    pub fn masked() -> Self {
        TextInput { text: String::new(), cursor: 0, masked: true }
    }

    pub fn with_text(text: &str) -> Self {
        TextInput { text: text.to_string(), cursor: text.chars().count(), masked: false }
    }

    /// Plain text. Callers must not show a masked input's text; use
    /// [`TextInput::take_secret`] for those.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn set(&mut self, text: &str) {
        self.text.zeroize();
        self.text = text.to_string();
        self.cursor = self.text.chars().count();
    }

    pub fn clear(&mut self) {
        self.set("");
    }

    /// Move the text out (leaving the input empty) without leaving a copy behind.
    pub fn take_secret(&mut self) -> crate::engine::SecretValue {
        self.cursor = 0;
        crate::engine::SecretValue::new(std::mem::take(&mut self.text))
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text.char_indices().nth(char_idx).map(|(i, _)| i).unwrap_or(self.text.len())
    }

    /// Apply an editing key; returns whether the key was an edit.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let b = self.byte_at(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && chars[start - 1] != ' ' {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            KeyCode::Char(_) if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => return false,
            KeyCode::Char(c) => {
                let b = self.byte_at(self.cursor);
                self.text.insert(b, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let b = self.byte_at(self.cursor);
                self.text.remove(b);
            }
            KeyCode::Delete if self.cursor < len => {
                let b = self.byte_at(self.cursor);
                self.text.remove(b);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// What the screen shows: the text, or one bullet per character, with
    /// the character under the cursor reversed when focused.
    pub fn line(&self, style: Style, focused: bool) -> Line<'static> {
        let chars: Vec<char> =
            if self.masked { vec!['•'; self.text.chars().count()] } else { self.text.chars().collect() };
        if !focused {
            return Line::from(Span::styled(chars.into_iter().collect::<String>(), style));
        }
        let at = self.cursor.min(chars.len());
        let before: String = chars[..at].iter().collect();
        let under: String = chars.get(at).map(|c| c.to_string()).unwrap_or_else(|| " ".into());
        let after: String = chars.get(at + 1..).map(|r| r.iter().collect()).unwrap_or_default();
        Line::from(vec![
            Span::styled(before, style),
            Span::styled(under, style.add_modifier(Modifier::REVERSED)),
            Span::styled(after, style),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn edits_and_masks() {
        let mut t = TextInput::masked();
        for c in "hunter2".chars() {
            t.handle(&k(KeyCode::Char(c)));
        }
        t.handle(&k(KeyCode::Left));
        t.handle(&k(KeyCode::Backspace));
        assert_eq!(t.text(), "hunte2");
        let line = t.line(Style::default(), false).to_string();
        assert_eq!(line, "••••••");
        assert_eq!(t.take_secret().expose(), "hunte2");
        assert!(t.is_empty());
    }
}
