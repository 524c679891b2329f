#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `homedeck doctor` against stores, catalogs and repositories damaged the
//! ways a crash, a disk or a person can damage them: each damage gives its
//! own finding with the fix, `--repair` fixes what is safe and says what it
//! did, and the next check is clean (or still names what only a person can
//! fix). The damage is done with sled directly while no homedeck runs.

mod common;
use common::cli_env::CliEnv;
use std::path::PathBuf;
use std::process::Output;

struct Home {
    _t: tempfile::TempDir,
    env: CliEnv,
    root: PathBuf,
}

impl Home {
    fn new() -> Home {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().to_path_buf();
        std::fs::write(root.join("pass"), "doctor test passphrase\n").unwrap();
        std::fs::set_permissions(root.join("pass"), std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let env = CliEnv::new(&root);
        let h = Home { _t: t, env, root };
        h.ok(&["vault", "init"], None);
        h
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.env.cmd(args, stdin)
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let o = self.run(args, stdin);
        assert!(o.status.success(), "{args:?}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }

    /// `doctor --json` with `extra` args: (exit ok, findings).
    fn doctor(&self, extra: &[&str]) -> (bool, Vec<serde_json::Value>) {
        let mut args = vec!["--json", "doctor"];
        args.extend_from_slice(extra);
        let o = self.run(&args, None);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        (o.status.success(), v["findings"].as_array().unwrap().clone())
    }

    /// Change the db with no homedeck running.
    fn damage(&self, f: impl FnOnce(&sled::Db)) {
        let db = sled::open(self.data().join("db")).unwrap();
        f(&db);
        db.flush().unwrap();
    }

    /// A dir backup source with one file, backed up once.
    fn backed_up(&self) -> PathBuf {
        let src = self.root.join("conf");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("configuration.yaml"), "name: Home\n".repeat(200)).unwrap();
        self.ok(&["backup", "source", "add", "conf", "--kind", "dir", "--path", src.to_str().unwrap()], None);
        self.ok(&["backup", "create", "conf"], None);
        let list: serde_json::Value = serde_json::from_str(&self.ok(&["--json", "backup", "list"], None)).unwrap();
        let file = list["entries"][0]["file"].as_str().unwrap().to_string();
        self.data().join("backups").join(file)
    }
}

fn kinds(findings: &[serde_json::Value]) -> Vec<String> {
    findings.iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect()
}

fn find<'a>(findings: &'a [serde_json::Value], kind: &str) -> &'a serde_json::Value {
    findings.iter().find(|f| f["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {findings:#?}"))
}

#[test]
fn a_fresh_store_is_clean_and_says_what_it_covered() {
    let h = Home::new();
    h.ok(&["secret", "add", "router", "--kind", "password"], Some("v1\n"));
    let out = h.ok(&["doctor"], None);
    assert!(out.contains("checked: schema version 1,") && out.contains("1 secrets") && out.contains("doctor: no problems found"), "{out}");
}

#[test]
fn a_damaged_audit_index_is_found_and_rebuilt() {
    let h = Home::new();
    h.ok(&["secret", "add", "router", "--kind", "password"], Some("v1\n"));
    h.damage(|db| {
        let ix = db.open_tree("audit_by_category").unwrap();
        let first = ix.iter().keys().next().unwrap().unwrap();
        ix.remove(first).unwrap();
        ix.insert(b"vault\0\xff\xff-not-an-entry", &[][..]).unwrap();
    });
    let (ok, f) = h.doctor(&[]);
    assert!(!ok, "problems make doctor exit 1");
    let missing = find(&f, "audit_index_missing");
    assert!(missing["what"].as_str().unwrap().starts_with("1 audit entry is missing from the category index"), "{missing}");
    assert!(missing["fix"].as_str().unwrap().contains("homedeck doctor --repair"), "{missing}");
    assert!(find(&f, "audit_index_orphan")["what"].as_str().unwrap().contains("1 category index key points at no audit entry"));
    let (ok, f) = h.doctor(&["--repair"]);
    assert!(ok, "{f:#?}");
    for k in ["audit_index_missing", "audit_index_orphan"] {
        assert_eq!(find(&f, k)["repaired"], "rebuilt the audit category index from the entries");
    }
    assert_eq!(h.doctor(&[]), (true, vec![]));
    // The repair is itself audited, and the category filter sees every entry again.
    let found = h.ok(&["--json", "audit", "search", "--category", "system"], None);
    assert!(found.contains("\"doctor_repair\""), "{found}");
}

#[test]
fn a_secret_name_pointing_at_nothing_is_dropped_and_an_unnamed_record_renamed() {
    let h = Home::new();
    h.ok(&["secret", "add", "router", "--kind", "password"], Some("router-value\n"));
    h.damage(|db| {
        let names = db.open_tree("secret_names").unwrap();
        names.remove("router").unwrap();
        names.insert("ghost", &99u64.to_be_bytes()[..]).unwrap();
    });
    let o = h.run(&["secret", "show", "router"], None);
    assert!(!o.status.success(), "the damage is real: the secret cannot be found");
    let (ok, f) = h.doctor(&[]);
    assert!(!ok);
    assert_eq!(kinds(&f), ["secret_name_dangling", "secret_unnamed"], "{f:#?}");
    assert!(find(&f, "secret_name_dangling")["what"].as_str().unwrap().contains("\"ghost\" points at record 0000000000000063, which does not exist"));
    assert!(find(&f, "secret_unnamed")["what"].as_str().unwrap().contains("(\"router\") has no name pointing at it"));
    let (ok, f) = h.doctor(&["--repair"]);
    assert!(ok, "{f:#?}");
    assert_eq!(find(&f, "secret_name_dangling")["repaired"], "dropped the name \"ghost\"");
    assert!(find(&f, "secret_unnamed")["repaired"].as_str().unwrap().ends_with("its name \"router\" back"));
    assert!(h.ok(&["secret", "reveal", "router"], None).contains("router-value"));
    assert_eq!(h.doctor(&[]), (true, vec![]));
}

#[test]
fn a_missing_archive_is_found_and_forgotten() {
    let h = Home::new();
    let archive = h.backed_up();
    std::fs::remove_file(&archive).unwrap();
    let (ok, f) = h.doctor(&[]);
    assert!(!ok);
    let m = find(&f, "archive_missing");
    assert!(m["what"].as_str().unwrap().starts_with("backup #1 (conf, ") && m["what"].as_str().unwrap().contains(&archive.display().to_string()), "{m}");
    assert!(m["fix"].as_str().unwrap().contains("homedeck doctor --repair (forgets it"), "{m}");
    let (ok, f) = h.doctor(&["--repair"]);
    assert!(ok);
    assert_eq!(find(&f, "archive_missing")["repaired"], "forgot backup #1 (its archive is gone)");
    let list: serde_json::Value = serde_json::from_str(&h.ok(&["--json", "backup", "list"], None)).unwrap();
    assert_eq!(list["entries"].as_array().unwrap().len(), 0);
    assert_eq!(h.doctor(&[]), (true, vec![]));
}

#[test]
fn a_missing_repository_is_reported_not_repaired() {
    let h = Home::new();
    h.backed_up();
    let moved = h.root.join("unmounted");
    std::fs::rename(h.data().join("backups"), &moved).unwrap();
    let (ok, f) = h.doctor(&["--repair"]);
    assert!(!ok, "nothing is forgotten while the whole repository is away");
    let m = find(&f, "repository_missing");
    assert!(m["repaired"].is_null() && m["fix"].as_str().unwrap().contains("mount it"), "{m}");
    std::fs::rename(&moved, h.data().join("backups")).unwrap();
    assert_eq!(h.doctor(&[]), (true, vec![]), "the entry is still there once the disk is back");
}

#[test]
fn a_cut_short_archive_and_a_changed_one_are_found() {
    let h = Home::new();
    let archive = h.backed_up();
    let bytes = std::fs::read(&archive).unwrap();
    // Same size, one byte changed: only reading the data finds it.
    let mut changed = bytes.clone();
    let mid = changed.len() / 2;
    changed[mid] ^= 0x55;
    std::fs::write(&archive, &changed).unwrap();
    assert_eq!(h.doctor(&[]), (true, vec![]), "sizes alone match");
    let (ok, f) = h.doctor(&["--read-data"]);
    assert!(!ok);
    let m = find(&f, "archive_hash");
    assert!(m["what"].as_str().unwrap().starts_with("backup #1: ") && m["what"].as_str().unwrap().contains("the catalog says"), "{m}");
    assert!(m["fix"].as_str().unwrap().contains("do not restore from it"), "{m}");
    // Cut short: the size gives it away without reading.
    std::fs::write(&archive, &bytes[..bytes.len() - 10]).unwrap();
    let (ok, f) = h.doctor(&["--repair"]);
    assert!(!ok, "a damaged archive is not the doctor's to fix");
    let m = find(&f, "archive_size");
    assert!(m["what"].as_str().unwrap().contains(&format!("is {} bytes, the catalog says {}", bytes.len() - 10, bytes.len())), "{m}");
    assert!(m["repaired"].is_null());
}

#[test]
fn an_archive_nobody_catalogued_is_named_with_what_to_do() {
    let h = Home::new();
    let archive = h.backed_up();
    let extra = archive.with_file_name("copied-in.hdbk");
    std::fs::copy(&archive, &extra).unwrap();
    let (ok, f) = h.doctor(&[]);
    assert!(ok, "a note, not a problem: nothing catalogued is wrong");
    let m = find(&f, "archive_not_catalogued");
    assert_eq!(m["level"], "note");
    assert!(m["what"].as_str().unwrap().starts_with(&extra.display().to_string()), "{m}");
    assert!(m["fix"].as_str().unwrap().contains(&format!("homedeck backup restore --file {}", extra.display())), "{m}");
}

/// Every homedeck that opens the store serves it on the socket (replacing
/// a stale one), so a stale socket is seen by an engine that does not serve:
/// opened here in-process, as a library user would.
#[tokio::test]
async fn a_stale_socket_is_found_and_removed() {
    use homedeck::engine::{Command, DoctorOutcome, EngineOptions, Outcome};
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    let socket = t.path().join("homedeck.sock");
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    let mut opts = EngineOptions::new(&data);
    opts.doctor.socket = Some(socket.clone());
    let e = common::open_with(opts);
    let report = |o: Outcome| match o {
        Outcome::Doctor(DoctorOutcome::DoctorReport { findings, .. }) => findings,
        other => panic!("{other:?}"),
    };
    let f = report(common::run(&e, Command::DoctorCheck { read_data: None }).await.unwrap());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, "socket_stale");
    assert_eq!(f[0].what, format!("{} is left by a homedeck that did not stop cleanly: nothing answers on it", socket.display()));
    assert!(f[0].fix.contains(&format!("rm {}", socket.display())));
    let f = report(common::run(&e, Command::DoctorRepair { read_data: None }).await.unwrap());
    assert_eq!(f[0].repaired.as_deref(), Some(format!("removed the stale socket {}", socket.display()).as_str()));
    assert!(!socket.exists());
    // A socket something answers on is left alone.
    let live = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let f = report(common::run(&e, Command::DoctorCheck { read_data: None }).await.unwrap());
    assert!(f.is_empty(), "{f:#?}");
    drop(live);
}

#[test]
fn repair_is_refused_read_only() {
    let h = Home::new();
    let o = h.run(&["--readonly", "doctor", "--repair"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("doctor_repair"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(h.run(&["--readonly", "doctor"], None).status.success(), "the check itself reads only");
}
