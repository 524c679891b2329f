//! The eight panes and the table that holds them. Every pane implements
//! [`Pane`] (`pane.rs`); `App`, the renderer and the outcome router reach a
//! pane through [`Panes::get_mut`] by its [`PaneId`], never by name. The AI
//! pane is not built yet and says so plainly rather than showing made-up rows.
//!
//! Each pane's main module is declared by its row of `panes!`; the lines
//! below are the other files of the existing panes (a new pane declares its
//! own extra files from its main module).

pub mod audit_domain;
pub mod backups_forms;
pub mod backups_view;
pub mod deploy_editor;
pub mod deployments_domain;
pub mod deployments_view;
pub mod ha_entities;
pub mod ha_entities_view;
pub mod lights_view;
pub mod pane;
pub mod secret_forms;
pub mod secrets_domain;
pub mod security_events;
pub mod server_detail;
pub mod server_forms;
pub mod server_output;
mod servers_domain;

pub use pane::Pane;

use crate::config::Config;
use crate::engine::{Event, Outcome};
use crate::tui::keymap::{DEFAULT, GLOBAL, Section};

/// Declares the pane table from one list. A row names the pane's id (tab
/// order), its field and main module (`servers::ServersPane`: the row
/// declares `pub mod servers;`), how it is made, its title, the modules
/// whose `KEYS` are its keymap sections (each with its default keys in
/// `assets/keys/<module>.toml`, embedded here) and the engine domains whose
/// outcomes and events it owns. From the rows come `PaneId`, its titles,
/// `Panes` with `get`/`get_mut` by id, [`SECTIONS`], [`DEFAULT_KEYS`] and
/// the routing of each domain's answers. Adding a pane is one row here.
macro_rules! panes {
    ($(
        $id:ident: $field:ident: $module:ident :: $ty:ident = $ctor:expr, $title:literal,
        keys [$($keys:ident),*], domains [$($domain:ident),*];
    )*) => {
        $( pub mod $module; )*

        /// The key sections, in the order `?` help lists them: `[global]`,
        /// then each pane's in tab order.
        pub const SECTIONS: &[Section] = &[&GLOBAL, $( $( &$keys::KEYS, )* )*];

        /// The default key bindings: `assets/keymap-default.toml` (the
        /// `[global]` section), then each section's own file.
        pub const DEFAULT_KEYS: &[&str] = &[
            DEFAULT,
            $( $( include_str!(concat!("../../../assets/keys/", stringify!($keys), ".toml")), )* )*
        ];

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
            $( pub $field: $module::$ty, )*
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

panes! {
    Servers: servers: servers::ServersPane = |_: &Config| Default::default(), "Servers",
        keys [servers], domains [Servers];
    Deployments: deployments: deployments::DeploymentsPane = |_: &Config| Default::default(), "Deployments",
        keys [deployments], domains [Deploy, Ha];
    Esphome: esphome: esphome::EsphomePane = |c: &Config| esphome::EsphomePane::new(c.esphome.log_scrollback), "ESPHome",
        keys [esphome], domains [Esphome];
    Lights: lights: lights::LightsPane = |_: &Config| Default::default(), "Lights",
        keys [lights], domains [Lights];
    Backups: backups: backups::BackupsPane = |_: &Config| Default::default(), "Backups",
        keys [backups], domains [Backup];
    Secrets: secrets: secrets::SecretsPane = secrets::SecretsPane::new, "Secrets",
        keys [secrets], domains [Vault];
    Audit: audit: audit::AuditPane = |_: &Config| Default::default(), "Audit",
        keys [audit, security_events], domains [Audit];
    Ai: ai: placeholder::Placeholder = |_: &Config| placeholder::Placeholder(PaneId::Ai), "AI",
        keys [], domains [];
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
