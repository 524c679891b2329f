//! The offline interpreter: what the assistant understands with no model
//! provider configured. It turns the common requests into the same tool
//! calls a model would make, so they become the same proposals (writes wait
//! for a confirm) and runs (reads):
//!
//! start / stop / restart / upgrade a deployment, a deployment's logs, back
//! up a source now, verify backups, a light on / off / to a brightness /
//! preset / effect, run a command on servers, what is down or unhealthy,
//! which secrets are due for rotation, what happened in the last hour.
//!
//! Names are matched against an [`Inventory`] of what exists (read by the
//! caller), "this"/"it" against the console's selection (`server:nas`).
//! Several requests joined by "and", "then" or ";" each become calls. What
//! it does not understand it says plainly, with what it can do. Pure and
//! allocation-light: `benches/ai.rs` holds it under 1 ms.

use serde_json::{Value, json};

/// What exists, by name: the words a request can point at.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub servers: Vec<String>,
    /// (deployment, its server)
    pub deployments: Vec<(String, String)>,
    pub lights: Vec<String>,
    pub sources: Vec<String>,
    pub esphome: Vec<String>,
}

/// What the interpreter makes of a request: what to say, what to call.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub text: String,
    pub calls: Vec<(String, Value)>,
}

/// What it can do, said when it did not understand.
pub const CAN_DO: &str = "Without a model provider I understand: start, stop, restart or upgrade a deployment (\"restart ha on nas\", \"upgrade ha to 2025.1.2\"); show a deployment's logs; back up a source now; verify backups; turn a light on or off, to a brightness (\"porch to 30 %\"), a preset or an effect; run a command on servers (\"run uptime on all servers\"); what is down or unhealthy; which secrets are due for rotation; what happened in the last hour.";

pub fn interpret(text: &str, context: Option<&str>, inv: &Inventory) -> Plan {
    let whole = text.trim();
    let clauses = split_clauses(whole);
    let mut said = Vec::new();
    let mut calls = Vec::new();
    let mut not_understood = Vec::new();
    // "run a and b on nas" is one request: split only when every part is understood.
    let parts: Vec<Result<Intent, String>> = clauses.iter().map(|c| one(c, context, inv)).collect();
    let parts = if parts.len() > 1 && parts.iter().any(Result::is_err) { vec![one(whole, context, inv)] } else { parts };
    for (i, p) in parts.into_iter().enumerate() {
        match p {
            Ok(intent) => {
                said.push(intent.say);
                calls.extend(intent.calls);
            }
            Err(why) => not_understood.push(if clauses.len() > 1 { format!("{} ({why})", clauses.get(i).map(String::as_str).unwrap_or(whole)) } else { why }),
        }
    }
    let mut out = said.join("\n");
    if !not_understood.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("I did not understand: {}.\n{CAN_DO}", not_understood.join("; ")));
    }
    Plan { text: out, calls }
}

struct Intent {
    say: String,
    calls: Vec<(String, Value)>,
}

fn intent(say: impl Into<String>, calls: Vec<(&str, Value)>) -> Result<Intent, String> {
    Ok(Intent { say: say.into(), calls: calls.into_iter().map(|(n, v)| (n.to_string(), v)).collect() })
}

fn split_clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let lower = rest.to_lowercase();
        let cut = [" and then ", " then ", " and ", "; "].iter().filter_map(|sep| lower.find(sep).map(|i| (i, sep.len()))).min();
        match cut {
            Some((i, len)) if rest.is_char_boundary(i) && rest.is_char_boundary(i + len) => {
                out.push(rest[..i].trim().to_string());
                rest = &rest[i + len..];
            }
            _ => {
                out.push(rest.trim().to_string());
                return out.into_iter().filter(|s| !s.is_empty()).collect();
            }
        }
    }
}

/// Lowercase words, punctuation around them dropped (names keep - _ .).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '?' || c == '!')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '%').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn has(ws: &[String], any: &[&str]) -> bool {
    ws.iter().any(|w| any.contains(&w.as_str()))
}

/// The first known name mentioned (whole words; a name of several words
/// or with dashes matches as written), else the context's when the text
/// says "this"/"it".
fn find_name<'a>(text: &str, ws: &[String], names: impl Iterator<Item = &'a String>, context: Option<&str>, kinds: &[&str]) -> Option<String> {
    let lower = format!(" {} ", text.to_lowercase());
    let mut best: Option<(usize, &String)> = None;
    for n in names {
        let ln = n.to_lowercase();
        let hit = ws.contains(&ln) || (ln.contains([' ', '-', '_', '.']) && lower.contains(&format!(" {ln} ")));
        if hit && best.is_none_or(|(len, _)| ln.len() > len) {
            best = Some((ln.len(), n));
        }
    }
    if let Some((_, n)) = best {
        return Some(n.clone());
    }
    if has(ws, &["this", "it", "that", "selected"]) {
        let (kind, name) = context?.split_once(':')?;
        if kinds.contains(&kind) {
            return Some(name.to_string());
        }
    }
    None
}

fn one(text: &str, context: Option<&str>, inv: &Inventory) -> Result<Intent, String> {
    let ws = words(text);
    let lower = text.to_lowercase();
    if ws.is_empty() {
        return Err("an empty request".into());
    }
    if let Some(i) = run_command(text, &ws, context, inv) {
        return i;
    }
    if lower.contains("what happened") || lower.contains("last hour") || lower.contains("recent activity") || has(&ws, &["happened", "history"]) {
        let since = if lower.contains("today") || lower.contains("24 h") || lower.contains("day") { "24h" } else { "1h" };
        return intent(format!("Here is the audit log of the last {}:", if since == "1h" { "hour" } else { "day" }), vec![("audit_search", json!({ "since": since, "limit": 50 }))]);
    }
    if has(&ws, &["rotation", "rotations", "rotate"]) {
        return intent("Secrets due or overdue for rotation:", vec![("secret_rotation_due", json!({}))]);
    }
    if has(&ws, &["down", "unhealthy", "health", "healthy", "broken", "failing", "offline"]) && !has(&ws, &["turn", "stop"]) {
        return intent("Probing the servers and deployments now:", vec![("server_health", json!({})), ("deploy_list", json!({ "health": true }))]);
    }
    if has(&ws, &["logs", "log"]) {
        let dep = find_deployment(text, &ws, context, inv);
        if let Some(d) = dep {
            return intent(format!("The last 100 lines of deployment {d}'s log:"), vec![("deploy_logs", json!({ "name": d, "lines": 100 }))]);
        }
        if let Some(dev) = find_name(text, &ws, inv.esphome.iter(), context, &["esphome"]) {
            return Err(format!("ESPHome device {dev}'s logs stream live: open it in the ESPHome pane, or run `homedeck esphome logs {dev}`"));
        }
        return Err("whose logs? name a deployment".into());
    }
    if has(&ws, &["verify", "check"]) && has(&ws, &["backup", "backups"]) {
        let id = ws.iter().find_map(|w| w.trim_start_matches('#').parse::<u64>().ok());
        return match id {
            Some(id) => intent(format!("Verifying backup {id}:"), vec![("backup_verify", json!({ "id": id }))]),
            None => intent("Verifying the backups:", vec![("backup_verify", json!({}))]),
        };
    }
    if lower.contains("back up") || lower.contains("backup") || has(&ws, &["back"]) {
        return match find_name(text, &ws, inv.sources.iter(), context, &["source", "backup"]) {
            Some(s) => intent(format!("I propose backing up {s} now."), vec![("backup_create", json!({ "source": s }))]),
            None => Err(format!("back up which source? known: {}", list(&inv.sources))),
        };
    }
    if let Some(i) = deployment_verb(text, &ws, context, inv) {
        return i;
    }
    if let Some(i) = light(text, &ws, context, inv) {
        return i;
    }
    Err(format!("\"{}\"", text.chars().take(80).collect::<String>()))
}

fn list(names: &[String]) -> String {
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// A deployment by its name, or "ha on nas" (the one deployment on server nas).
fn find_deployment(text: &str, ws: &[String], context: Option<&str>, inv: &Inventory) -> Option<String> {
    if let Some(d) = find_name(text, ws, inv.deployments.iter().map(|(d, _)| d), context, &["deployment"]) {
        return Some(d);
    }
    let server = find_name(text, ws, inv.servers.iter(), context, &["server"])?;
    let on: Vec<&String> = inv.deployments.iter().filter(|(_, s)| *s == server).map(|(d, _)| d).collect();
    (on.len() == 1).then(|| on[0].clone())
}

fn deployment_verb(text: &str, ws: &[String], context: Option<&str>, inv: &Inventory) -> Option<Result<Intent, String>> {
    let verb = ["restart", "start", "stop", "upgrade", "update"].into_iter().find(|v| ws.iter().any(|w| w == v))?;
    let Some(d) = find_deployment(text, ws, context, inv) else {
        // "stop the porch light" is a light, not a deployment.
        if find_name(text, ws, inv.lights.iter(), context, &["wled", "light"]).is_some() {
            return None;
        }
        return Some(Err(format!("{verb} which deployment? known: {}", list(&inv.deployments.iter().map(|(d, s)| format!("{d} on {s}")).collect::<Vec<_>>()))));
    };
    Some(match verb {
        "restart" => intent(format!("I propose restarting deployment {d}."), vec![("deploy_restart", json!({ "name": d }))]),
        "start" => intent(format!("I propose starting deployment {d}."), vec![("deploy_start", json!({ "name": d }))]),
        "stop" => intent(format!("I propose stopping deployment {d}."), vec![("deploy_stop", json!({ "name": d }))]),
        _ => {
            let pos = ws.iter().position(|w| w == "to");
            let version = pos.and_then(|p| ws.get(p + 1)).filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()));
            match version {
                Some(v) => intent(format!("I propose upgrading deployment {d} to {v}."), vec![("deploy_upgrade", json!({ "name": d, "version": v }))]),
                None => Err(format!("upgrade {d} to which version? say e.g. \"upgrade {d} to 2025.1.2\"")),
            }
        }
    })
}

fn light(text: &str, ws: &[String], context: Option<&str>, inv: &Inventory) -> Option<Result<Intent, String>> {
    let lightish = has(ws, &["light", "lights", "wled", "lamp", "brightness", "preset", "effect", "on", "off", "%"]) || ws.iter().any(|w| w.ends_with('%'));
    if !lightish {
        return None;
    }
    let target = find_name(text, ws, inv.lights.iter(), context, &["wled", "light"]).or_else(|| {
        (has(ws, &["all"]) && has(ws, &["lights", "wled"])).then(|| "all".to_string())
    });
    let Some(t) = target else {
        return Some(Err(format!("which light? known: {}", list(&inv.lights))));
    };
    let after = |key: &str| -> Option<String> {
        let p = ws.iter().position(|w| w == key)?;
        let rest: Vec<&str> = ws[p + 1..].iter().map(String::as_str).filter(|w| !["to", "the", "=", "of"].contains(w)).collect();
        (!rest.is_empty()).then(|| rest.join(" "))
    };
    if let Some(p) = after("preset") {
        return Some(intent(format!("I propose applying preset {p} on {t}."), vec![("wled_preset_apply", json!({ "target": t, "preset": p }))]));
    }
    if let Some(e) = after("effect") {
        return Some(intent(format!("I propose effect {e} on {t}."), vec![("wled_set", json!({ "target": t, "power": "on", "effect": e }))]));
    }
    if let Some(pct) = percent(ws) {
        let bri = ((pct.min(100) as u32 * 255 + 50) / 100) as u8;
        return Some(intent(format!("I propose setting {t} to {pct} % (brightness {bri})."), vec![("wled_set", json!({ "target": t, "power": "on", "bri": bri }))]));
    }
    if has(ws, &["off"]) {
        return Some(intent(format!("I propose turning {t} off."), vec![("wled_set", json!({ "target": t, "power": "off" }))]));
    }
    if has(ws, &["on"]) {
        return Some(intent(format!("I propose turning {t} on."), vec![("wled_set", json!({ "target": t, "power": "on" }))]));
    }
    None
}

/// "30 %", "30%", "30 percent", "brightness 30".
fn percent(ws: &[String]) -> Option<u8> {
    for (i, w) in ws.iter().enumerate() {
        if let Some(n) = w.strip_suffix('%').and_then(|n| n.parse::<u8>().ok()) {
            return Some(n);
        }
        if let Ok(n) = w.parse::<u8>() {
            let next = ws.get(i + 1).map(String::as_str);
            let prev = i.checked_sub(1).and_then(|p| ws.get(p)).map(String::as_str);
            if matches!(next, Some("%" | "percent" | "pct")) || matches!(prev, Some("brightness" | "to")) {
                return Some(n);
            }
        }
    }
    None
}

/// "run uptime on nas", "run `df -h` on all servers", "on nas run uptime".
fn run_command(text: &str, ws: &[String], context: Option<&str>, inv: &Inventory) -> Option<Result<Intent, String>> {
    if !has(ws, &["run", "execute", "exec"]) || has(ws, &["backup"]) {
        return None;
    }
    let lower = text.to_lowercase();
    let start = ["run ", "execute ", "exec "].iter().filter_map(|v| lower.find(v).map(|i| i + v.len())).min()?;
    let rest = &text[start..];
    let on = rest.to_lowercase().rfind(" on ");
    let (line, where_) = match on {
        Some(i) => (&rest[..i], &rest[i + 4..]),
        None => (rest, ""),
    };
    let line = line.trim().trim_matches(|c| c == '`' || c == '"' || c == '\'').trim();
    if line.is_empty() {
        return Some(Err("run what? say e.g. \"run uptime on all servers\"".into()));
    }
    let wws = words(where_);
    let targets = if has(&wws, &["all", "every", "servers"]) && find_name(where_, &wws, inv.servers.iter(), None, &[]).is_none() {
        Some("all".to_string())
    } else {
        let named: Vec<String> = inv.servers.iter().filter(|s| wws.iter().any(|w| *w == s.to_lowercase())).cloned().collect();
        if !named.is_empty() {
            Some(named.join(","))
        } else {
            wws.iter().find_map(|w| w.strip_prefix("tag:").or_else(|| w.strip_prefix("site:")).map(|_| w.clone())).or_else(|| find_name(where_, &wws, inv.servers.iter(), context, &["server"]))
        }
    };
    Some(match targets {
        Some(t) => intent(format!("I propose running `{line}` on {t}."), vec![("server_exec", json!({ "targets": t, "line": line }))]),
        None => Err(format!("run `{line}` on which servers? known: {}", list(&inv.servers))),
    })
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
