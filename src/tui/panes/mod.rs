//! The eight panes. Secrets and Audit are built; the others say plainly what
//! is missing and which future command will fill them, rather than showing
//! made-up rows.

pub mod audit;
pub mod backups;
pub mod backups_forms;
pub mod backups_view;
pub mod deploy_editor;
pub mod deployments;
pub mod deployments_view;
pub mod esphome;
pub mod ha_entities;
pub mod ha_entities_view;
pub mod lights;
pub mod lights_view;
pub mod placeholder;
pub mod secret_forms;
pub mod secrets;
pub mod security_events;
pub mod server_detail;
pub mod server_forms;
pub mod server_output;
pub mod servers;

use crate::tui::keymap::Section;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Servers,
    Deployments,
    Esphome,
    Lights,
    Backups,
    Secrets,
    Audit,
    Ai,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Servers,
        Pane::Deployments,
        Pane::Esphome,
        Pane::Lights,
        Pane::Backups,
        Pane::Secrets,
        Pane::Audit,
        Pane::Ai,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Servers => "Servers",
            Pane::Deployments => "Deployments",
            Pane::Esphome => "ESPHome",
            Pane::Lights => "Lights",
            Pane::Backups => "Backups",
            Pane::Secrets => "Secrets",
            Pane::Audit => "Audit",
            Pane::Ai => "AI",
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn nth(i: usize) -> Pane {
        Pane::ALL[i % Pane::ALL.len()]
    }

    pub fn next(self) -> Pane {
        Pane::nth(self.index() + 1)
    }

    pub fn prev(self) -> Pane {
        Pane::nth(self.index() + Pane::ALL.len() - 1)
    }

    /// The keymap section looked up before `[global]` in this pane.
    pub fn section(self) -> Option<Section> {
        match self {
            Pane::Secrets => Some(Section::Secrets),
            Pane::Audit => Some(Section::Audit),
            Pane::Servers => Some(Section::Servers),
            Pane::Deployments => Some(Section::Deployments),
            Pane::Esphome => Some(Section::Esphome),
            Pane::Lights => Some(Section::Lights),
            Pane::Backups => Some(Section::Backups),
            Pane::Ai => None,
        }
    }
}
