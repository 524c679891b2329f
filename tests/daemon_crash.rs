#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `kill -9` of the real daemon in the middle of a restore and in the middle
//! of vault writes (mid-backup is in daemon_attach.rs). After a restart:
//! nothing acknowledged is lost, the interrupted restore is rolled back and
//! recorded as interrupted, the vault opens, and clients attach again.

mod daemon_common;
use daemon_common::*;
use daemon_common::cli_env;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn kill_9_mid_restore_rolls_back_and_is_reported_as_interrupted() {
    let home = Home::new();
    let mut d = home.daemon();
    let src = home.dir.path().join("conf");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("configuration.yaml"), "name: Home\n").unwrap();
    let add = ["backup", "source", "add", "conf", "--kind", "dir", "--path", src.to_str().unwrap(), "--health", "sleep 60"];
    let (ok, _, err) = home.hd(&add);
    assert!(ok, "{err}");
    let (ok, _, err) = home.hd(&["backup", "create", "conf"]);
    assert!(ok, "{err}");
    std::fs::write(src.join("configuration.yaml"), "edited: after the backup\n").unwrap();
    std::fs::write(src.join("extra.yaml"), "e: 1\n").unwrap();

    // Attached restore; the swap is done once the old content is back and
    // the health check (sleep 60) runs.
    let mut cli = home.spawn(&["backup", "restore", "1", "--yes"]);
    wait_for(60, "the swap", || std::fs::read_to_string(src.join("configuration.yaml")).is_ok_and(|s| s.contains("name: Home")));
    d.signal("KILL");
    let _ = d.wait(Duration::from_secs(10));
    assert!(!cli.wait().unwrap().success(), "the attached restore cannot claim success");

    // The next daemon rolls it back at start and says so.
    let _d2 = home.daemon();
    assert_eq!(std::fs::read_to_string(src.join("configuration.yaml")).unwrap(), "edited: after the backup\n");
    assert!(src.join("extra.yaml").exists());
    let (ok, out, err) = home.hd(&["audit", "search", "--json", "interrupted"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = v["page"]["entries"].as_array().unwrap().iter().find(|e| e["action"] == "backup_restore_rollback").cloned().expect("a rollback entry");
    assert_eq!(e["status"], "success", "{e}");
    assert!(e["description"].as_str().unwrap().contains("was interrupted"), "{e}");
    let names: Vec<String> = std::fs::read_dir(home.dir.path()).unwrap().map(|d| d.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains("homedeck-")), "staging and old dirs cleaned: {names:?}");
    // Clients attach to the new daemon, and the catalog kept the backup.
    let (ok, out, err) = home.hd(&["backup", "list", "--json"]);
    assert!(ok && out.contains("\"conf\""), "{out}{err}");
}

#[test]
fn kill_9_mid_vault_writes_loses_nothing_acknowledged() {
    let home = Home::new();
    let mut d = home.daemon();
    let (ok, _, err) = home.hd(&["vault", "init"]);
    assert!(ok, "{err}");

    // One writer adds secrets back to back; each success is an
    // acknowledgement. It stops at the first failure (the daemon is gone),
    // so it never opens the data dir in-process under the next daemon.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop) = (acked.clone(), stop.clone());
        let env = cli_env::CliEnv::new(home.dir.path());
        std::thread::spawn(move || {
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let name = format!("s{i:04}");
                let o = env.cmd(&["secret", "add", &name, "--kind", "api_key"], Some(&format!("value {i}")));
                if !o.status.success() {
                    return;
                }
                acked.lock().unwrap().push(name);
            }
        })
    };
    wait_for(120, "five acknowledged writes", || acked.lock().unwrap().len() >= 5);
    d.signal("KILL");
    stop.store(true, Ordering::SeqCst);
    let _ = d.wait(Duration::from_secs(10));
    writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();

    // The vault opens, and every acknowledged secret is there with its value.
    let _d2 = home.daemon();
    let (ok, out, err) = home.hd(&["secret", "list", "--json"]);
    assert!(ok, "{err}");
    for name in &acked {
        assert!(out.contains(&format!("\"{name}\"")), "{name} was acknowledged but is gone: {out}");
    }
    for name in [acked.first().unwrap(), acked.last().unwrap()] {
        let (ok, out, err) = home.hd(&["secret", "reveal", name]);
        let i: u32 = name[1..].parse().unwrap();
        assert!(ok && out.contains(&format!("value {i}")), "{name}: {out}{err}");
    }
}
