#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A Home Assistant token given to `homedeck ha add` must never reach log
//! files, audit entries, error messages or the sled files in clear — on the
//! way in, and when the instance is unreachable (test, states, call fail).

use std::io::Write;
use std::process::{Command, Output, Stdio};

const CANARY: &str = "CANARY-ha-token-5e1f0c2d-do-not-leak";
const PASS: &str = "PASSPHRASE-deploy-canary-a1b2";

fn run(root: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_homedeck"));
    c.args(args)
        .env("HOMEDECK_DATA_DIR", root.join("data"))
        .env("HOMEDECK_CONFIG_DIR", root.join("config"))
        .env("HOMEDECK_STATE_DIR", root.join("state"))
        .env("HOMEDECK_PASSPHRASE_FILE", root.join("pass"))
        .env("HOMEDECK_NEW_PASSPHRASE_FILE", root.join("pass"))
        .env("HOMEDECK_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if e.file_type().unwrap().is_file() {
            out.push(p);
        }
    }
}

#[test]
fn ha_token_never_leaks() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("pass"), format!("{PASS}\n")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut outputs = Vec::new();
    assert!(run(root, &["vault", "init"], None).status.success());
    let o = run(root, &["ha", "add", "home", "--url", &url], Some(CANARY));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    outputs.push(o);
    for args in [
        vec!["ha", "test", "home"],
        vec!["ha", "states", "home"],
        vec!["ha", "call", "home", "light.turn_off", "--entity", "light.x", "--yes"],
        vec!["ha", "add", "home", "--url", &url],
        vec!["--json", "ha", "list"],
    ] {
        let o = run(root, &args, Some(CANARY));
        outputs.push(o);
    }
    // Every create option parses (no clash with the global --config-dir).
    let o = run(root, &["deploy", "create", "x", "--server", "nope", "--version", "2024.3.3", "--ha-config-dir", "/srv/ha",
        "--root", "/srv", "--python", "/usr/bin/python3", "--find-links", "/w", "--bind", "127.0.0.1", "--port", "8200",
        "--supervisor", "homedeck", "--runtime", "venv", "--no-wait"], None);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no server named \"nope\""), "{}", String::from_utf8_lossy(&o.stderr));
    let failed = String::from_utf8_lossy(&outputs[1].stderr).to_string();
    assert!(failed.contains("did not answer") && failed.contains(&url), "{failed}");
    let audit = run(root, &["--json", "audit", "search", "--limit", "1000"], None);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("ha_call"));
    outputs.push(audit);
    for o in &outputs {
        for bytes in [&o.stdout, &o.stderr] {
            assert!(!String::from_utf8_lossy(bytes).contains(CANARY), "token leaked: {}", String::from_utf8_lossy(bytes));
        }
    }
    let mut all = Vec::new();
    files(root, &mut all);
    assert!(all.iter().any(|p| p.to_string_lossy().contains("state")), "trace logging wrote nothing");
    for f in all.iter().filter(|f| f.file_name().is_none_or(|n| n != "pass")) {
        let bytes = std::fs::read(f).unwrap();
        assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "token in clear in {}", f.display());
    }
}
