//! What happens when a form is submitted or the palette line is run: the
//! glue between the modal widgets and the jobs they start. Kept apart from
//! `app.rs` so the key routing there stays short.

use crate::engine::{Command, Permission};
use crate::tui::app::{App, Level, Overlay, Purpose};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::form::{Field, Form, Owner};
use crate::tui::palette::{self, Palette};
use crate::tui::panes::pane::Submit;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Map, Value};

/// A submitted form: the pane that opened it turns it into a job, a
/// confirmation or a message, or it stays open with an error.
pub fn form(app: &mut App, mut f: Form) {
    let owner = match &mut f.owner {
        Owner::Palette { json } => {
            let json = std::mem::take(json);
            return palette_secrets(app, f, json);
        }
        Owner::Pane(id) => *id,
    };
    match app.panes.get_mut(owner).submit(&mut f) {
        Ok(Submit::Run(c)) => run_keeping(app, c, f),
        Ok(Submit::Confirm(c)) => app.overlay = Some(Overlay::Confirm(c)),
        Ok(Submit::Say(msg)) => app.say(msg, Level::Info),
        Err(e) => keep_open(app, f, e),
    }
}

/// The masked values of a palette line's secret arguments go into its JSON.
fn palette_secrets(app: &mut App, mut f: Form, mut json: Map<String, Value>) {
    for i in 0..f.fields.len() {
        let name = f.fields[i].label.clone();
        if let Some(input) = f.input_mut(i) {
            // serde needs the value as JSON; it lives only until the
            // command is built, then inside its SecretValue.
            json.insert(name, Value::String(input.take_secret().expose().to_string()));
        }
    }
    if let Err(e) = finish_palette(app, json) {
        app.say(e, Level::Error);
    }
}

/// Run the form's command, keeping the form (secrets cleared) to show again
/// if the engine refuses it.
fn run_keeping(app: &mut App, c: Command, mut f: Form) {
    f.clear_masked();
    f.error = None;
    app.retry = Some((c.name(), f));
    app.run(c, Purpose::Action);
}

fn keep_open(app: &mut App, mut f: Form, error: String) {
    f.error = Some(error);
    app.overlay = Some(Overlay::Form(f));
}

/// Keys in the palette.
pub fn palette_key(app: &mut App, mut p: Palette, key: &KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return,
        KeyCode::Enter => return run_line(app, p),
        KeyCode::Tab => p.complete(),
        KeyCode::Up => p.walk_history(&app.history, true),
        KeyCode::Down => p.walk_history(&app.history, false),
        KeyCode::Char('n') if ctrl => p.selected = (p.selected + 1).min(p.matches().len().saturating_sub(1)),
        KeyCode::Char('p') if ctrl => p.selected = p.selected.saturating_sub(1),
        _ => {
            if p.input.handle(key) {
                p.selected = 0;
                p.error = None;
                p.history_pos = None;
            }
        }
    }
    app.overlay = Some(Overlay::Palette(p));
}

fn run_line(app: &mut App, mut p: Palette) {
    // `:site NAME` is the console's own filter, not an engine command.
    if let Some(site) = crate::tui::site_filter::parse(p.input.text()) {
        match site {
            Ok(site) => {
                let line = p.input.text().trim().to_string();
                if app.history.last() != Some(&line) {
                    app.history.push(line);
                }
                crate::tui::site_filter::apply(app, site);
            }
            Err(e) => {
                p.error = Some(e);
                app.overlay = Some(Overlay::Palette(p));
            }
        }
        return;
    }
    // A partial name runs the highlighted match.
    let head = p.input.text().split_whitespace().next().unwrap_or("").to_string();
    if crate::engine::command::spec(&head).is_none() && !head.is_empty() {
        p.complete();
    }
    let line = p.input.text().trim().to_string();
    let parsed = match palette::parse(&line) {
        Ok(parsed) => parsed,
        Err(e) => {
            p.error = Some(e);
            app.overlay = Some(Overlay::Palette(p));
            return;
        }
    };
    if app.history.last() != Some(&line) {
        app.history.push(line);
    }
    let secrets = parsed.secret_args();
    if !secrets.is_empty() {
        let fields = secrets.iter().map(|name| Field::masked(name)).collect();
        let form = Form::palette(parsed.spec.name, parsed.json, fields)
            .intro("Secret arguments are typed here, masked, never in the palette line.");
        app.overlay = Some(Overlay::Form(form));
        return;
    }
    if let Err(e) = finish_palette(app, parsed.json) {
        p.error = Some(e);
        app.overlay = Some(Overlay::Palette(p));
    }
}

/// Build the command with serde; run it, or confirm first when dangerous.
fn finish_palette(app: &mut App, json: Map<String, Value>) -> Result<(), String> {
    let command: Command = palette::build(json)?;
    if command.spec().class == Permission::Dangerous {
        app.overlay = Some(Overlay::Confirm(Confirm {
            title: "Dangerous command".into(),
            message: format!("{} cannot be undone. Run it?", command.name()),
            on_yes: OnYes::Run(Box::new(command)),
        }));
    } else {
        app.run(command, Purpose::Palette);
    }
    Ok(())
}
