//! ESPHome device peers for the integration tests: the Python device in
//! tests/peers/esphome_device.py (aioesphomeapi's protobuf modules, Noise via
//! noiseprotocol, an espota2 receiver), started on 127.0.0.1 with ephemeral
//! ports and killed by pid when its guard drops.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

pub const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const OTHER_KEY: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=";

/// Register the test device listening on 127.0.0.1:`port` as `name`
/// (encrypted with the vault secret `key_secret` when given), as the
/// tests' CLI actor.
pub async fn add_device(e: &homedeck::engine::EngineHandle, name: &str, port: u16, key_secret: Option<&str>) {
    let add = homedeck::engine::Command::EsphomeAdd {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: Some(port),
        key_secret: key_secret.map(String::from),
        ota_port: None,
        ota_password_secret: None,
        platform: Some("ESP32".into()),
        site: None,
    };
    let actor = homedeck::engine::Actor { user: "tester".into(), frontend: homedeck::engine::Frontend::Cli };
    e.execute(add, actor).await.unwrap_or_else(|err| panic!("esphome_add {name}: {err}"));
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn venv() -> PathBuf {
    std::env::var_os("HOMEDECK_ESPHOME_VENV").map(PathBuf::from).unwrap_or_else(|| root().join("target/peers/esphome-venv"))
}

pub fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Install the peer's venv (idempotent) or fail naming the script.
pub fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let status = Command::new("bash").arg(root().join("tests/peers/esphome.sh")).status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "the ESPHome peer could not be set up: run `bash tests/peers/esphome.sh` (needs python3 and PyPI)"
        );
    });
}

/// A running device peer. Its stdout (JSON event lines) is collected.
pub struct Peer {
    child: Child,
    pub api: u16,
    pub ota: u16,
    pub out: Arc<Mutex<Vec<String>>>,
}

impl Peer {
    pub fn start(args: &[&str]) -> Peer {
        Peer::start_with(None, args)
    }

    /// `wrapper` runs the peer inside something (e.g. `ip netns exec NS`).
    pub fn start_with(wrapper: Option<&[&str]>, args: &[&str]) -> Peer {
        setup();
        let script = root().join("tests/peers/esphome_device.py");
        let mut cmd = match wrapper {
            Some(w) => {
                let mut c = Command::new(w[0]);
                c.args(&w[1..]).arg(python()).arg(&script);
                c
            }
            None => {
                let mut c = Command::new(python());
                c.arg(&script);
                c
            }
        };
        let mut child = cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start peer");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines.next().expect("peer said nothing").expect("read peer");
        assert!(ready.starts_with("READY"), "peer did not start: {ready}");
        let port = |k: &str| -> u16 {
            ready.split_whitespace().find_map(|w| w.strip_prefix(k)).and_then(|p| p.parse().ok()).expect("port")
        };
        let (api, ota) = (port("api="), port("ota="));
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Peer { child, api, ota, out }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the peer reported so far (one JSON object per line).
    pub fn events(&self) -> Vec<String> {
        self.out.lock().unwrap().clone()
    }

    pub fn saw(&self, event: &str) -> bool {
        self.events().iter().any(|l| l.contains(&format!("\"event\": \"{event}\"")))
    }

    pub fn wait_for(&self, event: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if self.saw(event) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Simulate a reboot: connections drop, the port refuses for a moment.
    pub fn reboot(&self) {
        let ok = Command::new("kill").args(["-USR1", &self.pid().to_string()]).status().is_ok_and(|s| s.success());
        assert!(ok, "could not signal the peer");
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A firmware image for ESP32 that the peer reads its new version from.
pub fn firmware(dir: &std::path::Path, version: &str, size: usize) -> PathBuf {
    let mut b = vec![0xE9u8];
    let mut x: u32 = 12345;
    while b.len() < size {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        // Half-compressible, like real images.
        b.push(if b.len() % 3 == 0 { 0 } else { (x >> 16) as u8 });
    }
    b.extend_from_slice(format!("ESPHOME_VERSION={version}\0").as_bytes());
    let p = dir.join(format!("fw-{version}.bin"));
    std::fs::write(&p, b).unwrap();
    p
}
