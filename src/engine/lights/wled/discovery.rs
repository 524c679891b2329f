//! Lights discovery over mDNS: WLED (`_wled._tcp`, TXT `mac`) and Falcon
//! Player ≥ 10 (`_fppd._udp`, its MultiSync port; the REST API is on 80).
//!
//! mdns-sd multicasts on every interface unless told otherwise; the caller
//! picks the interface (`loopback`, an IP address or an interface name), and
//! tests always pass loopback inside a private network namespace.

use crate::engine::error::{EngineError, EngineResult};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
use std::net::IpAddr;
use std::time::Duration;

pub const SERVICE: &str = "_wled._tcp.local.";
pub const FPP_SERVICE: &str = "_fppd._udp.local.";

/// One answer: instance name, `ip:port`, MAC from TXT.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub instance: String,
    pub address: String,
    pub mac: String,
}

fn interface(spec: &str) -> EngineResult<IfKind> {
    Ok(match spec {
        "loopback" | "lo" => IfKind::LoopbackV4,
        "all" => IfKind::All,
        s => match s.parse::<IpAddr>() {
            Ok(ip) => IfKind::Addr(ip),
            Err(_) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) => {
                IfKind::Name(s.to_string())
            }
            Err(_) => {
                return Err(EngineError::invalid(
                    "interface",
                    s,
                    "loopback, all, an IP address of this machine, or an interface name such as eth0",
                ));
            }
        },
    })
}

/// Browse for WLED devices for `seconds`.
pub async fn browse(seconds: u32, iface: Option<&str>) -> EngineResult<Vec<Found>> {
    browse_service(SERVICE, true, seconds, iface).await
}

/// Browse for Falcon Player hosts; their address is the bare IP (the REST
/// API is always on port 80, the advertised port is MultiSync's).
pub async fn browse_fpp(seconds: u32, iface: Option<&str>) -> EngineResult<Vec<Found>> {
    browse_service(FPP_SERVICE, false, seconds, iface).await
}

/// Browse `service` for `seconds` and return every instance that resolved.
/// `http_port`: the advertised port is the HTTP port (WLED), else ignored.
async fn browse_service(service: &str, http_port: bool, seconds: u32, iface: Option<&str>) -> EngineResult<Vec<Found>> {
    if !(1..=60).contains(&seconds) {
        return Err(EngineError::invalid("seconds", seconds.to_string(), "1–60"));
    }
    let kind = iface.map(interface).transpose()?;
    let mdns = |e: mdns_sd::Error| EngineError::Other(format!("mDNS: {e}"));
    let daemon = ServiceDaemon::new().map_err(mdns)?;
    if let Some(k) = kind {
        daemon.disable_interface(IfKind::All).map_err(mdns)?;
        daemon.enable_interface(k).map_err(mdns)?;
    }
    let rx = daemon.browse(service).map_err(mdns)?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(u64::from(seconds));
    let mut found: Vec<Found> = Vec::new();
    while let Ok(Ok(ev)) = tokio::time::timeout_at(deadline, rx.recv_async()).await {
        if let ServiceEvent::ServiceResolved(info) = ev {
            let Some(ip) = info.get_addresses_v4().into_iter().next().copied() else { continue };
            let port = info.get_port();
            let address = if port == 80 || !http_port { ip.to_string() } else { format!("{ip}:{port}") };
            let instance = info.get_fullname().trim_end_matches(service).trim_end_matches('.').to_string();
            let mac = info.get_property_val_str("mac").unwrap_or("").to_lowercase();
            if !found.iter().any(|f| f.address == address) {
                found.push(Found { instance, address, mac });
            }
        }
    }
    let _ = daemon.shutdown();
    found.sort_by(|a, b| a.instance.cmp(&b.instance));
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn interface_specs() {
        assert!(super::interface("loopback").is_ok());
        assert!(super::interface("127.0.0.1").is_ok());
        assert!(super::interface("eth0").is_ok());
        assert!(super::interface("a b").is_err());
    }
}
