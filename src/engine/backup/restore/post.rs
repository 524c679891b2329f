//! After the swap: the source's post-restore step and health checks.
//!
//! - Node-RED: `POST /flows` with the restored flows (deployment type full),
//!   then the editor must report exactly those node ids;
//! - Home Assistant config dir that is a homedeck deployment's config dir
//!   (same server, same path): restart it through the deploy domain and
//!   wait until it is healthy. Zigbee2MQTT is never a homedeck deployment;
//! - the source's own health command exits 0 (on the source's server for a
//!   remote source, in the target directory).

use super::remote;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::backup::model::Source;
use crate::engine::backup::sources::nodered;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::servers::model::Server;
use std::path::Path;

/// The deployment whose config dir is `dir` on `server`, if any.
pub(crate) fn deployment_at(inner: &Inner, server: &str, dir: &str) -> EngineResult<Option<String>> {
    let dir = dir.trim_end_matches('/');
    Ok(crate::engine::deploy::store::all(&inner.store)?.into_iter().find(|d| d.server == server && d.config_dir.trim_end_matches('/') == dir).map(|d| d.name))
}

/// Restart deployment `name` and wait until Home Assistant is healthy.
pub(crate) async fn restart(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<()> {
    crate::engine::deploy::control::restart_and_wait(inner, actor, name)
        .await
        .map(|_| ())
        .map_err(|e| EngineError::Other(format!("post-restore restart of deployment {name}: {e}")))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn post_restore(
    inner: &Inner,
    actor: &Actor,
    staging: &Path,
    target: &Path,
    server: Option<&Server>,
    api: Option<&nodered::Api>,
    source: Option<&Source>,
    full: bool,
) -> EngineResult<()> {
    if let Some(api) = api {
        let live = staging.join("live/flows.json");
        // A remote target's files are also still in the local staging copy.
        let restored = match server {
            Some(_) => staging.join("files/flows.json"),
            None => target.join("flows.json"),
        };
        let flows = match std::fs::read(&live) {
            Ok(f) => f,
            Err(_) if full => std::fs::read(&restored).map_err(|e| EngineError::Other(format!("flows.json: {e}")))?,
            Err(_) => Vec::new(),
        };
        if !flows.is_empty() {
            api.deploy(&flows).await?;
            let now = api.get_flows().await?;
            if ids(&now) != ids(&flows) {
                return Err(EngineError::Other("health check: Node-RED does not report the restored flows after the deployment".into()));
            }
        }
    }
    let Some(cmd) = source.and_then(|s| s.health.as_deref()) else { return Ok(()) };
    if let Some(server) = server {
        return remote::health(inner, actor, server, &target.to_string_lossy(), cmd).await;
    }
    let out = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        tokio::process::Command::new("sh").arg("-c").arg(cmd).current_dir(target).kill_on_drop(true).output(),
    )
    .await
    .map_err(|_| EngineError::Other(format!("health check `{cmd}` did not finish within 120 s")))?
    .map_err(|e| EngineError::Other(format!("health check `{cmd}` could not start: {e}")))?;
    if !out.status.success() {
        return Err(EngineError::Other(format!("health check `{cmd}` failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(())
}

/// The node ids of a flows array, sorted (Node-RED may reorder keys).
fn ids(flows: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(flows).unwrap_or_default();
    let mut ids: Vec<String> = v.as_array().into_iter().flatten().filter_map(|n| n.get("id").and_then(|i| i.as_str()).map(str::to_string)).collect();
    ids.sort();
    ids
}
