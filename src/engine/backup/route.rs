//! The backups verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `BackupCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::BackupCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::BackupOutcome;
use crate::engine::{Inner, Outcome};
use crate::engine::backup;

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: BackupCommand) -> EngineResult<Outcome> {
    use BackupCommand::*;
    match command {
        BackupOverview {} => backup::handlers::overview(inner),
        BackupWatch {} => backup::watch(inner),
        BackupSourceList {} => backup::handlers::source_list(inner),
        BackupSourceAdd { name, kind, path, live, login, exclude, exclude_db, encrypt, key_secret, compression, repo, health, backup_password_secret, site } => {
            let n = backup::handlers::NewSource { name, kind, path, live, login, exclude, exclude_db, encrypt, key_secret, compression, repo, health, backup_password_secret, site };
            backup::handlers::source_add(inner, ctx, n).await
        }
        BackupSourceRemove { name } => backup::handlers::source_remove(inner, ctx, &name),
        BackupCreate { source, password } => backup::handlers::create(inner, ctx, &source, password).await,
        BackupList { source } => backup::handlers::list_recovering(inner, ctx, source).await,
        BackupVerify { id, password } => backup::handlers::verify(inner, ctx, id, password).await,
        BackupRestore { id, file, target, only, password, confirmed } => {
            let req = backup::restore::Request { id, file, target, only, password, confirmed: confirmed.unwrap_or(false) };
            backup::handlers::restore(inner, ctx, req).await
        }
        BackupRestoreDecline { id, file } => backup::handlers::restore_declined(ctx, id, file),
        BackupForget { source, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, dry_run } => {
            let keep = backup::model::Keep { last: keep_last, hourly: keep_hourly, daily: keep_daily, weekly: keep_weekly, monthly: keep_monthly };
            backup::handlers::forget(inner, ctx, &source, keep, dry_run.unwrap_or(false)).await
        }
        BackupScheduleList {} => backup::schedule::list(inner),
        BackupScheduleAdd { name, source, cron, tz, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly } => {
            let keep = backup::model::Keep { last: keep_last, hourly: keep_hourly, daily: keep_daily, weekly: keep_weekly, monthly: keep_monthly };
            backup::schedule::add(inner, ctx, &name, &source, &cron, tz, keep)
        }
        BackupScheduleRemove { name } => backup::schedule::remove(inner, ctx, &name),
        BackupRepoAdd { name, server, path } => backup::handlers::repo_add(inner, ctx, &name, &server, &path),
        BackupRepoList {} => Ok(Outcome::Backup(BackupOutcome::BackupRepos { repos: backup::catalog::repos(&inner.store)? })),
        BackupJobs {} => Ok(Outcome::Backup(BackupOutcome::BackupJobs { jobs: inner.backup.jobs.list() })),
        BackupCancel { job } => {
            let j = inner.backup.jobs.cancel(job)?;
            ctx.resource("backup_job", Some(job.to_string()), Some(j.source.clone()));
            ctx.describe(format!("cancelled {} job {job} of {}", j.kind, j.source));
            Ok(Outcome::Backup(BackupOutcome::BackupJobs { jobs: inner.backup.jobs.list() }))
        }
        BackupExport { path, password } => backup::export::export(inner, ctx, &path, password).await,
        BackupImport { path, password, confirmed } => backup::export::import(inner, ctx, &path, password, confirmed.unwrap_or(false)).await,
        BackupSnapshotWatch { file } => backup::snapshots::watch_add(inner, ctx, &file),
        BackupSnapshotUnwatch { file } => backup::snapshots::watch_remove(inner, ctx, &file),
        BackupSnapshotTake { file } => {
            ctx.resource("watched_file", None, Some(file.clone()));
            let taken = backup::snapshots::take(inner, &file)?;
            ctx.describe(match &taken {
                Some(s) => format!("snapshot #{} of {file}", s.id),
                None => format!("{file} is unchanged since its newest snapshot"),
            });
            Ok(Outcome::Backup(BackupOutcome::BackupSnapshots { snapshots: taken.into_iter().collect() }))
        }
        BackupSnapshots { file } => backup::snapshots::list(inner, file),
        BackupDiff { a, b } => backup::snapshots::diff(inner, a, b),
        BackupSnapshotRestore { id } => backup::snapshots::restore(inner, ctx, id),
    }
}
