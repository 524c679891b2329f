//! Drawing pane 8: the transcript (or, before the first request, what to
//! type and who answers), the context offered from the other pane, the
//! request box and a hint line built from the live keymap; the conversation
//! list in place of the transcript while it is open. Only the transcript
//! lines on screen are cloned out of its cache each frame.

use super::{AiPane, Focus, KEYS, LIST_KEYS};
use crate::tui::app::View;
use crate::tui::keymap::Section;
use crate::tui::widgets::{hint_line, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Wrap};

/// What the offline interpreter understands, said once on the empty pane.
const UNDERSTANDS: &str = "start/stop/restart/upgrade a deployment, logs of a device or deployment, back up a source now, verify a backup, turn a light on/off/to a brightness, preset or effect, run a command on servers, what is down, which rotations are due, what happened in the last hour";

pub fn render(p: &mut AiPane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let title = match (&p.title, p.focus) {
        (_, Focus::List) => " AI · conversations ".to_string(),
        (Some(title), _) => format!(" AI · {title} "),
        (None, _) => " AI ".to_string(),
    };
    let block = pane_block(title, t);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let ctx_rows = u16::from(p.context.is_some());
    let [body, ctx, rule, input, hints] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(ctx_rows),
        Constraint::Length(1),
        Constraint::Length(p.input.rows()),
        Constraint::Length(1),
    ])
    .areas(inner);
    match p.focus {
        Focus::List => conversations(p, f, body, v),
        _ if p.transcript.is_empty() => empty(p, f, body, v),
        _ => {
            p.transcript.tick(v.now);
            let lines = p.transcript.visible(body.width, usize::from(body.height), t);
            f.render_widget(Paragraph::new(lines).style(t.base()), body);
        }
    }
    if let Some(c) = &p.context {
        let drop = v.keymap.key_for(&KEYS, "ai_context_drop");
        let text = format!("context: {} (from {}) · {drop} drops it", c.text, c.from);
        f.render_widget(Paragraph::new(Line::styled(text, t.muted())), ctx);
    }
    let state = match (p.generating, p.transcript.streaming()) {
        (true, true) => " replying… Esc stops ",
        (true, false) => " thinking… Esc stops ",
        _ => " request ",
    };
    let fill = usize::from(rule.width).saturating_sub(state.chars().count() + 1);
    let rule_line = Line::from(vec![
        Span::styled("─", t.border(false)),
        Span::styled(state, if p.generating { t.fg(t.accent) } else { t.muted() }),
        Span::styled("─".repeat(fill), t.border(false)),
    ]);
    f.render_widget(Paragraph::new(rule_line), rule);
    let focused = p.focus == Focus::Input;
    p.input.area.set_style(t.input());
    p.input.area.set_cursor_style(if focused { Style::default().add_modifier(Modifier::REVERSED) } else { t.input() });
    let hint = if focused {
        "say what you want · Enter sends · Esc leaves the box".to_string()
    } else {
        format!("{} to type a request", v.keymap.key_for(&KEYS, "ai_type"))
    };
    p.input.area.set_placeholder_text(hint);
    p.input.area.set_placeholder_style(t.muted().bg(t.input_bg));
    f.render_widget(&p.input.area, input);
    f.render_widget(Paragraph::new(Line::styled(hint_text(p, v, hints.width), t.muted())), hints);
}

fn hint_text(p: &AiPane, v: &View, width: u16) -> String {
    let k = |s: Section, a: &str| v.keymap.key_for(s, a);
    let hints: Vec<(String, &str)> = match p.focus {
        Focus::Input => vec![
            ("Enter".into(), "send"),
            ("Esc".into(), if p.generating { "stop" } else { "leave the box" }),
            ("↑↓".into(), "history"),
            ("Alt-Enter".into(), "new line"),
        ],
        Focus::Transcript => {
            let mut h: Vec<(String, &str)> = Vec::new();
            if p.transcript.selected_proposal().is_some() {
                h.extend([
                    (k(&KEYS, "ai_confirm"), "confirm"),
                    (k(&KEYS, "ai_reject"), "reject"),
                    (k(&KEYS, "ai_diff"), "diff"),
                    (k(&KEYS, "ai_edit"), "edit"),
                    (k(&KEYS, "ai_undo"), "undo"),
                    ("↑↓".into(), "cards"),
                ]);
            }
            h.extend([(k(&KEYS, "ai_type"), "type"), (k(&KEYS, "ai_conversations"), "conversations"), ("?".into(), "help")]);
            h
        }
        Focus::List => vec![
            ("Enter".into(), "resume"),
            (k(&LIST_KEYS, "ai_new"), "new"),
            (k(&LIST_KEYS, "ai_rename"), "rename"),
            (k(&LIST_KEYS, "ai_delete"), "delete"),
            (k(&LIST_KEYS, "ai_export"), "export"),
            ("Esc".into(), "back"),
        ],
    };
    hint_line(&hints, width)
}

fn empty(p: &AiPane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    let who = match &p.provider {
        Some(provider) => Line::from(vec![Span::styled("Provider: ", t.muted()), Span::styled(provider.clone(), t.fg(t.ok))]),
        None => Line::from(vec![
            Span::styled("No provider configured ([ai] in config.toml): ", t.muted()),
            Span::styled("the offline interpreter answers.", t.fg(t.warn)),
        ]),
    };
    let lines = vec![
        Line::styled("Say what you want in plain words. homedeck proposes the exact commands, shows what they will change, and runs them only when you confirm.", t.fg(t.fg)),
        Line::default(),
        who,
        Line::styled(format!("It understands: {UNDERSTANDS}."), t.muted()),
        Line::default(),
        Line::styled("Try:", t.fg(t.fg)),
        Line::styled("  turn the porch light to 30 %", t.fg(t.accent)),
        Line::styled("  back up nodered now", t.fg(t.accent)),
        Line::styled("  which servers are down?", t.fg(t.accent)),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).style(t.base()), area);
}

fn conversations(p: &mut AiPane, f: &mut Frame, area: Rect, v: &View) {
    let t = v.theme;
    if p.conversations.is_empty() {
        let new = v.keymap.key_for(&LIST_KEYS, "ai_new");
        let text = format!("No conversations yet. {new} starts one; Esc goes back.");
        f.render_widget(Paragraph::new(Line::styled(text, t.muted())).wrap(Wrap { trim: false }), area);
        return;
    }
    let rows: Vec<Row> = p
        .shown()
        .into_iter()
        .map(|c| Row::new(vec![c.title.clone(), c.messages.to_string(), c.updated.clone()]))
        .collect();
    let header = Row::new(vec!["title", "messages", "updated"]).style(t.title());
    let widths = [Constraint::Min(20), Constraint::Length(8), Constraint::Length(16)];
    p.list.render_table(f, area, header, rows, &widths, t);
}
