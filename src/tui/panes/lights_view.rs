//! Drawing the Lights pane. Colour swatches are the device's real colour
//! (24-bit), mapped to the nearest ANSI colour under a 16-colour theme.

use super::lights::{LightsPane, Selected};
use crate::engine::views::lights::{FppRow, Link, LiveState, WledDevice};
use crate::engine::views::lights::{list_name, parse_hex};
use crate::tui::app::View;
use crate::tui::theme::Theme;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, LineGauge, Paragraph, Row, Table, TableState, Wrap};

/// The swatch colour for `rrggbb` under this theme.
pub fn swatch(theme: &Theme, hex: &str) -> Color {
    let Some(c) = parse_hex(hex) else { return theme.muted };
    let named_only = theme.colors().iter().all(|(_, c)| !matches!(c, Color::Rgb(..)));
    if !named_only {
        return Color::Rgb(c.r, c.g, c.b);
    }
    const ANSI: [(Color, [u8; 3]); 16] = [
        (Color::Black, [0, 0, 0]),
        (Color::Red, [170, 0, 0]),
        (Color::Green, [0, 170, 0]),
        (Color::Yellow, [170, 85, 0]),
        (Color::Blue, [0, 0, 170]),
        (Color::Magenta, [170, 0, 170]),
        (Color::Cyan, [0, 170, 170]),
        (Color::Gray, [170, 170, 170]),
        (Color::DarkGray, [85, 85, 85]),
        (Color::LightRed, [255, 85, 85]),
        (Color::LightGreen, [85, 255, 85]),
        (Color::LightYellow, [255, 255, 85]),
        (Color::LightBlue, [85, 85, 255]),
        (Color::LightMagenta, [255, 85, 255]),
        (Color::LightCyan, [85, 255, 255]),
        (Color::White, [255, 255, 255]),
    ];
    let d = |p: [u8; 3]| -> i32 {
        let dr = i32::from(p[0]) - i32::from(c.r);
        let dg = i32::from(p[1]) - i32::from(c.g);
        let db = i32::from(p[2]) - i32::from(c.b);
        dr * dr + dg * dg + db * db
    };
    ANSI.iter().min_by_key(|(_, p)| d(*p)).map(|(col, _)| *col).unwrap_or(Color::Reset)
}

fn link_style(t: &Theme, link: Link) -> Style {
    match link {
        Link::Live => t.fg(t.ok),
        Link::Polling | Link::Polled => t.fg(t.accent),
        Link::Offline => t.fg(t.error),
    }
}

impl LightsPane {
    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let title = if self.show_schedules {
            " Lights · schedules ".to_string()
        } else {
            format!(" Lights · {} WLED · {} FPP ", self.devices.len(), self.hosts.len())
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let show_filter = self.list.filtering || !self.list.filter.is_empty();
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)])
                .areas(inner);
        if self.show_schedules {
            self.render_schedules(f, body, v);
        } else if self.detail.is_some() {
            self.render_detail(f, body, v);
        } else if self.devices.is_empty() && self.hosts.is_empty() {
            let add = v.keymap.key_for(&crate::tui::panes::lights::KEYS, "wled_add");
            let text = if self.loaded {
                format!(
                    "No lights yet. Press {add} to add a WLED controller or a Falcon Player by address \
                     (e.g. 192.168.1.40), or find WLED devices with `homedeck wled discover`."
                )
            } else {
                "Loading lights…".to_string()
            };
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), body);
        } else if self.visible().is_empty() {
            f.render_widget(Paragraph::new(self.list.hidden_text("light")).wrap(Wrap { trim: true }).style(t.muted()), body);
        } else {
            self.render_lists(f, body, v);
        }
        if show_filter {
            let mut line = self.list.filter.line(t.input(), self.list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::lights::KEYS, a);
        let hint = if self.show_schedules {
            format!("{} back  Esc back", k("lights_schedules"))
        } else if self.detail.is_some() {
            format!(
                "{} power  {}/{} bri  {} color  {}/{} effect  {}/{} palette  {}/{} speed  {}/{} preset  Esc back",
                k("lights_toggle"),
                k("lights_brighter"),
                k("lights_dimmer"),
                k("lights_color"),
                k("lights_effect_next"),
                k("lights_effect_prev"),
                k("lights_palette_next"),
                k("lights_palette_prev"),
                k("lights_speed_up"),
                k("lights_speed_down"),
                k("lights_preset_prev"),
                k("lights_preset_next"),
            )
        } else {
            format!(
                "↵ open  {} add  {} power  {}/{} bri  {} color  {} stop  {} next  {} schedules  / filter",
                k("wled_add"),
                k("lights_toggle"),
                k("lights_brighter"),
                k("lights_dimmer"),
                k("lights_color"),
                k("lights_playlist_stop"),
                k("lights_playlist_next"),
                k("lights_schedules"),
            )
        };
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_lists(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        self.list.page = usize::from(area.height.saturating_sub(2));
        let visible = self.visible();
        let n_wled = visible.iter().filter(|s| matches!(s, Selected::Wled(_))).count();
        let hosts: Vec<&FppRow> = visible
            .iter()
            .filter_map(|s| if let Selected::Fpp(h) = s { Some(*h) } else { None })
            .collect();
        let fpp_height = if hosts.is_empty() { 0 } else { (hosts.len() as u16) * 3 + 1 };
        let [wled_area, fpp_area] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(fpp_height.min(area.height / 2 + 1))]).areas(area);
        let header = Row::new(["", "NAME", "POWER", "BRI", "EFFECT", "PALETTE", "LINK", "SITE", "VERSION", "LEDS"]).style(t.title());
        let rows: Vec<Row> = visible
            .iter()
            .filter_map(|s| if let Selected::Wled(r) = s { Some(*r) } else { None })
            .map(|r| {
                let d = &r.device;
                match &r.live {
                    Some(l) => wled_row(t, d, l),
                    None => Row::new(vec![
                        Cell::from("  "),
                        Cell::from(d.name.clone()),
                        Cell::from("…"),
                        Cell::from(""),
                        Cell::from(""),
                        Cell::from(""),
                        Cell::from(if d.online { "—" } else { "offline" }),
                        Cell::from(d.site.clone().unwrap_or_else(|| "-".into())),
                        Cell::from(d.version.clone()),
                        Cell::from(d.led_count.to_string()),
                    ]),
                }
            })
            .collect();
        let widths = [
            Constraint::Length(2),
            Constraint::Min(10),
            Constraint::Length(5),
            Constraint::Length(3),
            Constraint::Length(12),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(4),
        ];
        let sel = (self.list.selected < n_wled).then_some(self.list.selected);
        let table = Table::new(rows, widths).header(header).row_highlight_style(t.selected());
        f.render_stateful_widget(table, wled_area, &mut TableState::default().with_selected(sel));
        if hosts.is_empty() {
            return;
        }
        let mut y = fpp_area.y;
        let line = |f: &mut Frame, y: u16, l: Line| {
            if y < fpp_area.bottom() {
                f.render_widget(Paragraph::new(l), Rect { x: fpp_area.x, y, width: fpp_area.width, height: 1 });
            }
        };
        line(f, y, Line::styled("Falcon Player — no authentication: anyone on the network can control it", t.fg(t.warn)));
        y += 1;
        for (i, h) in hosts.iter().enumerate() {
            let selected = self.list.selected == n_wled + i;
            let base = if selected { t.selected() } else { t.fg(t.fg) };
            let status = h.live.as_ref().and_then(|l| l.status.as_ref());
            let err = h.live.as_ref().and_then(|l| l.error.clone());
            let mut spans = vec![Span::styled(format!("{:<12}", h.host.name), base.add_modifier(Modifier::BOLD))];
            match (status, &err) {
                (_, Some(e)) => spans.push(Span::styled(format!(" unreachable: {e}"), t.fg(t.error))),
                (Some(s), None) => {
                    let st = if s.playing() { t.fg(t.ok) } else { t.muted() };
                    spans.push(Span::styled(format!(" {:<8}", s.state_name()), st));
                    if s.playing() {
                        let p = &s.current_playlist;
                        spans.push(Span::raw(format!(" {} · item {}/{} {}", p.playlist, p.index, p.count, p.description)));
                    } else if !s.next_playlist.playlist.is_empty() {
                        spans.push(Span::raw(format!(" next {} {}", s.next_playlist.playlist, s.next_playlist.start_time)));
                    }
                }
                _ => spans.push(Span::styled(" …", t.muted())),
            }
            line(f, y, Line::from(spans));
            y += 1;
            if y < fpp_area.bottom() {
                let (ratio, label) = match status.and_then(|s| s.progress().map(|r| (r, s))) {
                    Some((r, s)) => (r, format!("{} / {}", mmss(s.seconds_elapsed), mmss(s.seconds_elapsed + s.seconds_remaining))),
                    None => (0.0, "idle".to_string()),
                };
                let gauge = LineGauge::default()
                    .ratio(ratio.clamp(0.0, 1.0))
                    .label(label)
                    .filled_style(t.fg(t.accent))
                    .unfilled_style(t.muted());
                f.render_widget(gauge, Rect { x: fpp_area.x + 2, y, width: fpp_area.width.saturating_sub(2), height: 1 });
            }
            y += 1;
            let version = status.map(|s| s.version.clone()).unwrap_or_else(|| h.host.version.clone());
            let site = h.host.site.as_deref().map(|s| format!(" · site {s}")).unwrap_or_default();
            line(f, y, Line::styled(format!("  {} · FPP {version}{site} · no authentication", h.host.address), t.muted()));
            y += 1;
        }
    }

    fn render_detail(&self, f: &mut Frame, area: Rect, v: &View) {
        let Some(d) = &self.detail else { return };
        let t = v.theme;
        let live = self.devices.iter().find(|r| r.device.name == d.device.name).and_then(|r| r.live.clone());
        let link = live.as_ref().map(|l| l.link).unwrap_or(Link::Polled);
        let mut lines = vec![
            Line::from(vec![
                Span::styled(d.device.name.clone(), t.title()),
                Span::raw(format!(" at {} · ", d.device.address)),
                Span::styled(link.as_str(), link_style(t, link)),
            ]),
            Line::styled(
                format!("\"{}\" · WLED {} · {} LEDs · {}", d.info.name, d.info.ver, d.info.leds.count, d.info.kind()),
                t.muted(),
            ),
        ];
        let (on, bri) = live.as_ref().map(|l| (l.on, l.bri)).unwrap_or((d.state.on, d.state.bri));
        let bar = (usize::from(bri) * 20).div_ceil(255);
        lines.push(Line::from(vec![
            Span::styled(if on { "ON " } else { "OFF" }, if on { t.fg(t.ok) } else { t.muted() }),
            Span::raw(format!("  brightness {bri:>3} ")),
            Span::styled("█".repeat(bar), t.fg(t.accent)),
            Span::styled("░".repeat(20 - bar), t.muted()),
            Span::raw(format!(
                "  transition {}",
                d.state.transition.map(|x| format!("{:.1}s", f64::from(x) / 10.0)).unwrap_or_else(|| "-".into())
            )),
        ]));
        let preset = live.as_ref().map(|l| l.preset).unwrap_or(d.state.ps);
        let playlist = live.as_ref().map(|l| l.playlist).unwrap_or(d.state.pl);
        let pname = |id: i16| {
            self.presets.iter().find(|p| i16::from(p.id) == id).map(|p| format!("{id} {}", p.name)).unwrap_or_else(|| {
                if id < 0 { "none".into() } else { id.to_string() }
            })
        };
        lines.push(Line::raw(format!("preset {} · playlist {}", pname(preset), pname(playlist))));
        lines.push(Line::styled("SEG LEDS      POWER BRI  COLOR    EFFECT          PALETTE      SPD INT", t.title()));
        for s in d.state.seg.iter().filter(|s| s.active()) {
            let c = s.col.first().copied().unwrap_or_default();
            lines.push(Line::from(vec![
                Span::raw(format!("{:<3} {:<9} {:<5} {:<4} ", s.id.unwrap_or(0), format!("{}–{}", s.start.unwrap_or(0), s.stop.unwrap_or(0)), if s.on.unwrap_or(true) { "on" } else { "off" }, s.bri.unwrap_or(255))),
                Span::styled("██", Style::default().fg(swatch(t, &c.hex()))),
                Span::raw(format!(
                    " {} {:<15} {:<12} {:>3} {:>3}",
                    c.hex(),
                    trunc(&list_name(&d.effects, s.fx), 15),
                    trunc(&list_name(&d.palettes, s.pal), 12),
                    s.sx.unwrap_or(0),
                    s.ix.unwrap_or(0)
                )),
            ]));
        }
        lines.push(Line::default());
        let mut spans = vec![Span::styled("Presets: ", t.title())];
        if self.presets.is_empty() {
            spans.push(Span::styled("none saved (: wled_preset_save)", t.muted()));
        }
        for p in &self.presets {
            let current = i16::from(p.id) == preset || i16::from(p.id) == playlist;
            let label = format!("{} {}{}", p.id, p.name, if p.playlist.is_some() { " ▶" } else { "" });
            spans.push(Span::styled(label, if current { t.selected() } else { t.fg(t.fg) }));
            spans.push(Span::raw("  "));
        }
        lines.push(Line::from(spans));
        lines.push(Line::styled(
            format!("{} effects · {} palettes on this device", d.effects.len(), d.palettes.len()),
            t.muted(),
        ));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }

    fn render_schedules(&self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        if self.schedules.is_empty() {
            let text = "No light schedules. Add one with : wled_schedule_add name=evening cron=\"0 18 * * *\" \
                        target=porch action=on (action: on, off, preset:ID, playlist:ID).";
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), area);
            return;
        }
        let header = Row::new(["NAME", "CRON", "TARGET", "ACTION", "NEXT RUN", "MISSED"]).style(t.title());
        let rows: Vec<Row> = self
            .schedules
            .iter()
            .map(|s| {
                let missed = s.schedule.missed.len();
                Row::new(vec![
                    Cell::from(s.schedule.name.clone()),
                    Cell::from(s.schedule.cron.clone()),
                    Cell::from(s.schedule.target.clone()),
                    Cell::from(s.schedule.action.to_string()),
                    Cell::from(if s.schedule.enabled { s.next_local.clone().unwrap_or_else(|| "never".into()) } else { "disabled".into() }),
                    Cell::from(if missed == 0 { "-".into() } else { missed.to_string() })
                        .style(if missed == 0 { t.muted() } else { t.fg(t.warn) }),
                ])
            })
            .collect();
        let widths = [
            Constraint::Min(8),
            Constraint::Length(13),
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Length(24),
            Constraint::Length(6),
        ];
        f.render_widget(Table::new(rows, widths).header(header), area);
    }
}

fn wled_row<'a>(t: &Theme, d: &WledDevice, l: &LiveState) -> Row<'a> {
    let power = if l.link == Link::Offline { "—" } else if l.on { "on" } else { "off" };
    Row::new(vec![
        Cell::from("██").style(Style::default().fg(if l.on { swatch(t, &l.color) } else { t.muted })),
        Cell::from(d.name.clone()),
        Cell::from(power).style(if l.on { t.fg(t.ok) } else { t.muted() }),
        Cell::from(l.bri.to_string()),
        Cell::from(l.effect.clone()),
        Cell::from(l.palette.clone()),
        Cell::from(l.link.as_str()).style(link_style(t, l.link)),
        Cell::from(d.site.clone().unwrap_or_else(|| "-".into())),
        Cell::from(d.version.clone()),
        Cell::from(d.led_count.to_string()),
    ])
}

fn trunc(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn mmss(secs: u64) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}
