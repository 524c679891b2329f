//! The Servers pane's forms: add, edit and run-a-command, and turning a
//! filled form into an engine command.

use crate::engine::Command;
use crate::engine::views::servers::{AuthMethod, Server};
use crate::tui::form::{Field, FieldInput, Form};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::Submit;

/// Which of the Servers pane's forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerForm {
    Add,
    Edit { name: String },
    Exec,
}

const LOGINS: [&str; 3] = ["agent", "password", "vault key"];

fn filled(label: &str, value: &str) -> Field {
    let mut f = Field::text(label);
    if let FieldInput::Text(t) = &mut f.input {
        t.set(value);
    }
    f
}

pub fn add() -> Form {
    Form::new(
        "Add a server",
        PaneId::Servers,
        ServerForm::Add,
        vec![
            Field::text("Name"),
            Field::text("Host or host:port"),
            Field::text("User (empty: yours)"),
            Field::choice("Login", LOGINS.to_vec()),
            Field::masked("Password (for password login)"),
            Field::text("Vault secret with the key (for vault key)"),
            Field::text("Tags, @site (e.g. rack,pi @home)"),
        ],
    )
}

pub fn edit(s: &Server) -> Form {
    let address = if s.port == 22 { s.host.clone() } else { format!("{}:{}", s.host, s.port) };
    let mut groups = s.tags.join(",");
    if let Some(site) = &s.site {
        groups.push_str(&format!(" @{site}"));
    }
    let mut login = Field::choice("Login (unchanged unless you change it)", vec!["unchanged", "agent", "password", "vault key"]);
    if let FieldInput::Choice { idx, .. } = &mut login.input {
        *idx = 0;
    }
    Form::new(
        &format!("Edit {}", s.name),
        PaneId::Servers,
        ServerForm::Edit { name: s.name.clone() },
        vec![
            filled("Host or host:port", &address),
            filled("User", &s.user),
            login,
            Field::masked("Password (for password login)"),
            Field::text("Vault secret with the key (for vault key)"),
            filled("Tags, @site", groups.trim()),
        ],
    )
}

/// The run form; `again` is the previous command line (`x` in the output
/// view runs it again, ready to edit).
pub fn exec(targets: &str, again: Option<&str>) -> Form {
    let mut form = Form::new(
        "Run a command",
        PaneId::Servers,
        ServerForm::Exec,
        vec![
            filled("Targets (names, tag:T, site:S, all)", targets),
            filled("Command", again.unwrap_or("")),
            Field::choice("Run with sh -c", vec!["no", "yes"]),
        ],
    );
    form.focus = 1;
    form
    .intro("Words are passed as they are typed (quoted), unless sh -c is chosen. {{secret:NAME}} inserts a vault secret.")
}

/// `host:port` → (host, port); bare IPv6 stays whole. The engine's own
/// parser, so the form and `server add --host` accept the same text.
fn address(text: &str) -> Result<(String, Option<u32>), String> {
    crate::engine::views::servers::split_address(text)
}

/// `a,b @home` → (tags, site).
fn groups(text: &str) -> (Option<String>, Option<String>) {
    let mut tags = Vec::new();
    let mut site = None;
    for w in text.split_whitespace() {
        match w.strip_prefix('@') {
            Some(s) => site = Some(s.to_string()),
            None => tags.push(w.to_string()),
        }
    }
    (Some(tags.join(",")), site)
}

pub fn submit(form: &mut Form) -> Result<Submit, String> {
    let Some(kind) = form.kind::<ServerForm>().cloned() else { return Err("not a Servers form".into()) };
    match kind {
        ServerForm::Add => (|| {
            let name = form.value(0);
            if name.is_empty() {
                return Err(form.fault(0, "the name is empty"));
            }
            let (host, port) = address(&form.value(1)).map_err(|e| form.fault(1, e))?;
            let user = Some(form.value(2)).filter(|u| !u.is_empty());
            let (auth, password, secret) = login(form, &form.value(3), 4, 5)?;
            let (tags, site) = groups(&form.value(6));
            Ok(Submit::Run(Command::ServerAdd {
                name, host, port, user, auth: Some(auth), secret, key: None, key_passphrase: None, password, tags, site,
            }))
        })(),
        ServerForm::Edit { name } => (|| {
            let (host, port) = address(&form.value(0)).map_err(|e| form.fault(0, e))?;
            let user = Some(form.value(1));
            let choice = form.value(2);
            let (auth, password, secret) = if choice == "unchanged" { (None, None, None) } else {
                let (a, p, s) = login(form, &choice, 3, 4)?;
                (Some(a), p, s)
            };
            let (tags, site) = groups(&form.value(5));
            Ok(Submit::Run(Command::ServerEdit {
                name, host: Some(host), port, user, auth, secret, key: None, key_passphrase: None, password, tags,
                site: Some(site.unwrap_or_default()),
            }))
        })(),
        ServerForm::Exec => {
            let (targets, line, shell) = (form.value(0), form.value(1), form.value(2) == "yes");
            if line.is_empty() {
                Err(form.fault(1, "the command is empty"))
            } else {
                let cmd = |confirmed| Command::ServerExec {
                    targets: targets.clone(), line: line.clone(), shell: Some(shell), confirmed: Some(confirmed), timeout_secs: None,
                };
                // A dangerous line comes back as ConfirmationRequired with the
                // engine's reason; the console asks then (see tui/outcomes.rs).
                Ok(Submit::Run(cmd(false)))
            }
        }
    }
}

type Login = (AuthMethod, Option<crate::engine::SecretValue>, Option<String>);

fn login(form: &mut Form, choice: &str, pw: usize, secret: usize) -> Result<Login, String> {
    match choice {
        "password" => {
            let p = form.input_mut(pw).map(|t| t.take_secret()).filter(|p| !p.is_empty());
            p.map(|p| (AuthMethod::Password, Some(p), None)).ok_or_else(|| "type the password".to_string())
        }
        "vault key" => {
            let s = form.value(secret);
            if s.is_empty() { Err("name the vault secret holding the private key".into()) } else { Ok((AuthMethod::Key, None, Some(s))) }
        }
        _ => Ok((AuthMethod::Agent, None, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_groups() {
        assert_eq!(address("nas:2222").unwrap(), ("nas".into(), Some(2222)));
        assert_eq!(address("[::1]:22").unwrap(), ("::1".into(), Some(22)));
        assert_eq!(address("fe80::1").unwrap(), ("fe80::1".into(), None));
        assert!(address("nas:port").unwrap_err().contains("port"));
        assert_eq!(groups("a,b @home"), (Some("a,b".into()), Some("home".into())));
    }
}
