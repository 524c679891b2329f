//! Server outcomes and events → the Servers pane's state.

use crate::engine::{Event, Outcome};
use crate::tui::app::App;

impl App {
    pub(crate) fn server_outcome(&mut self, outcome: Outcome, _from_palette: bool) {
        self.status = Some((outcome.summary(), crate::tui::app::Level::Info));
    }

    pub(crate) fn server_event(&mut self, _event: Event) {}
}
