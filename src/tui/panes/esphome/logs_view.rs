//! The live logs view: one or several devices, merged (with a device
//! column) or split, level filter, `/` search with highlight and n/N jumps,
//! timestamps, follow/pause, save to a file. Only the rows on screen are
//! built each frame, so a full 50,000-line scrollback draws as fast as an
//! empty one.

use super::forms;
use super::log_buffer::{Line as LogLine, LogBuffer};
use crate::engine::Command;
use crate::engine::views::esphome::ansi::Run;
use crate::engine::views::esphome::{LogLevel, LogRecord};
use crate::tui::app::{Step, View};
use crate::tui::keymap::Verb;
use crate::tui::theme::Theme;
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeMap;

pub struct LogsView {
    pub buffer: LogBuffer,
    /// The devices this view shows, in order.
    pub shown: Vec<String>,
    /// Per device: connected?, and what the stream last said.
    pub links: BTreeMap<String, (bool, String)>,
    /// Show lines at this level and more severe.
    pub level: LogLevel,
    /// `/` edits this list's filter text, used as the search term.
    pub search: ListView,
    pub follow: bool,
    /// Lines from the bottom when paused.
    pub offset: usize,
    pub split: bool,
    pub timestamps: bool,
    /// Body height last frame, for paging.
    pub page: usize,
}

impl LogsView {
    pub fn new(buffer: LogBuffer) -> LogsView {
        LogsView {
            buffer,
            shown: Vec::new(),
            links: BTreeMap::new(),
            level: LogLevel::VeryVerbose,
            search: ListView::default(),
            follow: true,
            offset: 0,
            split: false,
            timestamps: true,
            page: 10,
        }
    }

    pub fn show(&mut self, devices: Vec<String>) {
        self.shown = devices;
        self.follow = true;
        self.offset = 0;
    }

    fn keep(&self) -> impl Fn(&LogLine) -> bool + '_ {
        let level = self.level;
        move |l: &LogLine| l.level <= level
    }

    /// New lines arrived; a paused view keeps showing the same lines.
    pub fn push(&mut self, device: &str, lines: &[LogRecord]) {
        self.buffer.push(device, lines);
        if !self.follow && self.shown.iter().any(|d| d == device) {
            self.offset += lines.iter().filter(|l| l.level <= self.level).count();
        }
    }

    fn visible_total(&self) -> usize {
        let devs: Vec<&str> = self.shown.iter().map(String::as_str).collect();
        self.buffer.newest_first(&devs, self.keep()).count()
    }

    fn scroll_up(&mut self, n: usize) {
        self.follow = false;
        self.offset = (self.offset + n).min(self.visible_total().saturating_sub(1));
    }

    fn scroll_down(&mut self, n: usize) {
        self.offset = self.offset.saturating_sub(n);
        if self.offset == 0 {
            self.follow = true;
        }
    }

    /// Scroll to the next search match above (older) or below (newer).
    fn jump(&mut self, older: bool) -> Step {
        let needle = self.search.filter.text().to_ascii_lowercase();
        if needle.is_empty() {
            return Step::Status("no search: press / and type".into());
        }
        let devs: Vec<&str> = self.shown.iter().map(String::as_str).collect();
        let hits: Vec<usize> = self
            .buffer
            .newest_first(&devs, self.keep())
            .enumerate()
            .filter(|(_, (_, l))| l.styled.text.to_ascii_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        // The match line goes to the middle of the screen.
        let mid = self.page / 2;
        let cur = self.offset + mid;
        let target = if older { hits.iter().find(|&&i| i > cur) } else { hits.iter().rev().find(|&&i| i < cur) };
        match target {
            Some(&i) => {
                self.offset = i.saturating_sub(mid);
                self.follow = self.offset == 0;
                Step::Nothing
            }
            None => Step::Status(format!("no {} match for {needle:?}", if older { "older" } else { "newer" })),
        }
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        let page = self.page.max(1);
        match action.name() {
            "back" => {
                self.shown.clear();
                return Step::Run(Command::EsphomeLogsStop { devices: None });
            }
            "up" => self.scroll_up(1),
            "down" => self.scroll_down(1),
            "page_up" => self.scroll_up(page),
            "page_down" => self.scroll_down(page),
            "top" => self.scroll_up(usize::MAX / 2),
            "bottom" | "esphome_logs_follow" if !self.follow => {
                self.offset = 0;
                self.follow = true;
            }
            "esphome_logs_follow" => self.follow = false,
            "bottom" => {}
            "esphome_logs_level" => {
                self.level = match self.level {
                    LogLevel::VeryVerbose => LogLevel::Verbose,
                    LogLevel::Verbose => LogLevel::Debug,
                    LogLevel::Debug => LogLevel::Config,
                    LogLevel::Config => LogLevel::Info,
                    LogLevel::Info => LogLevel::Warn,
                    LogLevel::Warn => LogLevel::Error,
                    _ => LogLevel::VeryVerbose,
                };
                self.offset = 0;
                self.follow = true;
            }
            "esphome_logs_timestamps" => self.timestamps = !self.timestamps,
            "esphome_logs_split" => self.split = !self.split,
            "esphome_logs_clear" => {
                self.buffer.clear();
                self.offset = 0;
            }
            "esphome_logs_next" => return self.jump(false),
            "esphome_logs_prev" => return self.jump(true),
            "esphome_logs_save" => return Step::Form(forms::save_logs()),
            _ => return Step::Unhandled,
        }
        Step::Nothing
    }

    /// Plain text of what the view shows (level filter applied), oldest first.
    pub fn export(&self) -> String {
        let devs: Vec<&str> = self.shown.iter().map(String::as_str).collect();
        let mut out = String::new();
        for (dev, l) in self.buffer.oldest_first(&devs, self.keep()) {
            out.push_str(&format!("{} {dev} {}\n", l.at.format("%Y-%m-%d %H:%M:%S%.3f"), l.styled.text));
        }
        out
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let block = pane_block(" ESPHome · logs ", t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let searching = self.search.filtering || !self.search.filter.is_empty();
        let [head, body, search_area, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(u16::from(searching)),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(self.header(t)), head);
        self.page = usize::from(body.height);
        if self.shown.is_empty() {
            f.render_widget(Paragraph::new("No device chosen. Esc, then l on a device (space marks several).").style(t.muted()), body);
        } else if self.split && self.shown.len() > 1 {
            let n = self.shown.len() as u32;
            let parts = Layout::vertical((0..n).map(|_| Constraint::Ratio(1, n))).split(body);
            for (dev, rect) in self.shown.clone().iter().zip(parts.iter()) {
                let [title, rows] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(*rect);
                f.render_widget(Paragraph::new(Line::styled(format!("── {dev} ──"), device_style(dev, t))), title);
                self.draw_rows(f, rows, &[dev.as_str()], false, t);
            }
        } else {
            let devs: Vec<String> = self.shown.clone();
            let devs: Vec<&str> = devs.iter().map(String::as_str).collect();
            self.draw_rows(f, body, &devs, devs.len() > 1, t);
        }
        if searching {
            let mut line = self.search.filter.line(t.input(), self.search.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), search_area);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::esphome::KEYS, a);
        let text = format!(
            "{} follow {} level / search {}/{} match {} time {} split {} save {} clear Esc stop",
            k("esphome_logs_follow"),
            k("esphome_logs_level"),
            k("esphome_logs_next"),
            k("esphome_logs_prev"),
            k("esphome_logs_timestamps"),
            k("esphome_logs_split"),
            k("esphome_logs_save"),
            k("esphome_logs_clear"),
        );
        f.render_widget(Paragraph::new(Line::styled(text, t.muted())), hint);
    }

    fn header(&self, t: &Theme) -> Line<'static> {
        let mut spans = Vec::new();
        for d in &self.shown {
            let (up, _) = self.links.get(d).cloned().unwrap_or((false, String::new()));
            spans.push(Span::styled(if up { "● " } else { "○ " }, t.fg(if up { t.ok } else { t.warn })));
            spans.push(Span::styled(format!("{d} "), device_style(d, t)));
        }
        spans.push(Span::styled(format!("· ≤{} ", self.level.as_str().to_uppercase()), t.muted()));
        if self.follow {
            spans.push(Span::styled("· FOLLOW", t.fg(t.ok)));
        } else {
            spans.push(Span::styled(format!("· PAUSED (+{})", self.offset), t.fg(t.warn)));
        }
        let lines: usize = self.shown.iter().map(|d| self.buffer.len(d)).sum();
        spans.push(Span::styled(format!(" · {lines} lines"), t.muted()));
        if let Some((_, (false, why))) = self.links.iter().find(|(d, (up, w))| !up && !w.is_empty() && self.shown.contains(d)) {
            spans.push(Span::styled(format!(" · {why}"), t.fg(t.error)));
        }
        Line::from(spans)
    }

    fn draw_rows(&self, f: &mut Frame, area: Rect, devs: &[&str], device_col: bool, t: &Theme) {
        let h = usize::from(area.height);
        let needle = self.search.filter.text().to_ascii_lowercase();
        let mut rows: Vec<(&str, &LogLine)> = self.buffer.newest_first(devs, self.keep()).skip(self.offset).take(h).collect();
        rows.reverse();
        let dev_w = devs.iter().map(|d| d.len()).max().unwrap_or(0).min(16);
        let lines: Vec<Line> = rows
            .into_iter()
            .map(|(dev, l)| {
                let mut spans = Vec::with_capacity(8);
                if self.timestamps {
                    spans.push(Span::styled(format!("{} ", l.at.format("%H:%M:%S%.3f")), t.muted()));
                }
                if device_col {
                    let name: String = dev.chars().take(dev_w).collect();
                    spans.push(Span::styled(format!("{name:<dev_w$} "), device_style(dev, t)));
                }
                styled_text(&mut spans, l, &needle, t);
                Line::from(spans)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// Each device gets a stable colour, so merged lines are easy to tell apart.
fn device_style(dev: &str, t: &Theme) -> Style {
    const COLOURS: [Color; 6] = [Color::Cyan, Color::Magenta, Color::Yellow, Color::Blue, Color::Green, Color::LightRed];
    let h = dev.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    t.base().fg(COLOURS[(h as usize) % COLOURS.len()]).add_modifier(Modifier::BOLD)
}

fn run_style(r: &Run, t: &Theme) -> Style {
    let colour = match r.fg {
        Some(0) => Color::DarkGray,
        Some(1) => Color::Red,
        Some(2) => Color::Green,
        Some(3) => Color::Yellow,
        Some(4) => Color::Blue,
        Some(5) => Color::Magenta,
        Some(6) => Color::Cyan,
        Some(_) => Color::Gray,
        None => t.fg,
    };
    let mut s = t.base().fg(colour);
    if r.bold {
        s = s.add_modifier(Modifier::BOLD);
    }
    if r.hidden {
        s = s.add_modifier(Modifier::HIDDEN);
    }
    s
}

/// The line's coloured runs, cut where search matches start and end.
fn styled_text<'a>(spans: &mut Vec<Span<'a>>, l: &'a LogLine, needle: &str, t: &Theme) {
    let text = &l.styled.text;
    let mut hits: Vec<(usize, usize)> = Vec::new();
    if !needle.is_empty() {
        let lower = text.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(needle) {
            hits.push((from + i, from + i + needle.len()));
            from += i + needle.len().max(1);
        }
    }
    let mark = t.base().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD);
    for r in &l.styled.runs {
        let (start, e) = (r.start as usize, r.end as usize);
        let mut s = start;
        let style = run_style(r, t);
        for &(hs, he) in hits.iter().filter(|(hs, he)| *he > start && *hs < e) {
            if hs > s {
                spans.push(Span::styled(&text[s..hs], style));
            }
            let me = he.min(e);
            spans.push(Span::styled(&text[hs.max(s)..me], mark));
            s = me;
        }
        if s < e {
            spans.push(Span::styled(&text[s..e], style));
        }
    }
}
