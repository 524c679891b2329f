//! `homedeck wled …` and `homedeck fpp …`: arguments → engine commands.

use crate::engine::views::text::plural;
use crate::engine::{LightsEvent, LightsOutcome};
use super::lights_args::{DiscoverArgs, FppCmd, FppScheduleCmd, GroupCmd, PlaylistCmd, PresetCmd, ScheduleCmd, SetArgs, WledCmd};
use super::{Session, confirm};
use crate::engine::views::lights::{Flag, StopMode};
use crate::engine::views::lights::Power;
use crate::engine::{Command, Event, Outcome};
use anyhow::{Result, anyhow};

fn set_command(a: SetArgs) -> Command {
    let power = match (a.on, a.off, a.toggle) {
        (true, _, _) => Some(Power::On),
        (_, true, _) => Some(Power::Off),
        (_, _, true) => Some(Power::Toggle),
        _ => None,
    };
    Command::WledSet {
        target: a.target,
        power,
        bri: a.bri,
        color: a.color,
        effect: a.effect,
        palette: a.palette,
        speed: a.speed,
        intensity: a.intensity,
        segment: a.segment,
        transition: a.transition,
    }
}

pub async fn wled(s: &Session, cmd: WledCmd) -> Result<()> {
    let outcome = match cmd {
        WledCmd::List => s.exec(Command::WledList {}).await?,
        WledCmd::Discover(DiscoverArgs { seconds, interface }) => {
            s.exec(Command::WledDiscover { seconds: Some(seconds), interface }).await?
        }
        WledCmd::Add { address, name, site } => s.exec(Command::WledAdd { address, name, site }).await?,
        WledCmd::Remove { device, yes } => {
            if !yes && !confirm(&format!("Remove WLED device {device:?} from homedeck?")) {
                return Err(anyhow!("not removed"));
            }
            s.exec(Command::WledRemove { device }).await?
        }
        WledCmd::State { device } => s.exec(Command::WledState { device }).await?,
        WledCmd::Set(a) => s.exec(set_command(*a)).await?,
        WledCmd::Preset(p) => match p {
            PresetCmd::List { device } => s.exec(Command::WledPresetList { device }).await?,
            PresetCmd::Apply { target, preset } => s.exec(Command::WledPresetApply { target, preset }).await?,
            PresetCmd::Save { device, id, name } => s.exec(Command::WledPresetSave { device, id, name }).await?,
            PresetCmd::Delete { device, id, yes } => {
                if !yes && !confirm(&format!("Delete preset {id} from {device}?")) {
                    return Err(anyhow!("not deleted"));
                }
                s.exec(Command::WledPresetDelete { device, id }).await?
            }
        },
        WledCmd::Playlist(p) => match p {
            PlaylistCmd::List { device } => match s.exec(Command::WledPresetList { device }).await? {
                Outcome::Lights(LightsOutcome::WledPresets { device, presets }) => Outcome::Lights(LightsOutcome::WledPresets {
                    device,
                    presets: presets.into_iter().filter(|p| p.playlist.is_some()).collect(),
                }),
                other => other,
            },
            PlaylistCmd::Start { target, playlist } => s.exec(Command::WledPlaylistStart { target, playlist }).await?,
            PlaylistCmd::Stop { target } => s.exec(Command::WledPlaylistStop { target }).await?,
            PlaylistCmd::Next { target } => s.exec(Command::WledPlaylistNext { target }).await?,
        },
        WledCmd::Group(g) => match g {
            GroupCmd::List => s.exec(Command::WledGroupList {}).await?,
            GroupCmd::Set { name, members } => s.exec(Command::WledGroupSet { name, members }).await?,
            GroupCmd::Remove { name } => s.exec(Command::WledGroupRemove { name }).await?,
        },
        WledCmd::Schedule(c) => match c {
            ScheduleCmd::List => s.exec(Command::WledScheduleList {}).await?,
            ScheduleCmd::Add { name, cron, target, action, tz } => {
                s.exec(Command::WledScheduleAdd { name, cron, target, action, tz }).await?
            }
            ScheduleCmd::Remove { name } => s.exec(Command::WledScheduleRemove { name }).await?,
            ScheduleCmd::Enable { name } => s.exec(Command::WledScheduleEnable { name, enabled: Flag(true) }).await?,
            ScheduleCmd::Disable { name } => s.exec(Command::WledScheduleEnable { name, enabled: Flag(false) }).await?,
            ScheduleCmd::Ack { name } => s.exec(Command::WledScheduleAck { name }).await?,
        },
        WledCmd::Export { device, out } => {
            let outcome = s.exec(Command::WledExport { device }).await?;
            if let (Some(dir), Outcome::Lights(LightsOutcome::WledExported { export })) = (&out, &outcome) {
                std::fs::create_dir_all(dir)?;
                let p = dir.join(format!("{}-presets.json", export.device));
                let c = dir.join(format!("{}-cfg.json", export.device));
                std::fs::write(&p, serde_json::to_vec_pretty(&export.presets)?)?;
                std::fs::write(&c, serde_json::to_vec_pretty(&export.cfg)?)?;
                if !s.json {
                    println!("wrote {} and {}", p.display(), c.display());
                    return Ok(());
                }
            }
            outcome
        }
        WledCmd::Watch => return watch(s).await,
    };
    s.print(&outcome)
}

/// Start live connections and the scheduler, then print what happens.
async fn watch(s: &Session) -> Result<()> {
    let mut rx = s.engine.subscribe();
    let started = s.exec(Command::LightsWatch {}).await?;
    if !s.json {
        println!("{} — Ctrl-C to stop", started.summary());
    }
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            ev = rx.recv() => match ev {
                Ok(ev) => print_event(&ev, s.json)?,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("(skipped {n} events)"),
                Err(_) => return Ok(()),
            },
        }
    }
}

fn print_event(ev: &Event, json: bool) -> Result<()> {
    let line = match ev {
        Event::Lights(LightsEvent::WledLive { device, live }) => format!(
            "{device}: {} {} bri {} #{} {} [{}]",
            live.link.as_str(),
            if live.on { "on" } else { "off" },
            live.bri,
            live.color,
            live.effect,
            live.error.clone().unwrap_or_default()
        ),
        Event::Lights(LightsEvent::FppLive { host, live }) => match (&live.status, &live.error) {
            (_, Some(e)) => format!("{host}: {e}"),
            (Some(st), None) => format!("{host}: {} {}", st.state_name(), st.current_playlist.playlist),
            _ => return Ok(()),
        },
        Event::Lights(LightsEvent::LightsLink { device, online, detail, .. }) => {
            format!("{device}: {} {detail}", if *online { "back online" } else { "OFFLINE" })
        }
        Event::Lights(LightsEvent::LightsScheduleRan { schedule, ok, message }) => {
            format!("schedule {schedule}: {} {message}", if *ok { "ran" } else { "FAILED" })
        }
        Event::Lights(LightsEvent::LightsScheduleMissed { schedule, count, last }) => {
            format!("schedule {schedule}: {} MISSED, last due {}", plural(*count as usize, "run", "runs"), last.to_rfc3339())
        }
        _ => return Ok(()),
    };
    if json {
        println!("{}", serde_json::to_string(ev)?);
    } else {
        println!("{line}");
    }
    Ok(())
}

pub async fn fpp(s: &Session, cmd: FppCmd) -> Result<()> {
    let outcome = match cmd {
        FppCmd::List => s.exec(Command::FppList {}).await?,
        FppCmd::Discover(DiscoverArgs { seconds, interface }) => s.exec(Command::FppDiscover { seconds: Some(seconds), interface }).await?,
        FppCmd::Add { address, name, site } => s.exec(Command::FppAdd { address, name, site }).await?,
        FppCmd::Remove { host, yes } => {
            if !yes && !confirm(&format!("Remove FPP host {host:?} from homedeck?")) {
                return Err(anyhow!("not removed"));
            }
            s.exec(Command::FppRemove { host }).await?
        }
        FppCmd::Status { host } => s.exec(Command::FppStatus { host }).await?,
        FppCmd::Playlists { host } => s.exec(Command::FppPlaylists { host }).await?,
        FppCmd::Start { host, playlist, repeat } => {
            s.exec(Command::FppStart { host, playlist, repeat: Some(Flag(repeat)) }).await?
        }
        FppCmd::Stop { host, graceful, after_loop } => {
            let mode = if graceful {
                StopMode::Graceful
            } else if after_loop {
                StopMode::AfterLoop
            } else {
                StopMode::Now
            };
            s.exec(Command::FppStop { host, mode: Some(mode) }).await?
        }
        FppCmd::Pause { host } => s.exec(Command::FppPause { host }).await?,
        FppCmd::Resume { host } => s.exec(Command::FppResume { host }).await?,
        FppCmd::Next { host } => s.exec(Command::FppNext { host }).await?,
        FppCmd::Prev { host } => s.exec(Command::FppPrev { host }).await?,
        FppCmd::Multisync { host } => s.exec(Command::FppMultisync { host }).await?,
        FppCmd::Schedule(c) => match c {
            FppScheduleCmd::Show { host } => s.exec(Command::FppSchedule { host }).await?,
            FppScheduleCmd::Add { host, playlist, day, start, end, start_date, end_date, once, stop } => {
                s.exec(Command::FppScheduleAdd {
                    host,
                    playlist,
                    day,
                    start_time: start,
                    end_time: end,
                    start_date,
                    end_date,
                    repeat: Some(Flag(!once)),
                    stop,
                })
                .await?
            }
            FppScheduleCmd::Remove { host, index, yes } => {
                if !yes && !confirm(&format!("Remove schedule entry {index} from {host}?")) {
                    return Err(anyhow!("not removed"));
                }
                s.exec(Command::FppScheduleRemove { host, index }).await?
            }
            FppScheduleCmd::Enable { host, index } => {
                s.exec(Command::FppScheduleEnable { host, index, enabled: Flag(true) }).await?
            }
            FppScheduleCmd::Disable { host, index } => {
                s.exec(Command::FppScheduleEnable { host, index, enabled: Flag(false) }).await?
            }
        },
    };
    s.print(&outcome)
}
