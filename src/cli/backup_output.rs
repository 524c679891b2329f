//! Human output of backup outcomes: tables for lists, the restore preview
//! as +/~/- lines, diffs as they are.

use crate::engine::BackupOutcome;
use super::table::{self, age};
use crate::engine::views::backup::CatalogEntry;

use crate::engine::views::text::{plural, size};

fn verified(e: &CatalogEntry) -> String {
    match (&e.verify_error, e.verified_at) {
        (Some(_), _) => "FAILED".into(),
        (None, Some(t)) => age(t),
        (None, None) => "never".into(),
    }
}

fn catalog(entries: &[CatalogEntry]) {
    if entries.is_empty() {
        println!("no backups yet — add a source (`homedeck backup source add`) and run `homedeck backup create SOURCE`");
        return;
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                format!("#{}", e.id),
                e.source.clone(),
                age(e.created),
                size(e.size),
                e.files.to_string(),
                if e.encrypted() { "yes".into() } else { "no".into() },
                verified(e),
                e.repo.clone(),
                e.reason.clone(),
                e.sha256.chars().take(12).collect(),
            ]
        })
        .collect();
    print!("{}", table::render(&["ID", "SOURCE", "AGE", "SIZE", "FILES", "ENCRYPTED", "VERIFIED", "REPO", "WHY", "SHA-256"], &rows));
    for e in entries.iter().filter(|e| e.verify_error.is_some()) {
        println!("#{}: {}", e.id, e.verify_error.clone().unwrap_or_default());
    }
}

pub fn human(outcome: &BackupOutcome) {
    match outcome {
        BackupOutcome::BackupOverview { overview } => {
            println!("{}, {}, {}, {}", plural(overview.sources.len(), "source", "sources"), plural(overview.catalog.len(), "backup", "backups"), plural(overview.schedules.len(), "schedule", "schedules"), plural(overview.watched.len(), "watched file", "watched files"));
        }
        BackupOutcome::BackupSources { sources } => {
            if sources.is_empty() {
                println!("no backup sources — add one: `homedeck backup source add NAME --kind dir --path /etc/myapp`");
                return;
            }
            let rows: Vec<Vec<String>> = sources
                .iter()
                .map(|v| {
                    let s = &v.source;
                    vec![
                        s.name.clone(),
                        s.kind.to_string(),
                        s.path.clone().or(s.device.clone()).unwrap_or_default(),
                        s.key_ref().map(|k| k.to_string()).unwrap_or_else(|| "no".into()),
                        s.repo_name().to_string(),
                        v.backups.to_string(),
                        v.last.as_ref().map(|e| age(e.created)).unwrap_or_else(|| "never".into()),
                        v.next_run.map(|t| t.format("%F %H:%M UTC").to_string()).unwrap_or_else(|| "-".into()),
                        s.site.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            print!("{}", table::render(&["NAME", "KIND", "PATH", "ENCRYPTED", "REPO", "BACKUPS", "LAST", "NEXT", "SITE"], &rows));
        }
        BackupOutcome::BackupCreated { entry } => {
            println!("{}", outcome.summary());
            println!("archive: {} ({})", entry.file, entry.repo);
            println!("sha256:  {}", entry.sha256);
            for w in &entry.warnings {
                println!("WARNING: {w}");
            }
        }
        BackupOutcome::BackupCatalog { entries } => catalog(entries),
        BackupOutcome::BackupVerified { results } => {
            for r in results {
                println!("#{} {}: {} {}", r.id, r.source, if r.ok { "ok" } else { "FAILED" }, if r.ok { String::new() } else { r.message.clone() });
            }
            println!("{}", outcome.summary());
        }
        BackupOutcome::BackupPreview { preview: p } | BackupOutcome::BackupRestored { preview: p, .. } => {
            for f in &p.added {
                println!("+ {f}");
            }
            for f in &p.changed {
                println!("~ {f}");
            }
            for f in &p.removed {
                println!("- {f}");
            }
            for l in &p.live {
                println!("> live/{l} (sent back after the files are in place)");
            }
            for w in &p.warnings {
                println!("WARNING: {w}");
            }
            println!("{} unchanged", p.unchanged);
            println!("{}", outcome.summary());
        }
        BackupOutcome::BackupForgot { forget } => {
            let rows: Vec<Vec<String>> = forget
                .decisions
                .iter()
                .map(|d| vec![format!("#{}", d.id), d.created.format("%F %T").to_string(), if d.keep() { format!("keep ({})", d.reasons.join(", ")) } else { "forget".into() }])
                .collect();
            print!("{}", table::render(&["ID", "CREATED", "DECISION"], &rows));
            println!("{}", outcome.summary());
        }
        BackupOutcome::BackupSchedules { schedules } => {
            if schedules.is_empty() {
                println!("no backup schedules — `homedeck backup schedule add NAME SOURCE \"0 3 * * *\" --keep-daily 7`");
                return;
            }
            let rows: Vec<Vec<String>> = schedules
                .iter()
                .map(|v| {
                    let s = &v.schedule;
                    vec![
                        s.name.clone(),
                        s.source.clone(),
                        s.cron.clone(),
                        v.next_local.clone().unwrap_or_else(|| "-".into()),
                        s.last_result.clone().unwrap_or_else(|| "-".into()),
                        if s.missed.is_empty() { "-".into() } else { format!("{} missed", s.missed_total) },
                    ]
                })
                .collect();
            print!("{}", table::render(&["NAME", "SOURCE", "CRON", "NEXT", "LAST", "MISSED"], &rows));
        }
        BackupOutcome::BackupRepos { repos } => {
            let mut rows = vec![vec!["local".to_string(), "-".into(), "<data dir>/backups".into()]];
            rows.extend(repos.iter().map(|r| vec![r.name.clone(), r.server.clone(), r.path.clone()]));
            print!("{}", table::render(&["NAME", "SERVER", "PATH"], &rows));
        }
        BackupOutcome::BackupJobs { jobs } => {
            if jobs.is_empty() {
                println!("no backup jobs running");
            }
            for j in jobs {
                println!("job {}: {} {} — {} of {}", j.id, j.kind, j.source, size(j.done), size(j.total));
            }
        }
        BackupOutcome::BackupExported { export } => {
            println!("{}", outcome.summary());
            println!("{}, {}, sha256 {}", plural(export.trees as usize, "tree", "trees"), size(export.size), export.sha256);
        }
        BackupOutcome::BackupSnapshots { snapshots } => {
            if snapshots.is_empty() {
                println!("no snapshots — watch a file: `homedeck backup snapshot watch /path/to/flows.json`");
                return;
            }
            let rows: Vec<Vec<String>> =
                snapshots.iter().map(|m| vec![format!("#{}", m.id), m.file.clone(), age(m.taken), size(m.size), m.sha256.chars().take(12).collect()]).collect();
            print!("{}", table::render(&["ID", "FILE", "TAKEN", "SIZE", "SHA-256"], &rows));
        }
        BackupOutcome::BackupDiff { diff, .. } => {
            if diff.is_empty() {
                println!("no differences");
            } else {
                print!("{diff}");
            }
        }
    }
}

impl super::output::Human for BackupOutcome {
    fn human(&self) {
        human(self);
    }
}
