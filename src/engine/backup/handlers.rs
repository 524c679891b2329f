//! The backup verbs, called from dispatch: they check input, fill in the
//! audit draft and turn the domain's results into outcomes.

use crate::engine::text::plural;
use crate::engine::BackupOutcome;
use super::archive::Compression;
use super::model::{Keep, Repo, Source, SourceKind, validate_name};
use super::restore::{self, Done, Request};
use super::views::{Forget, Overview, SourceView, VerifyResult};
use super::{catalog, create, repo, retention, schedule};
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::{Inner, Outcome};
use chrono::Utc;

/// The fields of `backup_source_add`.
pub struct NewSource {
    pub name: String,
    pub kind: String,
    pub path: Option<String>,
    /// Node-RED URL, MQTT `host:port[/base_topic]`, WLED device or FPP host name.
    pub live: Option<String>,
    /// `USER:VAULT_SECRET` for Node-RED adminAuth.
    pub login: Option<String>,
    pub exclude: Option<String>,
    pub exclude_db: Option<bool>,
    pub encrypt: Option<bool>,
    pub key_secret: Option<String>,
    pub compression: Option<String>,
    pub repo: Option<String>,
    pub health: Option<String>,
    /// Vault secret holding the backup password (for runs given none).
    pub backup_password_secret: Option<String>,
    /// The source's own site [default: its server's or device's].
    pub site: Option<String>,
}

/// `SERVER:/abs/dir` names a directory on a server; a local path is
/// absolute, so it never has this shape.
pub fn split_server_path(p: &str) -> (Option<String>, String) {
    match p.split_once(":/") {
        Some((server, rest)) if !p.starts_with('/') && !server.is_empty() && !server.contains('/') => (Some(server.to_string()), format!("/{rest}")),
        _ => (None, p.to_string()),
    }
}

fn some(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

pub(crate) async fn source_add(inner: &Inner, ctx: &mut Ctx, n: NewSource) -> EngineResult<Outcome> {
    validate_name("name", &n.name)?;
    ctx.resource("backup_source", None, Some(n.name.clone()));
    let kind: SourceKind = n.kind.parse()?;
    let site = crate::engine::sites::parse_site(n.site)?;
    if catalog::source(&inner.store, &n.name).is_ok() {
        return Err(EngineError::AlreadyExists { what: "backup source".into(), name: n.name });
    }
    let path = some(n.path);
    let live = some(n.live);
    let (mut url, mut mqtt, mut topic, mut device) = (None, None, None, None);
    match kind {
        SourceKind::NodeRed => url = live.clone(),
        SourceKind::Zigbee2mqtt => {
            if let Some(l) = &live {
                let (b, t) = l.split_once('/').map(|(b, t)| (b.to_string(), Some(t.to_string()))).unwrap_or((l.clone(), None));
                mqtt = Some(b);
                topic = t.filter(|t| !t.is_empty());
            }
        }
        SourceKind::Wled | SourceKind::Fpp => device = live.clone(),
        _ if live.is_some() => return Err(EngineError::invalid("live", live.unwrap_or_default(), "nothing for this kind (live is for node_red, zigbee2mqtt, wled and fpp)")),
        _ => {}
    }
    let (user, password_secret) = match some(n.login) {
        Some(l) => match l.split_once(':') {
            Some((u, s)) if !u.is_empty() && !s.is_empty() => (Some(u.to_string()), Some(s.to_string())),
            _ => return Err(EngineError::invalid("login", l, "USER:VAULT_SECRET (the vault secret holding the Node-RED admin password)")),
        },
        None => (None, None),
    };
    let (server, path) = match path.map(|p| split_server_path(&p)) {
        Some((sv, p)) => (sv.filter(|s| s != "local"), Some(p)),
        None => (None, None),
    };
    if server.is_some() && kind == SourceKind::Wled {
        return Err(EngineError::invalid("server", server.unwrap_or_default(), "nothing for kind wled (it is reached over HTTP)"));
    }
    let path = match (&server, path) {
        (Some(_), Some(p)) if p.len() > 1 => Some(p.trim_end_matches('/').to_string()),
        (_, p) => p,
    };
    match (kind, &path) {
        (SourceKind::Wled, _) => {
            let d = device.clone().ok_or_else(|| EngineError::invalid("live", "", "the WLED device name (see wled_list)"))?;
            crate::engine::lights::inventory::Inventory::open(&inner.store)?.need_device(&d)?;
        }
        (SourceKind::Fpp, _) => {
            let h = device.clone().ok_or_else(|| EngineError::invalid("live", "", "the FPP host name (see fpp_list)"))?;
            crate::engine::lights::inventory::Inventory::open(&inner.store)?.need_host(&h)?;
        }
        (_, None) => return Err(EngineError::invalid("path", "", "the directory to back up")),
        (_, Some(p)) if server.is_some() => {
            let Some(name) = &server else { return Err(EngineError::invalid("server", "", "a server name")) };
            if !p.starts_with('/') {
                return Err(EngineError::invalid("path", p, &format!("an absolute directory path on {name}")));
            }
            let sv = crate::engine::servers::store::get(&inner.store, name)?;
            let sftp = super::sources::remote::connect(inner, &ctx.actor, &sv).await?;
            super::sources::remote::check_dir(&sftp, name, p).await?;
        }
        (_, Some(p)) => {
            let pb = std::path::Path::new(p);
            if !pb.is_absolute() || !pb.is_dir() {
                return Err(EngineError::invalid("path", p, "an absolute path of an existing directory"));
            }
        }
    }
    let mut exclude: Vec<String> = n.exclude.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if n.exclude_db.unwrap_or(false) {
        if kind != SourceKind::HaConfig {
            return Err(EngineError::invalid("exclude_db", "true", "only for kind ha_config (it leaves out the recorder database)"));
        }
        exclude.extend(super::sources::HA_RECORDER.iter().map(|s| s.to_string()));
    }
    if kind == SourceKind::NodeRed {
        exclude.push("node_modules".into());
    }
    let key_secret = some(n.key_secret);
    if let Some(k) = &key_secret
        && !crate::engine::vault::exists(inner, k)?
    {
        return Err(EngineError::not_found("vault secret (key_secret)", k));
    }
    if let Some(k) = &password_secret
        && !crate::engine::vault::exists(inner, k)?
    {
        return Err(EngineError::not_found("vault secret (password_secret)", k));
    }
    let backup_password_secret = some(n.backup_password_secret);
    if let Some(k) = &backup_password_secret {
        if key_secret.is_some() {
            return Err(EngineError::invalid("backup_password_secret", k, "nothing with key_secret (the archive key comes from one or the other)"));
        }
        if n.encrypt == Some(false) {
            return Err(EngineError::invalid("backup_password_secret", k, "nothing for an unencrypted source (encrypt=false)"));
        }
        if !crate::engine::vault::exists(inner, k)? {
            return Err(EngineError::not_found("vault secret (backup_password_secret)", k));
        }
    }
    let repo_name = some(n.repo);
    if let Some(r) = &repo_name
        && r != "local"
        && catalog::repo(&inner.store, r)?.is_none()
    {
        return Err(EngineError::not_found("backup repository", r));
    }
    let compression = match some(n.compression) {
        Some(c) => c.parse()?,
        None => Compression::Zstd,
    };
    let s = Source {
        name: n.name.clone(),
        kind,
        path,
        server,
        exclude,
        url,
        user,
        password_secret,
        mqtt,
        topic,
        device,
        // Naming a backup password says the source is encrypted.
        encrypt: n.encrypt.unwrap_or(kind.secret_bearing() || backup_password_secret.is_some()),
        key_secret,
        backup_password_secret,
        compression,
        repo: repo_name,
        health: some(n.health),
        site,
        created: Utc::now(),
    };
    catalog::put_source(&inner.store, &s)?;
    ctx.describe(format!(
        "backup source {} ({}){}{}",
        s.name,
        s.kind,
        s.path.as_ref().map(|p| format!(" at {}{p}", s.remote_server().map(|n| format!("{n}:")).unwrap_or_default())).unwrap_or_default(),
        if s.encrypt {
            let from = s.backup_password_secret.as_ref().map(|k| format!(" from vault secret {k}")).unwrap_or_default();
            format!(", encrypted with {}{from}", s.key_ref().map(|k| k.to_string()).unwrap_or_default())
        } else {
            ", not encrypted".into()
        }
    ));
    source_list(inner)
}

pub(crate) fn source_remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("backup_source", None, Some(name.to_string()));
    if !catalog::remove_source(&inner.store, name)? {
        return Err(EngineError::not_found("backup source", name));
    }
    ctx.describe(format!("removed backup source {name} (its archives stay in the catalog)"));
    source_list(inner)
}

pub(crate) fn source_list(inner: &Inner) -> EngineResult<Outcome> {
    Ok(Outcome::Backup(BackupOutcome::BackupSources { sources: source_views(inner)? }))
}

fn source_views(inner: &Inner) -> EngineResult<Vec<SourceView>> {
    let entries = catalog::entries(&inner.store)?;
    let schedules = catalog::schedules(&inner.store)?;
    let now = Utc::now();
    let mut sources = catalog::sources(&inner.store)?;
    crate::engine::sites::index::fill_sources(&inner.store, &mut sources)?;
    Ok(sources
        .into_iter()
        .map(|s| {
            let mine: Vec<_> = entries.iter().filter(|e| e.source == s.name).collect();
            let last = mine.iter().max_by_key(|e| (e.created, e.id)).map(|e| (*e).clone());
            let next_run = schedules.iter().filter(|x| x.source == s.name).filter_map(|x| schedule::next_run(x, now)).min();
            let waiting_for_unlock = schedules.iter().filter(|x| x.source == s.name).any(|x| {
                let key = crate::engine::scheduler::key(&schedule::Schedules, &x.name);
                crate::engine::scheduler::record(&inner.store, &key).is_ok_and(|r| r.waiting())
            });
            SourceView { backups: mine.len() as u64, last, next_run, waiting_for_unlock, source: s }
        })
        .collect())
}

pub(crate) async fn create(inner: &Inner, ctx: &mut Ctx, source: &str, password: Option<SecretValue>) -> EngineResult<Outcome> {
    ctx.resource("backup_source", None, Some(source.to_string()));
    restore::journal::recover_remote(inner, &ctx.actor).await?;
    let s = catalog::source(&inner.store, source)?;
    ctx.release_gate();
    // The scheduler is a front end like any other; the catalog says which.
    let reason = if ctx.actor.frontend == crate::engine::Frontend::Scheduler { "scheduled" } else { "manual" };
    let e = Box::pin(create::create(inner, &ctx.actor, &s, password.as_ref(), reason)).await?;
    ctx.resource("backup", Some(e.id.to_string()), Some(source.to_string()));
    ctx.describe(format!("backup #{} of {}: {}, {}, SHA-256 {}, verified", e.id, source, plural(e.files as usize, "file", "files"), crate::engine::text::size(e.size), e.sha256));
    Ok(Outcome::Backup(BackupOutcome::BackupCreated { entry: e }))
}

/// `backup_list`, after rolling back remote restores a crash interrupted.
pub(crate) async fn list_recovering(inner: &Inner, ctx: &mut Ctx, source: Option<String>) -> EngineResult<Outcome> {
    restore::journal::recover_remote(inner, &ctx.actor).await?;
    list(inner, source)
}

pub(crate) fn list(inner: &Inner, source: Option<String>) -> EngineResult<Outcome> {
    let mut entries = catalog::entries(&inner.store)?;
    if let Some(s) = some(source) {
        let wanted = match crate::engine::sites::targets::site_target(&s) {
            Some(site) => crate::engine::sites::targets::backup_sources(&inner.store, &s, site)?,
            None => vec![s],
        };
        entries.retain(|e| wanted.contains(&e.source));
    }
    entries.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    Ok(Outcome::Backup(BackupOutcome::BackupCatalog { entries }))
}

pub(crate) async fn verify(inner: &Inner, ctx: &mut Ctx, id: Option<u64>, password: Option<SecretValue>) -> EngineResult<Outcome> {
    let ids: Vec<u64> = match id {
        Some(i) => vec![i],
        None => catalog::entries(&inner.store)?.iter().map(|e| e.id).collect(),
    };
    ctx.resource("backup", id.map(|i| i.to_string()), None);
    ctx.release_gate();
    if let Some(i) = id {
        // One archive: its own error (a locked vault, a missing password) as is.
        let e = create::verify(inner, &ctx.actor, i, password.as_ref()).await?;
        ctx.describe(format!("verified backup #{i} of {}", e.source));
        return Ok(Outcome::Backup(BackupOutcome::BackupVerified { results: vec![VerifyResult { id: i, source: e.source, ok: true, message: format!("ok, {}", plural(e.files as usize, "file", "files")) }] }));
    }
    let mut results = Vec::new();
    for i in ids {
        let source = catalog::entry(&inner.store, i).map(|e| e.source).unwrap_or_default();
        let r = create::verify(inner, &ctx.actor, i, password.as_ref()).await;
        results.push(VerifyResult { id: i, source, ok: r.is_ok(), message: r.map(|e| format!("ok, {}", plural(e.files as usize, "file", "files"))).unwrap_or_else(|e| e.to_string()) });
    }
    let bad = results.iter().filter(|r| !r.ok).count();
    ctx.describe(format!("verified {}: {bad} failed", plural(results.len(), "backup", "backups")));
    Ok(Outcome::Backup(BackupOutcome::BackupVerified { results }))
}

pub(crate) async fn restore(inner: &Inner, ctx: &mut Ctx, req: Request) -> EngineResult<Outcome> {
    ctx.resource("backup", req.id.map(|i| i.to_string()), req.file.clone());
    if !req.confirmed {
        // A preview changes nothing: it is not a restore in the audit log.
        ctx.action("backup_restore_preview");
        ctx.severity(crate::engine::audit::Severity::Info);
    }
    restore::journal::recover_remote(inner, &ctx.actor).await?;
    ctx.release_gate();
    match restore::restore(inner, &ctx.actor, req).await? {
        Done::Preview(preview) => {
            ctx.describe(format!(
                "restore preview of {} into {}: {} added, {} changed, {} removed",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len()
            ));
            Ok(Outcome::Backup(BackupOutcome::BackupPreview { preview }))
        }
        Done::Restored { preview, pre_restore, carried, restarted } => {
            ctx.describe(format!(
                "restored {} into {}: {} added, {} changed, {} removed; pre-restore backup #{}{}",
                preview.source,
                preview.target,
                preview.added.len(),
                preview.changed.len(),
                preview.removed.len(),
                pre_restore.map(|p| p.to_string()).unwrap_or_else(|| "none (target was empty)".into()),
                restarted.as_ref().map(|d| format!("; deployment {d} restarted and healthy")).unwrap_or_default()
            ));
            Ok(Outcome::Backup(BackupOutcome::BackupRestored { preview, pre_restore, carried, restarted }))
        }
    }
}

/// The operator declined a restore after its preview: audited as
/// `declined`, so the log shows a preview that led nowhere, not a restore.
pub(crate) fn restore_declined(ctx: &mut Ctx, id: Option<u64>, file: Option<String>) -> EngineResult<Outcome> {
    let what = match (id, &file) {
        (Some(i), _) => format!("backup #{i}"),
        (None, Some(f)) => f.clone(),
        (None, None) => return Err(EngineError::invalid("id", "", "the backup id (or file) whose preview was declined")),
    };
    ctx.resource("backup", id.map(|i| i.to_string()), file);
    ctx.describe(format!("restore of {what} declined after its preview; nothing was restored"));
    ctx.ended(crate::engine::audit::Status::Declined, None);
    Ok(Outcome::done(format!("restore of {what} declined; nothing was restored")))
}

pub(crate) async fn forget(inner: &Inner, ctx: &mut Ctx, source: &str, keep: Keep, dry_run: bool) -> EngineResult<Outcome> {
    ctx.resource("backup_source", None, Some(source.to_string()));
    if keep.is_empty() {
        return Err(EngineError::invalid("keep_*", "", "at least one of keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly"));
    }
    let entries: Vec<_> = catalog::entries(&inner.store)?.into_iter().filter(|e| e.source == source).collect();
    let decisions = retention::decide(&entries.iter().map(|e| (e.id, e.created)).collect::<Vec<_>>(), &keep);
    let gone: Vec<u64> = decisions.iter().filter(|d| !d.keep()).map(|d| d.id).collect();
    if !dry_run {
        for e in entries.iter().filter(|e| gone.contains(&e.id)) {
            repo::delete(inner, &ctx.actor, e).await?;
            catalog::remove_entry(&inner.store, e.id)?;
        }
    }
    ctx.change("backups", Some(entries.len().to_string()), Some((entries.len() - if dry_run { 0 } else { gone.len() }).to_string()));
    ctx.describe(format!(
        "{} {} of {} of {source}",
        if dry_run { "would forget" } else { "forgot" },
        gone.len(),
        crate::engine::text::plural(entries.len(), "backup", "backups")
    ));
    Ok(Outcome::Backup(BackupOutcome::BackupForgot { forget: Forget { source: source.to_string(), dry_run, decisions } }))
}

pub(crate) fn repo_add(inner: &Inner, ctx: &mut Ctx, name: &str, server: &str, path: &str) -> EngineResult<Outcome> {
    validate_name("name", name)?;
    ctx.resource("backup_repo", None, Some(name.to_string()));
    if name == "local" || catalog::repo(&inner.store, name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "backup repository".into(), name: name.into() });
    }
    crate::engine::servers::store::get(&inner.store, server)?;
    if !path.starts_with('/') {
        return Err(EngineError::invalid("path", path, "an absolute directory path on the server"));
    }
    catalog::put_repo(&inner.store, &Repo { name: name.into(), server: server.into(), path: path.trim_end_matches('/').to_string() })?;
    ctx.describe(format!("backup repository {name} = {server}:{path}"));
    Ok(Outcome::Backup(BackupOutcome::BackupRepos { repos: catalog::repos(&inner.store)? }))
}

pub(crate) fn overview(inner: &Inner) -> EngineResult<Outcome> {
    let Outcome::Backup(BackupOutcome::BackupCatalog { entries }) = list(inner, None)? else { return Err(EngineError::Other("catalog".into())) };
    Ok(Outcome::Backup(BackupOutcome::BackupOverview {
        overview: Box::new(Overview {
            sources: source_views(inner)?,
            catalog: entries,
            schedules: schedule::views(inner)?,
            repos: catalog::repos(&inner.store)?,
            jobs: inner.backup.jobs.list(),
            watched: super::snapshots::watched(inner)?,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::split_server_path;
    #[test]
    fn server_paths() {
        assert_eq!(split_server_path("nas:/srv/ha"), (Some("nas".into()), "/srv/ha".into()));
        assert_eq!(split_server_path("/srv/a:/b"), (None, "/srv/a:/b".into()));
        assert_eq!(split_server_path("relative/dir"), (None, "relative/dir".into()));
        assert_eq!(split_server_path(":/x"), (None, ":/x".into()));
    }
}
