//! One server in detail: address, login, pinned host key, state with its
//! reasons, disks, and CPU / memory over the stored history as a chart.

use super::servers::state_style;
use crate::engine::views::servers::ServerDetail;
use crate::tui::app::View;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Wrap};

pub fn render(f: &mut Frame, area: Rect, d: &ServerDetail, v: &View) {
    let t = v.theme;
    let s = &d.view.server;
    let h = d.view.health.as_ref();
    let (label, style) = state_style(h.map(|h| h.state), t);
    let mut lines = vec![
        Line::from(vec![Span::styled(s.name.clone(), t.title()), Span::raw("  "), Span::styled(label, style)]),
        Line::raw(format!("address  {}    login  {}", s.address(), s.auth.label())),
    ];
    let key = match &s.host_key {
        Some(k) => format!("host key {} {} (pinned by {})", k.algorithm, k.fingerprint, k.pinned_by),
        None if s.is_local() => "host key (none: local processes)".into(),
        None => "host key not pinned yet — pinned on first connection (t tests now)".into(),
    };
    lines.push(Line::raw(key));
    let groups = [s.tags.join(", "), s.site.clone().map(|x| format!("site {x}")).unwrap_or_default()].join("  ");
    if !groups.trim().is_empty() {
        lines.push(Line::styled(groups.trim().to_string(), t.muted()));
    }
    if let Some(h) = h {
        for r in &h.reasons {
            lines.push(Line::styled(format!("• {r}"), t.fg(t.warn)));
        }
        if let Some(sm) = &h.sample {
            lines.push(Line::raw(format!(
                "cpu {}  mem {:.0}% of {} MiB  swap {:.0}%  load {:.2} {:.2} {:.2}  {} procs  {} cores",
                sm.cpu_pct.map(|c| format!("{c:.0}%")).unwrap_or_else(|| "-".into()),
                sm.mem_pct(),
                sm.mem_total_kb / 1024,
                sm.swap_pct(),
                sm.load[0],
                sm.load[1],
                sm.load[2],
                sm.procs,
                sm.cores
            )));
            let disks: Vec<String> = sm.disks.iter().map(|d| format!("{} {:.0}%", d.mount, d.pct)).collect();
            lines.push(Line::raw(format!("disks  {}", disks.join("  "))));
        }
    }
    let info_h = (lines.len() as u16 + 1).min(area.height / 2);
    let [info, chart] = Layout::vertical([Constraint::Length(info_h), Constraint::Min(0)]).areas(area);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), info);
    if d.history.len() < 2 {
        let msg = "The chart fills in as probes land (one point a minute; the poller runs every 15 s by default).";
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).style(t.muted()), chart);
        return;
    }
    let first = d.history.first().map(|p| p.time).unwrap_or_default();
    let x = |p: &crate::engine::views::servers::Point| (p.time - first).num_seconds() as f64 / 60.0;
    let cpu: Vec<(f64, f64)> = d.history.iter().filter_map(|p| p.cpu.map(|c| (x(p), f64::from(c)))).collect();
    let mem: Vec<(f64, f64)> = d.history.iter().map(|p| (x(p), f64::from(p.mem))).collect();
    let span = mem.last().map(|m| m.0).unwrap_or(1.0).max(1.0);
    let datasets = vec![
        Dataset::default().name("cpu %").marker(Marker::Braille).graph_type(GraphType::Line).style(t.fg(t.accent)).data(&cpu),
        Dataset::default().name("mem %").marker(Marker::Braille).graph_type(GraphType::Line).style(t.fg(t.ok)).data(&mem),
    ];
    let chart_w = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .style(t.muted())
                .bounds([0.0, span])
                .labels([format!("-{:.0} min", span), "now".to_string()]),
        )
        .y_axis(Axis::default().style(t.muted()).bounds([0.0, 100.0]).labels(["0", "50", "100"]));
    f.render_widget(chart_w, chart);
}
