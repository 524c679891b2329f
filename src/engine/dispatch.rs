//! From a `Command` to the module that handles it, with the cross-cutting
//! rules applied once: read-only refusal, audit of every write (success or
//! failure), and a flush before reporting success.

use crate::engine::{AuditEvent, AuditOutcome, BackupOutcome, ServersOutcome, VaultOutcome};
use super::actor::Actor;
use super::audit::{self, AuditQuery, Status, time_arg};
use super::command::Command;
use super::command_table::CommandSpec;
use super::context::{AuditDraft, Ctx};
use super::error::{EngineError, EngineResult};
use super::event::{Event, LockReason};
use super::esphome;
use super::security;
use super::servers::{self, manage::Fields};
// ── lights imports ──
use super::lights;
// ── end lights imports ──
// ── backups imports ──
use super::backup;
// ── end backups imports ──
// ── deployments imports ──
use super::{deploy, ha};
/// The file config commands open when no path is given.
const DEFAULT_CONFIG: &str = "configuration.yaml";
// ── end deployments imports ──
use super::vault::{self, session};
use super::{Inner, Outcome};
use chrono::{Duration, Utc};

pub async fn execute(
    inner: &Inner,
    command: Command,
    spec: &'static CommandSpec,
    actor: Actor,
    gate: Option<tokio::sync::OwnedMutexGuard<()>>,
) -> EngineResult<Outcome> {
    let mut ctx = Ctx { actor, draft: AuditDraft::for_command(spec), gate };
    let result = if inner.opts.readonly && spec.class.changes_state() {
        ctx.describe(format!("{} refused: read-only mode", spec.name));
        Err(EngineError::ReadOnly { command: spec.name.to_string() })
    } else {
        run(inner, &mut ctx, command).await
    };
    if spec.audited {
        let (status, error) = match &result {
            Ok(_) => (Status::Success, None),
            Err(e) => (Status::Failure, Some(e.to_string())),
        };
        let Ctx { actor, draft, .. } = ctx;
        if let Err(e) = audit::record(inner, &actor, spec.name, draft, status, error) {
            tracing::error!(error = %e, command = spec.name, "could not write audit entry");
            // An action that cannot be audited must not report success.
            if result.is_ok() {
                return Err(e);
            }
        }
    }
    if spec.audited || spec.class.changes_state() {
        inner.store.flush()?;
    }
    match &result {
        Ok(_) => tracing::info!(command = spec.name, "ok"),
        Err(e) => tracing::info!(command = spec.name, error = %e, "failed"),
    }
    result
}

async fn run(inner: &Inner, ctx: &mut Ctx, command: Command) -> EngineResult<Outcome> {
    use Command::*;
    match command {
        VaultStatus {} => Ok(Outcome::Vault(VaultOutcome::VaultStatus { status: vault::status(inner)? })),
        VaultInit { passphrase } => vault::init(inner, ctx, passphrase).await,
        VaultUnlock { passphrase } => vault::unlock(inner, ctx, passphrase).await,
        VaultLock {} => {
            ctx.resource("vault", None, None);
            let was = session::lock(inner, LockReason::Requested);
            ctx.describe(if was { "vault locked" } else { "vault lock (already locked)" });
            Ok(Outcome::done(if was { "vault locked" } else { "vault was already locked" }))
        }
        VaultChangePassphrase { current, new } => vault::change_passphrase(inner, ctx, current, new).await,
        SecretList {} => vault::list(inner),
        SecretShow { name } => vault::show(inner, &name),
        SecretAdd { name, kind, value, rotation_days, note } => {
            vault::add(inner, ctx, name, kind, value, rotation_days, note)
        }
        SecretReveal { name } => vault::reveal(inner, ctx, &name),
        SecretRotate { name, value } => vault::rotate(inner, ctx, &name, value),
        SecretSetRotation { name, days } => vault::set_rotation(inner, ctx, &name, days),
        SecretRotationDue {} => vault::rotation_due(inner),
        SecretRevoke { name, reason } => vault::revoke(inner, ctx, &name, &reason),
        AuditSearch { category, min_severity, status, actor, resource, since, until, text, limit, before } => {
            let now = Utc::now();
            let q = AuditQuery {
                category,
                min_severity,
                status,
                actor: actor.filter(|s| !s.is_empty()),
                resource: resource.filter(|s| !s.is_empty()),
                since: since.map(|s| time_arg::parse("since", &s, now)).transpose()?,
                until: until.map(|s| time_arg::parse("until", &s, now)).transpose()?,
                text: text.filter(|s| !s.is_empty()),
                limit: limit.map(|l| l as usize).unwrap_or(AuditQuery::DEFAULT_LIMIT),
                before,
            };
            Ok(Outcome::Audit(AuditOutcome::AuditPage { page: audit::query(&inner.store, &q)? }))
        }
        AuditCleanup { older_than_days } => {
            let days = older_than_days.unwrap_or(inner.opts.audit_retention_days);
            if days == 0 {
                return Err(EngineError::invalid("older_than_days", "0", "at least 1 day"));
            }
            let cutoff = Utc::now() - Duration::days(i64::from(days));
            let removed = audit::cleanup(&inner.store, cutoff)?;
            ctx.resource("audit_log", None, None);
            ctx.change("entries", None, Some(format!("-{removed}")));
            ctx.describe(format!("removed {removed} audit entries older than {days} day(s)"));
            Ok(Outcome::Audit(AuditOutcome::AuditCleaned { removed, cutoff: cutoff.to_rfc3339() }))
        }
        SecurityEventList { status, limit } => Ok(Outcome::Audit(AuditOutcome::SecurityEvents {
            events: security::list(&inner.store, status, limit.map(|l| l as usize).unwrap_or(200))?,
        })),
        SecurityEventShow { id } => Ok(Outcome::Audit(AuditOutcome::SecurityEvent { event: security::get(&inner.store, id)? })),
        SecurityEventUpdate { id, status, note } => {
            ctx.resource("security_event", Some(id.to_string()), None);
            let (from, event) = security::update(&inner.store, id, status, &note, &ctx.actor)?;
            ctx.change("status", Some(from.to_string()), Some(status.to_string()));
            ctx.describe(format!("security event #{id}: {from} → {status}"));
            inner.emit(Event::Audit(AuditEvent::SecurityUpdated { event: event.clone() }));
            Ok(Outcome::Audit(AuditOutcome::SecurityEvent { event }))
        }
        // ── servers ──
        ServerList {} => servers::manage::list(inner),
        ServerShow { name } => servers::manage::show(inner, &name),
        ServerAdd { name, host, port, user, auth, secret, key, key_passphrase, password, tags, site } => {
            let f = Fields { host: Some(host), port, user, auth, secret, key, key_passphrase, password, tags, site };
            servers::manage::add(inner, ctx, name, f)
        }
        ServerEdit { name, host, port, user, auth, secret, key, key_passphrase, password, tags, site } => {
            let f = Fields { host, port, user, auth, secret, key, key_passphrase, password, tags, site };
            servers::manage::edit(inner, ctx, name, f)
        }
        ServerRemove { name } => servers::manage::remove(inner, ctx, &name),
        ServerTest { name } => servers::trust::test(inner, ctx, &name).await,
        ServerTrust { name, fingerprint } => servers::trust::trust(inner, ctx, &name, fingerprint).await,
        ServerExec { targets, line, shell, confirmed, timeout_secs } => {
            let req = servers::exec::Request {
                targets,
                command: line,
                shell: shell.unwrap_or(false),
                confirmed: confirmed.unwrap_or(false),
                timeout: timeout_secs.filter(|t| *t > 0).map(|t| std::time::Duration::from_secs(u64::from(t))),
            };
            servers::exec::run(inner, ctx, req).await
        }
        ServerExecCancel { run } => servers::exec::cancel(inner, ctx, run),
        ServerHealth { name } => {
            let targets = match name {
                Some(n) => vec![servers::store::get(&inner.store, &n)?],
                None => servers::store::all(&inner.store)?,
            };
            let actor = ctx.actor.clone();
            let reports = servers::health::probe_all(inner, targets, &actor, true).await;
            Ok(Outcome::Servers(ServersOutcome::Health { reports }))
        }
        ServerImportSshConfig { path, dry_run } => servers::ssh_config::import(inner, ctx, path, dry_run.unwrap_or(false)),
        ServerGet { name, remote, local } => servers::transfer::command(inner, ctx, &name, false, &local, &remote).await,
        ServerPut { name, local, remote } => servers::transfer::command(inner, ctx, &name, true, &local, &remote).await,
        TailscaleStatus { server } => servers::tailscale::status(inner, &ctx.actor, server).await,
        // ── end servers ──

        // ── esphome ──
        EsphomeDiscover { seconds } => esphome::discover(inner, ctx, seconds).await,
        EsphomeList {} => esphome::list(inner),
        EsphomeAdd { name, host, port, key_secret, ota_port, ota_password_secret, platform } => {
            esphome::add(inner, ctx, name, host, port, key_secret, ota_port, ota_password_secret, platform)
        }
        EsphomeRemove { name } => esphome::remove(inner, ctx, &name),
        EsphomeInfo { name } => esphome::info(inner, &ctx.actor, &name).await,
        EsphomeLogsStart { devices, level } => esphome::logs_start(inner, &ctx.actor, &devices, level),
        EsphomeLogsStop { devices } => esphome::logs_stop(inner, devices),
        EsphomeFirmwareImport { path, version, platform } => {
            esphome::firmware_import(inner, ctx, &path, &version, &platform)
        }
        EsphomeFirmwareList {} => esphome::firmware_list(inner),
        EsphomeOta { device, firmware, confirm_secs } => esphome::ota(inner, ctx, &device, &firmware, confirm_secs).await,
        EsphomeOtaBulk { firmware, targets, concurrency, confirm_secs } => {
            esphome::ota_bulk(inner, ctx, &firmware, &targets, concurrency, confirm_secs).await
        }
        EsphomeOtaCancel { device } => esphome::ota_cancel(inner, ctx, device),
        // ── end esphome ──

        // ── lights ──
        LightsWatch {} => lights::handlers::watch(inner).await,
        WledList {} => lights::handlers::list(inner).await,
        WledDiscover { seconds, interface } => lights::handlers::discover(inner, seconds, interface).await,
        WledAdd { address, name } => lights::handlers::add(inner, ctx, address, name).await,
        WledRemove { device } => lights::handlers::remove(inner, ctx, &device),
        WledState { device } => lights::handlers::state(inner, &device).await,
        WledSet { target, power, bri, color, effect, palette, speed, intensity, segment, transition } => {
            let req = lights::wled::control::SetRequest {
                power, bri, color, effect, palette, speed, intensity, segment, transition,
            };
            lights::handlers::set(inner, ctx, &target, req).await
        }
        WledPresetList { device } => lights::handlers::preset_list(inner, &device).await,
        WledPresetApply { target, preset } => {
            lights::handlers::preset_apply(inner, ctx, &target, &preset, lights::wled::presets::Want::Preset).await
        }
        WledPresetSave { device, id, name } => lights::handlers::preset_save(inner, ctx, &device, id, &name).await,
        WledPresetDelete { device, id } => lights::handlers::preset_delete(inner, ctx, &device, id).await,
        WledPlaylistStart { target, playlist } => {
            lights::handlers::preset_apply(inner, ctx, &target, &playlist, lights::wled::presets::Want::Playlist).await
        }
        WledPlaylistStop { target } => lights::handlers::playlist_control(inner, ctx, &target, false).await,
        WledPlaylistNext { target } => lights::handlers::playlist_control(inner, ctx, &target, true).await,
        WledGroupList {} => lights::schedule_handlers::group_list(inner),
        WledGroupSet { name, members } => lights::schedule_handlers::group_set(inner, ctx, &name, &members),
        WledGroupRemove { name } => lights::schedule_handlers::group_remove(inner, ctx, &name),
        WledScheduleList {} => lights::schedule_handlers::list(inner),
        WledScheduleAdd { name, cron, target, action, tz } => {
            lights::schedule_handlers::add(inner, ctx, &name, &cron, &target, &action, tz)
        }
        WledScheduleRemove { name } => lights::schedule_handlers::remove(inner, ctx, &name),
        WledScheduleEnable { name, enabled } => lights::schedule_handlers::enable(inner, ctx, &name, enabled.0),
        WledScheduleAck { name } => lights::schedule_handlers::ack(inner, ctx, &name),
        WledExport { device } => lights::handlers::export(inner, ctx, &device).await,
        FppList {} => lights::fpp_handlers::list(inner).await,
        FppDiscover { seconds, interface } => lights::handlers::discover_fpp(inner, seconds, interface).await,
        FppAdd { address, name } => lights::fpp_handlers::add(inner, ctx, address, name).await,
        FppRemove { host } => lights::fpp_handlers::remove(inner, ctx, &host),
        FppStatus { host } => lights::fpp_handlers::status(inner, &host).await,
        FppPlaylists { host } => lights::fpp_handlers::playlists(inner, &host).await,
        FppStart { host, playlist, repeat } => {
            let c = lights::fpp_handlers::Control::Start { playlist, repeat: repeat.is_some_and(|r| r.0) };
            lights::fpp_handlers::control(inner, ctx, &host, c).await
        }
        FppStop { host, mode } => {
            let mode = mode.unwrap_or(lights::args::StopMode::Now);
            lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Stop(mode)).await
        }
        FppPause { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Pause).await,
        FppResume { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Resume).await,
        FppNext { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Next).await,
        FppPrev { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Prev).await,
        FppSchedule { host } => lights::fpp_handlers::schedule(inner, &host).await,
        FppScheduleAdd { host, playlist, day, start_time, end_time, start_date, end_date, repeat, stop } => {
            let e = lights::fpp_handlers::NewEntry {
                playlist,
                day,
                start_time,
                end_time,
                start_date,
                end_date,
                repeat: repeat.is_none_or(|r| r.0),
                stop,
            };
            lights::fpp_handlers::schedule_add(inner, ctx, &host, e).await
        }
        FppScheduleRemove { host, index } => lights::fpp_handlers::schedule_remove(inner, ctx, &host, index).await,
        FppScheduleEnable { host, index, enabled } => {
            lights::fpp_handlers::schedule_enable(inner, ctx, &host, index, enabled.0).await
        }
        FppMultisync { host } => lights::fpp_handlers::multisync(inner, &host).await,
        // ── end lights ──

        // ── backups ──
        BackupOverview {} => backup::handlers::overview(inner),
        BackupWatch {} => backup::watch(inner),
        BackupSourceList {} => backup::handlers::source_list(inner),
        BackupSourceAdd { name, kind, path, live, login, exclude, exclude_db, encrypt, key_secret, compression, repo, health } => {
            let n = backup::handlers::NewSource { name, kind, path, live, login, exclude, exclude_db, encrypt, key_secret, compression, repo, health };
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
        // ── end backups ──

        // ── deployments ──
        DeployList { health } => deploy::control::list(inner, &ctx.actor, health.unwrap_or(false)).await,
        DeployStatus { name } => deploy::control::status(inner, &ctx.actor, &name).await,
        DeployCreate { name, server, version, runtime, port, config_dir, bind, find_links, supervisor, wait, root, python } => {
            let req = deploy::lifecycle::CreateRequest {
                name, server, version, runtime, port, config_dir, bind, find_links, supervisor, wait, root, python,
            };
            deploy::lifecycle::create(inner, ctx, req).await
        }
        DeployStart { name, wait } => deploy::control::act(inner, ctx, &name, "start", wait.unwrap_or(true)).await,
        DeployStop { name } => deploy::control::act(inner, ctx, &name, "stop", false).await,
        DeployRestart { name, wait } => deploy::control::act(inner, ctx, &name, "restart", wait.unwrap_or(true)).await,
        DeployUpgrade { name, version, health_timeout } => deploy::upgrade::upgrade(inner, ctx, &name, &version, health_timeout).await,
        DeployRemove { name, keep_backup } => deploy::control::remove(inner, ctx, &name, keep_backup.unwrap_or(true)).await,
        DeployCancel { name } => deploy::control::cancel(inner, ctx, &name),
        DeployLogs { name, lines, follow } => deploy::logs::logs(inner, &ctx.actor, &name, lines, follow.unwrap_or(false)).await,
        DeployLogsStop { name } => deploy::logs::stop(inner, &name),
        DeployConfigRead { name, path } => {
            deploy::config::read(inner, &ctx.actor, &name, path.as_deref().unwrap_or(DEFAULT_CONFIG)).await
        }
        DeployConfigWrite { name, path, content, check } => {
            let path = path.unwrap_or_else(|| DEFAULT_CONFIG.into());
            deploy::config::write(inner, ctx, &name, &path, &content, check.unwrap_or(true)).await
        }
        DeployConfigCheck { name } => deploy::config::check(inner, &ctx.actor, &name).await,
        DeployConfigRevert { name, path } => {
            deploy::config::revert(inner, ctx, &name, path.as_deref().unwrap_or(DEFAULT_CONFIG)).await
        }
        HaList {} => ha::handlers::list(inner),
        HaAdd { name, url, token_secret, token, deployment } => {
            ha::handlers::add(inner, ctx, ha::handlers::AddRequest { name, url, token_secret, token, deployment })
        }
        HaRemove { name } => ha::handlers::remove(inner, ctx, &name),
        HaTest { name } => ha::handlers::test(inner, &ctx.actor, &name).await,
        HaStates { name, filter } => ha::handlers::states(inner, &ctx.actor, &name, filter).await,
        HaWatch { name, filter } => ha::handlers::watch(inner, &ctx.actor, &name, filter).await,
        HaUnwatch { name } => Ok(Outcome::done(if ha::handlers::unwatch(inner, &name) {
            format!("stopped watching {name}")
        } else {
            format!("{name} was not being watched")
        })),
        HaCall { name, service, entity, data, confirmed } => {
            ha::handlers::call(inner, ctx, &name, &service, entity, data, confirmed.unwrap_or(false)).await
        }
        // ── end deployments ──
    }
}
