//! Human-readable printing of server outcomes: inventory, health, test
//! reports, command results, imports, transfers and Tailscale status.

use crate::engine::ServersOutcome;
use super::table::{self, age};
use crate::engine::views::servers::{HealthReport, HealthState};
use crate::engine::views::servers::{ServerView, sparkline};

fn pct(v: Option<f32>) -> String {
    v.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "-".into())
}

pub fn uptime(secs: u64) -> String {
    match secs {
        s if s >= 86_400 => format!("{}d{}h", s / 86_400, (s % 86_400) / 3600),
        s if s >= 3600 => format!("{}h{}m", s / 3600, (s % 3600) / 60),
        s => format!("{}m", s / 60),
    }
}

fn state(h: Option<&HealthReport>) -> String {
    h.map(|h| h.state.as_str().to_string()).unwrap_or_else(|| "not polled".into())
}

fn row(v: &ServerView) -> Vec<String> {
    let h = v.health.as_ref();
    let s = h.and_then(|h| h.sample.as_ref());
    let spark: Vec<Option<f32>> = v.cpu_hour.iter().rev().take(20).rev().copied().collect();
    vec![
        v.server.name.clone(),
        state(h),
        v.server.address(),
        pct(s.and_then(|s| s.cpu_pct)),
        pct(s.map(|s| s.mem_pct())),
        pct(s.map(|s| s.disk_max_pct())),
        s.map(|s| format!("{:.2}", s.load[0])).unwrap_or_else(|| "-".into()),
        s.map(|s| uptime(s.uptime_secs)).unwrap_or_else(|| "-".into()),
        sparkline(&spark),
        [v.server.tags.join(","), v.server.site.clone().map(|s| format!("@{s}")).unwrap_or_default()]
            .iter()
            .filter(|x| !x.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
    ]
}

pub fn health_rows(reports: &[HealthReport]) -> String {
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let s = r.sample.as_ref();
            vec![
                r.server.clone(),
                r.state.as_str().into(),
                pct(s.and_then(|s| s.cpu_pct)),
                pct(s.map(|s| s.mem_pct())),
                pct(s.map(|s| s.swap_pct())),
                pct(s.map(|s| s.disk_max_pct())),
                s.map(|s| format!("{:.2} {:.2} {:.2}", s.load[0], s.load[1], s.load[2])).unwrap_or_else(|| "-".into()),
                s.map(|s| s.procs.to_string()).unwrap_or_else(|| "-".into()),
                s.map(|s| uptime(s.uptime_secs)).unwrap_or_else(|| "-".into()),
                format!("{} ms", r.probe_ms),
                r.reasons.join("; "),
            ]
        })
        .collect();
    table::render(&["SERVER", "STATE", "CPU", "MEM", "SWAP", "DISK", "LOAD 1/5/15", "PROCS", "UP", "PROBE", "REASONS"], &rows)
}

pub fn human(outcome: &ServersOutcome) {
    match outcome {
        ServersOutcome::Servers { servers } => {
            let rows: Vec<Vec<String>> = servers.iter().map(row).collect();
            print!("{}", table::render(&["NAME", "STATE", "ADDRESS", "CPU", "MEM", "DISK", "LOAD", "UP", "CPU 20m", "TAGS"], &rows));
            if servers.len() == 1 {
                println!("only the built-in `local` server — add one with `homedeck server add NAME --host HOST`");
            }
        }
        ServersOutcome::Server { detail } => {
            let v = &detail.view;
            let s = &v.server;
            println!("{}  {}", s.name, state(v.health.as_ref()));
            println!("address:  {}", s.address());
            println!("login:    {}", s.auth.label());
            if !s.tags.is_empty() {
                println!("tags:     {}", s.tags.join(", "));
            }
            if let Some(site) = &s.site {
                println!("site:     {site}");
            }
            match &s.host_key {
                Some(k) => println!("host key: {} {} (pinned {} by {})", k.algorithm, k.fingerprint, age(k.pinned_at), k.pinned_by),
                None if !s.is_local() => println!("host key: not pinned yet (pinned on first connection)"),
                None => {}
            }
            if let Some(h) = &v.health {
                print!("{}", health_rows(std::slice::from_ref(h)));
                if let Some(sample) = &h.sample {
                    for d in &sample.disks {
                        println!("  disk {:<20} {:>5.1}%  {} of {} MiB", d.mount, d.pct, d.used_kb / 1024, d.size_kb / 1024);
                    }
                }
            }
            let cpu: Vec<Option<f32>> = detail.history.iter().map(|p| p.cpu).collect();
            let mem: Vec<Option<f32>> = detail.history.iter().map(|p| Some(p.mem)).collect();
            println!("history:  {}", crate::engine::views::text::plural(detail.history.len(), "minute", "minutes"));
            println!("  cpu {}", sparkline(&cpu[cpu.len().saturating_sub(60)..]));
            println!("  mem {}", sparkline(&mem[mem.len().saturating_sub(60)..]));
        }
        ServersOutcome::ServerTested { report: r } => {
            println!("{} ({})", r.server, r.address);
            println!("connect:    {} ms (TCP + SSH handshake + login)", r.connect_ms);
            println!("round trip: {} ms", r.round_trip_ms);
            println!("banner:     {}", r.banner);
            if let Some(k) = &r.host_key {
                println!("host key:   {k}{}", if r.pinned_now { "  (pinned now, first use)" } else { "" });
            }
            println!("os:         {}", r.os);
            println!("kernel:     {}", r.kernel);
        }
        ServersOutcome::ExecDone { run, command, results } => {
            let rows: Vec<Vec<String>> =
                results.iter().map(|r| vec![r.server.clone(), r.outcome(), format!("{} ms", r.duration_ms)]).collect();
            println!("run {run}: {command}");
            print!("{}", table::render(&["SERVER", "RESULT", "TIME"], &rows));
        }
        ServersOutcome::Health { reports } => print!("{}", health_rows(reports)),
        ServersOutcome::SshImport { rows, dry_run } => {
            let r: Vec<Vec<String>> = rows
                .iter()
                .map(|r| vec![r.name.clone(), format!("{}@{}:{}", r.user, r.host, r.port), r.auth.clone(), r.action.clone(), r.note.clone()])
                .collect();
            print!("{}", table::render(&["NAME", "ADDRESS", "AUTH", "ACTION", "NOTE"], &r));
            if *dry_run {
                println!("dry run: nothing was added");
            }
        }
        ServersOutcome::Transferred { report: t } => {
            let mbps = if t.millis == 0 { 0.0 } else { t.bytes as f64 / 1_048_576.0 / (t.millis as f64 / 1000.0) };
            println!("{} {} → {}: {} in {} ms ({mbps:.1} MiB/s)", t.direction, t.from, t.to, crate::engine::views::text::size(t.bytes), t.millis);
        }
        ServersOutcome::Tailscale { status: s } => {
            println!("tailnet {} ({}), read on {}, tailscale {}", s.tailnet, s.backend_state, s.read_on, s.version);
            println!("this node: {} {} {}", s.this_node.host_name, s.this_node.os, s.this_node.ips.join(" "));
            if let Some(e) = &s.exit_node {
                println!("exit node: {e}");
            }
            for h in &s.health {
                println!("health: {h}");
            }
            let rows: Vec<Vec<String>> = s
                .peers
                .iter()
                .map(|p| {
                    vec![
                        p.host_name.clone(),
                        if p.online { "online".into() } else { "offline".into() },
                        p.os.clone(),
                        p.ips.first().cloned().unwrap_or_default(),
                        p.last_seen.clone().unwrap_or_else(|| "-".into()),
                        if p.exit_node { "exit".into() } else if p.exit_node_option { "offers exit".into() } else { String::new() },
                        format!("{}/{}", p.rx_bytes, p.tx_bytes),
                        match (&p.key_expiry, p.expired) {
                            (_, true) => "EXPIRED".into(),
                            (Some(k), _) => k.clone(),
                            (None, _) => "-".into(),
                        },
                    ]
                })
                .collect();
            print!("{}", table::render(&["PEER", "STATE", "OS", "IP", "LAST SEEN", "EXIT", "RX/TX", "KEY EXPIRY"], &rows));
        }
    }
}

/// Is this report bad enough for a non-zero exit in scripts?
pub fn unhealthy(reports: &[HealthReport]) -> bool {
    reports.iter().any(|r| r.state == HealthState::Down)
}

impl super::output::Human for ServersOutcome {
    fn human(&self) {
        human(self);
    }
}
