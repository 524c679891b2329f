//! The audit log and security events.
//!
//! This domain's façade, `engine::views::audit`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::audit::{AuditEntry, AuditPage, Category, Severity, Status};
pub use crate::engine::security::{SecurityEvent, SecurityStatus};
