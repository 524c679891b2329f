//! Parsing the health probe's output: /proc/stat, /proc/meminfo,
//! /proc/loadavg, /proc/uptime, a process count and `df -P -k`, in sections
//! headed `@name`. Every number is parsed defensively: a missing or odd line
//! leaves that figure out (and says so) rather than failing the whole probe.

use super::types::{CpuCounters, Disk, Sample};
use chrono::Utc;
use std::collections::HashMap;

/// The shell the probe runs. `LC_ALL=C` keeps df's header and numbers plain.
/// With `twice`, /proc/stat is read twice 0.5 s apart so the very first
/// probe already has a CPU figure.
pub fn script(twice: bool) -> String {
    let second = if twice { "sleep 0.5; echo @stat2; head -n 1 /proc/stat; " } else { "" };
    format!(
        "LC_ALL=C; export LC_ALL; echo @stat; head -n 1 /proc/stat; {second}\
         echo @meminfo; cat /proc/meminfo; echo @loadavg; cat /proc/loadavg; echo @uptime; cat /proc/uptime; \
         echo @cores; getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo; \
         echo @procs; ls -d /proc/[0-9]* 2>/dev/null | wc -l; echo @df; df -P -k 2>/dev/null; echo @end"
    )
}

/// Split `@section` blocks.
fn sections(text: &str) -> HashMap<&str, Vec<&str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut current = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix('@') {
            current = name.trim();
            out.entry(current).or_default();
        } else if !current.is_empty() {
            out.entry(current).or_default().push(line);
        }
    }
    out
}

pub fn cpu_counters(line: &str) -> Option<CpuCounters> {
    let mut parts = line.split_whitespace();
    if parts.next()? != "cpu" {
        return None;
    }
    let v: Vec<u64> = parts.filter_map(|p| p.parse().ok()).collect();
    if v.len() < 4 {
        return None;
    }
    // user nice system idle iowait irq softirq steal (guest is inside user).
    let idle = v[3] + v.get(4).copied().unwrap_or(0);
    let total: u64 = v.iter().take(8).sum();
    Some(CpuCounters { total, idle })
}

pub fn cpu_pct(prev: CpuCounters, now: CpuCounters) -> Option<f32> {
    let dt = now.total.checked_sub(prev.total)?;
    let di = now.idle.checked_sub(prev.idle)?;
    if dt == 0 {
        return None;
    }
    Some(((dt.saturating_sub(di)) as f64 * 100.0 / dt as f64) as f32)
}

fn meminfo(lines: &[&str]) -> HashMap<String, u64> {
    lines
        .iter()
        .filter_map(|l| {
            let (k, rest) = l.split_once(':')?;
            Some((k.trim().to_string(), rest.split_whitespace().next()?.parse().ok()?))
        })
        .collect()
}

/// Pseudo filesystems that say nothing about disk space.
fn pseudo(fs: &str, mount: &str) -> bool {
    matches!(fs, "tmpfs" | "devtmpfs" | "udev" | "none" | "shm" | "run" | "efivarfs" | "cgroup" | "cgroup2")
        || (fs == "overlay" && mount != "/")
        || mount.starts_with("/snap/")
        || mount.starts_with("/proc")
        || mount.starts_with("/sys")
        || mount.starts_with("/dev")
}

pub fn df(lines: &[&str]) -> Vec<Disk> {
    let mut out: Vec<Disk> = Vec::new();
    for line in lines.iter().skip_while(|l| !l.starts_with("Filesystem")).skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 6 {
            continue;
        }
        let (Ok(size), Ok(used), Ok(avail)) = (f[1].parse::<u64>(), f[2].parse::<u64>(), f[3].parse::<u64>()) else { continue };
        let mount = f[5..].join(" ");
        if size == 0 || pseudo(f[0], &mount) || out.iter().any(|d| d.mount == mount) {
            continue;
        }
        // df's own rounding: used / (used + available), rounded up.
        let denom = used + avail;
        let pct = if denom == 0 { 0.0 } else { (used as f64 * 100.0 / denom as f64) as f32 };
        out.push(Disk { fs: f[0].to_string(), mount, size_kb: size, used_kb: used, pct });
    }
    out
}

/// Turn probe output into a sample; `prev` is the last CPU reading.
pub fn sample(text: &str, prev: Option<CpuCounters>) -> (Sample, Option<CpuCounters>, Vec<String>) {
    let s = sections(text);
    let mut missing = Vec::new();
    let get = |k: &str| s.get(k).cloned().unwrap_or_default();
    let now = get("stat").first().and_then(|l| cpu_counters(l));
    let second = get("stat2").first().and_then(|l| cpu_counters(l));
    let (cpu, last) = match (now, second, prev) {
        (Some(a), Some(b), _) => (cpu_pct(a, b), Some(b)),
        (Some(a), None, Some(p)) => (cpu_pct(p, a), Some(a)),
        (a, _, _) => (None, a),
    };
    if last.is_none() {
        missing.push("cpu (/proc/stat unreadable)".to_string());
    }
    let mem = meminfo(&get("meminfo"));
    if mem.is_empty() {
        missing.push("memory (/proc/meminfo unreadable)".into());
    }
    let m = |k: &str| mem.get(k).copied().unwrap_or(0);
    let mem_total = m("MemTotal");
    let mem_avail = mem.get("MemAvailable").copied().unwrap_or(m("MemFree") + m("Buffers") + m("Cached"));
    let load: Vec<f32> = get("loadavg").first().map(|l| l.split_whitespace().take(3).filter_map(|x| x.parse().ok()).collect()).unwrap_or_default();
    if load.len() < 3 {
        missing.push("load (/proc/loadavg unreadable)".into());
    }
    let uptime = get("uptime").first().and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok());
    let first_num = |k: &str| get(k).first().and_then(|l| l.trim().parse::<u32>().ok());
    let sample = Sample {
        time: Utc::now(),
        cpu_pct: cpu,
        mem_total_kb: mem_total,
        mem_used_kb: mem_total.saturating_sub(mem_avail),
        swap_total_kb: m("SwapTotal"),
        swap_used_kb: m("SwapTotal").saturating_sub(m("SwapFree")),
        load: [load.first().copied().unwrap_or(0.0), load.get(1).copied().unwrap_or(0.0), load.get(2).copied().unwrap_or(0.0)],
        uptime_secs: uptime.map(|u| u as u64).unwrap_or(0),
        procs: first_num("procs").unwrap_or(0),
        cores: first_num("cores").unwrap_or(1).max(1),
        disks: df(&get("df")),
    };
    (sample, last, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "@stat\ncpu  100 0 50 800 50 0 0 0 0 0\n@stat2\ncpu  150 0 70 830 50 0 0 0 0 0\n\
@meminfo\nMemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n\
@loadavg\n0.50 1.25 2.00 1/300 12345\n@uptime\n12345.67 2000.00\n@cores\n4\n@procs\n   212\n\
@df\nFilesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/sda1         100000     95000      5000      95% /\n\
tmpfs              1000         0      1000       0% /run\n/dev/sdb1  200 100 100 50% /mnt/my disk\n@end\n";

    #[test]
    fn parses_a_full_probe() {
        let (s, last, missing) = sample(OUT, None);
        assert!(missing.is_empty(), "{missing:?}");
        assert_eq!(s.cpu_pct.map(|c| c.round()), Some(70.0)); // 70 busy of 100 ticks
        assert_eq!(s.mem_used_kb, 12_000_000);
        assert_eq!(s.swap_used_kb, 500_000);
        assert_eq!(s.load, [0.5, 1.25, 2.0]);
        assert_eq!((s.uptime_secs, s.cores, s.procs), (12345, 4, 212));
        assert_eq!(s.disks.len(), 2);
        assert_eq!(s.disks[1].mount, "/mnt/my disk");
        assert_eq!(s.disks[0].pct.round(), 95.0);
        assert!(last.is_some());
    }

    #[test]
    fn garbage_gives_gaps_not_panics() {
        for junk in ["", "@stat\ncpu x y\n@df\nFilesystem\n/dev 1 2\n", "@meminfo\nMemTotal: lots\n", "\u{0}\u{1}@@@\n@df\n"] {
            let (s, _, missing) = sample(junk, None);
            assert!(s.cpu_pct.is_none());
            assert!(!missing.is_empty());
        }
        assert_eq!(cpu_pct(CpuCounters { total: 10, idle: 5 }, CpuCounters { total: 5, idle: 1 }), None);
    }
}
