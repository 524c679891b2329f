#!/usr/bin/env python3
"""The soak's report (benches/soak.sh): from OUT/samples.csv, run.json,
report.json and homedeck.log, write OUT/table.md (the samples every 2
minutes), OUT/soak.svg (RSS, fds, threads and CPU against time, drawn here
without any plotting library) and OUT/summary.md (the three checks), and
exit 1 when a check fails.

Checks (issue 19):
- RSS and open fds flat after warm-up: the mean over the last window of
  the run is at most 5 % above the mean over the first window after
  warm-up (the first quarter of the run, at most 5 minutes, unless
  `--warmup-min N` says otherwise — the summary names the warm-up it judged
  after). A window is 6 minutes — three of the load's longest cycle (the
  sshd restart every 2 minutes) and six scheduled backups — or a third of
  the judged span when that is shorter, so both ends average the same
  phases of the load. (Until 2026-12-07 the windows were three samples,
  30 s: a backup in flight at one end and not the other moved the figure
  by ±4 %, more than the growth being judged. The edge-sample figure is
  still shown beside it, and so is the least-squares trend);
- no error left unreported: every WARN/ERROR line in the daemon's log names
  a resource (server, device, source, schedule) that the program itself
  also reports as failing (an alert, a failed audit entry, a health reason,
  a failed schedule run), or repeats a text the program reports;
- every scheduled backup catalogued: as many catalogued backups of the
  source as minute boundaries the daemon ran across, and no failed run.
Usage: soak_report.py OUT_DIR [--warmup-min N]
"""

import csv
import json
import re
import sys
from datetime import datetime
from pathlib import Path

out = Path(sys.argv[1])
given_warmup = None
if "--warmup-min" in sys.argv[2:]:
    i = sys.argv.index("--warmup-min")
    try:
        given_warmup = float(sys.argv[i + 1]) * 60
    except (IndexError, ValueError):
        sys.exit(f"soak_report: --warmup-min needs a number of minutes, got {sys.argv[i + 1:i + 2] or 'nothing'}")
rows = [{k: float(v) if v not in ("", None) else None for k, v in r.items()} for r in csv.DictReader(open(out / "samples.csv"))]
run = json.loads((out / "run.json").read_text())
report = json.loads((out / "report.json").read_text())
log = (out / "homedeck.log").read_text(errors="replace").splitlines() if (out / "homedeck.log").exists() else []
host = (out / "host.txt").read_text() if (out / "host.txt").exists() else ""
if len(rows) < 4:
    sys.exit(f"soak_report: only {len(rows)} samples in {out/'samples.csv'}; nothing to judge")

duration = rows[-1]["t_s"]
warm = given_warmup if given_warmup is not None else min(300.0, duration / 4)
if warm >= duration:
    sys.exit(f"soak_report: a warm-up of {warm/60:g} min leaves nothing of a {duration/60:g}-minute run to judge")
after = [r for r in rows if r["t_s"] > warm]


def mean(xs):
    return sum(xs) / len(xs)


WINDOW_S = min(360.0, (duration - warm) / 3)


def growth(key, window_s=None):
    """(first, last, peak, growth %) of `key` after warm-up: the means
    over the first and the last window (`window_s`; three samples when
    None, the figure before 2026-12-07)."""
    have = [r for r in after if r.get(key) is not None]
    if window_s is None:
        first, last = have[:3], have[-3:]
    else:
        first = [r for r in have if r["t_s"] <= have[0]["t_s"] + window_s] or have[:1]
        last = [r for r in have if r["t_s"] >= have[-1]["t_s"] - window_s] or have[-1:]
    base = mean([r[key] for r in first])
    end = mean([r[key] for r in last])
    peak = max(r[key] for r in have)
    return base, end, peak, (end / base - 1) * 100 if base else 0.0


def trend_pct_per_hour(key):
    """The least-squares slope of `key` after warm-up, in % of its mean
    per hour: shown, so a slow climb the windows might straddle is seen."""
    pts = [(r["t_s"], r[key]) for r in after if r.get(key) is not None]
    mt, mv = mean([t for t, _ in pts]), mean([v for _, v in pts])
    den = sum((t - mt) ** 2 for t, _ in pts)
    if not den or not mv:
        return 0.0
    return sum((t - mt) * (v - mv) for t, v in pts) / den * 3600 / mv * 100


checks = []
rss = growth("rss_kb", WINDOW_S)
fds = growth("fds", WINDOW_S)
thr = growth("threads", WINDOW_S)
win = f"means over the first and last {WINDOW_S/60:g} min after warm-up"


def edges(key):
    e = growth(key)
    return f"edge samples (3 each) {e[0]/1024:.1f} → {e[1]/1024:.1f} MiB ({e[3]:+.1f} %); trend {trend_pct_per_hour(key):+.1f} %/h"
# With the anonymous part sampled, it is what is judged: file-backed pages
# (the binary's code) are evicted and paged in again as the host's memory
# pressure comes and goes, which can hide a growing heap.
judged_on_anon = any(r.get("anon_kb") is not None for r in after[:-3])
checks.append(("RSS flat after warm-up (≤ 5 %)" + (" — shown; judged on the anonymous part" if judged_on_anon else ""),
               None if judged_on_anon else rss[3] <= 5.0,
               f"{rss[0]/1024:.1f} → {rss[1]/1024:.1f} MiB ({rss[3]:+.1f} %, {win}), peak {rss[2]/1024:.1f} MiB; {edges('rss_kb')}"))
if judged_on_anon:
    anon = growth("anon_kb", WINDOW_S)
    checks.append(("anonymous RSS (heap) after warm-up (≤ 5 %)", anon[3] <= 5.0,
                   f"{anon[0]/1024:.1f} → {anon[1]/1024:.1f} MiB ({anon[3]:+.1f} %, {win}), peak {anon[2]/1024:.1f} MiB; {edges('anon_kb')}"))
if any(r.get("db_kb") is not None for r in after):
    # Not judged: the store grows with every audited run by design; shown so
    # heap growth that follows it (sled's page cache, capped at 8 MiB) can be
    # told from growth that does not.
    db = growth("db_kb", WINDOW_S)
    checks.append(("store on disk (sled), shown", None,
                   f"{db[0]/1024:.1f} → {db[1]/1024:.1f} MiB ({db[3]:+.1f} %)"))
checks.append(("fds flat after warm-up (≤ 5 %)", fds[3] <= 5.0,
               f"{fds[0]:.0f} → {fds[1]:.0f} ({fds[3]:+.1f} %), peak {fds[2]:.0f}"))

# ── every scheduled backup catalogued ──
def find_list(v, key):
    """The first list under `key` anywhere in v."""
    if isinstance(v, dict):
        if isinstance(v.get(key), list):
            return v[key]
        for x in v.values():
            r = find_list(x, key)
            if r is not None:
                return r
    if isinstance(v, list):
        for x in v:
            r = find_list(x, key)
            if r is not None:
                return r
    return None


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


entries = find_list(report.get("catalog", {}), "entries") or []
# SOAK_SEED: the first N backups were made before the daemon started.
seeded = int(run.get("seeded_backups", 0))
ours = [e for e in entries if e.get("source") == "soak" and int(e.get("id", 0)) > seeded]
start, end = ts(run["started"]), ts(run["ended"])
# Minute boundaries the daemon ran across while the soak loop ran (the daemon
# was up a few seconds before the loop started; a run due then counts too).
minutes_crossed = int(end.timestamp() // 60) - int(start.timestamp() // 60)
in_window = [e for e in ours if start.timestamp() - 60 <= ts(e.get("created") or e.get("time") or run["started"]).timestamp() <= end.timestamp() + 5]
audit = find_list(report.get("audit", {}), "entries") or []
failed_audit = [a for a in audit if str(a.get("status", "success")).lower() not in ("success",)]
backup_failures = [a for a in failed_audit if "backup" in str(a.get("action", ""))]
ok_backups = len(in_window) >= minutes_crossed and not backup_failures
checks.append(("every scheduled backup catalogued", ok_backups,
               f"{len(ours)} catalogued ({len(in_window)} during the run{f', besides {seeded} seeded' if seeded else ''}) for {minutes_crossed} minute boundaries crossed; "
               f"{len(backup_failures)} failed backup audit entries"))

# ── no error left unreported ──
LINE = re.compile(r"^\S+\s+(ERROR|WARN)\s+(\S+?):\s?(.*)$")
levels = {"ERROR": 0, "WARN": 0}
problems = []
for line in log:
    m = LINE.match(line)
    if m:
        levels[m.group(1)] += 1
        problems.append((m.group(1), m.group(2), m.group(3)))

reported_text = json.dumps(report)
alerts = find_list(report.get("alerts", {}), "alerts") or []
# What the program reports as failing, by resource name.
failing = set()
for a in alerts:
    failing.add(str(a.get("target", "")))
for a in failed_audit:
    failing.add(str(a.get("resource", "") or ""))
    failing.update(re.findall(r"\b(?:srv\d\d|esp\d\d|wled-\d{3})\b", json.dumps(a)))
RESOURCE = re.compile(r"\b(srv\d\d|esp\d\d|wled-\d{3}|soak|every-minute)\b")
addr_to_name = {}
for w in find_list(report.get("wled", {}), "devices") or []:
    if isinstance(w, dict) and w.get("address"):
        addr_to_name[w["address"]] = w.get("name")


def template(text):
    return re.sub(r"\d+", "N", text)[:160]


unreported = {}
groups = {}
for level, target, text in problems:
    key = (level, target, template(text))
    groups[key] = groups.get(key, 0) + 1
    names = set(RESOURCE.findall(text))
    for addr, name in addr_to_name.items():
        if addr in text:
            names.add(name)
    seen = (names and names & failing) or template(text)[:60] in template(reported_text)
    if not seen:
        unreported[key] = unreported.get(key, 0) + 1
checks.append(("no error left unreported", not unreported,
               f"{levels['ERROR']} ERROR and {levels['WARN']} WARN lines in {len(groups)} kinds; "
               f"{sum(unreported.values())} lines in {len(unreported)} kinds not found in alerts/audit/status"))

# ── table ──
def mib(kb):
    return f"{kb/1024:.1f}"


table = ["| t (min) | RSS (MiB) | fds | threads | CPU (% of a core) | load (1 min) | WLED changes sent | WledLive received | ESPHome log lines | client re-attaches | sshd restarts |",
         "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
step = 12 if duration > 600 else 1
for i, r in enumerate(rows):
    if i % step == step - 1 or i == len(rows) - 1:
        table.append(f"| {r['t_s']/60:.1f} | {mib(r['rss_kb'])} | {r['fds']:.0f} | {r['threads']:.0f} | {r['cpu_pct']:.1f} | {r['load1']:.2f} | "
                     f"{r['wled_sent']:.0f} | {r['wled_live']:.0f} | {r['esphome_lines']:.0f} | {r.get('reattached', 0):.0f} | {r['sshd_restarts']:.0f} |")
(out / "table.md").write_text("\n".join(table) + "\n")


# ── SVG ──
def svg():
    W, H, pad_l, pad_r, pad_t, gap = 720, 640, 64, 16, 28, 34
    panels = [("RSS (MiB)", [r["rss_kb"] / 1024 for r in rows], "#1f77b4"),
              ("anonymous RSS, the heap (MiB)", [r["anon_kb"] / 1024 if r.get("anon_kb") is not None else None for r in rows], "#ff7f0e"),
              ("open fds", [r["fds"] for r in rows], "#d62728"),
              ("threads", [r["threads"] for r in rows], "#2ca02c"),
              ("CPU (% of one core)", [r["cpu_pct"] for r in rows], "#9467bd")]
    ph = (H - pad_t - gap * len(panels)) / len(panels)
    t = [r["t_s"] / 60 for r in rows]
    tmax = max(t) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W/2}" y="16" text-anchor="middle" font-size="13">homedeck daemon soak: {run["minutes"]:g} min, sampled every 10 s (warm-up shaded)</text>']
    for i, (label, ys, colour) in enumerate(panels):
        top = pad_t + i * (ph + gap) + 8
        lo, hi = 0.0, max(v for v in ys if v is not None) * 1.15 or 1.0
        x = lambda v: pad_l + (W - pad_l - pad_r) * v / tmax
        y = lambda v: top + ph - ph * (v - lo) / (hi - lo)
        parts.append(f'<rect x="{pad_l}" y="{top:.1f}" width="{x(warm/60)-pad_l:.1f}" height="{ph:.1f}" fill="#eeeeee"/>')
        parts.append(f'<rect x="{pad_l}" y="{top:.1f}" width="{W-pad_l-pad_r}" height="{ph:.1f}" fill="none" stroke="#888"/>')
        for frac in (0, 0.5, 1):
            v = lo + (hi - lo) * frac
            parts.append(f'<text x="{pad_l-4}" y="{y(v)+4:.1f}" text-anchor="end">{v:.0f}</text>')
            parts.append(f'<line x1="{pad_l}" x2="{W-pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad_l+6}" y="{top+13:.1f}" fill="{colour}">{label}</text>')
        pts = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t, ys) if b is not None)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if i == len(panels) - 1:
            for k in range(0, int(tmax) + 1, max(1, int(tmax) // 6)):
                parts.append(f'<text x="{x(k):.1f}" y="{top+ph+14:.1f}" text-anchor="middle">{k} min</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


(out / "soak.svg").write_text(svg())

# ── summary ──
lines = [f"Soak: {run['minutes']:g} min, {run['servers']} servers (one sshd, restarted {run['sshd_restarts']}×, "
         f"{run['sshd_logins']} logins), {run['wled']} WLED peers × {run['wled_hz']}/s, {run['esphome']} ESPHome peers streaming logs, "
         f"a backup every minute.",
         host.strip().replace("\n", "; "),
         f"Events to one attached client: {run['wled_live']} WledLive of {run['wled_sent']} changes sent, "
         f"{run['esphome_lines']} ESPHome log lines, {run['esphome_links']} ESPHome link changes, {run['lagged']} lagged, "
         f"{run.get('reattached', 0)} times dropped by the daemon and attached again.",
         f"Threads: {thr[0]:.0f} → {thr[1]:.0f} (peak {thr[2]:.0f}); peak RSS (VmHWM) {run['peak_rss_kb']/1024:.1f} MiB; "
         f"mean CPU after warm-up {mean([r['cpu_pct'] for r in after]):.1f} % of one core; "
         f"load 1 min mean {mean([r['load1'] for r in rows]):.2f} (max {max(r['load1'] for r in rows):.2f}).",
         f"Warm-up: the first {warm/60:g} min ({'given with --warmup-min' if given_warmup is not None else 'the first quarter, at most 5 min'}).",
         "",
         "| check | result | figures |", "|---|---|---|"]
for name, ok, fig in checks:
    lines.append(f"| {name} | {'info' if ok is None else 'pass' if ok else 'FAIL'} | {fig} |")
if groups:
    lines += ["", "Log lines (WARN/ERROR) by kind, with whether the program reports them:", ""]
    for (level, target, tmpl), n in sorted(groups.items(), key=lambda kv: -kv[1])[:20]:
        flag = "unreported" if (level, target, tmpl) in unreported else "reported"
        lines.append(f"- {n}× {level} {target}: `{tmpl[:120]}` — {flag}")
(out / "summary.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
print(f"\ntable: {out/'table.md'}\nplot: {out/'soak.svg'}")
sys.exit(0 if all(ok is not False for _, ok, _ in checks) else 1)
