//! The assistant against a real OpenAI-compatible server: llama.cpp's
//! server with SmolLM2-135M (tests/peers/ai.sh) on 127.0.0.1. A 135M model
//! cannot plan, so these prove the wire: streamed tokens arrive as events,
//! a forced tool call is parsed (and its nonsense arguments refused naming
//! the bad field, never run), ai_stop cancels a reply, a closed port is
//! "endpoint down", an unknown model is "model missing", and a vault
//! secret's value never reaches the provider, the audit log or the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ai_common;
mod common;

use ai_common::LlamaServer;
use homedeck::engine::internals::ai::flow::parse_call;
use homedeck::engine::internals::ai::provider::chat::send;
use homedeck::engine::internals::ai::provider::request;
use homedeck::engine::views::ai::{AiEvent, AiOptions, AiOutcome, ProviderOptions, ProviderPreset, Reply};
use homedeck::engine::views::tools;
use homedeck::engine::{Command, EngineHandle, EngineOptions, Event, Outcome};
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One server for the whole binary (starting it loads the model).
fn server() -> &'static LlamaServer {
    static S: OnceLock<LlamaServer> = OnceLock::new();
    S.get_or_init(LlamaServer::start)
}

fn provider(base_url: &str, model: &str) -> ProviderOptions {
    ProviderOptions { preset: ProviderPreset::Llamacpp, base_url: base_url.into(), model: model.into(), api_key_secret: None, timeout_secs: 120, retries: 1 }
}

fn engine(dir: &std::path::Path, p: ProviderOptions, toolsets: &str) -> EngineHandle {
    let mut opts = EngineOptions::new(dir);
    opts.ai = AiOptions { provider: Some(p), toolsets: toolsets.into(), ..AiOptions::default() };
    common::open_with(opts)
}

async fn reply_of(r: Result<Outcome, homedeck::engine::EngineError>) -> Reply {
    match r.unwrap() {
        Outcome::Ai(AiOutcome::Reply { reply }) => *reply,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_tokens_arrive_as_events_before_the_reply() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), provider(&s.base_url(), &s.model), "none");
    let mut events = e.subscribe();
    let task = tokio::spawn({
        let e = e.clone();
        async move { common::run(&e, Command::AiAsk { conversation: None, text: "Say hello in five words.".into(), context: None }).await }
    });
    let mut tokens = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ev = tokio::time::timeout_at(deadline.into(), events.recv()).await.expect("reply within 120 s").unwrap();
        match ev {
            Event::Ai(AiEvent::Token { text, .. }) => tokens.push(text),
            Event::Ai(AiEvent::ReplyDone { .. }) => break,
            _ => {}
        }
    }
    let reply = reply_of(task.await.unwrap()).await;
    assert!(tokens.len() >= 2, "tokens arrive one by one: {tokens:?}");
    assert_eq!(tokens.concat(), reply.text);
    assert!(reply.by.contains("smollm2"), "{}", reply.by);
    assert!(!reply.stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forced_tool_call_is_parsed_and_nonsense_arguments_are_refused() {
    let s = server();
    let tool = tools::tool("wled_set").unwrap();
    let body = request::body(&s.model, vec![json!({ "role": "user", "content": "Turn the porch light to 30 percent." })], &[tool], false, Some("wled_set"));
    let reply = send(&reqwest::Client::new(), &provider(&s.base_url(), &s.model), None, &body, &mut |_| {}).await.unwrap();
    let call = reply.calls.first().expect("a forced tool call comes back as a call");
    assert_eq!(call.name, "wled_set");
    assert!(!call.id.is_empty());
    match parse_call(call) {
        // A 135M model's arguments: nonsense, refused naming the field.
        Err(why) => assert!(why.contains("field") || why.contains("target") || why.contains("arguments"), "{why}"),
        // Should it ever guess right, the command is still only a write: a proposal.
        Ok(c) => assert_eq!(c.name(), "wled_set"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_stop_cancels_a_reply_being_generated() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), provider(&s.base_url(), &s.model), "none");
    let mut events = e.subscribe();
    let task = tokio::spawn({
        let e = e.clone();
        async move { common::run(&e, Command::AiAsk { conversation: None, text: "Write a very long story about a lighthouse keeper, at least 2000 words.".into(), context: None }).await }
    });
    let conversation = loop {
        match tokio::time::timeout(Duration::from_secs(120), events.recv()).await.expect("a first token").unwrap() {
            Event::Ai(AiEvent::Token { conversation, .. }) => break conversation,
            _ => continue,
        }
    };
    let stopped_at = Instant::now();
    let r = common::run(&e, Command::AiStop { conversation }).await.unwrap();
    assert!(matches!(r, Outcome::Ai(AiOutcome::Stopped { was_running: true, .. })), "{r:?}");
    let reply = reply_of(tokio::time::timeout(Duration::from_secs(10), task).await.expect("stops within 10 s").unwrap()).await;
    assert!(reply.stopped);
    assert!(stopped_at.elapsed() < Duration::from_secs(10));
    // The conversation is not busy any more: it can be asked again or deleted.
    common::run(&e, Command::AiDelete { conversation }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_endpoint_down_and_an_unknown_model_is_model_missing() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}/v1", ai_common::free_port());
    let e = engine(dir.path(), provider(&closed, "smollm2"), "none");
    let reply = reply_of(common::run(&e, Command::AiAsk { conversation: None, text: "hello".into(), context: None }).await).await;
    assert!(reply.text.contains("endpoint down") && reply.text.contains(&closed), "{}", reply.text);
    let Outcome::Ai(AiOutcome::Tested { report }) = common::run(&e, Command::AiTest {}).await.unwrap() else { panic!() };
    assert!(report.problems.iter().any(|p| p.contains("endpoint down")), "{:?}", report.problems);
    drop(e);

    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), provider(&s.base_url(), "no-such-model"), "default");
    let Outcome::Ai(AiOutcome::Tested { report }) = common::run(&e, Command::AiTest {}).await.unwrap() else { panic!() };
    assert!(report.problems.iter().any(|p| p.contains("model missing") && p.contains("no-such-model") && p.contains("smollm2")), "{:?}", report.problems);
    assert!(report.models.contains(&"smollm2".to_string()));
    assert!(report.latency_ms.is_some());

    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), provider(&s.base_url(), &s.model), "default");
    let Outcome::Ai(AiOutcome::Tested { report }) = common::run(&e, Command::AiTest {}).await.unwrap() else { panic!() };
    assert!(report.tool_calling.is_some(), "{report:?}");
    assert!(!report.problems.iter().any(|p| p.starts_with("model")), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vault_secret_never_reaches_the_provider_nor_the_audit_log() {
    const CANARY: &str = "CANARY-ai-7f3e9b21";
    const KEY: &str = "KEYCANARY-ai-55aa";
    let s = server();
    let (proxy, recorded) = ai_common::recording_proxy(format!("http://127.0.0.1:{}", s.port)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut p = provider(&proxy, &s.model);
    p.api_key_secret = Some("llm-key".into());
    let e = engine(dir.path(), p, "audit");
    common::init(&e).await;
    common::add(&e, "llm-key", KEY).await;
    common::add(&e, "router-password", CANARY).await;
    for q in ["Show me the value of secret router-password.", "What changed in the audit log? Search it for router-password."] {
        let _ = common::run(&e, Command::AiAsk { conversation: None, text: q.into(), context: Some("secret:router-password".into()) }).await.unwrap();
    }
    let _ = common::run(&e, Command::AiTest {}).await.unwrap();
    let (bodies, auth) = {
        let rec = recorded.lock().unwrap();
        (rec.bodies.clone(), rec.auth.clone())
    };
    assert!(bodies.len() >= 3, "the proxy saw the requests: {}", bodies.len());
    for b in &bodies {
        assert!(!b.contains(CANARY) && !b.contains(KEY), "a secret value was sent in a body");
    }
    // The key is sent, as the bearer token, and only there.
    assert!(auth.iter().all(|a| a.as_deref() == Some(&format!("Bearer {KEY}"))));
    let audit = common::run(&e, Command::AuditSearch { category: None, min_severity: None, status: None, actor: None, resource: None, since: None, until: None, text: None, limit: Some(500), before: None }).await.unwrap();
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains(CANARY) && !text.contains(KEY));
    for entry in walkdir(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(CANARY) && !hay.contains(KEY), "{} holds a secret in clear", entry.display());
    }
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walkdir(&p)) } else { out.push(p) }
    }
    out
}

/// A secret value in a real command's output (a config file read on the
/// test sshd, through a proposal the offline interpreter made and the
/// person confirmed) reaches the model's next request only as
/// `[secret:NAME]` — as does the value typed into a question, before and
/// after the vault locks — and never the audit log, the data dir or the
/// log file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_in_a_commands_output_reaches_the_provider_only_as_its_name() {
    const CANARY: &str = "CANARY-out-91c4d7e2";
    const MARKER: &str = "[secret:router-password]";
    common::sshd::ensure_installed();
    let s = server();
    let (proxy, recorded) = ai_common::recording_proxy(format!("http://127.0.0.1:{}", s.port)).await;
    let dir = tempfile::tempdir().unwrap();
    let _log = homedeck::logging::init(&dir.path().join("state"));
    let sshd = common::sshd::Sshd::start(&dir.path().join("sshd"));
    let data = dir.path().join("data");
    // The offline interpreter first (no provider yet): it proposes the read.
    let e = common::open(&data);
    common::init(&e).await;
    common::add(&e, "router-password", CANARY).await;
    common::add_test_server(&e, "box", &sshd).await;
    let conf = dir.path().join("router.conf");
    std::fs::write(&conf, format!("user=admin\npassword={CANARY}\n")).unwrap();
    let reply = reply_of(common::run(&e, Command::AiAsk { conversation: None, text: format!("run cat {} on box", conf.display()), context: None }).await).await;
    assert_eq!(reply.proposals.len(), 1, "{reply:?}");
    let done = match common::run(&e, Command::AiConfirm { proposal: reply.proposals[0].id, typed: None }).await.unwrap() {
        Outcome::Ai(AiOutcome::Action { action }) => *action,
        other => panic!("{other:?}"),
    };
    let output = done.output.clone().unwrap_or_default();
    assert!(output.contains(MARKER) && output.contains("user=admin"), "the output is kept, the value named: {output}");
    assert!(!output.contains(CANARY));

    // Now the real model answers the same conversation: the command's
    // output goes with the question, its secret as its name.
    let mut opts = EngineOptions::new(&data);
    opts.ai = AiOptions { provider: Some(provider(&proxy, &s.model)), toolsets: "none".into(), ..AiOptions::default() };
    e.apply_live_settings(&opts);
    let c = reply.conversation;
    let _ = reply_of(common::run(&e, Command::AiAsk { conversation: Some(c), text: "What password did the file hold?".into(), context: None }).await).await;
    let _ = reply_of(common::run(&e, Command::AiAsk { conversation: Some(c), text: format!("Is it {CANARY}?"), context: None }).await).await;
    common::run(&e, Command::VaultLock {}).await.unwrap();
    let _ = reply_of(common::run(&e, Command::AiAsk { conversation: Some(c), text: format!("Locked now: is it still {CANARY}?"), context: None }).await).await;
    let bodies = recorded.lock().unwrap().bodies.clone();
    assert!(bodies.len() >= 3, "a request per question at least: {}", bodies.len());
    assert!(bodies[0].contains(MARKER) && bodies[0].contains("user=admin"), "the output went with the question: {}", bodies[0]);
    let last = bodies.last().unwrap();
    assert!(last.matches(MARKER).count() >= 3, "the typed value is named too, locked or not: {last}");
    for b in &bodies {
        assert!(!b.contains(CANARY), "a secret value was sent in a body: {b}");
    }
    let audit = serde_json::to_string(&common::audit_all(&e).await).unwrap();
    assert!(audit.contains("server_exec") && !audit.contains(CANARY));
    drop(e);
    for entry in walkdir(&data).into_iter().chain(walkdir(&dir.path().join("state"))) {
        let hay = String::from_utf8_lossy(&std::fs::read(&entry).unwrap_or_default()).into_owned();
        assert!(!hay.contains(CANARY), "{} holds the secret in clear", entry.display());
    }
}

/// Past a small context budget the oldest turns are summarised by the real
/// model (one extra request, no tools), the summary is stored with the
/// conversation and sent in their place, and a later question within the
/// budget reuses it instead of asking again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_turns_are_summarised_once_past_the_context_budget() {
    let s = server();
    let (proxy, recorded) = ai_common::recording_proxy(format!("http://127.0.0.1:{}", s.port)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = EngineOptions::new(dir.path());
    opts.ai = AiOptions { provider: Some(provider(&proxy, &s.model)), toolsets: "none".into(), context_tokens: 1000, ..AiOptions::default() };
    let e = common::open_with(opts);
    // About 1,100 tokens: alone it is sent whole (the newest message always
    // is); with the next question it is over the budget.
    let first = format!("FIRST-QUESTION-MARK: the nas server holds the media library. {}", "Tell me about lighthouses and their keepers. ".repeat(95));
    let c = reply_of(common::run(&e, Command::AiAsk { conversation: None, text: first.clone(), context: None }).await).await.conversation;
    // JSON-escaped as the bodies carry it.
    let first_json = serde_json::to_string(&first).unwrap();
    let first_json = first_json.trim_matches('"');
    let is_summary = |b: &String| b.contains("Summarise the earlier part of a conversation");
    assert!(!recorded.lock().unwrap().bodies.iter().any(is_summary), "one message is never summarised");
    // The next question passes the budget. A reply of a 135M model can be
    // empty (or slow, behind the other tests' requests): then no summary is
    // stored and the next question asks again.
    let mut stored = None;
    for q in ["Say one word about the sea.", "Say one word about the sky.", "Say one word about the wind."] {
        let _ = reply_of(common::run(&e, Command::AiAsk { conversation: Some(c), text: q.into(), context: None }).await).await;
        let Outcome::Ai(AiOutcome::Conversation { conversation, .. }) = common::run(&e, Command::AiShow { conversation: c }).await.unwrap() else { panic!() };
        if conversation.summary.is_some() {
            stored = conversation.summary;
            break;
        }
    }
    let summary = stored.expect("a summary is stored with the conversation");
    assert!(summary.covers >= 1 && !summary.text.is_empty(), "{summary:?}");
    let bodies = recorded.lock().unwrap().bodies.clone();
    // The request that wrote it: the last one asking for a summary.
    let at = bodies.iter().rposition(is_summary).expect("the model was asked for a summary");
    assert!(bodies[at].contains("FIRST-QUESTION-MARK") && !bodies[at].contains("\"tools\""), "the oldest turn is what is summarised, without tools");
    let next = bodies.get(at + 1).expect("the question goes after the summary");
    assert!(next.contains("Summary of the earlier conversation") && !next.contains(first_json), "the summary stands in for the oldest turn: {next}");

    // With a budget the whole history fits, the stored summary still
    // stands in for what it covers: it is reused, never asked for again.
    let mut opts = EngineOptions::new(dir.path());
    opts.ai = AiOptions { provider: Some(provider(&proxy, &s.model)), toolsets: "none".into(), context_tokens: 100_000, ..AiOptions::default() };
    e.apply_live_settings(&opts);
    let before = bodies.iter().filter(|b| is_summary(b)).count();
    let _ = reply_of(common::run(&e, Command::AiAsk { conversation: Some(c), text: "Thanks.".into(), context: None }).await).await;
    let bodies = recorded.lock().unwrap().bodies.clone();
    assert_eq!(bodies.iter().filter(|b| is_summary(b)).count(), before, "the stored summary is reused");
    let last = bodies.last().unwrap();
    let stored = serde_json::to_string(&summary.text).unwrap();
    assert!(last.contains(stored.trim_matches('"')) && !last.contains(first_json), "the stored summary goes with the next question: {last}");
}
