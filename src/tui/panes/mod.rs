//! The eight panes and the table that holds them. Every pane implements
//! [`Pane`] (`pane.rs`); `App`, the renderer and the outcome router reach a
//! pane through [`Panes::get_mut`] by its [`PaneId`], never by name. The AI
//! pane is not built yet and says so plainly rather than showing made-up rows.

pub mod audit;
pub mod audit_domain;
pub mod backups;
pub mod backups_forms;
pub mod backups_view;
pub mod deploy_editor;
pub mod deployments;
pub mod deployments_domain;
pub mod deployments_view;
pub mod esphome;
pub mod ha_entities;
pub mod ha_entities_view;
pub mod lights;
pub mod lights_view;
pub mod pane;
pub mod placeholder;
pub mod secret_forms;
pub mod secrets;
pub mod secrets_domain;
pub mod security_events;
pub mod server_detail;
pub mod server_forms;
pub mod server_output;
pub mod servers;
mod servers_domain;

pub use pane::Pane;

use crate::config::Config;
use crate::engine::{Event, Outcome};
use crate::tui::keymap::{GLOBAL, Section};

/// Declares the pane table from one list: `PaneId` (in tab order), its
/// titles, the `Panes` struct with typed fields and `get`/`get_mut` by id,
/// and which pane owns each engine domain's outcomes and events. Adding a
/// pane is one row here and its key section in [`SECTIONS`].
macro_rules! panes {
    ($(
        $id:ident: $field:ident: $ty:ty = $ctor:expr, $title:literal,
        domains [$($domain:ident),*];
    )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum PaneId {
            $( $id, )*
        }

        impl PaneId {
            pub const ALL: [PaneId; [$( PaneId::$id ),*].len()] = [$( PaneId::$id ),*];

            pub fn title(self) -> &'static str {
                match self {
                    $( PaneId::$id => $title, )*
                }
            }
        }

        pub struct Panes {
            $( pub $field: $ty, )*
        }

        impl Panes {
            pub fn new(config: &Config) -> Panes {
                Panes {
                    $( $field: ($ctor)(config), )*
                }
            }

            pub fn get(&self, id: PaneId) -> &dyn Pane {
                match id {
                    $( PaneId::$id => &self.$field, )*
                }
            }

            pub fn get_mut(&mut self, id: PaneId) -> &mut dyn Pane {
                match id {
                    $( PaneId::$id => &mut self.$field, )*
                }
            }
        }

        /// The pane an answer belongs to (`None`: a domain without a pane,
        /// such as the scheduler, whose answers go to the status bar).
        pub fn owner(outcome: &Outcome) -> Option<PaneId> {
            match outcome {
                $( $( Outcome::$domain(_) => Some(PaneId::$id), )* )*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }

        /// The pane of an event's domain (`None`: a domain without a pane).
        pub fn event_owner(event: &Event) -> Option<PaneId> {
            match event {
                $( $( Event::$domain(_) => Some(PaneId::$id), )* )*
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }
    };
}

/// The key sections, in the order `?` help lists them.
pub const SECTIONS: &[Section] = &[
    &GLOBAL,
    &secrets::KEYS,
    &audit::KEYS,
    &security_events::KEYS,
    &servers::KEYS,
    &deployments::KEYS,
    &esphome::KEYS,
    &lights::KEYS,
    &backups::KEYS,
];

panes! {
    Servers: servers: servers::ServersPane = |_: &Config| Default::default(), "Servers",
        domains [Servers];
    Deployments: deployments: deployments::DeploymentsPane = |_: &Config| Default::default(), "Deployments",
        domains [Deploy, Ha];
    Esphome: esphome: esphome::EsphomePane = |c: &Config| esphome::EsphomePane::new(c.esphome.log_scrollback), "ESPHome",
        domains [Esphome];
    Lights: lights: lights::LightsPane = |_: &Config| Default::default(), "Lights",
        domains [Lights];
    Backups: backups: backups::BackupsPane = |_: &Config| Default::default(), "Backups",
        domains [Backup];
    Secrets: secrets: secrets::SecretsPane = secrets::SecretsPane::new, "Secrets",
        domains [Vault];
    Audit: audit: audit::AuditPane = |_: &Config| Default::default(), "Audit",
        domains [Audit];
    Ai: ai: placeholder::Placeholder = |_: &Config| placeholder::Placeholder(PaneId::Ai), "AI",
        domains [];
}

impl PaneId {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn nth(i: usize) -> PaneId {
        PaneId::ALL[i % PaneId::ALL.len()]
    }

    pub fn next(self) -> PaneId {
        PaneId::nth(self.index() + 1)
    }

    pub fn prev(self) -> PaneId {
        PaneId::nth(self.index() + PaneId::ALL.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_answers_for_each_id() {
        let panes = Panes::new(&Config::default());
        for id in PaneId::ALL {
            assert_eq!(panes.get(id).id(), id);
        }
    }
}
