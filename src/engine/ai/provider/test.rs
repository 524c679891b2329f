//! `ai_test`: is the provider there, how fast does it answer, does it know
//! the configured model, and can it call a tool? Each step's failure is
//! reported by name; later steps still run where they can.

use super::chat::{api_key, models, send};
use super::request;
use crate::engine::actor::Actor;
use crate::engine::ai::flow::parse_call;
use crate::engine::ai::outcome::{AiOutcome, ProviderReport};
use crate::engine::error::EngineResult;
use crate::engine::tools;
use crate::engine::{Inner, Outcome};
use serde_json::json;
use std::time::Instant;

pub(crate) async fn run(inner: &Inner) -> EngineResult<Outcome> {
    let Some(p) = inner.ai.opts.get().provider else {
        let report = ProviderReport { provider: "offline".into(), model: "built-in interpreter".into(), ..Default::default() };
        return Ok(Outcome::Ai(AiOutcome::Tested { report: Box::new(report) }));
    };
    let mut r = ProviderReport { provider: p.preset.as_str().into(), base_url: p.base_url.clone(), model: p.model.clone(), ..Default::default() };
    let actor = Actor::current(crate::engine::Frontend::Ai);
    let key = match api_key(inner, &actor, &p) {
        Ok(k) => k,
        Err(e) => {
            r.problems.push(format!("key: {e}"));
            return Ok(Outcome::Ai(AiOutcome::Tested { report: Box::new(r) }));
        }
    };
    match models(&inner.ai.http, &p, key.as_ref()).await {
        Ok(list) => {
            if !list.is_empty() && !list.contains(&p.model) {
                r.problems.push(format!("model missing: {} does not list model {:?} (it serves {})", p.base_url, p.model, list.join(", ")));
            }
            r.models = list;
        }
        Err(e) => r.problems.push(format!("models: {e}")),
    }
    let hello = request::body(&p.model, vec![json!({ "role": "user", "content": "Say OK." })], &[], false, None);
    let started = Instant::now();
    match send(&inner.ai.http, &p, key.as_ref(), &hello, &mut |_| {}).await {
        Ok(_) => r.latency_ms = Some(started.elapsed().as_millis() as u64),
        Err(e) => {
            r.problems.push(format!("chat: {e}"));
            return Ok(Outcome::Ai(AiOutcome::Tested { report: Box::new(r) }));
        }
    }
    let Some(tool) = tools::tool("server_list") else { return Ok(Outcome::Ai(AiOutcome::Tested { report: Box::new(r) })) };
    let forced = request::body(&p.model, vec![json!({ "role": "user", "content": "List the servers." })], &[tool], false, Some("server_list"));
    match send(&inner.ai.http, &p, key.as_ref(), &forced, &mut |_| {}).await {
        Ok(reply) => {
            let ok = reply.calls.first().is_some_and(|c| c.name == "server_list" && parse_call(c).is_ok());
            r.tool_calling = Some(ok);
            if !ok {
                r.problems.push(format!("tools: a forced call of server_list came back as {:?}", reply.calls.first().map(|c| (&c.name, &c.arguments))));
            }
        }
        Err(e) => {
            r.tool_calling = Some(false);
            r.problems.push(format!("tools: {e}"));
        }
    }
    Ok(Outcome::Ai(AiOutcome::Tested { report: Box::new(r) }))
}
