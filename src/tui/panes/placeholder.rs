//! Panes whose capability is not in this version. They say so, name the
//! command that will fill them, and show no fake rows.

use super::{Pane, PaneId};
use crate::tui::app::{Step, View};
use crate::tui::keymap::{Section, Verb};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use crate::tui::widgets::pane_block;

/// What the pane will hold, and the CLI command(s) that will fill it.
pub fn describe(pane: PaneId) -> (&'static str, &'static str) {
    match pane {
        PaneId::Servers => {
            ("SSH servers: inventory, pinned host keys, health and remote commands.", "homedeck server add")
        }
        PaneId::Deployments => {
            ("Home Assistant deployments: install, start/stop, upgrade with rollback, logs.", "homedeck deploy create")
        }
        PaneId::Esphome => {
            ("ESPHome devices: discovery, native API, live logs, OTA updates.", "homedeck esphome discover")
        }
        PaneId::Lights => (
            "WLED and Falcon Player: state, effects, playlists, schedules.",
            "homedeck wled list / homedeck fpp status",
        ),
        PaneId::Backups => {
            ("Backups of Node-RED, Zigbee2MQTT, HA config and homedeck itself, with restore.", "homedeck backup create")
        }
        PaneId::Ai => (
            "The AI chat pane: requests become engine commands, previewed and confirmed before they run.",
            "the AI chat pane",
        ),
        PaneId::Overview | PaneId::Secrets | PaneId::Audit => ("", ""),
    }
}

pub fn render(f: &mut Frame, area: Rect, pane: PaneId, theme: &Theme) {
    let (what, command) = describe(pane);
    let block = pane_block(format!(" {} ", pane.title()), theme);
    let lines = vec![
        Line::default(),
        Line::styled(format!("{} is not built in this version of homedeck.", pane.title()), theme.fg(theme.warn)),
        Line::default(),
        Line::styled(what, theme.fg(theme.fg)),
        Line::default(),
        Line::styled(format!("It will be filled by: {command}"), theme.fg(theme.accent)),
        Line::default(),
        Line::styled("Press 1 for Servers, 6 for Secrets, 7 for Audit, : for the command palette, ? for help.", theme.muted()),
    ];
    f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }).style(theme.base()), area);
}

/// A pane whose capability is not built yet.
pub struct Placeholder(pub PaneId);

impl Pane for Placeholder {
    fn id(&self) -> PaneId {
        self.0
    }

    fn section(&self) -> Option<Section> {
        None
    }

    fn on_action(&mut self, _action: Verb) -> Step {
        Step::Unhandled
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        render(f, area, self.0, v.theme);
    }
}
