#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design
//! `install.sh --daemon` and `--system` write systemd units that systemd
//! itself accepts. No systemd runs on the test machines, so the units are
//! checked offline with `systemd-analyze verify` (Debian package `systemd`,
//! installed by tests/run.sh); the daemon itself is tested as a process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn install(home: &Path, args: &[&str], extra: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("install.sh")).args(args).arg("--no-build");
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", home)
        .env("USER", "tester")
        .env("PREFIX", home.join("prefix"))
        .env("HOMEDECK_BIN", env!("CARGO_BIN_EXE_homedeck"));
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "install.sh {args:?} failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// systemd's own verdict on a unit file: its complaints, empty when it is clean.
fn verify(unit: &Path) -> String {
    let out = Command::new("systemd-analyze").arg("verify").arg(unit).output().expect("systemd-analyze (package systemd)");
    let mut text = String::from_utf8_lossy(&out.stderr).to_string();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    // Offline, without a running systemd, these are about the machine, not the unit.
    text.lines()
        .filter(|l| !l.contains("Failed to lookup RuntimeDirectory") && !l.contains("Failed to initialize manager") && !l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn daemon_user_unit_is_valid_hardened_and_idempotent() {
    let home = tempfile::tempdir().unwrap();
    let out = install(home.path(), &["--daemon"], &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("systemctl --user enable --now homedeck") && said.contains("loginctl enable-linger"), "{said}");
    // The installed size is said, in MiB (a Pi's SD card is small).
    let size = std::fs::metadata(home.path().join("prefix/bin/homedeck")).unwrap().len() as f64 / 1048576.0;
    assert!(said.contains(&format!(": {size:.1} MiB")), "{said}");
    let unit = home.path().join(".config/systemd/user/homedeck.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    let bin = home.path().join("prefix/bin/homedeck");
    let data = home.path().join(".local/share/homedeck");
    assert!(text.contains(&format!("ExecStart={} daemon", bin.display())), "{text}");
    for line in ["Restart=on-failure", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict", "WantedBy=default.target"] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    assert!(text.contains(&format!("ReadWritePaths=-{}", data.display())), "the data dir must stay writable:\n{text}");
    assert!(!text.contains('@'), "a placeholder was left:\n{text}");
    assert!(data.is_dir());
    assert_eq!(verify(&unit), "", "systemd-analyze rejects the user unit");

    // A second run changes nothing.
    let again = install(home.path(), &["--daemon"], &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged"), "{}", String::from_utf8_lossy(&again.stdout));
    assert_eq!(std::fs::read_to_string(&unit).unwrap(), text);
}

#[test]
fn the_offline_check_can_fail() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("assets/systemd/homedeck-user.service"))
        .unwrap()
        .replace("@BIN@", "/bin/true")
        .replace("ProtectSystem=strict", "ProtectSystem=sometimes");
    let unit = dir.path().join("homedeck.service");
    std::fs::write(&unit, text).unwrap();
    let said = verify(&unit);
    assert!(said.contains("sometimes"), "a bad value must be reported, got: {said:?}");
}

#[test]
fn system_unit_runs_as_its_own_user() {
    // Creating the `homedeck` user needs root, as on a real install.
    if not_root() {
        eprintln!("skipped: needs root to create the homedeck user");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let units = home.path().join("units");
    install(home.path(), &["--system"], &[("HOMEDECK_UNIT_DIR", &units)]);
    let unit = units.join("homedeck.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    for line in ["User=homedeck", "StateDirectory=homedeck", "ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "Restart=on-failure"] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    assert!(Command::new("id").arg("homedeck").output().unwrap().status.success(), "the homedeck user was not created");
    assert_eq!(verify(&unit), "", "systemd-analyze rejects the system unit");
    let again = install(home.path(), &["--system"], &[("HOMEDECK_UNIT_DIR", &units)]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged"));
}

/// Whether this test runs as an ordinary user (no libc call needed: `id -u`).
fn not_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() != "0").unwrap_or(true)
}

#[test]
fn unknown_option_is_refused_by_name() {
    let out = Command::new("bash").arg(repo().join("install.sh")).arg("--deamon").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown option '--deamon'"));
}

/// `readelf -S`'s section table of `file`.
fn sections(file: &Path) -> String {
    let out = Command::new("readelf").arg("-S").arg("-W").arg(file).output().expect("readelf (binutils)");
    assert!(out.status.success(), "readelf {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The address of the first symbol of the unstripped build (`nm`) whose
/// mangled name contains `symbol`.
fn address_of(file: &Path, symbol: &str) -> String {
    let out = Command::new("nm").arg(file).output().expect("nm (binutils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.contains(symbol))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("{symbol} not in the symbol table of {}", file.display()))
        .to_string()
}

#[test]
fn installed_binary_is_stripped_and_its_debug_info_sits_beside_it() {
    let home = tempfile::tempdir().unwrap();
    let out = install(home.path(), &[], &[]);
    let said = String::from_utf8_lossy(&out.stdout);
    let bin = home.path().join("prefix/bin/homedeck");
    let debug = home.path().join("prefix/bin/.debug/homedeck.debug");
    assert!(said.contains("in .debug/homedeck.debug"), "{said}");

    let bin_sections = sections(&bin);
    assert!(!bin_sections.contains(".debug_line") && !bin_sections.contains(".symtab"), "not stripped:\n{bin_sections}");
    assert!(bin_sections.contains(".gnu_debuglink"), "no link to the debug file:\n{bin_sections}");
    let debug_sections = sections(&debug);
    assert!(debug_sections.contains(".debug_line") && debug_sections.contains(".symtab"), "{debug_sections}");

    // Through the link (found in .debug/ beside the binary, its CRC checked),
    // an address of the stripped binary resolves to a function and a line
    // of homedeck's own source.
    let addr = address_of(Path::new(env!("CARGO_BIN_EXE_homedeck")), "8homedeck4main17h");
    let resolved = Command::new("addr2line").args(["-f", "-C", "-e"]).arg(&bin).arg(&addr).output().expect("addr2line (binutils)");
    let resolved = String::from_utf8_lossy(&resolved.stdout);
    assert!(resolved.starts_with("homedeck::main") && resolved.contains("src/main.rs:"), "{addr} did not resolve: {resolved}");

    // --no-debuginfo: the same stripped binary, no debug file (and the one
    // the previous install left is removed).
    let out = install(home.path(), &["--no-debuginfo"], &[]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(".debug/"), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!debug.exists());
    let bin_sections = sections(&bin);
    assert!(!bin_sections.contains(".debug_line") && !bin_sections.contains(".gnu_debuglink"), "{bin_sections}");
    assert!(Command::new(&bin).arg("--version").output().unwrap().status.success());
}
