//! Human-readable printing of lights outcomes.

use crate::engine::LightsOutcome;
use super::table::{self, age};
use crate::engine::views::lights::FPP_NO_AUTH;
use crate::engine::views::lights::list_name;

fn onoff(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

pub fn human(outcome: &LightsOutcome) {
    match outcome {
        LightsOutcome::WledDevices { devices } => {
            if devices.is_empty() {
                println!("no WLED devices — add one with `homedeck wled add 192.168.1.40` or find them with `homedeck wled discover`");
                return;
            }
            let rows: Vec<Vec<String>> = devices
                .iter()
                .map(|r| {
                    let d = &r.device;
                    let (state, link) = match &r.live {
                        Some(l) if l.link.as_str() == "offline" => {
                            (format!("offline: {}", l.error.clone().unwrap_or_default()), l.link.as_str().to_string())
                        }
                        Some(l) => (
                            format!("{} bri {:>3} #{} {}", onoff(l.on), l.bri, l.color, l.effect),
                            l.link.as_str().to_string(),
                        ),
                        None => ("—".into(), "—".into()),
                    };
                    let site = d.site.clone().unwrap_or_else(|| "-".into());
                    vec![d.name.clone(), d.address.clone(), d.version.clone(), d.led_count.to_string(), d.kind.clone(), site, link, state]
                })
                .collect();
            print!("{}", table::render(&["NAME", "ADDRESS", "VERSION", "LEDS", "KIND", "SITE", "LINK", "STATE"], &rows));
        }
        LightsOutcome::WledDetail { detail: x } => {
            let d = &x.device;
            println!("{} — {} at {} (WLED {}, {} LEDs, {}, MAC {})", d.name, x.info.name, d.address, x.info.ver, x.info.leds.count, d.kind, d.mac);
            println!("power {}  brightness {}  transition {}", onoff(x.state.on), x.state.bri, x.state.transition.map(|t| format!("{:.1}s", f64::from(t) / 10.0)).unwrap_or_else(|| "-".into()));
            println!("preset {}  playlist {}", x.state.ps, x.state.pl);
            let rows: Vec<Vec<String>> = x
                .state
                .seg
                .iter()
                .filter(|s| s.active())
                .map(|s| {
                    vec![
                        s.id.map(|i| i.to_string()).unwrap_or_default(),
                        format!("{}–{}", s.start.unwrap_or(0), s.stop.unwrap_or(0)),
                        onoff(s.on.unwrap_or(true)).into(),
                        s.bri.map(|b| b.to_string()).unwrap_or_default(),
                        s.col.first().map(|c| format!("#{}", c.hex())).unwrap_or_default(),
                        list_name(&x.effects, s.fx),
                        list_name(&x.palettes, s.pal),
                        format!("{}/{}", s.sx.unwrap_or(0), s.ix.unwrap_or(0)),
                    ]
                })
                .collect();
            print!("{}", table::render(&["SEG", "LEDS", "POWER", "BRI", "COLOR", "EFFECT", "PALETTE", "SPEED/INT"], &rows));
            println!("{} effects, {} palettes on this device", x.effects.len(), x.palettes.len());
        }
        LightsOutcome::WledResults { action, results } => {
            println!("{action}");
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|r| vec![r.device.clone(), if r.ok { "ok".into() } else { "FAILED".into() }, r.message.clone()])
                .collect();
            print!("{}", table::render(&["DEVICE", "RESULT", "DETAIL"], &rows));
        }
        LightsOutcome::WledPresets { device, presets } => {
            if presets.is_empty() {
                println!("{device} has no presets — save one with `homedeck wled preset save {device} 1 NAME`");
                return;
            }
            let rows: Vec<Vec<String>> = presets
                .iter()
                .map(|p| {
                    let kind = match &p.playlist {
                        Some(pl) => format!(
                            "playlist of {:?}, {}",
                            pl.presets,
                            if pl.repeat == 0 { "forever".to_string() } else { format!("{}×", pl.repeat) }
                        ),
                        None => "preset".into(),
                    };
                    vec![p.id.to_string(), p.name.clone(), kind]
                })
                .collect();
            print!("{}", table::render(&["ID", "NAME", "KIND"], &rows));
        }
        LightsOutcome::WledGroups { groups } => {
            if groups.is_empty() {
                println!("no groups — `homedeck wled group set NAME dev1,dev2`");
            }
            for g in groups {
                println!("{}: {}", g.name, g.members.join(", "));
            }
        }
        LightsOutcome::WledSchedules { schedules } => {
            if schedules.is_empty() {
                println!("no schedules — `homedeck wled schedule add NAME --cron \"0 18 * * *\" --target DEV --action on`");
                return;
            }
            let rows: Vec<Vec<String>> = schedules
                .iter()
                .map(|v| {
                    let s = &v.schedule;
                    vec![
                        s.name.clone(),
                        s.cron.clone(),
                        s.tz.clone(),
                        s.target.clone(),
                        s.action.to_string(),
                        if s.enabled { v.next_local.clone().unwrap_or_else(|| "never".into()) } else { "disabled".into() },
                        s.last_run.map(age).unwrap_or_else(|| "-".into()),
                        if s.missed.is_empty() { "-".into() } else { format!("{} (last {})", s.missed.len(), s.missed.last().map(|t| t.to_rfc3339()).unwrap_or_default()) },
                    ]
                })
                .collect();
            print!("{}", table::render(&["NAME", "CRON", "TZ", "TARGET", "ACTION", "NEXT RUN", "LAST RUN", "MISSED"], &rows));
        }
        LightsOutcome::WledDiscovered { found } => {
            if found.is_empty() {
                println!("no WLED devices answered");
                return;
            }
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|f| vec![f.instance.clone(), f.address.clone(), f.mac.clone(), f.known_as.clone().unwrap_or_else(|| "new — `homedeck wled add` it".into())])
                .collect();
            print!("{}", table::render(&["INSTANCE", "ADDRESS", "MAC", "IN HOMEDECK"], &rows));
        }
        LightsOutcome::FppDiscovered { found } => {
            if found.is_empty() {
                println!("no Falcon Player answered (FPP 10 or newer announces _fppd._udp)");
                return;
            }
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|f| vec![f.instance.clone(), f.address.clone(), f.known_as.clone().unwrap_or_else(|| "new — `homedeck fpp add` it".into())])
                .collect();
            print!("{}", table::render(&["INSTANCE", "ADDRESS", "IN HOMEDECK"], &rows));
        }
        LightsOutcome::WledExported { export } => {
            println!("{}", serde_json::to_string_pretty(export).unwrap_or_default());
        }
        LightsOutcome::FppHosts { hosts, notice } => {
            if hosts.is_empty() {
                println!("no FPP hosts — add one with `homedeck fpp add 192.168.1.50`");
                return;
            }
            let rows: Vec<Vec<String>> = hosts
                .iter()
                .map(|r| {
                    let state = match r.live.as_ref().map(|l| (&l.status, &l.error)) {
                        Some((_, Some(e))) => format!("unreachable: {e}"),
                        Some((Some(s), None)) => format!("{} {}", s.state_name(), s.current_playlist.playlist),
                        _ => "—".into(),
                    };
                    vec![r.host.name.clone(), r.host.address.clone(), r.host.version.clone(), r.host.site.clone().unwrap_or_else(|| "-".into()), state]
                })
                .collect();
            print!("{}", table::render(&["NAME", "ADDRESS", "VERSION", "SITE", "STATE"], &rows));
            println!("{notice}");
        }
        LightsOutcome::FppStatus { host, status: s, notice } => {
            println!("{} ({}) — FPP {} · mode {} · up {}", host.name, host.address, s.version, s.mode_name, s.uptime);
            println!("status:    {}", s.state_name());
            if s.playing() {
                let p = &s.current_playlist;
                println!("playlist:  {} — item {} of {} ({}) {}", p.playlist, p.index, p.count, p.kind, p.description);
                println!("elapsed:   {} s, remaining {} s{}", s.seconds_elapsed, s.seconds_remaining, s.progress().map(|f| format!(" ({:.0}%)", f * 100.0)).unwrap_or_default());
            }
            if !s.next_playlist.playlist.is_empty() {
                println!("next:      {} at {}", s.next_playlist.playlist, s.next_playlist.start_time);
            }
            for x in &s.sensors {
                println!("sensor:    {}{}", x.label, x.formatted);
            }
            println!("{notice}");
        }
        LightsOutcome::FppPlaylists { host, playlists } => {
            println!("{host}: {}", crate::engine::views::text::plural(playlists.len(), "playlist", "playlists"));
            for p in playlists {
                println!("  {p}");
            }
        }
        LightsOutcome::FppSchedule { schedule } => {
            if schedule.entries.is_empty() {
                println!("{}: no schedule entries", schedule.host);
                return;
            }
            let rows: Vec<Vec<String>> = schedule
                .entries
                .iter()
                .map(|e| {
                    vec![
                        e.index.to_string(),
                        if e.enabled { "yes".into() } else { "no".into() },
                        e.playlist.clone(),
                        e.day_name.clone(),
                        format!("{}–{}", e.start_time, e.end_time),
                        format!("{} → {}", e.start_date, e.end_date),
                        if e.repeat { "repeat".into() } else { "once".into() },
                        e.stop_type.clone(),
                    ]
                })
                .collect();
            print!("{}", table::render(&["#", "ON", "PLAYLIST", "DAYS", "TIME", "DATES", "REPEAT", "STOP"], &rows));
            println!("{FPP_NO_AUTH}");
        }
        LightsOutcome::FppSystems { host, systems } => {
            println!("{host} sees {} over MultiSync", crate::engine::views::text::plural(systems.len(), "system", "systems"));
            let rows: Vec<Vec<String>> = systems
                .iter()
                .map(|x| vec![x.hostname.clone(), x.address.clone(), x.mode.clone(), x.version.clone(), x.model.clone()])
                .collect();
            print!("{}", table::render(&["HOSTNAME", "ADDRESS", "MODE", "VERSION", "MODEL"], &rows));
        }
    }
}

impl super::output::Human for LightsOutcome {
    fn human(&self) {
        human(self);
    }
}
