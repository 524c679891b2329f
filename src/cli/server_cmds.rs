//! `homedeck server …` and `homedeck tailscale …`: build the engine command,
//! unlock the vault only when the engine says a login secret is needed,
//! stream command output and transfer progress while the command runs.

use crate::engine::{ServersEvent, ServersOutcome};
use super::server_args::{ServerCmd, ServerFields, TailscaleCmd};
use super::server_output;
use super::{Session, confirm, prompt};
use crate::engine::views::servers::{AuthMethod, join_words};
use crate::engine::{Command, EngineError, Event, Outcome, SecretValue};
use anyhow::{Context, Result, anyhow};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};

pub const KEY_PASSPHRASE_FILE_ENV: &str = "HOMEDECK_KEY_PASSPHRASE_FILE";

/// Execute; if the vault is locked, unlock (prompt) and try once more.
async fn exec(s: &Session, command: Command) -> Result<Outcome> {
    match s.execute(command.clone()).await {
        Err(EngineError::VaultLocked) => {
            s.unlock().await?;
            s.exec(command).await
        }
        other => Ok(other?),
    }
}

fn fields(f: &ServerFields) -> Result<(Option<AuthMethod>, Option<SecretValue>, Option<SecretValue>)> {
    let key = match &f.key_file {
        Some(p) => Some(SecretValue::new(
            std::fs::read_to_string(p).with_context(|| format!("cannot read key file {}", p.display()))?,
        )),
        None => None,
    };
    let password = if f.password && f.secret.is_none() { Some(prompt::secret_value("SSH password")?) } else { None };
    let auth = if f.agent {
        Some(AuthMethod::Agent)
    } else if f.password {
        Some(AuthMethod::Password)
    } else if key.is_some() || f.secret.is_some() {
        Some(AuthMethod::Key)
    } else {
        None
    };
    Ok((auth, key, password))
}

fn key_passphrase() -> Result<SecretValue> {
    if let Ok(path) = std::env::var(KEY_PASSPHRASE_FILE_ENV) {
        return super::prompt::read_first_line(&path, KEY_PASSPHRASE_FILE_ENV);
    }
    let v = rpassword::prompt_password("Passphrase of the private key: ")
        .context("the key is passphrase-protected and there is no terminal to ask on (set HOMEDECK_KEY_PASSPHRASE_FILE)")?;
    Ok(SecretValue::new(v))
}

/// Add or edit; a passphrase-protected key is asked for once, then retried.
async fn save(s: &Session, mut f: ServerFields, edit: bool) -> Result<Outcome> {
    if let Some(text) = f.host.take() {
        let (host, port) = address(&text, f.port)?;
        (f.host, f.port) = (Some(host), port);
    }
    let (auth, key, password) = fields(&f)?;
    let tags = if f.tags.is_empty() { None } else { Some(f.tags.join(",")) };
    let build = |key_passphrase: Option<SecretValue>| -> Result<Command> {
        Ok(if edit {
            Command::ServerEdit {
                name: f.name.clone(), host: f.host.clone(), port: f.port, user: f.user.clone(), auth,
                secret: f.secret.clone(), key: key.clone(), key_passphrase, password: password.clone(),
                tags: tags.clone(), site: f.site.clone(),
            }
        } else {
            Command::ServerAdd {
                name: f.name.clone(),
                host: f.host.clone().ok_or_else(|| anyhow!("--host is required: the server's hostname or IP address"))?,
                port: f.port, user: f.user.clone(), auth, secret: f.secret.clone(), key: key.clone(), key_passphrase,
                password: password.clone(), tags: tags.clone(), site: f.site.clone(),
            }
        })
    };
    if key.is_some() || password.is_some() {
        // Storing a secret needs the vault open; ask before anything else.
        s.unlock().await?;
    }
    match exec(s, build(None)?).await {
        Err(e) if matches!(e.downcast_ref::<EngineError>(), Some(EngineError::KeyPassphraseRequired)) => {
            exec(s, build(Some(key_passphrase()?))?).await
        }
        other => other,
    }
}

/// `--host` may carry the port (`127.0.0.1:2222`), as the console's Host
/// field does; a different `--port` beside it is a contradiction, not a choice.
fn address(text: &str, flag: Option<u32>) -> Result<(String, Option<u32>)> {
    let (host, port) = crate::engine::views::servers::split_address(text).map_err(|e| anyhow!("--host: {e}"))?;
    match (port, flag) {
        (Some(a), Some(b)) if a != b => Err(anyhow!("--host {text} names port {a} but --port says {b} — give the port once")),
        (Some(a), _) => Ok((host, Some(a))),
        (None, flag) => Ok((host, flag)),
    }
}

pub async fn run(s: &Session, cmd: ServerCmd) -> Result<()> {
    let outcome = match cmd {
        ServerCmd::Add(f) => save(s, f, false).await?,
        ServerCmd::Edit(f) => save(s, f, true).await?,
        ServerCmd::List => exec(s, Command::ServerList {}).await?,
        ServerCmd::Show { name } => exec(s, Command::ServerShow { name }).await?,
        ServerCmd::Test { name } => exec(s, Command::ServerTest { name }).await?,
        ServerCmd::Trust { name, fingerprint, yes } => {
            if !yes && !confirm(&format!("Accept the host key {name} presents now as its new pin?")) {
                return Err(anyhow!("not trusted"));
            }
            exec(s, Command::ServerTrust { name, fingerprint }).await?
        }
        ServerCmd::Rm { name, yes } => {
            if !yes && !confirm(&format!("Remove server {name} from the inventory?")) {
                return Err(anyhow!("not removed"));
            }
            exec(s, Command::ServerRemove { name }).await?
        }
        ServerCmd::Exec { targets, shell, yes, timeout, command } => return exec_cmd(s, targets, shell, yes, timeout, command).await,
        ServerCmd::Health { name } => {
            let mut o = exec(s, Command::ServerHealth { name: name.clone() }).await?;
            let locked = matches!(&o, Outcome::Servers(ServersOutcome::Health { reports }) if reports.iter().any(|r| r.reasons.iter().any(|x| x.starts_with("vault locked"))));
            if locked {
                s.unlock().await?;
                o = s.exec(Command::ServerHealth { name }).await?;
            }
            s.print(&o)?;
            if let Outcome::Servers(ServersOutcome::Health { reports }) = &o
                && server_output::unhealthy(reports) {
                    return Err(anyhow!("at least one server is down"));
                }
            return Ok(());
        }
        ServerCmd::ImportSshConfig { file } => {
            let dry_run = s.dry_run;
            let path = file.map(|p| p.display().to_string());
            exec(s, Command::ServerImportSshConfig { path, dry_run: Some(dry_run) }).await?
        }
        ServerCmd::Get { name, remote, local } => {
            let local = local.display().to_string();
            with_progress(s, Command::ServerGet { name, remote, local }).await?
        }
        ServerCmd::Put { name, local, remote } => {
            let local = local.display().to_string();
            with_progress(s, Command::ServerPut { name, local, remote }).await?
        }
    };
    s.print(&outcome)
}

pub async fn tailscale(s: &Session, cmd: TailscaleCmd) -> Result<()> {
    let TailscaleCmd::Status { server } = cmd;
    let o = exec(s, Command::TailscaleStatus { server }).await?;
    s.print(&o)
}

async fn exec_cmd(s: &Session, targets: String, shell: bool, yes: bool, timeout: Option<u32>, words: Vec<String>) -> Result<()> {
    let line = if words.len() == 1 { words[0].clone() } else { join_words(&words) };
    let build = |confirmed: bool| Command::ServerExec {
        targets: targets.clone(), line: line.clone(), shell: Some(shell), confirmed: Some(confirmed), timeout_secs: timeout,
    };
    let printer = (!s.json).then(|| tokio::spawn(print_output(s.engine.subscribe())));
    // A dangerous line is confirmed by Session::exec, with the engine's reason.
    let result = exec(s, build(yes)).await;
    if let Some(p) = printer {
        // Let the last output events drain before the table.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        p.abort();
    }
    let outcome = result?;
    s.print(&outcome)?;
    if let Outcome::Servers(ServersOutcome::ExecDone { results, .. }) = &outcome {
        let failed = results.iter().filter(|r| !r.ok()).count();
        if failed > 0 {
            return Err(anyhow!("{failed} of {} did not succeed", crate::engine::views::text::plural(results.len(), "server", "servers")));
        }
    }
    Ok(())
}

/// Print `server | line` for each output line as it arrives.
async fn print_output(mut events: crate::handle::Events) {
    let mut partial: HashMap<String, String> = HashMap::new();
    while let Ok(ev) = events.recv().await {
        match ev {
            Event::Servers(ServersEvent::ExecOutput { server, text, .. }) => {
                let buf = partial.entry(server.clone()).or_default();
                buf.push_str(&text);
                while let Some(i) = buf.find('\n') {
                    let line: String = buf.drain(..=i).collect();
                    println!("{server:>12} | {}", line.trim_end_matches('\n'));
                }
            }
            Event::Servers(ServersEvent::ExecFinished { result, .. }) => {
                if let Some(rest) = partial.remove(&result.server).filter(|r| !r.is_empty()) {
                    println!("{:>12} | {rest}", result.server);
                }
            }
            _ => {}
        }
    }
}

/// Run a transfer with a progress line on stderr (when it is a terminal).
async fn with_progress(s: &Session, command: Command) -> Result<Outcome> {
    let mut events = s.engine.subscribe();
    let show = std::io::stderr().is_terminal();
    let bar = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            let Event::Servers(ServersEvent::TransferProgress { path, done, total, .. }) = ev else { continue };
            if show {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                eprint!("\r{path}: {pct:>3}%  {} / {} MiB ", done >> 20, total >> 20);
                let _ = std::io::stderr().flush();
            }
        }
    });
    let r = exec(s, command).await;
    bar.abort();
    if show {
        eprintln!();
    }
    r
}
