//! Previews of the backup verbs. A restore's preview is the one the restore
//! itself shows before `confirmed=true` (the files it adds, changes and
//! removes, after verifying the archive); a forget's is its own dry run; a
//! snapshot restore is a unified diff of the file now against the snapshot.

use super::catalog;
use super::model::Keep;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{BackupCommand, Command};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::{Preview, scratch_ctx, unified_diff};
use crate::engine::text::plural;
use crate::engine::{BackupOutcome, Outcome};

pub(crate) async fn preview(inner: &Inner, actor: &Actor, spec: &'static CommandSpec, command: BackupCommand) -> EngineResult<Preview> {
    use BackupCommand::*;
    let p = match command {
        BackupOverview {} | BackupWatch {} | BackupSourceList {} | BackupList { .. } | BackupVerify { .. } | BackupRestoreDecline { .. }
        | BackupScheduleList {} | BackupRepoList {} | BackupJobs {} | BackupExport { .. } | BackupSnapshots { .. } | BackupDiff { .. } => {
            Preview::reads(spec)
        }
        BackupSourceAdd { name, kind, path, live, repo, site, .. } => {
            if catalog::source(&inner.store, &name).is_ok() {
                return Err(EngineError::AlreadyExists { what: "backup source".into(), name });
            }
            Preview::new(spec, format!("add {kind} backup source {name}"))
                .target(name.clone())
                .change(&name, "kind", None, Some(kind))
                .change(&name, "path", None, path)
                .change(&name, "live", None, live)
                .change(&name, "repo", None, Some(repo.unwrap_or_else(|| "local".into())))
                .change(&name, "site", None, site)
                .inverse(Command::BackupSourceRemove { name })
        }
        BackupSourceRemove { name } => {
            let s = catalog::source(&inner.store, &name)?;
            let kept = catalog::entries(&inner.store)?.iter().filter(|e| e.source == name).count();
            Preview::new(spec, format!("remove backup source {name} (its {} stay in the catalog)", plural(kept, "archive", "archives")))
                .target(name.clone())
                .change(&name, "source", Some(format!("{} {}", s.kind, s.path.clone().or(s.url.clone()).unwrap_or_default()).trim().to_string()), None)
        }
        BackupCreate { source, .. } => {
            let s = catalog::source(&inner.store, &source)?;
            let repo = s.repo.clone().unwrap_or_else(|| "local".into());
            Preview::new(spec, format!("back up {source} now into repository {repo} (archive, read back, verify, catalog)"))
                .target(source.clone())
                .change(&source, "backups", Some(catalog::entries(&inner.store)?.iter().filter(|e| e.source == source).count().to_string()), Some("+1".into()))
                .note("adds an archive; backup_forget removes archives")
        }
        BackupRestore { id, file, target, only, password, .. } => {
            let req = super::restore::Request { id, file, target, only, password, confirmed: false };
            match super::restore::restore(inner, actor, req).await? {
                super::restore::Done::Preview(r) | super::restore::Done::Restored { preview: r, .. } => restore_card(spec, r),
            }
        }
        BackupForget { source, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, .. } => {
            let keep = Keep { last: keep_last, hourly: keep_hourly, daily: keep_daily, weekly: keep_weekly, monthly: keep_monthly };
            let mut ctx = scratch_ctx(actor, spec);
            let Outcome::Backup(BackupOutcome::BackupForgot { forget }) = super::handlers::forget(inner, &mut ctx, &source, keep, true).await? else {
                return Err(EngineError::Other("backup_forget's dry run gave no decisions".into()));
            };
            let gone: Vec<_> = forget.decisions.iter().filter(|d| !d.keep()).collect();
            let mut p = Preview::new(spec, format!("forget {} of {} of {source}", gone.len(), plural(forget.decisions.len(), "backup", "backups")));
            for d in gone {
                p.add_target(format!("backup #{}", d.id));
                p.add_change(&format!("backup #{}", d.id), "archive", Some(d.created.to_rfc3339()), None);
            }
            p.note("cannot be undone: forgotten archives are deleted")
        }
        BackupScheduleAdd { name, source, cron, .. } => {
            catalog::source(&inner.store, &source)?;
            crate::engine::scheduler::cron::parse_cron(&cron)?;
            if catalog::schedule(&inner.store, &name)?.is_some() {
                return Err(EngineError::AlreadyExists { what: "backup schedule".into(), name });
            }
            Preview::new(spec, format!("back up {source} at \"{cron}\""))
                .target(name.clone())
                .change(&name, "schedule", None, Some(format!("{source} at \"{cron}\"")))
                .inverse(Command::BackupScheduleRemove { name })
        }
        BackupScheduleRemove { name } => {
            let s = catalog::schedule(&inner.store, &name)?.ok_or_else(|| EngineError::not_found("backup schedule", &name))?;
            Preview::new(spec, format!("remove backup schedule {name} ({} at \"{}\")", s.source, s.cron))
                .target(name.clone())
                .change(&name, "schedule", Some(format!("{} at \"{}\" ({})", s.source, s.cron, s.tz)), None)
                .inverse(Command::BackupScheduleAdd {
                    name,
                    source: s.source,
                    cron: s.cron,
                    tz: Some(s.tz),
                    keep_last: s.keep.last,
                    keep_hourly: s.keep.hourly,
                    keep_daily: s.keep.daily,
                    keep_weekly: s.keep.weekly,
                    keep_monthly: s.keep.monthly,
                })
        }
        BackupRepoAdd { name, server, path } => {
            crate::engine::servers::store::get(&inner.store, &server)?;
            if catalog::repo(&inner.store, &name)?.is_some() {
                return Err(EngineError::AlreadyExists { what: "repository".into(), name });
            }
            Preview::new(spec, format!("add repository {name} at {server}:{path}"))
                .target(name.clone())
                .change(&name, "location", None, Some(format!("{server}:{path}")))
        }
        BackupCancel { job } => {
            let j = inner.backup.jobs.list().into_iter().find(|j| j.id == job).ok_or_else(|| EngineError::not_found_id("backup job", job))?;
            Preview::new(spec, format!("cancel {} job {job} of {}", j.kind, j.source)).target(format!("job {job}"))
        }
        BackupImport { path, .. } => {
            if !std::path::Path::new(&path).is_file() {
                return Err(EngineError::invalid("path", path, "an export file (from backup_export)"));
            }
            Preview::new(spec, format!("replace homedeck's whole state (servers, devices, schedules, secrets, audit) with the export {path}"))
                .target("homedeck state")
                .note("cannot be undone by a command: export the current state first to keep it")
        }
        BackupSnapshotWatch { file } => Preview::new(spec, format!("watch {file}: snapshot it whenever it changes"))
            .target(file.clone())
            .inverse(Command::BackupSnapshotUnwatch { file }),
        BackupSnapshotUnwatch { file } => Preview::new(spec, format!("stop watching {file} (its snapshots stay)"))
            .target(file.clone())
            .inverse(Command::BackupSnapshotWatch { file }),
        BackupSnapshotTake { file } => Preview::new(spec, format!("snapshot {file} now if it changed")).target(file),
        BackupSnapshotRestore { id } => {
            let (file, taken, data) = super::snapshots::snapshot_content(inner, id)?;
            let now = std::fs::read(&file).ok();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            let diff = unified_diff(&file, &now.as_deref().map(text).unwrap_or_default(), &text(&data));
            let mut p = Preview::new(spec, format!("write snapshot #{id} ({}) back to {file}", taken.to_rfc3339()))
                .target(file.clone())
                .change(&file, "content", now.as_ref().map(|n| format!("{} now", crate::engine::text::size(n.len() as u64))), Some(format!("{} of snapshot #{id}", crate::engine::text::size(data.len() as u64))))
                .with_diff(diff);
            if now.is_some() {
                p.notes.push("the current content is snapshotted first; restoring that snapshot undoes this".into());
            }
            p
        }
    };
    Ok(p)
}

/// The restore's own preview as a card: every file added, changed, removed.
fn restore_card(spec: &'static CommandSpec, r: super::restore::preview::Preview) -> Preview {
    let mut p = Preview::new(
        spec,
        format!(
            "restore {} into {}: {} added, {} changed, {} removed, {} unchanged",
            r.source, r.target, r.added.len(), r.changed.len(), r.removed.len(), r.unchanged
        ),
    )
    .target(r.target.clone());
    for f in &r.added {
        p.add_change(f, "file", None, Some("added".into()));
    }
    for f in &r.changed {
        p.add_change(f, "file", Some("present".into()), Some("replaced".into()));
    }
    for f in &r.removed {
        p.add_change(f, "file", Some("present".into()), None);
    }
    p.notes.extend(r.live.iter().map(|l| format!("sent back live: {l}")));
    p.notes.extend(r.warnings.iter().cloned());
    p.notes.push("a pre-restore backup is taken first; restoring it undoes this".into());
    p
}
