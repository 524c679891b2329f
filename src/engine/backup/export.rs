//! homedeck's own state: every sled tree exported into a password-encrypted
//! homedeck archive (`live/homedeck-db.jsonl`, one record per line), and
//! imported back, replacing the whole db. Secrets stay sealed by the vault
//! key inside the export (and the export itself is encrypted), so an import
//! brings back servers, devices, schedules, secrets and the audit log; the
//! vault opens with the passphrase it had when exported.

use crate::engine::text::plural;
use crate::engine::BackupOutcome;
use super::archive::header::Header;
use super::archive::reader;
use super::archive::overlap::write_verified;
use super::archive::writer::Job;
use super::archive::{Compression, KeyRef};
use super::create::io_err;
use super::keys;
use super::views::Exported;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::secret_value::SecretValue;
use crate::engine::{Inner, Outcome};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::Path;

const DUMP: &str = "live/homedeck-db.jsonl";
/// Trees an import leaves alone: the journal of restores in progress.
const KEEP_LOCAL: [&str; 1] = [super::TREES.journal];

#[derive(Serialize, Deserialize)]
struct Line {
    t: String,
    k: String,
    v: String,
}

fn need_password(p: Option<SecretValue>) -> EngineResult<SecretValue> {
    match p {
        Some(p) if p.len() >= 8 => Ok(p),
        _ => Err(EngineError::invalid("password", "", "an export password of at least 8 characters")),
    }
}

pub(crate) async fn export(inner: &Inner, ctx: &mut Ctx, path: &str, password: Option<SecretValue>) -> EngineResult<Outcome> {
    ctx.resource("homedeck_export", None, Some(path.to_string()));
    let password = need_password(password)?;
    let dest = Path::new(path);
    if dest.exists() {
        return Err(EngineError::invalid("path", path, "a file that does not exist yet"));
    }
    let enc = keys::new_encryption(KeyRef::Password)?;
    let key = keys::derive(password, enc.clone()).await?;
    inner.store.flush()?;
    let dump = dest.with_extension("dump.tmp");
    let (mut trees, mut records) = (0u64, 0u64);
    {
        let f = std::fs::File::create(&dump).map_err(|e| io_err(&dump.display().to_string(), e))?;
        let mut w = std::io::BufWriter::new(f);
        for name in inner.store.tree_names() {
            trees += 1;
            for kv in inner.store.tree(&name)?.iter() {
                let (k, v) = kv?;
                let line = serde_json::to_string(&Line { t: name.clone(), k: B64.encode(&k), v: B64.encode(&v) }).map_err(|e| EngineError::Other(e.to_string()))?;
                writeln!(w, "{line}").map_err(|e| io_err("export", e))?;
                records += 1;
            }
        }
        w.flush().map_err(|e| io_err("export", e))?;
    }
    let header = Header {
        format: 1,
        compression: Compression::Zstd,
        encryption: Some(enc),
        source: "homedeck".into(),
        kind: "homedeck".into(),
        created: chrono::Utc::now(),
        homedeck: env!("CARGO_PKG_VERSION").into(),
    };
    let (d, out) = (dump.clone(), dest.to_path_buf());
    let written = tokio::task::spawn_blocking(move || {
        write_verified(&out, std::fs::File::create(&out)?, &header, Some(&key), &Job::default(), |w| w.add_file(&d, DUMP))
    })
    .await
    .map_err(|e| EngineError::Other(e.to_string()))?;
    let _ = std::fs::remove_file(&dump);
    let written = written.map_err(|e| {
        let _ = std::fs::remove_file(dest);
        io_err("export", e)
    })?;
    ctx.describe(format!("exported {} in {} to {path}", plural(records as usize, "record", "records"), plural(trees as usize, "tree", "trees")));
    Ok(Outcome::Backup(BackupOutcome::BackupExported { export: Exported { path: path.into(), trees, records, size: written.size, sha256: written.sha256 } }))
}

pub(crate) async fn import(inner: &Inner, ctx: &mut Ctx, path: &str, password: Option<SecretValue>, confirmed: bool) -> EngineResult<Outcome> {
    ctx.resource("homedeck_export", None, Some(path.to_string()));
    let header = reader::read_header(Path::new(path)).map_err(|e| io_err(path, e))?;
    let enc = header.encryption.clone().filter(|_| header.kind == "homedeck").ok_or_else(|| EngineError::invalid("path", path, "an encrypted homedeck export (from backup_export)"))?;
    let key = keys::derive(need_password(password)?, enc).await?;
    let staging = inner.opts.data_dir.join("backups/.partial/import");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| io_err("import", e))?;
    let (p, st) = (Path::new(path).to_path_buf(), staging.clone());
    tokio::task::spawn_blocking(move || {
        let opened = reader::open(&p, Some(&key))?;
        super::archive::extract::extract(opened, &st, &Default::default(), None, &Job::default(), None)
    })
    .await
    .map_err(|e| EngineError::Other(e.to_string()))?
    .map_err(|e| io_err(path, e))?;
    // Parse everything before touching the db.
    let f = std::fs::File::open(staging.join(DUMP)).map_err(|e| io_err("import", e))?;
    let mut lines = Vec::new();
    for (i, l) in std::io::BufReader::new(f).lines().enumerate() {
        let l = l.map_err(|e| io_err("import", e))?;
        let line: Line = serde_json::from_str(&l).map_err(|e| EngineError::invalid("export line", (i + 1).to_string(), &format!("a record ({e})")))?;
        let k = B64.decode(&line.k).map_err(|e| EngineError::invalid("export line", (i + 1).to_string(), &format!("base64 key ({e})")))?;
        let v = B64.decode(&line.v).map_err(|e| EngineError::invalid("export line", (i + 1).to_string(), &format!("base64 value ({e})")))?;
        lines.push((line.t, k, v));
    }
    let _ = std::fs::remove_dir_all(&staging);
    let trees: std::collections::BTreeSet<&str> = lines.iter().map(|l| l.0.as_str()).collect();
    if !confirmed {
        return Err(EngineError::ConfirmationRequired {
            what: format!("importing {path}"),
            reason: format!("it replaces this homedeck's whole state ({} in {})", plural(lines.len(), "record", "records"), plural(trees.len(), "tree", "trees")),
        });
    }
    for name in inner.store.tree_names() {
        if !KEEP_LOCAL.contains(&name.as_str()) {
            inner.store.tree(&name)?.clear()?;
        }
    }
    for (t, k, v) in &lines {
        if !KEEP_LOCAL.contains(&t.as_str()) {
            inner.store.tree(t)?.insert(k.as_slice(), v.as_slice())?;
        }
    }
    inner.store.flush()?;
    // The data key of the imported vault is not the one in memory.
    crate::engine::vault::session::lock(inner, crate::engine::event::LockReason::Requested);
    ctx.describe(format!("imported {} in {} from {path}; the vault is locked", plural(lines.len(), "record", "records"), plural(trees.len(), "tree", "trees")));
    Ok(Outcome::done(format!("imported {} in {} from {path}; unlock the vault with the passphrase it had when exported", plural(lines.len(), "record", "records"), plural(trees.len(), "tree", "trees"))))
}
