//! The swap of a remote target, as `mv` on the server (staging and old dirs
//! sit beside the target, so each `mv` is a rename on one filesystem). The
//! scripts mirror `Swap::apply` / `Swap::undo`: `undo` after a crash at any
//! point of `apply` puts the original back, and running it twice is
//! harmless. Every path travels as its own quoted argument, never spliced
//! into shell code.

use super::swap::Swap;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::store as servers;
use std::time::Duration;

/// `$1` = from, `$2` = cur, `$3` = keep.
const APPLY: &str = r#"set -e
[ -e "$1" ] || [ -L "$1" ] || { echo "$1 is not in the backup" >&2; exit 3; }
mkdir -p -- "$(dirname -- "$3")"
if [ -e "$2" ] || [ -L "$2" ]; then mv -- "$2" "$3"; fi
mkdir -p -- "$(dirname -- "$2")"
mv -- "$1" "$2""#;

/// `$1` = cur, `$2` = keep, `$3` = where a failed restore is put, `$4` = had target (1/0).
const UNDO: &str = r#"set -e
mkdir -p -- "$(dirname -- "$3")"
rm -rf -- "$3"
if [ -e "$2" ] || [ -L "$2" ]; then
  if [ -e "$1" ] || [ -L "$1" ]; then mv -- "$1" "$3"; fi
  mv -- "$2" "$1"
elif [ "$4" = 0 ] && { [ -e "$1" ] || [ -L "$1" ]; }; then
  mv -- "$1" "$3"
fi"#;

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

async fn script(inner: &Inner, actor: &Actor, sw: &Swap, code: &str, args: Vec<String>) -> EngineResult<()> {
    let name = sw.server.as_deref().ok_or_else(|| EngineError::Other("a remote swap without a server".into()))?;
    let server = servers::get(&inner.store, name)?;
    let mut argv = vec!["sh".into(), "-c".into(), code.into(), "sh".into()];
    argv.extend(args);
    super::remote::run_ok(inner, actor, &server, argv, Duration::from_secs(300)).await.map(|_| ())
}

/// Put the staged files in place on the server.
pub(crate) async fn apply(inner: &Inner, actor: &Actor, sw: &Swap) -> EngineResult<()> {
    let (from, cur, keep) = sw.paths();
    script(inner, actor, sw, APPLY, vec![s(&from), s(&cur), s(&keep)]).await
}

/// Put the original back on the server.
pub(crate) async fn undo(inner: &Inner, actor: &Actor, sw: &Swap) -> EngineResult<()> {
    let (_, cur, keep) = sw.paths();
    let failed = sw.staging.join("failed");
    script(inner, actor, sw, UNDO, vec![s(&cur), s(&keep), s(&failed), if sw.had_target { "1".into() } else { "0".into() }]).await
}

/// Remove staging and old on the server.
pub(crate) async fn cleanup(inner: &Inner, actor: &Actor, sw: &Swap) -> EngineResult<()> {
    script(inner, actor, sw, "rm -rf -- \"$1\" \"$2\"", vec![s(&sw.staging), s(&sw.old)]).await
}

/// Apply, here or on the server.
pub(crate) async fn apply_any(inner: &Inner, actor: &Actor, sw: &Swap) -> EngineResult<()> {
    match sw.server {
        Some(_) => apply(inner, actor, sw).await,
        None => sw.apply().map_err(|e| crate::engine::backup::create::io_err("swap", e)),
    }
}

/// Undo, here or on the server.
pub(crate) async fn undo_any(inner: &Inner, actor: &Actor, sw: &Swap) -> EngineResult<()> {
    match sw.server {
        Some(_) => undo(inner, actor, sw).await,
        None => sw.undo().map_err(|e| EngineError::Other(e.to_string())),
    }
}

/// Cleanup, here or on the server (best effort).
pub(crate) async fn cleanup_any(inner: &Inner, actor: &Actor, sw: &Swap) {
    match sw.server {
        Some(_) => {
            if let Err(e) = cleanup(inner, actor, sw).await {
                tracing::warn!(error = %e, "could not remove the staging and old dirs of a remote restore");
            }
        }
        None => sw.cleanup(),
    }
}
