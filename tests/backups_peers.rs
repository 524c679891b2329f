#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Backups against real peers: Node-RED 4 from npm (deploy → back up →
//! redeploy → restore → `GET /flows` equals the original, with and without
//! adminAuth), a real Mosquitto broker with a responder that answers the
//! way Zigbee2MQTT documents (Zigbee2MQTT itself needs a radio adapter),
//! and a remote repository over SFTP on a real sshd.
//! Peers are installed by tests/peers/backups.sh (and sshd.sh).

mod backup_common;
mod common;

use homedeck::engine::BackupOutcome;
use backup_common::*;
use common::run;
use common::sshd::Sshd;
use homedeck::engine::internals::backup::archive::{extract::extract, reader, safety::Limits, sealed::derive_key, writer::Job};
use homedeck::engine::{Command, EngineHandle, Outcome, SecretValue};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/node-red")
}

fn node_red_bin() -> PathBuf {
    let bin = peers_dir().join("node_modules/.bin/node-red");
    if !bin.exists() || !peers_dir().join(".installed").exists() {
        let st = std::process::Command::new("bash").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/backups.sh")).status().unwrap();
        assert!(st.success() && bin.exists(), "Node-RED 4 is needed: run tests/peers/backups.sh");
    }
    bin
}

struct NodeRed {
    _child: Child,
    url: String,
    token: Option<String>,
}

fn bcrypt(pw: &str) -> String {
    let out = std::process::Command::new("node")
        .current_dir(peers_dir())
        .arg("-e")
        .arg(format!("process.stdout.write(require('bcryptjs').hashSync({pw:?}, 8))"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

async fn start_node_red(userdir: &Path, auth: Option<(&str, &str)>) -> NodeRed {
    let bin = node_red_bin();
    fs::create_dir_all(userdir).unwrap();
    let port = free_port();
    let admin = auth
        .map(|(u, p)| format!("adminAuth: {{ type: 'credentials', users: [{{ username: '{u}', password: '{}', permissions: '*' }}] }},", bcrypt(p)))
        .unwrap_or_default();
    fs::write(
        userdir.join("settings.js"),
        format!(
            "module.exports = {{ uiHost: '127.0.0.1', uiPort: {port}, flowFile: 'flows.json', credentialSecret: 'test-cred-secret', {admin} \
             telemetry: {{ enabled: false }}, diagnostics: {{ enabled: false }}, \
             externalModules: {{ autoInstall: false, palette: {{ allowInstall: false }} }}, logging: {{ console: {{ level: 'warn' }} }} }};\n"
        ),
    )
    .unwrap();
    let child = Child(
        std::process::Command::new(bin)
            .args(["--userDir", userdir.to_str().unwrap(), "--settings", userdir.join("settings.js").to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let ready = async {
        loop {
            if http.get(format!("{url}/auth/login")).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), ready).await.expect("Node-RED answers on /auth/login");
    let mut nr = NodeRed { _child: child, url, token: None };
    if let Some((u, p)) = auth {
        let form = [("client_id", "node-red-admin"), ("grant_type", "password"), ("scope", "*"), ("username", u), ("password", p)];
        let body: serde_json::Value = http.post(format!("{}/auth/token", nr.url)).form(&form).send().await.unwrap().json().await.unwrap();
        nr.token = body["access_token"].as_str().map(str::to_string);
        assert!(nr.token.is_some(), "{body}");
    }
    nr
}

impl NodeRed {
    async fn deploy(&self, flows: &serde_json::Value) {
        let mut r = reqwest::Client::new().post(format!("{}/flows", self.url)).header("Node-RED-Deployment-Type", "full").json(flows);
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 204, "{:?}", resp.text().await);
    }
    async fn flows(&self) -> serde_json::Value {
        let mut r = reqwest::Client::new().get(format!("{}/flows", self.url));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap().json().await.unwrap()
    }
}

fn flows(tag: &str) -> serde_json::Value {
    serde_json::json!([
        {"id": "tab1", "type": "tab", "label": format!("Flow {tag}"), "disabled": false, "info": ""},
        {"id": format!("inj-{tag}"), "type": "inject", "z": "tab1", "name": format!("tick {tag}"), "props": [{"p": "payload"}], "repeat": "", "once": false, "topic": "", "payload": tag, "payloadType": "str", "x": 120, "y": 80, "wires": [[format!("dbg-{tag}")]]},
        {"id": format!("dbg-{tag}"), "type": "debug", "z": "tab1", "name": "", "active": true, "tosidebar": true, "complete": "false", "x": 320, "y": 80, "wires": []}
    ])
}

async fn node_red_round_trip(auth: bool) {
    let t = tempfile::tempdir().unwrap();
    let userdir = t.path().join("nr");
    let nr = start_node_red(&userdir, auth.then_some(("admin", "admin-pass-1"))).await;
    nr.deploy(&flows("A")).await;
    let original = nr.flows().await;
    let e = common::open(&t.path().join("data"));
    let mut add = with(source_add("nr", "node_red", &userdir), |c| {
        if let Command::BackupSourceAdd { live, .. } = c {
            *live = Some(nr.url.clone());
        }
    });
    if auth {
        common::init(&e).await;
        common::add(&e, "nr-admin", "admin-pass-1").await;
        // Without credentials: refused with a clear message.
        run(&e, with(add, |c| if let Command::BackupSourceAdd { name, .. } = c { *name = "nr-noauth".into() })).await.unwrap();
        let err = run(&e, Command::BackupCreate { source: "nr-noauth".into(), password: Some(SecretValue::new("pw-12345")) }).await.unwrap_err().to_string();
        assert!(err.contains("adminAuth"), "{err}");
        add = with(source_add("nr", "node_red", &userdir), |c| {
            if let Command::BackupSourceAdd { live, login, .. } = c {
                *live = Some(nr.url.clone());
                *login = Some("admin:nr-admin".into());
            }
        });
    }
    run(&e, add).await.unwrap();
    let b = create(&e, "nr", Some("pw-12345")).await;
    assert!(b.encrypted(), "Node-RED holds credentials: encrypted by default");
    // Change and redeploy.
    nr.deploy(&flows("B")).await;
    assert_ne!(nr.flows().await, original);
    let Outcome::Backup(BackupOutcome::BackupPreview { preview }) = run(&e, restore(b.id, Some("pw-12345"), false)).await.unwrap() else { panic!() };
    assert!(preview.changed.contains(&"flows.json".to_string()), "{preview:?}");
    assert!(preview.live.contains(&"flows.json".to_string()));
    // An installed node module, which the backup leaves out: the restore carries it over.
    fs::create_dir_all(userdir.join("node_modules/kept")).unwrap();
    fs::write(userdir.join("node_modules/kept/index.js"), "module.exports = 1;").unwrap();
    let Outcome::Backup(BackupOutcome::BackupRestored { pre_restore, .. }) = run(&e, restore(b.id, Some("pw-12345"), true)).await.unwrap() else { panic!() };
    assert!(pre_restore.is_some());
    assert_eq!(nr.flows().await, original, "GET /flows equals the original after the restore");
    let on_disk: serde_json::Value = serde_json::from_slice(&fs::read(userdir.join("flows.json")).unwrap()).unwrap();
    assert_eq!(on_disk, original);
    assert_eq!(fs::read_to_string(userdir.join("node_modules/kept/index.js")).unwrap(), "module.exports = 1;", "node_modules survives the restore");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_red_flows_restored_through_the_admin_api() {
    node_red_round_trip(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_red_with_admin_auth() {
    node_red_round_trip(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_red_warns_without_the_credential_key() {
    let t = tempfile::tempdir().unwrap();
    let userdir = t.path().join("nr");
    fs::create_dir_all(userdir.join("node_modules/x")).unwrap();
    fs::create_dir_all(userdir.join("lib/flows")).unwrap();
    fs::write(userdir.join("flows.json"), "[]").unwrap();
    fs::write(userdir.join("flows_cred.json"), "{\"$\":\"abc\"}").unwrap();
    fs::write(userdir.join("node_modules/x/index.js"), "x").unwrap();
    fs::write(userdir.join("lib/flows/f.json"), "{}").unwrap();
    let e = common::open(&t.path().join("data"));
    run(&e, with(source_add("nr", "node_red", &userdir), |c| if let Command::BackupSourceAdd { encrypt, .. } = c { *encrypt = Some(false) })).await.unwrap();
    let b = create(&e, "nr", None).await;
    assert_eq!(b.files, 3, "flows, credentials and lib/, not node_modules");
    assert!(b.warnings.iter().any(|w| w.contains(".config.runtime.json")), "{:?}", b.warnings);
    // A restore keeps node_modules, which the backup leaves out.
    run(&e, restore(b.id, None, true)).await.unwrap();
    assert!(userdir.join("node_modules/x/index.js").exists());
}

struct Mosquitto {
    _child: Child,
    port: u16,
}

fn start_mosquitto(dir: &Path) -> Mosquitto {
    let bin = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].into_iter().find(|p| Path::new(p).exists()).expect("mosquitto is needed: run tests/peers/backups.sh");
    let port = free_port();
    let conf = dir.join("mosquitto.conf");
    fs::write(&conf, format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")).unwrap();
    let child = Child(std::process::Command::new(bin).arg("-c").arg(&conf).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap());
    wait_for(10, "mosquitto", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    Mosquitto { _child: child, port }
}

/// Answers `zigbee2mqtt/bridge/request/backup` the way Zigbee2MQTT does.
async fn responder(port: u16, reply: String) -> tokio::task::JoinHandle<()> {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
    let mut o = MqttOptions::new("fake-z2m-responder", "127.0.0.1", port);
    o.set_max_packet_size(64 << 20, 64 << 20);
    let (client, mut ev) = AsyncClient::new(o, 10);
    client.subscribe("zigbee2mqtt/bridge/request/backup", QoS::AtLeastOnce).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let h = tokio::spawn(async move {
        let mut tx = Some(tx);
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(t) = tx.take() {
                        let _ = t.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(_))) => {
                    client.publish("zigbee2mqtt/bridge/response/backup", QoS::AtLeastOnce, false, reply.clone()).await.unwrap();
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(10), rx).await.unwrap().unwrap();
    h
}

fn zip_of(dir: &Path, out: &Path) -> Vec<u8> {
    let st = std::process::Command::new("python3")
        .args(["-c", "import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[2],'w')\nfor n in sorted(os.listdir(sys.argv[1])):\n  z.write(os.path.join(sys.argv[1],n),n)\nz.close()", dir.to_str().unwrap(), out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    fs::read(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zigbee2mqtt_live_backup_over_a_real_broker() {
    use base64::Engine as _;
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("z2m");
    fs::create_dir_all(&data).unwrap();
    fs::write(data.join("configuration.yaml"), "homeassistant: true\nmqtt:\n  base_topic: zigbee2mqtt\nadvanced:\n  network_key: [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13]\n").unwrap();
    fs::write(data.join("coordinator_backup.json"), r#"{"metadata":{"format":"zigpy/open-coordinator-backup","version":1},"network_key":{"key":"01030507090b0d0f00020406080a0c0d"}}"#).unwrap();
    fs::write(data.join("database.db"), "{\"id\":1,\"type\":\"Coordinator\"}\n").unwrap();
    fs::write(data.join("state.json"), "{}").unwrap();
    let zip = zip_of(&data, &t.path().join("backup.zip"));
    let m = start_mosquitto(t.path());
    let reply = serde_json::json!({"data": {"zip": base64::engine::general_purpose::STANDARD.encode(&zip)}, "status": "ok"}).to_string();
    let r = responder(m.port, reply).await;
    let e = common::open(&t.path().join("data"));
    run(&e, with(source_add("z2m", "zigbee2mqtt", &data), |c| if let Command::BackupSourceAdd { live, .. } = c { *live = Some(format!("127.0.0.1:{}/zigbee2mqtt", m.port)) })).await.unwrap();
    let b = create(&e, "z2m", Some("z2m-password")).await;
    assert!(b.encrypted(), "the network key is in there");
    // The archive holds the zip exactly as Zigbee2MQTT sent it.
    let path = t.path().join("data/backups").join(&b.file);
    let header = reader::read_header(&path).unwrap();
    let key = derive_key(b"z2m-password", header.encryption.as_ref().unwrap()).unwrap();
    let out = t.path().join("out");
    fs::create_dir(&out).unwrap();
    extract(reader::open(&path, Some(&key)).unwrap(), &out, &Limits::default(), None, &Job::default(), None).unwrap();
    assert_eq!(fs::read(out.join("live/zigbee2mqtt-backup.zip")).unwrap(), zip);
    assert_eq!(fs::read(out.join("files/configuration.yaml")).unwrap(), fs::read(data.join("configuration.yaml")).unwrap());
    r.abort();
    // An error reply is reported with Zigbee2MQTT's own words.
    let r = responder(m.port, r#"{"data":{},"status":"error","error":"Failed to create backup (adapter offline)"}"#.into()).await;
    let err = run(&e, Command::BackupCreate { source: "z2m".into(), password: Some(SecretValue::new("z2m-password")) }).await.unwrap_err().to_string();
    assert!(err.contains("adapter offline"), "{err}");
    r.abort();
}

async fn add_server(e: &EngineHandle, d: &Sshd) {
    run(e, d.server_add("nas")).await.unwrap();
    run(e, Command::ServerTest { name: "nas".into() }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_repository_over_sftp() {
    let t = tempfile::tempdir().unwrap();
    let d = Sshd::start(&t.path().join("sshd"));
    let e = common::open(&t.path().join("data"));
    common::init(&e).await;
    add_server(&e, &d).await;
    let remote = t.path().join("remote-repo");
    run(&e, Command::BackupRepoAdd { name: "offsite".into(), server: "nas".into(), path: remote.to_string_lossy().into_owned() }).await.unwrap();
    let src = t.path().join("conf");
    config_tree(&src);
    run(&e, with(source_add("conf", "dir", &src), |c| if let Command::BackupSourceAdd { repo, .. } = c { *repo = Some("offsite".into()) })).await.unwrap();
    let b = create(&e, "conf", None).await;
    assert_eq!(b.repo, "offsite");
    let on_server = remote.join(&b.file);
    assert!(on_server.is_file(), "uploaded to {}", on_server.display());
    assert!(!t.path().join("data/backups/conf").exists(), "nothing kept locally");
    assert_eq!(fs::read_dir(t.path().join("data/backups/.partial")).unwrap().count(), 0);
    run(&e, Command::BackupVerify { id: Some(b.id), password: None }).await.unwrap();
    fs::write(src.join("configuration.yaml"), "changed").unwrap();
    run(&e, restore(b.id, None, true)).await.unwrap();
    assert!(fs::read_to_string(src.join("configuration.yaml")).unwrap().contains("name: Home"));
    // Tampered on the server: verify says so.
    let mut raw = fs::read(&on_server).unwrap();
    raw[40] ^= 1;
    fs::write(&on_server, raw).unwrap();
    let err = run(&e, Command::BackupVerify { id: Some(b.id), password: None }).await.unwrap_err().to_string();
    // Byte 40 lies in the header JSON (its compression name): the reason names the damaged value.
    assert!(err.contains("archive header is not valid") && err.contains("unknown variant"), "the tampering is named: {err}");
    // Forget deletes on the server too.
    let forget = Command::BackupForget { source: "conf".into(), keep_last: Some(1), keep_hourly: None, keep_daily: None, keep_weekly: None, keep_monthly: None, dry_run: Some(false) };
    run(&e, forget).await.unwrap();
    let left: Vec<_> = fs::read_dir(remote.join("conf")).unwrap().collect();
    assert_eq!(left.len(), 1, "the pre-restore backup stays, the first is gone");
}
