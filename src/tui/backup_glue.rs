//! Backup outcomes and events applied to the console. Kept out of
//! `outcomes.rs` so domains merge cleanly.

use crate::engine::{Event, Outcome};
use crate::tui::app::{App, Level, Purpose};

impl App {
    pub fn backup_outcome(&mut self, outcome: Outcome, purpose: Purpose) {
        if purpose != Purpose::Refresh {
            self.say(outcome.summary(), Level::Info);
        }
    }

    pub fn backup_event(&mut self, event: Event) {
        match event {
            Event::BackupScheduleMissed { schedule, count, .. } => {
                self.say(format!("backup schedule {schedule}: {count} run(s) missed"), Level::Warn);
            }
            Event::BackupScheduleRan { schedule, ok: false, message } => {
                self.say(format!("backup schedule {schedule} failed: {message}"), Level::Error);
            }
            _ => {}
        }
    }
}
