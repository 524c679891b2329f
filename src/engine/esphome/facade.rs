//! ESPHome: devices, log records and their colour runs, OTA results.
//!
//! This domain's façade, `engine::views::esphome`: everything a front end may
//! name of it, so its insides can move without touching a front end.

pub use crate::engine::esphome::ansi;
pub use crate::engine::esphome::{
    Device, DeviceInfo, Discovered, Entity, EsphomeOptions, Firmware, LogLevel, LogRecord, OtaPhase, OtaResult,
    OtaStatus, PLATFORMS, ota_summary,
};
