//! `--dry-run` on the real binary, in-process and attached to a running
//! daemon, and `Handle::preview` through the daemon socket: the preview is
//! printed (a card, or JSON with `--json`), the exit status is 0, and the
//! store and the audit log are exactly as before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod daemon_common;

use daemon_common::Home;
use homedeck::daemon::client::Client;
use homedeck::engine::{Actor, Command, Frontend, Permission};
use homedeck::handle::Handle;

/// The audit log as `audit search --json` prints it.
fn audit(home: &Home) -> Vec<serde_json::Value> {
    let (ok, out, err) = home.hd(&["--json", "audit", "search", "--limit", "500"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v.pointer("/page/entries").or(v.get("entries")).cloned().unwrap_or(v);
    entries.as_array().cloned().unwrap_or_default()
}

/// The server list's NAME and ADDRESS columns (health changes as the
/// daemon polls; the inventory must not).
fn servers(home: &Home) -> String {
    let (ok, out, err) = home.hd(&["server", "list"]);
    assert!(ok, "{err}");
    out.lines().skip(1).map(|l| l.split_whitespace().next().unwrap_or("").to_string() + " " + l.split_whitespace().find(|w| w.contains('@') || *w == "this").unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The actions of the audit log, newest first.
fn changes(home: &Home) -> Vec<String> {
    audit(home).iter().map(|e| e["action"].as_str().unwrap_or("").to_string()).collect()
}

fn dry_runs_change_nothing(home: &Home) {
    home.hd(&["server", "add", "web1", "--host", "127.0.0.1:2222", "--agent", "--tag", "web"]);
    let before_servers = servers(home);
    let before_audit = changes(home);

    // A card for people, exit 0.
    let (ok, out, err) = home.hd(&["server", "add", "nas", "--host", "127.0.0.1:2200", "--agent", "--site", "cabin", "--dry-run"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.starts_with("server_add (write): add server nas at 127.0.0.1"), "{out}");
    assert!(out.contains("nas site: (none) → cabin") && out.contains("undo: server_remove name=nas") && out.contains("dry run: nothing was changed"), "{out}");

    // JSON for scripts.
    let (ok, out, err) = home.hd(&["--json", "--dry-run", "server", "exec", "tag:web", "--", "uptime"]);
    assert!(ok, "{out}\n{err}");
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["command"], "server_exec");
    assert_eq!(p["targets"], serde_json::json!(["web1"]));
    assert!(p["unavailable"].as_str().unwrap().contains("cannot be known before it runs"));

    // A dangerous command that asks first: no question, no change.
    let (ok, out, err) = home.hd(&["server", "rm", "web1", "--dry-run"]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("server_remove (dangerous)") && out.contains("undo: server_add name=web1"), "{out}");

    // A bad target fails as the command would, naming it.
    let (ok, _, err) = home.hd(&["server", "exec", "tag:nope", "--dry-run", "--", "uptime"]);
    assert!(!ok && err.contains("tag:nope"), "{err}");

    assert_eq!(servers(home), before_servers);
    assert!(!servers(home).contains("nas"));
    let after = changes(home);
    let new: Vec<&String> = after.iter().take(after.len() - before_audit.len()).collect();
    // (A daemon may audit its own background work meanwhile; none of it is a server verb.)
    assert!(!new.iter().any(|a| a.starts_with("server_")), "the dry runs left entries: {new:?}");
}

#[test]
fn dry_run_in_process_prints_the_preview_and_changes_nothing() {
    let home = Home::new();
    dry_runs_change_nothing(&home);
}

#[test]
fn dry_run_attached_to_the_daemon_prints_the_preview_and_changes_nothing() {
    let home = Home::new();
    let _daemon = home.daemon();
    dry_runs_change_nothing(&home);
    assert_eq!(home.status()["running"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handle_preview_crosses_the_daemon_socket() {
    let home = Home::new();
    let _daemon = home.daemon();
    let (ok, _, err) = home.hd(&["server", "add", "web1", "--host", "127.0.0.1:2222", "--agent"]);
    assert!(ok, "{err}");
    let client = Client::attach(&home.data(), Frontend::Cli, false, false).await.map_err(|e| format!("{e:?}")).unwrap();
    let handle = Handle::Attached { client, readonly: true };
    let actor = Actor::current(Frontend::Cli);
    let edit = Command::ServerEdit {
        name: "web1".into(), host: None, port: Some(2200), user: None, auth: None, secret: None,
        key: None, key_passphrase: None, password: None, tags: None, site: None,
    };
    // Read-only clients may preview: it changes nothing.
    let p = handle.preview(edit, actor.clone()).await.unwrap();
    assert_eq!((p.command.as_str(), p.class), ("server_edit", Permission::Write));
    let port = p.changes.iter().find(|c| c.field == "port").unwrap();
    assert_eq!((port.from.as_deref(), port.to.as_deref()), (Some("2222"), Some("2200")));
    assert!(matches!(p.inverse, Some(Command::ServerEdit { port: Some(2222), .. })));
    // The engine's errors cross as themselves.
    let err = handle.preview(Command::ServerRemove { name: "ghost".into() }, actor).await.unwrap_err();
    assert!(matches!(err, homedeck::engine::EngineError::NotFound { .. }), "{err:?}");
    assert!(servers(&home).contains("127.0.0.1:2222"));
}
