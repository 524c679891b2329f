//! `homedeck backup …`: arguments → engine commands, with a progress bar on
//! stderr while archives are written or read, the backup password asked for
//! only when an archive needs one (or read from HOMEDECK_BACKUP_PASSWORD_FILE),
//! and the vault unlocked when a source's key lives there.

use crate::engine::views::text::plural;
use crate::engine::{BackupEvent, BackupOutcome};
use super::backup_args::{BackupCmd, ForgetArgs, RepoCmd, ScheduleCmd, SnapshotCmd, SourceCmd};
use super::{Session, confirm, prompt};
use crate::engine::{Command, EngineError, Event, Outcome, SecretValue};
use anyhow::{Result, anyhow};
use std::io::{IsTerminal, Write};

pub const PASSWORD_FILE_ENV: &str = "HOMEDECK_BACKUP_PASSWORD_FILE";

fn path(p: std::path::PathBuf) -> Result<String> {
    let abs = if p.is_absolute() { p } else { std::env::current_dir()?.join(p) };
    Ok(abs.to_string_lossy().into_owned())
}

/// The archive password: from HOMEDECK_BACKUP_PASSWORD_FILE, or asked on
/// the terminal — twice for a new archive, since a typo there makes it
/// unrecoverable. (A source can name a vault secret instead:
/// `--backup-password-secret`.)
fn backup_password(new: bool) -> Result<SecretValue> {
    if new {
        return prompt::new_secret(
            PASSWORD_FILE_ENV,
            "Backup password",
            "The archive cannot be opened without this password; it is not stored.",
            "no archive was created",
        );
    }
    match std::env::var(PASSWORD_FILE_ENV) {
        Ok(file) => prompt::read_first_line(&file, PASSWORD_FILE_ENV),
        Err(_) => Ok(SecretValue::new(
            rpassword::prompt_password("Backup password: ").map_err(|_| anyhow!("the archive needs its password: no terminal to ask on (set {PASSWORD_FILE_ENV} to a file holding it)"))?,
        )),
    }
}

fn set_password(c: &mut Command, pw: SecretValue) {
    match c {
        Command::BackupCreate { password, .. }
        | Command::BackupVerify { password, .. }
        | Command::BackupRestore { password, .. }
        | Command::BackupExport { password, .. }
        | Command::BackupImport { password, .. } => *password = Some(pw),
        _ => {}
    }
}

/// Run with a progress line; unlock the vault or ask for the password when
/// the engine says it needs one, then try once more.
async fn exec(s: &Session, mut command: Command) -> Result<Outcome> {
    let mut events = s.engine.subscribe();
    let show = std::io::stderr().is_terminal() && !s.json;
    let bar = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            if let (true, Event::Backup(BackupEvent::BackupProgress { kind, source, done, total, .. })) = (show, ev) {
                let pct = (done * 100).checked_div(total).unwrap_or(0).min(100);
                let filled = (pct / 5) as usize;
                eprint!("\r{kind} {source}: [{}{}] {pct:>3}%  {} MiB ", "#".repeat(filled), ".".repeat(20 - filled), done >> 20);
                let _ = std::io::stderr().flush();
            }
        }
    });
    let mut tries = 0;
    let r = loop {
        tries += 1;
        match s.execute(command.clone()).await {
            Err(EngineError::VaultLocked) if tries < 3 => s.unlock().await?,
            Err(EngineError::Invalid { field, .. }) if field == "password" && tries < 3 => {
                let new = matches!(command, Command::BackupCreate { .. } | Command::BackupExport { .. });
                set_password(&mut command, backup_password(new)?);
            }
            other => break other,
        }
    };
    bar.abort();
    if show {
        eprint!("\r\x1b[K");
    }
    Ok(r?)
}

fn forget(a: ForgetArgs, dry_run: bool) -> Command {
    Command::BackupForget {
        source: a.source,
        keep_last: a.keep_last,
        keep_hourly: a.keep_hourly,
        keep_daily: a.keep_daily,
        keep_weekly: a.keep_weekly,
        keep_monthly: a.keep_monthly,
        dry_run: Some(dry_run),
    }
}

pub async fn run(s: &Session, cmd: BackupCmd) -> Result<()> {
    let outcome = match cmd {
        BackupCmd::Create { source } => exec(s, Command::BackupCreate { source, password: None }).await?,
        BackupCmd::List { source } => exec(s, Command::BackupList { source }).await?,
        BackupCmd::Verify { id } => {
            let o = exec(s, Command::BackupVerify { id, password: None }).await?;
            if let Outcome::Backup(BackupOutcome::BackupVerified { results }) = &o
                && results.iter().any(|r| !r.ok)
            {
                s.print(&o)?;
                return Err(anyhow!("some backups failed verification"));
            }
            o
        }
        BackupCmd::Restore { id, file, target, only, yes } => {
            let file = file.map(path).transpose()?;
            let target = target.map(path).transpose()?;
            let archive = file.clone();
            let mut c = Command::BackupRestore { id, file, target, only, password: None, confirmed: Some(false) };
            let preview = exec(s, c.clone()).await?;
            if let Outcome::Backup(BackupOutcome::BackupPreview { preview: p }) = &preview {
                // Nothing would change: say so, as the console does, and take
                // no pre-restore backup (one `backup create` away if wanted).
                if p.added.is_empty() && p.changed.is_empty() && p.removed.is_empty() {
                    eprintln!(
                        "nothing to restore: {} already matches {} ({} unchanged) — no restore, no pre-restore backup (`homedeck backup create {}` takes a backup now)",
                        p.target,
                        p.source,
                        crate::engine::views::text::plural(usize::try_from(p.unchanged).unwrap_or(usize::MAX), "file", "files"),
                        p.source
                    );
                    return Ok(());
                }
                if !yes {
                    s.print(&preview)?;
                }
                if !yes && !confirm(&format!("Restore {} into {} ({} added, {} changed, {} removed)?", p.source, p.target, p.added.len(), p.changed.len(), p.removed.len())) {
                    // Audited as declined, so the log does not read as a restore.
                    let declined = Command::BackupRestoreDecline { id: p.backup, file: if p.backup.is_none() { archive } else { None } };
                    if let Err(e) = s.execute(declined).await {
                        eprintln!("warning: the decline could not be audited: {e}");
                    }
                    return Err(anyhow!("not restored"));
                }
            }
            if let Command::BackupRestore { confirmed, .. } = &mut c {
                *confirmed = Some(true);
            }
            exec(s, c).await?
        }
        BackupCmd::Forget(a) => {
            let (yes, dry, source) = (a.yes, s.dry_run, a.source.clone());
            let real = forget(a, false);
            let mut trial = real.clone();
            if let Command::BackupForget { dry_run, .. } = &mut trial {
                *dry_run = Some(true);
            }
            let preview = exec(s, trial).await?;
            let gone = match &preview {
                Outcome::Backup(BackupOutcome::BackupForgot { forget: f }) => f.decisions.iter().filter(|d| !d.keep()).count(),
                _ => 0,
            };
            if dry || gone == 0 {
                preview
            } else {
                if !yes {
                    s.print(&preview)?;
                    if !confirm(&format!("Delete {} of {source}?", plural(gone as usize, "backup", "backups"))) {
                        return Err(anyhow!("nothing forgotten"));
                    }
                }
                exec(s, real).await?
            }
        }
        BackupCmd::Schedule(c) => match c {
            ScheduleCmd::List => exec(s, Command::BackupScheduleList {}).await?,
            ScheduleCmd::Add { name, source, cron, tz, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly } => {
                exec(s, Command::BackupScheduleAdd { name, source, cron, tz, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly }).await?
            }
            ScheduleCmd::Remove { name } => exec(s, Command::BackupScheduleRemove { name }).await?,
        },
        BackupCmd::Export { path: p } => exec(s, Command::BackupExport { path: path(p)?, password: None }).await?,
        BackupCmd::Import { path: p, yes } => {
            let p = path(p)?;
            if !yes && !confirm(&format!("Replace this homedeck's whole state with {p}?")) {
                return Err(anyhow!("not imported"));
            }
            exec(s, Command::BackupImport { path: p, password: None, confirmed: Some(true) }).await?
        }
        BackupCmd::Snapshots { file } => exec(s, Command::BackupSnapshots { file }).await?,
        BackupCmd::Diff { a, b } => exec(s, Command::BackupDiff { a, b }).await?,
        BackupCmd::Snapshot(c) => match c {
            SnapshotCmd::Watch { file } => exec(s, Command::BackupSnapshotWatch { file: path(file)? }).await?,
            SnapshotCmd::Unwatch { file } => exec(s, Command::BackupSnapshotUnwatch { file: path(file)? }).await?,
            SnapshotCmd::Take { file } => exec(s, Command::BackupSnapshotTake { file: path(file)? }).await?,
            SnapshotCmd::Restore { id, yes } => {
                if !yes && !confirm(&format!("Write snapshot #{id} back to its file?")) {
                    return Err(anyhow!("not restored"));
                }
                exec(s, Command::BackupSnapshotRestore { id }).await?
            }
        },
        BackupCmd::Source(c) => match c {
            SourceCmd::List => exec(s, Command::BackupSourceList {}).await?,
            SourceCmd::Add(a) => {
                let a = *a;
                exec(
                    s,
                    Command::BackupSourceAdd {
                        name: a.name,
                        kind: a.kind,
                        // A remote path is the server's, never this machine's.
                        path: match &a.server {
                            Some(sv) if sv != "local" => a.path.map(|p| format!("{sv}:{}", p.to_string_lossy())),
                            _ => a.path.map(path).transpose()?,
                        },
                        live: a.url.or(a.mqtt.map(|m| format!("{m}/{}", a.topic.unwrap_or_default()))).or(a.device),
                        login: a.user.map(|u| format!("{u}:{}", a.password_secret.unwrap_or_default())),
                        exclude: a.exclude,
                        exclude_db: Some(a.exclude_db),
                        encrypt: a.encrypt,
                        key_secret: a.key_secret,
                        compression: a.compression,
                        repo: a.repo,
                        health: a.health,
                        backup_password_secret: a.backup_password_secret,
                        site: a.site,
                    },
                )
                .await?
            }
            SourceCmd::Remove { name, yes } => {
                if !yes && !confirm(&format!("Remove backup source {name:?}? (its archives stay)")) {
                    return Err(anyhow!("not removed"));
                }
                exec(s, Command::BackupSourceRemove { name }).await?
            }
        },
        BackupCmd::Repo(c) => match c {
            RepoCmd::List => exec(s, Command::BackupRepoList {}).await?,
            RepoCmd::Add { name, server, path } => exec(s, Command::BackupRepoAdd { name, server, path }).await?,
        },
        BackupCmd::Jobs => exec(s, Command::BackupJobs {}).await?,
        BackupCmd::Cancel { job } => exec(s, Command::BackupCancel { job }).await?,
        BackupCmd::Watch => {
            let mut events = s.engine.subscribe();
            s.print(&exec(s, Command::BackupWatch {}).await?)?;
            eprintln!("running backup schedules and watching files; Ctrl-C to stop");
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                    ev = events.recv() => match ev {
                        Ok(e @ (Event::Backup(BackupEvent::BackupFinished { .. }) | Event::Backup(BackupEvent::BackupScheduleRan { .. }) | Event::Backup(BackupEvent::BackupScheduleMissed { .. }) | Event::Backup(BackupEvent::BackupSnapshotTaken { .. }) | Event::Scheduler(_))) => {
                            if s.json { println!("{}", serde_json::to_string(&e)?) } else { println!("{e:?}") }
                        }
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(_) => return Ok(()),
                    }
                }
            }
        }
    };
    s.print(&outcome)
}
