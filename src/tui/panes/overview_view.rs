//! The Overview pane's lines: built from the engine's `Overview` once per
//! answer (each line knows the pane Enter brings up), drawn with the
//! selection and the theme's ok/warn/error colours.

use super::PaneId;
use super::overview::OverviewPane;
use crate::engine::views::overview::{Attention, Overview};
use crate::engine::views::text::plural;
use crate::tui::app::View;
use crate::tui::widgets::pane_block;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// How a line is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Bad,
    Muted,
}

/// One line of the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The heading column (`servers`, `backups` …), empty on detail lines.
    pub head: &'static str,
    pub text: String,
    pub tone: Tone,
    /// The pane Enter brings up.
    pub jump: Option<PaneId>,
}

fn row(head: &'static str, text: String, tone: Tone, jump: PaneId) -> Row {
    Row { head, text, tone, jump: Some(jump) }
}

fn details(out: &mut Vec<Row>, list: &[Attention], tone: Tone, jump: PaneId) {
    for a in list {
        let text = if a.why.is_empty() { format!("  {} {}", a.name, a.state) } else { format!("  {} {}: {}", a.name, a.state, a.why) };
        out.push(row("", text, tone, jump));
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%m-%d %H:%M").to_string()
}

pub fn rows(o: &Overview) -> Vec<Row> {
    let mut out = Vec::new();
    // "none yet" would mislead under `:site`: there may be some elsewhere.
    let none = |what: &str| match &o.site {
        Some(site) => format!("no {what} at site {site}"),
        None => format!("no {what} yet"),
    };
    let s = &o.servers;
    let bad = s.down > 0;
    let tone = if bad { Tone::Bad } else if s.degraded > 0 { Tone::Warn } else { Tone::Ok };
    let text = format!("{} up · {} degraded · {} down · {} not polled yet", s.up, s.degraded, s.down, s.unknown);
    out.push(row("servers", text, tone, PaneId::Servers));
    details(&mut out, &s.attention, if bad { Tone::Bad } else { Tone::Warn }, PaneId::Servers);
    for d in &o.devices {
        let (head, jump) = match d.kind.as_str() {
            "esphome" => ("esphome", PaneId::Esphome),
            "wled" => ("wled", PaneId::Lights),
            _ => ("fpp", PaneId::Lights),
        };
        if d.online + d.offline == 0 {
            out.push(row(head, none("devices"), Tone::Muted, jump));
            continue;
        }
        let tone = if d.offline > 0 { Tone::Warn } else { Tone::Ok };
        out.push(row(head, format!("{} online · {} offline", d.online, d.offline), tone, jump));
        details(&mut out, &d.offline_names, Tone::Warn, jump);
    }
    let d = &o.deployments;
    if d.total == 0 {
        out.push(row("deploy", "no Home Assistant deployments".into(), Tone::Muted, PaneId::Deployments));
    } else {
        let tone = if d.attention.is_empty() { Tone::Ok } else { Tone::Warn };
        out.push(row("deploy", format!("{} of {} running", d.running, d.total), tone, PaneId::Deployments));
        details(&mut out, &d.attention, Tone::Warn, PaneId::Deployments);
    }
    if o.backups.is_empty() {
        out.push(row("backups", none("backup sources"), Tone::Muted, PaneId::Backups));
    }
    for b in &o.backups {
        let last = b.last_backup.map_or_else(|| "never backed up".to_string(), |t| format!("last {}", when(t)));
        let next = b.next_run.map_or_else(|| "no schedule".to_string(), |t| format!("next {}", when(t)));
        let failed = b.verify_failed || b.last_run_failed.is_some();
        let tone = if failed { Tone::Bad } else if b.last_backup.is_none() { Tone::Warn } else { Tone::Ok };
        out.push(row("backups", format!("{}: {last} · {next}", b.source), tone, PaneId::Backups));
        if b.verify_failed {
            out.push(row("", "  its newest backup failed verification".into(), Tone::Bad, PaneId::Backups));
        }
        if let Some(f) = &b.last_run_failed {
            out.push(row("", format!("  {f}"), Tone::Bad, PaneId::Backups));
        }
    }
    if !o.rotations_due.is_empty() {
        let names: Vec<&str> = o.rotations_due.iter().map(|r| r.name.as_str()).collect();
        out.push(row("secrets", format!("{} due for rotation: {}", plural(names.len(), "secret", "secrets"), names.join(", ")), Tone::Warn, PaneId::Secrets));
    }
    if o.security_open > 0 {
        let n = usize::try_from(o.security_open).unwrap_or(usize::MAX);
        out.push(row("security", format!("{} open", plural(n, "security event", "security events")), Tone::Bad, PaneId::Audit));
    }
    if o.alerts_open > 0 {
        let text = format!("{} open, {} unacknowledged (Enter: the alerts)", plural(o.alerts_open as usize, "alert", "alerts"), o.alerts_attention);
        let tone = if o.alerts_attention > 0 { Tone::Bad } else { Tone::Warn };
        out.push(row("alerts", text, tone, PaneId::Audit));
    }
    let more = if o.inspected_all { "" } else { " (at least)" };
    let window = match o.since_from.as_str() {
        "last look" => format!("since your last look ({})", when(o.since)),
        "asked" => format!("since {}", when(o.since)),
        // No look recorded yet: the engine's default window.
        _ => format!("in the last 24 hours (since {})", when(o.since)),
    };
    let head = format!("{window}: {}{more}", plural(o.notable_total, "notable event", "notable events"));
    out.push(row("events", head, if o.notable_total > 0 { Tone::Warn } else { Tone::Ok }, PaneId::Audit));
    for n in &o.notable {
        let tone = if n.status == "success" { Tone::Warn } else { Tone::Bad };
        out.push(row("", format!("  {} {} {} {}", when(n.time), n.status, n.action, n.text), tone, PaneId::Audit));
    }
    out
}

pub fn render(p: &mut OverviewPane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    // Narrowed by `:site`: the title says so, as the other panes' do.
    let title = match p.overview.as_ref().and_then(|o| o.site.as_deref()) {
        Some(site) => format!(" Overview · site {site} "),
        None => " Overview ".to_string(),
    };
    let block = pane_block(title, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    if v.first_run {
        // Wrapped here, not by the Paragraph: the list below needs to know
        // how many rows the welcome took (a cut step would hide its end).
        let width = usize::from(inner.width.max(1));
        for line in super::servers::welcome(v) {
            let chars: Vec<_> = line.spans.iter().flat_map(|s| super::ai::ai_wrap::styled(&s.content, s.style)).collect();
            lines.extend(super::ai::ai_wrap::wrap_styled(&chars, width).into_iter().map(Line::from));
        }
        lines.push(Line::default());
    }
    if p.overview.is_none() {
        lines.push(Line::styled("Loading the overview…", t.muted()));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).style(t.base()), inner);
        return;
    }
    let height = usize::from(inner.height).saturating_sub(lines.len());
    p.list.page = height;
    let offset = p.list.offset(height);
    for (i, r) in p.rows().iter().enumerate().skip(offset).take(height) {
        let colour = match r.tone {
            Tone::Ok => t.fg(t.ok),
            Tone::Warn => t.fg(t.warn),
            Tone::Bad => t.fg(t.error),
            Tone::Muted => t.muted(),
        };
        let selected = i == p.list.selected;
        let head = Span::styled(format!("{:<9}", r.head), if selected { t.selected() } else { t.fg(t.accent) });
        let text = Span::styled(r.text.clone(), if selected { t.selected() } else { colour });
        lines.push(Line::from(vec![head, text]));
    }
    f.render_widget(Paragraph::new(lines).style(t.base()), inner);
}
