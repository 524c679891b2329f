//! Drawing the Backups pane: job gauges on top, the current view's table,
//! and the restore preview or a snapshot diff below.

use super::backups::{BackupsPane, Detail, Tab};
use crate::tui::app::View;
use crate::tui::clock::age;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, LineGauge, Paragraph, Row, Wrap};

/// The table's compact size (`1.2M`, as `ls -h` prints it), for a column
/// that must fit 80 columns; messages and the CLI use `text::size`
/// (`1.2 MiB`).
fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1}G", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1}M", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1}K", n as f64 / 1024.0),
        n => format!("{n}B"),
    }
}

impl BackupsPane {
    /// The keys that do something in the view in front, from the keymap.
    fn hint(&self, v: &View) -> String {
        let k = |a| v.keymap.key_for(&crate::tui::panes::backups::KEYS, a);
        let t = k("backups_view");
        match self.tab {
            Tab::Sources => format!(
                "{t} view  {} add  {} back up  {} remove  {} cancel  / filter",
                k("backup_source_add"),
                k("backup_create"),
                k("backup_source_remove"),
                k("backup_cancel")
            ),
            Tab::Catalog => format!(
                "{t} view  {} verify  {} restore  {} cancel  / filter",
                k("backup_verify"),
                k("backup_restore"),
                k("backup_cancel")
            ),
            Tab::Snapshots => format!(
                "{t} view  {} watch a file  ↵/{} diff  {} restore  / filter",
                k("backup_snapshot_watch"),
                k("backup_diff"),
                k("backup_restore")
            ),
        }
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let next = v.keymap.key_for(&crate::tui::panes::backups::KEYS, "backups_view");
        let title = format!(" Backups — {} ({next}: next view) ", self.tab.title());
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let gauges = self.jobs.len().min(3) as u16;
        let detail_h = if self.detail.is_some() { inner.height / 2 } else { 0 };
        let [top, mid, bottom, hint_area] = Layout::vertical([
            Constraint::Length(gauges),
            Constraint::Min(0),
            Constraint::Length(detail_h),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&self.hint(v), hint_area.width), t.muted())), hint_area);
        for (i, j) in self.jobs.values().take(3).enumerate() {
            let r = Rect { y: top.y + i as u16, height: 1, ..top };
            let ratio = if j.total == 0 { 0.0 } else { (j.done as f64 / j.total as f64).clamp(0.0, 1.0) };
            let g = LineGauge::default()
                .ratio(ratio)
                .label(format!("{} {} #{} {} ", j.kind, j.source, j.id, size(j.done)))
                .filled_style(t.fg(t.accent))
                .unfilled_style(t.muted());
            f.render_widget(g, r);
        }
        let Some(o) = &self.overview else {
            f.render_widget(Paragraph::new("loading…").style(t.muted()), mid);
            return;
        };
        let now = v.now;
        match self.tab {
            Tab::Sources if o.sources.is_empty() => {
                let msg = format!(
                    "No backup sources yet. Press {} to add one (kind dir, ha_config, node_red, zigbee2mqtt, wled or fpp), \
                     or run: homedeck backup source add NAME --kind dir --path /etc/app",
                    v.keymap.key_for(&crate::tui::panes::backups::KEYS, "backup_source_add")
                );
                f.render_widget(Paragraph::new(msg).style(t.muted()).wrap(Wrap { trim: false }), mid);
            }
            Tab::Sources if self.is_empty() => {
                f.render_widget(Paragraph::new(self.list.hidden_text("backup source")).style(t.muted()).wrap(Wrap { trim: false }), mid);
            }
            Tab::Sources => {
                let rows: Vec<Row> = o
                    .sources
                    .iter()
                    .filter(|s| self.shows_source(s))
                    .map(|s| {
                        Row::new(vec![
                            Cell::from(s.source.name.clone()),
                            Cell::from(s.source.kind.to_string()),
                            Cell::from(s.source.site.clone().unwrap_or_else(|| "-".into())),
                            Cell::from(if s.source.encrypt { "yes" } else { "no" }),
                            Cell::from(s.backups.to_string()),
                            Cell::from(s.last.as_ref().map(|e| age(now, e.created)).unwrap_or_else(|| "never".into())),
                            if s.waiting_for_unlock {
                                Cell::from("waiting for unlock").style(t.fg(t.warn))
                            } else {
                                Cell::from(s.next_run.map(|n| n.format("%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into()))
                            },
                        ])
                    })
                    .collect();
                let header = Row::new(["SOURCE", "KIND", "SITE", "ENC", "N", "LAST", "NEXT RUN"]).style(t.title());
                // Wide enough for "waiting for unlock" only when a row says it.
                let next_w = if o.sources.iter().any(|s| s.waiting_for_unlock) { 18 } else { 11 };
                let w = [Constraint::Min(10), Constraint::Length(11), Constraint::Length(8), Constraint::Length(4), Constraint::Length(4), Constraint::Length(9), Constraint::Length(next_w)];
                self.list.render_table(f, mid, header, rows, &w, t);
            }
            Tab::Catalog if o.catalog.is_empty() => {
                let b = v.keymap.key_for(&crate::tui::panes::backups::KEYS, "backup_create");
                f.render_widget(Paragraph::new(format!("No backups yet: select a source and press {b}.")).style(t.muted()), mid);
            }
            Tab::Catalog => {
                let rows: Vec<Row> = o
                    .catalog
                    .iter()
                    .filter(|e| self.shows_entry(e))
                    .map(|e| {
                        let verified = match (&e.verify_error, e.verified_at) {
                            (Some(_), _) => Span::styled("FAILED", t.fg(t.error)),
                            (None, Some(at)) => Span::styled(age(now, at), t.fg(t.ok)),
                            (None, None) => Span::raw("never"),
                        };
                        Row::new(vec![
                            Cell::from(format!("#{}", e.id)),
                            Cell::from(e.source.clone()),
                            Cell::from(age(now, e.created)),
                            Cell::from(size(e.size)),
                            Cell::from(if e.encrypted() { "yes" } else { "no" }),
                            Cell::from(verified),
                            Cell::from(e.reason.clone()),
                        ])
                    })
                    .collect();
                let header = Row::new(["ID", "SOURCE", "AGE", "SIZE", "ENC", "VERIFIED", "WHY"]).style(t.title());
                let w = [Constraint::Length(5), Constraint::Min(8), Constraint::Length(8), Constraint::Length(7), Constraint::Length(4), Constraint::Length(8), Constraint::Length(11)];
                self.list.render_table(f, mid, header, rows, &w, t);
            }
            Tab::Snapshots if self.snapshots.is_empty() => {
                let msg = format!(
                    "No snapshots. Press {} to watch a config file (e.g. /config/automations.yaml): \
                     each change is snapshotted and can be diffed and restored.",
                    v.keymap.key_for(&crate::tui::panes::backups::KEYS, "backup_snapshot_watch")
                );
                f.render_widget(Paragraph::new(msg).style(t.muted()).wrap(Wrap { trim: false }), mid);
            }
            Tab::Snapshots => {
                let rows: Vec<Row> = self
                    .snapshots
                    .iter()
                    .filter(|s| self.list.matches(&s.file))
                    .map(|s| Row::new(vec![format!("#{}", s.id), s.file.clone(), age(now, s.taken), size(s.size)]))
                    .collect();
                let header = Row::new(["ID", "FILE", "TAKEN", "SIZE"]).style(t.title());
                let w = [Constraint::Length(5), Constraint::Min(10), Constraint::Length(8), Constraint::Length(7)];
                self.list.render_table(f, mid, header, rows, &w, t);
            }
        }
        let lines: Vec<Line> = match &self.detail {
            None => return,
            Some(Detail::Preview(p)) => {
                let mut l = vec![Line::styled(format!("restore {} → {}", p.source, p.target), t.title())];
                l.extend(p.added.iter().map(|x| Line::styled(format!("+ {x}"), t.fg(t.ok))));
                l.extend(p.changed.iter().map(|x| Line::styled(format!("~ {x}"), t.fg(t.accent))));
                l.extend(p.removed.iter().map(|x| Line::styled(format!("- {x}"), t.fg(t.error))));
                l.push(Line::styled(format!("{} unchanged", p.unchanged), t.muted()));
                l
            }
            Some(Detail::Diff { title, text }) => {
                let mut l = vec![Line::styled(title.clone(), t.title())];
                l.extend(text.lines().map(|x| {
                    let style = match x.chars().next() {
                        Some('+') => t.fg(t.ok),
                        Some('-') => t.fg(t.error),
                        Some('@') => t.fg(t.accent),
                        _ => t.base(),
                    };
                    Line::styled(x.to_string(), style)
                }));
                l
            }
        };
        let max = (lines.len() as u16).saturating_sub(bottom.height.saturating_sub(2));
        self.detail_scroll = self.detail_scroll.min(max);
        let title = if max > 0 { " j/k scroll · Esc closes " } else { " Esc closes " };
        f.render_widget(Paragraph::new(lines).scroll((self.detail_scroll, 0)).block(pane_block(title, t)), bottom);
    }
}
