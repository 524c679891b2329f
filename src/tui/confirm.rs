//! The yes/no dialog every destructive key and dangerous command goes
//! through. It carries what to do on "yes" as data, so the dialog itself
//! never touches the engine.

use crate::engine::Command;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub enum OnYes {
    Run(Box<Command>),
    /// Run `yes` on yes; on no, run `no` — for a "no" that must be
    /// recorded, like a restore declined after its preview (audited as
    /// `declined`, so the log never reads as if nothing was asked).
    RunOrRecord { yes: Box<Command>, no: Box<Command> },
    Quit,
}

pub struct Confirm {
    pub title: String,
    pub message: String,
    pub on_yes: OnYes,
}

pub enum Answer {
    Yes,
    No,
    Undecided,
}

impl Confirm {
    pub fn handle(&self, key: &KeyEvent) -> Answer {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Answer::Yes,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Answer::No,
            _ => Answer::Undecided,
        }
    }

    /// `low`: sit at the top of `area`, over the list, leaving what the
    /// question is about (a restore's change list, drawn below the list)
    /// readable and scrollable.
    pub fn render(&self, f: &mut Frame, area: Rect, theme: &Theme, low: bool) {
        let mut rect = popup::centered(area, 60, 8);
        if low {
            rect.width = area.width.saturating_sub(4).min(76);
            rect.x = area.x + (area.width - rect.width) / 2;
            rect.height = rect.height.min(7);
            rect.y = area.y + 1;
        }
        let inner = popup::frame_popup(f, rect, &self.title, theme, theme.warn);
        let text = vec![
            Line::from(self.message.clone()),
            Line::default(),
            Line::from(vec![
                Span::styled("y", theme.fg(theme.warn)),
                Span::raw(" yes    "),
                Span::styled("n", theme.fg(theme.ok)),
                Span::raw("/"),
                Span::styled("Esc", theme.fg(theme.ok)),
                Span::raw(" no"),
            ]),
        ];
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }).style(theme.base()), inner);
    }
}
