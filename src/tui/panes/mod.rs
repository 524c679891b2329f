//! The nine panes (0 to 8) and the table that holds them. Every pane implements
//! [`Pane`] (`pane.rs`); `App`, the renderer and the outcome router reach a
//! pane through [`Panes::get_mut`] by its [`PaneId`], never by name.
//!
//! Each pane's main module is declared by its row of `panes!`; the lines
//! below are the other files of the existing panes (a new pane declares its
//! own extra files from its main module).

pub mod alerts_view;
pub mod mcp_view;
pub mod audit_domain;
pub mod backups_forms;
pub mod backups_view;
pub mod deploy_editor;
pub mod deployments_domain;
pub mod deployments_view;
pub mod ha_entities;
pub mod ha_entities_view;
pub mod lights_view;
pub mod overview_view;
pub mod pane;
pub mod secret_forms;
pub mod secrets_domain;
pub mod security_events;
pub mod server_detail;
pub mod server_forms;
pub mod server_output;
mod servers_domain;

pub use pane::Pane;
/// The AI pane's second key section (its conversation list).
use ai::ai_list;

use crate::config::Config;
use crate::engine::{Event, Outcome};
use crate::tui::keymap::{DEFAULT, GLOBAL, Section};

/// Declares the pane table from one list. A row names the pane's id (tab
/// order), its field and main module (`servers::ServersPane`: the row
/// declares `pub mod servers;`), how it is made, its title, the modules
/// whose `KEYS` are its keymap sections (each with its default keys in
/// `assets/keys/<module>.toml`, embedded here), where `?` help lists them
/// (`help 1` first, after `[global]`) and the engine domains whose outcomes
/// and events it owns. From the rows come `PaneId`, its titles,
/// `Panes` with `get`/`get_mut` by id, [`SECTIONS`], [`DEFAULT_KEYS`] and
/// the routing of each domain's answers. Adding a pane is one row here.
macro_rules! panes {
    ($(
        $id:ident: $field:ident: $module:ident :: $ty:ident = $ctor:expr, $title:literal,
        keys [$($keys:ident),*], help $help:literal, domains [$($domain:ident),*];
    )*) => {
        $( pub mod $module; )*

        /// The key sections, in the order `?` help lists them: `[global]`,
        /// then the panes' by their `help` rank.
        pub const SECTIONS: &[Section] = &help_order([(0, &GLOBAL), $( $( ($help, &$keys::KEYS), )* )*]);

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
    Overview: overview: overview::OverviewPane = |_: &Config| Default::default(), "Overview",
        keys [], help 0, domains [Overview];
    Servers: servers: servers::ServersPane = |_: &Config| Default::default(), "Servers",
        keys [servers], help 4, domains [Servers];
    Deployments: deployments: deployments::DeploymentsPane = |_: &Config| Default::default(), "Deployments",
        keys [deployments], help 5, domains [Deploy, Ha];
    Esphome: esphome: esphome::EsphomePane = |c: &Config| esphome::EsphomePane::new(c.esphome.log_scrollback), "ESPHome",
        keys [esphome], help 6, domains [Esphome];
    Lights: lights: lights::LightsPane = |_: &Config| Default::default(), "Lights",
        keys [lights], help 7, domains [Lights];
    Backups: backups: backups::BackupsPane = |_: &Config| Default::default(), "Backups",
        keys [backups], help 8, domains [Backup];
    Secrets: secrets: secrets::SecretsPane = secrets::SecretsPane::new, "Secrets",
        keys [secrets], help 1, domains [Vault];
    Audit: audit: audit::AuditPane = |_: &Config| Default::default(), "Audit",
        keys [audit, security_events, alerts_view], help 2, domains [Audit, Alerts, Mcp];
    Ai: ai: ai::AiPane = ai::AiPane::new, "AI",
        keys [ai, ai_list], help 9, domains [Ai];
}

/// Sections sorted by help rank, stably (a pane's several sections keep
/// their order); `const` so `SECTIONS` is built at compile time.
const fn help_order<const N: usize>(mut s: [(u8, Section); N]) -> [Section; N] {
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && s[j - 1].0 > s[j].0 {
            let t = s[j - 1];
            s[j - 1] = s[j];
            s[j] = t;
            j -= 1;
        }
        i += 1;
    }
    let mut out = [&GLOBAL; N];
    let mut k = 0;
    while k < N {
        out[k] = s[k].1;
        k += 1;
    }
    out
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
    fn help_lists_the_sections_in_their_order() {
        let names: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
        assert_eq!(names, ["global", "secrets", "audit", "security", "alerts", "servers", "deployments", "esphome", "lights", "backups", "ai", "ai_list"]);
    }

    #[test]
    fn the_table_answers_for_each_id() {
        let panes = Panes::new(&Config::default());
        for id in PaneId::ALL {
            assert_eq!(panes.get(id).id(), id);
        }
    }
}
