//! The one list of the engine's domains (`domain_list!`). Each line names a
//! domain's folder and the enums it declares there (its commands in the
//! command table, its `outcome.rs`, its `route.rs`); by convention the folder
//! also has a `facade.rs` (what front ends may name) and a `State` type (its
//! runtime state, `()` for none). Everything else is generated from the list:
//! the `mod` declaration (`engine/mod.rs`), the grouped `Outcome` and `Event`,
//! their summaries, dispatch's routing, the runtime state of every domain on
//! `Inner` (`DomainStates`), `engine::views::<domain>` and
//! `engine::internals::<domain>`. Adding a domain is its folder, its section
//! of the command table, and one line here.

use super::command::Routed;
use super::context::Ctx;
use super::error::EngineResult;
use super::event::GeneralEvent;
use super::grouped::grouped;
use super::options::EngineOptions;
use super::outcome::GeneralOutcome;
use super::Inner;
use std::sync::Arc;

/// The list. Hands it to `$callback!`, so each place that needs every domain
/// (this file, the module declarations, the façade) expands the same lines.
macro_rules! domain_list {
    ($callback:ident) => {
        $callback! {
            Vault: vault, VaultOutcome, VaultEvent;
            Audit: audit, AuditOutcome, AuditEvent;
            Servers: servers, ServersOutcome, ServersEvent;
            Esphome: esphome, EsphomeOutcome, EsphomeEvent;
            Lights: lights, LightsOutcome, LightsEvent;
            Scheduler: scheduler, SchedulerOutcome, SchedulerEvent;
            Backup: backup, BackupOutcome, BackupEvent;
            Deploy: deploy, DeployOutcome, DeployEvent;
            Ha: ha, HaOutcome, HaEvent;
            Sites: sites, SitesOutcome, SitesEvent;
            Overview: overview, OverviewOutcome, OverviewEvent;
            Doctor: doctor, DoctorOutcome, DoctorEvent;
            Mcp: mcp, McpOutcome, McpEvent;
            Alerts: alerts, AlertsOutcome, AlertsEvent;
            Notify: notify, NotifyOutcome, NotifyEvent;
            Ai: ai, AiOutcome, AiEvent;
        }
    };
}

/// `engine/mod.rs`: each domain's folder as a crate-private module (the
/// `mod` item must be expanded there for the folder to be found beside it).
macro_rules! declare_domain_modules {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        $( pub(crate) mod $module; )*
    };
}

/// `engine/views.rs`: each domain's `facade.rs` as `views::<domain>`.
macro_rules! domain_facades {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        $( pub use crate::engine::$module::facade as $module; )*
    };
}

/// `engine/internals.rs`: each domain's insides, for tests, benches, fuzz.
macro_rules! domain_internals {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        $(
            pub mod $module {
                pub use crate::engine::$module::*;
            }
        )*
    };
}

/// A domain's runtime state, kept on the engine between commands. Each
/// domain folder names it as `State` (`()` when it keeps none).
pub(crate) trait DomainState: Sized + Send + Sync {
    /// Made when the engine opens, before anything runs.
    fn open(opts: &EngineOptions) -> EngineResult<Self>;

    /// Once the engine is shared: recover interrupted work, keep a weak
    /// handle for background tasks, start them. `on_runtime`: a tokio
    /// runtime is running (a CLI unit test may open the engine without one).
    fn started(_inner: &Arc<Inner>, _on_runtime: bool) {}
}

impl DomainState for () {
    fn open(_: &EngineOptions) -> EngineResult<()> {
        Ok(())
    }
}

/// A front end's treatment of one domain's outcome enum: a front end
/// implements it once, generically over a trait of its own (the CLI's
/// `Human`), and `Outcome::visit` hands it each domain's enum.
pub trait VisitOutcome<T> {
    fn visit(&mut self, outcome: &T);
}

macro_rules! domains {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        $( pub use super::$module::outcome::{$ev, $out}; )*

        grouped! {
            /// One command's answer. Every variant is one domain's own enum.
            pub enum Outcome (tag = "outcome", what = "an outcome") {
                General(GeneralOutcome),
                $( $domain(super::$module::outcome::$out), )*
            }
        }

        grouped! {
            /// One broadcast. Every variant is one domain's own enum.
            pub enum Event (tag = "type", what = "an event") {
                General(GeneralEvent),
                $( $domain(super::$module::outcome::$ev), )*
            }
        }

        impl Outcome {
            /// A one-line summary for status bars and plain CLI output.
            pub fn summary(&self) -> String {
                match self {
                    Outcome::General(GeneralOutcome::Done { message }) => message.clone(),
                    $( Outcome::$domain(o) => o.summary(), )*
                }
            }

            /// Hand the domain's own enum to `v`, which must take every
            /// domain's (a new domain does not compile until it does).
            pub fn visit<V>(&self, v: &mut V)
            where
                V: VisitOutcome<GeneralOutcome> $( + VisitOutcome<$out> )*,
            {
                match self {
                    Outcome::General(o) => v.visit(o),
                    $( Outcome::$domain(o) => v.visit(o), )*
                }
            }
        }

        /// Hand a routed command to its domain's `route.rs`.
        pub(crate) async fn route_to_domain(inner: &Inner, ctx: &mut Ctx, routed: Routed) -> EngineResult<Outcome> {
            match routed {
                $( Routed::$domain(c) => super::$module::route::route(inner, ctx, c).await, )*
            }
        }

        /// Every domain's runtime state (`inner.lights`, `inner.vault` …
        /// through `Inner`'s `Deref`). A domain with no state has a `()`
        /// field nobody reads.
        #[allow(dead_code)]
        pub(crate) struct DomainStates {
            $( pub $module: super::$module::State, )*
        }

        impl DomainStates {
            pub(crate) fn open(opts: &EngineOptions) -> EngineResult<DomainStates> {
                Ok(DomainStates {
                    $( $module: <super::$module::State as DomainState>::open(opts)?, )*
                })
            }

            pub(crate) fn started(inner: &Arc<Inner>, on_runtime: bool) {
                $( <super::$module::State as DomainState>::started(inner, on_runtime); )*
            }
        }
    };
}

domain_list!(domains);
