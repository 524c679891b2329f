//! What happens when a form is submitted or the palette line is run: the
//! glue between the modal widgets and the jobs they start. Kept apart from
//! `app.rs` so the key routing there stays short.

use crate::engine::{Command, Permission};
use crate::tui::app::{AfterUnlock, App, Level, Overlay, Purpose};
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
            // Cloned: the form may stay open (an error) and be sent again.
            let json = json.clone();
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

/// A palette form (every argument of a command with a secret one): the
/// whole command is checked with a stand-in for each secret before any
/// secret is taken, so a missing name or a bad number keeps the form open
/// with focus on that field and nothing typed is lost.
fn palette_secrets(app: &mut App, mut f: Form, json: Map<String, Value>) {
    let name = json.get("command").and_then(Value::as_str).unwrap_or("").to_string();
    let Some(spec) = crate::engine::command::spec(&name) else { return app.say(format!("unknown command {name:?}"), Level::Error) };
    let mut words = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let secret = matches!(&field.input, crate::tui::form::FieldInput::Text(t) if t.masked);
        let value = f.value(i);
        if !secret && !value.is_empty() {
            words.push(format!("{}={value}", field.label));
        }
    }
    let checked = crate::engine::command_parse::args_json(spec, &words).map_err(|e| e.to_string()).and_then(|mut json| {
        for i in 0..f.fields.len() {
            let label = f.fields[i].label.clone();
            if let Some(t) = f.input_mut(i).filter(|t| t.masked) {
                if t.is_empty() {
                    // An optional secret left empty is not given (a server on
                    // the ssh agent has no password, a plain source no
                    // backup password); a required one must be typed.
                    if optional(spec, &label) {
                        continue;
                    }
                    return Err(format!("{label} is empty — type the value (it stays masked)"));
                }
                json.insert(label, Value::String("(checked)".into()));
            }
        }
        palette::build(json.clone()).map(|c| (c, json))
    });
    let mut json = match checked.and_then(|(c, json)| precheck(app, &c).map(|()| json)) {
        Ok(json) => json,
        Err(e) => {
            f.fault_named(&e);
            return keep_open(app, f, e);
        }
    };
    for i in 0..f.fields.len() {
        let label = f.fields[i].label.clone();
        if let Some(input) = f.input_mut(i).filter(|t| t.masked && !t.is_empty()) {
            // serde needs the value as JSON; it lives only until the
            // command is built, then inside its SecretValue.
            json.insert(label, Value::String(input.take_secret().expose().to_string()));
        }
    }
    if let Err(e) = finish_palette(app, json) {
        app.say(e, Level::Error);
    }
}

/// Whether `spec`'s argument `name` may be left out (`Option<…>`).
fn optional(spec: &crate::engine::CommandSpec, name: &str) -> bool {
    spec.args.iter().any(|a| a.name == name && !a.required())
}

/// What the console already knows would make the engine refuse `c`: the
/// target secret missing or taken. Said before any secret is typed or sent.
fn precheck(app: &App, c: &Command) -> Result<(), String> {
    let rows = &app.panes.secrets.rows;
    let known = |n: &str| rows.iter().any(|m| m.name == n);
    match c {
        Command::SecretAdd { name, .. } if known(name) => {
            Err(format!("name: a secret named {name:?} exists already — pick another name, or secret_rotate it"))
        }
        Command::SecretRotate { name, .. } if app.panes.secrets.unlocked() && !known(name) => {
            Err(format!("name: no secret named {name:?} — secret_add creates one"))
        }
        _ => Ok(()),
    }
}

/// Whether `spec` can only run with the vault unlocked (its secret is
/// stored in the vault), so the console unlocks before asking for it.
fn needs_unlocked_vault(spec: &crate::engine::CommandSpec) -> bool {
    matches!(spec.name, "secret_add" | "secret_rotate")
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
            Err(e) => palette_error(app, p, e),
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
        Err(e) => return palette_error(app, p, e),
    };
    if app.history.last() != Some(&line) {
        app.history.push(line);
    }
    if !parsed.secret_args().is_empty() {
        return palette_form(app, parsed);
    }
    if let Err(e) = finish_palette(app, parsed.json) {
        palette_error(app, p, e);
    }
}

/// The palette stays open with the error under the line, and the error
/// goes to the messages log (`m`) too, whole, like every other one. (Not
/// the line itself: a value typed there by mistake stays off the log.)
fn palette_error(app: &mut App, mut p: Palette, e: String) {
    app.messages.push(app.clock.now(), app.pane, &format!("palette: {e}"), Level::Error);
    p.error = Some(e);
    p.more = format!(" … {} shows it all", app.keymap.key_for(&crate::tui::keymap::GLOBAL, "messages"));
    app.overlay = Some(Overlay::Palette(p));
}

/// A command with a secret argument opens one form with every argument
/// (what the line already said filled in), after the checks that need no
/// typing: a vault that must exist and be unlocked is seen to first.
fn palette_form(app: &mut App, parsed: palette::Parsed) {
    let spec = parsed.spec;
    let fields = spec
        .args
        .iter()
        .map(|a| {
            if a.secret() {
                Field::masked(a.name)
            } else {
                let typed = match parsed.json.get(a.name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => String::new(),
                };
                Field::filled(a.name, &typed)
            }
        })
        .collect::<Vec<_>>();
    let mut json = Map::new();
    json.insert("command".into(), Value::String(spec.name.into()));
    let mut form = Form::palette(spec.name, json, fields).intro(&format!(
        "{} Usage: {}. Secret values are typed here, masked, never in the palette line.",
        spec.summary(),
        spec.usage()
    ));
    // Start on the first field still empty.
    form.focus = (0..form.fields.len()).find(|i| form.value(*i).is_empty()).unwrap_or(0);
    if needs_unlocked_vault(spec) {
        match &app.panes.secrets.vault {
            Some(v) if !v.initialized => {
                let k = app.keymap.key_for(&crate::tui::panes::secrets::KEYS, "vault_init");
                return app.say(format!("{}: there is no vault yet — press {k} to create it first", spec.name), Level::Warn);
            }
            Some(v) if !v.unlocked => {
                app.after_unlock = Some(AfterUnlock::Form(form));
                app.overlay = Some(Overlay::Form(crate::tui::outcomes::unlock_to_carry_on(spec.name)));
                return;
            }
            _ => {}
        }
    }
    app.overlay = Some(Overlay::Form(form));
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
        app.panes.audit.adopt(&command);
        app.run(command, Purpose::Palette);
    }
    Ok(())
}
