//! Deployment and Home Assistant outcomes and events applied to the
//! Deployments pane. Kept out of `outcomes.rs` so domains merge cleanly.

use crate::engine::{Event, Outcome};
use crate::tui::app::{App, Purpose};

impl App {
    pub fn deploy_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        let _ = (outcome, purpose);
    }

    pub fn deploy_event(&mut self, event: Event) {
        let _ = event;
    }
}
