//! A preview as plain text: the card the CLI prints for `--dry-run`, the
//! AI pane shows as a proposal and an MCP client reads in its result. Plain
//! strings only; each front end styles them.

use super::Preview;
use crate::engine::command::Command;
use crate::engine::secret_value::REDACTED;
use serde_json::Value;

/// Diffs longer than this are cut on the card (the full one stays in
/// `Preview::diff`, which the AI pane shows with `d`).
const CARD_DIFF_LINES: usize = 40;

pub(super) fn lines(p: &Preview) -> Vec<String> {
    let mut out = vec![format!("{} ({}): {}", p.command, p.class.as_str(), p.summary)];
    if let Some(reason) = &p.unavailable {
        out.push(format!("  no preview: {reason}"));
    }
    if !p.targets.is_empty() {
        out.push(format!("  targets ({}): {}", p.targets.len(), p.targets.join(", ")));
    }
    for c in &p.changes {
        let from = c.from.as_deref().unwrap_or("(none)");
        let to = c.to.as_deref().unwrap_or("(none)");
        out.push(format!("  {} {}: {from} → {to}", c.target, c.field));
    }
    for n in &p.notes {
        out.push(format!("  note: {n}"));
    }
    if let Some(diff) = &p.diff {
        let all: Vec<&str> = diff.lines().collect();
        out.push("  diff:".to_string());
        out.extend(all.iter().take(CARD_DIFF_LINES).map(|l| format!("    {l}")));
        if all.len() > CARD_DIFF_LINES {
            out.push(format!("    … {} more diff lines", all.len() - CARD_DIFF_LINES));
        }
    }
    match p.inverses.as_slice() {
        [] if p.class.changes_state() && p.unavailable.is_none() => out.push("  undo: none (cannot be undone by a command)".into()),
        [] => {}
        [one] => out.push(format!("  undo: {}", command_line(one))),
        many => {
            out.push(format!("  undo ({} commands):", many.len()));
            out.extend(many.iter().map(|c| format!("    {}", command_line(c))));
        }
    }
    out
}

/// `name key=value …` as the palette and `homedeck run` read it back;
/// values with spaces are quoted, secret arguments are `[redacted]`.
pub fn command_line(command: &Command) -> String {
    let spec = command.spec();
    let mut out = spec.name.to_string();
    let v = serde_json::to_value(command).unwrap_or(Value::Null);
    let Some(obj) = v.as_object() else { return out };
    // In the table's order, so the line reads like its usage.
    for a in spec.args {
        let Some(x) = obj.get(a.name).filter(|x| !x.is_null()) else { continue };
        let text = if a.secret() {
            REDACTED.to_string()
        } else {
            match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        };
        out.push(' ');
        out.push_str(a.name);
        out.push('=');
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'') {
            out.push('"');
            out.push_str(&text.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        } else {
            out.push_str(&text);
        }
    }
    out
}
