//! The live entity view of Home Assistant connection profiles, inside the
//! Deployments pane (profiles may be for instances homedeck did not deploy):
//! the profiles, then one profile's entities kept current by `ha_watch`
//! (WebSocket `subscribe_events` state_changed) with the `/` filter, and a
//! service-call screen for the selected entity. The call itself goes through
//! the confirmation overlay and runs `ha_call confirmed=true`, which the
//! engine audits. Keys become steps; the drawing is in `ha_entities_view.rs`.

use crate::engine::Command;
use crate::engine::views::ha::Profile;
use crate::engine::views::ha::EntityState;
use crate::tui::app::Step;
use crate::tui::confirm::{Confirm, OnYes};
use crate::tui::keymap::Verb;
use crate::tui::widgets::list::ListView;
use std::collections::BTreeMap;

/// Which of the three screens is showing.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum HaScreen {
    #[default]
    Profiles,
    Entities,
    Call,
}

#[derive(Default)]
pub struct HaView {
    pub screen: HaScreen,
    pub profiles: Vec<Profile>,
    pub profiles_loaded: bool,
    pub profiles_list: ListView,
    /// The profile whose entities are shown.
    pub profile: String,
    /// By entity id, so the list is stable as states change.
    pub states: BTreeMap<String, EntityState>,
    pub loaded: bool,
    pub list: ListView,
    /// The engine's watch task runs for `profile`.
    pub watching: bool,
    pub ended: Option<String>,
    /// The entity and services of the service-call screen.
    pub call_entity: Option<EntityState>,
    pub services: Vec<String>,
    pub services_list: ListView,
}

/// The services offered for an entity: its domain's common ones, then
/// `homeassistant.update_entity`, which every entity has.
pub fn services_for(entity_id: &str) -> Vec<String> {
    let domain = entity_id.split('.').next().unwrap_or_default();
    let names: &[&str] = match domain {
        "light" | "switch" | "input_boolean" | "fan" | "climate" | "media_player" | "humidifier" | "siren" | "remote" => {
            &["toggle", "turn_on", "turn_off"]
        }
        "automation" => &["trigger", "toggle", "turn_on", "turn_off"],
        "script" => &["turn_on", "turn_off", "toggle"],
        "cover" => &["open_cover", "close_cover", "stop_cover", "toggle"],
        "lock" => &["lock", "unlock"],
        "button" | "input_button" => &["press"],
        "scene" => &["turn_on"],
        "vacuum" => &["start", "stop", "return_to_base"],
        _ => &[],
    };
    let mut out: Vec<String> = names.iter().map(|s| format!("{domain}.{s}")).collect();
    out.push("homeassistant.update_entity".into());
    out
}

impl HaView {
    pub fn visible_profiles(&self) -> Vec<&Profile> {
        self.profiles
            .iter()
            .filter(|p| {
                let hay = format!("{} {} {}", p.name, p.url, p.deployment.as_deref().unwrap_or_default());
                self.profiles_list.shows(&hay, p.site.as_deref())
            })
            .collect()
    }

    /// Entities passing the filter (entity id, name and state are searched).
    pub fn visible(&self) -> Vec<&EntityState> {
        self.states.values().filter(|s| self.list.matches(&format!("{} {} {}", s.entity_id, s.friendly_name, s.state))).collect()
    }

    /// The list the `/` filter applies to on the current screen.
    pub fn active_list(&mut self) -> &mut ListView {
        match self.screen {
            HaScreen::Profiles => &mut self.profiles_list,
            HaScreen::Entities => &mut self.list,
            HaScreen::Call => &mut self.services_list,
        }
    }

    pub fn set_profiles(&mut self, profiles: Vec<Profile>) {
        self.profiles = profiles;
        self.profiles_loaded = true;
        let n = self.visible_profiles().len();
        self.profiles_list.clamp(n);
    }

    /// The first full list of a watch (or an `ha_states` answer).
    pub fn set_states(&mut self, profile: &str, states: Vec<EntityState>) {
        if profile != self.profile {
            return;
        }
        self.states = states.into_iter().map(|s| (s.entity_id.clone(), s)).collect();
        self.loaded = true;
        let n = self.visible().len();
        self.list.clamp(n);
    }

    /// A state_changed event (or a service call's changed states).
    pub fn upsert(&mut self, profile: &str, state: EntityState) {
        if profile == self.profile {
            self.states.insert(state.entity_id.clone(), state);
        }
    }

    pub fn watch_ended(&mut self, profile: &str, reason: String) {
        if profile == self.profile {
            self.watching = false;
            if reason != "stopped" {
                self.ended = Some(reason);
            }
        }
    }

    /// Start over on the profiles screen (the pane asks the engine for them).
    pub fn open(&mut self) {
        self.screen = HaScreen::Profiles;
        self.profiles_loaded = false;
    }

    /// What a key does; None when it backs out of the view altogether.
    pub fn on_action(&mut self, action: Verb) -> Option<Step> {
        match self.screen {
            HaScreen::Profiles => self.profiles_action(action),
            HaScreen::Entities => self.entities_action(action),
            HaScreen::Call => self.call_action(action),
        }
    }

    fn profiles_action(&mut self, action: Verb) -> Option<Step> {
        let n = self.visible_profiles().len();
        if self.profiles_list.navigate(action, n) {
            return Some(Step::Nothing);
        }
        match action.name() {
            "back" => None,
            "open" => match self.visible_profiles().get(self.profiles_list.selected) {
                Some(p) => {
                    let name = p.name.clone();
                    if self.profile != name {
                        self.states.clear();
                        self.list = ListView::default();
                    }
                    self.profile = name.clone();
                    self.loaded = false;
                    self.watching = true;
                    self.ended = None;
                    self.screen = HaScreen::Entities;
                    Some(Step::Run(Command::HaWatch { name, filter: None }))
                }
                None => Some(Step::Status(
                    "no connection profile — add one with `homedeck ha add NAME --url URL` or `ha_add` in the palette".into(),
                )),
            },
            _ => Some(Step::Unhandled),
        }
    }

    fn entities_action(&mut self, action: Verb) -> Option<Step> {
        let n = self.visible().len();
        if self.list.navigate(action, n) {
            return Some(Step::Nothing);
        }
        match action.name() {
            "back" => {
                self.screen = HaScreen::Profiles;
                self.watching = false;
                Some(Step::Run(Command::HaUnwatch { name: self.profile.clone() }))
            }
            "open" => match self.visible().get(self.list.selected).map(|s| (*s).clone()) {
                Some(s) => {
                    self.services = services_for(&s.entity_id);
                    self.services_list = ListView::default();
                    self.call_entity = Some(s);
                    self.screen = HaScreen::Call;
                    Some(Step::Nothing)
                }
                None => Some(Step::Status("no entity selected".into())),
            },
            _ => Some(Step::Unhandled),
        }
    }

    fn call_action(&mut self, action: Verb) -> Option<Step> {
        if self.services_list.navigate(action, self.services.len()) {
            return Some(Step::Nothing);
        }
        match action.name() {
            "back" => {
                self.screen = HaScreen::Entities;
                Some(Step::Nothing)
            }
            "open" => {
                let (Some(entity), Some(service)) = (self.call_entity.as_ref(), self.services.get(self.services_list.selected)) else {
                    return Some(Step::Status("no service selected".into()));
                };
                let label = if entity.friendly_name.is_empty() { String::new() } else { format!(" ({})", entity.friendly_name) };
                Some(Step::Confirm(Confirm {
                    title: "Call service".into(),
                    message: format!(
                        "Call {service} on {}{label} in Home Assistant {}? It is now {}.",
                        entity.entity_id, self.profile, entity.state
                    ),
                    on_yes: OnYes::Run(Box::new(Command::HaCall {
                        name: self.profile.clone(),
                        service: service.clone(),
                        entity: Some(entity.entity_id.clone()),
                        data: None,
                        confirmed: Some(true),
                    })),
                }))
            }
            _ => Some(Step::Unhandled),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::keymap::Nav;
    use super::*;

    fn state(id: &str, s: &str) -> EntityState {
        EntityState { entity_id: id.into(), state: s.into(), friendly_name: String::new(), last_changed: String::new() }
    }

    #[test]
    fn services_follow_the_domain() {
        assert_eq!(services_for("light.k"), ["light.toggle", "light.turn_on", "light.turn_off", "homeassistant.update_entity"]);
        assert_eq!(services_for("lock.front"), ["lock.lock", "lock.unlock", "homeassistant.update_entity"]);
        assert_eq!(services_for("sensor.t"), ["homeassistant.update_entity"]);
        assert_eq!(services_for("garbage"), ["homeassistant.update_entity"]);
    }

    #[test]
    fn states_of_other_profiles_are_ignored_and_the_call_is_confirmed() {
        let mut v = HaView { profile: "home".into(), screen: HaScreen::Entities, ..Default::default() };
        v.set_states("home", vec![state("light.b", "on"), state("input_boolean.a", "off")]);
        v.upsert("cabin", state("light.z", "on"));
        v.upsert("home", state("light.b", "off"));
        let ids: Vec<_> = v.visible().iter().map(|s| (s.entity_id.as_str(), s.state.as_str())).collect();
        assert_eq!(ids, [("input_boolean.a", "off"), ("light.b", "off")]);
        assert!(matches!(v.on_action(Verb::Nav(Nav::Open)), Some(Step::Nothing)));
        assert_eq!(v.screen, HaScreen::Call);
        assert_eq!(v.services[0], "input_boolean.toggle");
        let Some(Step::Confirm(c)) = v.on_action(Verb::Nav(Nav::Open)) else { panic!("no confirmation") };
        assert!(c.message.contains("input_boolean.toggle on input_boolean.a"), "{}", c.message);
        let OnYes::Run(cmd) = c.on_yes else { panic!("no command") };
        assert!(matches!(*cmd, Command::HaCall { ref service, confirmed: Some(true), .. } if service == "input_boolean.toggle"));
        assert!(matches!(v.on_action(Verb::Nav(Nav::Back)), Some(Step::Nothing)));
        assert!(matches!(v.on_action(Verb::Nav(Nav::Back)), Some(Step::Run(Command::HaUnwatch { .. }))));
        assert!(v.on_action(Verb::Nav(Nav::Back)).is_none());
    }
}
