//! The console's site filter: `:site cabin` in the palette narrows every
//! pane at once to what is at that site (the overview's counts, servers,
//! deployments and profiles, ESPHome devices, lights, backup sources and
//! their backups); `:site`
//! alone clears it. It is a view setting, not an engine command: nothing is
//! stored or audited, and the status bar shows it while it is on.

use crate::tui::app::{App, Level};
use crate::tui::panes::PaneId;
use crate::tui::panes::pane::{ALL_PARTS, Refresh};

/// `Some(site)` when the palette line is the `site` filter word (not a
/// command such as `site_list`); `Some(None)` clears the filter.
pub fn parse(line: &str) -> Option<Result<Option<String>, String>> {
    let mut words = line.split_whitespace();
    if words.next()? != "site" {
        return None;
    }
    let site = words.next().map(str::to_string);
    if let Some(extra) = words.next() {
        return Some(Err(format!("one site name after :site, not {extra:?} too (:site alone clears the filter)")));
    }
    Some(Ok(site.filter(|s| s != "-")))
}

/// Narrow (or widen) every pane, and say so.
pub fn apply(app: &mut App, site: Option<String>) {
    for id in PaneId::ALL {
        app.panes.get_mut(id).set_site(site.as_deref());
    }
    let msg = match &site {
        Some(s) => format!("only site {s} shows — :site clears"),
        None => "site filter off: every site shows".to_string(),
    };
    app.site_filter = site;
    // The overview is narrowed by the engine: ask it again.
    app.refresh.mark(PaneId::Overview, ALL_PARTS);
    app.say(msg, Level::Info);
    app.dirty = true;
}

/// The panes whose rows are at sites reload (a resource moved site).
pub fn reload_site_panes(refresh: &mut Refresh) {
    for id in [PaneId::Servers, PaneId::Deployments, PaneId::Esphome, PaneId::Lights, PaneId::Backups] {
        refresh.mark(id, ALL_PARTS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bare_word_is_the_filter() {
        assert_eq!(parse("site cabin"), Some(Ok(Some("cabin".into()))));
        assert_eq!(parse("site"), Some(Ok(None)));
        assert_eq!(parse("  site   "), Some(Ok(None)));
        assert_eq!(parse("site_list"), None);
        assert_eq!(parse("site_set kind=wled name=a site=b"), None);
        assert!(parse("site a b").is_some_and(|r| r.is_err()));
    }
}
