//! WLED discovery over mDNS, inside a private network namespace with only
//! loopback (so nothing is multicast on a real interface): a device
//! announced as `_wled._tcp` with its MAC in TXT is found, added, and then
//! shown as known; a Falcon Player announcing `_fppd._udp` is found too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod lights_peer;

use homedeck::engine::LightsOutcome;
use homedeck::engine::{Command, Outcome};
use lights_peer::{WledPeer, fixtures, netns};
use mdns_sd::{IfKind, ServiceDaemon, ServiceInfo};

#[test]
fn discovers_wled_over_mdns_on_loopback() {
    if netns::enter("discovery_inner") {
        unreachable!("the inner test runs by name");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs inside a private network namespace, started by discovers_wled_over_mdns_on_loopback"]
async fn discovery_inner() {
    let peer = WledPeer::start_as(&fixtures().join("wled/versions/16.0.0.json"), "0200000000aa").await;
    let announcer = ServiceDaemon::new().unwrap();
    announcer.disable_interface(IfKind::All).unwrap();
    announcer.enable_interface(IfKind::LoopbackV4).unwrap();
    let props = [("mac", "0200000000aa")];
    let info = ServiceInfo::new(
        "_wled._tcp.local.",
        "wled-porch",
        "wled-porch.local.",
        "127.0.0.1",
        peer.addr.port(),
        &props[..],
    )
    .unwrap();
    announcer.register(info).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let e = common::open(dir.path());
    let discover = || Command::WledDiscover { seconds: Some(3), interface: Some("loopback".into()) };
    let Outcome::Lights(LightsOutcome::WledDiscovered { found }) = common::run(&e, discover()).await.unwrap() else { panic!() };
    let hit = found.iter().find(|f| f.instance == "wled-porch").unwrap_or_else(|| panic!("not found: {found:?}"));
    assert_eq!(hit.address, peer.address());
    assert_eq!(hit.mac, "0200000000aa");
    assert!(hit.known_as.is_none());

    common::run(&e, Command::WledAdd { address: hit.address.clone(), name: None, site: None }).await.unwrap();
    let Outcome::Lights(LightsOutcome::WledDiscovered { found }) = common::run(&e, discover()).await.unwrap() else { panic!() };
    // The device calls itself "WLED": that becomes its name.
    assert_eq!(found[0].known_as.as_deref(), Some("wled"));
    // A Falcon Player (FPP ≥ 10) announces _fppd._udp on its MultiSync
    // port; homedeck reports the bare address, where its REST API lives.
    let fpp = ServiceInfo::new("_fppd._udp.local.", "fpp-show", "fpp-show.local.", "127.0.0.1", 32320, &[("version", "10.1")][..]).unwrap();
    announcer.register(fpp).unwrap();
    let Outcome::Lights(LightsOutcome::FppDiscovered { found }) =
        common::run(&e, Command::FppDiscover { seconds: Some(3), interface: Some("loopback".into()) }).await.unwrap()
    else {
        panic!()
    };
    let hit = found.iter().find(|f| f.instance == "fpp-show").unwrap_or_else(|| panic!("FPP not found: {found:?}"));
    assert_eq!(hit.address, "127.0.0.1");
    assert!(hit.known_as.is_none());
    assert!(found.iter().all(|f| f.instance != "wled-porch"), "only FPP answers the FPP browse");
    let _ = announcer.shutdown();
}
