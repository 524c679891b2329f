//! The lights verbs, from the domain's own command enum to its handlers.
//! Dispatch applies the cross-cutting rules (read-only, audit, flush) and
//! hands every `LightsCommand` here; the match is exhaustive, so a new verb in
//! the table does not compile until it is handled.

use crate::engine::command::LightsCommand;
use crate::engine::context::Ctx;
use crate::engine::error::EngineResult;
use crate::engine::{Inner, Outcome};
use crate::engine::lights;

pub(crate) async fn route(inner: &Inner, ctx: &mut Ctx, command: LightsCommand) -> EngineResult<Outcome> {
    use LightsCommand::*;
    match command {
        LightsWatch {} => lights::handlers::watch(inner).await,
        WledList {} => lights::handlers::list(inner).await,
        WledDiscover { seconds, interface } => lights::handlers::discover(inner, seconds, interface).await,
        WledAdd { address, name, site } => lights::handlers::add(inner, ctx, address, name, site).await,
        WledRemove { device } => lights::handlers::remove(inner, ctx, &device),
        WledState { device } => lights::handlers::state(inner, &device).await,
        WledSet { target, power, bri, color, effect, palette, speed, intensity, segment, transition } => {
            let req = lights::wled::control::SetRequest {
                power, bri, color, effect, palette, speed, intensity, segment, transition,
            };
            lights::handlers::set(inner, ctx, &target, req).await
        }
        WledPresetList { device } => lights::handlers::preset_list(inner, &device).await,
        WledPresetApply { target, preset } => {
            lights::handlers::preset_apply(inner, ctx, &target, &preset, lights::wled::presets::Want::Preset).await
        }
        WledPresetSave { device, id, name } => lights::handlers::preset_save(inner, ctx, &device, id, &name).await,
        WledPresetDelete { device, id } => lights::handlers::preset_delete(inner, ctx, &device, id).await,
        WledPlaylistStart { target, playlist } => {
            lights::handlers::preset_apply(inner, ctx, &target, &playlist, lights::wled::presets::Want::Playlist).await
        }
        WledPlaylistStop { target } => lights::handlers::playlist_control(inner, ctx, &target, false).await,
        WledPlaylistNext { target } => lights::handlers::playlist_control(inner, ctx, &target, true).await,
        WledGroupList {} => lights::schedule_handlers::group_list(inner),
        WledGroupSet { name, members } => lights::schedule_handlers::group_set(inner, ctx, &name, &members),
        WledGroupRemove { name } => lights::schedule_handlers::group_remove(inner, ctx, &name),
        WledScheduleList {} => lights::schedule_handlers::list(inner),
        WledScheduleAdd { name, cron, target, action, tz } => {
            lights::schedule_handlers::add(inner, ctx, &name, &cron, &target, &action, tz)
        }
        WledScheduleRemove { name } => lights::schedule_handlers::remove(inner, ctx, &name),
        WledScheduleEnable { name, enabled } => lights::schedule_handlers::enable(inner, ctx, &name, enabled.0),
        WledScheduleAck { name } => lights::schedule_handlers::ack(inner, ctx, &name),
        WledExport { device } => lights::handlers::export(inner, ctx, &device).await,
        FppList {} => lights::fpp_handlers::list(inner).await,
        FppDiscover { seconds, interface } => lights::handlers::discover_fpp(inner, seconds, interface).await,
        FppAdd { address, name, site } => lights::fpp_handlers::add(inner, ctx, address, name, site).await,
        FppRemove { host } => lights::fpp_handlers::remove(inner, ctx, &host),
        FppStatus { host } => lights::fpp_handlers::status(inner, &host).await,
        FppPlaylists { host } => lights::fpp_handlers::playlists(inner, &host).await,
        FppStart { host, playlist, repeat } => {
            let c = lights::fpp_handlers::Control::Start { playlist, repeat: repeat.is_some_and(|r| r.0) };
            lights::fpp_handlers::control(inner, ctx, &host, c).await
        }
        FppStop { host, mode } => {
            let mode = mode.unwrap_or(lights::args::StopMode::Now);
            lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Stop(mode)).await
        }
        FppPause { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Pause).await,
        FppResume { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Resume).await,
        FppNext { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Next).await,
        FppPrev { host } => lights::fpp_handlers::control(inner, ctx, &host, lights::fpp_handlers::Control::Prev).await,
        FppSchedule { host } => lights::fpp_handlers::schedule(inner, &host).await,
        FppScheduleAdd { host, playlist, day, start_time, end_time, start_date, end_date, repeat, stop } => {
            let e = lights::fpp_handlers::NewEntry {
                playlist,
                day,
                start_time,
                end_time,
                start_date,
                end_date,
                repeat: repeat.is_none_or(|r| r.0),
                stop,
            };
            lights::fpp_handlers::schedule_add(inner, ctx, &host, e).await
        }
        FppScheduleRemove { host, index } => lights::fpp_handlers::schedule_remove(inner, ctx, &host, index).await,
        FppScheduleEnable { host, index, enabled } => {
            lights::fpp_handlers::schedule_enable(inner, ctx, &host, index, enabled.0).await
        }
        FppMultisync { host } => lights::fpp_handlers::multisync(inner, &host).await,
    }
}
