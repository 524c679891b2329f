//! Previews of the Home Assistant verbs: a service call's profile, service
//! and entity targets (what the entity does is Home Assistant's business,
//! so the card says which call, not what follows); profile edits.

use super::profile;
use crate::engine::Inner;
use crate::engine::actor::Actor;
use crate::engine::command::{Command, HaCommand};
use crate::engine::command_table::CommandSpec;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::preview::Preview;

pub(crate) async fn preview(inner: &Inner, _actor: &Actor, spec: &'static CommandSpec, command: HaCommand) -> EngineResult<Preview> {
    use HaCommand::*;
    let p = match command {
        HaList {} | HaTest { .. } | HaStates { .. } | HaHistory { .. } | HaWatch { .. } | HaUnwatch { .. } => Preview::reads(spec),
        HaAdd { name, url, token_secret, token, deployment, site } => {
            profile::validate_name(&name)?;
            if profile::find(&inner.store, &name)?.is_some() {
                return Err(EngineError::AlreadyExists { what: "Home Assistant profile".into(), name });
            }
            let mut p = Preview::new(spec, format!("add Home Assistant profile {name}"))
                .target(name.clone())
                .change(&name, "url", None, url.or(deployment.map(|d| format!("(deployment {d})"))))
                .change(&name, "site", None, site)
                .inverse(Command::HaRemove { name: name.clone() });
            if token.is_some() {
                p.notes.push("the token given goes into the vault (never shown here)".into());
            } else if let Some(s) = token_secret {
                p.add_change(&name, "token secret", None, Some(s));
            }
            p
        }
        HaRemove { name } => {
            let pr = profile::get(&inner.store, &name)?;
            Preview::new(spec, format!("remove Home Assistant profile {name} ({}); its token secret stays in the vault", pr.url))
                .target(name.clone())
                .change(&name, "url", Some(pr.url.clone()), None)
                .inverse(Command::HaAdd { name, url: Some(pr.url), token_secret: Some(pr.token_secret), token: None, deployment: pr.deployment, site: pr.site })
        }
        HaCall { name, service, entity, data, confirmed } => {
            let pr = profile::get(&inner.store, &name)?;
            if service.split_once('.').is_none_or(|(d, s)| d.is_empty() || s.is_empty()) {
                return Err(EngineError::invalid("service", service, "domain.service, e.g. light.turn_off"));
            }
            if let Some(d) = data.as_deref().filter(|d| !d.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(d).map_err(|e| EngineError::invalid("data", d, &format!("a JSON object ({e})")))?;
                if !v.is_object() {
                    return Err(EngineError::invalid("data", d, "a JSON object"));
                }
            }
            let entities: Vec<String> = entity.iter().flat_map(|e| e.split(',')).map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect();
            let on = if entities.is_empty() { "(no entity)".to_string() } else { entities.join(", ") };
            let mut p = Preview::new(spec, format!("call {service} on {on} at {} ({})", pr.name, pr.url)).targets(entities.clone());
            for e in &entities {
                p.add_change(e, "service call", None, Some(format!("{service}{}", data.as_deref().map(|d| format!(" {d}")).unwrap_or_default())));
            }
            if confirmed != Some(true) {
                p.notes.push("needs confirmation: it changes a live Home Assistant".into());
            }
            p.note("what the entity does next is Home Assistant's to decide; no undo by command")
        }
    };
    Ok(p)
}
