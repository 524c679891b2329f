//! Alerts: what a front end may name of the domain (`engine::views::alerts`).

pub use crate::engine::alerts::model::{Ack, Alert, AlertFilter, AlertState, Silence};
pub use crate::engine::alerts::outcome::{AlertChange, AlertRow, Transition};
pub use crate::engine::alerts::rules::{
    AlertKind, AlertsOptions, Rule, Selector, check_threshold, format_duration, parse_duration, parse_severity, validate_rule_name,
};
