//! `homedeck esphome …`: each subcommand is one engine command, except
//! `logs` (start streams, print events until Ctrl-C or a limit) and the OTA
//! commands, which draw a progress bar from the engine's progress events.

use crate::engine::{EsphomeEvent, EsphomeOutcome};
use super::esphome_args::{EsphomeCmd, FirmwareCmd, LogsArgs, OtaBulkArgs};
use super::{Session, confirm};
use crate::engine::views::esphome::{LogLevel, OtaPhase, ansi};
use crate::engine::{Command, EngineError, Event, Outcome};
use anyhow::{Result, anyhow};
use std::io::{IsTerminal, Write};
use std::time::Duration;
use tokio::sync::broadcast;

/// Run a command; if the vault is locked (a device key or OTA password is
/// needed), ask for the passphrase once and run it again.
async fn exec_unlocking(s: &Session, c: Command) -> Result<Outcome> {
    match s.exec(c.clone()).await {
        Err(e) if matches!(e.downcast_ref::<EngineError>(), Some(EngineError::VaultLocked)) => {
            s.unlock().await?;
            s.exec(c).await
        }
        other => other,
    }
}

pub async fn run(s: &Session, cmd: EsphomeCmd) -> Result<()> {
    let outcome = match cmd {
        EsphomeCmd::Discover { seconds } => s.exec(Command::EsphomeDiscover { seconds: Some(seconds) }).await?,
        EsphomeCmd::List => s.exec(Command::EsphomeList {}).await?,
        EsphomeCmd::Add(a) => {
            s.exec(Command::EsphomeAdd {
                name: a.name,
                host: a.host,
                port: Some(a.port),
                key_secret: a.key_secret,
                ota_port: a.ota_port,
                ota_password_secret: a.ota_password_secret,
                platform: a.platform,
                site: a.site,
            })
            .await?
        }
        EsphomeCmd::Remove { name, yes } => {
            if !yes && !confirm(&format!("Forget ESPHome device {name}?")) {
                return Err(anyhow!("not removed"));
            }
            s.exec(Command::EsphomeRemove { name }).await?
        }
        EsphomeCmd::Info { name } => exec_unlocking(s, Command::EsphomeInfo { name }).await?,
        EsphomeCmd::Logs(a) => return logs(s, a).await,
        EsphomeCmd::Firmware(FirmwareCmd::Import { path, version, platform }) => {
            let path = std::fs::canonicalize(&path).map(|p| p.display().to_string()).unwrap_or(path);
            s.exec(Command::EsphomeFirmwareImport { path, version, platform }).await?
        }
        EsphomeCmd::Firmware(FirmwareCmd::List) => s.exec(Command::EsphomeFirmwareList {}).await?,
        EsphomeCmd::Ota { device, firmware, confirm_secs, yes } => {
            if !yes && !confirm(&format!("Flash {firmware} to {device} over the air?")) {
                return Err(anyhow!("not flashed"));
            }
            with_progress(s, Command::EsphomeOta { device, firmware, confirm_secs }).await?
        }
        EsphomeCmd::OtaBulk(a) => return bulk(s, a).await,
    };
    s.print(&outcome)
}

async fn bulk(s: &Session, a: OtaBulkArgs) -> Result<()> {
    let targets = match (a.devices, a.outdated, a.online) {
        (Some(d), _, _) => d,
        (None, true, _) => "outdated".into(),
        _ => "online".into(),
    };
    if !a.yes && !confirm(&format!("Flash {} to {targets} over the air?", a.firmware)) {
        return Err(anyhow!("not flashed"));
    }
    let c = Command::EsphomeOtaBulk {
        firmware: a.firmware,
        targets,
        concurrency: a.concurrency,
        confirm_secs: a.confirm_secs,
    };
    let outcome = with_progress(s, c).await?;
    s.print(&outcome)?;
    // A bulk update with failures is not a success for scripts.
    if let Outcome::Esphome(EsphomeOutcome::EsphomeOta { results }) = &outcome
        && results.iter().any(|r| r.status != crate::engine::views::esphome::OtaStatus::Updated)
    {
        return Err(anyhow!("{}", crate::engine::views::esphome::ota_summary(results)));
    }
    Ok(())
}

/// Run an OTA command while drawing its progress on stderr: a redrawn bar
/// on a terminal, a line per quarter otherwise.
async fn with_progress(s: &Session, c: Command) -> Result<Outcome> {
    let mut rx = s.engine.subscribe();
    let tty = std::io::stderr().is_terminal() && !s.json;
    let printer = tokio::spawn(async move {
        let mut shown: std::collections::HashMap<String, u64> = Default::default();
        loop {
            match rx.recv().await {
                Ok(Event::Esphome(EsphomeEvent::EsphomeOtaProgress { device, phase, sent, total })) => {
                    let pct = (sent * 100).checked_div(total).unwrap_or(0);
                    let mut err = std::io::stderr().lock();
                    match phase {
                        OtaPhase::Uploading if tty => {
                            let filled = (pct / 4) as usize;
                            let _ = write!(err, "\r{device:<16} [{}{}] {pct:>3}% {sent}/{total} B", "#".repeat(filled), " ".repeat(25 - filled.min(25)));
                        }
                        OtaPhase::Uploading => {
                            let step = pct / 25;
                            if shown.get(&device) != Some(&step) {
                                shown.insert(device.clone(), step);
                                let _ = writeln!(err, "{device}: uploading {pct}% ({} of {})", crate::engine::views::text::size(sent), crate::engine::views::text::size(total));
                            }
                        }
                        OtaPhase::Rebooting => {
                            let _ = writeln!(err, "{}{device}: uploaded, waiting for the reboot", if tty { "\n" } else { "" });
                        }
                        _ => {}
                    }
                }
                Ok(Event::Esphome(EsphomeEvent::EsphomeOtaDone { result })) => {
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(err, "{}: {}{}", result.device, result.status.as_str(), result.reason.map(|r| format!(" — {r}")).unwrap_or_default());
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    let out = exec_unlocking(s, c).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    printer.abort();
    out
}

async fn logs(s: &Session, a: LogsArgs) -> Result<()> {
    let level: LogLevel = a.level.parse().map_err(|e: String| anyhow!(e))?;
    let mut rx = s.engine.subscribe();
    let devices = a.devices.join(",");
    exec_unlocking(s, Command::EsphomeLogsStart { devices, level: Some(level) }).await?;
    let colour = a.color || (std::io::stdout().is_terminal() && !s.json);
    let width = a.devices.iter().map(String::len).max().unwrap_or(0);
    let deadline = a.seconds.map(|sec| tokio::time::Instant::now() + Duration::from_secs(sec));
    let mut printed: u64 = 0;
    let result: Result<()> = async {
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = tokio::signal::ctrl_c() => return Ok(()),
                _ = sleep_until(deadline) => return Ok(()),
            };
            let mut out = std::io::stdout().lock();
            match ev {
                Ok(Event::Esphome(EsphomeEvent::EsphomeLogs { device, lines })) => {
                    for l in lines {
                        if s.json {
                            let j = serde_json::json!({"device": device, "at": l.at, "level": l.level, "text": ansi::strip(&l.text)});
                            writeln!(out, "{j}")?;
                        } else {
                            let text = if colour { l.text } else { ansi::strip(&l.text) };
                            writeln!(out, "{} {device:<width$} {text}", l.at.format("%H:%M:%S%.3f"))?;
                        }
                        printed += 1;
                        if a.lines.is_some_and(|n| printed >= n) {
                            return Ok(());
                        }
                    }
                }
                Ok(Event::Esphome(EsphomeEvent::EsphomeLink { device, online, detail })) => {
                    eprintln!("{device}: {} — {detail}", if online { "connected" } else { "disconnected" });
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => eprintln!("(terminal too slow: {} skipped)", crate::engine::views::text::plural(n as usize, "event", "events")),
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            }
        }
    }
    .await;
    let _ = s.exec(Command::EsphomeLogsStop { devices: None }).await;
    result
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
