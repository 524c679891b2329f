#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Backups pane through the real loop (`Driver`) on a real engine: the
//! key sequences of the pane (t switches Sources → Catalog → Snapshots,
//! b backs up, v verifies, r previews then confirms a restore, d diffs two
//! snapshots, x cancels) with 80×24 snapshots, a password-sealed source
//! backed up, verified and restored through the masked password prompt,
//! and a canary password that must appear in no rendered frame and nowhere
//! in the audit.

mod common;
mod tui_common;

use homedeck::engine::BackupOutcome;
use common::cli_env::{contains, regular_files};

use crossterm::event::KeyCode;
use homedeck::engine::{Command, Outcome};
use std::fs;
use tui_common::Harness;

const CANARY: &str = "pw-canary-7f3a9";

struct Pane {
    h: Harness,
    frames: Vec<String>,
    root: String,
}

impl Pane {
    /// Draw at 80×24; every frame is kept for the canary check. Temp paths
    /// differ per run and are shown as `<tmp>`; archive sizes (which move
    /// by a few bytes with the creation time in the manifest) as `NNNB`.
    fn frame(&mut self) -> String {
        let s = self.h.screen80();
        self.frames.push(s.clone());
        let s = s.replace(&self.root, "<tmp>");
        s.lines().map(|l| stable_line(l) + "\n").collect()
    }

    async fn key(&mut self, c: char) -> String {
        self.h.key(KeyCode::Char(c)).await;
        self.frame()
    }

    async fn code(&mut self, c: KeyCode) -> String {
        self.h.key(c).await;
        self.frame()
    }

    async fn typ(&mut self, s: &str) -> String {
        for c in s.chars() {
            self.h.key(KeyCode::Char(c)).await;
            self.frame();
        }
        self.frame()
    }

    async fn catalog_index(&self, source: &str, reason: &str) -> usize {
        let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = self.h.exec(Command::BackupOverview {}).await else { panic!() };
        overview.catalog.iter().position(|e| e.source == source && e.reason == reason).expect("catalog entry")
    }
}

/// Sizes (`693B`, `693 bytes`, `693 B`, `1.2 KiB`) and wall-clock times
/// (the diff header) differ per run.
fn stable_line(l: &str) -> String {
    let words: Vec<&str> = l.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let digits = !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
        let shape = |w: &str, sep: char| w.len() >= 8 && w.chars().all(|c| c.is_ascii_digit() || c == sep) && w.contains(sep);
        out.push(if is_size(w) {
            "NNNB"
        } else if (digits || w.parse::<f64>().is_ok()) && words.get(i + 1).is_some_and(|n| n.starts_with("bytes") || ["B", "B,", "KiB", "KiB,", "MiB", "MiB,"].contains(n)) {
            "NNN"
        } else if shape(w, '-') && w.len() == 10 {
            "YYYY-MM-DD"
        } else if shape(w, ':') && w.len() == 8 {
            "HH:MM:SS"
        } else {
            w
        });
    }
    out.join(" ")
}

/// `693B`, `1.2K`: a size as the catalog shows it.
fn is_size(w: &str) -> bool {
    let Some(n) = w.strip_suffix(['B', 'K', 'M', 'G']) else { return false };
    !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.') && n.parse::<f64>().is_ok()
}

fn add(name: &str, path: &std::path::Path, encrypt: bool) -> Command {
    Command::BackupSourceAdd {
        name: name.into(),
        kind: "dir".into(),
        path: Some(path.to_string_lossy().into_owned()),
        live: None,
        login: None,
        exclude: None,
        exclude_db: None,
        encrypt: Some(encrypt),
        key_secret: None,
        compression: None,
        repo: None,
        health: None,
        backup_password_secret: None,
        site: None,
    }
}

async fn setup() -> Pane {
    let h = Harness::new().await;
    let root = h.dir.path().to_string_lossy().into_owned();
    for d in ["app", "sealed"] {
        let dir = h.dir.path().join(d);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("config.yaml"), format!("name: {d}\nlevel: 1\n")).unwrap();
    }
    h.exec(add("app", &h.dir.path().join("app"), false)).await;
    h.exec(add("sealed", &h.dir.path().join("sealed"), true)).await;
    let mut p = Pane { h, frames: Vec::new(), root };
    p.key('5').await;
    // The pane loaded at start, before the sources were added: refresh.
    p.h.driver.key(crossterm::event::KeyEvent::new(KeyCode::Char('r'), crossterm::event::KeyModifiers::CONTROL));
    p.h.settle().await;
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_pane_keys_and_encrypted_restore() {
    let mut p = setup().await;
    insta::assert_snapshot!("backups_sources", p.frame());

    // b on "app" (not sealed): backed up at once.
    let s = p.key('b').await;
    assert!(!s.contains("Password"), "{s}");
    // b on "sealed": the masked prompt, twice; what is typed shows as bullets.
    p.key('j').await;
    p.key('b').await;
    p.typ(CANARY).await;
    p.code(KeyCode::Tab).await;
    let s = p.typ(CANARY).await;
    assert!(s.contains("Back up sealed") && s.matches(&"•".repeat(CANARY.len())).count() == 2, "{s}");
    insta::assert_snapshot!("backups_password_prompt", s);
    // Two different entries are refused, nothing is backed up.
    let s = p.code(KeyCode::Enter).await;
    assert!(!s.contains("differ"), "{s}");
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    assert_eq!(overview.catalog.len(), 2, "both sources backed up");
    p.key('b').await;
    p.typ(CANARY).await;
    p.code(KeyCode::Tab).await;
    p.typ("a typo").await;
    let s = p.code(KeyCode::Enter).await;
    assert!(s.contains("the two passwords differ"), "{s}");
    p.code(KeyCode::Esc).await;
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    assert_eq!(overview.catalog.len(), 2, "both sources backed up");
    assert!(overview.catalog.iter().any(|e| e.source == "sealed" && e.encrypted()));

    // t: Catalog.
    let s = p.key('t').await;
    assert!(s.contains("Catalog"), "{s}");
    insta::assert_snapshot!("backups_catalog", s);

    // v on the sealed backup: prompt; a wrong password is refused and the
    // prompt comes back empty; the right one verifies.
    let sealed = p.catalog_index("sealed", "manual").await;
    for _ in 0..sealed {
        p.key('j').await;
    }
    p.key('v').await;
    p.typ("not-the-password").await;
    let s = p.code(KeyCode::Enter).await;
    assert!(s.contains("Verify backup") && !s.contains("•••"), "the prompt is shown again, emptied: {s}");
    p.typ(CANARY).await;
    p.code(KeyCode::Enter).await;
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    let e = overview.catalog.iter().find(|e| e.source == "sealed").unwrap();
    assert!(e.verify_error.is_none() && e.verified_at.is_some(), "{e:?}");

    // r on the sealed backup after a change: prompt → preview → confirm → restored.
    let file = p.h.dir.path().join("sealed/config.yaml");
    fs::write(&file, "name: sealed\nlevel: 2\n").unwrap();
    p.key('r').await;
    p.typ(CANARY).await;
    let s = p.code(KeyCode::Enter).await;
    assert!(s.contains("Restore sealed into") && s.contains("change 1"), "{s}");
    insta::assert_snapshot!("backups_restore_confirm", s);
    p.key('y').await;
    assert_eq!(fs::read_to_string(&file).unwrap(), "name: sealed\nlevel: 1\n");
    // The pre-restore backup of "sealed" is in the catalog too.
    p.catalog_index("sealed", "pre-restore").await;

    // r on the plain backup: preview → n declines, nothing changes.
    let app_file = p.h.dir.path().join("app/config.yaml");
    fs::write(&app_file, "name: app\nlevel: 9\n").unwrap();
    let plain = p.catalog_index("app", "manual").await;
    // Files the backup does not have: a change list longer than the
    // screen, to show that it scrolls behind the dialog.
    let extras: Vec<_> = (0..30).map(|i| p.h.dir.path().join(format!("app/extra_{i:02}.txt"))).collect();
    for f in &extras {
        fs::write(f, "x").unwrap();
    }
    p.key('t').await;
    p.key('t').await;
    let s = p.key('t').await;
    assert!(s.contains("Catalog"), "{s}");
    for _ in 0..plain {
        p.key('j').await;
    }
    let s = p.key('r').await;
    assert!(s.contains("Restore app") && !s.contains("Password"), "{s}");
    // The dialog gives the counts and leaves the change list readable;
    // j scrolls that list while the dialog stays open.
    assert!(s.contains("1 changed") && s.contains("~ config.yaml"), "the dialog hides the change list:\n{s}");
    let shown = |s: &str| -> Vec<u32> {
        s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter_map(|w| w.strip_prefix("extra_")?.parse().ok()).collect()
    };
    let before = shown(&s);
    let mut after = before.clone();
    for _ in 0..12 {
        after = shown(&p.key('j').await);
    }
    let s = p.frame();
    assert!(s.contains("Restore app"), "j closed the dialog:\n{s}");
    assert!(
        !before.is_empty() && after.iter().max() > before.iter().max() && after.iter().min() > before.iter().min(),
        "j did not scroll the change list behind the dialog: {before:?} then {after:?}\n{s}"
    );
    p.key('n').await;
    for f in &extras {
        fs::remove_file(f).unwrap();
    }
    assert_eq!(fs::read_to_string(&app_file).unwrap(), "name: app\nlevel: 9\n");
    // n is recorded as a declined restore, never as a restore.
    let search = homedeck::engine::command_parse::parse("audit_search", &["status=declined".to_string()], vec![]).unwrap();
    let found = serde_json::to_string(&p.h.exec(search).await).unwrap();
    assert!(found.contains("backup_restore_decline") && !found.contains("\"backup_restore\""), "{found}");

    // With nothing to change, r says so: no dialog, no pre-restore backup.
    fs::write(&app_file, "name: app\nlevel: 1\n").unwrap();
    let s = p.key('r').await;
    assert!(s.contains("nothing to restore") && !s.contains("y yes"), "{s}");
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    assert!(!overview.catalog.iter().any(|e| e.source == "app" && e.reason == "pre-restore"), "a pre-restore backup was taken");
    fs::write(&app_file, "name: app\nlevel: 9\n").unwrap();

    // x with nothing running says so.
    let s = p.key('x').await;
    assert!(s.contains("no backup job is running"), "{s}");

    // t: Snapshots; d diffs the newest snapshot with the one before.
    let watched = p.h.dir.path().join("app/config.yaml").to_string_lossy().into_owned();
    p.h.exec(Command::BackupSnapshotWatch { file: watched.clone() }).await;
    fs::write(&app_file, "name: app\nlevel: 10\n").unwrap();
    p.h.exec(Command::BackupSnapshotWatch { file: watched }).await;
    let s = p.key('t').await;
    assert!(s.contains("Snapshots"), "{s}");
    let s = p.key('d').await;
    assert!(s.contains("-level: 9") && s.contains("+level: 10"), "{s}");
    insta::assert_snapshot!("backups_diff", s);
    let s = p.code(KeyCode::Esc).await;
    assert!(!s.contains("+level: 10"), "Esc closes the diff: {s}");

    // The canary never reached the screen, nor the audit.
    for f in &p.frames {
        assert!(!f.contains(CANARY), "password on screen:\n{f}");
    }
    let audit = p.h.exec(common::search(Some(1000)))
    .await;
    let dump = format!("{audit:?}");
    assert!(dump.contains("backup_restore"), "the restore is audited");
    assert!(!dump.contains(CANARY), "password in the audit");
    for f in regular_files(p.h.dir.path()) {
        assert!(!contains(&fs::read(&f).unwrap(), CANARY), "password on disk in clear in {}", f.display());
    }
}

/// `a` opens the palette with `backup_source_add` typed in; filling it in
/// adds the source. `D` asks, then removes the selected source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_pane_adds_and_removes_a_source() {
    let mut p = setup().await;
    let s = p.key('a').await;
    assert!(s.contains("backup_source_add name= kind=dir path="), "{s}");
    let etc = p.h.dir.path().join("etc");
    fs::create_dir_all(&etc).unwrap();
    p.typ(&etc.to_string_lossy()).await;
    // Back to just after `name=` (the path and ` kind=dir path=` follow it).
    for _ in 0..(etc.to_string_lossy().chars().count() + " kind=dir path=".len()) {
        p.code(KeyCode::Left).await;
    }
    p.typ("etc").await;
    p.code(KeyCode::Enter).await;
    p.h.settle().await;
    let s = p.frame();
    assert!(s.lines().any(|l| l.contains("etc ") && l.contains("dir")), "the new source is listed: {s}");

    // `D` on the first row ("app"), refused until confirmed.
    p.code(KeyCode::Home).await;
    let s = p.key('D').await;
    assert!(s.contains("Remove backup source app?"), "{s}");
    p.key('n').await;
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    assert!(overview.sources.iter().any(|x| x.source.name == "app"), "n keeps it");
    p.key('D').await;
    p.key('y').await;
    p.h.settle().await;
    let Outcome::Backup(BackupOutcome::BackupOverview { overview }) = p.h.exec(Command::BackupOverview {}).await else { panic!() };
    let names: Vec<_> = overview.sources.iter().map(|x| x.source.name.as_str()).collect();
    assert_eq!(names, ["etc", "sealed"], "app removed, the others kept");
}
