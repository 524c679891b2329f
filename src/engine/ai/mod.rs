//! The AI assistant's engine side (issue 18). A person says what they want
//! in plain words; the assistant (a configured OpenAI-compatible model, or
//! the built-in offline interpreter) answers with the exact engine commands
//! a person would have run. Read commands run at once; write commands are
//! proposals that run only on `ai_confirm` (dangerous ones with their name
//! typed back), always through `EngineHandle::execute` as `USER@ai`, so the
//! engine's own checks, read-only refusal and audit apply unchanged.
//!
//! - `model.rs`: conversations, messages, actions (what is stored);
//! - `store.rs`: the sled trees;
//! - `flow.rs`: the chat turn as a pure state machine (events in, effects
//!   out), tested without I/O;
//! - `offline.rs`: the interpreter used when no provider is configured;
//! - `provider/`: the OpenAI-compatible client (SSE, tool calls, errors);
//! - `ask.rs`: runs a turn — feeds the state machine from the provider or
//!   interpreter, carries out its effects;
//! - `summary.rs`: older turns summarised by the model past `context_tokens`;
//! - `actions.rs`: confirm, reject, undo;
//! - `handlers.rs`: list, show, rename, delete, export.

pub(crate) mod actions;
pub(crate) mod ask;
pub(crate) mod context_window;
pub mod facade;
pub mod flow;
pub(crate) mod handlers;
pub(crate) mod inventory;
pub mod model;
pub mod offline;
pub mod options;
pub mod outcome;
pub(crate) mod preview;
pub(crate) mod progress;
pub(crate) mod ran;
pub mod provider;
pub(crate) mod route;
pub(crate) mod store;
pub(crate) mod summary;

use crate::engine::error::EngineResult;
use crate::engine::options::{EngineOptions, Live};
use crate::engine::Inner;
use options::AiOptions;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use tokio_util::sync::CancellationToken;

/// The trees this domain owns.
pub const TREES: [&str; 2] = [store::CONVERSATIONS, store::ACTIONS];

/// This domain's runtime state on the engine (`inner.ai`).
pub(crate) struct Runtime {
    /// `[ai]` as last (re)loaded: a reload applies at the next question.
    pub opts: Live<AiOptions>,
    /// The engine itself, to run proposed commands through `execute`.
    pub engine: OnceLock<Weak<Inner>>,
    /// Replies being generated, by conversation: `ai_stop` cancels them.
    pub running: Mutex<HashMap<u64, CancellationToken>>,
    /// One HTTP client for the provider (connections are kept).
    pub http: reqwest::Client,
}

pub(crate) type State = Runtime;

impl crate::engine::domains::DomainState for Runtime {
    fn open(opts: &EngineOptions) -> EngineResult<Runtime> {
        Ok(Runtime {
            opts: Live::new(opts.ai.clone()),
            engine: OnceLock::new(),
            running: Mutex::new(HashMap::new()),
            http: reqwest::Client::new(),
        })
    }

    fn started(inner: &Arc<Inner>, _on_runtime: bool) {
        let _ = inner.ai.engine.set(Arc::downgrade(inner));
    }
}

impl Runtime {
    pub(crate) fn running(&self) -> std::sync::MutexGuard<'_, HashMap<u64, CancellationToken>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A handle on the engine for running commands as `USER@ai`.
    pub(crate) fn handle(&self) -> EngineResult<crate::engine::EngineHandle> {
        self.engine
            .get()
            .and_then(Weak::upgrade)
            .map(|inner| crate::engine::EngineHandle { inner })
            .ok_or_else(|| crate::engine::EngineError::Other("the engine is closing".into()))
    }
}
