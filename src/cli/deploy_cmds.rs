//! `homedeck deploy …` and `homedeck ha …`: long steps print their progress
//! on stderr as they run, Ctrl-C cancels a running create or upgrade (the
//! engine cleans up), `logs -f` and `ha watch` print until Ctrl-C, and
//! `config edit` round-trips a file through $EDITOR.

use crate::engine::{DeployEvent, DeployOutcome, HaEvent};
use super::deploy_args::{ConfigCmd, CreateArgs, DeployCmd, HaCmd};
use super::{Session, confirm, prompt};
use crate::engine::{Command, EngineError, Event, Outcome};
use anyhow::{Context, Result, anyhow};
use std::io::{IsTerminal, Read};

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

/// Run a long command with progress on stderr; Ctrl-C cancels it.
async fn long(s: &Session, name: &str, command: Command) -> Result<Outcome> {
    let mut events = s.engine.subscribe();
    let quiet = s.json;
    let printer = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            if let Event::Deploy(DeployEvent::DeployProgress { deployment, step, line }) = ev
                && !quiet
            {
                if line.is_empty() {
                    eprintln!("{deployment}: {step} …");
                } else {
                    eprintln!("{deployment}: {step} | {line}");
                }
            }
        }
    });
    let engine = s.engine.clone();
    let actor = s.actor.clone();
    let target = name.to_string();
    let canceller = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("cancelling {target} (cleaning up) …");
            let _ = engine.execute(Command::DeployCancel { name: target }, actor).await;
        }
    });
    let result = exec(s, command).await;
    canceller.abort();
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    printer.abort();
    result
}

fn create_command(a: CreateArgs) -> Command {
    Command::DeployCreate {
        name: a.name,
        server: a.server,
        version: a.version,
        runtime: Some(a.runtime),
        port: a.port,
        config_dir: a.ha_config_dir,
        bind: a.bind,
        find_links: a.find_links,
        supervisor: a.supervisor,
        wait: Some(!a.no_wait),
        root: a.root,
        python: a.python,
        site: a.site,
    }
}

pub async fn deploy(s: &Session, cmd: DeployCmd) -> Result<()> {
    let outcome = match cmd {
        DeployCmd::Create(a) => {
            let name = a.name.clone();
            long(s, &name, create_command(*a)).await?
        }
        DeployCmd::List { health } => exec(s, Command::DeployList { health: Some(health) }).await?,
        DeployCmd::Status { name } => exec(s, Command::DeployStatus { name }).await?,
        DeployCmd::Start { name, no_wait } => long(s, &name.clone(), Command::DeployStart { name, wait: Some(!no_wait) }).await?,
        DeployCmd::Stop { name } => long(s, &name.clone(), Command::DeployStop { name }).await?,
        DeployCmd::Restart { name, no_wait } => long(s, &name.clone(), Command::DeployRestart { name, wait: Some(!no_wait) }).await?,
        DeployCmd::Upgrade { name, version, health_timeout } => {
            long(s, &name.clone(), Command::DeployUpgrade { name, version, health_timeout }).await?
        }
        DeployCmd::Rm { name, no_backup, yes } => {
            let what = if no_backup { "without keeping a config backup" } else { "keeping a final config backup" };
            if !yes && !confirm(&format!("Delete deployment {name} (stop it, remove its install and files), {what}?")) {
                return Err(anyhow!("not deleted"));
            }
            long(s, &name.clone(), Command::DeployRemove { name, keep_backup: Some(!no_backup) }).await?
        }
        DeployCmd::Cancel { name } => exec(s, Command::DeployCancel { name }).await?,
        DeployCmd::Logs { names, lines, follow, grep } => return logs(s, names, lines, follow, grep).await,
        DeployCmd::Config(c) => return config(s, c).await,
    };
    s.print(&outcome)
}

async fn logs(s: &Session, names: Vec<String>, lines: u32, follow: bool, grep: Option<String>) -> Result<()> {
    let want = |l: &str| grep.as_ref().is_none_or(|g| l.to_lowercase().contains(&g.to_lowercase()));
    let many = names.len() > 1;
    let show = |name: &str, line: &str| {
        if s.json {
            println!("{}", serde_json::json!({"deployment": name, "line": line}));
        } else if many {
            println!("{name:>12} | {line}");
        } else {
            println!("{line}");
        }
    };
    if !follow {
        for name in names {
            let o = exec(s, Command::DeployLogs { name: name.clone(), lines: Some(lines), follow: Some(false) }).await?;
            if let Outcome::Deploy(DeployOutcome::DeployLogs { lines, .. }) = o {
                lines.iter().filter(|l| want(l)).for_each(|l| show(&name, l));
            }
        }
        return Ok(());
    }
    let mut events = s.engine.subscribe();
    for name in &names {
        exec(s, Command::DeployLogs { name: name.clone(), lines: Some(lines), follow: Some(true) }).await?;
    }
    let mut open = names.len();
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(Event::Deploy(DeployEvent::DeployLog { deployment, line })) if names.contains(&deployment) && want(&line) => show(&deployment, &line),
                Ok(Event::Deploy(DeployEvent::DeployLogEnded { deployment, reason })) if names.contains(&deployment) => {
                    eprintln!("{deployment}: log stream ended: {reason}");
                    open -= 1;
                    if open == 0 {
                        return Err(anyhow!("every log stream ended"));
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
                _ => {}
            },
            _ = tokio::signal::ctrl_c() => {
                for name in names {
                    let _ = s.exec(Command::DeployLogsStop { name }).await;
                }
                return Ok(());
            }
        }
    }
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("reading the file from stdin")?;
    Ok(text)
}

async fn save(s: &Session, name: String, file: String, content: String) -> Result<bool> {
    let o = long(s, &name.clone(), Command::DeployConfigWrite { name, path: Some(file), content, check: Some(true) }).await?;
    s.print(&o)?;
    Ok(matches!(&o, Outcome::Deploy(DeployOutcome::DeployConfigSaved { check: Some(c), .. }) if !c.ok))
}

async fn config(s: &Session, cmd: ConfigCmd) -> Result<()> {
    match cmd {
        ConfigCmd::Show { name, file } => {
            let o = exec(s, Command::DeployConfigRead { name, path: Some(file) }).await?;
            s.print(&o)
        }
        ConfigCmd::Check { name } => {
            let o = long(s, &name.clone(), Command::DeployConfigCheck { name }).await?;
            s.print(&o)?;
            match o {
                Outcome::Deploy(DeployOutcome::DeployConfigChecked { check, .. }) if !check.ok => Err(anyhow!("the configuration has problems")),
                _ => Ok(()),
            }
        }
        ConfigCmd::Set { name, file } => {
            if save(s, name, file, read_stdin()?).await? {
                return Err(anyhow!("saved, but Home Assistant's config check failed (revert with `homedeck deploy config revert`)"));
            }
            Ok(())
        }
        ConfigCmd::Revert { name, file } => {
            let o = long(s, &name.clone(), Command::DeployConfigRevert { name, path: Some(file) }).await?;
            s.print(&o)
        }
        ConfigCmd::Edit { name, file } => edit(s, name, file).await,
    }
}

/// $EDITOR on a private local copy; a YAML error re-opens the editor.
async fn edit(s: &Session, name: String, file: String) -> Result<()> {
    let o = exec(s, Command::DeployConfigRead { name: name.clone(), path: Some(file.clone()) }).await?;
    let Outcome::Deploy(DeployOutcome::DeployConfig { file: f }) = o else { return Err(anyhow!("unexpected answer")) };
    let dir = std::env::temp_dir().join(format!("homedeck-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let local = dir.join(file.replace('/', "_"));
    std::fs::write(&local, &f.content)?;
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).unwrap_or_else(|_| "vi".into());
    let result = async {
        loop {
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("{editor} \"$1\""))
                .arg("sh")
                .arg(&local)
                .status()
                .with_context(|| format!("cannot run the editor {editor:?} (set $EDITOR)"))?;
            if !status.success() {
                return Err(anyhow!("the editor exited with {status}; nothing was saved"));
            }
            let text = std::fs::read_to_string(&local)?;
            if text == f.content {
                eprintln!("no changes; nothing saved");
                return Ok(());
            }
            match save(s, name.clone(), file.clone(), text).await {
                Err(e) if matches!(e.downcast_ref::<EngineError>(), Some(EngineError::Invalid { .. })) && std::io::stdin().is_terminal() => {
                    eprintln!("{e}");
                    if !confirm("Edit again?") {
                        return Err(anyhow!("not saved"));
                    }
                }
                Err(e) => return Err(e),
                Ok(_) => return Ok(()),
            }
        }
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

pub async fn ha(s: &Session, cmd: HaCmd) -> Result<()> {
    let outcome = match cmd {
        HaCmd::Add { name, url, token_secret, deployment, site } => {
            // What can be checked here is checked before the token is
            // typed, so a bad --site does not cost the user a paste.
            crate::engine::views::sites::parse_site(site.clone())?;
            crate::engine::views::ha::validate_name(&name)?;
            let token = if token_secret.is_none() { Some(prompt::secret_value("Long-lived access token")?) } else { None };
            s.unlock().await?;
            exec(s, Command::HaAdd { name, url, token_secret, token, deployment, site }).await?
        }
        HaCmd::List => exec(s, Command::HaList {}).await?,
        HaCmd::Rm { name, yes } => {
            if !yes && !confirm(&format!("Remove Home Assistant profile {name}?")) {
                return Err(anyhow!("not removed"));
            }
            exec(s, Command::HaRemove { name }).await?
        }
        HaCmd::Test { name } => exec(s, Command::HaTest { name }).await?,
        HaCmd::States { name, filter } => exec(s, Command::HaStates { name, filter }).await?,
        HaCmd::History { name, entity, since, until } => exec(s, Command::HaHistory { name, entity, since, until }).await?,
        HaCmd::Watch { name, filter } => return watch(s, name, filter).await,
        HaCmd::Call { name, service, entity, data, yes } => {
            let target = entity.clone().unwrap_or_else(|| "(no entity)".into());
            if !yes && !confirm(&format!("Call {service} on {target} at {name}?")) {
                return Err(anyhow!("not called"));
            }
            exec(s, Command::HaCall { name, service, entity, data, confirmed: Some(true) }).await?
        }
    };
    s.print(&outcome)
}

async fn watch(s: &Session, name: String, filter: Option<String>) -> Result<()> {
    let mut events = s.engine.subscribe();
    let o = exec(s, Command::HaWatch { name: name.clone(), filter }).await?;
    if !s.json {
        eprintln!("{}; watching for changes (Ctrl-C stops)", o.summary());
    }
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(Event::Ha(HaEvent::HaState { profile, state })) if profile == name => {
                    if s.json { println!("{}", serde_json::to_string(&state)?) } else { println!("{}  {}  {}", state.last_changed, state.entity_id, state.state) }
                }
                Ok(Event::Ha(HaEvent::HaWatchEnded { profile, reason })) if profile == name => return Err(anyhow!("watch ended: {reason}")),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
                _ => {}
            },
            _ = tokio::signal::ctrl_c() => {
                let _ = s.exec(Command::HaUnwatch { name }).await;
                return Ok(());
            }
        }
    }
}
