//! Human-readable printing of outcomes. Each domain's printer implements
//! [`Human`] for its own outcome enum in its own file (`server_output.rs` …;
//! the vault's and the audit log's are here); `Outcome::visit` hands every
//! answer to the right one, so a domain without a printer does not compile.

use crate::engine::views::text::plural;
use crate::engine::{AuditOutcome, GeneralOutcome, VaultOutcome, VisitOutcome};
use super::table::{self, age};
use crate::engine::Outcome;

/// Printing one domain's outcome enum for people (`--json` prints the
/// outcome itself). The match inside is over the domain's own enum, with no
/// wildcard.
pub trait Human {
    fn human(&self);
}

/// Hands each domain's enum to its `Human` impl.
struct Printer;

impl<T: Human> VisitOutcome<T> for Printer {
    fn visit(&mut self, outcome: &T) {
        outcome.human();
    }
}

fn opt_age(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(age).unwrap_or_else(|| "-".into())
}

/// Print any outcome through its domain's printer.
pub fn human(outcome: &Outcome) {
    outcome.visit(&mut Printer);
}

impl Human for GeneralOutcome {
    fn human(&self) {
        match self {
            GeneralOutcome::Done { message } => println!("{message}"),
        }
    }
}

impl Human for VaultOutcome {
    fn human(&self) {
        vault(self);
    }
}

impl Human for AuditOutcome {
    fn human(&self) {
        audit(self);
    }
}

fn vault(outcome: &VaultOutcome) {
    match outcome {
        VaultOutcome::VaultStatus { status: s } => {
            if !s.initialized {
                println!("vault: not initialised — run `homedeck vault init`");
                return;
            }
            println!("vault:        {}", if s.unlocked { "unlocked" } else { "locked" });
            println!("secrets:      {}", s.secrets);
            println!("rotation due: {}", s.rotation_due);
            println!("created:      {}", opt_age(s.created));
            match s.passphrase_changed {
                Some(t) => println!("passphrase:   changed {}", age(t)),
                None => println!("passphrase:   never changed (the one set at creation)"),
            }
            println!("idle lock:    after {} s", s.idle_lock_secs);
            if s.failed_unlocks > 0 {
                println!("failed unlocks in a row: {}", s.failed_unlocks);
            }
        }
        VaultOutcome::Secrets { secrets } => {
            if secrets.is_empty() {
                println!("no secrets — add one with `homedeck secret add NAME --kind api_key`");
                return;
            }
            let now = chrono::Utc::now();
            let rows: Vec<Vec<String>> = secrets
                .iter()
                .map(|m| {
                    let state = if m.revoked.is_some() {
                        "REVOKED".to_string()
                    } else if m.rotation_due(now) {
                        "ROTATION DUE".to_string()
                    } else {
                        "ok".to_string()
                    };
                    vec![
                        m.name.clone(),
                        m.kind.to_string(),
                        format!("v{}", m.version),
                        age(m.created),
                        opt_age(m.last_rotated),
                        m.rotation_days.map(|d| format!("{d}d")).unwrap_or_else(|| "-".into()),
                        m.access_count.to_string(),
                        state,
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(&["NAME", "TYPE", "VER", "CREATED", "ROTATED", "EVERY", "READS", "STATE"], &rows)
            );
        }
        VaultOutcome::Secret { meta: m, history } => {
            println!("name:          {}", m.name);
            println!("type:          {}", m.kind);
            println!("version:       {}", m.version);
            println!("created:       {}", m.created.to_rfc3339());
            println!("last rotated:  {}", m.last_rotated.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into()));
            println!("rotation:      {}", m.rotation_days.map(|d| format!("every {}", plural(d as usize, "day", "days"))).unwrap_or_else(|| "off".into()));
            if let Some(due) = m.rotation_due_at() {
                println!("rotation due:  {}", due.to_rfc3339());
            }
            println!("reads:         {} (last {})", m.access_count, opt_age(m.last_access));
            if let Some(n) = &m.note {
                println!("note:          {n}");
            }
            if let Some(r) = &m.revoked {
                println!("REVOKED:       {} by {} — {}", r.at.to_rfc3339(), r.by, r.reason);
            }
            println!("\naccess history (newest first):");
            for h in history {
                println!("  {}  {:<12} {:<8} {}", h.at.format("%Y-%m-%d %H:%M:%S"), h.action, if h.ok { "ok" } else { "DENIED" }, h.actor);
            }
        }
        VaultOutcome::Revealed { value, .. } => println!("{}", value.expose()),
    }
}

fn audit(outcome: &AuditOutcome) {
    match outcome {
        AuditOutcome::AuditPage { page } => {
            let rows: Vec<Vec<String>> = page
                .entries
                .iter()
                .map(|e| {
                    vec![
                        e.time.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string(),
                        e.actor.to_string(),
                        e.action.clone(),
                        e.category.to_string(),
                        e.severity.to_string(),
                        e.status.to_string(),
                        e.resource.as_ref().and_then(|r| r.name.clone()).unwrap_or_default(),
                        e.error.clone().map(|er| format!("{} — {er}", e.description)).unwrap_or_else(|| e.description.clone()),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!("no matching audit entries");
            } else {
                print!(
                    "{}",
                    table::render(&["TIME", "ACTOR", "ACTION", "CATEGORY", "SEVERITY", "STATUS", "RESOURCE", "DESCRIPTION"], &rows)
                );
            }
            if let Some(total) = page.total {
                println!("{} of {total} matching", page.entries.len());
            }
            if let Some(next) = &page.next {
                println!("more: --before {next}");
            }
        }
        AuditOutcome::AuditCleaned { .. } => println!("{}", outcome.summary()),
        AuditOutcome::SecurityEvents { events } => {
            if events.is_empty() {
                println!("no security events");
                return;
            }
            let rows: Vec<Vec<String>> = events
                .iter()
                .map(|e| vec![format!("#{}", e.id), age(e.time), e.severity.to_string(), e.status.to_string(), e.title.clone()])
                .collect();
            print!("{}", table::render(&["ID", "RAISED", "SEVERITY", "STATUS", "TITLE"], &rows));
        }
        AuditOutcome::SecurityEvent { event: e } => {
            println!("#{} {} [{}] {}", e.id, e.title, e.severity, e.status);
            println!("raised: {}  kind: {}", e.time.to_rfc3339(), e.kind);
            println!("{}", e.description);
            for (k, v) in &e.evidence {
                println!("  {k}: {v}");
            }
            for n in &e.notes {
                println!("  {} {} {} → {}: {}", n.at.format("%Y-%m-%d %H:%M"), n.by, n.from, n.to, n.note);
            }
        }
    }
}
