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
use crate::tui::keymap::{GLOBAL, Section};

/// Every keymap section, in the order the help shows them.
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

/// Which pane; the tab order is the order here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Servers,
    Deployments,
    Esphome,
    Lights,
    Backups,
    Secrets,
    Audit,
    Ai,
}

impl PaneId {
    pub const ALL: [PaneId; 8] = [
        PaneId::Servers,
        PaneId::Deployments,
        PaneId::Esphome,
        PaneId::Lights,
        PaneId::Backups,
        PaneId::Secrets,
        PaneId::Audit,
        PaneId::Ai,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Servers => "Servers",
            PaneId::Deployments => "Deployments",
            PaneId::Esphome => "ESPHome",
            PaneId::Lights => "Lights",
            PaneId::Backups => "Backups",
            PaneId::Secrets => "Secrets",
            PaneId::Audit => "Audit",
            PaneId::Ai => "AI",
        }
    }

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

/// The table of panes. Typed fields for the few places that need one pane's
/// own state (the status bar's vault line, the audit query generation);
/// everything else goes through [`Panes::get_mut`].
pub struct Panes {
    pub servers: servers::ServersPane,
    pub deployments: deployments::DeploymentsPane,
    pub esphome: esphome::EsphomePane,
    pub lights: lights::LightsPane,
    pub backups: backups::BackupsPane,
    pub secrets: secrets::SecretsPane,
    pub audit: audit::AuditPane,
    pub ai: placeholder::Placeholder,
}

impl Panes {
    pub fn new(config: &Config) -> Panes {
        Panes {
            servers: Default::default(),
            deployments: Default::default(),
            esphome: esphome::EsphomePane::new(config.esphome.log_scrollback),
            lights: Default::default(),
            backups: Default::default(),
            secrets: secrets::SecretsPane::new(config),
            audit: Default::default(),
            ai: placeholder::Placeholder(PaneId::Ai),
        }
    }

    pub fn get(&self, id: PaneId) -> &dyn Pane {
        match id {
            PaneId::Servers => &self.servers,
            PaneId::Deployments => &self.deployments,
            PaneId::Esphome => &self.esphome,
            PaneId::Lights => &self.lights,
            PaneId::Backups => &self.backups,
            PaneId::Secrets => &self.secrets,
            PaneId::Audit => &self.audit,
            PaneId::Ai => &self.ai,
        }
    }

    pub fn get_mut(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Servers => &mut self.servers,
            PaneId::Deployments => &mut self.deployments,
            PaneId::Esphome => &mut self.esphome,
            PaneId::Lights => &mut self.lights,
            PaneId::Backups => &mut self.backups,
            PaneId::Secrets => &mut self.secrets,
            PaneId::Audit => &mut self.audit,
            PaneId::Ai => &mut self.ai,
        }
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
