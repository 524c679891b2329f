#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A Home Assistant token given to `homedeck ha add` must never reach log
//! files, audit entries, error messages or the sled files in clear — on the
//! way in, and when the instance is unreachable (test, states, call fail).

#[path = "common/cli_env.rs"]
mod cli_env;

use cli_env::{CliEnv, contains, regular_files};
use std::process::Output;

const CANARY: &str = "CANARY-ha-token-5e1f0c2d-do-not-leak";
const PASS: &str = "PASSPHRASE-deploy-canary-a1b2";

fn run(root: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    CliEnv::new(root).cmd(args, stdin)
}

#[test]
fn ha_token_never_leaks() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(root.join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
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
    let all = regular_files(root);
    assert!(all.iter().any(|p| p.to_string_lossy().contains("state")), "trace logging wrote nothing");
    for f in all.iter().filter(|f| f.file_name().is_none_or(|n| n != "pass")) {
        assert!(!contains(&std::fs::read(f).unwrap(), CANARY), "token in clear in {}", f.display());
    }
}

/// `ha add --deployment` resolves the URL through the deploy domain (handed
/// to `ha` at engine start, so `ha` does not import `deploy`): a missing
/// deployment is named, with or without `--url`, and a bad profile name is
/// refused by `ha`'s own rule before anything is looked up.
#[test]
fn ha_add_names_a_missing_deployment_and_a_bad_profile_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("pass"), format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(root.join("pass"), <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600)).unwrap();
    assert!(run(root, &["vault", "init"], None).status.success());
    for args in [
        vec!["ha", "add", "home", "--deployment", "nope"],
        vec!["ha", "add", "home", "--url", "http://127.0.0.1:8123", "--deployment", "nope"],
    ] {
        let o = run(root, &args, Some(CANARY));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("no deployment named \"nope\""), "{err}");
    }
    let o = run(root, &["ha", "add", "a b", "--url", "http://127.0.0.1:8123"], Some(CANARY));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("profile name") && err.contains("\"a b\""), "{err}");
    // A bad --site is refused before the token is asked for (no stdin here:
    // had it prompted first, the error would be about the token).
    let o = run(root, &["ha", "add", "x", "--url", "http://127.0.0.1:8123", "--site", "the cabin"], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("site") && err.contains("\"the cabin\"") && !err.contains("token"), "{err}");
    let list = run(root, &["--json", "ha", "list"], None);
    assert!(!String::from_utf8_lossy(&list.stdout).contains("home"), "{}", String::from_utf8_lossy(&list.stdout));
}
