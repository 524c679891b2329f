//! The Lights pane: WLED devices (live colour swatch, power, brightness,
//! effect, link) and FPP hosts (status, progress of the running item, and
//! the plain "no authentication" notice), a device detail with key-driven
//! controls, and the schedule list. Keys become engine commands; live
//! state arrives as `WledLive` / `FppLive` events.

use super::PaneId;
use super::pane::{ALL_PARTS, Ctx, Pane, Parts, Submit};
use crate::tui::form::{Field, Form};
use crate::engine::{Command, Event, LightsEvent, LightsOutcome, Outcome};
use crate::engine::views::lights::StopMode;
use crate::engine::views::lights::{FppLive, FppRow, LiveState, PresetView, ScheduleView, WledDetail, WledRow};
use crate::engine::views::lights::{PICKER, Power};
use crate::engine::views::lights::choosable;
use crate::tui::app::{Job, Level, Purpose, Step, View};
use crate::tui::keymap::{Section, SectionSpec, Verb, ViewSpec};
use ratatui::Frame;
use ratatui::layout::Rect;
use crate::tui::widgets::list::ListView;

/// The `[lights]` keymap section: the engine commands this pane runs are bound
/// by name; these are its own view actions.
pub const KEYS: SectionSpec = SectionSpec {
    name: "lights",
    views: &[
        ViewSpec { name: "lights_toggle", desc: "Toggle the selected WLED device on/off (FPP: pause/resume)" },
        ViewSpec { name: "lights_brighter", desc: "Brightness up" },
        ViewSpec { name: "lights_dimmer", desc: "Brightness down" },
        ViewSpec { name: "lights_color", desc: "Next colour from the picker" },
        ViewSpec { name: "lights_effect_next", desc: "Next effect from the device's list" },
        ViewSpec { name: "lights_effect_prev", desc: "Previous effect" },
        ViewSpec { name: "lights_palette_next", desc: "Next palette from the device's list" },
        ViewSpec { name: "lights_palette_prev", desc: "Previous palette" },
        ViewSpec { name: "lights_speed_up", desc: "Effect speed up" },
        ViewSpec { name: "lights_speed_down", desc: "Effect speed down" },
        ViewSpec { name: "lights_intensity_up", desc: "Effect intensity up" },
        ViewSpec { name: "lights_intensity_down", desc: "Effect intensity down" },
        ViewSpec { name: "lights_preset_next", desc: "Apply the next preset" },
        ViewSpec { name: "lights_preset_prev", desc: "Apply the previous preset" },
        ViewSpec { name: "lights_playlist_stop", desc: "Stop the playlist (FPP: stop now)" },
        ViewSpec { name: "lights_playlist_next", desc: "Next playlist entry (FPP: next item)" },
        ViewSpec { name: "lights_fpp_prev", desc: "FPP: previous item" },
        ViewSpec { name: "lights_schedules", desc: "Show light schedules (next runs, missed runs)" },
    ],
};

/// Brightness, speed and intensity change by this much per key.
pub const STEP: u8 = 16;

#[derive(Default)]
pub struct LightsPane {
    pub devices: Vec<WledRow>,
    pub hosts: Vec<FppRow>,
    pub notice: String,
    pub list: ListView,
    /// The open device, read in full (effects and palettes come from it).
    pub detail: Option<WledDetail>,
    pub presets: Vec<PresetView>,
    pub schedules: Vec<ScheduleView>,
    pub show_schedules: bool,
    /// `lights_watch` was asked for (once per console).
    pub watching: bool,
    pub loaded: bool,
}

/// What the selection points at.
pub enum Selected<'a> {
    Wled(&'a WledRow),
    Fpp(&'a FppRow),
}

/// Wrap `cur + delta` into `0..len`.
fn cycle(cur: usize, len: usize, forward: bool) -> usize {
    if len == 0 {
        0
    } else if forward {
        (cur + 1) % len
    } else {
        (cur + len - 1) % len
    }
}

fn set(target: &str) -> Command {
    Command::WledSet {
        target: target.to_string(),
        power: None,
        bri: None,
        color: None,
        effect: None,
        palette: None,
        speed: None,
        intensity: None,
        segment: None,
        transition: None,
    }
}

impl LightsPane {
    pub fn visible(&self) -> Vec<Selected<'_>> {
        let wled = self
            .devices
            .iter()
            .filter(|r| self.list.shows(&format!("{} {} {}", r.device.name, r.device.address, r.device.device_name), r.device.site.as_deref()))
            .map(Selected::Wled);
        let fpp = self
            .hosts
            .iter()
            .filter(|h| self.list.shows(&format!("{} {} fpp", h.host.name, h.host.address), h.host.site.as_deref()))
            .map(Selected::Fpp);
        wled.chain(fpp).collect()
    }

    /// The selected device, for the AI pane.
    fn ai_context(&self) -> Option<String> {
        match self.selected()? {
            Selected::Wled(r) => Some(format!("wled:{}", r.device.name)),
            Selected::Fpp(h) => Some(format!("fpp:{}", h.host.name)),
        }
    }

    fn selected(&self) -> Option<Selected<'_>> {
        if let Some(d) = &self.detail {
            return self.devices.iter().find(|r| r.device.name == d.device.name).map(Selected::Wled);
        }
        self.visible().into_iter().nth(self.list.selected)
    }

    pub fn set_devices(&mut self, rows: Vec<WledRow>) {
        self.devices = rows;
        self.loaded = true;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    pub fn set_hosts(&mut self, rows: Vec<FppRow>, notice: String) {
        self.hosts = rows;
        self.notice = notice;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    pub fn on_live(&mut self, device: &str, live: LiveState) {
        if let Some(r) = self.devices.iter_mut().find(|r| r.device.name == device) {
            r.device.online = live.link.as_str() != "offline";
            r.live = Some(live);
        }
    }

    /// The presence poller found a device gone or back: its row says so
    /// at once, without polling every device again.
    pub fn on_link(&mut self, kind: &str, name: &str, online: bool) {
        if kind == "fpp" {
            if let Some(r) = self.hosts.iter_mut().find(|r| r.host.name == name) {
                r.host.online = online;
            }
        } else if let Some(r) = self.devices.iter_mut().find(|r| r.device.name == name) {
            r.device.online = online;
        }
    }

    pub fn on_fpp(&mut self, host: &str, live: FppLive) {
        if let Some(r) = self.hosts.iter_mut().find(|r| r.host.name == host) {
            r.live = Some(live);
        }
    }

    pub fn set_detail(&mut self, d: WledDetail) {
        self.detail = Some(d);
    }

    pub fn on_action(&mut self, action: Verb) -> Step {
        if self.detail.is_none() && !self.show_schedules && self.list.navigate(action, self.visible().len()) {
            return Step::Nothing;
        }
        match action.name() {
            "back" if self.detail.is_some() => {
                self.detail = None;
                self.presets.clear();
                return Step::Nothing;
            }
            "back" if self.show_schedules => {
                self.show_schedules = false;
                return Step::Nothing;
            }
            "lights_schedules" => {
                self.show_schedules = !self.show_schedules;
                return if self.show_schedules { Step::Run(Command::WledScheduleList {}) } else { Step::Nothing };
            }
            _ => {}
        }
        if self.show_schedules {
            return Step::Unhandled;
        }
        if action.name() == "wled_add" {
            return Step::Form(add_form(self.list.site.as_deref()));
        }
        if action.name() == "wled_remove" {
            // `D` removes, as in every pane; FPP hosts too.
            let (what, command) = match self.selected() {
                Some(Selected::Wled(r)) => (r.device.name.clone(), Command::WledRemove { device: r.device.name.clone() }),
                Some(Selected::Fpp(h)) => (h.host.name.clone(), Command::FppRemove { host: h.host.name.clone() }),
                None => return Step::Status("wled_remove: no light selected".into()),
            };
            return Step::Confirm(crate::tui::confirm::Confirm {
                title: "Remove light".into(),
                message: format!("Remove {what} from homedeck? The device itself is not changed; groups and schedules naming it stay."),
                on_yes: crate::tui::confirm::OnYes::Run(Box::new(command)),
            });
        }
        match self.selected() {
            None if matches!(action, Verb::Nav(_)) && action.name() != "open" => Step::Unhandled,
            None => Step::Status(format!(
                "{}: no light selected — press ‹wled_add› to add a WLED or FPP device by address, or run `homedeck wled discover`",
                action.name(),
            )),
            Some(Selected::Fpp(h)) => fpp_action(&h.host.name, h.live.as_ref(), action),
            Some(Selected::Wled(r)) => {
                let name = r.device.name.clone();
                let live = r.live.clone();
                self.wled_action(&name, live.as_ref(), action)
            }
        }
    }

    fn wled_action(&self, name: &str, live: Option<&LiveState>, action: Verb) -> Step {
        let mut c = set(name);
        let Command::WledSet { power, bri, color, effect, palette, speed, intensity, .. } = &mut c else {
            return Step::Unhandled;
        };
        let level = |v: Option<u8>, up: bool| {
            let v = v.unwrap_or(128);
            if up { v.saturating_add(STEP) } else { v.saturating_sub(STEP).max(1) }
        };
        let detail = self.detail.as_ref().filter(|d| d.device.name == name);
        let seg = detail.and_then(|d| d.state.main_segment().cloned());
        let need_detail = || Step::Status("open the device first (Enter): effects and palettes come from its own lists".into());
        match action.name() {
            "open" => {
                return Step::Run(Command::WledState { device: name.to_string() });
            }
            "lights_toggle" => *power = Some(Power::Toggle),
            "lights_brighter" | "lights_dimmer" => {
                *bri = Some(level(live.map(|l| l.bri), action.name() == "lights_brighter"));
            }
            "lights_color" => {
                let cur = live.map(|l| l.color.clone()).unwrap_or_default();
                let at = PICKER.iter().position(|(_, rgb)| format!("{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]) == cur);
                let next = at.map(|i| cycle(i, PICKER.len(), true)).unwrap_or(0);
                *color = Some(PICKER[next].0.to_string());
            }
            "lights_effect_next" | "lights_effect_prev" | "lights_palette_next" | "lights_palette_prev" => {
                let Some(d) = detail else { return need_detail() };
                let fx = matches!(action.name(), "lights_effect_next" | "lights_effect_prev");
                let fwd = matches!(action.name(), "lights_effect_next" | "lights_palette_next");
                let list = choosable(if fx { &d.effects } else { &d.palettes });
                let cur = seg.as_ref().and_then(|s| if fx { s.fx } else { s.pal }).unwrap_or(0);
                let at = list.iter().position(|(i, _)| *i == cur).unwrap_or(0);
                let Some((id, _)) = list.get(cycle(at, list.len(), fwd)) else { return need_detail() };
                if fx { *effect = Some(id.to_string()) } else { *palette = Some(id.to_string()) }
            }
            "lights_speed_up" | "lights_speed_down" => {
                *speed = Some(level(live.map(|l| l.speed), action.name() == "lights_speed_up"));
            }
            "lights_intensity_up" | "lights_intensity_down" => {
                *intensity = Some(level(live.map(|l| l.intensity), action.name() == "lights_intensity_up"));
            }
            "lights_preset_next" | "lights_preset_prev" => {
                let plain: Vec<&PresetView> = self.presets.iter().filter(|p| p.playlist.is_none()).collect();
                if detail.is_none() || plain.is_empty() {
                    return Step::Status("open a device with presets first (Enter)".into());
                }
                let cur = live.map(|l| l.preset).unwrap_or(-1);
                let at = plain.iter().position(|p| i16::from(p.id) == cur);
                let next = match at {
                    Some(i) => cycle(i, plain.len(), action.name() == "lights_preset_next"),
                    None => 0,
                };
                return Step::Run(Command::WledPresetApply { target: name.to_string(), preset: plain[next].id.to_string() });
            }
            "lights_playlist_stop" => return Step::Run(Command::WledPlaylistStop { target: name.to_string() }),
            "lights_playlist_next" => return Step::Run(Command::WledPlaylistNext { target: name.to_string() }),
            _ => return Step::Unhandled,
        }
        Step::Run(c)
    }
}

fn fpp_action(host: &str, live: Option<&FppLive>, action: Verb) -> Step {
    let host = host.to_string();
    let paused = live.and_then(|l| l.status.as_ref()).is_some_and(|s| s.status == 5);
    match action.name() {
        "open" => Step::Run(Command::FppStatus { host }),
        "lights_toggle" if paused => Step::Run(Command::FppResume { host }),
        "lights_toggle" => Step::Run(Command::FppPause { host }),
        "lights_playlist_stop" => Step::Run(Command::FppStop { host, mode: Some(StopMode::Now) }),
        "lights_playlist_next" => Step::Run(Command::FppNext { host }),
        "lights_fpp_prev" => Step::Run(Command::FppPrev { host }),
        "lights_preset_next" | "lights_preset_prev" => {
            Step::Status(format!("start an FPP playlist with : fpp_start host={host} playlist=…"))
        }
        _ => Step::Unhandled,
    }
}

/// Which kind of light the add form adds.
const KINDS: [&str; 2] = ["WLED", "FPP"];

/// The add form: `a` in Lights, as in every other pane. `site`: the
/// console's site filter, so a light added while looking at one site lands
/// there.
pub fn add_form(site: Option<&str>) -> Form {
    let mut f = Form::new(
        "Add a light",
        PaneId::Lights,
        (),
        vec![
            Field::choice("Kind", KINDS.to_vec()),
            Field::text("Address (host or host:port)"),
            Field::text("Name (empty: the device's own)"),
            Field::text("Site (optional, e.g. cabin)"),
        ],
    )
    .intro("homedeck reads the device once to check it answers, then lists it here.");
    if let (Some(s), Some(i)) = (site, f.input_mut(3)) {
        i.set(s);
    }
    f
}

impl Pane for LightsPane {
    fn context(&self) -> Option<String> {
        self.ai_context()
    }

    fn submit(&mut self, form: &mut Form) -> Result<Submit, String> {
        let address = form.value(1);
        if address.is_empty() {
            return Err(form.fault(1, "the address is empty — type the device's host or IP (host:port for another port)"));
        }
        let name = Some(form.value(2)).filter(|n| !n.is_empty());
        let site = Some(form.value(3)).filter(|s| !s.is_empty());
        Ok(Submit::Run(if form.value(0) == "FPP" {
            Command::FppAdd { address, name, site }
        } else {
            Command::WledAdd { address, name, site }
        }))
    }

    fn id(&self) -> PaneId {
        PaneId::Lights
    }

    fn section(&self) -> Option<Section> {
        Some(&crate::tui::panes::lights::KEYS)
    }

    fn on_action(&mut self, action: Verb) -> Step {
        LightsPane::on_action(self, action)
    }

    fn render(&mut self, f: &mut Frame, area: Rect, v: &View) {
        LightsPane::render(self, f, area, v)
    }

    /// Load (and, the first time, start watching) every light.
    fn refresh(&mut self, _parts: Parts) -> Vec<Job> {
        let mut commands = Vec::new();
        if !self.watching {
            self.watching = true;
            commands.push(Command::LightsWatch {});
        }
        commands.extend([Command::WledList {}, Command::FppList {}, Command::WledScheduleList {}]);
        commands.into_iter().map(|command| Job { command, purpose: Purpose::Refresh }).collect()
    }

    fn set_site(&mut self, site: Option<&str>) {
        self.list.site = site.map(str::to_string);
        self.list.clamp(self.visible().len());
    }

    fn active_list(&mut self) -> Option<&mut ListView> {
        (self.detail.is_none() && !self.show_schedules).then_some(&mut self.list)
    }

    fn on_outcome(&mut self, outcome: Outcome, purpose: Purpose, cx: &mut Ctx) {
        let Outcome::Lights(outcome) = outcome else { return };
        let asked = purpose != Purpose::Refresh;
        match outcome {
            LightsOutcome::WledDevices { devices } => self.set_devices(devices),
            LightsOutcome::FppHosts { hosts, notice } => self.set_hosts(hosts, notice),
            LightsOutcome::WledDetail { detail } => {
                let name = detail.device.name.clone();
                if let Some(row) = self.devices.iter_mut().find(|r| r.device.name == name) {
                    row.device = detail.device.clone();
                }
                let reopen = self.detail.as_ref().is_some_and(|d| d.device.name != name);
                if reopen {
                    self.presets.clear();
                }
                self.set_detail(*detail);
                cx.run(Command::WledPresetList { device: name }, Purpose::Refresh);
                cx.go(asked, PaneId::Lights);
            }
            LightsOutcome::WledPresets { device, presets }
                if self.detail.as_ref().is_some_and(|d| d.device.name == device) =>
            {
                self.presets = presets;
            }
            LightsOutcome::WledResults { results, .. } => {
                // The device's own answer updates an open detail at once.
                for r in results {
                    if let (Some(d), Some(state)) = (self.detail.as_mut(), r.state)
                        && d.device.name == r.device
                    {
                        d.state = state;
                    }
                }
            }
            LightsOutcome::WledSchedules { schedules } => {
                if purpose == Purpose::Refresh || self.show_schedules || schedules.len() != 1 {
                    self.schedules = schedules;
                } else {
                    cx.refresh.mark(PaneId::Lights, ALL_PARTS);
                }
                if purpose == Purpose::Palette {
                    self.show_schedules = true;
                }
            }
            LightsOutcome::FppStatus { host, status, .. } => {
                let name = host.name.clone();
                self.on_fpp(
                    &name,
                    crate::engine::views::lights::FppLive { status: Some(*status), error: None, updated: cx.clock.now() },
                );
            }
            LightsOutcome::WledPresets { .. }
            | LightsOutcome::WledGroups { .. }
            | LightsOutcome::WledDiscovered { .. }
            | LightsOutcome::WledExported { .. }
            | LightsOutcome::FppDiscovered { .. }
            | LightsOutcome::FppPlaylists { .. }
            | LightsOutcome::FppSchedule { .. }
            | LightsOutcome::FppSystems { .. } => {}
        }
        if asked {
            cx.go(purpose == Purpose::Palette, PaneId::Lights);
        }
    }

    fn on_event(&mut self, event: Event, cx: &mut Ctx) {
        let Event::Lights(event) = event else { return };
        match event {
            LightsEvent::WledLive { device, live } => self.on_live(&device, live),
            LightsEvent::FppLive { host, live } => self.on_fpp(&host, *live),
            LightsEvent::LightsLink { kind, device, online, .. } => self.on_link(&kind, &device, online),
            LightsEvent::LightsScheduleRan { schedule, ok, message } => {
                let level = if ok { Level::Info } else { Level::Error };
                cx.say(format!("schedule {schedule}: {message}"), level);
                cx.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
            LightsEvent::LightsScheduleMissed { schedule, count, .. } => {
                cx.say(format!("schedule {schedule}: {} missed while homedeck was not running", crate::tui::widgets::count(count, "run", "runs")), Level::Warn);
                cx.run(Command::WledScheduleList {}, Purpose::Refresh);
            }
        }
    }
}
