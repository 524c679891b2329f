//! The bottom line: vault state with its lock countdown, which process hosts
//! the engine when it is not this one (and whether it is still there),
//! READ-ONLY, open security events, open unacknowledged alerts, and the
//! latest message. A message too long for one row wraps onto up to [`MAX_ROWS`]; past that it ends with
//! a pointer to the messages log, which has every message in full.

use crate::daemon::client::Link;
use crate::daemon::protocol::HostKind;
use crate::tui::app::{App, Level};
use crate::tui::keymap::GLOBAL;
use crate::tui::widgets::wrap;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Rows the status area may take.
pub const MAX_ROWS: usize = 3;

/// The status area at `width` columns: one row, or up to [`MAX_ROWS`] when
/// the message does not fit beside the state.
pub fn rows(app: &App, width: u16) -> Vec<Line<'static>> {
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
            format!(" {} ", crate::tui::widgets::count(open as u64, "open security event", "open security events")),
            t.fg(t.critical).add_modifier(Modifier::BOLD),
        ));
    }
    let alerts = app.panes.audit.alerts.attention;
    if alerts > 0 {
        spans.push(Span::styled(
            format!(" ⚠ {} ", crate::tui::widgets::count(alerts as u64, "alert", "alerts")),
            t.fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    if app.inflight > 0 {
        spans.push(Span::styled(" working… ", t.fg(t.accent)));
    }
    spans.push(Span::raw(" "));
    let (text, style) = match &app.status {
        Some((text, level)) => {
            let c = match level {
                Level::Info => t.fg,
                Level::Warn => t.warn,
                Level::Error => t.error,
            };
            (text.clone(), t.fg(c))
        }
        None => {
            let k = |name| app.keymap.key_for(&GLOBAL, name);
            (format!("{} help · {} commands · {} messages · {} quit", k("help"), k("palette"), k("messages"), k("quit")), t.muted())
        }
    };
    let width = usize::from(width.max(1));
    let lead: usize = spans.iter().map(|s| s.width()).sum();
    let first = width.saturating_sub(lead);
    // Wrap at the room left on the first row, then re-wrap the rest at
    // full width.
    let mut parts = wrap(&text, first.max(1));
    let head = if first >= 12 || parts.len() == 1 { parts.remove(0) } else { String::new() };
    let rest = parts.join(" ");
    let more = if rest.is_empty() { Vec::new() } else { wrap(&rest, width) };
    let pointer = format!(" … {} shows it all", app.keymap.key_for(&GLOBAL, "messages"));
    let more = crate::tui::widgets::clip_rows(more, MAX_ROWS - 1, width, &pointer);
    spans.push(Span::styled(head, style));
    let mut lines = vec![Line::from(spans)];
    lines.extend(more.into_iter().map(|r| Line::styled(r, style)));
    lines
}

/// Short enough for 80 columns; `homedeck daemon status` has the rest.
fn host_word(h: HostKind) -> &'static str {
    match h {
        HostKind::Daemon => "daemon",
        HostKind::Console => "console",
        HostKind::Cli => "cli",
    }
}
