//! mDNS browse for `_esphomelib._tcp`, bound to the interfaces the config
//! names. mdns-sd multicasts on every non-loopback interface by default, so
//! when interfaces are named everything else is switched off first; tests
//! run discovery inside a private network namespace on its loopback only.

use super::types::Discovered;
use crate::engine::error::{EngineError, EngineResult};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use std::time::{Duration, Instant};

pub const SERVICE: &str = "_esphomelib._tcp.local.";

/// Browse for `wait`, returning every device that resolved (blocking: run
/// it on a blocking thread). `interfaces` empty = mdns-sd's default (every
/// real LAN interface).
pub fn browse(interfaces: &[String], wait: Duration) -> EngineResult<Vec<Discovered>> {
    let mdns = |e: mdns_sd::Error| EngineError::Other(format!("mDNS: {e}"));
    let daemon = ServiceDaemon::new().map_err(mdns)?;
    if !interfaces.is_empty() {
        daemon.disable_interface(IfKind::All).map_err(mdns)?;
        for name in interfaces {
            daemon.enable_interface(IfKind::Name(name.clone())).map_err(mdns)?;
        }
    }
    let rx = daemon.browse(SERVICE).map_err(mdns)?;
    let deadline = Instant::now() + wait;
    let mut found: Vec<Discovered> = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(info)) => {
                if let Some(d) = from_info(&info) {
                    found.retain(|f| f.name != d.name);
                    found.push(d);
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.stop_browse(SERVICE);
    let _ = daemon.shutdown();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// One resolved answer → what homedeck keeps. Names and TXT values come
/// from the network: control characters are dropped and lengths capped.
fn from_info(info: &ServiceInfo) -> Option<Discovered> {
    let name = clean(info.get_fullname().strip_suffix(&format!(".{SERVICE}"))?);
    if name.is_empty() {
        return None;
    }
    let addr = info.get_addresses_v4().into_iter().min().map(|a| a.to_string()).or_else(|| {
        let h = info.get_hostname().trim_end_matches('.');
        (!h.is_empty()).then(|| clean(h))
    })?;
    let txt = |k: &str| info.get_property_val_str(k).map(clean).filter(|v| !v.is_empty());
    let encrypted = txt("api_encryption").is_some();
    Some(Discovered {
        name,
        host: addr,
        port: info.get_port(),
        friendly_name: txt("friendly_name"),
        version: txt("version"),
        platform: txt("platform").map(|p| p.to_ascii_uppercase()),
        board: txt("board"),
        mac: txt("mac").map(|m| format_mac(&m)),
        encrypted,
        new: false,
    })
}

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// `acbc32890ea9` → `AC:BC:32:89:0E:A9` (other shapes are kept as they came).
pub fn format_mac(m: &str) -> String {
    let hex: String = m.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    if hex.len() != 12 {
        return m.to_string();
    }
    hex.to_ascii_uppercase().as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_string()).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    #[test]
    fn macs() {
        assert_eq!(super::format_mac("acbc32890ea9"), "AC:BC:32:89:0E:A9");
        assert_eq!(super::format_mac("zz"), "zz");
    }
}
