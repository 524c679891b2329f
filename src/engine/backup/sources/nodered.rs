//! Node-RED: which user-dir files belong in a backup, and the admin API
//! (`GET /flows` with API v2, `POST /flows` with a full deployment, token
//! login when adminAuth is on).

use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::backup::model::Source;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::vault;
use std::path::Path;
use std::time::Duration;

/// Flows, credentials, settings, runtime config, package.json and lib/ —
/// not node_modules (reinstalled from package.json).
pub fn is_user_file(rel: &Path, is_dir: bool) -> bool {
    let mut comps = rel.components();
    let first = comps.next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    if first == "lib" {
        return true;
    }
    if is_dir || comps.next().is_some() {
        return false;
    }
    (first.starts_with("flows") && first.ends_with(".json"))
        || first.ends_with("_cred.json")
        || first == "settings.js"
        || (first.starts_with(".config") && first.ends_with(".json"))
        || first == "package.json"
}

/// Flows larger than this are refused (a real flows file is kilobytes to a few MB).
const MAX_FLOWS: usize = 64 << 20;

pub struct Api {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

fn err(url: &str, what: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Other(format!("Node-RED at {url}: {what}: {e}"))
}

impl Api {
    /// Connect, logging in with the vault password when adminAuth is on.
    pub(crate) async fn connect(inner: &Inner, actor: &Actor, s: &Source, url: &str) -> EngineResult<Api> {
        let url = url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(EngineError::invalid("url", &url, "the Node-RED editor URL, e.g. http://127.0.0.1:1880"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| err(&url, "cannot build an HTTP client", e))?;
        let mut api = Api { http, url, token: None };
        let login: serde_json::Value = api.json(api.http.get(format!("{}/auth/login", api.url))).await?;
        let auth_on = login.get("type").and_then(|t| t.as_str()) == Some("credentials");
        if auth_on {
            let (Some(user), Some(secret)) = (&s.user, &s.password_secret) else {
                return Err(EngineError::invalid(
                    "password_secret",
                    "",
                    "the vault secret with the Node-RED admin password (adminAuth is on at this Node-RED), and user",
                ));
            };
            let pw = vault::use_secret(inner, actor, secret, &format!("node-red login {}", s.name))?;
            let form = [("client_id", "node-red-admin"), ("grant_type", "password"), ("scope", "*"), ("username", user.as_str()), ("password", pw.expose())];
            let resp = api.http.post(format!("{}/auth/token", api.url)).form(&form).send().await.map_err(|e| err(&api.url, "login failed", e))?;
            if !resp.status().is_success() {
                return Err(EngineError::AuthFailed { server: api.url.clone(), user: user.clone(), method: "Node-RED adminAuth password".into(), hint: format!(" (HTTP {})", resp.status()) });
            }
            let body: serde_json::Value = resp.json().await.map_err(|e| err(&api.url, "login answer", e))?;
            api.token = body.get("access_token").and_then(|t| t.as_str()).map(str::to_string);
            if api.token.is_none() {
                return Err(err(&api.url, "login answer", "no access_token"));
            }
        }
        Ok(api)
    }

    fn auth(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn json(&self, r: reqwest::RequestBuilder) -> EngineResult<serde_json::Value> {
        let bytes = self.bytes(r).await?;
        serde_json::from_slice(&bytes).map_err(|e| err(&self.url, "answer is not JSON", e))
    }

    async fn bytes(&self, r: reqwest::RequestBuilder) -> EngineResult<Vec<u8>> {
        let resp = self.auth(r).send().await.map_err(|e| err(&self.url, "request failed", e))?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(err(&self.url, "refused", "401 Unauthorized (adminAuth is on: set user and password_secret on the source)"));
        }
        if !status.is_success() {
            return Err(err(&self.url, "refused", format!("HTTP {status}")));
        }
        if resp.content_length().is_some_and(|n| n as usize > MAX_FLOWS) {
            return Err(err(&self.url, "answer too large", format!("over {MAX_FLOWS} bytes")));
        }
        let b = resp.bytes().await.map_err(|e| err(&self.url, "reading the answer", e))?;
        if b.len() > MAX_FLOWS {
            return Err(err(&self.url, "answer too large", format!("over {MAX_FLOWS} bytes")));
        }
        Ok(b.to_vec())
    }

    /// The deployed flows (API v2), returned as the flows array's JSON.
    pub async fn get_flows(&self) -> EngineResult<Vec<u8>> {
        let v = self.json(self.http.get(format!("{}/flows", self.url)).header("Node-RED-API-Version", "v2")).await?;
        let flows = v.get("flows").filter(|f| f.is_array()).ok_or_else(|| err(&self.url, "GET /flows", "expected {\"rev\",\"flows\":[…]}"))?;
        serde_json::to_vec_pretty(flows).map_err(|e| err(&self.url, "encoding flows", e))
    }

    /// Deploy `flows` (a JSON array) as a full deployment.
    pub async fn deploy(&self, flows: &[u8]) -> EngineResult<()> {
        let v: serde_json::Value = serde_json::from_slice(flows).map_err(|e| err(&self.url, "the flows to deploy are not JSON", e))?;
        if !v.is_array() {
            return Err(err(&self.url, "the flows to deploy", "expected a JSON array"));
        }
        let r = self
            .http
            .post(format!("{}/flows", self.url))
            .header("Node-RED-Deployment-Type", "full")
            .header("Content-Type", "application/json")
            .body(flows.to_vec());
        self.bytes(r).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn user_files() {
        for yes in ["flows.json", "flows_host.json", "flows_cred.json", "settings.js", ".config.runtime.json", ".config.users.json", "package.json", "lib", "lib/x/y.js"] {
            assert!(is_user_file(Path::new(yes), yes == "lib"), "{yes}");
        }
        for no in ["node_modules", "node_modules/x/package.json", "flows.json.backup", ".sessions.json", "context"] {
            assert!(!is_user_file(Path::new(no), no == "node_modules" || no == "context"), "{no}");
        }
    }
}
