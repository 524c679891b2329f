//! Drawing the device list (with OTA gauges), one device's info, the
//! firmware registry and the last OTA results.

use super::{EsphomePane, View as PaneView};
use crate::engine::views::esphome::{OtaPhase, OtaStatus};
use crate::tui::app::View;
use crate::tui::clock::age_opt;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, Paragraph, Row, Wrap};

pub fn render(p: &mut EsphomePane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let title = match p.view {
        PaneView::Detail => " ESPHome · device ".to_string(),
        PaneView::Firmware => format!(" ESPHome · firmware · {} ", p.firmware.len()),
        PaneView::Results => " ESPHome · OTA results ".to_string(),
        _ => {
            let online = p.devices.iter().filter(|d| d.online).count();
            format!(" ESPHome · {}, {online} online ", crate::tui::widgets::count(p.devices.len() as u64, "device", "devices"))
        }
    };
    let block = pane_block(title, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let gauges = p.progress.len().min(4) as u16;
    let show_filter = p.view == PaneView::Devices && (p.list.filtering || !p.list.filter.is_empty());
    let [body, gauge_area, filter_area, hint_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(gauges),
        Constraint::Length(u16::from(show_filter)),
        Constraint::Length(1),
    ])
    .areas(inner);
    match p.view {
        PaneView::Detail => detail(p, f, body, v),
        PaneView::Firmware => firmware(p, f, body, v),
        PaneView::Results => results(p, f, body, v),
        _ => devices(p, f, body, v),
    }
    let rows = Layout::vertical((0..gauges).map(|_| Constraint::Length(1))).split(gauge_area);
    for ((dev, (phase, sent, total)), rect) in p.progress.iter().zip(rows.iter()) {
        let ratio = if *total > 0 { (*sent as f64 / *total as f64).clamp(0.0, 1.0) } else { 0.0 };
        let label = match phase {
            OtaPhase::Uploading => format!("{dev}: {:.0}% of {} KiB", ratio * 100.0, total / 1024),
            other => format!("{dev}: {}", format!("{other:?}").to_lowercase()),
        };
        f.render_widget(Gauge::default().ratio(ratio).label(label).gauge_style(t.fg(t.accent)), *rect);
    }
    if show_filter {
        let mut line = p.list.filter.line(t.input(), p.list.filtering);
        line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
        f.render_widget(Paragraph::new(line), filter_area);
    }
    let k = |a| v.keymap.key_for(&crate::tui::panes::esphome::KEYS, a);
    let hint = match p.view {
        PaneView::Devices => format!(
            "{} discover  {} add  ↵ info  {} logs  {} mark  {} ota  {} bulk  {} firmware  {} cancel",
            k("esphome_discover"),
            k("esphome_add"),
            k("esphome_logs_start"),
            k("esphome_mark"),
            k("esphome_ota"),
            k("esphome_ota_bulk"),
            k("esphome_firmware_list"),
            k("esphome_ota_cancel"),
        ),
        PaneView::Firmware => format!("{} import  {} bulk OTA  Esc back", k("esphome_firmware_import"), k("esphome_ota_bulk")),
        _ => "Esc back".to_string(),
    };
    f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
}

fn devices(p: &mut EsphomePane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let k = |a| v.keymap.key_for(&crate::tui::panes::esphome::KEYS, a);
    let visible: Vec<_> = p.visible().into_iter().cloned().collect();
    if visible.is_empty() {
        let text = if !p.loaded {
            "Loading…".to_string()
        } else if !p.list.filter.is_empty() || p.list.site.is_some() {
            p.list.hidden_text("device")
        } else {
            format!(
                "No ESPHome devices yet. Press {} to browse mDNS (_esphomelib._tcp) on the configured interfaces, \
                 or {} to add one by address (API encryption key and OTA password are vault secret names).",
                k("esphome_discover"),
                k("esphome_add")
            )
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), area);
        return;
    }
    let header = Row::new(["", "NAME", "ADDRESS", "VERSION", "PLATFORM", "API", "SEEN", "SITE", "STATE"]).style(t.title());
    let rows: Vec<Row> = visible
        .iter()
        .map(|d| {
            let state = match p.progress.get(&d.name) {
                Some((OtaPhase::Uploading, s, tot)) if *tot > 0 => Cell::from(format!("OTA {}%", s * 100 / tot)).style(t.fg(t.accent)),
                Some((phase, _, _)) => Cell::from(format!("{phase:?}").to_lowercase()).style(t.fg(t.accent)),
                None if d.online => Cell::from("online").style(t.fg(t.ok)),
                None => Cell::from("offline").style(t.fg(t.warn)),
            };
            Row::new(vec![
                Cell::from(if p.marked.contains(&d.name) { "✓" } else { " " }).style(t.fg(t.accent)),
                Cell::from(d.name.clone()),
                Cell::from(format!("{}:{}", d.host, d.port)),
                Cell::from(d.running_version().unwrap_or("—").to_string()),
                Cell::from(d.platform.clone().unwrap_or_else(|| "—".into())),
                Cell::from(match d.encrypted {
                    Some(true) => "noise",
                    Some(false) => "plain",
                    None => "?",
                }),
                Cell::from(age_opt(v.now, d.last_seen)),
                Cell::from(d.site.clone().unwrap_or_else(|| "-".into())),
                state,
            ])
            .style(t.fg(t.fg))
        })
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(17),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    p.list.render_table(f, area, header, rows, &widths, t);
}

fn detail(p: &EsphomePane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let Some((d, i, entities)) = &p.detail else { return };
    let field = |k: &str, val: String| Line::from(vec![Span::styled(format!("{k:<14}"), t.muted()), Span::raw(val)]);
    let mut lines = vec![
        Line::styled(format!("{} — {}", d.name, i.friendly_name), t.title()),
        field("address", format!("{}:{} (OTA {})", d.host, d.port, d.ota_port())),
        field("ESPHome", i.esphome_version.clone()),
        field("model", format!("{} · {}", i.model, i.manufacturer)),
        field("MAC", i.mac_address.clone()),
        field("compiled", i.compilation_time.clone()),
        field("API", format!("{} · {}", i.api_version, if i.encrypted { "encrypted (Noise)" } else { "plaintext" })),
    ];
    if !i.project_name.is_empty() {
        lines.push(field("project", format!("{} {}", i.project_name, i.project_version)));
    }
    lines.push(Line::default());
    lines.push(Line::styled(crate::tui::widgets::count(entities.len() as u64, "entity", "entities"), t.title()));
    for e in entities {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", e.domain), t.fg(t.accent)),
            Span::raw(format!("{:<20} {}", e.object_id, e.name)),
        ]));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn firmware(p: &mut EsphomePane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    if p.firmware.is_empty() {
        let k = v.keymap.key_for(&crate::tui::panes::esphome::KEYS, "esphome_firmware_import");
        let text = format!("No firmware imported. Press {k} to import a .bin with its version label and platform.");
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), area);
        return;
    }
    let header = Row::new(["VERSION", "PLATFORM", "KIB", "SHA-256", "FILE"]).style(t.title());
    let rows: Vec<Row> = p
        .firmware
        .iter()
        .map(|fw| {
            Row::new(vec![
                fw.version.clone(),
                fw.platform.clone(),
                (fw.size / 1024).to_string(),
                fw.short_id().to_string(),
                fw.file_name.clone(),
            ])
        })
        .collect();
    let widths = [Constraint::Length(14), Constraint::Length(8), Constraint::Length(6), Constraint::Length(13), Constraint::Min(8)];
    p.fw_list.render_table(f, area, header, rows, &widths, t);
}

fn results(p: &mut EsphomePane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let header = Row::new(["DEVICE", "RESULT", "FROM", "TO", "TIME", "REASON"]).style(t.title());
    let rows: Vec<Row> = p
        .results
        .iter()
        .map(|r| {
            let style = match r.status {
                OtaStatus::Updated => t.fg(t.ok),
                OtaStatus::Skipped | OtaStatus::Cancelled => t.fg(t.warn),
                OtaStatus::Failed => t.fg(t.error),
            };
            Row::new(vec![
                Cell::from(r.device.clone()),
                Cell::from(r.status.as_str()).style(style),
                Cell::from(r.from_version.clone().unwrap_or_else(|| "—".into())),
                Cell::from(r.to_version.clone()),
                Cell::from(format!("{:.1}s", r.seconds)),
                Cell::from(r.reason.clone().unwrap_or_default()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Min(10),
    ];
    p.results_list.render_table(f, area, header, rows, &widths, t);
}
