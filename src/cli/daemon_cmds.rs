//! `homedeck daemon [status|stop]`: run the host in the foreground, ask it
//! about itself, or ask it to stop.

use super::args::{DaemonArgs, DaemonCmd};
use crate::daemon::client::{AttachError, Client, Link};
use crate::daemon::protocol::HostStatus;
use crate::engine::{EngineOptions, Frontend};
use anyhow::{Result, anyhow};
use std::path::Path;
use std::time::{Duration, Instant};

/// `config` is the file the daemon reloads on SIGHUP or a change, with what
/// was read from it at start.
pub async fn run(args: DaemonArgs, opts: EngineOptions, config: (std::path::PathBuf, crate::config::Config), json: bool) -> Result<()> {
    match args.action {
        None => crate::daemon::host::run(opts, config).await,
        Some(DaemonCmd::Status) => status(&opts.data_dir, json).await,
        Some(DaemonCmd::Stop) => stop(&opts.data_dir).await,
    }
}

/// `daemon status` / `daemon stop` with `--remote`: `client` is already
/// attached to the other site's daemon.
pub async fn remote(action: Option<DaemonCmd>, client: &Client, json: bool) -> Result<()> {
    match action {
        None => Err(anyhow!("`homedeck daemon` runs a daemon on this machine; --remote only attaches to one (try `daemon status`)")),
        Some(DaemonCmd::Status) => {
            print_status(&client.status().await?, json)
        }
        Some(DaemonCmd::Stop) => {
            let pid = client.hello().map(|h| h.pid);
            let mut link = client.link();
            client.stop().await?;
            let gone = tokio::time::timeout(Duration::from_secs(30), link.wait_for(|l| matches!(l, Link::Lost { .. }))).await;
            if gone.is_err() {
                return Err(anyhow!("the daemon (pid {pid:?}) accepted the stop but was still connected after 30 s"));
            }
            eprintln!("homedeck daemon (pid {}) on {} stopped", pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()), client.target());
            Ok(())
        }
    }
}

async fn attach(data_dir: &Path) -> Result<Option<Client>> {
    match Client::attach(data_dir, Frontend::Cli, false, false).await {
        Ok(c) => Ok(Some(c)),
        Err(AttachError::NobodyThere) => Ok(None),
        Err(AttachError::Refused(m)) => Err(anyhow!(m)),
    }
}

async fn status(data_dir: &Path, json: bool) -> Result<()> {
    let socket = crate::daemon::socket_path(data_dir);
    let Some(client) = attach(data_dir).await? else {
        if json {
            let j = serde_json::json!({"running": false, "data_dir": data_dir.display().to_string(), "socket": socket.display().to_string()});
            println!("{}", serde_json::to_string_pretty(&j)?);
        } else {
            println!("no homedeck hosts {} (nothing listens on {})", data_dir.display(), socket.display());
        }
        return Ok(());
    };
    print_status(&client.status().await?, json)
}

fn print_status(status: &HostStatus, json: bool) -> Result<()> {
    if json {
        let mut j = serde_json::to_value(status)?;
        if let Some(map) = j.as_object_mut() {
            map.insert("running".into(), true.into());
        }
        println!("{}", serde_json::to_string_pretty(&j)?);
    } else {
        print_human(status);
    }
    Ok(())
}

fn local(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn print_human(s: &HostStatus) {
    let h = &s.hello;
    println!("{} hosts {}", h.host.describe(), s.data_dir);
    println!("  pid       {}", h.pid);
    println!("  since     {}", local(&h.started_at));
    println!("  version   homedeck {} (protocol {})", h.version, h.protocol);
    println!("  socket    {}", s.socket);
    if h.readonly {
        println!("  READ-ONLY");
    }
    if let Some(r) = &s.reload {
        let how = if r.ok { "ok" } else { "REFUSED" };
        println!("  reload    {} {how} ({}): {}", local(&r.at), r.trigger, r.message);
    }
    if let Some(m) = &s.mcp {
        println!("  mcp       {}{}", m.url, if m.tls { " (TLS)" } else { "" });
        if let Some(w) = &m.warning {
            println!("  WARNING   {w}");
        }
    }
    if s.clients.is_empty() {
        println!("  clients   none attached");
    } else {
        println!("  clients   {} attached", s.clients.len());
        for c in &s.clients {
            let pid = c.pid.map(|p| format!("pid {p}")).unwrap_or_else(|| "pid ?".into());
            println!("    {}@{}  {pid}  since {}", c.user, c.frontend.as_str(), local(&c.since));
        }
    }
    match &s.schedules {
        Some(jobs) => {
            println!();
            super::schedule_cmds::print(jobs);
        }
        None => println!("  schedules could not be read (see the log)"),
    }
}

async fn stop(data_dir: &Path) -> Result<()> {
    let socket = crate::daemon::socket_path(data_dir);
    let Some(client) = attach(data_dir).await? else {
        return Err(anyhow!("nothing to stop: no homedeck daemon hosts {}", data_dir.display()));
    };
    let pid = client.hello().map(|h| h.pid);
    client.stop().await?;
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(30);
    while socket.exists() {
        if Instant::now() > deadline {
            return Err(anyhow!("the daemon (pid {pid:?}) accepted the stop but still serves {} after 30 s", socket.display()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("homedeck daemon (pid {}) stopped", pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()));
    Ok(())
}
