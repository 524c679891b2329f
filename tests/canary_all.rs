#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! One canary over every capability at once, in one data dir: a vault
//! secret, a server's SSH password (tried against the test sshd), an ESPHome
//! API key and OTA password (against the ESPHome peer), a Home Assistant
//! token (against a port nobody answers on: the failing path), and a backup
//! password (an encrypted backup created, verified and previewed). Then the
//! binary is killed with kill -9 in the middle of a backup, and the doctor,
//! every list in JSON, the audit log and the events are read. The canary may
//! appear only in the one explicit `secret reveal`; never in any output,
//! crash output, log, audit entry or file under the data, config and log
//! dirs. The per-domain canaries (canary.rs, esphome_canary.rs,
//! deploy_canary.rs, servers_secrets.rs) go deeper into each domain.

mod common;
mod esphome_common;
use base64::Engine as _;
use common::cli_env::{CliEnv, contains, regular_files};
use common::sshd::Sshd;
use esphome_common::Peer;
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

const MARK: &str = "CANARYX9";
/// 32 bytes, as an ESPHome API key must be; stored base64.
const ESP_RAW: &[u8; 32] = b"CANARYX9-esphome-key-0123456789a";

fn private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn one_canary_in_every_capability_reaches_nothing_but_its_reveal() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    private(&root.join("pass"), "canary-all vault passphrase\n");
    private(&root.join("backup-pass"), &format!("{MARK}-backup-password\n"));
    let mut env = CliEnv::new(root);
    env.extra.push(("HOMEDECK_BACKUP_PASSWORD_FILE".into(), root.join("backup-pass").display().to_string()));
    let esp_key = base64::engine::general_purpose::STANDARD.encode(ESP_RAW);
    let ota = format!("{MARK}-ota-password");
    let sshd = Sshd::start(&root.join("sshd"));
    let peer = Peer::start(&["--name", "canary", "--key", &esp_key, "--ota-password", &ota]);

    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |label: &str, args: &[&str], stdin: Option<&str>| -> Output {
        let o = env.cmd(args, stdin);
        outputs.push((label.to_string(), o.clone()));
        o
    };
    let ok = |o: &Output, what: &str| assert!(o.status.success(), "{what}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));

    ok(&run("init", &["vault", "init"], None), "init");
    // Vault.
    ok(&run("secret", &["secret", "add", "plain", "--kind", "api_key"], Some(&format!("{MARK}-vault-secret"))), "secret add");
    let reveal = run("reveal", &["secret", "reveal", "plain"], None);
    assert_eq!(String::from_utf8_lossy(&reveal.stdout).trim(), format!("{MARK}-vault-secret"), "the explicit reveal shows it");
    // Servers: a password login that the sshd refuses.
    let port = sshd.port.to_string();
    run("server", &["server", "add", "box", "--host", "127.0.0.1", "--port", &port, "--user", "nobody-here", "--password"], Some(&format!("{MARK}-ssh-password")));
    run("server-test", &["server", "test", "box"], None);
    // ESPHome: key and OTA password as vault secrets, used over the wire.
    ok(&run("esp-key", &["secret", "add", "esp-key", "--kind", "api_key"], Some(&esp_key)), "esp key");
    ok(&run("esp-ota", &["secret", "add", "esp-ota", "--kind", "password"], Some(&ota)), "esp ota");
    let (api, ota_port) = (peer.api.to_string(), peer.ota.to_string());
    ok(&run("esp-add", &["esphome", "add", "canary", "127.0.0.1", "--port", &api, "--key-secret", "esp-key", "--ota-port", &ota_port, "--ota-password-secret", "esp-ota", "--platform", "esp32"], None), "esphome add");
    ok(&run("esp-info", &["--json", "esphome", "info", "canary"], None), "esphome info");
    // Home Assistant: a token for an instance that does not answer.
    run("ha-add", &["ha", "add", "home", "--url", "http://127.0.0.1:9"], Some(&format!("{MARK}-ha-token")));
    run("ha-test", &["ha", "test", "home"], None);
    // Backups: an encrypted one, verified and previewed; then one killed.
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("configuration.yaml"), "name: Home\n".repeat(100)).unwrap();
    let mut f = std::fs::File::create(src.join("blob")).unwrap();
    std::io::copy(&mut std::io::Read::take(std::fs::File::open("/dev/urandom").unwrap(), 64 << 20), &mut f).unwrap();
    ok(&run("source", &["backup", "source", "add", "conf", "--kind", "dir", "--path", src.to_str().unwrap(), "--encrypt", "true"], None), "source add");
    ok(&run("create", &["backup", "create", "conf"], None), "backup create");
    ok(&run("verify", &["backup", "verify", "1"], None), "backup verify");
    run("preview", &["backup", "restore", "1"], None);
    let mut child = {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_homedeck"));
        c.args(["backup", "create", "conf"])
            .env("HOMEDECK_DATA_DIR", root.join("data"))
            .env("HOMEDECK_CONFIG_DIR", root.join("config"))
            .env("HOMEDECK_STATE_DIR", root.join("state"))
            .env("HOMEDECK_PASSPHRASE_FILE", root.join("pass"))
            .env("HOMEDECK_BACKUP_PASSWORD_FILE", root.join("backup-pass"))
            .env("HOMEDECK_LOG", "trace")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c.spawn().unwrap()
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    let killed = child.wait_with_output().unwrap();
    // Everything a front end can read back.
    for (label, args) in [
        ("doctor", &["--json", "doctor", "--read-data"][..]),
        ("secrets", &["--json", "secret", "list"]),
        ("servers", &["--json", "server", "list"]),
        ("esphome", &["--json", "esphome", "list"]),
        ("ha", &["--json", "ha", "list"]),
        ("backups", &["--json", "backup", "list"]),
        ("audit", &["--json", "audit", "search", "--limit", "10000"]),
        ("events", &["--json", "events"]),
        ("commands", &["--json", "commands"]),
    ] {
        run(label, args, None);
    }
    outputs.push(("killed create".into(), killed));
    let audit = &outputs.iter().find(|(l, _)| l == "audit").unwrap().1;
    let audit_text = String::from_utf8_lossy(&audit.stdout);
    for action in ["secret_add", "server_add", "esphome_add", "backup_create", "backup_verify"] {
        assert!(audit_text.contains(action), "{action} is audited: {audit_text}");
    }

    let needles = [MARK.as_bytes().to_vec(), esp_key.as_bytes().to_vec(), ESP_RAW.to_vec()];
    let shown = |n: &[u8]| String::from_utf8_lossy(n).into_owned();
    for (label, o) in &outputs {
        for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            if label == "reveal" && what == "stdout" {
                continue; // the one place it is meant to appear
            }
            for n in &needles {
                assert!(!bytes.windows(n.len()).any(|w| w == &n[..]), "{} leaked in {what} of `{label}`", shown(n));
            }
        }
    }
    let files: Vec<_> = ["data", "config", "state"].iter().flat_map(|d| regular_files(&root.join(d))).collect();
    let logs: String = files.iter().filter(|p| p.starts_with(root.join("state"))).map(|p| std::fs::read_to_string(p).unwrap_or_default()).collect();
    assert!(logs.contains("esphome_info") && logs.contains("backup_create"), "trace logging ran");
    assert!(files.iter().any(|p| p.extension().is_some_and(|e| e == "hdbk")), "the encrypted archive is among the files read");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for n in &needles {
            assert!(!contains(&bytes, &shown(n)), "{} found in clear in {}", shown(n), f.display());
        }
    }
}
