//! The `ha_*` verbs: add/remove/list profiles, test an instance, read
//! states, watch state changes live over the WebSocket API, and call a
//! service (only with `confirmed`, audited).

use crate::engine::text::plural;
use crate::engine::{HaEvent, HaOutcome};
use super::profile::{self, Profile};
use super::rest::Failure;
use super::views::{EntityState, HaTestReport, matches};
use super::ws::Ws;
use crate::engine::actor::Actor;
use crate::engine::audit::Severity;
use crate::engine::context::Ctx;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::event::Event;
use crate::engine::secret_value::SecretValue;
use crate::engine::vault::{self, SecretKind};
use crate::engine::{Inner, Outcome};
use chrono::Utc;
use serde_json::{Value, json};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

pub(crate) fn profile_for_deployment(inner: &Inner, deployment: &str) -> EngineResult<Option<Profile>> {
    if let Some(p) = profile::find(&inner.store, deployment)? {
        return Ok(Some(p));
    }
    Ok(profile::all(&inner.store)?.into_iter().find(|p| p.deployment.as_deref() == Some(deployment)))
}

/// The profile's token out of the vault, logged as a use of the secret.
pub(crate) fn token(inner: &Inner, actor: &Actor, p: &Profile, why: &str) -> EngineResult<SecretValue> {
    vault::use_secret(inner, actor, &p.token_secret, &format!("ha {why} {}", p.name))
}

/// A GET of the profile's REST API through its queue and circuit breaker.
pub(crate) async fn guarded_get(inner: &Inner, p: &Profile, path: &str, token: &SecretValue) -> Result<Value, Failure> {
    inner.ha.guards.run(&p.name, inner.ha.rest.get(&p.url, path, Some(token))).await
}

pub(crate) fn hint(p: &Profile) -> String {
    format!("check the long-lived access token in vault secret {:?} (homedeck secret rotate {})", p.token_secret, p.token_secret)
}

pub(crate) struct AddRequest {
    pub name: String,
    pub url: Option<String>,
    pub token_secret: Option<String>,
    pub token: Option<SecretValue>,
    pub deployment: Option<String>,
    /// The profile's own site [default: its deployment's].
    pub site: Option<String>,
}

pub(crate) fn add(inner: &Inner, ctx: &mut Ctx, req: AddRequest) -> EngineResult<Outcome> {
    ctx.resource("ha_profile", None, Some(req.name.clone()));
    profile::validate_name(&req.name)?;
    let site = crate::engine::sites::parse_site(req.site)?;
    if profile::find(&inner.store, &req.name)?.is_some() {
        return Err(EngineError::AlreadyExists { what: "Home Assistant profile".into(), name: req.name });
    }
    let given = req.url.as_deref().map(profile::normalise_url).transpose()?;
    // Also checks that the deployment exists when a URL was given too.
    let deployed = match req.deployment.as_deref() {
        Some(d) => {
            let resolve = inner.ha.deployment_url.get().ok_or_else(|| {
                EngineError::Other(format!("cannot look up deployment {d:?}: the deployments domain has not started"))
            })?;
            Some(resolve(inner, d)?)
        }
        None => None,
    };
    let url = given.or(deployed).ok_or_else(|| EngineError::invalid("url", "", "the instance's URL (http://host:8123), or deployment=NAME"))?;
    let secret = match (req.token, req.token_secret) {
        (Some(value), name) => {
            let name = name.unwrap_or_else(|| format!("ha/{}/token", req.name));
            let saved = ctx.draft.clone();
            let r = if vault::exists(inner, &name)? {
                vault::rotate(inner, ctx, &name, value)
            } else {
                vault::add(inner, ctx, name.clone(), SecretKind::Token, value, None, Some("Home Assistant long-lived access token".into()))
            };
            ctx.draft = saved;
            r?;
            name
        }
        (None, Some(name)) => {
            if !vault::exists(inner, &name)? {
                return Err(EngineError::invalid("token_secret", &name, "the name of a vault secret holding the token (see homedeck secret list)"));
            }
            name
        }
        (None, None) => return Err(EngineError::invalid("token", "", "a long-lived access token (prompted) or token_secret=NAME of a vault secret")),
    };
    let p = Profile { name: req.name.clone(), url: url.clone(), token_secret: secret.clone(), deployment: req.deployment, site, added: Utc::now() };
    profile::put(&inner.store, &p)?;
    ctx.change("url", None, Some(url.clone()));
    ctx.change("token_secret", None, Some(secret));
    ctx.describe(format!("added Home Assistant profile {} for {url}", p.name));
    inner.emit(Event::Ha(HaEvent::HaProfilesChanged));
    Ok(Outcome::Ha(HaOutcome::HaProfiles { profiles: vec![p] }))
}

pub(crate) fn remove(inner: &Inner, ctx: &mut Ctx, name: &str) -> EngineResult<Outcome> {
    ctx.resource("ha_profile", None, Some(name.to_string()));
    let p = profile::get(&inner.store, name)?;
    profile::remove(&inner.store, name)?;
    unwatch(inner, name);
    inner.ha.guards.forget(name);
    ctx.describe(format!("removed Home Assistant profile {name} ({}); its token secret stays in the vault", p.url));
    inner.emit(Event::Ha(HaEvent::HaProfilesChanged));
    Ok(Outcome::done(format!("removed profile {name}; secret {} stays in the vault until revoked", p.token_secret)))
}

pub(crate) fn list(inner: &Inner) -> EngineResult<Outcome> {
    let mut profiles = profile::all(&inner.store)?;
    crate::engine::sites::index::fill_profiles(&inner.store, &mut profiles)?;
    Ok(Outcome::Ha(HaOutcome::HaProfiles { profiles }))
}

pub(crate) async fn test(inner: &Inner, actor: &Actor, name: &str) -> EngineResult<Outcome> {
    let p = profile::get(&inner.store, name)?;
    let token = token(inner, actor, &p, "test")?;
    let err = |f: Failure, path: &str| f.into_error(&p.name, &format!("{}{path}", p.url), &hint(&p));
    let get = |path: &'static str| guarded_get(inner, &p, path, &token);
    let start = Instant::now();
    let api = get("/api/").await.map_err(|f| err(f, "/api/"))?;
    let latency_ms = start.elapsed().as_millis() as u64;
    if api["message"] != "API running." {
        return Err(EngineError::Other(format!("{} at {} does not look like Home Assistant: /api/ answered {api}", p.name, p.url)));
    }
    let cfg = get("/api/config").await.map_err(|f| err(f, "/api/config"))?;
    let states = get("/api/states").await.map_err(|f| err(f, "/api/states"))?;
    Ok(Outcome::Ha(HaOutcome::HaTested {
        report: HaTestReport {
            profile: p.name.clone(),
            url: p.url.clone(),
            latency_ms,
            version: cfg["version"].as_str().unwrap_or("?").to_string(),
            location_name: cfg["location_name"].as_str().unwrap_or("?").to_string(),
            entity_count: states.as_array().map_or(0, Vec::len),
        },
    }))
}

pub(crate) async fn states(inner: &Inner, actor: &Actor, name: &str, filter: Option<String>) -> EngineResult<Outcome> {
    let p = profile::get(&inner.store, name)?;
    let token = token(inner, actor, &p, "states")?;
    let filter = filter.unwrap_or_default();
    let v = guarded_get(inner, &p, "/api/states", &token).await.map_err(|f| f.into_error(&p.name, &format!("{}/api/states", p.url), &hint(&p)))?;
    let mut states: Vec<EntityState> = v.as_array().map(|a| a.iter().filter_map(EntityState::from_json).collect()).unwrap_or_default();
    states.retain(|s| matches(&filter, &s.entity_id));
    states.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    Ok(Outcome::Ha(HaOutcome::HaStates { profile: name.into(), states }))
}

/// `ha_call`: `service` is `domain.service`; `data` optional JSON object.
pub(crate) async fn call(
    inner: &Inner,
    ctx: &mut Ctx,
    name: &str,
    service: &str,
    entity: Option<String>,
    data: Option<String>,
    confirmed: bool,
) -> EngineResult<Outcome> {
    ctx.resource("ha_profile", None, Some(name.to_string()));
    let p = profile::get(&inner.store, name)?;
    let (domain, svc) = service
        .split_once('.')
        .filter(|(d, s)| !d.is_empty() && !s.is_empty() && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .ok_or_else(|| EngineError::invalid("service", service, "domain.service, e.g. light.turn_off"))?;
    let mut body: Value = match &data {
        Some(d) if !d.trim().is_empty() => serde_json::from_str(d).map_err(|e| EngineError::invalid("data", d, &format!("a JSON object ({e})")))?,
        _ => json!({}),
    };
    if !body.is_object() {
        return Err(EngineError::invalid("data", data.unwrap_or_default(), "a JSON object"));
    }
    if let Some(e) = &entity {
        body["entity_id"] = json!(e);
    }
    let what = format!("{service} on {}", entity.as_deref().unwrap_or("(no entity)"));
    ctx.change("service", None, Some(format!("{what} {body}")));
    if !confirmed {
        return Err(EngineError::ConfirmationRequired { what: format!("calling {what} on {}", p.name), reason: "it changes a live Home Assistant".into() });
    }
    ctx.severity(Severity::Low);
    ctx.release_gate();
    let token = token(inner, &ctx.actor, &p, "call")?;
    let path = format!("/api/services/{domain}/{svc}");
    let changed = inner.ha.guards.run(&p.name, inner.ha.rest.post(&p.url, &path, &token, &body)).await;
    let changed = changed.map_err(|f| f.into_error(&p.name, &format!("{}{path}", p.url), &hint(&p)))?;
    let states: Vec<EntityState> = changed.as_array().map(|a| a.iter().filter_map(EntityState::from_json).collect()).unwrap_or_default();
    ctx.describe(format!("called {what} on {} ({} changed)", p.name, plural(states.len(), "state", "states")));
    Ok(Outcome::Ha(HaOutcome::HaCalled { profile: name.into(), service: service.into(), changed: states }))
}

/// Start a live view: a task that subscribes to state_changed and emits
/// `HaState` events for entities matching `filter` until `ha_unwatch`.
pub(crate) async fn watch(inner: &Inner, actor: &Actor, name: &str, filter: Option<String>) -> EngineResult<Outcome> {
    let p = profile::get(&inner.store, name)?;
    let token = token(inner, actor, &p, "watch")?;
    let mut ws = Ws::connect(&p.name, &p.url, &token).await?;
    drop(token);
    let initial = ws.call(json!({"type": "get_states"})).await?;
    ws.subscribe_state_changes().await?;
    let filter = filter.unwrap_or_default();
    let mut states: Vec<EntityState> = initial.as_array().map(|a| a.iter().filter_map(EntityState::from_json).collect()).unwrap_or_default();
    states.retain(|s| matches(&filter, &s.entity_id));
    states.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    let cancel = CancellationToken::new();
    if let Ok(mut w) = inner.ha.watches.lock()
        && let Some(old) = w.insert(name.to_string(), cancel.clone())
    {
        old.cancel();
    }
    let events = inner.events.clone();
    let profile_name = name.to_string();
    tokio::spawn(async move {
        let reason = loop {
            let msg = tokio::select! {
                m = ws.recv() => m,
                _ = cancel.cancelled() => break "stopped".to_string(),
            };
            match msg {
                Ok(m) if m["type"] == "event" => {
                    let new = &m["event"]["data"]["new_state"];
                    let id = m["event"]["data"]["entity_id"].as_str().unwrap_or_default();
                    if !matches(&filter, id) {
                        continue;
                    }
                    let state = EntityState::from_json(new).unwrap_or(EntityState {
                        entity_id: id.to_string(),
                        state: "(removed)".into(),
                        friendly_name: String::new(),
                        last_changed: String::new(),
                    });
                    let _ = events.send(Event::Ha(HaEvent::HaState { profile: profile_name.clone(), state }));
                }
                Ok(_) => {}
                Err(e) => break e.to_string(),
            }
        };
        let _ = events.send(Event::Ha(HaEvent::HaWatchEnded { profile: profile_name, reason }));
    });
    Ok(Outcome::Ha(HaOutcome::HaStates { profile: name.into(), states }))
}

pub(crate) fn unwatch(inner: &Inner, name: &str) -> bool {
    inner.ha.watches.lock().ok().and_then(|mut w| w.remove(name)).map(|t| t.cancel()).is_some()
}
