//! Human-readable printing of outcomes.

use crate::engine::views::text::plural;
use crate::engine::{AuditOutcome, GeneralOutcome, VaultOutcome};
use super::table::{self, age};
use crate::engine::Outcome;

fn opt_age(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(age).unwrap_or_else(|| "-".into())
}

/// One arm per domain; each domain's printer matches its own enum.
pub fn human(outcome: &Outcome) {
    match outcome {
        Outcome::General(GeneralOutcome::Done { message }) => println!("{message}"),
        Outcome::Vault(o) => vault(o),
        Outcome::Audit(o) => audit(o),
        Outcome::Servers(o) => super::server_output::human(o),
        Outcome::Esphome(o) => super::esphome_output::human(o),
        Outcome::Lights(o) => super::lights_output::human(o),
        Outcome::Scheduler(crate::engine::SchedulerOutcome::SchedulerStatus { jobs }) => super::schedule_cmds::print(jobs),
        Outcome::Backup(o) => super::backup_output::human(o),
        Outcome::Deploy(o) => super::deploy_output::human(o),
        Outcome::Ha(o) => super::deploy_output::ha(o),
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
