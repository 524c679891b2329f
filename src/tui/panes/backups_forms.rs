//! The Backups pane's password prompt: backing up a source whose archives
//! are sealed with a password, and verifying or restoring such an archive,
//! ask for the password in a masked form. The password goes from the form
//! straight into the command's `SecretValue`; the form is emptied before it
//! could be shown again. For a restore it is kept (in a `SecretValue`) only
//! from the preview to the confirmation that follows it, so it is typed
//! once.

use crate::engine::{Command, SecretValue};
use crate::tui::form::{Field, Form};
use crate::tui::panes::PaneId;
use crate::tui::panes::backups::BackupsPane;

/// What the password is for.
#[derive(Debug, Clone, PartialEq)]
pub enum BackupAsk {
    Create { source: String },
    Verify { id: u64 },
    Restore { id: u64 },
}

pub fn prompt(ask: BackupAsk) -> Form {
    let (title, intro) = match &ask {
        BackupAsk::Create { source } => (
            format!("Back up {source}"),
            "Its archives are sealed with a password. Type it twice (masked): a typo would make the archive unrecoverable. It is never stored.",
        ),
        BackupAsk::Verify { id } => (format!("Verify backup #{id}"), "This archive is encrypted with a password. Type it (masked) to check every hash."),
        BackupAsk::Restore { id } => (
            format!("Restore backup #{id}"),
            "This archive is encrypted with a password. Type it (masked); the preview and the confirmation follow.",
        ),
    };
    // A new archive's password is typed twice, as the vault's passphrase is;
    // an existing archive's is checked by opening it.
    let fields = match ask {
        BackupAsk::Create { .. } => vec![Field::masked("Password"), Field::masked("Again")],
        _ => vec![Field::masked("Password")],
    };
    Form::new(&title, PaneId::Backups, ask, fields).intro(intro)
}

/// A submitted password form: the command to run, or why not.
pub fn submit(pane: &mut BackupsPane, f: &mut Form) -> Result<Command, String> {
    let Some(ask) = f.kind::<BackupAsk>().cloned() else { return Err("not a Backups form".into()) };
    let password = f.input_mut(0).map(|i| i.take_secret()).filter(|p| !p.is_empty());
    let again = matches!(ask, BackupAsk::Create { .. }).then(|| f.input_mut(1).map(|i| i.take_secret()));
    let Some(password) = password else { return Err("type the password (or Esc to cancel)".into()) };
    if let Some(again) = again
        && again.as_ref() != Some(&password)
    {
        return Err("the two passwords differ — type them again (or Esc to cancel)".into());
    }
    Ok(match ask {
        BackupAsk::Create { source } => Command::BackupCreate { source, password: Some(password) },
        BackupAsk::Verify { id } => Command::BackupVerify { id: Some(id), password: Some(password) },
        BackupAsk::Restore { id } => {
            pane.restore_password = Some((id, password.clone()));
            Command::BackupRestore { id: Some(id), file: None, target: None, only: None, password: Some(password), confirmed: Some(false) }
        }
    })
}

/// The password typed for the preview of backup `id`, for its confirmation.
pub fn take_restore_password(pane: &mut BackupsPane, id: Option<u64>) -> Option<SecretValue> {
    match (pane.restore_password.take(), id) {
        (Some((for_id, pw)), Some(id)) if for_id == id => Some(pw),
        _ => None,
    }
}
