//! The Secrets pane: vault state, the table of secrets (never their values),
//! one secret's detail with its access history, and the reveal popup that
//! hides itself after `vault.reveal_hide_secs`. State changes only through
//! the app loop; this file turns keys into [`Step`]s and state into pixels.

use super::secret_forms;
use crate::engine::views::vault::{SecretAccess, SecretMeta, VaultStatus};
use crate::engine::{Command, SecretValue};
use crate::tui::app::{Step, View};
use crate::tui::clock::{age, age_opt, span, span_until};
use crate::tui::keymap::{SectionSpec, Verb};
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::popup;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use crate::tui::widgets::pane_block;
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use std::time::{Duration, Instant};

/// The `[secrets]` keymap section: every key here runs an engine command.
pub const KEYS: SectionSpec = SectionSpec { name: "secrets", views: &[] };

/// A value on screen, and when it goes away.
pub struct Reveal {
    pub name: String,
    pub value: SecretValue,
    pub until: Instant,
}

pub struct SecretsPane {
    pub vault: Option<VaultStatus>,
    /// When the idle lock fires, from `locks_in_secs` at the last status.
    pub locks_at: Option<Instant>,
    pub rows: Vec<SecretMeta>,
    pub list: ListView,
    pub detail: Option<(SecretMeta, Vec<SecretAccess>)>,
    pub reveal: Option<Reveal>,
    /// How long a revealed value stays on screen (`vault.reveal_hide_secs`).
    pub reveal_hide: Duration,
}

impl SecretsPane {
    pub fn new(config: &crate::config::Config) -> SecretsPane {
        SecretsPane {
            vault: None,
            locks_at: None,
            rows: Vec::new(),
            list: ListView::default(),
            detail: None,
            reveal: None,
            reveal_hide: Duration::from_secs(config.vault.reveal_hide_secs.max(1)),
        }
    }

    pub fn set_status(&mut self, status: VaultStatus, now: Instant) {
        self.locks_at = status.locks_in_secs.filter(|_| status.unlocked).map(|s| now + Duration::from_secs(s));
        if !status.unlocked {
            self.reveal = None;
        }
        self.vault = Some(status);
    }

    pub fn set_rows(&mut self, rows: Vec<SecretMeta>) {
        if let Some((meta, _)) = &mut self.detail
            && let Some(fresh) = rows.iter().find(|r| r.id == meta.id)
        {
            *meta = fresh.clone();
        }
        self.rows = rows;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    pub fn unlocked(&self) -> bool {
        self.vault.as_ref().is_some_and(|v| v.unlocked)
    }

    pub fn locks_in(&self, now: Instant) -> Option<u64> {
        self.locks_remaining(now).map(|d| d.as_secs())
    }

    pub fn locks_remaining(&self, now: Instant) -> Option<Duration> {
        self.locks_at.filter(|_| self.unlocked()).map(|t| t.saturating_duration_since(now))
    }

    pub fn visible(&self) -> Vec<&SecretMeta> {
        self.rows
            .iter()
            .filter(|m| self.list.matches(&format!("{} {} {}", m.name, m.kind, m.note.as_deref().unwrap_or(""))))
            .collect()
    }

    fn selected_name(&self) -> Option<String> {
        if let Some((meta, _)) = &self.detail {
            return Some(meta.name.clone());
        }
        self.visible().get(self.list.selected).map(|m| m.name.clone())
    }

    /// Hide a revealed value if its time is up; returns whether it was hidden.
    pub fn expire_reveal(&mut self, now: Instant) -> bool {
        if self.reveal.as_ref().is_some_and(|r| r.until <= now) {
            self.reveal = None;
            return true;
        }
        false
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        let initialized = self.vault.as_ref().is_some_and(|v| v.initialized);
        if self.list.navigate(action, self.visible().len()) {
            return Step::Nothing;
        }
        let unlocked = self.unlocked();
        let need = |name: Option<String>, f: &dyn Fn(String) -> Step| match name {
            Some(n) => f(n),
            None if !initialized => Step::Status("no vault yet: press ‹vault_init› to create one".into()),
            None => Step::Status("select a secret first (j/k), or press ‹secret_add› to add one".into()),
        };
        // Forms whose value goes into the vault: unlock first, not after typing.
        let sealed = |form: crate::tui::form::Form| match (initialized, unlocked) {
            (false, _) => Step::Status("no vault yet: press ‹vault_init› to create one first".into()),
            (true, false) => Step::Unlock(Box::new(form)),
            (true, true) => Step::Form(form),
        };
        match action.name() {
            "back" if self.detail.is_some() => {
                self.detail = None;
                Step::Nothing
            }
            "vault_init" if initialized => Step::Status("the vault already exists; press ‹vault_unlock› to unlock it".into()),
            "vault_init" => Step::Form(secret_forms::vault_init()),
            "vault_unlock" if !initialized => Step::Status("no vault yet: press ‹vault_init› to create one".into()),
            "vault_unlock" => Step::Form(secret_forms::vault_unlock()),
            "vault_lock" => Step::Run(Command::VaultLock {}),
            "secret_add" => sealed(secret_forms::secret_add()),
            "open" => need(self.selected_name(), &|name| Step::Run(Command::SecretShow { name })),
            "secret_reveal" => need(self.selected_name(), &|name| Step::Run(Command::SecretReveal { name })),
            "secret_rotate" => need(self.selected_name(), &|name| sealed(secret_forms::rotate(name))),
            "secret_set_rotation" => {
                let days = self.selected_meta().and_then(|m| m.rotation_days);
                need(self.selected_name(), &|name| Step::Form(secret_forms::set_rotation(name, days)))
            }
            "secret_revoke" => need(self.selected_name(), &|name| Step::Form(secret_forms::revoke(name))),
            _ => Step::Unhandled,
        }
    }

    fn selected_meta(&self) -> Option<&SecretMeta> {
        let name = self.selected_name()?;
        self.rows.iter().find(|m| m.name == name)
    }

    pub fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let block = pane_block(" Secrets ", t);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let show_filter = self.list.filtering || !self.list.filter.is_empty();
        let [state_area, body, filter_area, hint_area] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(0),
            Constraint::Length(u16::from(show_filter)),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(Paragraph::new(self.state_line(v)).wrap(Wrap { trim: true }), state_area);
        if self.detail.is_some() {
            self.render_detail(f, body, v);
        } else if self.visible().is_empty() {
            f.render_widget(Paragraph::new(self.empty_text(v)).wrap(Wrap { trim: true }).style(t.muted()), body);
        } else {
            self.render_table(f, body, v);
        }
        if show_filter {
            let mut line = self.list.filter.line(t.input(), self.list.filtering);
            line.spans.insert(0, Span::styled("/", t.fg(t.accent)));
            f.render_widget(Paragraph::new(line), filter_area);
        }
        let k = |a| v.keymap.key_for(&crate::tui::panes::secrets::KEYS, a);
        let hint = if self.detail.is_some() {
            format!(
                "{} reveal  {} rotate  {} rotation days  {} revoke  Esc back",
                k("secret_reveal"),
                k("secret_rotate"),
                k("secret_set_rotation"),
                k("secret_revoke")
            )
        } else {
            format!(
                "{} add  {} open  {} reveal  {} rotate  {} days  {} revoke  {} lock  / filter",
                k("secret_add"),
                k("open"),
                k("secret_reveal"),
                k("secret_rotate"),
                k("secret_set_rotation"),
                k("secret_revoke"),
                k("vault_lock")
            )
        };
        f.render_widget(Paragraph::new(Line::styled(crate::tui::widgets::fit_hint(&hint, hint_area.width), t.muted())), hint_area);
        if let Some(r) = &self.reveal {
            render_reveal(f, area, r, v);
        }
    }

    fn state_line(&self, v: &View) -> Line<'static> {
        let t = v.theme;
        let k = |a| v.keymap.key_for(&crate::tui::panes::secrets::KEYS, a);
        let Some(s) = &self.vault else { return Line::styled("Vault: loading…", t.muted()) };
        if !s.initialized {
            return Line::from(vec![
                Span::styled("Vault: not initialised", t.fg(t.warn)),
                Span::raw(format!(" — press {} to create it (passphrase twice).", k("vault_init"))),
            ]);
        }
        let mut spans = if s.unlocked {
            let left = self.locks_in(v.instant).unwrap_or(0);
            vec![Span::styled("Vault: unlocked", t.fg(t.ok)), Span::raw(format!(" · locks in {}", crate::tui::clock::countdown(left)))]
        } else {
            vec![
                Span::styled("Vault: locked", t.fg(t.warn)),
                Span::raw(format!(" — press {} to unlock", k("vault_unlock"))),
            ]
        };
        spans.push(Span::raw(format!(" · {}", crate::tui::widgets::count(s.secrets, "secret", "secrets"))));
        if s.rotation_due > 0 {
            spans.push(Span::styled(format!(" · {} rotation due", s.rotation_due), t.fg(t.warn)));
        }
        if s.failed_unlocks > 0 {
            spans.push(Span::styled(format!(" · {}", crate::tui::widgets::count(s.failed_unlocks as u64, "failed unlock", "failed unlocks")), t.fg(t.error)));
        }
        Line::from(spans)
    }

    fn empty_text(&self, v: &View) -> String {
        let k = |a| v.keymap.key_for(&crate::tui::panes::secrets::KEYS, a);
        match &self.vault {
            Some(s) if !s.initialized => format!(
                "No vault yet. Press {} to create one: choose a passphrase (typed twice, never shown). \
                 Secrets are encrypted with a key derived from it.",
                k("vault_init")
            ),
            _ if !self.list.filter.is_empty() => "No secret matches the filter. Esc clears it.".into(),
            Some(s) if !s.unlocked && s.secrets == 0 => {
                format!(
                    "The vault is locked and empty. Press {} to unlock, then {} to add a secret.",
                    k("vault_unlock"),
                    k("secret_add")
                )
            }
            _ => format!(
                "No secrets yet. Press {} to add one (name, type, value, optional rotation days), or : secret_add.",
                k("secret_add")
            ),
        }
    }

    fn render_table(&mut self, f: &mut Frame, area: Rect, v: &View) {
        let t = v.theme;
        let now = v.now;
        let header =
            Row::new(["NAME", "TYPE", "VER", "CREATED", "ROTATED", "ROTATION", "READS", "LAST READ"]).style(t.title());
        let rows: Vec<Row> = self
            .visible()
            .into_iter()
            .map(|m| {
                let (rotation, style) = rotation_cell(m, v);
                let base = if m.revoked.is_some() { t.fg(t.critical).add_modifier(Modifier::DIM) } else { t.fg(t.fg) };
                Row::new(vec![
                    Cell::from(m.name.clone()),
                    Cell::from(m.kind.as_str()),
                    Cell::from(m.version.to_string()),
                    Cell::from(age(now, m.created)),
                    Cell::from(age_opt(now, m.last_rotated)),
                    Cell::from(rotation).style(style),
                    Cell::from(m.access_count.to_string()),
                    Cell::from(age_opt(now, m.last_access)),
                ])
                .style(base)
            })
            .collect();
        let widths = [
            Constraint::Min(12),
            Constraint::Length(11),
            Constraint::Length(3),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(12),
            Constraint::Length(5),
            Constraint::Length(9),
        ];
        self.list.render_table(f, area, header, rows, &widths, t);
    }

    fn render_detail(&self, f: &mut Frame, area: Rect, v: &View) {
        let Some((m, history)) = &self.detail else { return };
        let t = v.theme;
        let now = v.now;
        let (rotation, rot_style) = rotation_cell(m, v);
        let field =
            |k: &str, val: String| Line::from(vec![Span::styled(format!("{k:<14}"), t.muted()), Span::raw(val)]);
        let mut lines = vec![
            Line::styled(m.name.clone(), t.title()),
            field("type", m.kind.to_string()),
            field("version", m.version.to_string()),
            field("created", format!("{} ago", age(now, m.created))),
            field(
                "last rotated",
                m.last_rotated.map(|r| format!("{} ago", age(now, r))).unwrap_or_else(|| "never".into()),
            ),
            Line::from(vec![
                Span::styled(format!("{:<14}", "rotation"), t.muted()),
                Span::raw(m.rotation_days.filter(|d| *d > 0).map(|d| format!("every {d} d · ")).unwrap_or_default()),
                Span::styled(rotation, rot_style),
            ]),
            field(
                "reads",
                format!(
                    "{} (last {})",
                    m.access_count,
                    m.last_access.map(|a| format!("{} ago", age(now, a))).unwrap_or_else(|| "never".into())
                ),
            ),
            field("note", m.note.clone().unwrap_or_else(|| "—".into())),
        ];
        if let Some(r) = &m.revoked {
            lines.push(Line::styled(
                format!("REVOKED {} ago by {}: {}", age(now, r.at), r.by, r.reason),
                t.fg(t.critical),
            ));
        }
        lines.push(Line::default());
        lines.push(Line::styled(format!("Access history ({} most recent)", history.len()), t.title()));
        for a in history {
            let style = if a.ok { t.fg(t.fg) } else { t.fg(t.error) };
            lines.push(Line::styled(
                format!(
                    "  {:>5} ago  {:<14} {:<16} {}",
                    age(now, a.at),
                    a.action,
                    a.actor.to_string(),
                    if a.ok { "ok" } else { "DENIED" }
                ),
                style,
            ));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

/// The rotation column: REVOKED, overdue, due soon, or when.
fn rotation_cell(m: &SecretMeta, v: &View) -> (String, Style) {
    let t = v.theme;
    if m.revoked.is_some() {
        return ("REVOKED".into(), t.fg(t.critical).add_modifier(Modifier::BOLD));
    }
    match m.rotation_due_at() {
        None => ("—".into(), t.muted()),
        Some(due) if due <= v.now => {
            (format!("OVERDUE {}", span((v.now - due).num_seconds())), t.fg(t.error).add_modifier(Modifier::BOLD))
        }
        Some(due) if (due - v.now).num_days() < 7 => {
            (format!("due in {}", span_until((due - v.now).num_seconds())), t.fg(t.warn))
        }
        Some(due) => (format!("in {}", span_until((due - v.now).num_seconds())), t.fg(t.fg)),
    }
}

fn render_reveal(f: &mut Frame, area: Rect, r: &Reveal, v: &View) {
    let t = v.theme;
    let rect = popup::centered(area, 70, 8);
    let inner = popup::frame_popup(f, rect, &format!("Revealed: {}", r.name), t, t.revealed);
    let left = r.until.saturating_duration_since(v.instant).as_secs_f64().ceil() as u64;
    let lines = vec![
        Line::styled(r.value.expose().to_string(), t.fg(t.revealed).add_modifier(Modifier::BOLD)),
        Line::default(),
        Line::styled(format!("hides in {left} s — any key hides it now"), t.muted()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
