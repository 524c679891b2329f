//! The proposal card: what the AI wants to run, drawn from the engine's own
//! preview — the command line, its class, the summary, the targets, each
//! change as `from → to`, the head of the diff (all of it after `d`), what
//! undo would run, and the status with the keys that act on it. The card is
//! a view model owned by the pane (`ProposalView`), filled from the engine's
//! structured `Preview` at the seam (`ai_domain.rs`), so it draws the same
//! whichever side produced it and is tested without an engine. Its class and
//! status are the engine's own types (`Permission`, `ActionStatus`), never
//! copies parsed back from text.

use super::ai_wrap::{styled, width_of, wrap_styled};
use crate::engine::Permission;
use crate::engine::views::ai::ActionStatus;
use crate::tui::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// One changed value: `bri 255 → 77`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub what: String,
    pub from: String,
    pub to: String,
}

/// A proposal as the pane draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalView {
    /// The engine's action id.
    pub id: u64,
    /// The command's name (what a dangerous proposal asks to be typed back).
    pub command: String,
    /// The whole command as a palette line (`wled_set name=porch bri=77`).
    pub line: String,
    pub class: Permission,
    pub summary: String,
    pub targets: Vec<String>,
    pub changes: Vec<Change>,
    /// A unified diff (config edits).
    pub diff: Option<String>,
    /// What undo runs, recorded when it ran (`None`: cannot be undone).
    pub inverse: Option<String>,
    /// What the preview says about undoing it, before it runs.
    pub undo_note: Option<String>,
    /// Why there is no preview, for commands that cannot compute one.
    pub unavailable: Option<String>,
    /// What else the preview says (a restart that follows, why no undo).
    pub notes: Vec<String>,
    /// Why it was proposed (one line from the model or interpreter).
    pub reason: String,
    pub status: ActionStatus,
    /// When a running action started (from the engine).
    pub started: Option<chrono::DateTime<chrono::Utc>>,
    /// Whole seconds it has run, as of the last frame (`Transcript::tick`).
    pub elapsed: Option<u64>,
    /// A running action's latest progress line (`nas: step 2 of 3`).
    pub progress: Option<String>,
    /// The outcome's summary or the error, once it ran.
    pub result: Option<String>,
}

/// Diff lines shown before `d` opens the rest.
pub const DIFF_HEAD: usize = 6;

fn status_style(s: ActionStatus, t: &Theme) -> Style {
    match s {
        ActionStatus::Proposed => t.fg(t.warn).add_modifier(Modifier::BOLD),
        ActionStatus::Confirmed | ActionStatus::Running => t.fg(t.accent).add_modifier(Modifier::BOLD),
        ActionStatus::Done => t.fg(t.ok).add_modifier(Modifier::BOLD),
        ActionStatus::Failed => t.fg(t.error).add_modifier(Modifier::BOLD),
        ActionStatus::Rejected => t.muted(),
        ActionStatus::RolledBack => t.fg(t.warn),
    }
}

/// What the keys do to this card now (its footer).
fn keys_hint(p: &ProposalView) -> Option<String> {
    match p.status {
        ActionStatus::Proposed if p.class == Permission::Dangerous => {
            Some(format!("y confirm (type {} back)  n reject  d diff  e edit", p.command))
        }
        ActionStatus::Proposed => Some("y confirm  n reject  d diff  e edit".into()),
        ActionStatus::Done if p.inverse.is_some() => Some("u undo".into()),
        _ => None,
    }
}

/// How long a running action has run: `12 s`, `3 min 05 s`, `1 h 02 min`.
pub fn elapsed_text(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3600, secs % 3600 / 60),
    }
}

/// The card's lines at `width` columns: a frame (highlighted when
/// `selected`) around its fields.
pub fn lines(p: &ProposalView, width: u16, t: &Theme, selected: bool, full_diff: bool) -> Vec<Line<'static>> {
    let width = usize::from(width.max(12));
    let inner = width - 4;
    let border = t.border(selected);
    let mut body: Vec<Vec<Span<'static>>> = Vec::new();
    let add = |body: &mut Vec<Vec<Span<'static>>>, text: &str, style: Style| {
        body.extend(wrap_styled(&styled(text, style), inner));
    };
    add(&mut body, &p.line, t.fg(t.accent).add_modifier(Modifier::BOLD));
    if !p.summary.is_empty() {
        add(&mut body, &p.summary, t.fg(t.fg));
    }
    if !p.targets.is_empty() {
        add(&mut body, &format!("targets: {}", p.targets.join(", ")), t.fg(t.fg));
    }
    for c in &p.changes {
        let text = format!("{}  {} → {}", c.what, c.from, c.to);
        add(&mut body, &text, t.fg(t.fg));
    }
    if !p.reason.is_empty() {
        add(&mut body, &format!("why: {}", p.reason), t.muted());
    }
    if let Some(why) = &p.unavailable {
        add(&mut body, &format!("no preview: {why}"), t.fg(t.warn));
    }
    for n in &p.notes {
        add(&mut body, n, t.muted());
    }
    if let Some(diff) = &p.diff {
        let all: Vec<&str> = diff.lines().collect();
        let shown = if full_diff { all.len() } else { all.len().min(DIFF_HEAD) };
        for l in &all[..shown] {
            let style = if l.starts_with('+') && !l.starts_with("+++") {
                t.fg(t.ok)
            } else if l.starts_with('-') && !l.starts_with("---") {
                t.fg(t.error)
            } else {
                t.muted()
            };
            // Diff lines keep their columns: cut, never re-flowed.
            let text = if width_of(l) > inner { super::ai_wrap::cut(l, inner) } else { (*l).to_string() };
            body.push(vec![Span::styled(text, style)]);
        }
        if shown < all.len() {
            add(&mut body, &format!("… {} more diff lines (d: full diff)", all.len() - shown), t.muted());
        }
    }
    if p.status == ActionStatus::Running {
        let mut text = match p.elapsed {
            Some(secs) => format!("running {}", elapsed_text(secs)),
            None => "starting".to_string(),
        };
        if let Some(progress) = &p.progress {
            text.push_str(&format!(" · {progress}"));
        }
        add(&mut body, &text, t.fg(t.accent));
    }
    if let Some(result) = &p.result {
        let style = if p.status == ActionStatus::Failed { t.fg(t.error) } else { t.fg(t.fg) };
        add(&mut body, result, style);
    }
    match (&p.inverse, &p.undo_note, p.status) {
        (Some(inv), _, ActionStatus::Done) => add(&mut body, &format!("undo: {inv}"), t.muted()),
        (_, Some(note), ActionStatus::Proposed) => add(&mut body, &format!("undo: {note}"), t.muted()),
        _ => {}
    }
    if let Some(hint) = keys_hint(p) {
        add(&mut body, &hint, t.muted());
    }

    let mut out = Vec::with_capacity(body.len() + 2);
    let head = format!(" action {} · {} · {} ", p.id, p.class.as_str(), p.status.as_str());
    let head = if width_of(&head) + 3 > width { super::ai_wrap::cut(&head, width - 3) } else { head };
    let fill = width.saturating_sub(width_of(&head) + 3);
    let class_style = if p.class == Permission::Dangerous { t.fg(t.critical).add_modifier(Modifier::BOLD) } else { status_style(p.status, t) };
    out.push(Line::from(vec![
        Span::styled("╭─", border),
        Span::styled(head, class_style),
        Span::styled(format!("{}╮", "─".repeat(fill)), border),
    ]));
    for row in body {
        let used: usize = row.iter().map(|s| s.width()).sum();
        let mut spans = vec![Span::styled("│ ", border)];
        spans.extend(row);
        spans.push(Span::raw(" ".repeat(inner.saturating_sub(used))));
        spans.push(Span::styled(" │", border));
        out.push(Line::from(spans));
    }
    out.push(Line::styled(format!("╰{}╯", "─".repeat(width - 2)), border));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> ProposalView {
        ProposalView {
            id: 1,
            command: "wled_set".into(),
            line: "wled_set name=porch bri=77".into(),
            class: Permission::Write,
            summary: "Set porch to 30 % brightness".into(),
            targets: vec!["porch".into()],
            changes: vec![Change { what: "bri".into(), from: "255".into(), to: "77".into() }],
            diff: Some((0..10).map(|i| format!("+line {i}")).collect::<Vec<_>>().join("\n")),
            inverse: Some("wled_set name=porch bri=255".into()),
            undo_note: None,
            unavailable: None,
            notes: Vec::new(),
            reason: String::new(),
            status: ActionStatus::Proposed,
            started: None,
            elapsed: None,
            progress: None,
            result: None,
        }
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn a_card_is_framed_at_its_width_and_shows_the_change() {
        let t = Theme::default();
        let rows = text(&lines(&sample(), 40, &t, true, false));
        assert!(rows.iter().all(|r| width_of(r) == 40), "{rows:#?}");
        assert!(rows.iter().any(|r| r.contains("bri  255 → 77")));
        assert!(rows.iter().any(|r| r.contains("4 more diff lines")));
        assert!(rows.last().unwrap().starts_with('╰'));
        let full = text(&lines(&sample(), 40, &t, true, true));
        assert!(full.iter().any(|r| r.contains("+line 9")));
    }

    #[test]
    fn a_running_card_shows_how_long_and_its_latest_line() {
        let t = Theme::default();
        let mut p = sample();
        p.status = ActionStatus::Running;
        assert!(text(&lines(&p, 60, &t, false, false)).iter().any(|r| r.contains("starting")));
        p.elapsed = Some(65);
        p.progress = Some("porch: step 2 of 3".into());
        let rows = text(&lines(&p, 60, &t, false, false));
        assert!(rows.iter().any(|r| r.contains("running 1 min 05 s · porch: step 2 of 3")), "{rows:#?}");
        assert_eq!(elapsed_text(12), "12 s");
        assert_eq!(elapsed_text(3720), "1 h 02 min");
    }

    #[test]
    fn a_dangerous_card_says_what_to_type_and_a_done_one_offers_undo() {
        let t = Theme::default();
        let mut p = sample();
        p.class = Permission::Dangerous;
        assert!(text(&lines(&p, 60, &t, false, false)).iter().any(|r| r.contains("type wled_set back")));
        p.status = ActionStatus::Done;
        let rows = text(&lines(&p, 60, &t, false, false));
        assert!(rows.iter().any(|r| r.contains("u undo")), "{rows:#?}");
        assert!(rows.iter().any(|r| r.contains("undo: wled_set name=porch bri=255")));
    }
}
