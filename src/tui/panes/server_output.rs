//! The output of the newest command run: one small pane per server with
//! its output as it streams in, its exit code and duration once done.

use crate::engine::views::servers::Stream;
use crate::engine::views::servers::ExecResult;
use crate::tui::app::View;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Output kept per server; older text is dropped from the front.
const KEEP: usize = 64 * 1024;

pub struct ServerOut {
    pub name: String,
    pub text: String,
    pub result: Option<ExecResult>,
}

pub struct RunOutput {
    pub run: u64,
    pub command: String,
    pub servers: Vec<ServerOut>,
}

impl RunOutput {
    pub fn new(run: u64, command: String, names: Vec<String>) -> RunOutput {
        let servers = names.into_iter().map(|name| ServerOut { name, text: String::new(), result: None }).collect();
        RunOutput { run, command, servers }
    }

    pub fn append(&mut self, server: &str, stream: Stream, text: &str) {
        if let Some(s) = self.servers.iter_mut().find(|s| s.name == server) {
            // Both streams interleave as they arrived, like a terminal.
            let _ = stream;
            s.text.push_str(text);
            if s.text.len() > KEEP * 2 {
                let mut cut = s.text.len() - KEEP;
                while !s.text.is_char_boundary(cut) {
                    cut += 1;
                }
                s.text.drain(..cut);
            }
        }
    }

    pub fn finish(&mut self, result: ExecResult) {
        if let Some(s) = self.servers.iter_mut().find(|s| s.name == result.server) {
            s.result = Some(result);
        }
    }

    pub fn running(&self) -> bool {
        self.servers.iter().any(|s| s.result.is_none())
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let done = self.servers.iter().filter(|s| s.result.is_some()).count();
        let head = Line::from(vec![
            Span::styled(format!("run {} ", self.run), t.title()),
            Span::raw(format!("`{}` ", self.command)),
            Span::styled(format!("{done}/{} done", self.servers.len()), if self.running() { t.fg(t.warn) } else { t.fg(t.ok) }),
        ]);
        let [head_area, grid] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        f.render_widget(Paragraph::new(head), head_area);
        let n = self.servers.len().max(1);
        let cols = if n == 1 || area.width < 80 { 1 } else { 2 };
        let rows_n = n.div_ceil(cols);
        let rows = Layout::vertical(vec![Constraint::Ratio(1, rows_n as u32); rows_n]).split(grid);
        for (i, s) in self.servers.iter().enumerate() {
            let row = rows[i / cols];
            let cells = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(row);
            let cell = cells[i % cols];
            let (label, style) = match &s.result {
                None => ("running…".to_string(), t.fg(t.warn)),
                Some(r) if r.ok() => (format!("{} · {} ms", r.outcome(), r.duration_ms), t.fg(t.ok)),
                Some(r) => (format!("{} · {} ms", r.outcome(), r.duration_ms), t.fg(t.error)),
            };
            let block = pane_block(Line::from(vec![Span::raw(format!(" {} ", s.name)), Span::styled(format!("{label} "), style)]), t);
            let inner = block.inner(cell);
            let height = usize::from(inner.height);
            let lines: Vec<Line> = s.text.lines().rev().take(height).collect::<Vec<_>>().into_iter().rev().map(|l| Line::raw(l.to_string())).collect();
            f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), cell);
        }
    }
}
