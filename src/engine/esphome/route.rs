//! The ESPHome verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `EsphomeCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::EsphomeCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};
use crate::engine::esphome;

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: EsphomeCommand) -> EngineResult<Outcome> {
    use EsphomeCommand::*;
    match command {
        EsphomeDiscover { seconds } => esphome::discover(inner, ctx, seconds).await,
        EsphomeList {} => esphome::list(inner),
        EsphomeAdd { name, host, port, key_secret, ota_port, ota_password_secret, platform, site } => {
            esphome::add(inner, ctx, name, host, port, key_secret, ota_port, ota_password_secret, platform, site)
        }
        EsphomeRemove { name } => esphome::remove(inner, ctx, &name),
        EsphomeInfo { name } => esphome::info(inner, &ctx.actor, &name).await,
        EsphomeLogsStart { devices, level } => esphome::logs_start(inner, &ctx.actor, &devices, level),
        EsphomeLogsStop { devices } => esphome::logs_stop(inner, devices),
        EsphomeFirmwareImport { path, version, platform } => {
            esphome::firmware_import(inner, ctx, &path, &version, &platform)
        }
        EsphomeFirmwareList {} => esphome::firmware_list(inner),
        EsphomeOta { device, firmware, confirm_secs } => esphome::ota(inner, ctx, &device, &firmware, confirm_secs).await,
        EsphomeOtaBulk { firmware, targets, concurrency, confirm_secs } => {
            esphome::ota_bulk(inner, ctx, &firmware, &targets, concurrency, confirm_secs).await
        }
        EsphomeOtaCancel { device } => esphome::ota_cancel(inner, ctx, device),
    }
}
