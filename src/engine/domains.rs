//! The one list of the engine's domains. Each line names a domain's folder
//! and the enums it declares there (its commands in the command table, its
//! `outcome.rs`, its `route.rs`); from this list come the grouped `Outcome`
//! and `Event`, their summaries, and dispatch's routing. Adding a domain is
//! its folder, its section of the command table, and one line here (plus its
//! `mod` line and, if it keeps runtime state, its field of `Inner`).

use super::command::Routed;
use super::context::Ctx;
use super::error::EngineResult;
use super::event::GeneralEvent;
use super::grouped::grouped;
use super::outcome::GeneralOutcome;
use super::{Inner, audit, backup, deploy, esphome, ha, lights, scheduler, servers, sites, vault};

macro_rules! domains {
    ($( $domain:ident: $module:ident, $out:ident, $ev:ident; )*) => {
        $( pub use $module::outcome::{$ev, $out}; )*

        grouped! {
            /// One command's answer. Every variant is one domain's own enum.
            pub enum Outcome (tag = "outcome", what = "an outcome") {
                General(GeneralOutcome),
                $( $domain($module::outcome::$out), )*
            }
        }

        grouped! {
            /// One broadcast. Every variant is one domain's own enum.
            pub enum Event (tag = "type", what = "an event") {
                General(GeneralEvent),
                $( $domain($module::outcome::$ev), )*
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
        }

        /// Hand a routed command to its domain's `route.rs`.
        pub(crate) async fn route_to_domain(inner: &Inner, ctx: &mut Ctx, routed: Routed) -> EngineResult<Outcome> {
            match routed {
                $( Routed::$domain(c) => $module::route::route(inner, ctx, c).await, )*
            }
        }
    };
}

domains! {
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
}
