//! The bottom line: vault state with its lock countdown, which process hosts
//! the engine when it is not this one (and whether it is still there),
//! READ-ONLY, open security events, and the latest message.

use crate::daemon::client::Link;
use crate::daemon::protocol::HostKind;
use crate::tui::app::{App, Level};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = Vec::new();
    let vault = match &app.panes.secrets.vault {
        None => Span::styled(" vault … ", t.muted()),
        Some(v) if !v.initialized => Span::styled(" no vault ", t.fg(t.warn)),
        Some(v) if v.unlocked => {
            let left = app.panes.secrets.locks_in(app.clock.instant()).unwrap_or(0);
            Span::styled(format!(" unlocked {} ", crate::tui::clock::countdown(left)), t.fg(t.ok))
        }
        Some(_) => Span::styled(" locked ", t.fg(t.warn)),
    };
    spans.push(vault);
    match &app.link {
        None => {}
        Some(Link::Attached(h)) => {
            let text = match &app.site {
                Some(site) => format!(" site: {site} ({} {}) ", host_word(h.host), h.pid),
                None => format!(" attached: {} {} ", host_word(h.host), h.pid),
            };
            spans.push(Span::styled(text, t.fg(t.accent)));
        }
        Some(Link::Lost { .. }) => spans.push(Span::styled(
            match &app.site {
                Some(site) => format!(" site: {site} · HOST LOST · waiting "),
                None => " HOST LOST · waiting ".to_string(),
            },
            t.fg(t.bg).bg(t.error).add_modifier(Modifier::BOLD),
        )),
    }
    if let Some(site) = &app.site_filter {
        spans.push(Span::styled(format!(" site filter: {site} "), t.fg(t.bg).bg(t.accent)));
    }
    if app.readonly {
        spans.push(Span::styled(" READ-ONLY ", t.fg(t.bg).bg(t.error).add_modifier(Modifier::BOLD)));
    }
    let open = app.panes.audit.security.open_count();
    if open > 0 {
        spans.push(Span::styled(
            format!(" {open} open security event(s) "),
            t.fg(t.critical).add_modifier(Modifier::BOLD),
        ));
    }
    if app.inflight > 0 {
        spans.push(Span::styled(" working… ", t.fg(t.accent)));
    }
    spans.push(Span::raw(" "));
    match &app.status {
        Some((text, level)) => {
            let c = match level {
                Level::Info => t.fg,
                Level::Warn => t.warn,
                Level::Error => t.error,
            };
            spans.push(Span::styled(text.clone(), t.fg(c)));
        }
        None => spans.push(Span::styled("? help · : commands · q quit", t.muted())),
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
}

/// Short enough for 80 columns; `homedeck daemon status` has the rest.
fn host_word(h: HostKind) -> &'static str {
    match h {
        HostKind::Daemon => "daemon",
        HostKind::Console => "console",
        HostKind::Cli => "cli",
    }
}
