//! The engine: every capability of homedeck, with no UI code.
//!
//! Front ends build a [`Command`], call [`EngineHandle::execute`] with the
//! [`Actor`] they act for, and get an [`Outcome`]; they learn about anything
//! else that happens through [`EngineHandle::subscribe`]. Nothing else of the
//! engine is reachable from outside — the store, the vault key and the
//! network stay in here.

pub mod actor;
pub mod command;
pub mod command_parse;
pub mod command_table;
/// The one list of domains; its macros declare each domain's module here.
#[macro_use]
mod domains;
pub(crate) mod context;
pub(crate) mod digest;
mod dispatch;
pub mod error;
pub mod event;
pub(crate) mod grouped;
pub(crate) mod jobs;
pub mod options;
pub mod outcome;
/// What a command would do, without doing it (`EngineHandle::preview`).
pub mod preview;
pub mod secret_value;
pub mod text;
/// Verbs as tools for MCP and the AI pane (`views::tools`).
pub(crate) mod tools;
pub(crate) mod security;
pub(crate) mod store;
pub mod views;
#[doc(hidden)]
pub mod internals;

domain_list!(declare_domain_modules);

pub use actor::{Actor, Frontend};
pub use command::{COMMANDS, Command};
pub use command_table::{ArgSpec, CommandSpec, Permission};
pub use error::{EngineError, EngineResult};
pub use domains::*;
pub use event::{GeneralEvent, LockReason};
pub use options::EngineOptions;
pub use outcome::GeneralOutcome;
pub use preview::{Change as PreviewChange, Preview};
pub use secret_value::SecretValue;
pub use servers::tunnel::{ByteStream, Tunnel};

use domains::DomainStates;
use std::sync::{Arc, Weak};
use std::time::Duration;
use store::Store;
use tokio::sync::broadcast;

/// Shared state behind every handle. Only the engine's own modules see it.
pub(crate) struct Inner {
    pub store: Store,
    /// As opened; the settings a reload may change are read from `live`
    /// and the domain runtimes instead.
    pub opts: EngineOptions,
    pub live: options::Live<options::LiveSettings>,
    pub events: broadcast::Sender<Event>,
    /// Commands that change state run one at a time, so checks such as
    /// "name not taken" cannot race.
    write_gate: Arc<tokio::sync::Mutex<()>>,
    /// Each domain's runtime state, reached as `inner.<domain>` (see `Deref`).
    domains: DomainStates,
    /// Commands in flight and the stop flag (`jobs.rs`).
    pub jobs: jobs::Registry,
}

/// `inner.lights`, `inner.vault` …: a domain's state is a field of the
/// generated [`DomainStates`], not one written into `Inner` by hand.
impl std::ops::Deref for Inner {
    type Target = DomainStates;

    fn deref(&self) -> &DomainStates {
        &self.domains
    }
}

impl Inner {
    pub fn emit(&self, event: Event) {
        // No subscribers is fine: the CLI often has none.
        let _ = self.events.send(event);
    }
}

/// A cheap, cloneable way into the engine.
#[derive(Clone)]
pub struct EngineHandle {
    inner: Arc<Inner>,
}

impl EngineHandle {
    /// Open the data dir (taking its lock) and start the engine's own
    /// background work (the vault's idle lock) on the current tokio runtime.
    pub fn open(opts: EngineOptions, opener: &Actor) -> EngineResult<Self> {
        let store = Store::open(&opts.data_dir, opener)?;
        let (events, _) = broadcast::channel(1024);
        let domains = DomainStates::open(&opts)?;
        let inner = Arc::new(Inner {
            store,
            live: options::Live::new(options::LiveSettings::from_options(&opts)),
            opts,
            events,
            write_gate: Arc::new(tokio::sync::Mutex::new(())),
            domains,
            jobs: jobs::Registry::default(),
        });
        let on_runtime = tokio::runtime::Handle::try_current().is_ok();
        if on_runtime {
            tokio::spawn(idle_lock_ticker(Arc::downgrade(&inner)));
        }
        DomainStates::started(&inner, on_runtime);
        Ok(EngineHandle { inner })
    }

    /// Run one command on behalf of `actor`. Refuses state changes when
    /// read-only; audits every write and every audited read, success or not.
    pub async fn execute(&self, command: Command, actor: Actor) -> EngineResult<Outcome> {
        let spec = command.spec();
        let _in_flight = self.inner.jobs.enter(spec.name)?;
        let gate = if spec.class.changes_state() || spec.audited {
            Some(self.inner.write_gate.clone().lock_owned().await)
        } else {
            None
        };
        // Boxed: the dispatch future holds the largest of every verb's
        // futures; inline, it made callers' futures (a whole test body on a
        // 2 MiB test thread, in a debug build) overflow the stack.
        Box::pin(dispatch::execute(&self.inner, command, spec, actor, gate)).await
    }

    /// What `command` would do, from current state, without doing it: no
    /// store write, no device or server touched, no audit entry of a change
    /// (an MCP client's dry run is audited as `<verb>_preview`, a read).
    /// Allowed under `--readonly`, since it changes nothing.
    pub async fn preview(&self, command: Command, actor: Actor) -> EngineResult<Preview> {
        let spec = command.spec();
        let _in_flight = self.inner.jobs.enter(spec.name)?;
        let started = std::time::Instant::now();
        let result = Box::pin(preview::preview(&self.inner, &actor, command.clone())).await;
        preview::audit::record(&self.inner, &actor, &command, started, &result)?;
        result
    }

    /// Run every schedule (backups, lights …) from now on, whether or not a
    /// front end sent `backup_watch` / `lights_watch`: the daemon calls this.
    pub fn start_scheduler(&self) {
        scheduler::start(&self.inner);
    }

    /// Stop: refuse new commands and cancel every running job (backups,
    /// verifies, restores, remote commands, deployment operations, OTAs).
    /// Returns a line per job cancelled. See `jobs.rs`.
    pub fn cancel_all_jobs(&self) -> Vec<String> {
        jobs::cancel_all(&self.inner)
    }

    /// Wait up to `within` for the commands still running to finish (a
    /// cancelled job cleans up, then writes its audit entry). True when
    /// none is left.
    pub async fn wait_for_commands(&self, within: Duration) -> bool {
        self.inner.jobs.wait_idle(within).await
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    pub fn readonly(&self) -> bool {
        self.inner.opts.readonly
    }

    /// The options the engine was opened with (see [`Self::settings`] for
    /// the ones a reload may have changed since).
    pub fn options(&self) -> &EngineOptions {
        &self.inner.opts
    }

    /// The options in force now: as opened, with the live settings of the
    /// last reload.
    pub fn settings(&self) -> EngineOptions {
        let mut o = self.inner.opts.clone();
        let live = self.inner.live.get();
        o.idle_lock_secs = live.idle_lock_secs;
        o.audit_retention_days = live.audit_retention_days;
        o.esphome = live.esphome;
        o.servers = self.inner.servers.opts.get();
        o.deploy = self.inner.deploy.opts.get();
        o.housekeeping = live.housekeeping;
        o.alerts = self.inner.alerts.opts.get();
        o.notify = self.inner.notify.opts.get();
        o.ai = self.inner.ai.opts.get();
        o
    }

    /// Take on the settings of `opts` that apply live (idle lock, audit
    /// retention, `[esphome]`, `[servers]` but whether to poll, and
    /// `[deployments]`); the rest stays as opened. Used by the daemon's
    /// config reload.
    pub fn apply_live_settings(&self, opts: &EngineOptions) {
        options::apply_live(&self.inner, opts);
    }

    /// Count an MCP session (HTTP or stdio) served on this engine while the
    /// ticket lives; `mcp_status` shows the counts.
    pub fn mcp_session(&self, http: bool) -> views::mcp::SessionTicket {
        self.inner.mcp.sessions.ticket(http)
    }

    /// Broadcast a line for every front end's status bar.
    pub fn notice(&self, text: impl Into<String>) {
        self.inner.emit(Event::General(GeneralEvent::Notice { text: text.into() }));
    }

    /// Record that the daemon socket refused a connection (another OS user,
    /// or credentials that could not be read). It never reaches `execute`,
    /// so it is audited here: a failed `daemon_connect` by `peer@daemon`.
    pub fn record_refused_connection(&self, peer: &str, reason: &str) -> EngineResult<()> {
        let actor = Actor { user: peer.to_string(), frontend: Frontend::Daemon };
        let draft = context::AuditDraft {
            category: audit::Category::Security,
            severity: audit::Severity::High,
            resource: Some(audit::Resource::new("socket", None, Some(peer.to_string()))),
            description: format!("connection to the homedeck socket refused: {reason}"),
            changes: Vec::new(),
            action: None,
            ended: None,
        };
        audit::record(&self.inner, &actor, "daemon_connect", draft, audit::Status::Failure, Some(reason.to_string()))?;
        self.inner.store.flush()
    }

    /// A byte tunnel through SSH to the Unix socket `socket` on `server` (by
    /// default the remote user's homedeck socket), for `--remote`. The one
    /// door into the engine that is not a [`Command`]: it carries bytes, not
    /// a verb — the far end's daemon audits what runs through it. Here only
    /// the opening is audited (`remote_attach`, success or failure). Logging
    /// in takes the server's login out of the vault as every SSH use does.
    /// `reattach`: a console trying again after losing the far daemon;
    /// its failures are not audited one by one.
    pub async fn open_streamlocal(&self, server: &str, socket: Option<&str>, actor: &Actor, reattach: bool) -> EngineResult<Tunnel> {
        servers::tunnel::open(&self.inner, server, socket, actor, reattach).await
    }
}

/// Locks the vault once it has been idle for the configured time. Holds only
/// a weak reference, so it ends when the last handle is dropped.
async fn idle_lock_ticker(inner: Weak<Inner>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(inner) = inner.upgrade() else { return };
        vault::session::lock_if_idle(&inner);
    }
}
