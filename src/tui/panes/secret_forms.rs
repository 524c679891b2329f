//! The vault's and secrets' forms, and how a filled one becomes a command.
//! Secret fields are masked and are moved out with `take_secret`, so the
//! typed text lives only inside the `SecretValue` handed to the engine.

use crate::engine::views::vault::SecretKind;
use crate::engine::{Command, SecretValue};
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::form::{Field, Form};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::Submit;

/// Which of the Secrets pane's forms, with the context it was opened with.
#[derive(Debug, Clone, PartialEq)]
pub enum SecretForm {
    VaultInit,
    VaultUnlock,
    SecretAdd,
    SecretRotate { name: String },
    SecretSetRotation { name: String },
    SecretRevoke { name: String },
}

fn new_form(title: &str, kind: SecretForm, fields: Vec<Field>) -> Form {
    Form::new(title, PaneId::Secrets, kind, fields)
}

pub fn vault_init() -> Form {
    new_form("Create the vault", SecretForm::VaultInit,
        vec![Field::masked("Passphrase (at least 8 characters)"), Field::masked("Passphrase again")],
    )
    .intro(
        "Pick a passphrase of at least 8 characters that you will remember: it cannot be recovered. \
         Argon2id makes this take a second.",
    )
}

pub fn vault_unlock() -> Form {
    new_form("Unlock the vault", SecretForm::VaultUnlock, vec![Field::masked("Passphrase")])
}

pub fn secret_add() -> Form {
    new_form("Add a secret", SecretForm::SecretAdd,
        vec![
            Field::text("Name"),
            Field::choice("Type", SecretKind::ALL.iter().map(|k| k.as_str()).collect()),
            Field::masked("Value"),
            Field::text("Rotate every N days (empty: never)"),
            Field::text("Note (optional)"),
        ],
    )
}

pub fn rotate(name: String) -> Form {
    new_form(&format!("Rotate {name}"), SecretForm::SecretRotate { name }, vec![Field::masked("New value")])
        .intro("The old value is replaced; the version goes up by one.")
}

pub fn set_rotation(name: String, days: Option<u32>) -> Form {
    let mut form = new_form(&format!("Rotation of {name}"), SecretForm::SecretSetRotation { name },
        vec![Field::text("Rotate every N days (0 turns it off)")],
    );
    if let (Some(d), Some(input)) = (days, form.input_mut(0)) {
        input.set(&d.to_string());
    }
    form
}

pub fn revoke(name: String) -> Form {
    new_form(&format!("Revoke {name}"), SecretForm::SecretRevoke { name }, vec![Field::text("Reason")])
        .intro("Revoking destroys the value for good; later reads are refused and raise a security event.")
}

fn take(form: &mut Form, i: usize) -> SecretValue {
    form.input_mut(i).map(|t| t.take_secret()).unwrap_or_else(|| SecretValue::new(""))
}

fn days(text: &str, allow_empty: bool) -> Result<Option<u32>, String> {
    if text.is_empty() && allow_empty {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("rotation days {text:?}: expected a whole number of days (0 or more)"))
}

/// Turn a secret/vault form into a command; `Err` keeps the form open with
/// the message.
pub fn submit(form: &mut Form, existing: &[&str]) -> Result<Submit, String> {
    let Some(kind) = form.kind::<SecretForm>().cloned() else { return Err("not a Secrets form".into()) };
    match kind {
        SecretForm::VaultInit => {
            let (a, b) = (take(form, 0), take(form, 1));
            form.focus = 0;
            if a.is_empty() {
                Err("the passphrase is empty".into())
            } else if a.expose().chars().count() < 8 {
                Err("the passphrase is shorter than 8 characters — type a longer one, twice".into())
            } else if a != b {
                Err("the two passphrases do not match — type them again".into())
            } else {
                Ok(Submit::Run(Command::VaultInit { passphrase: a }))
            }
        }
        SecretForm::VaultUnlock => Ok(Submit::Run(Command::VaultUnlock { passphrase: take(form, 0) })),
        SecretForm::SecretAdd => {
            // Everything the engine would refuse is checked here first, with
            // focus on the field at fault and every field kept as typed: the
            // value is only taken once the rest is known to be right.
            let name = form.value(0);
            if name.is_empty() {
                return Err(form.fault(0, "the name is empty"));
            }
            if let Err(e) = crate::engine::views::vault::validate_name(&name) {
                return Err(form.fault(0, e.to_string()));
            }
            if existing.iter().any(|n| *n == name) {
                return Err(form.fault(0, format!("a secret named {name:?} exists already — pick another name, or rotate it (R)")));
            }
            let kind: SecretKind = form.value(1).parse().map_err(|e: String| form.fault(1, e))?;
            let rotation_days = days(&form.value(3), true).map_err(|e| form.fault(3, e))?;
            if form.input_mut(2).is_none_or(|t| t.is_empty()) {
                return Err(form.fault(2, "the value is empty"));
            }
            let value = take(form, 2);
            let note = Some(form.value(4)).filter(|n| !n.is_empty());
            Ok(Submit::Run(Command::SecretAdd { name, kind, value, rotation_days, note }))
        }
        SecretForm::SecretRotate { name } => {
            let value = take(form, 0);
            if value.is_empty() {
                Err("the new value is empty".into())
            } else {
                Ok(Submit::Run(Command::SecretRotate { name, value }))
            }
        }
        SecretForm::SecretSetRotation { name } => {
            let d = days(&form.value(0), false).map_err(|e| form.fault(0, e))?;
            Ok(Submit::Run(Command::SecretSetRotation { name, days: d.unwrap_or(0) }))
        }
        SecretForm::SecretRevoke { name } => {
            let reason = form.value(0);
            if reason.is_empty() {
                Err("say why it is revoked (the reason is kept in the audit log)".into())
            } else {
                Ok(Submit::Confirm(Confirm {
                    title: "Revoke secret".into(),
                    message: format!("Revoke {name:?} for good? Its value is destroyed and cannot be read again."),
                    on_yes: OnYes::Run(Box::new(Command::SecretRevoke { name, reason })),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn type_into(form: &mut Form, s: &str) {
        for c in s.chars() {
            form.handle(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn init_requires_matching_passphrases() {
        let mut f = vault_init();
        type_into(&mut f, "one");
        f.focus = 1;
        type_into(&mut f, "two");
        let Err(e) = submit(&mut f, &[]) else { panic!("expected a mismatch") };
        assert!(e.contains("8 characters"), "{e}");
        let mut f = vault_init();
        type_into(&mut f, "one-long-phrase");
        f.focus = 1;
        type_into(&mut f, "two-long-phrase");
        let Err(e) = submit(&mut f, &[]) else { panic!("expected a mismatch") };
        assert!(e.contains("do not match"));
    }

    #[test]
    fn add_builds_the_command() {
        let mut f = secret_add();
        type_into(&mut f, "ha_token");
        f.focus = 1;
        f.handle(&KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)); // password
        f.focus = 2;
        type_into(&mut f, "s3cret");
        f.focus = 3;
        type_into(&mut f, "30");
        let Ok(Submit::Run(Command::SecretAdd { name, kind, value, rotation_days, note })) = submit(&mut f, &[])
        else {
            panic!("expected secret_add")
        };
        assert_eq!(
            (name.as_str(), kind, value.expose(), rotation_days, note),
            ("ha_token", SecretKind::Password, "s3cret", Some(30), None)
        );
    }
}
