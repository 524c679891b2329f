//! The Servers pane: every box with its state, CPU/memory/disk, load,
//! uptime and an hour of CPU as a sparkline; a detail view with charts; the
//! output of the newest command run, one pane per server. Keys become
//! [`Step`]s; engine answers and events arrive through `servers_domain.rs`.

use super::server_forms;
use super::server_output::RunOutput;
use crate::engine::Command;
use crate::engine::views::servers::HealthState;
use crate::engine::views::servers::{ServerDetail, ServerView, sparkline};
use crate::tui::app::{Step, View};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::keymap::{Nav, SectionSpec, Verb, ViewSpec};
use crate::tui::theme::Theme;
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use std::collections::BTreeSet;

/// The `[servers]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "servers",
    views: &[
        ViewSpec { name: "server_mark", desc: "Mark / unmark the selected server for a bulk command" },
        ViewSpec { name: "server_output", desc: "Show the output of the last command run" },
    ],
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    List,
    Detail,
    Output,
}

#[derive(Default)]
pub struct ServersPane {
    pub rows: Vec<ServerView>,
    pub loaded: bool,
    pub list: ListView,
    pub marked: BTreeSet<String>,
    pub mode: Mode,
    pub detail: Option<ServerDetail>,
    pub output: Option<RunOutput>,
}

pub fn state_style(state: Option<HealthState>, t: &Theme) -> (&'static str, Style) {
    match state {
        Some(HealthState::Up) => ("● up", t.fg(t.ok)),
        Some(HealthState::Degraded) => ("▲ degraded", t.fg(t.warn)),
        Some(HealthState::Down) => ("✖ down", t.fg(t.error)),
        Some(HealthState::Unknown) => ("? unknown", t.muted()),
        None => ("… polling", t.muted()),
    }
}

fn pct(v: Option<f32>) -> String {
    v.map(|p| format!("{p:>3.0}%")).unwrap_or_else(|| "   -".into())
}

impl ServersPane {
    pub fn set_rows(&mut self, rows: Vec<ServerView>) {
        self.rows = rows;
        self.loaded = true;
        self.marked.retain(|m| self.rows.iter().any(|r| r.server.name == *m));
        let n = self.visible().len();
        self.list.clamp(n);
    }

    pub fn visible(&self) -> Vec<&ServerView> {
        self.rows
            .iter()
            .filter(|r| {
                let s = &r.server;
                self.list.shows(&format!("{} {} {} {}", s.name, s.host, s.tags.join(" "), s.site.as_deref().unwrap_or("")), s.site.as_deref())
            })
            .collect()
    }

    fn selected(&self) -> Option<&ServerView> {
        if self.mode == Mode::Detail {
            let name = &self.detail.as_ref()?.view.server.name;
            return self.rows.iter().find(|r| r.server.name == *name);
        }
        self.visible().get(self.list.selected).copied()
    }

    fn selected_name(&self) -> Option<String> {
        self.selected().map(|r| r.server.name.clone())
    }

    /// The marked servers, or the selected one, for the AI pane.
    pub(crate) fn ai_context(&self) -> Option<String> {
        match self.marked.len() {
            0 => self.selected_name().map(|n| format!("server:{n}")),
            _ => Some(format!("server:{}", self.targets())),
        }
    }

    /// Marked servers, or the selected one.
    fn targets(&self) -> String {
        if self.marked.is_empty() {
            self.selected_name().unwrap_or_default()
        } else {
            self.marked.iter().cloned().collect::<Vec<_>>().join(",")
        }
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        if self.mode == Mode::List && self.list.navigate(action, self.visible().len()) {
            return Step::Nothing;
        }
        let need = |name: Option<String>, f: &dyn Fn(String) -> Step| match name {
            Some(n) => f(n),
            None => Step::Status("select a server first (j/k)".into()),
        };
        let builtin = |name: &str| name == crate::engine::views::servers::LOCAL;
        match action.name() {
            "back" if self.mode != Mode::List => {
                self.mode = Mode::List;
                Step::Nothing
            }
            "open" => need(self.selected_name(), &|name| Step::Run(Command::ServerShow { name })),
            "server_add" => Step::Form(server_forms::add()),
            "server_edit" => match self.selected() {
                Some(r) if builtin(&r.server.name) => Step::Status("`local` is built in and cannot be edited".into()),
                Some(r) => Step::Form(server_forms::edit(&r.server)),
                None => Step::Status("select a server first (j/k)".into()),
            },
            "server_test" => need(self.selected_name(), &|name| Step::Run(Command::ServerTest { name })),
            "server_trust" => need(self.selected_name(), &|name| {
                Step::Confirm(Confirm {
                    title: "Trust host key".into(),
                    message: format!("Accept the host key {name} presents now as its pin? Check the fingerprint on the server's console first (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)."),
                    on_yes: OnYes::Run(Box::new(Command::ServerTrust { name, fingerprint: None })),
                })
            }),
            "server_remove" => match self.selected_name() {
                Some(n) if builtin(&n) => Step::Status("`local` is built in and cannot be removed".into()),
                other => need(other, &|name| {
                    Step::Confirm(Confirm {
                        title: "Remove server".into(),
                        message: format!("Remove {name} and its health history? Its vault secrets stay."),
                        on_yes: OnYes::Run(Box::new(Command::ServerRemove { name })),
                    })
                }),
            },
            "server_mark" => {
                if let Some(n) = self.selected_name() {
                    if !self.marked.remove(&n) {
                        self.marked.insert(n);
                    }
                    let len = self.visible().len();
                    self.list.navigate(Verb::Nav(Nav::Down), len);
                }
                Step::Nothing
            }
            "server_exec" => match &self.output {
                // Run again: the same servers and command line, ready to edit.
                Some(o) if self.mode == Mode::Output => {
                    let t: Vec<&str> = o.servers.iter().map(|s| s.name.as_str()).collect();
                    Step::Form(server_forms::exec(&t.join(","), Some(&o.command)))
                }
                _ => {
                    let t = self.targets();
                    if t.is_empty() {
                        Step::Status("select or mark servers first".into())
                    } else {
                        Step::Form(server_forms::exec(&t, None))
                    }
                }
            },
            "server_output" => match self.output {
                Some(_) => {
                    self.mode = Mode::Output;
                    Step::Nothing
                }
                None => Step::Status("no command has run yet: press ‹server_exec› to run one".into()),
            },
            "server_exec_cancel" => match &self.output {
                Some(o) if o.running() => Step::Run(Command::ServerExecCancel { run: o.run }),
                _ => Step::Status("no command run is going".into()),
            },
            "server_health" => Step::Run(Command::ServerHealth { name: None }),
            _ => Step::Unhandled,
        }
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let title = match self.mode {
            Mode::List => " Servers ".to_string(),
            Mode::Detail => format!(" Servers › {} ", self.detail.as_ref().map(|d| d.view.server.name.as_str()).unwrap_or("")),
            Mode::Output => " Servers › output ".to_string(),
        };
        let block = pane_block(title, t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let show_filter = self.mode == Mode::List && (self.list.filtering || !self.list.filter.is_empty());
        let [body, filter_area, hint_area] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(show_filter)), Constraint::Length(1)]).areas(inner);
        match (self.mode, &self.detail, &self.output) {
            (Mode::Detail, Some(d), _) => super::server_detail::render(f, body, d, v),
            (Mode::Output, _, Some(o)) => o.render(f, body, v),
            _ if !self.loaded => f.render_widget(Paragraph::new("Loading servers…").style(t.muted()), body),
            _ => self.render_table(f, body, v),
        }
        if show_filter {
            let mut line = self.list.filter.line(t.input(), self.list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::servers::KEYS, a);
        let hint = match self.mode {
            Mode::List => format!(
                "{} add  {} open  {} test  {} run  {} mark  {} output  {} edit  {} remove  / filter",
                k("server_add"), k("open"), k("server_test"), k("server_exec"),
                k("server_mark"), k("server_output"), k("server_edit"), k("server_remove")
            ),
            Mode::Detail => format!("{} test  {} trust key  {} run  Esc back", k("server_test"), k("server_trust"), k("server_exec")),
            Mode::Output => format!("{} cancel run  {} run again  Esc back", k("server_exec_cancel"), k("server_exec")),
        };
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
    }

    fn render_table(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let rows: Vec<&ServerView> = self.visible();
        if rows.is_empty() {
            let text = self.list.hidden_text("server");
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), area);
            return;
        }
        let only_local = self.rows.len() == 1;
        let spark_w = if area.width >= 110 { 30 } else if area.width >= 70 { 10 } else { 0 };
        let table_rows: Vec<Row> = rows
            .iter()
            .map(|r| {
                let h = r.health.as_ref();
                let s = h.and_then(|h| h.sample.as_ref());
                let (label, style) = state_style(h.map(|h| h.state), t);
                let mark = if self.marked.contains(&r.server.name) { "✓" } else { " " };
                let spark: Vec<Option<f32>> = r.cpu_hour.iter().rev().take(spark_w).rev().copied().collect();
                Row::new(vec![
                    Cell::from(Span::styled(mark, t.fg(t.accent))),
                    Cell::from(r.server.name.clone()),
                    Cell::from(Span::styled(label, style)),
                    Cell::from(pct(s.and_then(|s| s.cpu_pct))),
                    Cell::from(Span::styled(sparkline(&spark), t.fg(t.accent))),
                    Cell::from(pct(s.map(|s| s.mem_pct()))),
                    Cell::from(pct(s.map(|s| s.disk_max_pct()))),
                    Cell::from(s.map(|s| format!("{:.2}", s.load[0])).unwrap_or_else(|| "-".into())),
                    Cell::from(s.map(|s| crate::tui::clock::span(s.uptime_secs as i64)).unwrap_or_else(|| "-".into())),
                    Cell::from(r.server.site.clone().unwrap_or_else(|| "-".into())),
                    Cell::from(Span::styled(r.server.tags.join(","), t.muted())),
                ])
            })
            .collect();
        let spark_label = format!("CPU {spark_w}m");
        let header = Row::new(["", "NAME", "STATE", " CPU", spark_label.as_str(), " MEM", "DISK", "LOAD", "UP", "SITE", "TAGS"]).style(t.title());
        // NAME as wide as the longest name (8–32): at 200 columns the spare
        // room goes to TAGS, not to a mostly empty NAME column.
        let name_w = rows.iter().map(|r| r.server.name.chars().count()).max().unwrap_or(0).clamp(8, 32) as u16;
        let widths = [
            Constraint::Length(1),
            Constraint::Length(name_w),
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Length(spark_w as u16),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Min(0),
        ];
        // Why the selected server is not up, under the table.
        let why: Vec<String> = self.selected().and_then(|r| r.health.as_ref()).map(|h| h.reasons.clone()).unwrap_or_default();
        let why_h = u16::from(!why.is_empty()) * 2;
        let (table_area, note_area) = if only_local {
            let [a, b] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
            (a, Some(b))
        } else {
            let [a, b] = Layout::vertical([Constraint::Min(0), Constraint::Length(why_h)]).areas(area);
            if !why.is_empty() {
                let name = self.selected_name().unwrap_or_default();
                let text = format!("{name}: {}", why.join("; "));
                f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.fg(t.warn)), b);
            }
            (a, None)
        };
        self.list.render_table(f, table_area, header, table_rows, &widths, t);
        if let Some(note) = note_area {
            let k = v.keymap.key_for(&crate::tui::panes::servers::KEYS, "server_add");
            let text = if v.first_run {
                welcome(v)
            } else {
                vec![Line::from(format!(
                    "Only this machine so far. Press {k} to add a server (host, user, login by ssh-agent, password or a key in the vault), \
                     or run `homedeck server import-ssh-config` to bring in your ~/.ssh/config hosts."
                ))]
            };
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).style(t.muted()), note);
        }
    }
}

/// The first screen of a fresh install: what to do first, one key each.
pub(crate) fn welcome(v: &View) -> Vec<Line<'static>> {
    let t = v.theme;
    let servers = |a| v.keymap.key_for(&crate::tui::panes::servers::KEYS, a);
    let global = |a| v.keymap.key_for(&crate::tui::keymap::GLOBAL, a);
    let esphome = |a| v.keymap.key_for(&crate::tui::panes::esphome::KEYS, a);
    let step = |n: &str, key: String, text: String| {
        Line::from(vec![
            Span::styled(format!("{n} "), t.fg(t.accent)),
            Span::styled(key, t.fg(t.accent).add_modifier(ratatui::style::Modifier::BOLD)),
            Span::styled(format!("  {text}"), t.fg(t.fg)),
        ])
    };
    vec![
        Line::styled("Welcome to homedeck. Start here:", t.title()),
        step("1.", global("vault_init"), "create the vault — it keeps passwords, tokens and keys encrypted".into()),
        step("2.", format!("{} then {}", global("pane_1"), servers("server_add")), "add a server reached over SSH (or import ~/.ssh/config with the CLI)".into()),
        step(
            "3.",
            format!("{} then {}", global("pane_3"), esphome("esphome_discover")),
            "discover ESPHome devices; Lights and Backups are panes 4 and 5".into(),
        ),
        Line::styled(format!("{} lists every key · {} runs any command by name", global("help"), global("palette")), t.muted()),
    ]
}
